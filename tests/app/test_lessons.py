"""Lessons: the format's validator (good files pass, bad ones are refused naming the file, the
step and the field), the built-in lessons (every step's state creates a session), the routes,
a teacher's directory (`LESSON_DIRS`, `python -m app --lessons DIR`) and
`python -m app.lessons check`."""

import copy
import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from app import create_app
from app.__main__ import app_config, main, parse_args
from app.capacity.limits import DEFAULTS
from app.lessons import LessonError, load_file, load_library, validate, vocabulary
from app.lessons.library import builtin_files
from app.session.config import FIELDS
from nn_core.datasets import DATASETS

from .conftest import BARE, check_error, test_app

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = builtin_files()
BUILTIN_LESSONS = [load_file(path, DEFAULTS) for path in BUILTIN]
STEPS = [(lesson["id"], number, step) for lesson in BUILTIN_LESSONS
         for number, step in enumerate(lesson["steps"], start=1)]

GOOD = {
    "id": "my-lesson", "title": "A lesson", "summary": "What it is about.",
    "steps": [
        {"title": "One", "text": "Press **Play**.",
         "state": {"dataset": "gaussian", "hidden_layers": [], "learning_rate": 0.03},
         "hide": ["regularization", "features"], "lock": ["dataset"], "highlight": "boundary",
         "goal": {"all": [{"metric": "test_loss", "below": 0.1},
                          {"config": "hidden_neurons", "at_most": 4}]},
         "question": {"prompt": "Why?", "choices": ["a", "b"], "answer": 1, "explain": "Because."}},
        {"title": "Two", "text": "Keep going.",
         "goal": {"any": [{"event": "played"}, {"config": "features", "equals": ["x2", "x1"]}]}},
    ],
}


def changed(path, value):
    """GOOD with the value at `path` (a list of keys and indices) replaced; None deletes it."""
    lesson = copy.deepcopy(GOOD)
    *parents, last = path
    target = lesson
    for key in parents:
        target = target[key]
    if value is None:
        del target[last]
    else:
        target[last] = value
    return lesson


# ---------------------------------------------------------------- the validator
def test_a_good_lesson_is_served_as_written_with_features_in_the_engines_order():
    served = validate(copy.deepcopy(GOOD), DEFAULTS, "my.json")
    expected = copy.deepcopy(GOOD)
    expected["steps"][1]["goal"]["any"][1]["equals"] = ["x1", "x2"]
    assert served == expected


# (where to change GOOD, the new value) → the whole message
BAD = [
    (["title"], None, "my.json: title: required"),
    (["id"], "My Lesson", "my.json: id: 'My Lesson' is not a lesson id (allowed: 1 to 64 "
     "lowercase letters, digits and hyphens, starting with a letter or digit)"),
    (["steps"], [], "my.json: steps: 0 steps (allowed: 1 to 30)"),
    (["colour"], "red", "my.json: colour: unknown field (allowed: id, title, summary, steps)"),
    (["steps", 1, "text"], 7, "my.json: step 2: text: expected a string, got a number"),
    (["steps", 0, "state", "hidden_layers"], [99],
     "my.json: step 1: state.hidden_layers[0]: 99 is out of range (allowed: 1 to 64)"),
    (["steps", 0, "state", "dataset"], "spirals",
     "my.json: step 1: state.dataset: 'spirals' is not one of the allowed values (allowed: "
     + ", ".join(DATASETS.names()) + ")"),
    (["steps", 0, "state", "colour"], "red",
     "my.json: step 1: state.colour: unknown field 'colour' (allowed: "
     + ", ".join(sorted(FIELDS)) + ")"),
    (["steps", 0, "hide", 1], "knobs",
     "my.json: step 1: hide[1]: 'knobs' is not one of the allowed names (allowed: "
     + ", ".join(vocabulary.CONTROLS) + ")"),
    (["steps", 0, "lock"], "dataset",
     "my.json: step 1: lock: expected a list of names, got a string (allowed: "
     + ", ".join(vocabulary.CONTROLS) + ")"),
    (["steps", 0, "highlight"], "everything",
     "my.json: step 1: highlight: 'everything' is not one of the allowed names (allowed: "
     + ", ".join(vocabulary.REGIONS + tuple(vocabulary.CONTROLS)) + ")"),
    (["steps", 0, "goal", "all", 0, "metric"], "loss",
     "my.json: step 1: goal.all[0].metric: 'loss' is not one of the allowed names (allowed: "
     "epoch, train_loss, test_loss, reg_loss, learning_rate, train_accuracy, test_accuracy, "
     "train_rmse, test_rmse, train_r2, test_r2)"),
    (["steps", 0, "goal", "all", 0, "below"], "0.1",
     "my.json: step 1: goal.all[0].below: expected a finite number, got a string"),
    (["steps", 0, "goal", "all", 1], {"config": "activation", "at_most": 4},
     "my.json: step 1: goal.all[1].config: at_most compares numbers; activation is not one "
     "(allowed: " + ", ".join(vocabulary.NUMERIC_CONFIG) + ")"),
    (["steps", 0, "goal", "all", 1], {"config": "hidden_neurons", "at_most": 4, "at_least": 1},
     "my.json: step 1: goal.all[1]: give exactly one of equals, at_most, at_least "
     "(allowed: equals, at_most, at_least)"),
    (["steps", 0, "goal", "all", 0], {"metric": "test_rmse", "below": 0.1},
     "my.json: step 1: goal.all[0].metric: this step's state is a classification problem, "
     "which has no test_rmse (allowed: epoch, train_loss, test_loss, reg_loss, learning_rate, "
     "train_accuracy, test_accuracy)"),
    (["steps", 0, "goal"], {"event": "clapped"},
     "my.json: step 1: goal.event: 'clapped' is not one of the allowed names (allowed: played, "
     "stepped, reset, inspected, practice_correct, compared, diverged)"),
    (["steps", 0, "goal"], {"all": []},
     "my.json: step 1: goal.all: expected a non-empty list of goals"),
    (["steps", 0, "goal"], {"some": [{"event": "played"}]},
     "my.json: step 1: goal: unknown kind of goal 'some' (allowed: metric, config, event, all, "
     "any)"),
    (["steps", 0, "goal"], {"all": [{"any": [{"all": [{"any": [{"event": "played"}]}]}]}]},
     "my.json: step 1: goal.all[0].any[0].all[0].any[0]: goals nest too deep (allowed: 1 to 4)"),
    (["steps", 1, "goal"], {"config": "activation", "equals": "swish2"},
     "my.json: step 2: goal.equals: 'swish2' is not one of the allowed names (allowed: sigmoid, "
     "tanh, relu, leaky_relu, elu, softplus, swish, mish, sine, linear)"),
    (["steps", 0, "question", "answer"], 2,
     "my.json: step 1: question.answer: 2 is not the index of a choice (0 is the first) "
     "(allowed: 0 to 1)"),
    (["steps", 0, "question", "choices"], ["only one"],
     "my.json: step 1: question.choices: expected a list of 2 to 6 answers (allowed: 2 to 6)"),
    (["steps", 0, "question", "explain"], None, "my.json: step 1: question.explain: required"),
]


@pytest.mark.parametrize("path, value, message", BAD, ids=[
    ".".join(map(str, path)) + f"={value!r}"[:30] for path, value, _ in BAD])
def test_a_bad_lesson_is_refused_naming_file_step_and_field(path, value, message):
    with pytest.raises(LessonError) as caught:
        validate(changed(path, value), DEFAULTS, "my.json")
    problem = caught.value
    assert problem.source == "my.json"
    step = path[1] + 1 if path[0] == "steps" and len(path) > 2 else None
    assert problem.step == step
    field = ".".join(str(p) for p in path[2:] if not isinstance(p, int)) if step else path[0]
    assert problem.field.replace("[", ".").split(".")[0] == field.split(".")[0]
    assert str(problem) == message


def test_a_file_that_is_not_json_names_the_file_and_the_place(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"id": "x",\n "title": }')
    with pytest.raises(LessonError) as caught:
        load_file(path, DEFAULTS)
    assert str(caught.value).startswith(f"{path}: not valid JSON: Expecting value: line 2")


# ---------------------------------------------------------------- the built-in lessons
def test_there_are_at_least_eight_built_in_lessons_of_three_to_eight_steps():
    assert len(BUILTIN_LESSONS) >= 8
    assert len({lesson["id"] for lesson in BUILTIN_LESSONS}) == len(BUILTIN_LESSONS)
    for lesson in BUILTIN_LESSONS:
        assert 3 <= len(lesson["steps"]) <= 8, lesson["id"]
        assert lesson["steps"][0].get("state"), f"{lesson['id']} starts from the learner's run"


@pytest.mark.parametrize("lesson_id, number, step", [s for s in STEPS if "state" in s[2]],
                         ids=[f"{s[0]}-{s[1]}" for s in STEPS if "state" in s[2]])
def test_every_built_in_steps_state_creates_a_session(client, lesson_id, number, step):
    answer = client.post("/api/sessions", json={**step["state"], "snapshot": BARE})
    assert answer.status_code == 201, (lesson_id, number, answer.get_json())
    config = answer.get_json()["config"]
    for field, value in step["state"].items():
        assert config[field] == value, (lesson_id, number, field)


# ---------------------------------------------------------------- the routes
def test_get_lessons_lists_every_built_in_lesson_in_order(client):
    listed = client.get("/api/lessons").get_json()["lessons"]
    assert listed == [{"id": lesson["id"], "title": lesson["title"],
                       "summary": lesson["summary"], "steps": len(lesson["steps"])}
                      for lesson in BUILTIN_LESSONS]


def test_get_one_lesson_answers_it_whole_and_an_unknown_id_is_a_404(client):
    first = BUILTIN_LESSONS[0]
    assert client.get(f"/api/lessons/{first['id']}").get_json() == first
    error = check_error(client.get("/api/lessons/no-such-lesson"), 404)
    assert error["field"] == "lesson"
    assert error["allowed"] == [lesson["id"] for lesson in BUILTIN_LESSONS]


def test_options_serve_the_vocabulary_lessons_use(client):
    options = client.get("/api/options").get_json()
    assert [c["name"] for c in options["controls"]] == list(vocabulary.CONTROLS)
    layers = next(c for c in options["controls"] if c["name"] == "layers")
    assert layers == {"name": "layers", "area": "network",
                      "fields": ["hidden_layers", "layer_activations"]}
    words = options["lessons"]
    assert words["metrics"] == ["epoch", "train_loss", "test_loss", "reg_loss", "learning_rate",
                                "train_accuracy", "test_accuracy", "train_rmse", "test_rmse",
                                "train_r2", "test_r2"]
    assert words["config"][-2:] == ["hidden_neurons", "hidden_layer_count"]
    assert [e["name"] for e in words["events"]] == ["played", "stepped", "reset", "inspected",
                                                    "practice_correct", "compared", "diverged"]
    assert words["regions"] == list(vocabulary.REGIONS)


def test_the_goal_metrics_are_what_a_snapshot_reports(client):
    """Every metric a goal may name is in some session's metrics (classification or
    regression), so a goal on it can be met."""
    seen = set()
    for dataset in ("circle", "plane"):
        answer = client.post("/api/sessions", json={"dataset": dataset, "snapshot": BARE})
        seen |= set(answer.get_json()["snapshot"]["metrics"]) | {"epoch"}
    assert set(vocabulary.GOAL_METRICS) <= seen


# ---------------------------------------------------------------- a teacher's directory
def write(directory, name, lesson):
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(json.dumps(lesson))


def test_a_lesson_directory_serves_its_lessons_after_the_built_in_ones(tmp_path):
    write(tmp_path / "mine", "a.json", GOOD)
    client = test_app(LESSON_DIRS=[str(tmp_path / "mine")]).test_client()
    ids = [lesson["id"] for lesson in client.get("/api/lessons").get_json()["lessons"]]
    assert ids == [lesson["id"] for lesson in BUILTIN_LESSONS] + ["my-lesson"]
    served = client.get("/api/lessons/my-lesson").get_json()
    assert served["steps"][0]["goal"] == GOOD["steps"][0]["goal"]


def test_a_bad_lesson_in_the_directory_stops_the_app_from_starting(tmp_path):
    write(tmp_path / "mine", "good.json", GOOD)
    write(tmp_path / "mine", "worse.json", changed(["steps", 1, "goal"], {"event": "clapped"}))
    with pytest.raises(LessonError) as caught:
        create_app({"LESSON_DIRS": [str(tmp_path / "mine")]})
    assert str(caught.value).startswith(
        f"{tmp_path / 'mine' / 'worse.json'}: step 2: goal.event: 'clapped' is not one")


def test_an_id_used_twice_is_refused_naming_both_files(tmp_path):
    write(tmp_path / "mine", "a.json", GOOD)
    write(tmp_path / "mine", "b.json", GOOD)
    with pytest.raises(LessonError, match=r"b\.json: id: 'my-lesson' is already the id of "
                                          r".*a\.json: give this lesson another id"):
        load_library([str(tmp_path / "mine")], DEFAULTS)
    write(tmp_path / "other", "c.json", {**GOOD, "id": BUILTIN_LESSONS[0]["id"]})
    with pytest.raises(LessonError, match="is already the id of built-in lesson"):
        load_library([str(tmp_path / "other")], DEFAULTS)


def test_built_in_lessons_that_do_not_fit_smaller_limits_are_left_out():
    """A server started with one hidden layer at most still starts; it serves the lessons
    whose states fit (one neuron: no hidden layer) and leaves out those that use two."""
    client = test_app(MAX_HIDDEN_LAYERS=1).test_client()
    served = {lesson["id"] for lesson in client.get("/api/lessons").get_json()["lessons"]}
    assert "one-neuron" in served and "learning-rate" not in served


def test_the_command_line_takes_a_lesson_directory_and_refuses_a_bad_one(tmp_path, capsys):
    write(tmp_path / "mine", "bad.json", changed(["steps", 0, "highlight"], "everything"))
    args = parse_args(["--lessons", str(tmp_path / "mine")], environ={})
    assert app_config(args)["LESSON_DIRS"] == [str(tmp_path / "mine")]
    env = parse_args([], environ={"PLAYGROUND_LESSONS": str(tmp_path / "mine")})
    assert app_config(env)["LESSON_DIRS"] == [str(tmp_path / "mine")]
    assert main(["--lessons", str(tmp_path / "mine"), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 'mine' / 'bad.json'}: step 1: highlight: "
                          "'everything' is not one of the allowed names")


def test_python_m_app_with_lessons_serves_the_teachers_lesson(tmp_path):
    write(tmp_path / "mine", "a.json", GOOD)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "app", "--port", "0", "--lessons",
                             str(tmp_path / "mine")], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        said = proc.stdout.readline()
        assert said == (f"Lessons: {len(BUILTIN_LESSONS) + 1}, from the built-in ones and "
                        f"{tmp_path / 'mine'}\n")
        url = proc.stdout.readline().split(" at ")[1].strip().rstrip("/")
        with urllib.request.urlopen(f"{url}/api/lessons/my-lesson", timeout=30) as answer:
            assert json.loads(answer.read())["title"] == "A lesson"
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0


# ---------------------------------------------------------------- the documentation
DOC = (ROOT / "docs" / "lessons.md").read_text()


def test_the_example_a_teacher_copies_from_the_docs_validates():
    example = re.search(r"## A complete example.*?```json\n(.*?)```", DOC, re.S).group(1)
    lesson = validate(json.loads(example), DEFAULTS, "docs/lessons.md")
    assert lesson["id"] == "decision-boundary" and len(lesson["steps"]) == 3


def test_the_docs_name_every_control_region_metric_and_event_there_is():
    def names(start, end):
        return set(re.findall(r"`(\w+)`", DOC[DOC.index(start):DOC.index(end)]))

    assert names("### Controls", "### Regions") - {"hide", "lock"} == set(vocabulary.CONTROLS)
    assert set(vocabulary.REGIONS) <= names("### Regions", "## The built-in lessons")
    goals = names("### Goals", "### Controls")
    assert set(vocabulary.GOAL_METRICS) | set(vocabulary.NUMERIC_CONFIG) | set(vocabulary.EVENTS) <= goals


# ---------------------------------------------------------------- python -m app.lessons check
def check(*files):
    return subprocess.run([sys.executable, "-m", "app.lessons", "check", *map(str, files)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_check_accepts_good_files_and_exits_zero(tmp_path):
    write(tmp_path, "good.json", GOOD)
    result = check(tmp_path / "good.json", BUILTIN[0])
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"ok: {tmp_path / 'good.json'} — my-lesson, 2 steps",
        f"ok: {BUILTIN[0]} — {BUILTIN_LESSONS[0]['id']}, {len(BUILTIN_LESSONS[0]['steps'])} steps"]


def test_check_names_each_problem_and_exits_one(tmp_path):
    write(tmp_path, "good.json", GOOD)
    write(tmp_path, "bad.json", changed(["steps", 0, "question", "answer"], 5))
    result = check(tmp_path / "good.json", tmp_path / "bad.json", tmp_path / "missing.json")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"ok: {tmp_path / 'good.json'} — my-lesson, 2 steps"]
    assert result.stderr.splitlines() == [
        f"error: {tmp_path / 'bad.json'}: step 1: question.answer: 5 is not the index of a "
        "choice (0 is the first) (allowed: 0 to 1)",
        f"error: {tmp_path / 'missing.json'}: cannot be read (No such file or directory)"]


def test_check_without_files_is_a_usage_error():
    result = check()
    assert result.returncode == 2
    assert "FILE" in result.stderr
