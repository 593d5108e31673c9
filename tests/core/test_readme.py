"""The README's engine example runs, and prints what the README says it prints."""

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def engine_example():
    """(code, text after it) of the first python block after a heading mentioning the engine,
    else of the first python block; None when there is none."""
    if not README.exists():
        return None
    text = README.read_text(encoding="utf-8")
    heading = re.search(r"^#+ .*engine.*$", text, re.M | re.I)
    match = BLOCK.search(text, heading.end()) if heading else None
    match = match or BLOCK.search(text)
    if match is None:
        return None
    return match.group(1), text[match.end():]


def test_readme_engine_example_runs():
    found = engine_example()
    if found is None:
        pytest.skip("README.md has no ```python example yet")
    code, after = found
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README) + ":example", "exec"), {"__name__": "readme_example"})
    printed = out.getvalue().splitlines()
    # "prints `...` and `...`" right after the block: each quoted output must be a printed line.
    claim = re.match(r"\s*prints (.*?)(?:\n\n|$)", after, re.S)
    if claim:
        expected = re.findall(r"`([^`]+)`", claim.group(1))
        assert expected, "the README says the example prints something but quotes nothing"
        for line in expected:
            assert line in printed, f"README says the example prints {line!r}; it printed {printed}"
