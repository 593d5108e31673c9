"""Lessons in the page: a lesson link opens at its step beside the plots (never over them, at
1024 × 768 and 1920 × 1080), a goal turns ✓ when met after Play, a locked control cannot be
changed (however it is asked), Next and Back move (by keyboard too), the text is rendered
safely, progress is kept in the browser, projector mode, and the page's control and region names
are exactly the ones /api/options serves."""

import json

import pytest

from app.lessons.vocabulary import CONTROLS, REGIONS

from .conftest import SETTLED, Page, served

pytestmark = pytest.mark.browser

LESSON = {
    "id": "test-lesson", "title": "A test lesson", "summary": "For the browser tests.",
    "steps": [
        {"title": "Train five epochs",
         "text": "Press **Play**: $x_1^2$ and <img src=x onerror=alert(1)> stay text.\n\n- one\n- two",
         "state": {"dataset": "gaussian", "hidden_layers": [], "learning_rate": 0.03},
         "hide": ["features"], "lock": ["learning_rate", "features"], "highlight": "boundary",
         "goal": {"metric": "epoch", "at_least": 5}},
        {"title": "A question", "text": "Pick one.", "state": {"dataset": "xor", "hidden_layers": [3]},
         "question": {"prompt": "Which?", "choices": ["this", "that"], "answer": 1,
                      "explain": "Because **that**."}},
        {"title": "Reset and step", "text": "Your run stays.",
         "goal": {"all": [{"event": "reset"}, {"event": "stepped"}]}},
    ],
}
PANEL = "document.getElementById('lesson-panel')"
READY = "() => { const l = window.playground.views.lessons.lesson; return !!l && l.ready; }"


@pytest.fixture(scope="module")
def lesson_server(tmp_path_factory):
    """The playground serving the built-in lessons and LESSON from a teacher's directory."""
    folder = tmp_path_factory.mktemp("lessons")
    (folder / "test.json").write_text(json.dumps(LESSON))
    with served({"LESSON_DIRS": [str(folder)]}) as base:
        yield base


@pytest.fixture
def open_lesson(browser, lesson_server):
    """open_lesson(path, width=1440, height=1000) → a Page on the lesson server, lesson ready."""
    contexts = []

    def open_at(path, width=1440, height=1000):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        p = Page(context.new_page(), lesson_server).open(path)
        if "lesson=" in path:
            p.wait(READY)
        p.wait(SETTLED)
        return p

    yield open_at
    for c in contexts:
        c.close()


def marks(p):
    return p.js(f"() => {{ const d = {PANEL}.dataset; return [d.lesson, d.step, d.goalMet]; }}")


def rect(p, selector):
    return p.js(f"() => {{ const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect(); "
                "return [r.left, r.top, r.right, r.bottom]; }")


def overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("width, height", [(1024, 768), (1920, 1080)])
def test_a_lesson_link_opens_at_its_step_beside_the_plots(open_lesson, output_dir, width, height):
    p = open_lesson("/#lesson=test-lesson&step=2", width, height)
    assert marks(p) == ["test-lesson", "2", "true"]     # a step without a goal counts as met
    cfg = p.js("() => window.playground.config")
    assert (cfg["dataset"], cfg["hidden_layers"]) == ("xor", [3])   # the step's state
    assert p.js(f"() => {PANEL}.querySelector('.lp-title').textContent") == "A question"
    assert "lesson=test-lesson&step=2" in p.page.url
    panel = rect(p, "#lesson-panel")
    assert panel[2] - panel[0] >= 240
    for plot in ("#boundary", "#curves-plot", "#network", "#status"):
        assert not overlap(panel, rect(p, plot)), plot
    assert p.js("() => document.documentElement.scrollWidth <= innerWidth")
    p.page.screenshot(path=str(output_dir / f"lesson-{width}x{height}.png"))
    assert p.errors == []


def test_a_link_with_its_own_configuration_keeps_it(open_lesson):
    """A copied link holds the state as the learner changed it: the step's state is not applied."""
    p = open_lesson("/#dataset=circle&hidden_layers=5&lesson=test-lesson&step=2")
    cfg = p.js("() => window.playground.config")
    assert (cfg["dataset"], cfg["hidden_layers"]) == ("circle", [5])
    assert marks(p)[:2] == ["test-lesson", "2"]
    p.page.goto("about:blank")
    p.open("/#lesson=no-such-lesson")
    p.wait("() => document.getElementById('toast').textContent.includes('no-such-lesson')")
    assert p.js(f"() => {PANEL}.hidden")
    assert "lesson=" not in p.page.url


def test_a_goal_turns_met_after_play_and_progress_is_kept(open_lesson):
    p = open_lesson("/#lesson=test-lesson&step=1")
    assert marks(p) == ["test-lesson", "1", "false"]
    goal = f"() => {PANEL}.querySelector('.lp-goal').textContent"
    assert "○" in p.js(goal) and "Epoch at least 5" in p.js(goal)
    p.play()
    p.wait(f"() => {PANEL}.dataset.goalMet === 'true'")
    p.pause()
    assert p.js("() => window.playground.epoch") >= 5
    assert "✓" in p.js(goal)
    stored = p.js("() => JSON.parse(localStorage.getItem('playground.lessons.v1'))")
    assert stored["test-lesson"]["met"] == [1] and stored["test-lesson"]["step"] == 1
    # the list remembers it after a reload
    p.page.goto(p.base + "/")
    p.wait("() => window.playground && window.playground.ready")
    p.page.click("#btn-lessons")
    p.wait(f"() => {PANEL}.querySelector('[data-lesson-id=\"test-lesson\"]')")
    entry = p.js(f"() => {PANEL}.querySelector('[data-lesson-id=\"test-lesson\"]').textContent")
    assert entry == "A test lessonat step 1 of 3"
    ids = p.js(f"() => [...{PANEL}.querySelectorAll('[data-lesson-id]')].map(b => b.dataset.lessonId)")
    assert len(ids) >= 9 and ids[-1] == "test-lesson" and ids[0] == "one-neuron"
    assert p.errors == []


def test_a_locked_control_cannot_be_changed(open_lesson):
    p = open_lesson("/#lesson=test-lesson&step=1")
    lr = "document.querySelector('.hyperbar [data-control=learning_rate]')"
    assert p.js(f"() => {lr}.classList.contains('lesson-locked')")
    assert p.js(f"() => {lr}.title").startswith("Locked by this lesson")
    assert p.js(f"() => {lr}.querySelector('select').closest('[inert]') !== null")
    # asked anyway (a script, a stale handler): the change never reaches the server
    p.js(f"() => {{ const s = {lr}.querySelector('select'); s.value = '0.3'; s.dispatchEvent(new Event('change', {{bubbles: true}})); }}")
    p.wait(SETTLED)
    assert p.js("() => window.playground.config.learning_rate") == 0.03
    # a locked field refuses every way in: the diagram's inputs switch features on otherwise
    assert p.js("() => document.querySelector('.col-data [data-control=features]').checkVisibility()") is False
    p.js("() => window.playground.views.network && document.querySelector('.neuron.input.off').click()")
    p.wait("() => document.getElementById('toast').textContent.includes('keeps')")
    p.wait(SETTLED)
    assert p.js("() => window.playground.config.features") == ["x1", "x2"]
    assert p.js("() => document.querySelector('[data-region=boundary]').classList.contains('lesson-highlight')")
    # the next step locks nothing: the control works again
    p.page.click(".lp-next")
    p.wait(READY)
    p.wait(SETTLED)
    assert not p.js(f"() => {lr}.classList.contains('lesson-locked') || !!{lr}.querySelector('[inert]')")
    p.page.select_option(".hyperbar [data-control=learning_rate] select", "0.3")
    p.wait("() => window.playground.config.learning_rate === 0.3")
    assert p.js("() => document.querySelector('.col-data [data-control=features]').checkVisibility()")
    assert p.errors == []


def test_next_and_back_move_and_the_keyboard_does_it_all(open_lesson):
    p = open_lesson("/#lesson=test-lesson&step=1")
    p.page.focus(".lp-next")
    p.page.keyboard.press("Enter")
    p.wait(f"() => {PANEL}.dataset.step === '2'")
    p.wait(READY)
    p.wait(SETTLED)
    assert p.js("() => window.playground.config.hidden_layers") == [3]
    assert "step=2" in p.page.url
    # the question by keyboard: the first choice, the next one (arrow), then Check
    p.page.focus(".lp-question input[value='0']")
    p.page.keyboard.press("ArrowDown")
    p.page.keyboard.press("Tab")
    p.page.keyboard.press("Enter")
    p.wait(f"() => !!{PANEL}.querySelector('.lp-feedback')")
    assert p.js(f"() => {PANEL}.querySelector('.lp-feedback').textContent") == "✓ Right. Because that."
    # step 3 keeps the run (no state) and waits for Reset and Step
    p.page.click(".lp-next")
    p.wait(f"() => {PANEL}.dataset.step === '3'")
    p.wait(READY)
    assert p.js("() => window.playground.config.hidden_layers") == [3]
    assert marks(p)[2] == "false"
    p.page.click("#btn-reset")
    p.wait(SETTLED)
    assert marks(p)[2] == "false"
    p.page.click("#btn-step")
    p.wait(f"() => {PANEL}.dataset.goalMet === 'true'")
    assert p.js(f"() => {PANEL}.querySelector('.lp-next').textContent") == "Finish ✓"
    p.page.click(".lp-back")
    p.wait(f"() => {PANEL}.dataset.step === '2'")
    p.page.click(".lp-back")
    p.wait(f"() => {PANEL}.dataset.step === '1'")
    p.wait(READY)
    assert p.js(f"() => {PANEL}.querySelector('.lp-back').disabled")
    p.wait(SETTLED)
    assert p.js("() => window.playground.config.dataset") == "gaussian"
    assert p.errors == []


def test_lesson_text_is_rendered_as_text_never_as_html(open_lesson):
    p = open_lesson("/#lesson=test-lesson&step=1")
    text = f"{PANEL}.querySelector('.lp-text')"
    assert p.js(f"() => {text}.querySelectorAll('img, script').length") == 0
    assert "<img src=x onerror=alert(1)>" in p.js(f"() => {text}.textContent")
    assert p.js(f"() => {text}.querySelector('strong').textContent") == "Play"
    assert p.js(f"() => [...{text}.querySelectorAll('.math sub, .math sup')].map(n => n.tagName + n.textContent)") == ["SUB1", "SUP2"]
    assert p.js(f"() => [...{text}.querySelectorAll('li')].map(n => n.textContent)") == ["one", "two"]


def test_projector_mode_is_one_switch_and_in_the_link(open_lesson):
    p = open_lesson("/", 1280, 720)
    height = p.js("() => document.getElementById('boundary').getBoundingClientRect().height")
    p.page.click("#btn-lessons")      # the switch is in the lesson panel's head
    p.page.check("#projector")
    p.page.click(".lp-close")         # and stays on when the panel closes
    p.wait("() => document.body.classList.contains('projector')")
    assert "view.proj=1" in p.page.url
    p.wait(f"() => document.getElementById('boundary').getBoundingClientRect().height > {height}")
    assert p.js("() => document.querySelector('.restart-rule').checkVisibility()") is False
    url = p.page.url
    p.page.goto("about:blank")
    p.open(url.split(p.base)[1])
    assert p.js("() => document.body.classList.contains('projector') && document.getElementById('projector').checked")
    assert p.errors == []


def test_the_page_has_exactly_the_control_and_region_names_the_server_serves(page):
    """One vocabulary: ?hide=, a lesson's hide and lock name these controls, and its highlight
    these regions; a control added to the page is added to app/lessons/vocabulary.py too."""
    p = page.open()
    on_page = set(p.js("() => [...document.querySelectorAll('[data-control]')].map(n => n.dataset.control).filter(n => !n.includes('.'))"))
    assert on_page == set(CONTROLS), "add new data-control names to app/lessons/vocabulary.py"
    assert set(p.js("() => [...document.querySelectorAll('[data-region]')].map(n => n.dataset.region)")) == set(REGIONS)
    assert p.js("() => document.getElementById('hide-names').textContent") == ", ".join(sorted(CONTROLS))
