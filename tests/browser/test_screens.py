"""The page on a tablet and on the classroom's screens (issue 24): between 600 and 1023 px one
column — data, network, output, curves — with nothing sideways, nothing overlapping or cut and
every control at least 40 px; at 1024 × 768 three columns with nothing overlapping; the run bar
still in view (and usable) after scrolling to the bottom; at 1280 × 720 and 1920 × 1080 the
output plot filling its card; dataset names whole; the neuron tooltip clear of the next layer.
Screenshots of each size go to the test output folder."""

import pytest

from .conftest import SETTLED

pytestmark = pytest.mark.browser

BOX = "(sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"

# Every laid-out control, label and tile of the playground (not the Compare or About panels):
# pairs that overlap although neither contains the other.
OVERLAPS = """() => {
  const sel = 'main button, main select, main input:not([type=checkbox]):not([type=file]), main label, main .dataset-tile,'
    + ' main .feature-tile, main .neuron, main .input-label, main .layer-cell, main h2, main h3, main .stats > div, main .legend, main .field';
  const els = [...document.querySelectorAll(sel)].filter((e) => e.checkVisibility() && !e.closest('.visually-hidden'));
  const box = new Map(els.map((e) => [e, e.getBoundingClientRect()]));
  const out = [];
  for (let i = 0; i < els.length; i++) for (let j = i + 1; j < els.length; j++) {
    const a = els[i], b = els[j];
    if (a.contains(b) || b.contains(a)) continue;
    const p = box.get(a), q = box.get(b);
    if (!p.width || !q.width) continue;
    const w = Math.min(p.right, q.right) - Math.max(p.left, q.left), h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
    if (w > 1 && h > 1) out.push(`${a.tagName}.${a.className} [${a.textContent.trim().slice(0, 20)}] × ${b.tagName}.${b.className} [${b.textContent.trim().slice(0, 20)}]`);
  }
  return out;
}"""
# Controls whose box sticks out of the column or card they sit in, or whose text is cut.
CUT = """() => {
  const out = [];
  for (const panel of document.querySelectorAll('main .panel, main .col-net, main .status, main .boundary-wrap, main .charts, main .confusion, .topbar, .hyperbar')) {
    if (!panel.checkVisibility()) continue;
    const p = panel.getBoundingClientRect();
    for (const el of panel.querySelectorAll('button, select, input, label, .dataset-tile, .feature-tile, .neuron, .layer-cell, .stats > div, h2, h3')) {
      if (!el.checkVisibility() || el.closest('.visually-hidden')) continue;
      const r = el.getBoundingClientRect();
      if (!r.width && !r.height) continue;
      if (r.left < p.left - 0.5 || r.right > p.right + 0.5 || r.top < p.top - 0.5 || r.bottom > p.bottom + 0.5) out.push(`outside ${panel.className}: ${el.tagName}.${el.className}`);
    }
  }
  for (const el of document.querySelectorAll('main label, main button, main h2, main h3, .stats .k, .dataset-tile span, .topbar button, .ctl > label')) {
    if (!el.checkVisibility() || el.closest('.visually-hidden')) continue;
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) out.push(`cut: ${el.tagName}.${el.className} [${el.textContent.trim().slice(0, 20)}]`);
  }
  return out;
}"""
# Controls a finger must hit, smaller than 40 px in either direction.
SMALL = """() => [...document.querySelectorAll('.topbar button, .topbar select, .topbar input, .hyperbar select, .hyperbar input, .hyperbar button,'
    + ' main button, main select, main input[type=number], main input[type=range], main .toggles label, main .small-toggle, main label.file-btn')]
  .filter((e) => e.checkVisibility() && !e.closest('.visually-hidden') && !e.closest('.neuron'))
  .map((e) => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.height < 39.5 || (r.width < 39.5 && e.type !== 'range'))
  .map(([e, r]) => `${e.tagName}.${e.className} [${(e.getAttribute('aria-label') || e.textContent).trim().slice(0, 24)}] ${Math.round(r.width)}×${Math.round(r.height)}`)"""


def scroll_through(p):
    """Scroll down the whole page and back, so every view has drawn once."""
    height = p.js("() => document.scrollingElement.scrollHeight")
    step = p.js("() => innerHeight") // 2
    for y in range(0, height + step, step):
        p.js("(y) => window.scrollTo(0, y)", y)
        p.wait(SETTLED)
    p.js("() => window.scrollTo(0, 0)")
    p.wait(SETTLED)


def test_a_tablet_gets_one_column_with_nothing_sideways_overlapping_or_cut(sized_page, output_dir):
    p = sized_page(800, 1000)
    p.wait(SETTLED)
    assert p.js("() => document.scrollingElement.scrollWidth") <= 800
    # one column, in order: data, network, output (the curves within it, after the plot)
    cols = [p.js(BOX, sel) for sel in (".col-data", ".col-net", ".col-out")]
    assert all(c[0] >= 0 and c[2] <= 800 and c[2] - c[0] > 700 for c in cols), cols
    assert cols[0][3] <= cols[1][1] and cols[1][3] <= cols[2][1]
    assert p.js(BOX, "#boundary")[3] <= p.js(BOX, "#curves-plot")[1]
    scroll_through(p)
    assert p.js(OVERLAPS) == []
    assert p.js(CUT) == []
    # every activation menu wide enough to read ("Ta" is not a word), every control finger-sized
    assert min(p.js("() => [...document.querySelectorAll('.layer-act')].map((s) => s.getBoundingClientRect().width)")) >= 60
    assert p.js(SMALL) == []
    # with 8 layers too, and in Inspect (its stage tabs whole)
    p.page.fill("#n-hidden", "8")
    p.page.press("#n-hidden", "Enter")
    p.wait("() => window.playground.config.hidden_layers.length === 8")
    p.wait(SETTLED)
    p.page.click("#btn-inspect")
    p.wait("() => !document.getElementById('inspect-body').hidden")
    p.wait(SETTLED)
    assert p.js("() => document.scrollingElement.scrollWidth") <= 800
    assert p.js(OVERLAPS) == [] and p.js(CUT) == [] and p.js(SMALL) == []
    p.page.screenshot(path=str(output_dir / "tablet-800x1000-8-layers.png"), full_page=True)
    assert p.errors == []


def test_at_1024_the_three_columns_have_nothing_overlapping_or_cut(sized_page):
    p = sized_page(1024, 768)
    p.wait(SETTLED)
    scroll_through(p)
    assert p.js("() => document.scrollingElement.scrollWidth") <= 1024
    cols = [p.js(BOX, sel) for sel in (".col-data", ".col-net", ".col-out")]
    assert cols[0][2] <= cols[1][0] and cols[1][2] <= cols[2][0]   # side by side
    assert p.js(OVERLAPS) == []
    assert p.js(CUT) == []
    assert p.errors == []


@pytest.mark.parametrize("width, height", [(1280, 720), (800, 1000)])
def test_the_run_bar_stays_in_view_when_scrolled_to_the_bottom(sized_page, width, height):
    p = sized_page(width, height)
    p.wait(SETTLED)
    p.js("() => window.scrollTo(0, document.scrollingElement.scrollHeight)")
    p.wait("() => window.scrollY > 300")
    for sel in ("#btn-play", "#btn-step", "#btn-reset", "#epoch"):
        left, top, right, bottom = p.js(BOX, sel)
        assert top >= 0 and bottom <= height, (sel, top, bottom)
        # on top of whatever scrolled under it
        hit = p.js("([x, y, sel]) => { const e = document.elementFromPoint(x, y); return !!e && !!e.closest(sel); }",
                   [(left + right) / 2, (top + bottom) / 2, sel])
        assert hit, sel
    p.page.click("#btn-step")
    p.wait("() => window.playground.epoch === 1")
    assert p.errors == []


@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080)])
def test_the_output_plot_fills_its_card(sized_page, width, height):
    p = sized_page(width, height)
    p.wait("() => document.querySelector('#boundary .main-svg')")
    p.wait(SETTLED)
    side, plot_h = p.js("() => { const fl = document.getElementById('boundary')._fullLayout; return [fl.xaxis._length, fl.yaxis._length]; }")
    card = p.js(BOX, ".boundary-wrap")
    plot = p.js(BOX, "#boundary")
    legend, toggles = p.js(BOX, "#legend"), p.js(BOX, ".toggles")
    # the plot's square uses its whole box (no band left empty beside it) ...
    assert abs(side - plot_h) < 2 and (plot[2] - plot[0]) - side < 50
    # ... and the rest of the card's width holds the legend and the toggles, beside the plot
    assert legend[0] >= plot[2] and toggles[0] >= plot[2] and legend[2] <= card[2] + 0.5
    assert card[2] - plot[2] < 170
    assert side >= (240 if height == 720 else 440)       # 198 and 450 before
    # still: the boundary and the whole loss curve in view without scrolling
    assert p.js(BOX, "#curves-plot")[3] <= height
    assert p.errors == []


def test_dataset_names_are_whole_and_the_neuron_tooltip_leaves_the_next_layer_visible(sized_page):
    p = sized_page(1280, 720)
    p.wait(SETTLED)
    cut = p.js("""() => [...document.querySelectorAll('.dataset-tile span')].filter((s) => s.checkVisibility())
      .filter((s) => { const r = s.getBoundingClientRect(), t = s.parentElement.getBoundingClientRect();
                       return s.scrollWidth > s.clientWidth + 1 || r.left < t.left - 0.5 || r.right > t.right + 0.5; })
      .map((s) => s.textContent)""")
    assert cut == []
    assert "Checkerboard" in p.js("() => [...document.querySelectorAll('.dataset-tile span')].map((s) => s.innerText)")
    # hover each neuron of the first hidden layer: its tooltip covers no neuron of the second
    for j in range(4):
        p.page.hover(f"#net-nodes .neuron[data-col='1'][data-idx='{j}']")
        p.wait("() => !document.getElementById('net-tip').hidden")
        tip = p.js(BOX, "#net-tip")
        nxt = p.js("() => [...document.querySelectorAll(\"#net-nodes .neuron[data-col='2']\")].map((n) => { const r = n.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })")
        assert all(tip[2] <= n[0] or tip[0] >= n[2] or tip[3] <= n[1] or tip[1] >= n[3] for n in nxt), (j, tip, nxt)
    assert p.errors == []


@pytest.mark.parametrize("width, height", [(800, 1000), (1024, 768), (1280, 720), (1920, 1080)])
def test_screenshots(sized_page, output_dir, width, height):
    """For looking at: each size, scrolled through once so every view has drawn."""
    p = sized_page(width, height)
    p.wait(SETTLED)
    scroll_through(p)
    assert p.js("() => document.scrollingElement.scrollWidth") <= width
    p.page.screenshot(path=str(output_dir / f"screen-{width}x{height}.png"), full_page=True)
    assert p.errors == []


@pytest.mark.parametrize("width, height", [(1024, 768), (1280, 720)])
def test_ten_classes_fit_too(sized_page, width, height):
    """The digits' 10 × 10 confusion matrices stay inside their card: nothing sideways."""
    p = sized_page(width, height, "/#dataset=digits")
    p.wait("() => window.playground.config.dataset === 'digits'")
    p.js("() => document.getElementById('confusion').scrollIntoView()")
    p.wait("() => document.querySelectorAll('#cm-train td.cm-cell').length === 100")
    p.wait(SETTLED)
    assert p.js("() => document.scrollingElement.scrollWidth") <= width
    card = p.js(BOX, "#confusion")
    for table in ("#cm-train", "#cm-test"):
        box = p.js(BOX, table)
        assert card[0] - 0.5 <= box[0] and box[2] <= card[2] + 0.5, (table, box, card)
    assert p.errors == []
