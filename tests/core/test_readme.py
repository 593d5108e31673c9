"""The README's engine example runs and prints what the README says it prints, and its table of
optimizer defaults is the code's. Finding nothing to check is a failure, not a skip."""

import contextlib
import io
import re
from pathlib import Path

from nn_core import OPTIMIZERS

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
    assert found is not None, "README.md has no ```python example of the engine to check"
    code, after = found
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README) + ":example", "exec"), {"__name__": "readme_example"})
    printed = out.getvalue().splitlines()
    # "prints `...` and `...`" right after the block: each quoted output must be a printed line.
    claim = re.match(r"\s*prints (.*?)(?:\n\n|$)", after, re.S)
    assert claim, "the README must say right after the example what it prints (prints `...`)"
    expected = re.findall(r"`([^`]+)`", claim.group(1))
    assert expected, "the README says the example prints something but quotes nothing"
    for line in expected:
        assert line in printed, f"README says the example prints {line!r}; it printed {printed}"


SYMBOLS = {"μ": "momentum", "ρ": "rho", "ε": "eps", "β₁": "beta1", "β₂": "beta2"}


def test_readme_optimizer_defaults_are_the_codes():
    text = README.read_text(encoding="utf-8")
    header = "| optimizer | `nn_core` defaults | PyTorch defaults |"
    assert header in text, "README.md has no table of optimizer defaults"
    lines = text[text.index(header):].split("\n\n")[0].splitlines()[2:]
    table = {}
    for line in lines:
        name, ours = re.match(r"\| `(\w+)` \| ([^|]*) \|", line).groups()
        table[name] = {SYMBOLS[sym]: float(value)
                       for sym, value in re.findall(r"(μ|ρ|ε|β₁|β₂) = ([0-9.e-]+)", ours)}
    assert list(table) == OPTIMIZERS.names(), f"README's optimizer table lists {list(table)}"
    for name, documented in table.items():
        assert documented == OPTIMIZERS.get(name).defaults, name
