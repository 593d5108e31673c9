"""The views: one interface (the loop never names a view, the state is declared once and sealed),
the 3D output surface (renders, follows training, and the flat plot steps aside for it), links
that flow while training, and weights that are exactly zero or not a number drawn as such —
never as a sign."""

import re
from pathlib import Path

import pytest

from .conftest import SETTLED

pytestmark = pytest.mark.browser

JS = Path(__file__).resolve().parents[2] / "static" / "js"


def test_views_share_one_interface_and_the_loop_names_none(page):
    p = page.open()
    names = p.js("() => Object.keys(window.playground.views)")
    registered = re.findall(r'export \{ default as (\w+) \} from "\./views/([\w-]+)\.js";', (JS / "view-registry.js").read_text())
    assert sorted(names) == sorted(n for n, _ in registered)
    # views/ holds views only: every module in it is registered (helpers live elsewhere)
    assert sorted(f.stem for f in (JS / "views").glob("*.js")) == sorted(m for _, m in registered)
    assert {"boundary", "curves", "network", "weights", "gradnorms", "confusion", "transformed", "surface", "stats"} <= set(names)
    shapes = p.js("""() => Object.values(window.playground.views).map(v =>
        [v.name, typeof v.wants, typeof v.take, typeof v.draw, v.el === undefined || v.el instanceof Element])""")
    assert all(s[1:] == ["function", "function", "function", True] for s in shapes), shapes
    loop = re.sub(r"/\*.*?\*/|//[^\n]*", "", (JS / "frame-loop.js").read_text(), flags=re.S)   # code, no comments
    for name in names:
        assert not re.search(rf"\b{name}\b", loop.replace("snapshot.js", "")), name
    assert len((JS / "main.js").read_text().splitlines()) < 400
    # the state is declared once: it cannot grow a field on the fly
    assert p.js("() => Object.isSealed(window.playground.state)")
    assert p.js("() => { 'use strict'; try { window.playground.state.newField = 1; return false; } catch { return true; } }")
    # what a request asks for follows what is shown: the weights panel (Basic hides it) is not
    assert p.js("() => window.playground.state.visible.weights") is False
    assert p.errors == []


def test_each_view_declares_the_settings_it_keeps_in_the_link(page):
    link = ("view.test=1&view.disc=1&view.speed=max&view.log=1&view.stop=7&view.level=advanced&view.3d=1"
            "&view.proj=1&view.conv=row&view.digits=1")
    p = page.open(f"/#{link}")
    owners = p.js("""() => Object.fromEntries(Object.values(window.playground.views).filter(v => v.link)
        .map(v => [v.name, Object.entries(v.link).map(([short, d]) => [short, d.key])]))""")
    assert owners == {"boundary": [["test", "showTest"], ["disc", "discretize"]],
                      "surface": [["3d", "surface"]], "curves": [["log", "logLoss"]],
                      "lessons": [["proj", "projector"]],
                      "inspect": [["conv", "convention"], ["digits", "allDigits"]]}
    assert p.js("() => window.playground.state.view") == {
        "speed": "max", "stopAt": 7, "level": "advanced", "showTest": True, "discretize": True,
        "logLoss": True, "surface": True, "projector": True, "convention": "row", "allDigits": True}
    assert p.js("() => ['show-test', 'discretize', 'log-loss', 'surface-3d', 'inspect-digits'].map(id => document.getElementById(id).checked)") == [True] * 5
    assert p.js("() => document.getElementById('inspect-convention').value") == "row"
    assert p.js("() => [document.getElementById('speed').value, document.getElementById('stop-at').value]") == ["max", "7"]
    written = {kv for kv in p.page.url.split("#")[1].split("&") if kv.startswith("view.")}
    assert written == set(link.split("&"))                       # written back as it came
    assert p.js("() => Object.isSealed(window.playground.state.view)")
    # a value its type refuses is dropped and named; the others keep theirs
    p.page.goto("about:blank")
    p.open("/#view.stop=0&view.log=0&view.speed=3")
    assert p.js("() => { const v = window.playground.state.view; return [v.stopAt, v.logLoss, v.speed]; }") == [None, False, 1]
    text = p.js("() => document.getElementById('toast').textContent")
    assert "view.stop (0)" in text and "view.speed (3)" in text and "view.log" not in text, text
    assert p.errors == []


def test_the_3d_surface_renders_and_follows_training(page, output_dir):
    p = page.open()
    p.page.check("#surface-3d")
    p.wait("() => { const d = document.getElementById('surface-plot').data; return d && d[0].type === 'surface'; }")
    assert "view.3d=1" in p.page.url
    assert p.page.locator("#boundary").is_hidden() and p.page.locator("#surface-plot").is_visible()
    assert p.js("() => document.querySelectorAll('#surface-plot canvas').length") >= 1
    z0 = p.js("() => document.getElementById('surface-plot').data[0].z.flat()")
    assert len(z0) == 50 * 50 and all(0 <= v <= 1 for v in z0)           # sigmoid output: p over the plane
    points = p.js("() => document.getElementById('surface-plot').data[1]")
    assert points["type"] == "scatter3d" and len(points["x"]) == 250 and set(points["z"]) == {0, 1}
    # it follows training, while the flat plot is not asked for
    assert p.js("() => window.playground.state.visible.boundary") is False
    p.page.fill("#stop-at", "30")
    p.page.press("#stop-at", "Enter")
    p.page.select_option("#speed", "10")
    p.play()
    p.wait("() => window.playground.epoch === 30 && !window.playground.running")
    p.wait(SETTLED)
    z1 = p.js("() => document.getElementById('surface-plot').data[0].z.flat()")
    assert z1 != z0
    grid = p.js("() => { const o = window.playground.frame.grid.output; return [o.data[0], o.data[o.data.length - 1]]; }")
    assert abs(z1[0] - grid[0]) < 1e-6 and abs(z1[-1] - grid[1]) < 1e-6    # corners: the server's numbers
    p.page.locator(".boundary-wrap").screenshot(path=str(output_dir / "surface-3d.png"))
    # and back to the flat plot
    p.page.uncheck("#surface-3d")
    p.wait("() => window.playground.state.visible.boundary === true")
    assert p.errors == []


def test_links_flow_while_training(page):
    p = page.open("/#view.speed=1")
    assert p.js("() => window.playground.views.network.flow()") is None   # paused: solid links
    p.play()
    p.wait("() => window.playground.epoch >= 5")
    samples = set()
    for _ in range(5):
        p.wait("(e) => window.playground.epoch > e", p.js("() => window.playground.epoch"))
        samples.add(p.js("() => window.playground.views.network.flow()"))
    p.page.keyboard.press("Space")
    p.pause()
    assert len(samples) >= 3      # the dashes moved with the epochs
    assert p.js("() => window.playground.views.network.flow()") is None   # paused: solid links


def test_zero_and_non_finite_weights_are_drawn_as_such(page):
    p = page.open("/#view.level=advanced&regularization=l1&reg_rate=0.001")
    p.page.locator("#weights").scroll_into_view_if_needed()
    p.wait("() => window.playground.state.visible.weights && window.playground.frame.weights")
    p.wait(SETTLED)
    # a weight typed as exactly 0 (as L1 leaves them), one NaN and one −∞ handed to both views
    p.js("""() => {
      const pg = window.playground, ws = pg.frame.weights.map(l => ({ ...l, W: { shape: l.W.shape, data: Float32Array.from(l.W.data) } }));
      ws[0].W.data[1] = NaN; ws[0].W.data[2] = -Infinity; ws[0].W.data[3] = 0;
      for (const v of [pg.views.network, pg.views.weights]) v.take({ weights: ws }, pg.state);
      pg.state.dirty = true;
    }""")
    p.wait("() => !window.playground.state.dirty")
    kind = "([l, a, b]) => window.playground.views.network.linkKind(l, a, b)"
    assert p.js(kind, [0, 0, 1]) == "nan" and p.js(kind, [0, 0, 2]) == "nan" and p.js(kind, [0, 0, 3]) == "zero"
    assert p.js(kind, [0, 0, 0])[0] in "+-"
    # the heatmap: NaN and −∞ in the neutral grey, the exact zero white (row 0 = from-neuron 1)
    cells = p.js("""() => { const c = document.querySelector('.wfig canvas'), d = c.getContext('2d').getImageData(0, 0, 4, 1).data;
      return [0, 1, 2, 3].map(k => [d[k * 4], d[k * 4 + 1], d[k * 4 + 2]]); }""")
    assert cells[1] == cells[2] == [112, 118, 122]
    assert cells[3] == [255, 255, 255]
    # hover: the exact value in words
    p.page.focus(".wfig canvas >> nth=0")
    for _ in range(3):
        p.page.keyboard.press("ArrowRight")
    p.wait("() => document.getElementById('w-tip').textContent.startsWith('W[1→4] = 0 (pruned by L1)')")
    p.page.keyboard.press("ArrowLeft")
    p.wait("() => document.getElementById('w-tip').textContent.includes('not a finite number')")
    assert p.errors == []
