"""Lessons: guided steps that set up the playground, say what to look at and check that the
learner did it — the built-in ones and a teacher's own files (docs/lessons.md).

- `vocabulary.py` — the words a lesson may use (controls, regions, goal metrics, config names,
  events), defined once; `/api/options` serves them;
- `format.py` — the lesson format and its validator (`LessonError` names file, step and field);
- `library.py` — lessons from files: the built-ins in `builtin/`, a teacher's directory;
- `__main__.py` — `python -m app.lessons check FILE…`.

No Flask here: a teacher's script can check a lesson, and the server loads them once at start
(`create_app({"LESSON_DIRS": [...]})`, `app/api/lessons.py` serves them).
"""

from .format import LessonError, validate
from .library import Library, load_file, load_library

__all__ = ["LessonError", "Library", "load_file", "load_library", "validate"]
