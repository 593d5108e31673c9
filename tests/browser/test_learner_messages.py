"""What the page says and lets a learner type (issue 24): layer sizes and the layer count typed
into number fields; errors in the words of the control's label; a problem type that changes the
dataset says so; the chosen dataset clicked again says nothing; the legend in plain words; a
dead network explained (two moons, ReLU, 4-2-2, seed 1) and a healthy run left alone."""

import pytest

from .conftest import SETTLED

pytestmark = pytest.mark.browser

TOAST = "() => { const t = document.getElementById('toast'); return t.hidden ? null : t.textContent; }"
NET_ERROR = "() => document.getElementById('net-error').textContent"


def type_into(p, selector, text):
    p.page.fill(selector, text)
    p.page.press(selector, "Enter")


def test_layer_sizes_and_the_layer_count_are_typed(page):
    p = page.open()
    p.wait(SETTLED)
    type_into(p, "[aria-label='Neurons in layer 1']", "64")
    p.wait("() => JSON.stringify(window.playground.config.hidden_layers) === '[64,2]'")
    p.wait(SETTLED)
    assert p.js("() => window.playground.epoch") == 0
    assert "Hidden layers → 64, 2" in p.js(TOAST)
    # the field keeps the keyboard: the next size is typed right away
    assert p.js("() => document.activeElement.getAttribute('aria-label')") == "Neurons in layer 1"
    # the layer count: new layers repeat the last one
    type_into(p, "#n-hidden", "4")
    p.wait("() => JSON.stringify(window.playground.config.hidden_layers) === '[64,2,2,2]'")
    p.wait(SETTLED)
    assert p.js("() => document.querySelectorAll('#layer-controls .count-input').length") == 4
    # + is disabled at the limit, like a neuron's + at 64
    assert p.js("() => document.querySelector(\"[aria-label='Add a neuron to layer 1']\").disabled")
    limit = p.js("() => window.playground.state.options.limits.max_hidden_layers")
    type_into(p, "#n-hidden", str(limit))
    p.wait(f"() => window.playground.config.hidden_layers.length === {limit}")
    p.wait(SETTLED)
    assert p.js("() => document.getElementById('btn-add-layer').disabled")
    assert not p.js("() => document.getElementById('btn-remove-layer').disabled")
    type_into(p, "#n-hidden", "1")
    p.wait("() => JSON.stringify(window.playground.config.hidden_layers) === '[64]'")
    p.wait(SETTLED)
    assert not p.js("() => document.getElementById('btn-add-layer').disabled")
    # a number that is not whole is refused here, and the field shows the session's value again
    type_into(p, "[aria-label='Neurons in layer 1']", "2.5")
    p.wait(f"() => ({NET_ERROR})().length > 0")
    assert "Neurons in layer 1" in p.js(NET_ERROR) and "stays 64" in p.js(NET_ERROR)
    assert p.js("() => document.querySelector(\"[aria-label='Neurons in layer 1']\").value") == "64"
    # one out of range goes to the server, whose error names the control
    type_into(p, "[aria-label='Neurons in layer 1']", "100")
    p.wait(f"() => ({NET_ERROR})().startsWith('Neurons in layer 1: 100')")
    assert p.js(NET_ERROR) == "Neurons in layer 1: 100 is out of range (1 … 64)"
    p.wait(SETTLED)
    assert p.js("() => window.playground.config.hidden_layers") == [64]
    assert p.js("() => document.querySelector(\"[aria-label='Neurons in layer 1']\").value") == "64"


def test_an_error_names_the_control_by_its_label(page):
    p = page.open()
    p.wait(SETTLED)
    type_into(p, "input[name=batch_size]", "0")
    p.wait("() => document.querySelector('[data-control=batch_size] .field-error').textContent.length > 0")
    text = p.js("() => document.querySelector('[data-control=batch_size] .field-error').textContent")
    assert text == "Batch size: 0 is out of range (1 … 512)"
    assert "batch_size" not in p.js("() => window.playground.state.errors.join(' ')")
    # a message without a control of its own (a toast) uses the label too
    p.js("""async () => { const { readableError } = await import('/static/js/field-labels.js');
      window.__said = readableError('noise: 0.9 is out of range (allowed: 0 to 0.5)', 'noise', [0, 0.5]); }""")
    assert p.js("() => window.__said") == "Noise: 0.9 is out of range (0 … 0.5)"


def test_a_problem_type_says_the_dataset_and_points_that_came_with_it(page):
    p = page.open()
    p.wait(SETTLED)
    plane = next(d for d in p.api("GET", "/api/options")["datasets"] if d["name"] == "plane")
    p.page.select_option("select[name=problem]", "regression")
    p.wait("() => window.playground.config.dataset === 'plane'")
    p.wait(TOAST)
    text = p.js(TOAST)
    assert "Problem type → Regression" in text and "Dataset → Plane" in text, text
    assert f"Points 500 → {plane['default_points']:,}" in text, text
    assert "training restarts at epoch 0" in text
    # clicking the dataset already chosen changes nothing and says nothing
    p.wait(SETTLED)
    p.js("() => { const t = document.getElementById('toast'); t.hidden = true; }")
    requests = []
    p.page.on("request", lambda r: requests.append(r.method) if "/api/sessions/" in r.url and r.method == "PATCH" else None)
    p.page.click(".dataset-tile[data-name=plane]")
    p.page.click(".dataset-tile[data-name=plane]")
    p.wait(SETTLED)
    assert requests == [] and p.js(TOAST) is None
    # the legend in plain words
    p.page.click(".dataset-tile[data-name=circle]")
    p.wait("() => window.playground.config.dataset === 'circle'")
    p.wait(SETTLED)
    legend = p.js("() => document.getElementById('legend').textContent")
    assert "probability that a point is class 1" in legend and "2p" not in legend
    assert p.errors == []


def seen_hint(p):
    """Record whether the dead-network box is ever shown (a MutationObserver, not a poll)."""
    p.js("""() => { window.__hintShown = false; const box = document.getElementById('dead-hint');
      new MutationObserver(() => { if (!box.hidden) window.__hintShown = true; }).observe(box, { attributes: true }); }""")


def test_a_dead_network_is_explained_and_a_healthy_one_is_not(sized_page):
    p = sized_page(1440, 1000, "/#dataset=moons&activation=relu&hidden_layers=4,2,2&seed=1")
    p.wait(SETTLED)
    assert p.js("() => document.getElementById('dead-hint').hidden")
    p.play()
    p.wait("() => window.playground.epoch >= 8")
    p.pause()
    assert not p.js("() => document.getElementById('dead-hint').hidden")
    text = p.js("() => document.getElementById('dead-hint').textContent")
    assert "No gradient has reached the weights" in text and "hidden layer 3 (ReLU)" in text
    assert p.js("() => document.getElementById('status').classList.contains('is-dead')")
    fixes = p.js("() => [...document.querySelectorAll('#dead-hint-fixes button')].map((b) => b.textContent)")
    assert fixes == ["Use Leaky ReLU", "New seed"]
    # the fix it offers: leaky ReLU (a new network: the box goes) — and it learns
    p.page.click("#dead-hint-fixes button:first-child")
    p.wait("() => window.playground.config.activation === 'leaky_relu'")
    p.wait(SETTLED)
    assert p.js("() => document.getElementById('dead-hint').hidden")
    seen_hint(p)
    p.play()
    p.wait("() => window.playground.epoch >= 30")
    p.pause()
    assert not p.js("() => window.__hintShown")
    assert p.js("() => window.playground.metrics.train_accuracy") > 0.8
    # a healthy ReLU network of the same data never shows it
    q = sized_page(1440, 1000, "/#dataset=moons&activation=relu&hidden_layers=4,2&seed=1")
    q.wait(SETTLED)
    seen_hint(q)
    q.play()
    q.wait("() => window.playground.epoch >= 30")
    q.pause()
    assert not q.js("() => window.__hintShown") and q.js("() => document.getElementById('dead-hint').hidden")
    assert p.errors == [] and q.errors == []
