"""`python -m app.lessons check FILE…`: validate lesson files as the server would.

Prints one line per file (`ok: FILE — id, n steps`, or the problem naming the file, the step
and the field) and exits 0 when every file is good, 1 when any is not (2: a usage error). The
checks use the server's default limits; an id a built-in lesson already has is refused too.
"""

import argparse
import sys
from pathlib import Path

from ..capacity.limits import DEFAULTS
from .format import LessonError
from .library import Library, builtin_files, load_file


def check(paths, out=sys.stdout, err=sys.stderr):
    """Validate `paths`; the exit status (0 all good, 1 any bad)."""
    library = Library()
    given = {Path(p).resolve() for p in paths}
    for path in builtin_files():
        if path.resolve() not in given:   # a built-in lesson being checked is not a duplicate
            library.add(load_file(path, DEFAULTS), f"built-in lesson {path.name}")
    bad = 0
    for path in paths:
        try:
            lesson = load_file(path, DEFAULTS)
            library.add(lesson, str(path))
        except LessonError as problem:
            print(f"error: {problem}", file=err)
            bad += 1
            continue
        n = len(lesson["steps"])
        print(f"ok: {path} — {lesson['id']}, {n} step{'' if n == 1 else 's'}", file=out)
    return 1 if bad else 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m app.lessons",
                                     description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    checker = commands.add_parser("check", help="validate lesson files (JSON)")
    checker.add_argument("files", nargs="+", metavar="FILE", help="lesson files to check")
    args = parser.parse_args(argv)
    return check(args.files)


if __name__ == "__main__":
    sys.exit(main())
