"""A lesson: its format and its validation (docs/lessons.md is the reference).

    {"id": "one-neuron", "title": "…", "summary": "…",
     "steps": [{"title": "…", "text": "Markdown …",
                "state": {<fields of POST /api/sessions>}, "hide": [control, …],
                "lock": [control, …], "highlight": region or control,
                "goal": {"metric": M, "below": x} | {"config": C, "equals": v}
                        | {"event": E} | {"all": [goal, …]} | {"any": [goal, …]},
                "question": {"prompt", "choices": [2 to 6], "answer": index, "explain"}}]}

`validate(raw, limits, source)` checks a parsed lesson against the vocabulary (`vocabulary.py`)
and the server's limits (a step's `state` is checked exactly as `POST /api/sessions` checks it)
and returns it as it is served: the same JSON, with a feature list in the engine's order. Any
problem raises `LessonError` naming the file, the step (counted from 1, as the page and links
count) and the field, with what is allowed.
"""

import math
import re

from nn_core import datasets, features
from nn_core.activations import ACTIVATIONS, OUTPUT_ONLY
from nn_core.errors import ConfigError
from nn_core.initializers import INITIALIZERS
from nn_core.losses import LOSSES
from nn_core.network import PROBLEMS
from nn_core.optimizers import OPTIMIZERS
from nn_core.regularizers import REGULARIZERS
from nn_core.schedules import SCHEDULES

from ..session import config as cfg
from ..session.errors import ApiError
from . import vocabulary as vocab

ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
ID_RULE = "1 to 64 lowercase letters, digits and hyphens, starting with a letter or digit"
TITLE_CHARS = 120
SUMMARY_CHARS = 600
TEXT_CHARS = 6000
STEPS_RANGE = (1, 30)
CHOICES_RANGE = (2, 6)

LESSON_KEYS = ("id", "title", "summary", "steps")
STEP_KEYS = ("title", "text", "state", "hide", "lock", "highlight", "goal", "question")
QUESTION_KEYS = ("prompt", "choices", "answer", "explain")


class LessonError(ValueError):
    """A lesson that cannot be served: where (file, step, field), what is wrong, what is allowed."""

    def __init__(self, source, step, field, message, allowed=None):
        self.source = source
        self.step = step          # counted from 1; None: the lesson itself
        self.field = field
        self.message = message
        self.allowed = allowed
        super().__init__(self.describe())

    def describe(self):
        where = [self.source or "lesson"]
        if self.step is not None:
            where.append(f"step {self.step}")
        if self.field:
            where.append(self.field)
        text = f"{': '.join(where)}: {self.message}"
        if self.allowed:
            text += f" (allowed: {_allowed_text(self.allowed)})"
        return text


def _allowed_text(allowed):
    if isinstance(allowed, (list, tuple)) and len(allowed) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in allowed):
        return f"{allowed[0]} to {allowed[1]}"
    if isinstance(allowed, (list, tuple)):
        return ", ".join(str(v) for v in allowed)
    return str(allowed)


def _kind(value):
    return {bool: "true or false", str: "a string", dict: "an object", list: "an array",
            type(None): "null", int: "a number", float: "a number"}.get(type(value), "a value")


class _Checker:
    """Checks one lesson; `fail` raises with the file and the step being checked."""

    def __init__(self, source, limits):
        self.source = source
        self.limits = limits
        self.step = None

    def fail(self, field, message, allowed=None):
        raise LessonError(self.source, self.step, field, message, allowed)

    def keys(self, field, obj, allowed, required=()):
        if not isinstance(obj, dict):
            self.fail(field, f"expected an object, got {_kind(obj)}")
        for key in obj:
            if key not in allowed:
                self.fail(f"{field}.{key}" if field else key, "unknown field", list(allowed))
        for key in required:
            if key not in obj:
                self.fail(f"{field}.{key}" if field else key, "required")

    def text(self, field, value, most, empty=False):
        if not isinstance(value, str):
            self.fail(field, f"expected a string, got {_kind(value)}")
        if not empty and not value.strip():
            self.fail(field, "must not be empty")
        if len(value) > most:
            self.fail(field, f"{len(value)} characters is too long", [0 if empty else 1, most])
        return value

    def number(self, field, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(field, f"expected a finite number, got {_kind(value)}")
        return value

    def names(self, field, value, allowed):
        if not isinstance(value, list):
            self.fail(field, f"expected a list of names, got {_kind(value)}", list(allowed))
        for i, name in enumerate(value):
            self.name(f"{field}[{i}]", name, allowed)
        return value

    def name(self, field, value, allowed):
        if not isinstance(value, str):
            self.fail(field, f"expected a name, got {_kind(value)}", list(allowed))
        if value not in allowed:
            self.fail(field, f"{value[:40]!r} is not one of the allowed names", list(allowed))
        return value


def validate(raw, limits, source=None):
    """The lesson as it is served, or `LessonError` (see the module docstring)."""
    check = _Checker(source, limits)
    check.keys("", raw, LESSON_KEYS, required=LESSON_KEYS)
    lesson_id = raw["id"]
    if not isinstance(lesson_id, str) or not ID.fullmatch(lesson_id):
        check.fail("id", f"{str(lesson_id)[:70]!r} is not a lesson id", ID_RULE)
    out = {"id": lesson_id,
           "title": check.text("title", raw["title"], TITLE_CHARS),
           "summary": check.text("summary", raw["summary"], SUMMARY_CHARS)}
    steps = raw["steps"]
    if not isinstance(steps, list):
        check.fail("steps", f"expected a list of steps, got {_kind(steps)}")
    if not STEPS_RANGE[0] <= len(steps) <= STEPS_RANGE[1]:
        check.fail("steps", f"{len(steps)} steps", list(STEPS_RANGE))
    out["steps"] = []
    for number, step in enumerate(steps, start=1):
        check.step = number
        out["steps"].append(_step(check, step))
    return out


def _step(check, raw):
    check.keys("", raw, STEP_KEYS, required=("title", "text"))
    out = {"title": check.text("title", raw["title"], TITLE_CHARS),
           "text": check.text("text", raw["text"], TEXT_CHARS)}
    problem = None
    if "state" in raw:
        out["state"], problem = _state(check, raw["state"])
    for key in ("hide", "lock"):
        if key in raw:
            out[key] = check.names(key, raw[key], vocab.CONTROLS)
    if "highlight" in raw:
        out["highlight"] = check.name("highlight", raw["highlight"],
                                      list(vocab.REGIONS) + list(vocab.CONTROLS))
    if "goal" in raw:
        out["goal"] = _goal(check, "goal", raw["goal"], problem, depth=1)
    if "question" in raw:
        out["question"] = _question(check, raw["question"])
    return out


def _state(check, raw):
    """The step's state as POST /api/sessions would take it (checked by the same code), and the
    problem type it leads to."""
    if not isinstance(raw, dict):
        check.fail("state", f"expected an object of configuration fields, got {_kind(raw)}")
    try:
        config = cfg.normalize(raw, check.limits)
    except ApiError as err:
        check.fail(f"state.{err.field}" if err.field else "state",
                   _without_field(err.message, err.field), err.allowed)
    except ConfigError as err:
        check.fail(f"state.{err.field}", err.reason, err.allowed)
    return dict(raw), config["problem"]


def _without_field(message, field):
    prefix = f"{field}: "
    return message[len(prefix):] if field and message.startswith(prefix) else message


def _goal(check, field, raw, problem, depth):
    if not isinstance(raw, dict) or len(raw) == 0:
        check.fail(field, f"expected a goal object, got {_kind(raw)}",
                   ["metric", "config", "event", *vocab.COMBINATIONS])
    if depth > vocab.MAX_GOAL_DEPTH:
        check.fail(field, "goals nest too deep", [1, vocab.MAX_GOAL_DEPTH])
    if "metric" in raw:
        return _metric_goal(check, field, raw, problem)
    if "config" in raw:
        return _config_goal(check, field, raw)
    if "event" in raw:
        check.keys(field, raw, ("event",))
        return {"event": check.name(f"{field}.event", raw["event"], vocab.EVENTS)}
    for combination in vocab.COMBINATIONS:
        if combination in raw:
            check.keys(field, raw, (combination,))
            parts = raw[combination]
            if not isinstance(parts, list) or not parts:
                check.fail(f"{field}.{combination}", "expected a non-empty list of goals")
            return {combination: [_goal(check, f"{field}.{combination}[{i}]", part, problem,
                                        depth + 1) for i, part in enumerate(parts)]}
    check.fail(field, f"unknown kind of goal {sorted(raw)[0]!r}",
               ["metric", "config", "event", *vocab.COMBINATIONS])


def _one_test(check, field, raw, subject, tests):
    """The goal's one comparison key (`below`, `equals`, …) besides its subject."""
    check.keys(field, raw, (subject, *tests))
    given = [t for t in tests if t in raw]
    if len(given) != 1:
        check.fail(field, f"give exactly one of {', '.join(tests)}", list(tests))
    return given[0]


def _metric_goal(check, field, raw, problem):
    metric = check.name(f"{field}.metric", raw["metric"], vocab.GOAL_METRICS)
    if problem == "regression" and metric in vocab.CLASSIFICATION_METRICS or \
            problem not in (None, "regression") and metric in vocab.REGRESSION_METRICS:
        kind = "regression" if problem == "regression" else "classification"
        usable = [m for m in vocab.GOAL_METRICS if m not in (
            vocab.CLASSIFICATION_METRICS if problem == "regression" else vocab.REGRESSION_METRICS)]
        check.fail(f"{field}.metric", f"this step's state is a {kind} problem, which has no "
                   f"{metric}", usable)
    test = _one_test(check, field, raw, "metric", vocab.METRIC_TESTS)
    return {"metric": metric, test: check.number(f"{field}.{test}", raw[test])}


def _config_goal(check, field, raw):
    name = check.name(f"{field}.config", raw["config"], vocab.GOAL_CONFIG)
    test = _one_test(check, field, raw, "config", vocab.CONFIG_TESTS)
    where = f"{field}.{test}"
    if test != "equals":
        if name not in vocab.NUMERIC_CONFIG:
            check.fail(f"{field}.config", f"{test} compares numbers; {name} is not one",
                       list(vocab.NUMERIC_CONFIG))
        return {"config": name, test: check.number(where, raw[test])}
    return {"config": name, "equals": _config_value(check, where, name, raw["equals"])}


# Configuration fields holding one registered name, with where their names come from.
def _name_fields():
    hidden = [n for n in ACTIVATIONS if n not in OUTPUT_ONLY]
    return {"dataset": datasets.DATASETS.names() + [cfg.CUSTOM], "activation": hidden,
            "output_activation": ACTIVATIONS.names(), "loss": LOSSES.names(),
            "init": INITIALIZERS.names(), "optimizer": OPTIMIZERS.names(),
            "schedule": SCHEDULES.names(), "regularization": REGULARIZERS.names(),
            "problem": list(PROBLEMS)}


def _config_value(check, field, name, value):
    """An `equals` value of the right kind for its field (names checked, features ordered as
    the engine orders them, so it compares equal to the session's configuration)."""
    names = _name_fields()
    if name in names:
        return check.name(field, value, names[name])
    if name == "features":
        try:
            return features.normalize_features(value)
        except ConfigError as err:
            check.fail(field, err.reason, err.allowed)
    if name == "hidden_layers":
        if not isinstance(value, list) or not all(
                isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in value):
            check.fail(field, "expected a list of layer widths (whole numbers from 1)")
        return value
    if name == "layer_activations":
        return None if value is None else check.names(field, value, names["activation"])
    if name in ("optimizer_params", "schedule_params"):
        if not isinstance(value, dict):
            check.fail(field, f"expected an object of numbers, got {_kind(value)}")
        for key, v in value.items():
            check.number(f"{field}.{key}", v)
        return value
    if name == "clip_norm" and value is None:
        return None
    return check.number(field, value)


def _question(check, raw):
    check.keys("question", raw, QUESTION_KEYS, required=QUESTION_KEYS)
    choices = raw["choices"]
    if not isinstance(choices, list) or not CHOICES_RANGE[0] <= len(choices) <= CHOICES_RANGE[1]:
        check.fail("question.choices", "expected a list of 2 to 6 answers", list(CHOICES_RANGE))
    answer = raw["answer"]
    if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(choices):
        check.fail("question.answer", f"{answer!r} is not the index of a choice (0 is the first)",
                   [0, len(choices) - 1])
    return {"prompt": check.text("question.prompt", raw["prompt"], SUMMARY_CHARS),
            "choices": [check.text(f"question.choices[{i}]", c, SUMMARY_CHARS)
                        for i, c in enumerate(choices)],
            "answer": answer,
            "explain": check.text("question.explain", raw["explain"], TEXT_CHARS)}
