"""Lessons from files: the built-in ones (`app/lessons/builtin/*.json`) and a teacher's
(`python -m app --lessons DIR`: every `*.json` in DIR), validated once, when the server starts.

    library = load_library(["my-lessons"], limits)   # LessonError if a teacher's file is bad
    library.summaries()       # [{"id", "title", "summary", "steps": n}, …] built-ins first
    library.get("one-neuron") # the whole lesson, or None

A built-in lesson whose states do not fit the server's limits (a server started with fewer
neurons than a lesson uses) is left out and logged; a teacher's file that does not validate
stops the start, naming the file, the step and the field. An id may be used once.
"""

import logging
from pathlib import Path

from ..session.validate import parse_json
from .format import LessonError, validate

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"
# A lesson is a page of text and a few settings; anything far larger is not one.
MAX_FILE_BYTES = 512 * 1024

log = logging.getLogger(__name__)


def read_file(path):
    """The parsed JSON of a lesson file (LessonError naming the file if it cannot be read)."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LessonError(source, None, None, f"{size} bytes is too large for a lesson",
                              [0, MAX_FILE_BYTES])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise LessonError(source, None, None, "not UTF-8 text") from None
    except OSError as err:
        raise LessonError(source, None, None, f"cannot be read ({err.strerror})") from None
    try:
        return parse_json(text)
    except (ValueError, RecursionError) as err:
        raise LessonError(source, None, None, f"not valid JSON: {err}") from None


def load_file(path, limits):
    return validate(read_file(path), limits, source=str(path))


def lesson_files(directory):
    """Every `*.json` in `directory`, in name order (LessonError if it is not a directory)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise LessonError(str(directory), None, None, "is not a directory of lesson files")
    return sorted(p for p in directory.glob("*.json") if p.is_file())


class Library:
    """Lessons by id, in the order they were added."""

    def __init__(self):
        self.lessons = {}
        self.sources = {}

    def add(self, lesson, source):
        known = self.sources.get(lesson["id"])
        if known is not None:
            raise LessonError(source, None, "id", f"{lesson['id']!r} is already the id of "
                              f"{known}: give this lesson another id")
        self.lessons[lesson["id"]] = lesson
        self.sources[lesson["id"]] = source

    def get(self, lesson_id):
        return self.lessons.get(lesson_id)

    def summaries(self):
        return [{"id": lesson["id"], "title": lesson["title"], "summary": lesson["summary"],
                 "steps": len(lesson["steps"])} for lesson in self.lessons.values()]

    def __len__(self):
        return len(self.lessons)


def builtin_files():
    return lesson_files(BUILTIN_DIR)


def load_library(directories, limits):
    """The built-in lessons that fit `limits`, then every lesson in `directories`."""
    library = Library()
    for path in builtin_files():
        try:
            library.add(load_file(path, limits), f"built-in lesson {path.name}")
        except LessonError as err:
            log.warning("built-in lesson left out: %s", err)
    for directory in directories:
        for path in lesson_files(directory):
            library.add(load_file(path, limits), str(path))
    return library
