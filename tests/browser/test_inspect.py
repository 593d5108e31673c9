"""Inspect in headless Chromium: one point followed through the forward pass, the loss,
backpropagation and the update. Every number the page shows is checked against the server's own
trace of the same point (POST /api/sessions/<id>/trace); "Apply this update" must lower that
point's loss and move the boundary; play leaves the mode; the same on a 3-class spiral, on
regression and on the largest network. A screenshot of each stage goes to test-output/."""

import math

import pytest

pytestmark = pytest.mark.browser

STAGES = ["forward", "loss", "backward", "update"]
# Inspect shows a trace: the mode is on, no request in flight, and the panel has its equations.
SHOWN = """() => { const el = document.getElementById('inspect');
  return el.classList.contains('on') && !el.classList.contains('loading') && !!document.querySelector('#inspect-panel .eq'); }"""
# A number of the panel by its role: [text shown, full value].
PANEL = """(q) => { const s = document.querySelector('#inspect-panel [data-q="' + q + '"]');
  return s ? [s.textContent, Number(s.dataset.v)] : null; }"""
CHIPS = "() => [...document.querySelectorAll('#network .inspect-chip')].map(c => c.textContent)"
LOSS_LOG = "() => document.getElementById('inspect-losses').textContent"


def shown_number(text):
    """'(−0.2632)' or '1.23e−4' → float."""
    return float(text.strip("()+").replace("−", "-"))


def close(text, value, digits=4):
    """The text is `value` to `digits` significant figures."""
    return math.isclose(shown_number(text), value, rel_tol=10 ** (1 - digits), abs_tol=1e-12)


def trace(p, set_="train", index=0, **extra):
    sid = p.js("() => window.playground.sessionId")
    return p.api("POST", f"/api/sessions/{sid}/trace", {"point": {"set": set_, "index": index}, **extra})


def panel(p, q):
    got = p.js(PANEL, q)
    assert got is not None, f"the panel shows no {q}: {p.js('() => document.getElementById(`inspect-panel`).textContent')}"
    return got


def inspect(p):
    p.page.click("#btn-inspect")
    p.wait(SHOWN)


def go_to_stage(p, stage):
    p.page.locator(f'#inspect [data-stage="{STAGES.index(stage)}"]').click()
    p.wait(f"() => document.getElementById('inspect').dataset.stage === '{stage}'")


def hover_neuron(p, col, idx):
    p.page.hover(f'#net-nodes .neuron[data-col="{col}"][data-idx="{idx}"]')
    p.wait(f"() => document.getElementById('inspect-panel').dataset.focus === 'neuron:{col - 1}::{idx}'")


def hover_link(p, layer, i, j):
    """The middle of the link from neuron i of column `layer` to neuron j of the next column (the
    curve passes exactly through the midpoint of its two ends)."""
    a = p.page.locator(f'#net-nodes .neuron[data-col="{layer}"][data-idx="{i}"]').bounding_box()
    b = p.page.locator(f'#net-nodes .neuron[data-col="{layer + 1}"][data-idx="{j}"]').bounding_box()
    x = (a["x"] + a["width"] + b["x"]) / 2
    y = (a["y"] + a["height"] / 2 + b["y"] + b["height"] / 2) / 2
    p.page.mouse.move(x, y)
    p.wait(f"() => document.getElementById('inspect-panel').dataset.focus === 'link:{layer}:{i}:{j}'")


# Every number on the diagram has finished lighting up (they fade in column by column).
LIT = """() => [...document.querySelectorAll('#network .inspect-chip')].every(c => c.classList.contains('lit')
  && (c.classList.contains('dim') || getComputedStyle(c).opacity === '1'))"""


def shot(p, output_dir, name):
    p.page.mouse.move(2, 2)   # no hover: the stage's own default explanation
    p.wait(LIT)
    p.page.locator(".col-net").screenshot(path=str(output_dir / f"inspect-{name}.png"))


def grid_sum(p):
    return p.js("() => { const d = window.playground.frame.grid.output.data; let s = 0; for (const v of d) s += v; return s; }")


def apply_and_check(p, before):
    """Press Apply: the server took exactly the step shown, and this point's loss fell."""
    n = len(p.js(LOSS_LOG).split("→"))
    boundary = grid_sum(p)
    p.page.click("#btn-inspect-apply")
    p.wait("(n) => document.getElementById('inspect-losses').textContent.split('→').length === n + 1", n)
    p.wait(SHOWN)
    after = trace(p)
    for old, new in zip(before["layers"], after["layers"]):
        for row_old, up, row_new in zip(old["W"], old["update_W"], new["W"]):
            assert [w + u for w, u in zip(row_old, up)] == row_new     # exactly W + update_W
    assert after["loss"] < before["loss"]
    summary = p.js("() => document.querySelector('#inspect-summary [data-q=loss]').textContent")
    assert close(summary, after["loss"])
    p.wait("(s) => { const d = window.playground.frame.grid.output.data; let t = 0; for (const v of d) t += v; return t !== s; }", boundary)
    return after


def test_inspect_a_point_on_circle_stage_by_stage(page, output_dir):
    p = page.open()
    marker_shown = "() => getComputedStyle(document.querySelector('.inspect-marker')).display !== 'none'"
    assert not p.js(marker_shown)    # no ring until a point is inspected
    inspect(p)
    t = trace(p)
    assert p.js("() => document.getElementById('inspect-summary').textContent").startswith("Training point 0 at")
    # the boundary plot marks the point
    assert p.js(marker_shown)
    assert p.js("() => document.getElementById('draw-mode').value") == "inspect"
    # the diagram's own links give way to Inspect's
    assert p.js("() => getComputedStyle(document.getElementById('net-links')).visibility") == "hidden"

    # ① Forward: each input shows its value, each neuron z and its activation (x in the seed's
    # column form, the default); the output's equation by default
    chips = p.js(CHIPS)
    for v in t["input"]["values"]:
        assert any(close(c, v, 3) for c in chips if not c[0].isalpha())
    for layer in t["layers"][:-1]:
        for z, a in zip(layer["z"], layer["a"]):
            assert any(c.startswith("z ") and close(c[2:], z, 3) for c in chips)
            assert any(c.startswith("x ") and close(c[2:], a, 3) for c in chips)
    out = t["layers"][-1]
    assert panel(p, "z")[1] == out["z"][0] and panel(p, "a")[1] == out["a"][0]
    shot(p, output_dir, "circle-1-forward")
    # the equation of a hovered hidden neuron, with the API's z and a
    for col, idx in [(1, 1), (2, 0)]:
        hover_neuron(p, col, idx)
        layer = t["layers"][col - 1]
        (z_text, z), (a_text, a) = panel(p, "z"), panel(p, "a")
        assert z == layer["z"][idx] and close(z_text, z)
        assert a == layer["a"][idx] and close(a_text, a)
        text = p.js("() => document.getElementById('inspect-panel').textContent")
        assert f"z{'₁₂'[idx]} = W{'₁₂'[idx]}₁·x₁" in text and "tanh(z)" in text
    # a hovered link: its weight and its term of z
    hover_link(p, 1, 2, 1)
    assert panel(p, "w")[1] == t["layers"][1]["W"][2][1]
    # a click keeps a neuron in the panel (and opens no editor); a second click lets it go
    p.page.click('#net-nodes .neuron[data-col="1"][data-idx="0"]')
    p.page.mouse.move(2, 2)
    p.wait("() => document.getElementById('inspect-panel').dataset.focus === 'neuron:0::0'")
    assert p.js("() => document.getElementById('weight-editor').hidden")
    assert panel(p, "z")[1] == t["layers"][0]["z"][0]
    p.page.click('#net-nodes .neuron[data-col="1"][data-idx="0"]')
    p.page.mouse.move(2, 2)
    p.wait("() => document.getElementById('inspect-panel').dataset.focus === 'default'")

    # ② Loss: ŷ, the target and the binary cross-entropy with its numbers
    go_to_stage(p, "loss")
    assert panel(p, "yhat")[1] == t["output"][0] and panel(p, "target")[1] == t["target"][0]
    loss_text, loss = panel(p, "loss")
    assert loss == t["loss"] and close(loss_text, t["loss"])
    assert any(c.startswith("L = ") and close(c[4:], t["loss"], 3) for c in p.js(CHIPS))
    assert "ln" in p.js("() => document.getElementById('inspect-panel').textContent")
    shot(p, output_dir, "circle-2-loss")

    # ③ Backward: δ on every neuron; the output's δ = ŷ − y; a link's ∂L/∂w = δ·a
    go_to_stage(p, "backward")
    deltas = [c for c in p.js(CHIPS) if c.startswith("δ ")]
    assert len(deltas) == sum(len(layer["delta"]) for layer in t["layers"])
    assert panel(p, "delta")[1] == out["delta"][0] == t["output"][0] - t["target"][0]
    hover_neuron(p, 1, 3)
    assert panel(p, "delta")[1] == t["layers"][0]["delta"][3]
    assert panel(p, "dL_da")[1] == t["layers"][0]["dL_da"][3]
    hover_link(p, 1, 2, 1)
    assert panel(p, "dw")[1] == t["layers"][1]["dW"][2][1]
    shot(p, output_dir, "circle-3-backward")

    # ④ Update: Δw and the new weight; then Apply, twice: the point's loss falls each time
    go_to_stage(p, "update")
    hover_link(p, 1, 2, 1)
    lr = t["learning_rate"]
    assert panel(p, "dw-step")[1] == t["layers"][1]["update_W"][2][1]
    assert math.isclose(t["layers"][1]["update_W"][2][1], -lr * t["layers"][1]["dW"][2][1], rel_tol=1e-12)
    assert panel(p, "new-w")[1] == t["layers"][1]["W"][2][1] + t["layers"][1]["update_W"][2][1]
    shot(p, output_dir, "circle-4-update")
    t2 = apply_and_check(p, t)
    t3 = apply_and_check(p, t2)
    log = [shown_number(v) for v in p.js(LOSS_LOG).split(":")[1].split("after")[0].split("→")]
    assert log[0] > log[1] > log[2] and close(str(log[2]), t3["loss"])
    assert p.js("() => window.playground.epoch") == 0       # apply trains nothing else
    shot(p, output_dir, "circle-5-applied")
    assert p.errors == []


def test_keys_point_walk_plot_click_and_play_leaves(page):
    p = page.open()
    inspect(p)
    p.page.keyboard.press("ArrowRight")
    p.page.keyboard.press("ArrowRight")
    p.wait("() => document.getElementById('inspect').dataset.stage === 'backward'")
    p.page.keyboard.press("ArrowLeft")
    p.wait("() => document.getElementById('inspect').dataset.stage === 'loss'")
    p.page.keyboard.press("n")
    p.wait("() => document.getElementById('inspect-summary').textContent.startsWith('Training point 1 ')")
    p.wait(SHOWN)
    assert close(panel(p, "loss")[0], trace(p, index=1)["loss"])
    p.page.keyboard.press("p")
    p.wait("() => document.getElementById('inspect-summary').textContent.startsWith('Training point 0 ')")
    # a click on the plot picks the nearest point (and adds none); the ring sits on it
    n = p.js("() => window.playground.state.data.train.x.length")
    x, y = p.js("() => { const d = window.playground.state.data.train; return [d.x[7], d.y[7]]; }")
    px, py = p.js("""([x, y]) => { const el = document.getElementById('boundary'), L = el._fullLayout, s = L._size;
      const r = el.getBoundingClientRect(), [x0, x1] = L.xaxis.range, [y0, y1] = L.yaxis.range;
      return [r.left + s.l + (x - x0) / (x1 - x0) * s.w, r.top + s.t + (y1 - y) / (y1 - y0) * s.h]; }""", [x, y])
    p.page.mouse.click(px, py)
    p.wait("() => document.getElementById('inspect-summary').textContent.startsWith('Training point 7 ')")
    p.wait(SHOWN)
    ring = p.page.locator(".inspect-marker").bounding_box()
    assert abs(ring["x"] + ring["width"] / 2 - px) < 1.5 and abs(ring["y"] + ring["height"] / 2 - py) < 1.5
    assert p.js("() => window.playground.state.data.train.x.length") == n
    assert trace(p, index=7)["input"]["point"] == [x, y]
    # play leaves Inspect cleanly: the diagram's links are back, the ring is gone
    p.play()
    p.wait("() => !document.getElementById('inspect').classList.contains('on')")
    assert p.js("() => getComputedStyle(document.getElementById('net-links')).visibility") == "visible"
    assert p.js("() => getComputedStyle(document.querySelector('.inspect-marker')).display") == "none"
    assert p.js("() => document.querySelectorAll('#network .inspect-chip').length") == 0
    assert p.js("() => document.getElementById('draw-mode').value") == ""
    p.pause()
    # inspecting again: the same point, read from the trained weights
    inspect(p)
    assert p.js("() => document.getElementById('inspect-summary').textContent").startswith("Training point 7 ")
    assert panel(p, "z")[1] == trace(p, index=7)["layers"][-1]["z"][0]
    p.page.keyboard.press("Escape")
    p.wait("() => !document.getElementById('inspect').classList.contains('on')")
    assert p.errors == []


def test_three_class_spiral(page, output_dir):
    p = page.open("/#dataset=spiral_k&n_classes=3")
    inspect(p)
    t = trace(p)
    c = t["label"]
    assert t["target"] == [1.0 if k == c else 0.0 for k in range(3)]
    hover_neuron(p, 1, 2)
    assert panel(p, "z")[1] == t["layers"][0]["z"][2] and panel(p, "a")[1] == t["layers"][0]["a"][2]
    shot(p, output_dir, "spiral3-1-forward")
    # Loss: every output, the softmax probabilities and the one-hot target; L = −ln ŷ_c
    go_to_stage(p, "loss")
    rows = p.js("() => [...document.querySelectorAll('#inspect-panel .eq-table tr')].slice(1).map(r => [...r.querySelectorAll('[data-v]')].map(s => Number(s.dataset.v)))")
    assert [r[1] for r in rows] == t["output"] and [r[2] for r in rows] == t["target"]
    assert math.isclose(sum(t["output"]), 1.0, rel_tol=1e-12)
    assert panel(p, "loss")[1] == t["loss"] and math.isclose(t["loss"], -math.log(t["output"][c]), rel_tol=1e-9)
    shot(p, output_dir, "spiral3-2-loss")
    # Backward: the fused δ = ŷ − y for every output
    go_to_stage(p, "backward")
    assert panel(p, "delta")[1] == t["layers"][-1]["delta"][c] == t["output"][c] - 1.0
    text = p.js("() => document.getElementById('inspect-panel').textContent")
    assert "δ = ŷ − y = (" in text
    shot(p, output_dir, "spiral3-3-backward")
    go_to_stage(p, "update")
    shot(p, output_dir, "spiral3-4-update")
    apply_and_check(p, t)
    assert p.errors == []


def test_regression(page, output_dir):
    p = page.open("/#dataset=plane")
    inspect(p)
    t = trace(p)
    assert t["loss_name"] == "mse"
    shot(p, output_dir, "regression-1-forward")
    go_to_stage(p, "loss")
    assert panel(p, "yhat")[1] == t["output"][0] and panel(p, "target")[1] == t["target"][0] == t["label"]
    assert panel(p, "loss")[1] == t["loss"]
    # the seed's mean squared error: with one output, the squared error itself
    assert math.isclose(t["loss"], (t["output"][0] - t["target"][0]) ** 2, rel_tol=1e-12)
    assert "Squared error" in p.js("() => document.getElementById('inspect-panel').textContent")
    shot(p, output_dir, "regression-2-loss")
    go_to_stage(p, "backward")
    hover_neuron(p, len(t["layers"]), 0)
    # a linear output with mse (fused): δ = ∂L/∂ŷ · f′(z) = 2(ŷ − y)/k with k = 1 output
    delta = t["layers"][-1]["delta"][0]
    assert panel(p, "delta")[1] == delta
    assert math.isclose(delta, 2 * (t["output"][0] - t["target"][0]), rel_tol=1e-12)
    assert "2(ŷ − y)/1" in p.js("() => document.getElementById('inspect-panel').textContent")
    shot(p, output_dir, "regression-3-backward")
    go_to_stage(p, "update")
    shot(p, output_dir, "regression-4-update")
    apply_and_check(p, t)
    assert p.errors == []


def test_wide_layers_are_summarised(page, output_dir):
    # The widest layers the playground allows (64 neurons); three of them keep the test light.
    p = page.open("/#hidden_layers=64,64,64&activation=relu")
    inspect(p)
    t = trace(p)
    # 64 neurons a column: no numbers fit beside them (only the output's), the panel carries them
    zs = [c for c in p.js(CHIPS) if c.startswith("z ")]
    assert len(zs) == 1 and close(zs[0][2:], t["layers"][-1]["z"][0], 3)
    hover_neuron(p, 2, 30)
    layer = t["layers"][1]
    assert panel(p, "z")[1] == layer["z"][30] and panel(p, "a")[1] == layer["a"][30]
    rest = panel(p, "rest")[1]    # the 60 smaller terms, added up
    W, a_prev = layer["W"], t["layers"][0]["a"]
    terms = sorted((W[i][30] * a_prev[i] for i in range(64)), key=abs)
    assert math.isclose(rest, sum(terms[:60]), rel_tol=1e-9, abs_tol=1e-12)
    assert "max(0, z)" in p.js("() => document.getElementById('inspect-panel').textContent")
    go_to_stage(p, "backward")
    hover_neuron(p, 2, 30)
    assert panel(p, "delta")[1] == layer["delta"][30]
    assert panel(p, "rest")    # Σₖ wₖ·δₖ over the next layer's 64 neurons, summarised too
    shot(p, output_dir, "large-3-backward")
    assert p.errors == []
