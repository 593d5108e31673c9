"""Practice in headless Chromium: Inspect's stage numbers become boxes the learner fills in with
the keyboard alone. Right answers get ✓ (and move on to the next box), a known slip gets ✗ with
the mistake named and a hint, the next answer is marked from the learner's own wrong number, Reveal
shows the value, the diagrams outline what the question is about, the score is kept in
localStorage and every right answer sends the page event. The true values come from the API
(the same exercise, asked again: it is stateless), never from the page. Screenshots of both
sources at 1024 × 768 and 1920 × 1080 go to test-output/."""

import json
import math

import pytest

pytestmark = pytest.mark.browser

PRACTICE = "() => window.playground.views.inspect.practice"
READY = "() => { const p = window.playground.views.inspect.practice; return p.on && !!p.ex && document.querySelectorAll('#practice li.pr-q').length > 0; }"
STAGES = ["forward", "loss", "backward", "update"]


def box(key):
    return "#pr-" + key.replace(".", "-")


def row(p, key):
    """[classes, diagnosis, feedback text] of a question's row."""
    return p.js("""(k) => { const li = document.querySelector(`#practice li[data-key="${k}"]`);
        return li ? [li.className, li.dataset.diagnosis, li.querySelector('.pr-feedback').textContent] : null; }""", key)


def marked(p, key):
    """Wait for the server's mark of `key`; return it."""
    p.wait("(k) => window.playground.views.inspect.practice.results[k] !== undefined", key)
    return p.js("(k) => window.playground.views.inspect.practice.results[k]", key)


def answer(p, key, value):
    p.page.focus(box(key))
    p.page.keyboard.press("Control+A")
    p.page.keyboard.type(f"{value:.6g}".replace("-", "−"))     # a typographic minus is read too
    p.page.keyboard.press("Enter")
    return marked(p, key)


def go_to_stage(p, stage):
    p.js("() => document.activeElement && document.activeElement.blur()")
    p.page.locator(f'#inspect [data-stage="{STAGES.index(stage)}"]').click()
    p.wait(f"() => document.getElementById('inspect').dataset.stage === '{stage}'")
    p.wait(READY)


def stage_keys(p, stage):
    return p.js(f"() => ({PRACTICE})().questionsOf('{stage.capitalize()}').map(q => q.key)")


def count_events(p):
    p.js("""() => { window.practiceEvents = [];
        window.addEventListener('playground:event', (e) => window.practiceEvents.push(e.detail)); }""")


def test_practise_on_this_point_right_and_wrong(page, output_dir):
    p = page.open()
    count_events(p)
    p.page.click("#btn-inspect")
    p.wait("() => !!document.querySelector('#inspect-panel .eq')")
    p.page.click("#btn-practice")
    p.wait(READY)
    # what Inspect showed is hidden: its panel, its summary (ŷ, loss) and the diagram's numbers
    for sel in ("#inspect-panel", "#inspect-summary", "#network .inspect-labels"):
        assert p.js(f"() => getComputedStyle(document.querySelector('{sel}')).display") == "none", sel
    sid = p.js("() => window.playground.sessionId")
    truth = p.api("POST", f"/api/sessions/{sid}/practice", {"point": {"set": "train", "index": 0}})
    sol, ex = truth["solution"], truth["exercise"]
    assert p.js(f"() => ({PRACTICE})().ex") == ex                 # the same exercise

    # ① Forward, all right, with the keyboard alone: Enter checks and moves to the next box
    keys = stage_keys(p, "forward")
    assert keys == [q["key"] for q in truth["questions"] if q["quantity"] in ("z", "a")]
    p.page.focus(box(keys[0]))
    for n, key in enumerate(keys):
        assert p.js("() => document.activeElement.id") == box(key)[1:]
        # the question's neuron is outlined in the playground's diagram (a rect around it)
        p.wait("() => document.querySelectorAll('#network .inspect-marks rect.inspect-focus-node').length === 1")
        p.page.keyboard.type(f"{sol[key]:.6g}")
        p.page.keyboard.press("Enter")
        assert marked(p, key)["correct"] is True
        if n + 1 < len(keys):     # (the next box may be on the next page of questions)
            p.wait("(id) => document.activeElement.id === id", box(keys[n + 1])[1:])
    assert "right" in row(p, keys[-1])[0].split()
    marks = p.js("() => [...document.querySelectorAll('#practice li.pr-q .pr-mark')].map(m => m.textContent)")
    assert marks and marks == ["✓"] * len(marks)
    p.wait("() => document.querySelector('#practice .pr-status').textContent.startsWith('Every answer of Forward is right')")

    # ③ Backward: the output's δ with the wrong sign → ✗, "sign", the explanation and a hint
    go_to_stage(p, "backward")
    out = len(ex["layer_sizes"]) - 2
    key = f"delta.{out}.0"
    got = answer(p, key, -sol[key])
    assert got["correct"] is False and got["diagnosis"] == "sign"
    classes, diagnosis, feedback = row(p, key)
    assert "wrong" in classes.split() and diagnosis == "sign"
    assert feedback.startswith("✗ Right size, wrong sign") and "Hint: δ = " in feedback
    assert p.js(f"() => document.querySelector('#practice li[data-key=\"{key}\"] .pr-mark').textContent") == "✗"
    assert p.js("() => document.activeElement.id") == box(key)[1:]      # a wrong answer stays
    # carry-forward: ∂L/∂b of the output from the learner's own (wrong) δ is right
    assert answer(p, f"db.{out}.0", -sol[key])["correct"] is True
    # Shift+Enter reveals the value
    reveal = f"dW.{out}.0.0"
    p.page.focus(box(reveal))
    p.page.keyboard.press("Shift+Enter")
    p.wait("(k) => document.querySelector(`#practice li[data-key='${k}']`).classList.contains('revealed')", reveal)
    shown = p.js(f"() => document.querySelector('{box(reveal)}').value")
    assert math.isclose(float(shown.replace("−", "-")), sol[reveal], rel_tol=1e-5)

    # the score per kind of equation, kept in the browser; an event per right answer
    score = json.loads(p.js("() => localStorage.getItem('nn-playground.practice.score')"))
    assert score["neuron"] == {"right": len(keys), "tried": len(keys)}
    assert score["delta"] == {"right": 0, "tried": 1} and score["gradient"] == {"right": 1, "tried": 1}
    # (the page's other events — inspected, played, … — go out the same way)
    events = [e for e in p.js("() => window.practiceEvents") if e["name"] == "practice_correct"]
    assert len(events) == len(keys) + 1
    assert events[-1]["kind"] == "gradient"

    # a click on a neuron of the diagram goes to its question (here: its δ)
    p.page.click('#net-nodes .neuron[data-col="1"][data-idx="1"]')
    p.wait("() => document.activeElement.id === 'pr-delta-0-1'")
    # leaving Practice gives Inspect its panel back
    p.page.click("#btn-practice")
    p.wait("() => getComputedStyle(document.getElementById('inspect-panel')).display !== 'none'")
    assert p.js("() => document.getElementById('practice').hidden")
    assert not p.errors, p.errors


def test_a_linked_exercise_carries_forward_and_names_the_slip(page):
    p = page.open("/#practice=2-3-2&practice.seed=42&practice.act=sigmoid")
    p.wait(READY)      # the link opened Inspect and Practice on that exercise
    truth = p.api("POST", "/api/practice/exercise",
                  {"seed": 42, "layer_sizes": [2, 3, 2], "problem": "multiclass", "activation": "sigmoid"})
    ex, sol = truth["exercise"], truth["solution"]
    assert p.js(f"() => ({PRACTICE})().ex") == ex
    assert "Exercise 2-3-2 (seed 42)" in p.js("() => document.querySelector('#practice .pr-source').textContent")
    # z without its bias: ✗ forgot_bias; then a = σ(that z) is right (marked from the learner's z)
    wrong = sol["z.0.1"] - ex["b"][0][1]
    got = answer(p, "z.0.1", wrong)
    assert (got["correct"], got["diagnosis"]) == (False, "forgot_bias")
    assert row(p, "z.0.1")[2].startswith("✗ You left out the bias")
    # the exercise's diagram outlines the neuron and lights the weights its z reads
    assert p.js("() => document.querySelectorAll('#practice .pd-node.focus').length") == 1
    lit = p.js("() => document.querySelectorAll('#practice .pd-link.near').length")
    assert lit == ex["layer_sizes"][0]
    assert answer(p, "a.0.1", 1 / (1 + math.exp(-wrong)))["correct"] is True
    # the diagram writes the learner's numbers where the questions are, "?" where they wait
    rows = p.js("() => [...document.querySelectorAll('#practice .pd-row')].map(r => [r.dataset.key || '', r.textContent, r.getAttribute('class')])")
    mine = {k: (text, cls) for k, text, cls in rows if k}
    assert "wrong" in mine["z.0.1"][1] and "right" in mine["a.0.1"][1]
    assert mine["z.0.0"] == ("z ?", "pd-row ask")
    # "New exercise" draws another seed, and the link follows
    p.page.click("#btn-pr-new")
    p.wait("() => !location.hash.includes('practice.seed=42') && location.hash.includes('practice=2-3-2')")
    p.wait(READY)
    assert p.js(f"() => ({PRACTICE})().ex") != ex
    assert not p.errors, p.errors


@pytest.mark.parametrize("width, height", [(1024, 768), (1920, 1080)])
def test_practice_fits_the_screen(sized_page, output_dir, width, height):
    p = sized_page(width, height, "/#practice=2-2-1&practice.seed=7&practice.act=sigmoid")
    p.wait(READY)
    practice = p.page.locator("#practice")
    practice.scroll_into_view_if_needed()
    box_ = practice.bounding_box()
    assert box_["width"] <= width and p.js("() => document.documentElement.scrollWidth") <= width
    # the diagram and every box are inside the panel, nothing spills sideways
    figure = p.page.locator("#practice .pr-figure svg").bounding_box()
    assert box_["x"] <= figure["x"] and figure["x"] + figure["width"] <= box_["x"] + box_["width"] + 0.5
    for b in p.page.locator("#practice .pr-input").all():
        r = b.bounding_box()
        assert box_["x"] <= r["x"] and r["x"] + r["width"] <= box_["x"] + box_["width"]
    practice.screenshot(path=str(output_dir / f"practice-drawn-{width}x{height}.png"))
    # this point's practice, at the Backward stage
    p.page.click("#btn-pr-point")
    p.wait("() => { const p = window.playground.views.inspect.practice; return p.source.kind === 'point' && !!p.ex; }")
    go_to_stage(p, "backward")
    practice.screenshot(path=str(output_dir / f"practice-point-{width}x{height}.png"))
    assert not p.errors, p.errors
