"""The real datasets in headless Chromium: picking the digits from the Real data group, training
them with the gallery and the weight pictures following the network; the drawing pad (its
8 × 8 reduction equal to the engine's on what was drawn and on many other drawings, its
probabilities the server's, changing as the digit does), the gallery and the pad leading into
Inspect; and a table (iris) drawn on its principal plane. Screenshots go to test-output/."""

import json

import numpy as np
import pytest

from nn_core.digit_drawing import digit_from_drawing

pytestmark = pytest.mark.browser

SETTLED = "() => { const s = window.playground.state; return !s.running && !s.inFlight && !s.busy; }"
GALLERY = "window.playground.views.gallery.shown()"   # what the gallery shows, in order
# The weight pictures' pixels (RGBA), as a list.
PICTURES = """() => { const c = document.getElementById('wi-canvas');
  return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data); }"""
PAD = "window.playground.views.drawingpad"


def pick(p, name):
    p.page.click(f'.dataset-tile[data-name="{name}"]')
    p.wait(f"() => window.playground.config.dataset === '{name}'")
    p.wait(SETTLED)


def shown(p, selector):
    return p.js(f"() => document.querySelector('{selector}').checkVisibility()")


def stroke(p, points):
    """Draw one stroke on the pad through `points` (fractions of its width and height)."""
    box = p.page.locator("#draw-pad").bounding_box()
    at = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    p.page.mouse.move(*at[0])
    p.page.mouse.down()
    for x, y in at[1:]:
        p.page.mouse.move(x, y, steps=4)
    p.page.mouse.up()


def server_probabilities(p, digit):
    sid = p.js("() => window.playground.sessionId")
    return p.api("POST", f"/api/sessions/{sid}/predict", {"points": [digit]})["probabilities"][0]


def test_digits_train_with_the_gallery_and_the_weight_pictures_following(page, output_dir):
    p = page.open()
    assert p.js("() => [...document.querySelectorAll('.dataset-group-title')].map(t => t.textContent)")[-1] \
        == "Real data"
    pick(p, "digits")
    config = p.js("() => window.playground.config")
    assert config["features"] is None and config["hidden_layers"] == [32]
    # the plane's views make way for the digits' own
    assert not shown(p, ".boundary-wrap") and not shown(p, "#h-features")
    assert shown(p, "#digit-gallery") and shown(p, "#drawing-pad") and shown(p, "#weight-images")
    # the diagram draws the 64 inputs as the 8 × 8 image
    inputs = p.js("""() => [...document.querySelectorAll('#net-nodes .neuron.input')].map(n => {
        const r = n.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.top)]; })""")
    assert len(inputs) == 64 and len({x for x, _ in inputs}) == 8 and len({y for _, y in inputs}) == 8
    p.wait(f"() => {GALLERY}.length >= 16 && {GALLERY}.every(c => c.label !== '…')")
    before, pictures = p.js(f"() => {GALLERY}"), p.js(PICTURES)
    test_labels = p.js("() => window.playground.state.data.test.label")
    sid = p.js("() => window.playground.sessionId")
    snap = p.api("GET", f"/api/sessions/{sid}?grid=0&predictions=1&history=0")["snapshot"]
    for cell in before:   # the labels are the server's predictions; wrong ones outlined
        assert cell["label"] == str(snap["predictions"]["test"][cell["index"]])
        assert cell["wrong"] == (cell["label"] != str(test_labels[cell["index"]]))
    p.play()
    p.wait("() => window.playground.epoch >= 5")
    p.pause()
    p.wait(f"() => {GALLERY}.every(c => c.label !== '…') && !document.getElementById('digit-gallery').classList.contains('is-stale')")
    after = p.js(f"() => {GALLERY}")
    snap = p.api("GET", f"/api/sessions/{sid}?grid=0&predictions=1&history=0")["snapshot"]
    assert [c["label"] for c in after] == [str(snap["predictions"]["test"][c["index"]]) for c in after]
    assert [c["label"] for c in after] != [c["label"] for c in before]   # trained: it reads them better
    right = sum(c["label"] == str(test_labels[c["index"]]) for c in after)
    assert right >= 0.8 * len(after)
    assert p.js(PICTURES) != pictures
    text = p.js("() => document.getElementById('gallery-summary').textContent")
    wrong = sum(np.array(snap["predictions"]["test"]) != np.array(test_labels))
    assert text == f"{len(test_labels) - wrong} of {len(test_labels)} right · {wrong} wrong"
    # only the wrong ones
    p.page.check("#gallery-wrong")
    p.wait(f"() => {GALLERY}.every(c => c.wrong)")
    assert len(p.js(f"() => {GALLERY}")) == min(wrong, len(after))
    p.page.screenshot(path=str(output_dir / "realdata-digits.png"), full_page=True)
    assert p.errors == []


def test_drawing_a_digit_changes_the_probabilities_and_inspect_follows_it(page, output_dir):
    p = page.open("/#dataset=digits")
    p.page.keyboard.press("Space")
    p.wait("() => window.playground.epoch >= 10")
    p.pause()
    p.page.locator("#drawing-pad").scroll_into_view_if_needed()
    stroke(p, [(0.5, 0.15), (0.52, 0.85)])                      # a "1"
    p.wait(f"() => {PAD}.probabilities() !== null")
    p.wait(SETTLED)
    first, digit = p.js(f"() => {PAD}.probabilities()"), p.js(f"() => {PAD}.digit()")
    # the page's 8 × 8 reduction is the engine's, on exactly what was drawn
    side = p.js(f"() => {PAD}.side")
    ink = np.array(p.js(f"() => {PAD}.ink()")).reshape(side, side)
    assert digit == digit_from_drawing(ink).tolist()
    assert first == server_probabilities(p, digit)
    stroke(p, [(0.3, 0.2), (0.7, 0.2), (0.4, 0.85)])            # ... now a "7" over it
    p.wait(f"(old) => JSON.stringify({PAD}.probabilities()) !== JSON.stringify(old)", first)
    p.wait(SETTLED)
    second, digit = p.js(f"() => {PAD}.probabilities()"), p.js(f"() => {PAD}.digit()")
    ink = np.array(p.js(f"() => {PAD}.ink()")).reshape(side, side)
    assert digit == digit_from_drawing(ink).tolist()
    p.wait(f"(d) => JSON.stringify({PAD}.probabilities()) === JSON.stringify(d)",
           server_probabilities(p, digit))
    assert second != first and abs(sum(second) - 1) < 1e-9
    bars = p.js("() => [...document.querySelectorAll('#draw-probs .dp-value')].map(v => v.textContent)")
    assert bars == [f"{v:.3f}" for v in p.js(f"() => {PAD}.probabilities()")]
    # Inspect follows the drawing: the trace is of these 64 values
    p.page.click("#draw-inspect")
    p.wait("() => document.getElementById('inspect').classList.contains('on') && !document.getElementById('inspect').classList.contains('loading') && !!document.querySelector('#inspect-panel .eq')")
    assert p.js("() => document.getElementById('inspect-summary').textContent").startswith("Your drawing")
    p.page.locator("#drawing-pad").scroll_into_view_if_needed()
    p.page.select_option("#draw-label", "7")                    # "it is a 7": the loss's label
    stroke(p, [(0.2, 0.5), (0.8, 0.5)])                         # another stroke: Inspect follows
    sid, digit = p.js("() => window.playground.sessionId"), p.js(f"() => {PAD}.digit()")
    expected = p.api("POST", f"/api/sessions/{sid}/trace", {"x": digit, "label": 7})
    text = p.js("async (v) => (await import('/static/js/inspect/numbers.js')).sig(v)", expected["loss"])
    p.wait("(t) => document.querySelector('#inspect-summary [data-q=loss]')?.textContent === t", text)
    assert "class 7" in p.js("() => document.getElementById('inspect-summary').textContent")
    # clearing empties the pad and the bars
    p.page.click("#draw-clear")
    assert p.js(f"() => {PAD}.digit()") is None
    p.page.screenshot(path=str(output_dir / "realdata-drawing.png"), full_page=True)
    assert p.errors == []


def test_the_pages_reduction_equals_the_engines_on_many_drawings(page):
    p = page.open()
    rng = np.random.default_rng(21)
    cases = []
    for k in range(60):
        h, w = (int(v) for v in rng.integers(1, 90, 2))
        ink = np.zeros((h, w))
        for _ in range(int(rng.integers(0, 5))):   # round blobs with soft, antialiased edges
            r0, c0, radius = rng.integers(0, h), rng.integers(0, w), rng.uniform(0.5, 12)
            rr, cc = np.mgrid[0:h, 0:w]
            ink = np.maximum(ink, np.clip(radius - np.hypot(rr - r0, cc - c0) + 0.5, 0, 1))
        if k % 6 == 0:
            ink = rng.integers(0, 256, (h, w)).astype(float)   # noise
        ink = np.round(ink * 255) / 255 if k % 6 else ink / 255
        cases.append({"h": h, "w": w, "ink": ink.ravel().tolist()})
    got = p.js("""async (cases) => {
        const { digitFromDrawing } = await import('/static/js/digits/reduce.js');
        return cases.map(c => digitFromDrawing(c.ink, c.h, c.w)); }""", cases)
    for case, digit in zip(cases, got):
        ink = np.array(case["ink"]).reshape(case["h"], case["w"])
        assert digit == digit_from_drawing(ink).tolist(), json.dumps(case)[:200]


def test_a_click_in_the_gallery_inspects_that_test_digit(page):
    p = page.open("/#dataset=digits")
    p.wait(f"() => {GALLERY}.length >= 8 && {GALLERY}[0].label !== '…'")
    third = p.js(f"() => {GALLERY}")[2]["index"]
    p.page.locator("#gallery .gallery-cell").nth(2).click()
    p.wait("() => document.getElementById('inspect').classList.contains('on') && !!document.querySelector('#inspect-panel .eq')")
    assert p.js("() => document.getElementById('inspect-set').value") == "test"
    assert p.js("() => document.getElementById('inspect-index').value") == str(third)
    assert p.js("() => document.getElementById('inspect-summary').textContent").startswith(f"Test point {third}")
    assert p.errors == []


def test_iris_is_drawn_on_its_principal_plane(page, output_dir):
    p = page.open()
    pick(p, "iris")
    assert shown(p, "#pca") and not shown(p, ".boundary-wrap") and not shown(p, "#digit-gallery")
    p.wait("() => { const f = window.playground.frame.grid; return f && f.output && f.output.shape[2] === 3; }")
    data = p.js("() => window.playground.state.data")
    plane = data["plane"]
    sid = p.js("() => window.playground.sessionId")
    rows = p.api("GET", f"/api/sessions/{sid}/data")["data"]["train"]
    # each point is drawn where it projects onto the plane
    X = np.array(rows)[:, :-1]
    u = (X - plane["mean"]) @ np.array(plane["components"]).T
    np.testing.assert_allclose(data["train"]["x"], u[:, 0], atol=1e-12)
    np.testing.assert_allclose(data["train"]["y"], u[:, 1], atol=1e-12)
    # the plot: the output over the plane's own square, the 75 + 75 points, a note that it is a slice
    traces = p.js("() => document.getElementById('pca-plot').data.map(t => t.x.length)")
    assert traces == [75, 75]
    assert p.js("() => document.getElementById('pca-plot').layout.xaxis.range") == plane["bounds"][:2]
    note = p.js("() => document.getElementById('pca-note').textContent")
    assert note.startswith("A slice") and "73.0 %" in note
    painted = p.js("""() => { const c = document.querySelector('#pca .boundary-canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        return new Set(Array.from({length: d.length / 4}, (_, i) => d[4 * i] * 65536 + d[4 * i + 1] * 256 + d[4 * i + 2])).size; }""")
    assert painted > 20   # three classes' shades, not a blank canvas
    legend = p.js("() => [...document.querySelectorAll('#pca-legend .class-swatch')].map(s => s.textContent)")
    assert legend == ["setosa", "versicolor", "virginica"]
    p.page.screenshot(path=str(output_dir / "realdata-iris.png"), full_page=True)
    # back to a plane set: the plane's views again
    pick(p, "circle")
    assert shown(p, ".boundary-wrap") and not shown(p, "#pca")
    assert p.js("() => window.playground.config.features") == ["x1", "x2"]
    assert p.errors == []


def test_compare_races_two_runs_on_a_table(page):
    p = page.open("/#dataset=wine&compare=optimizer&compare.values=sgd,adam")
    runs = "window.playground.state.compare.runs"
    p.wait(f"() => window.playground.state.compare && {runs}.length === 2 && {runs}.every(r => r.grid)", timeout=60_000)
    p.page.select_option("#speed", "5")
    p.page.click("#btn-play")
    p.wait("() => window.playground.state.compare.epoch >= 10", timeout=60_000)
    p.page.click("#btn-play")
    p.wait(SETTLED)
    # each card: the run's output on the wine's principal plane, three classes
    assert p.js(f"() => {runs}.map(r => r.grid.shape[2])") == [3, 3]
    plane = p.js("() => window.playground.state.data.plane.bounds")
    assert p.js(f"() => {runs}[0].bounds") == plane
    summary = p.js("() => document.getElementById('cmp-summary').textContent")
    assert "wine, network 13–8–out" in summary
    p.wait("() => document.getElementById('cmp-land-note').textContent.startsWith('Training data loss')",
           timeout=60_000)
    assert p.errors == []
