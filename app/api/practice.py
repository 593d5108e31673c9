"""Practice: the learner computes each number; `POST /api/practice/exercise`, `/api/practice/check`
and `/api/sessions/<id>/practice` (docs/api.md, "Practice").

The exercise and check endpoints are stateless: an exercise is a plain JSON object that the page
holds and sends back with the learner's answers, validated completely (nn_core's
`validate_exercise`: sizes, shapes, names, every number) before anything is computed. The session
endpoint turns the session's own network and one point into such an exercise, the point chosen
exactly as `trace` chooses it. Marking, words and true values are nn_core's (`practice.py`,
`marking.py`); nothing here computes a number.

Answers list the questions in computation order. A large network has many (8 layers of 64
neurons: ~60,000), so they come a page at a time: `quantities` keeps some kinds, `offset` and
`limit` (at most MAX_PRACTICE_QUESTIONS) choose the page; `solution` holds the true values of the
page's questions (what the page's "Reveal" shows).
"""

from flask import Blueprint

from nn_core import features, practice, textbook

from ..capacity.limits import MAX_INDEX, MAX_PRACTICE_ANSWERS, MAX_PRACTICE_QUESTIONS
from ..session.errors import ApiError, bad_type
from ..session.validate import check_keys, number, string
from .inspect import chosen_point, seen_inputs
from .request import json_object, scheduler, session_endpoint

bp = Blueprint("practice", __name__, url_prefix="/api")

EXERCISE_FIELDS = ("seed", "layer_sizes", "activation", "problem", "learning_rate")
PAGE_FIELDS = ("quantities", "offset", "limit")
POINT_FIELDS = ("point", "x", "label")


@bp.post("/practice/exercise")
def exercise():
    body = json_object()
    check_keys("", body, EXERCISE_FIELDS)
    with scheduler().turn():
        ex = practice.exercise(**body)     # every argument checked by nn_core (422 naming it)
        return _page(ex, {})


@bp.post("/practice/check")
def check():
    body = json_object()
    check_keys("", body, ("exercise", "answers"))
    for key in ("exercise", "answers"):
        if key not in body:
            raise ApiError(422, f"{key}: required", key, None)
    answers = body["answers"]
    if not isinstance(answers, dict):
        raise bad_type("answers", "an object of question key: number", answers)
    if len(answers) > MAX_PRACTICE_ANSWERS:
        raise ApiError(422, f"answers: {len(answers)} answers; send at most "
                       f"{MAX_PRACTICE_ANSWERS} at once", "answers", [0, MAX_PRACTICE_ANSWERS])
    with scheduler().turn():
        ex = practice.validate_exercise(body["exercise"])
        return practice.check(ex, answers)


@bp.post("/sessions/<session_id>/practice")
@session_endpoint(keys=POINT_FIELDS + PAGE_FIELDS, options=None, check=False)
def session_practice(req):
    body, session = req.body, req.session
    check_keys("", body, POINT_FIELDS + PAGE_FIELDS)      # no snapshot: nothing changes here
    paging = _paging(body)
    trainer = session.trainer
    if trainer.status != "ok":
        raise ApiError(422, "status: the session has diverged; reset it before practising on it",
                       "status", ["ok"])
    where, xy, label = chosen_point(session, body)
    names = session.config["features"]
    values = features.transform([xy], names)[0]
    # The data loss only: practice's update is w − α·∂L/∂w, whatever the regularization.
    traced = textbook.trace(session.network, values, label, trainer.learning_rate)
    ex = practice.from_trace(traced)
    return {**_page(ex, paging),
            "input": {"point": list(xy), "features": seen_inputs(session), **where}, "label": label,
            "epoch": trainer.epoch, "regularization": trainer.regularizer.name,
            "reg_rate": trainer.reg_rate}


def _paging(body):
    """{"quantities", "offset", "limit"} of a body, checked (before any work)."""
    kinds = body.get("quantities", list(practice.QUANTITIES))
    if not isinstance(kinds, list) or not kinds:
        raise bad_type("quantities", "a non-empty list of quantity names", kinds)
    kinds = [string(f"quantities[{i}]", q, practice.QUANTITIES) for i, q in enumerate(kinds)]
    offset = number("offset", body.get("offset", 0), 0, MAX_INDEX, integer=True)
    limit = number("limit", body.get("limit", MAX_PRACTICE_QUESTIONS), 1, MAX_PRACTICE_QUESTIONS,
                   integer=True)
    return {"quantities": set(kinds), "offset": offset, "limit": limit}


def _page(ex, paging):
    """The exercise, one page of its questions (all of them without paging) and their values."""
    asked = practice.questions(ex)
    if paging:
        asked = [q for q in asked if q["quantity"] in paging["quantities"]]
    total, offset = len(asked), paging.get("offset", 0)
    shown = asked[offset:offset + paging["limit"]] if paging else asked
    true = practice.solution(ex)
    return {"exercise": ex, "questions": shown,
            "solution": {q["key"]: true[q["key"]] for q in shown}, "total": total, "offset": offset}
