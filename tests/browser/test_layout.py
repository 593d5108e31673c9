"""The page at the four screen sizes learners use (1024×768, a 1280×720 projector, 1440×900,
1920×1080): no horizontal scroll, nothing clipped, the output plot growing with the screen, the
boundary and the loss curve both in view at 1280×720; a network of 8 × 64 stays inside its panel;
nothing moves when play is pressed. Screenshots of each size go to the test output folder."""

import pytest

from .conftest import SETTLED, SIZES

pytestmark = pytest.mark.browser

BOX = "(sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"
# Every element that is laid out (not display: none) and sticks out of its panel: the panel's
# box must contain it. Returns the offenders as "selector: box vs panel".
CLIPPED = """([panelSel, childSel]) => {
  const out = [];
  for (const panel of document.querySelectorAll(panelSel)) {
    const p = panel.getBoundingClientRect();
    for (const el of panel.querySelectorAll(childSel)) {
      const r = el.getBoundingClientRect();
      if (!r.width && !r.height) continue;
      if (r.left < p.left - 0.5 || r.right > p.right + 0.5 || r.top < p.top - 0.5 || r.bottom > p.bottom + 0.5)
        out.push(`${el.tagName.toLowerCase()}.${el.className}: ${[r.left, r.top, r.right, r.bottom].map(Math.round)} outside ${[p.left, p.top, p.right, p.bottom].map(Math.round)}`);
    }
  }
  return out;
}"""
# Text that does not fit its own box (cut off by overflow) in the top bar and the settings bar.
CUT_TEXT = """(sel) => [...document.querySelectorAll(sel)].filter(el => el.offsetParent && (el.scrollWidth > el.clientWidth + 1)).map(el => el.textContent.trim().slice(0, 30))"""


def overlaps(a, b):
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


@pytest.mark.parametrize("width, height", SIZES)
def test_every_screen_size(sized_page, output_dir, width, height):
    p = sized_page(width, height)
    p.wait("() => document.querySelector('#curves-plot .main-svg') && document.querySelector('#boundary .main-svg')")
    p.wait(SETTLED)
    # no horizontal scroll
    assert p.js("() => document.scrollingElement.scrollWidth") <= width
    # the three columns sit side by side without overlapping, inside the window
    cols = [p.js(BOX, sel) for sel in (".col-data", ".col-net", ".col-out")]
    assert all(c[0] >= 0 and c[2] <= width for c in cols)
    assert not overlaps(cols[0], cols[1]) and not overlaps(cols[1], cols[2])
    # nothing sticks out of its panel or its bar
    assert p.js(CLIPPED, [".col-data .panel", ".field, .dataset-tile, .feature-tile, button, input, select"]) == []
    assert p.js(CLIPPED, [".col-net", ".neuron, .input-label, .layer-cell, #layer-controls select, #layer-controls button"]) == []
    assert p.js(CLIPPED, [".col-out", "#status, .boundary-wrap, .legend, .toggles, .charts, #boundary"]) == []
    assert p.js(CLIPPED, [".topbar", "button, select, input, .epoch"]) == []
    assert p.js(CLIPPED, [".hyperbar", ".ctl"]) == []
    assert p.js(CUT_TEXT, ".topbar button, .ctl > label, .stats .k") == []
    # the boundary plot's square is large (its card holds the legend beside it on 16:9 screens,
    # so the square, not the plot's box, is what to measure)
    boundary = p.js(BOX, "#boundary")
    assert p.js("() => document.getElementById('boundary')._fullLayout.xaxis._length") >= 225
    if (width, height) != (1024, 768):
        # the boundary and the loss curve are both in view without scrolling
        curves = p.js(BOX, "#curves-plot")
        assert boundary[3] <= height and curves[3] <= height, (boundary, curves)
    p.page.screenshot(path=str(output_dir / f"page-{width}x{height}.png"))


def test_the_output_plot_grows_on_larger_screens(sized_page):
    sizes = []
    for width, height in [(1280, 720), (1920, 1080)]:
        p = sized_page(width, height)
        p.wait("() => document.querySelector('#boundary .main-svg')")
        sizes.append(p.js("() => { const fl = document.getElementById('boundary')._fullLayout; return [fl.xaxis._length, fl.yaxis._length]; }"))
    (w1, h1), (w2, h2) = sizes
    assert abs(w1 - h1) < 2 and abs(w2 - h2) < 2     # square plot areas
    assert w2 > 1.6 * w1


@pytest.mark.parametrize("width, height", [(1024, 768), (1440, 900)])
def test_eight_layers_of_64_stay_inside_the_network_panel(sized_page, output_dir, width, height):
    p = sized_page(width, height, "/#hidden_layers=64,64,64,64,64,64,64,64&features=x1,x2,x1_sq,x2_sq,x1x2,sin_x1,sin_x2")
    p.wait("() => document.querySelectorAll('#net-nodes .neuron.hidden').length === 512")
    p.wait(SETTLED)
    panel = p.js(BOX, ".col-net")
    # every neuron, input label and layer control inside the network column
    assert p.js(CLIPPED, [".col-net", ".neuron, .input-label, .layer-cell, .layer-cell *, #net-links"]) == []
    # and the column overlaps neither neighbour
    assert not overlaps(panel, p.js(BOX, ".col-out")) and not overlaps(panel, p.js(BOX, ".col-data"))
    # the layer controls: one cell per column, side by side, none overlapping another
    cells = p.js("() => [...document.querySelectorAll('#layer-controls .layer-cell')].map(c => { const r = c.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })")
    assert len(cells) == 10
    assert all(not overlaps(a, b) for i, a in enumerate(cells) for b in cells[i + 1:])
    # neurons do not overlap each other and keep a minimum size
    nodes = p.js("() => [...document.querySelectorAll('#net-nodes .neuron')].map(c => { const r = c.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })")
    assert min(n[2] - n[0] for n in nodes) >= 6
    by_column = {}
    for n in nodes:
        by_column.setdefault(round(n[0]), []).append(n)
    for column in by_column.values():
        column.sort(key=lambda n: n[1])
        assert all(a[3] <= b[1] + 0.5 for a, b in zip(column, column[1:]))
    # wide layers: thin links; the note says that a subset is drawn
    assert "subset" in p.js("() => document.getElementById('net-note').textContent")
    assert p.js("() => document.querySelector('#layer-controls select').getBoundingClientRect().width") > 20
    assert p.js("() => document.scrollingElement.scrollWidth") <= width
    p.page.locator(".col-net").screenshot(path=str(output_dir / f"network-8x64-{width}x{height}.png"))
    assert p.errors == []


def test_nothing_moves_when_play_is_pressed(page):
    p = page.open()
    p.wait(SETTLED)
    parts = ["#status", "#boundary", "#curves-plot", "#network", ".run", "#epoch", ".stats", "#st-speed", "#btn-play"]
    before = {sel: p.js(BOX, sel) for sel in parts}
    p.page.keyboard.press("Space")
    p.wait("() => window.playground.running && window.playground.epoch >= 5")
    p.wait("() => document.getElementById('st-speed').textContent.includes('epochs/s')")
    during = {sel: p.js(BOX, sel) for sel in parts}
    p.page.keyboard.press("Space")
    p.pause()
    after = {sel: p.js(BOX, sel) for sel in parts}
    assert during == before and after == before
    assert p.errors == []
