"""The keyboard (issue 24): Space play/pause, "." or "s" one epoch, "r" reset, "?" the list of
shortcuts; none of them while typing in a field; the dataset tiles are a radio group the arrow
keys move through; the focus ring shows on the dark top bar (contrast ≥ 3 : 1)."""

import re

import pytest

from .conftest import SETTLED

pytestmark = pytest.mark.browser

DIALOG_OPEN = "() => document.getElementById('shortcuts').open"


def press(p, key):
    p.page.keyboard.press(key)
    p.wait(SETTLED)


def test_each_shortcut_does_what_the_list_says(page):
    p = page.open()
    p.wait(SETTLED)
    p.page.keyboard.press("Space")
    p.wait("() => window.playground.running && window.playground.epoch > 0")   # it plays
    p.page.keyboard.press("Space")
    p.wait("() => !window.playground.running")                                # and pauses
    p.pause()
    epoch = p.js("() => window.playground.epoch")
    press(p, ".")
    assert p.js("() => window.playground.epoch") == epoch + 1
    press(p, "s")
    assert p.js("() => window.playground.epoch") == epoch + 2
    press(p, "S")
    assert p.js("() => window.playground.epoch") == epoch + 3
    press(p, "r")
    assert p.js("() => window.playground.epoch") == 0
    assert p.js("() => document.getElementById('toast').dataset.epoch") == "reset"
    # "?" opens the list; it names every shortcut; "?" or Esc closes it
    p.page.keyboard.press("?")
    p.wait(DIALOG_OPEN)
    text = p.js("() => document.getElementById('shortcuts').textContent")
    for words in ("Space", "play / pause", "step", "reset", "this list", "dataset"):
        assert words in text, words
    p.page.keyboard.press("?")
    p.wait("() => !document.getElementById('shortcuts').open")
    p.page.click("#btn-keys")
    p.wait(DIALOG_OPEN)
    # while the list is open, no shortcut acts on the page
    p.page.keyboard.press("s")
    p.page.keyboard.press("Escape")
    p.wait("() => !document.getElementById('shortcuts').open")
    p.wait(SETTLED)
    assert p.js("() => window.playground.epoch") == 0
    # each run button's title says its key
    assert "(R)" in p.js("() => document.getElementById('btn-reset').title")
    assert "S" in p.js("() => document.getElementById('btn-step').title")
    assert p.errors == []


@pytest.mark.parametrize("field", ["input[name=batch_size]", "#stop-at", "select[name=learning_rate]", "#n-hidden"])
def test_no_shortcut_fires_while_typing_in_a_field(page, field):
    p = page.open()
    p.wait(SETTLED)
    press(p, ".")
    assert p.js("() => window.playground.epoch") == 1
    p.page.focus(field)
    for key in [".", "s", "r", "?", "Space"]:
        p.page.keyboard.press(key)
    p.wait(SETTLED)
    assert p.js("() => window.playground.epoch") == 1      # no step, no reset
    assert not p.js("() => window.playground.running")      # no play
    assert not p.js(DIALOG_OPEN)                            # no list
    assert p.errors == []


def test_the_dataset_tiles_move_with_the_arrow_keys(page):
    p = page.open()
    p.wait(SETTLED)
    order = p.js("() => [...document.querySelectorAll('#datasets .dataset-tile')].filter((b) => !b.hidden).map((b) => b.dataset.name)")
    # only the chosen tile is in the Tab order (a radio group)
    tabbable = p.js("() => [...document.querySelectorAll('#datasets .dataset-tile')].filter((b) => b.tabIndex === 0).map((b) => b.dataset.name)")
    assert tabbable == ["circle"]
    p.page.focus(".dataset-tile[data-name=circle]")
    p.page.keyboard.press("ArrowRight")
    p.wait(f"() => window.playground.config.dataset === '{order[1]}'")
    assert p.js("() => document.activeElement.dataset.name") == order[1]
    p.wait(SETTLED)
    p.page.keyboard.press("ArrowLeft")
    p.wait("() => window.playground.config.dataset === 'circle'")
    p.wait(SETTLED)
    # down: the tile under this one (the nearest row below, the closest in x)
    below = p.js("""() => { const me = document.activeElement.getBoundingClientRect();
      const tiles = [...document.querySelectorAll('#datasets .dataset-tile')].filter((b) => !b.hidden).map((b) => [b.dataset.name, b.getBoundingClientRect()])
        .filter(([, r]) => r.top > me.top + me.height / 2);
      const top = Math.min(...tiles.map(([, r]) => r.top));
      return tiles.filter(([, r]) => Math.abs(r.top - top) < 2).sort((a, b) => Math.abs(a[1].left - me.left) - Math.abs(b[1].left - me.left))[0][0]; }""")
    p.page.keyboard.press("ArrowDown")
    p.wait(f"() => window.playground.config.dataset === '{below}'")
    p.wait(SETTLED)
    assert p.js("() => [...document.querySelectorAll('#datasets .dataset-tile')].filter((b) => b.tabIndex === 0).map((b) => b.dataset.name)") == [below]
    assert p.js("() => window.playground.epoch") == 0
    assert p.errors == []


def luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def rgb_of(css):
    return [int(v) for v in re.findall(r"\d+", css)[:3]]


def test_the_focus_ring_shows_on_the_dark_top_bar(page):
    p = page.open()
    p.wait(SETTLED)
    # the bar's background runs between two colours: the ring must stand out from both
    stops = [rgb_of(c) for c in re.findall(r"rgb\([^)]*\)", p.js("() => getComputedStyle(document.querySelector('.topbar')).backgroundImage"))]
    assert len(stops) >= 2
    seen = set()
    p.page.focus("#btn-reset")
    p.page.keyboard.press("Shift+Tab")
    for _ in range(14):                       # Tab through the run controls and the actions
        p.page.keyboard.press("Tab")
        info = p.js("""() => { const e = document.activeElement; if (!e.closest('.topbar')) return null;
          const s = getComputedStyle(e); return [e.id || e.textContent.trim(), s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor, e.matches(':focus-visible')]; }""")
        if info is None:
            break
        name, style, width, color, visible = info
        assert visible and style != "none" and width >= 2, info
        assert min(contrast(rgb_of(color), s) for s in stops) >= 3, (name, color, stops)
        seen.add(name)
    assert {"btn-reset", "btn-play", "btn-step"} <= seen
    assert p.errors == []


def test_a_hidden_run_button_takes_its_shortcut_with_it(page):
    """A class link that hides reset and step (?hide=) leaves R and S without effect; Space still plays."""
    p = page.open("/?hide=reset,step")
    p.wait(SETTLED)
    for key in ["r", "s", "."]:
        p.page.keyboard.press(key)
    p.wait(SETTLED)
    assert p.js("() => window.playground.epoch") == 0
    p.page.keyboard.press("Space")
    p.wait("() => window.playground.running && window.playground.epoch > 0")
    p.page.keyboard.press("Space")
    p.pause()
    assert p.errors == []
