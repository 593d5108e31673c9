"""The transformed-space panel in headless Chromium: closed by default and then never asked for;
opened, it plots every data point (500 on the default circle) at two neurons' activations with
the plane's 26 grid lines mapped alongside, the server's numbers for the current weights; "next
pair" walks through the neuron pairs and layers; a network without hidden layers gets a note
instead; ?hide=transformed removes it."""

import numpy as np
import pytest

pytestmark = pytest.mark.browser

SETTLED = "() => { const s = window.playground.state; return !s.running && !s.inFlight && !s.busy; }"
# What the figure holds: [line segments, line samples, train markers, test markers]
FIGURE = """() => {
  const d = document.getElementById('transformed-plot').data || [];
  if (d.length !== 3) return null;
  const ys = d[0].y, segments = 1 + ys.filter(v => v === null).length;
  return [segments, ys.length - (segments - 1), d[1].x.length, d[2].x.length];
}"""
# The figure shows the newest snapshot's transformed space for the pair `sel`.
SHOWS = """(sel) => {
  const pg = window.playground, f = pg.frame, d = document.getElementById('transformed-plot').data;
  if (!f.transformed || f.seq.transformed !== pg.state.version || !d || d.length !== 3) return false;
  if (f.transformed.layer !== sel[0] || f.transformed.neurons.join() !== sel.slice(1).join()) return false;
  const p = f.transformed.points.data;
  return d[1].x[0] === p[0] && d[1].y[0] === p[1];
}"""


def label(p):
    return p.js("() => document.getElementById('tr-label').textContent")


def open_panel(p):
    p.page.click("#transformed-details > summary")
    p.page.locator("#transformed-plot").scroll_into_view_if_needed()
    p.wait("() => window.playground.state.visible.transformed === true")


def server_view(p, layer, a, b):
    sid = p.js("() => window.playground.sessionId")
    snap = p.api("GET", f"/api/sessions/{sid}?grid=0&weights=0&history=0&transformed={layer},{a},{b}")
    return snap["snapshot"]


def test_closed_by_default_and_not_requested(page):
    p = page.open()
    assert p.js("() => document.getElementById('transformed-details').open") is False
    assert p.page.locator("#transformed-plot").is_hidden()
    p.page.click("#btn-step")
    p.wait("() => window.playground.epoch === 1")
    p.wait(SETTLED)
    assert p.js("() => window.playground.frame.transformed === null")
    assert p.js("() => window.playground.state.visible.transformed") is False
    assert p.errors == []


def test_open_train_and_cycle_pairs(page, output_dir):
    p = page.open()
    open_panel(p)
    # default [4, 2]: starts on the last hidden layer, its only pair
    p.wait(SHOWS, [1, 0, 1])
    assert label(p) == "layer 2 (2 neurons) · neurons 1 and 2"
    p.page.keyboard.press("Space")
    p.wait("() => window.playground.running && window.playground.epoch >= 8")
    p.page.keyboard.press("Space")
    p.pause()
    p.wait(SHOWS, [1, 0, 1])
    # one marker per point (250 train + 250 test) and 26 lines of 60 samples
    assert p.js(FIGURE) == [26, 26 * 60, 250, 250]
    # the markers are the server's activations for the current weights, train then test
    snap = server_view(p, 1, 0, 1)
    assert snap["epoch"] == p.js("() => window.playground.epoch") >= 8
    from app.session.arrays import decode
    expected = decode(snap["transformed"]["points"])
    shown = np.array(p.js("""() => { const d = document.getElementById('transformed-plot').data;
        return [d[1].x.concat(d[2].x), d[1].y.concat(d[2].y)]; }""")).T
    np.testing.assert_allclose(shown, expected, rtol=0, atol=1e-6)
    assert np.abs(shown).max() < 1          # tanh: inside the (−1, 1) box
    # class colours from colors.js (orange 0, blue 1), one per point
    colours = p.js("() => document.getElementById('transformed-plot').data[1].marker.color")
    labels = p.js("() => window.playground.state.data.train.label")
    assert colours == [["rgb(245,147,34)", "rgb(8,119,189)"][int(v)] for v in labels]
    p.page.locator(".transformed-section").screenshot(path=str(output_dir / "transformed-panel.png"))
    # next pair: wraps round to the first layer's pairs (0,1), (0,2), ...
    p.page.click("#btn-tr-next")
    p.wait(SHOWS, [0, 0, 1])
    assert label(p) == "layer 1 (4 neurons) · neurons 1 and 2"
    p.page.click("#btn-tr-next")
    p.wait(SHOWS, [0, 0, 2])
    assert label(p) == "layer 1 (4 neurons) · neurons 1 and 3"
    assert p.js(FIGURE) == [26, 26 * 60, 250, 250]
    axis = p.js("() => document.getElementById('transformed-plot').layout.yaxis.title.text")
    assert axis == "layer 1 · neuron 3"
    # while running, a new pair reaches the plot too (Space would press the focused button)
    p.js("() => document.activeElement.blur()")
    p.page.keyboard.press("Space")
    p.wait("() => window.playground.running")
    p.page.click("#btn-tr-next")
    p.wait("""() => document.getElementById('transformed-plot').layout.yaxis.title.text
              === 'layer 1 · neuron 4' && window.playground.running""")
    assert label(p) == "layer 1 (4 neurons) · neurons 1 and 4"
    p.js("() => document.activeElement.blur()")
    p.page.keyboard.press("Space")   # a click on play would scroll the panel out of view
    p.wait(SETTLED)
    p.wait(SHOWS, [0, 0, 3])
    assert p.js(FIGURE) == [26, 26 * 60, 250, 250]
    assert p.errors == []


def test_no_hidden_layer_shows_a_note_and_a_new_layer_brings_the_plot_back(page):
    p = page.open("/#hidden_layers=")
    p.wait("() => window.playground.config.hidden_layers.length === 0")
    p.page.click("#transformed-details > summary")
    assert p.page.locator("#tr-note").is_visible()
    assert p.page.locator("#transformed-plot").is_hidden()
    assert p.page.locator("#btn-tr-next").is_disabled()
    p.page.click("#btn-step")
    p.wait("() => window.playground.epoch === 1")
    p.wait(SETTLED)
    assert p.js("() => window.playground.frame.transformed == null")
    p.page.click("#btn-add-layer")
    p.wait("() => window.playground.config.hidden_layers.length === 1")
    p.page.locator("#transformed-plot").scroll_into_view_if_needed()
    p.wait(SHOWS, [0, 0, 1])
    assert p.page.locator("#tr-note").is_hidden()
    assert p.js(FIGURE) == [26, 26 * 60, 250, 250]
    assert p.errors == []


def test_hide_transformed(page):
    p = page.open("/?hide=transformed")
    assert p.page.locator(".transformed-section").is_hidden()
    assert "transformed" in p.js("() => document.getElementById('hide-names').textContent").split(", ")
    assert p.errors == []


def test_regression_points_use_the_diverging_scale(page):
    p = page.open("/#dataset=plane")
    p.wait("() => window.playground.config.problem === 'regression'")
    open_panel(p)
    p.wait(SHOWS, [1, 0, 1])
    # plane: 1200 points, 600 train + 600 test
    assert p.js(FIGURE) == [26, 26 * 60, 600, 600]
    marker = p.js("() => document.getElementById('transformed-plot').data[1].marker")
    labels = p.js("() => window.playground.state.data.train.label")
    scale = max(abs(v) for v in labels)
    assert marker["color"] == labels and marker["cmin"] == -scale and marker["cmax"] == scale
    # the points' diverging scale: orange, a mid grey that shows on white, blue (colors.js POINT_DIVERGING)
    assert [c[1] for c in marker["colorscale"]] == ["rgb(245,147,34)", "rgb(120,128,134)", "rgb(8,119,189)"]
    assert p.errors == []
