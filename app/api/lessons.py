"""Lessons: `GET /api/lessons` (the list) and `GET /api/lessons/<id>` (one whole lesson).

The app loads and validates them once, when it is created (`app/lessons/library.py`: the
built-ins and every `LESSON_DIRS` directory); these routes only read that library. Stateless:
nothing here touches a session (a step's `state` is applied by the page with POST /api/sessions).
"""

from flask import Blueprint, current_app

from ..session.errors import ApiError

bp = Blueprint("lessons", __name__, url_prefix="/api")


def library():
    return current_app.extensions["lessons"]


@bp.get("/lessons")
def list_lessons():
    return {"lessons": library().summaries()}


@bp.get("/lessons/<lesson_id>")
def get_lesson(lesson_id):
    lesson = library().get(lesson_id)
    if lesson is None:
        raise ApiError(404, f"no lesson {lesson_id[:64]!r}", "lesson", list(library().lessons))
    return lesson
