"""Honest controls: every data and network control says, before it is used, whether it restarts
training, and its message afterwards matches what happened (epoch kept or back to 0);
dependent controls never send a combination the server refuses (a walk over every problem ×
loss × output); number fields show the value the server uses and refuse text; an error shows
its allowed range once; Basic hides the advanced controls and Advanced shows them."""

import pytest

from .conftest import SETTLED

pytestmark = pytest.mark.browser

TOAST = "() => { const t = document.getElementById('toast'); return t.hidden ? null : [t.textContent, t.dataset.epoch]; }"


def set_range(p, selector, value):
    p.js("([s, v]) => { const el = document.querySelector(s); el.value = v; el.dispatchEvent(new Event('input')); el.dispatchEvent(new Event('change')); }", [selector, value])


def train_a_little(p, epochs=1):
    start = p.js("() => window.playground.epoch")
    for _ in range(epochs):
        p.page.click("#btn-step")
    p.wait(f"() => window.playground.epoch === {start + epochs}")
    p.wait(SETTLED)
    return start + epochs


def check_outcome(p, action, expect):
    """Do `action` after a few epochs; its toast says reset/kept and so does the epoch."""
    before = train_a_little(p)
    p.js("() => { const t = document.getElementById('toast'); t.hidden = true; t.textContent = ''; }")
    action()
    p.wait(TOAST)
    p.wait(SETTLED)
    text, epoch_word = p.js(TOAST)
    epoch = p.js("() => window.playground.epoch")
    if expect == "reset":
        assert epoch == 0 and epoch_word == "reset" and "training restarts at epoch 0" in text, text
    else:
        assert epoch == before and epoch_word == "kept" and f"training continues at epoch {before}" in text, text
    return text


def test_every_data_and_network_control_says_what_happened(page, tmp_path):
    p = page.open("/#view.level=advanced")
    # marked before use: restarting controls carry ↺, live ones do not
    restart_fields = p.js("() => [...document.querySelectorAll('.restarts[data-control]')].map(n => n.dataset.control)")
    for field in ["dataset", "noise", "train_ratio", "n_points", "n_classes", "features", "activation", "problem", "loss", "output_activation", "init", "seed"]:
        assert field in restart_fields, field
    for field in ["learning_rate", "regularization", "reg_rate", "batch_size", "optimizer", "clip_norm", "regenerate", "csv", "draw"]:
        assert field not in restart_fields, field
    assert "restarts training" in p.js("() => document.getElementById('restart-rule').textContent")

    cases = [
        ("noise", lambda: set_range(p, "#noise", 10), "reset"),
        ("ratio", lambda: set_range(p, "#train_ratio", 60), "reset"),
        ("points", lambda: set_range(p, "#n_points", 300), "reset"),
        ("regenerate", lambda: p.page.click("#btn-regen"), "kept"),
        ("feature tile", lambda: p.page.click(".feature-tile[data-name=x1_sq]"), "reset"),
        ("feature in the diagram", lambda: p.page.click("#net-nodes .neuron.input[data-feature=x1_sq]"), "reset"),
        ("add layer", lambda: p.page.click("#btn-add-layer"), "reset"),
        ("remove layer", lambda: p.page.click("#btn-remove-layer"), "reset"),
        ("add neuron", lambda: p.page.click("[aria-label='Add a neuron to layer 1']"), "reset"),
        ("layer activation", lambda: p.page.select_option("[aria-label='Activation of layer 2']", "relu"), "reset"),
        ("activation", lambda: p.page.select_option("select[name=activation]", "sigmoid"), "reset"),
        ("initializer", lambda: p.page.select_option("select[name=init]", "he_normal"), "reset"),
        ("seed", lambda: (p.page.fill("input[name=seed]", "5"), p.page.press("input[name=seed]", "Enter")), "reset"),
        ("loss", lambda: p.page.select_option("select[name=loss]", "mse"), "reset"),
        ("output", lambda: p.page.select_option("select[name=output_activation]", "tanh"), "reset"),
        ("learning rate", lambda: p.page.select_option("select[name=learning_rate]", "0.1"), "kept"),
        ("regularization", lambda: p.page.select_option("select[name=regularization]", "l2"), "kept"),
        ("batch size", lambda: (p.page.fill("input[name=batch_size]", "20"), p.page.press("input[name=batch_size]", "Enter")), "kept"),
        ("optimizer", lambda: p.page.select_option("select[name=optimizer]", "adam"), "kept"),
        ("problem", lambda: p.page.select_option("select[name=problem]", "regression"), "reset"),
        ("dataset", lambda: p.page.click(".dataset-tile[data-name=blobs]"), "reset"),
        ("classes", lambda: set_range(p, "#n_classes", 4), "reset"),
    ]
    for name, action, expect in cases:
        text = check_outcome(p, action, expect)
        assert "Rebuilt" not in text and "applied live" not in text, (name, text)
    # your own points keep the network and the epoch
    p.page.select_option("#draw-mode", "1")
    box = p.page.locator("#boundary .nsewdrag").bounding_box()
    check_outcome(p, lambda: p.page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.3), "kept")
    assert p.js("() => window.playground.config.dataset") == "custom"
    csv = tmp_path / "points.csv"
    csv.write_text("x1,x2,label\n" + "".join(f"{i % 7 - 3},{i % 5 - 2},{i % 3}\n" for i in range(30)))
    check_outcome(p, lambda: p.page.set_input_files("#csv-file", str(csv)), "kept")
    assert p.errors == []


def test_dependent_controls_never_produce_a_422(page):
    p = page.open("/#view.level=advanced")
    refused = []
    p.page.on("response", lambda r: refused.append(f"{r.request.method} {r.url} {r.status}") if "/api/" in r.url and r.status >= 400 else None)
    options = p.api("GET", "/api/options")
    combos = 0
    for problem in [x["name"] for x in options["problems"]]:
        p.page.select_option("select[name=problem]", problem)
        p.wait(f"() => window.playground.config.problem === '{problem}'")
        p.wait(SETTLED)
        losses = p.js("() => [...document.querySelectorAll('select[name=loss] option')].map(o => o.value)")
        assert losses and all(problem in next(l for l in options["losses"] if l["name"] == x)["problems"] for x in losses)
        for loss in losses:
            p.page.select_option("select[name=loss]", loss)
            p.wait(f"() => window.playground.config.loss === '{loss}'")
            p.wait(SETTLED)
            outputs = p.js("() => [...document.querySelectorAll('select[name=output_activation] option')].map(o => o.value)")
            assert outputs
            if problem != "multiclass":
                assert "softmax" not in outputs
            for out in outputs:
                p.page.select_option("select[name=output_activation]", out)
                p.wait(f"() => window.playground.config.output_activation === '{out}'")
                p.wait(SETTLED)
                combos += 1
                assert not refused, refused
    assert combos >= 10
    # the hinge loss brings an output it can train
    p.page.select_option("select[name=problem]", "binary")
    p.wait("() => window.playground.config.problem === 'binary'")
    p.page.select_option("select[name=loss]", "hinge")
    p.wait("() => window.playground.config.loss === 'hinge'")
    assert p.js("() => window.playground.config.output_activation") in ("linear", "tanh")
    # a problem type picks data that has it, and a dataset picks its problem type
    p.page.select_option("select[name=problem]", "regression")
    p.wait("() => window.playground.config.dataset === 'plane'")
    p.page.click(".dataset-tile[data-name=xor]")
    p.wait("() => window.playground.config.problem === 'binary'")
    assert not refused, refused
    assert p.errors == []


def test_number_fields_show_what_the_server_uses_and_refuse_text(page):
    p = page.open("/#view.level=advanced")
    p.page.fill("input[name=batch_size]", "2.7")
    p.page.press("input[name=batch_size]", "Enter")
    p.wait("() => window.playground.config.batch_size === 3")
    p.wait(SETTLED)
    assert p.js("() => document.querySelector('input[name=batch_size]').value") == "3"
    # clipping on, then text that is not a number: refused, clipping stays on
    p.page.fill("input[name=clip_norm]", "1.5")
    p.page.press("input[name=clip_norm]", "Enter")
    p.wait("() => window.playground.config.clip_norm === 1.5")
    p.wait(SETTLED)
    p.page.click("input[name=clip_norm]")
    p.page.keyboard.press("Control+A")
    p.page.keyboard.type("e")
    p.page.keyboard.press("Enter")
    p.wait("() => document.querySelector('[data-control=clip_norm] .field-error').textContent.length > 0")
    error = p.js("() => document.querySelector('[data-control=clip_norm] .field-error').textContent")
    assert "number" in error and "1.5" in error
    p.wait(SETTLED)
    assert p.js("() => window.playground.config.clip_norm") == 1.5
    assert p.js("() => document.querySelector('input[name=clip_norm]').value") == "1.5"
    # emptying the field is how clipping goes off, and the message says so
    p.page.fill("input[name=clip_norm]", "")
    p.page.press("input[name=clip_norm]", "Enter")
    p.wait("() => window.playground.config.clip_norm === null")
    p.wait(TOAST)
    assert "off" in p.js(TOAST)[0]
    # a later success clears the stale message
    assert p.js("() => document.querySelector('[data-control=clip_norm] .field-error').textContent") == ""
    assert p.errors == []


def test_an_error_shows_its_allowed_range_once(page):
    p = page.open("/#view.level=advanced")
    p.page.select_option("select[name=optimizer]", "momentum")
    p.wait("() => window.playground.config.optimizer === 'momentum'")
    p.wait(SETTLED)
    p.page.fill("input[name='optimizer_params.momentum']", "2")
    p.page.press("input[name='optimizer_params.momentum']", "Enter")
    p.wait("() => document.querySelector('[data-control=\"optimizer_params.momentum\"] .field-error').textContent.length > 0")
    text = p.js("() => document.querySelector('[data-control=\"optimizer_params.momentum\"] .field-error').textContent")
    assert text.count("0.999") == 1 and text.endswith("(0 … 0.999)") and "allowed" not in text, text
    p.page.fill("input[name=batch_size]", "100000")
    p.page.press("input[name=batch_size]", "Enter")
    p.wait("() => document.querySelector('[data-control=batch_size] .field-error').textContent.length > 0")
    text = p.js("() => document.querySelector('[data-control=batch_size] .field-error').textContent")
    assert text == "Batch size: 100000 is out of range (1 … 512)", text
    # the stale momentum message went when the next change was tried
    assert p.js("() => document.querySelector('[data-control=\"optimizer_params.momentum\"] .field-error').textContent") == ""
    # the shortcut the reset button promises exists (test_keyboard.py presses it)
    assert "(R)" in p.js("() => document.getElementById('btn-reset').title")


ADVANCED = ["loss", "output_activation", "optimizer", "schedule", "init", "seed", "clip_norm"]
BASIC = ["learning_rate", "activation", "regularization", "reg_rate", "problem", "batch_size"]


def test_basic_hides_and_advanced_shows(page):
    p = page.open()
    visible = "(name) => { const n = document.querySelector(`.hyperbar [data-control='${name}']`); return !!n && n.checkVisibility(); }"
    assert p.js("() => window.playground.state.view.level") == "basic"
    assert all(p.js(visible, n) for n in BASIC)
    assert not any(p.js(visible, n) for n in ADVANCED)
    assert not p.page.locator(".weights-section").is_visible()
    # the data, the features and the layers are all there in Basic
    for sel in ["#datasets", "#features", "#btn-add-layer", "#layer-controls"]:
        assert p.page.locator(sel).is_visible(), sel
    p.page.click("#btn-advanced")
    p.wait("() => window.playground.state.view.level === 'advanced'")
    assert all(p.js(visible, n) for n in BASIC + ADVANCED)
    assert p.page.locator(".weights-section").is_visible()
    assert "view.level=advanced" in p.page.url
    # the heatmaps are asked for once shown
    p.page.locator("#weights").scroll_into_view_if_needed()
    p.wait("() => window.playground.state.visible.weights && document.querySelectorAll('.wfig canvas').length === 3")
    # a link with an advanced setting opens in Advanced
    q = page.open("/#optimizer=adam")
    assert q.js("() => window.playground.state.view.level") == "advanced"
    assert p.errors == []


MENU = "(name) => [...document.querySelectorAll(`select[name=${name}] option`)].map(o => Number(o.value))"


def test_the_rate_menus_offer_only_the_served_ranges(page):
    p = page.open()
    ranges = p.api("GET", "/api/options")["ranges"]
    for name in ("learning_rate", "reg_rate"):
        values = p.js(MENU, name)
        assert [values[0], values[-1]] == ranges[name], name       # the menu spans the range
    # a server serving narrower ranges: no step outside them is offered
    narrow = {"learning_rate": [0.001, 1.0], "reg_rate": [0.0, 0.1]}

    def serve_narrower(route):
        response = route.fetch()
        options = response.json()
        options["ranges"].update(narrow)
        route.fulfill(response=response, json=options)

    p.page.route("**/api/options", serve_narrower)
    p.page.goto("about:blank")
    p.open()
    for name, (lo, hi) in narrow.items():
        values = p.js(MENU, name)
        assert [values[0], values[-1]] == [lo, hi], (name, values)
        assert len(values) > 2 and all(lo <= v <= hi for v in values)
    assert p.errors == []
