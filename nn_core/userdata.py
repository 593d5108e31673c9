"""Points that users bring themselves: JSON rows or CSV text in, validated arrays out.

Bringing their own data is what TF Playground users ask for most, and a learner fixing a file
needs every mistake at once, so validation collects a reason for each bad row (numbered as the
user sees it: list position, or line number in the CSV text) and raises them together.
"""

import math

import numpy as np

from .errors import ConfigError, check_number
from .network import PROBLEMS

COLUMNS = ["x1", "x2", "label"]
MAX_CLASSES = 10  # when n_classes is not given it is inferred from the labels, up to this
SHOWN_IN_MESSAGE = 5  # the message summarises the first few rows; `errors` has them all


class UserDataError(ConfigError):
    """Bad rows in user data; `errors` lists every one as {"row": number, "reason": text}."""

    def __init__(self, errors, allowed=None, unit="row"):
        self.errors = list(errors)
        first = self.errors[:SHOWN_IN_MESSAGE]
        shown = "; ".join(f"{unit} {e['row']}: {e['reason']}" for e in first)
        more = len(self.errors) - SHOWN_IN_MESSAGE
        if more > 0:
            shown += f"; and {more} more"
        plural = "s" if len(self.errors) != 1 else ""
        super().__init__("points", f"{len(self.errors)} bad {unit}{plural}: {shown}", allowed)


def _show(value):
    return f"{value:.10g}"


def _number_from_text(text):
    """(value, None) or (None, reason) for one CSV cell."""
    cell = text.strip().strip('"').strip()
    if not cell:
        return None, "is empty"
    try:
        return float(cell), None
    except ValueError:
        return None, f"{cell!r} is not a number"


def _number_from_json(cell):
    """(value, None) or (None, reason) for one JSON-decoded cell: numbers only, not text."""
    number = isinstance(cell, (int, float, np.integer, np.floating))
    if isinstance(cell, (bool, np.bool_)) or not number:
        shown = repr(cell) if isinstance(cell, str) else type(cell).__name__
        return None, f"{shown} is not a number"
    try:
        return float(cell), None
    except OverflowError:  # an int too large for a float is as useless as infinity
        return math.inf, None


def _csv_rows(text):
    """(line number, cells) of each data line: blank lines and the header skipped."""
    rows = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split(",")
        if not rows and _is_header(cells):
            continue
        rows.append((number, cells))
    return rows


def _is_header(cells):
    """True if `cells` is the optional header "x1,x2,label" (any case, any spacing)."""
    return [c.strip().strip('"').strip().lower() for c in cells] == COLUMNS


def _label_reason(value, problem, n_classes):
    """Why `value` is not a label for `problem`, or None if it is fine."""
    if problem == "binary":
        if value in (0.0, 1.0):
            return None
        hint = " (TF Playground's -1 class is 0 here)" if value == -1.0 else ""
        return f"label must be 0 or 1, got {_show(value)}{hint}"
    if problem == "multiclass":
        limit = n_classes if n_classes is not None else MAX_CLASSES
        if value.is_integer() and 0 <= value < limit:
            return None
        return f"label must be an integer class id in [0, {limit}), got {_show(value)}"
    return None  # regression: any finite number, checked with the other cells


def _parse_row(cells, parse, problem, n_classes, coord_limit, first_line=False):
    """([x1, x2, label], None) or (None, reason) for one row of raw cells."""
    if len(cells) != 3:
        reason = f"expected 3 columns (x1, x2, label), got {len(cells)}"
        if len(cells) == 1 and isinstance(cells[0], str) and (";" in cells[0] or "\t" in cells[0]):
            reason += " (separate values with commas)"
        return None, reason
    values, reasons = [], []
    for name, cell in zip(COLUMNS, cells):
        value, why = parse(cell)
        if why is None and not math.isfinite(value):
            why = f"is not finite ({_show(value)})"
        elif why is None and name != "label" and abs(value) > coord_limit:
            why = f"= {_show(value)} is outside [{_show(-coord_limit)}, {_show(coord_limit)}]"
        elif why is None and name == "label":
            label_why = _label_reason(value, problem, n_classes)
            if label_why:
                reasons.append(label_why)
                continue
        if why is not None:
            reasons.append(f"{name} {why}")
        values.append(value)
    if first_line and len(reasons) == 3 and all("not a number" in r for r in reasons):
        # A first line of words is a header with other names, not three bad numbers.
        return None, f"unexpected header; expected {','.join(COLUMNS)} (or no header line)"
    return (values, None) if not reasons else (None, ", ".join(reasons))


def load_points(source, problem, n_classes=None, max_points=5000, coord_limit=6.0):
    """Validated `(points (n, 2) float64, labels)` from rows `[[x1, x2, label], ...]` or CSV
    text with columns x1,x2,label (optional header, blank lines ignored).

    Labels come back int64 for "binary" (0/1) and "multiclass" (0..n_classes-1; n_classes
    inferred as max label + 1 when None), float64 for "regression". Every bad row is reported
    in one `UserDataError`; no points or more than `max_points` raise ConfigError("points").
    """
    if problem not in PROBLEMS:
        raise ConfigError("problem", f"unknown problem {problem!r}", list(PROBLEMS))
    if problem == "multiclass" and n_classes is not None:
        n_classes = check_number("n_classes", n_classes, 2, MAX_CLASSES, integer=True)
    max_points = check_number("max_points", max_points, 1, 10**7, integer=True)
    coord_limit = check_number("coord_limit", coord_limit, 0.0, 1e12)

    if isinstance(source, str):
        rows = _csv_rows(source)
        parse, unit = _number_from_text, "line"
    elif isinstance(source, (list, tuple, np.ndarray)):
        rows = list(enumerate(source, start=1))
        parse, unit = _number_from_json, "row"
    else:
        raise ConfigError("points",
                          f"expected CSV text or a list of rows, got {type(source).__name__}",
                          "CSV text or [[x1, x2, label], ...]")
    # Counting first: a 1,000,000-line paste is refused before any row is parsed.
    if not rows:
        raise ConfigError("points", "no points given", [1, max_points])
    if len(rows) > max_points:
        raise ConfigError("points", f"{len(rows)} points is too many", [1, max_points])

    values, errors = [], []
    for index, (number, cells) in enumerate(rows):
        if isinstance(cells, str) or not hasattr(cells, "__len__"):
            errors.append({"row": number, "reason": "expected a list [x1, x2, label]"})
            continue
        row, reason = _parse_row(list(cells), parse, problem, n_classes, coord_limit,
                                  first_line=(unit == "line" and index == 0))
        if reason:
            errors.append({"row": number, "reason": reason})
        else:
            values.append(row)
    if errors:
        raise UserDataError(errors, _allowed(problem, n_classes, coord_limit), unit)

    table = np.array(values, dtype=np.float64)
    points = np.ascontiguousarray(table[:, :2])
    if problem == "regression":
        return points, np.ascontiguousarray(table[:, 2])
    labels = table[:, 2].astype(np.int64)
    if problem == "multiclass" and n_classes is None and labels.max() < 1:
        raise ConfigError("n_classes", "every label is 0: a multi-class problem needs two classes",
                          [2, MAX_CLASSES])
    return points, labels


def _allowed(problem, n_classes, coord_limit):
    label = {
        "binary": "label 0 or 1",
        "multiclass": f"label an integer in [0, {n_classes or MAX_CLASSES})",
        "regression": "label a finite number",
    }[problem]
    lim = _show(coord_limit)
    return f"rows x1,x2,label with x1 and x2 in [-{lim}, {lim}] and {label}"


def to_csv(points, labels):
    """CSV text "x1,x2,label" of the points, exact: load_points gives back the same float64s."""
    points = np.asarray(points)
    labels = np.asarray(labels)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ConfigError("points", f"expected shape (n, 2), got {points.shape}", "(n, 2) array")
    if labels.shape != (len(points),):
        raise ConfigError("labels", f"expected shape ({len(points)},), got {labels.shape}",
                          "one label per point")
    # repr of a Python float is the shortest text that parses back to the same float64.
    lines = [",".join(COLUMNS)]
    for (x1, x2), label in zip(points.tolist(), labels.tolist()):
        lines.append(f"{x1!r},{x2!r},{label!r}")
    return "\n".join(lines) + "\n"
