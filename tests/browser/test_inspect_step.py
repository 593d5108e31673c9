"""Inspect's real step in headless Chromium: the next minibatch (its points on the plot, the
Optimizer stage with the optimizer's own numbers, Apply moving the epoch counter and the curves,
Step one minibatch), the loss along one weight (its tangent is the backward stage's gradient;
dragging its marker edits the weight), the convention switch and all digits, and a click on an
empty spot of the plot inspecting that very point. Every number is checked against the server's
own answer for the same request."""

import math

import pytest

from .test_inspect import SHOWN, close, panel

pytestmark = pytest.mark.browser

SLICE_SHOWN = """() => { const s = document.getElementById('inspect-slice');
  return s && !s.hidden && !s.classList.contains('loading') && !!document.querySelector('#slice-plot .main-svg')
    && document.querySelector('.slice-readout').textContent.startsWith('w = '); }"""
PANEL_TEXT = "() => document.getElementById('inspect-panel').textContent"


def sid(p):
    return p.js("() => window.playground.sessionId")


def stand_still(p):
    """Wait until the page has not scrolled for a few frames (Inspect scrolls smoothly to its
    panel; a position read meanwhile is stale by the time the mouse gets there)."""
    p.js("""() => new Promise((done) => { let last = -1, still = 0;
      const look = () => { still = window.scrollY === last ? still + 1 : 0; last = window.scrollY;
        if (still >= 5) done(); else requestAnimationFrame(look); }; look(); })""")


def inspect(p, mode="point"):
    p.page.click("#btn-inspect")
    p.wait(SHOWN)
    stand_still(p)
    if mode == "batch":
        p.page.click("#inspect-mode-batch")
        p.wait("() => document.getElementById('inspect').dataset.mode === 'batch'")
        p.wait(SHOWN)
        p.wait("() => document.getElementById('inspect-summary').textContent.startsWith('Next minibatch')")


def link_middle(p, layer, i, j):
    a = p.page.locator(f'#net-nodes .neuron[data-col="{layer}"][data-idx="{i}"]').bounding_box()
    b = p.page.locator(f'#net-nodes .neuron[data-col="{layer + 1}"][data-idx="{j}"]').bounding_box()
    return (a["x"] + a["width"] + b["x"]) / 2, (a["y"] + a["height"] / 2 + b["y"] + b["height"] / 2) / 2


def focus_link(p, layer, i, j, click=False):
    """Hover the link from neuron i of column `layer` to neuron j of the next; `click`: click it
    too (keeping it in the panel, or letting it go when it was kept)."""
    p.page.locator(f'#net-nodes .neuron[data-col="{layer}"][data-idx="{i}"]').scroll_into_view_if_needed()
    x, y = link_middle(p, layer, i, j)
    p.page.mouse.move(x - 6, y)
    p.page.mouse.move(x, y)
    key = f"link:{layer}:{i}:{j}"

    p.wait(f"() => document.getElementById('inspect-panel').dataset.focus === '{key}'")
    if click:
        p.page.mouse.click(x, y)
        p.page.mouse.move(2, 2)


def test_batch_mode_the_optimizer_stage_and_apply(page, output_dir):
    # 250 training points in minibatches of 100: the third (of 50) ends the epoch.
    p = page.open("/#optimizer=adam&batch_size=100&learning_rate=0.1")
    inspect(p, "batch")
    shown = p.api("POST", f"/api/sessions/{sid(p)}/trace", {"batch": "next"})
    assert shown["batch"]["size"] == 100 and shown["batch"]["start"] == 0
    # the minibatch on the plot (a ring each) and in the list, each point with its loss
    assert p.js("() => document.querySelectorAll('.inspect-batch-marks circle').length") == 100
    chips = p.js("() => [...document.querySelectorAll('.inspect-batch-points .batch-point')].map(b => b.title)")
    assert chips == [f"training point {q['index']}: loss {q['loss']}" for q in shown["batch"]["points"]]
    assert p.js("() => document.getElementById('inspect-summary').textContent").startswith(
        "Next minibatch: 100 training points, rows 1–100 of 250")
    # ② Loss: the minibatch's mean loss
    p.page.locator('#inspect [data-stage="1"]').click()
    p.wait("() => document.getElementById('inspect').dataset.stage === 'loss'")
    assert panel(p, "batch-loss")[1] == shown["loss"]
    # another point of the minibatch: its forward pass
    p.page.locator('.inspect-batch-points .batch-point[data-k="3"]').click()
    p.wait("() => document.querySelector('.batch-point.shown')?.dataset.k === '3'")
    p.wait(SHOWN)
    other = p.api("POST", f"/api/sessions/{sid(p)}/trace", {"batch": "next", "batch_point": 3})
    assert p.js("() => document.getElementById('inspect-panel').textContent").count("point 4 of the minibatch")
    # ③ Backward: a link's own gradient and the minibatch's mean
    p.page.locator('#inspect [data-stage="2"]').click()
    p.wait("() => document.getElementById('inspect').dataset.stage === 'backward'")
    focus_link(p, 1, 2, 1)
    assert panel(p, "dw")[1] == other["layers"][1]["point_dW"][2][1]
    assert panel(p, "batch-dw")[1] == other["layers"][1]["dW"][2][1]
    # ④ Optimizer: Adam's rule with this weight's numbers, state before → after, the exact step
    p.page.locator('#inspect [data-stage="3"]').click()
    p.wait("() => document.getElementById('inspect').dataset.stage === 'optimizer'")
    assert p.js("() => document.querySelector('#inspect [data-stage=\"3\"]').textContent") == "④ Optimizer"
    focus_link(p, 1, 2, 1)
    layer, state = other["layers"][1], other["optimizer"]["layers"][1]
    assert panel(p, "g-raw")[1] == layer["dW"][2][1] == layer["grad_W"][2][1]
    assert panel(p, "state-m")[1] == state["state_after"]["m"]["W"][2][1]
    assert panel(p, "state-v")[1] == state["state_after"]["v"]["W"][2][1]
    assert panel(p, "update")[1] == layer["update_W"][2][1]
    assert panel(p, "new-w")[1] == layer["W"][2][1] + layer["update_W"][2][1]
    text = p.js(PANEL_TEXT)
    assert "m ← β₁·m + (1−β₁)·g" in text and "w ← w − α·m̂/(√v̂ + ε)" in text
    p.page.mouse.move(2, 2)
    p.page.locator(".col-net").screenshot(path=str(output_dir / "inspect-batch-optimizer.png"))
    # Apply: the step training takes — twice mid-epoch, then the epoch ends: counter and curves move
    for k in range(3):
        steps = p.js("() => window.playground.state.steps")
        p.page.click("#btn-inspect-apply")
        p.wait("(n) => window.playground.state.steps === n + 1", steps)
        p.wait(SHOWN)
        p.wait("() => document.getElementById('inspect-summary').textContent.startsWith('Next minibatch')")
    assert p.js("() => window.playground.epoch") == 1
    p.wait("() => document.getElementById('epoch').textContent === '000,001'")
    assert p.js("() => window.playground.state.history.length") == 2
    # Step one minibatch (beside Step): one more step, the same the trace showed
    before = p.api("POST", f"/api/sessions/{sid(p)}/trace", {"batch": "next"})
    p.page.click("#btn-step-batch")
    p.wait("() => window.playground.state.steps === 4")
    model = p.api("GET", f"/api/sessions/{sid(p)}/model")
    assert model["trainer"]["steps"] == 4 and model["trainer"]["pos"] == 100
    after = p.api("POST", f"/api/sessions/{sid(p)}/trace", {"point": {"set": "train", "index": 0}})
    for old, new in zip(before["layers"], after["layers"]):
        for row_old, up, row_new in zip(old["W"], old["update_W"], new["W"]):
            assert [w + u for w, u in zip(row_old, up)] == row_new       # exactly W + update_W
    assert p.errors == []


def test_slice_chart_tangent_marker_and_drag(page, output_dir):
    p = page.open("/#regularization=l2&reg_rate=0.01")
    inspect(p)
    p.page.locator('#inspect [data-stage="2"]').click()
    p.wait("() => document.getElementById('inspect').dataset.stage === 'backward'")
    focus_link(p, 1, 2, 1, click=True)
    p.wait("() => document.getElementById('inspect-panel').dataset.focus === 'link:1:2:1'")   # kept
    p.wait(SLICE_SHOWN)
    point = {"set": "train", "index": 0}
    body = {"param": {"layer": 1, "kind": "W", "row": 2, "col": 1}, "on": "point", "point": point, "span": 2}
    s = p.api("POST", f"/api/sessions/{sid(p)}/slice", body)
    t = p.api("POST", f"/api/sessions/{sid(p)}/trace", {"point": point})
    # the slope is the backward stage's gradient: ∂L/∂w + λ·∂R/∂w of this point
    grad = t["layers"][1]["dW"][2][1] + t["layers"][1]["reg_dW"][2][1]
    assert s["gradient"] == pytest.approx(grad, rel=1e-12)
    assert panel(p, "dw")[1] == t["layers"][1]["dW"][2][1]
    readout = p.js("() => document.querySelector('.slice-readout .slice-slope').textContent")
    assert close(readout, s["gradient"])
    drawn = p.js("() => document.getElementById('slice-plot').data.map(d => [d.x, d.y])")
    assert drawn[0] == [s["values"], s["loss"]]                          # the curve
    (tx0, tx1), (ty0, ty1) = drawn[1]                                    # the tangent
    assert (ty1 - ty0) / (tx1 - tx0) == pytest.approx(s["gradient"], rel=1e-9)
    gd = s["current"] - s["learning_rate"] * s["gradient"]
    assert drawn[-1][0] == [gd]                                          # one gradient-descent step
    p.page.locator("#inspect-slice").screenshot(path=str(output_dir / "inspect-slice.png"))
    # dragging the marker edits the weight live; released, the curve is centred on the new value
    p.page.locator(".slice-handle").scroll_into_view_if_needed()
    h = p.page.locator(".slice-handle").bounding_box()
    x0, y0 = h["x"] + h["width"] / 2, h["y"] + h["height"] / 2
    p.page.mouse.move(x0, y0)
    p.page.mouse.down()
    for k in range(1, 9):
        p.page.mouse.move(x0 - 6 * k, y0)
    p.page.mouse.up()
    p.wait("(w) => { const d = document.getElementById('slice-plot').data; return d && d[d.length - 2].x[0] < w - 0.05 && !document.getElementById('inspect-slice').classList.contains('loading'); }", s["current"])
    p.wait(SLICE_SHOWN)
    moved = p.api("POST", f"/api/sessions/{sid(p)}/slice", body)
    W = p.api("POST", f"/api/sessions/{sid(p)}/trace", {"point": point})["layers"][1]["W"][2][1]
    assert W == moved["current"] < s["current"] - 0.05
    shown_w = p.js("() => document.querySelector('.slice-readout .slice-w').textContent")
    assert close(shown_w.split("= ")[1], W)
    p.wait(SHOWN)
    assert panel(p, "dw")[1] == p.api("POST", f"/api/sessions/{sid(p)}/trace", {"point": point})["layers"][1]["dW"][2][1]
    # a click on the same link closes the chart
    focus_link(p, 1, 2, 1, click=True)
    p.wait("() => document.getElementById('inspect-slice').hidden")
    assert p.errors == []


def test_convention_switch_and_all_digits(page):
    p = page.open()
    inspect(p)
    assert p.js("() => document.getElementById('inspect-convention').value") == "column"
    p.page.hover('#net-nodes .neuron[data-col="1"][data-idx="1"]')
    p.wait("() => document.getElementById('inspect-panel').dataset.focus === 'neuron:0::1'")
    column = p.js(PANEL_TEXT)
    assert "z₂ = W₂₁·x₁ + W₂₂·x₂ + b₂" in column and "(W₁ is 4 × 2)" in column
    z_column = panel(p, "z")
    # the same neuron in the engine's row form: indices, shapes and products transposed
    p.page.select_option("#inspect-convention", "row")
    p.wait("() => document.getElementById('inspect-panel').textContent.includes('x₁·W₁₂')")
    row = p.js(PANEL_TEXT)
    assert "z₂ = x₁·W₁₂ + x₂·W₂₂ + b₂" in row and "(W₁ is 2 × 4)" in row
    assert panel(p, "z") == z_column                                  # the numbers stay
    assert "view.conv=row" in p.js("() => location.hash")
    # a link: W₃₂ in row form is W₂₃ in column form, the same weight
    t = p.api("POST", f"/api/sessions/{sid(p)}/trace", {"point": {"set": "train", "index": 0}})
    focus_link(p, 1, 2, 1)
    assert "W₃₂ = " in p.js(PANEL_TEXT) and panel(p, "w")[1] == t["layers"][1]["W"][2][1]
    focus_link(p, 1, 2, 1, click=True)                      # kept while the mouse is away
    p.wait("() => document.getElementById('inspect-panel').dataset.focus === 'link:1:2:1'")
    p.page.select_option("#inspect-convention", "column")
    p.wait("() => document.getElementById('inspect-panel').textContent.includes('W₂₃ = ')")
    # all digits: every number at full precision (a hover shows them either way)
    w_text, w = panel(p, "w")
    every = p.js("(v) => String(v).replace('-', '−')", w)     # the shortest text that reads back as w
    assert close(w_text, w) and len(w_text.strip("−")) <= 7 < len(every.strip("−"))
    assert p.js("() => document.querySelector('#inspect-panel [data-q=w]').title") == every
    assert "rounded to 4 significant figures" in p.js("() => document.querySelector('.inspect-rounded').textContent")
    p.page.check("#inspect-digits")
    p.wait("() => document.querySelector('.inspect-rounded').textContent === ''")
    assert panel(p, "w")[0] == every
    assert "view.digits=1" in p.js("() => location.hash")
    assert p.errors == []


def test_clicking_an_empty_spot_inspects_that_point(page):
    p = page.open()
    inspect(p)
    # the circle dataset leaves the plot's corners empty: (5.5, 5.5) is far from every point
    px, py = p.js("""([x, y]) => { const el = document.getElementById('boundary'), L = el._fullLayout;
      const r = el.getBoundingClientRect(), xa = L.xaxis, ya = L.yaxis;
      return [r.left + xa._offset + (x - xa.range[0]) / (xa.range[1] - xa.range[0]) * xa._length,
              r.top + ya._offset + (ya.range[1] - y) / (ya.range[1] - ya.range[0]) * ya._length]; }""", [5.5, 5.5])
    n = p.js("() => window.playground.state.data.train.x.length")
    p.page.mouse.click(px, py)
    p.wait("() => document.getElementById('inspect-summary').textContent.startsWith('Any point at')")
    p.wait(SHOWN)
    assert p.js("() => document.getElementById('inspect-set').value") == "free"
    x1, x2 = (float(p.js(f"() => document.getElementById('inspect-{k}').value")) for k in ("x1", "x2"))
    assert abs(x1 - 5.5) < 0.1 and abs(x2 - 5.5) < 0.1
    label = int(p.js("() => document.getElementById('inspect-label').value"))
    t = p.api("POST", f"/api/sessions/{sid(p)}/trace", {"x": [x1, x2], "label": label})
    assert label == 0                          # the nearest points (the outer ring) are class 0
    assert panel(p, "z")[1] == t["layers"][-1]["z"][0]
    ring = p.page.locator(".inspect-marker").bounding_box()
    assert abs(ring["x"] + ring["width"] / 2 - px) < 2 and abs(ring["y"] + ring["height"] / 2 - py) < 2
    assert p.js("() => window.playground.state.data.train.x.length") == n    # no point was added
    # typed: x₁, x₂ and a label
    for key, value in (("x1", "-1.5"), ("x2", "0.25"), ("label", "1")):
        p.page.fill(f"#inspect-{key}", value)
        p.page.press(f"#inspect-{key}", "Enter")
    p.wait("() => document.getElementById('inspect-summary').textContent.startsWith('Any point at (−1.5, 0.25)')")
    p.wait(SHOWN)
    t = p.api("POST", f"/api/sessions/{sid(p)}/trace", {"x": [-1.5, 0.25], "label": 1})
    p.page.locator('#inspect [data-stage="1"]').click()
    p.wait("() => document.getElementById('inspect').dataset.stage === 'loss'")
    assert panel(p, "loss")[1] == t["loss"] and panel(p, "target")[1] == 1.0
    assert math.isfinite(t["loss"])
    assert p.errors == []
