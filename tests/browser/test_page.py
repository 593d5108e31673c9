"""The playground page in headless Chromium: it loads cleanly, trains live, pauses, rebuilds,
draws multi-class and regression maps, reports divergence, and restores shared links exactly."""

import base64
import json
import struct

import pytest

from .conftest import SETTLED

pytestmark = pytest.mark.browser

# Colours the page must use (static/js/colors.js): the diverging scale and the class colours.
# The boundary's background goes only half way from grey to a colour (PALE), so points show on it.
ORANGE, GREY, BLUE = (245, 147, 34), (232, 234, 235), (8, 119, 189)
PALE = 0.5


def pale(colour):
    return tuple(g + (c - g) * PALE for g, c in zip(GREY, colour))

CANVAS_PIXELS = """() => {
  const c = document.querySelector('.boundary-canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const out = [];
  for (let i = 0; i < d.length; i += 4 * 7) out.push([d[i], d[i + 1], d[i + 2]]);
  return out;
}"""

DISTINCT_CLASSES = """() => {
  const o = window.playground.frame.grid.output; const k = o.shape[2]; const seen = new Set();
  for (let i = 0; i < o.data.length; i += k) {
    let best = 0; for (let j = 1; j < k; j++) if (o.data[i + j] > o.data[i + best]) best = j;
    seen.add(best);
  }
  return seen.size;
}"""


def epoch(p):
    return p.js("() => window.playground.epoch")


def test_page_loads_cleanly_and_controls_match_options(page):
    p = page.open()
    options = p.api("GET", "/api/options")
    # plots render: boundary canvas painted, Plotly figures drawn, network links and neurons present
    p.wait("() => document.querySelector('#boundary .main-svg') && document.querySelector('#curves-plot .main-svg')")
    assert p.js("() => document.querySelector('.boundary-canvas').width") == 100
    assert p.js("() => document.getElementById('network').dataset.links") == str(2 * 4 + 4 * 2 + 2 * 1)
    # every feature is in the input column (two of them on), then 4, 2 and the output
    n_features = len(options["features"])
    assert p.js("() => document.querySelectorAll('#net-nodes .neuron').length") == n_features + 4 + 2 + 1
    assert p.js("() => document.querySelectorAll('#net-nodes .neuron.input:not(.off)').length") == 2
    # controls come from /api/options
    tiles = p.js("() => [...document.querySelectorAll('.dataset-tile')].filter(t => !t.hidden).map(t => t.dataset.name)")
    assert sorted(tiles) == sorted(d["name"] for d in options["datasets"] if d["problem"])
    feats = p.js("() => [...document.querySelectorAll('.feature-tile')].map(t => t.dataset.name)")
    assert feats == [f["name"] for f in options["features"]]
    acts = p.js("() => [...document.querySelectorAll('select[name=activation] option')].map(o => o.value)")
    assert acts == [a["name"] for a in options["activations"] if a.get("hidden", True)]
    opts = p.js("() => [...document.querySelectorAll('select[name=optimizer] option')].map(o => o.value)")
    assert opts == [o["name"] for o in options["optimizers"]]
    regs = p.js("() => [...document.querySelectorAll('select[name=regularization] option')].map(o => o.value)")
    assert regs == [r["name"] for r in options["regularizations"]]
    assert p.js("() => document.getElementById('epoch').textContent") == "000,000"
    assert p.js("() => window.playground.config") == options["defaults"]
    assert p.errors == []


def test_play_trains_circle_and_pause_stops(page):
    p = page.open()
    p.page.keyboard.press("Space")  # Space toggles play
    p.wait("() => window.playground.running && window.playground.epoch >= 3")
    # circle, default network: the test loss falls below 0.2 within 30 s of wall time
    p.wait("() => (window.playground.metrics.test_loss ?? 9) < 0.2", timeout=30_000)
    assert p.js("() => document.getElementById('epoch').textContent") != "000,000"
    p.page.keyboard.press("Space")
    p.pause()
    stopped = epoch(p)
    # 30 more animation frames later nothing has moved, here or on the server
    p.js("() => { window.__frames = 0; const f = () => { window.__frames++; if (window.__frames < 30) requestAnimationFrame(f); }; requestAnimationFrame(f); }")
    p.wait("() => window.__frames >= 30")
    assert epoch(p) == stopped
    sid = p.js("() => window.playground.sessionId")
    assert p.api("GET", f"/api/sessions/{sid}?grid=0&history=0&weights=0")["snapshot"]["epoch"] == stopped
    # two steps in flight while playing, answers held for the next frame or dropped when older:
    # the page still has every epoch's row, the server's own numbers
    server = p.api("GET", f"/api/sessions/{sid}?grid=0&weights=0")["snapshot"]["history"]
    shown = p.js("() => window.playground.state.history.cols")
    assert shown["epoch"] == server["epoch"] == list(range(stopped + 1))
    assert shown["train_loss"] == server["train_loss"] and shown["test_accuracy"] == server["test_accuracy"]
    assert p.errors == []


def test_learning_rate_change_mid_run_keeps_epochs(page):
    p = page.open()
    p.play()
    p.wait("() => window.playground.epoch >= 10")
    p.page.select_option("select[name=learning_rate]", "0.1")
    p.wait("() => window.playground.config.learning_rate === 0.1")
    # training was not interrupted: still running, epochs kept counting from where they were
    assert p.js("() => window.playground.running")
    assert epoch(p) >= 10
    p.wait("() => window.playground.epoch >= 20")
    assert "training continues" in p.js("() => document.getElementById('toast').textContent")
    assert p.js("() => document.getElementById('toast').dataset.epoch") == "kept"
    p.pause()
    assert p.errors == []


def test_adding_a_layer_rebuilds_and_the_diagram_shows_it(page):
    p = page.open()
    p.page.click("#btn-add-layer")
    p.wait("() => window.playground.config.hidden_layers.length === 3")
    assert p.js("() => window.playground.config.hidden_layers") == [4, 2, 2]
    p.wait("() => document.querySelectorAll('#net-nodes .neuron.hidden').length === 4 + 2 + 2")
    assert p.js("() => document.getElementById('network').dataset.links") == str(8 + 8 + 4 + 2)
    assert "training restarts at epoch 0" in p.js("() => document.getElementById('toast').textContent")
    # and a neuron can be added to the new layer with its +
    p.page.click("[aria-label='Add a neuron to layer 3']")
    p.wait("() => window.playground.config.hidden_layers[2] === 3")
    p.wait("() => document.querySelectorAll('#net-nodes .neuron.hidden').length === 9")
    assert p.errors == []


def test_three_class_spiral_shows_three_colours(page):
    p = page.open()
    p.page.click(".dataset-tile[data-name=spiral_k]")
    p.wait("() => window.playground.config.dataset === 'spiral_k'")
    assert p.js("() => window.playground.config.problem") == "multiclass"
    assert p.js("() => window.playground.config.n_classes") == 3
    # Exactly 20 epochs (same seed, same run at any machine speed): the network then predicts
    # all three classes somewhere on the plane.
    p.page.fill("#stop-at", "20")
    p.page.press("#stop-at", "Enter")
    p.page.select_option("#speed", "5")
    p.play()
    p.wait("() => window.playground.epoch === 20 && !window.playground.running", timeout=60_000)
    p.pause()
    p.wait("() => !window.playground.state.dirty")
    assert p.js(DISTINCT_CLASSES) == 3
    # the painted pixels show three hues: nearest (pale) class colour, ignoring near-grey pixels
    classes = [pale(c) for c in [(245, 147, 34), (8, 119, 189), (46, 160, 67)]]
    seen = set()
    for px in p.js(CANVAS_PIXELS):
        if sum(abs(a - b) for a, b in zip(px, GREY)) < 30:
            continue
        seen.add(min(range(3), key=lambda k: sum((a - b) ** 2 for a, b in zip(px, classes[k]))))
    assert seen == {0, 1, 2}
    assert p.js("() => document.querySelectorAll('#legend .class-swatch').length") == 3
    assert p.errors == []


def test_regression_plane_uses_the_diverging_scale(page):
    p = page.open()
    p.page.click(".dataset-tile[data-name=plane]")
    p.wait("() => window.playground.config.problem === 'regression'")
    p.page.select_option("#speed", "5")
    p.play()
    p.wait("() => (window.playground.metrics.test_loss ?? 9) < 0.02", timeout=30_000)
    p.pause()
    pixels = p.js(CANVAS_PIXELS)

    def on_scale(px):
        """(side, t) if the pixel lies on grey→pale orange or grey→pale blue (t in 0..1), else None."""
        for side, end in (("orange", pale(ORANGE)), ("blue", pale(BLUE))):
            t = max(range(256), key=lambda i: -sum((g + (e - g) * i / 255 - c) ** 2 for g, e, c in zip(GREY, end, px)))
            if sum(abs(g + (e - g) * t / 255 - c) for g, e, c in zip(GREY, end, px)) <= 6:
                return side, t / 255
        return None

    placed = [on_scale(px) for px in pixels[::3]]
    assert all(placed)  # every pixel is a colour of the diverging scale
    # a fitted plane spans the scale: strongly orange on one side, strongly blue on the other
    assert max(t for side, t in placed if side == "orange") > 0.5
    assert max(t for side, t in placed if side == "blue") > 0.5
    assert "Prediction" in p.js("() => document.getElementById('legend').textContent")
    assert p.errors == []


def test_divergence_is_explained_and_reset_recovers(page):
    p = page.open("/#dataset=plane&problem=regression&loss=mse&output_activation=linear"
                  "&hidden_layers=8,8,8,8&activation=sigmoid&learning_rate=10"
                  "&optimizer=momentum&optimizer_params.momentum=0.99&view.speed=25")
    assert p.js("() => window.playground.config.learning_rate") == 10
    p.play()
    p.wait("() => !document.getElementById('diverged').hidden", timeout=30_000)
    reason = p.js("() => document.getElementById('diverged-reason').textContent")
    assert "learning rate" in reason
    assert not p.js("() => window.playground.running")  # the loop stopped by itself
    p.page.click("#btn-diverged-reset")
    p.wait("() => window.playground.status.status === 'ok' && window.playground.epoch === 0")
    assert p.js("() => document.getElementById('diverged').hidden")
    assert p.js("() => document.getElementById('st-train').textContent") != "–"
    assert p.errors == []


def test_shared_url_restores_config_and_initial_weights(page, browser):
    p = page.open("/#dataset=xor&hidden_layers=3,5&seed=7&data_seed=4&learning_rate=0.1&init=he_normal&noise=0.1")
    cfg = p.js("() => window.playground.config")
    assert (cfg["dataset"], cfg["hidden_layers"], cfg["seed"], cfg["data_seed"]) == ("xor", [3, 5], 7, 4)
    p.page.click("#btn-link")  # copies the link (and writes it into the address bar)
    url = p.page.url
    sid = p.js("() => window.playground.sessionId")
    first = p.api("GET", f"/api/sessions/{sid}?grid=0&history=0&data=1")

    other = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        q = other.new_page()
        q.goto(url)
        q.wait_for_function("() => window.playground && window.playground.ready")
        sid2 = q.evaluate("() => window.playground.sessionId")
        assert sid2 != sid
        assert q.evaluate("() => window.playground.config") == cfg
        second = p.api("GET", f"/api/sessions/{sid2}?grid=0&history=0&data=1")
    finally:
        other.close()
    assert second["config"] == first["config"]
    assert second["data"] == first["data"]  # same points
    w1 = [(w["W"]["data"], w["b"]["data"]) for w in first["snapshot"]["weights"]]
    w2 = [(w["W"]["data"], w["b"]["data"]) for w in second["snapshot"]["weights"]]
    assert w1 == w2  # same initial weights, bit for bit
    assert p.errors == []


def test_hide_parameter_hides_controls(page):
    p = page.open("/?hide=noise,learning_rate,weights_panel")
    assert p.js("() => document.querySelector('[data-control=noise]').hidden")
    assert p.js("() => document.querySelector('.hyperbar [data-control=learning_rate]').hidden")
    assert p.js("() => document.querySelector('[data-control=weights_panel]').hidden")
    assert not p.js("() => document.querySelector('[data-control=train_ratio]').hidden")
    assert p.errors == []


def test_api_errors_are_shown_next_to_the_control(page):
    p = page.open()
    p.page.fill("input[name=batch_size]", "100000")
    p.page.press("input[name=batch_size]", "Enter")
    p.wait("() => document.querySelector('[data-control=batch_size] .field-error').textContent.length > 0")
    text = p.js("() => document.querySelector('[data-control=batch_size] .field-error').textContent")
    assert "batch_size" in text or "batch" in text.lower()
    # the control shows the server's value again, and the page still works
    assert p.js("() => window.playground.config.batch_size") == 10
    assert p.js("() => document.querySelector('input[name=batch_size]').value") == "10"


def test_screenshot_of_the_trained_default_config(browser, server, output_dir):
    context = browser.new_context(viewport={"width": 1440, "height": 1700})
    try:
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(server + "/")
        page.wait_for_function("() => window.playground && window.playground.ready")
        page.select_option("#speed", "5")
        page.click("#btn-play")
        page.wait_for_function("() => (window.playground.metrics.test_loss ?? 9) < 0.1", timeout=30_000)
        page.click("#btn-play")
        page.wait_for_function("() => { const s = window.playground.state; return !s.running && !s.inFlight && !s.dirty; }")
        path = output_dir / "playground-trained.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 50_000
        assert errors == []
    finally:
        context.close()


def test_step_button_trains_exactly_one_epoch(page):
    p = page.open()
    p.page.click("#btn-step")
    p.wait("() => window.playground.epoch === 1")
    p.page.click("#btn-step")
    p.wait("() => window.playground.epoch === 2")
    # the counter is drawn at the next animation frame
    p.wait("() => document.getElementById('epoch').textContent === '000,002'")
    assert not p.js("() => window.playground.running")
    assert p.errors == []


def test_step_finishes_its_epoch_when_the_server_answers_early(page):
    """A busy server answers a step when its time is up, mid-epoch: Step asks again until the
    epoch is done. The first step request is rewritten to 3 minibatches (what a server that ran
    out of time sends back: done.epochs 0, stopped early)."""
    p = page.open()
    sent = []

    def cut_short(route):
        body = json.loads(route.request.post_data)
        sent.append(body)
        if len(sent) == 1:
            body.pop("epochs")
            body["batches"] = 3
        route.continue_(post_data=json.dumps(body))

    p.page.route("**/api/sessions/*/step", cut_short)
    p.page.click("#btn-step")
    p.wait(SETTLED)
    assert p.js("() => window.playground.epoch") == 1
    assert len(sent) == 2 and sent[1]["epochs"] == 1       # asked once more, for the same epoch
    steps = p.js("() => window.playground.state.steps")
    assert steps == 25                                      # 250 training points, batch 10: one epoch
    assert p.errors == []


def test_csv_upload_reports_bad_rows_then_loads_points(page, tmp_path):
    p = page.open()
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,0\n-1,-2,1\n99,0,1\n")
    p.page.set_input_files("#csv-file", str(bad))
    # the message names the bad row and why (the server counts CSV lines: "line 4")
    p.wait("() => /(row|line) [34]\\b.*99/.test(document.getElementById('data-error').textContent)")
    good = tmp_path / "good.csv"
    good.write_text("x1,x2,label\n" + "".join(f"{i % 5 - 2},{i % 3 - 1},{i % 2}\n" for i in range(20)))
    p.page.set_input_files("#csv-file", str(good))
    p.wait("() => window.playground.config.dataset === 'custom'")
    n = p.js("() => window.playground.state.data.train.x.length + window.playground.state.data.test.x.length")
    assert n == 20


def test_link_hover_is_live_and_click_edits_the_weight(page):
    p = page.open()
    # a point on the link's curve from input 2 (x2) to neuron 3 of layer 1: its midpoint
    mid = p.js("() => window.playground.views.network.linkMidpoint(0, 1, 2)")
    assert mid
    p.page.mouse.move(*mid)
    p.wait("() => !document.getElementById('net-tip').hidden")
    first = p.js("() => document.getElementById('net-tip').textContent")
    assert "weight" in first and "gradient" in first
    # the tooltip follows the training while the mouse stays on the link
    p.js("() => document.getElementById('btn-step').click()")
    p.wait("(t) => document.getElementById('net-tip').textContent !== t", arg=first)
    p.page.mouse.click(*mid)
    p.wait("() => !document.getElementById('weight-editor').hidden")
    p.page.fill("#weight-input", "1.25")
    p.page.press("#weight-input", "Enter")
    p.wait("() => document.getElementById('weight-editor').hidden")
    sid = p.js("() => window.playground.sessionId")
    p.wait("() => { const w = window.playground.frame.weights[0].W; return Math.abs(w.data[1 * w.shape[1] + 2] - 1.25) < 1e-6; }")
    snap = p.api("GET", f"/api/sessions/{sid}?grid=0&history=0")["snapshot"]
    w = snap["weights"][0]["W"]
    values = struct.unpack(f"<{w['shape'][0] * w['shape'][1]}f", base64.b64decode(w["data"]))
    assert values[1 * w["shape"][1] + 2] == 1.25
    assert p.errors == []


def test_hovering_a_neuron_shows_its_map_in_the_output(page):
    p = page.open()
    p.page.hover("#net-nodes .neuron.hidden >> nth=1")
    p.wait("() => document.getElementById('legend').textContent.includes('layer 1 neuron 2')")
    p.page.mouse.move(5, 5)
    p.wait("() => !document.getElementById('legend').textContent.includes('neuron')")
    assert p.errors == []


def test_clicking_the_plot_adds_and_removes_points(page):
    p = page.open()
    before = p.js("() => window.playground.state.data.train.x.length")
    p.page.select_option("#draw-mode", "1")
    box = p.page.locator("#boundary .nsewdrag").bounding_box()
    # the plot centre is (0, 0); click a little right of it
    p.page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    p.wait("(n) => window.playground.state.data.train.x.length === n + 1", arg=before)
    assert p.js("() => window.playground.config.dataset") == "custom"
    p.page.select_option("#draw-mode", "remove")
    p.page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    p.wait("(n) => window.playground.state.data.train.x.length === n", arg=before)
    assert p.errors == []


def test_model_import_restores_an_exported_session(page, tmp_path):
    p = page.open()
    for _ in range(3):
        p.page.click("#btn-step")
    p.wait("() => window.playground.epoch === 3")
    sid = p.js("() => window.playground.sessionId")
    model = tmp_path / "model.json"
    model.write_text(json.dumps(p.api("GET", f"/api/sessions/{sid}/model")))
    p.page.click("#btn-reset")
    p.wait("() => window.playground.epoch === 0")
    p.page.set_input_files("#model-file", str(model))
    p.wait("(old) => window.playground.sessionId !== old && window.playground.epoch === 3", arg=sid)
    assert p.js("() => window.playground.state.history.length") == 4  # epochs 0..3
    assert p.errors == []


def test_stop_at_epoch_pauses_exactly_there(page):
    p = page.open("/#view.speed=5")
    p.page.fill("#stop-at", "12")
    p.page.press("#stop-at", "Enter")
    p.page.click("#btn-play")
    p.wait("() => window.playground.epoch === 12 && !window.playground.running", timeout=20_000)
    p.pause()
    assert epoch(p) == 12
    assert "view.stop=12" in p.page.url
    assert p.errors == []


def test_turbo_trains_many_epochs_per_frame_and_pauses_cleanly(page):
    p = page.open("/#view.speed=max")
    assert p.js("() => document.getElementById('speed').value") == "max"
    p.play()
    r0 = p.js("() => window.playground.redraws")
    # hundreds of epochs, while the page keeps drawing fresh snapshots
    p.wait("(r0) => window.playground.epoch >= 300 && window.playground.redraws >= r0 + 5", arg=r0, timeout=20_000)
    p.page.keyboard.press("Space")
    p.pause()  # the worker's chain stops: nothing left in flight
    stopped = epoch(p)
    sid = p.js("() => window.playground.sessionId")
    assert p.api("GET", f"/api/sessions/{sid}?grid=0&history=0&weights=0")["snapshot"]["epoch"] == stopped
    assert p.js("() => window.playground.state.history.length") == stopped + 1  # every epoch's history arrived
    assert p.errors == []


def test_weights_heatmap_is_keyboard_editable(page):
    p = page.open("/#view.level=advanced")   # the heatmaps are an Advanced view
    p.page.locator("#weights").scroll_into_view_if_needed()   # drawn once on screen
    p.wait("() => document.querySelectorAll('.wfig canvas').length === 3")
    p.page.focus(".wfig canvas >> nth=0")  # inputs → layer 1: 2 × 4
    p.page.keyboard.press("ArrowRight")  # W[0→1]
    p.page.keyboard.press("ArrowDown")   # W[1→1]
    p.wait("() => !document.getElementById('w-tip').hidden && document.getElementById('w-tip').textContent.startsWith('W[2→2]')")
    p.page.keyboard.press("Enter")
    p.wait("() => !document.getElementById('weight-editor').hidden")
    p.page.keyboard.type("-0.75")
    p.page.keyboard.press("Enter")
    p.wait("() => { const w = window.playground.frame.weights[0].W; return Math.abs(w.data[1 * w.shape[1] + 1] + 0.75) < 1e-6; }")
    # focus returns to the heatmap
    assert p.js("() => document.activeElement === document.querySelectorAll('.wfig canvas')[0]")
    assert p.errors == []
