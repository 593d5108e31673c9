"""A session's points: the split arrays, generating them from a configuration, reading the
points a client sends to start a session on (`POST /api/sessions` with `points`), and reading
points in the session's input space (a traced `x`, the rows to `predict`).

A point of a plane dataset (and of the learner's own, "custom") is (x1, x2) in the input plane
[-6, 6]² (nn_core's `datasets.PLANE`); a point of a real dataset is its row of `inputs` columns
(64 pixels in [0, 1], or a table's standardised values), each within the set's `value_range`.
Labels are int64 class ids for classification and float64 values for regression.
"""

import csv
import functools
import io
import math
from dataclasses import dataclass

import numpy as np

from nn_core import datasets
from nn_core.principal_plane import principal_plane
from nn_core.userdata import load_points, to_csv

from ..capacity.limits import COORD_LIMIT
from . import config as cfg
from .errors import ApiError, bad_type
from .validate import check_keys, is_number, number, string


@dataclass(frozen=True, eq=False)
class Points:
    """The session's points, split; labels are int64 (classes) or float64 (regression)."""

    train_points: np.ndarray
    train_labels: np.ndarray
    test_points: np.ndarray
    test_labels: np.ndarray

    def __len__(self):
        return len(self.train_points) + len(self.test_points)

    def all(self):
        return (np.concatenate([self.train_points, self.test_points]),
                np.concatenate([self.train_labels, self.test_labels]))

    def as_problem(self, problem):
        """The same points with labels typed for `problem` (regression takes floats)."""
        dtype = np.float64 if problem == "regression" else np.int64
        return Points(self.train_points, self.train_labels.astype(dtype),
                      self.test_points, self.test_labels.astype(dtype))

    def to_json(self):
        """`{"train": [[x1, x2, label], ...], "test": [...]}` (a real set's rows: its inputs,
        then the label); float64 values survive exactly."""
        def rows(points, labels):
            return [[*p, y] for p, y in zip(points.tolist(), labels.tolist())]
        return {"train": rows(self.train_points, self.train_labels),
                "test": rows(self.test_points, self.test_labels)}


def split(points, labels, config):
    X_tr, y_tr, X_te, y_te = datasets.train_test_split(points, labels, config["train_ratio"],
                                                       seed=config["data_seed"])
    return Points(X_tr, y_tr, X_te, y_te)


def split_sizes(n_points, config):
    """(training, test) counts that `split` gives `n_points` points under `config`, asked of
    nn_core's own rule (on empty rows: ~50 µs), so a memory estimate can come first."""
    X_tr, _, X_te, _ = datasets.train_test_split(np.zeros((n_points, 0)), np.zeros(n_points),
                                                 config["train_ratio"], seed=config["data_seed"])
    return len(X_tr), len(X_te)


def generate_points(config):
    """The dataset named in `config`, generated and split (same config → same points)."""
    data = datasets.make_dataset(config["dataset"], n_points=config["n_points"],
                                 noise=config["noise"], seed=config["data_seed"],
                                 n_classes=config["n_classes"])
    return split(data.points, data.labels, config)


def read_given_points(raw, rows, limits):
    """(config, Points, problem) for a session created on exactly the points `rows` =
    `{"train": [[x1, x2, label], ...], "test": [...]}` (dataset "custom")."""
    if not isinstance(raw, dict):
        raise bad_type("config", "a JSON object", raw)
    if not isinstance(rows, dict):
        raise bad_type("points", '{"train": [[x1, x2, label], ...], "test": [...]}', rows)
    check_keys("points", rows, ("train", "test"))
    train, test = rows.get("train"), rows.get("test", [])
    for name, value in (("train", train), ("test", test)):
        if not isinstance(value, list):
            raise bad_type(f"points.{name}", "a list of [x1, x2, label] rows", value)
    total, most = len(train) + len(test), limits["MAX_POINTS"]
    if not train or total < 2 or total > most:  # counted before a single row is parsed
        raise ApiError(422, f"points: {len(train)} training and {len(test)} test points; "
                       "give at least one training point and two in all", "points", [2, most])
    if raw.get("dataset", cfg.CUSTOM) != cfg.CUSTOM:
        raise ApiError(422, 'dataset: a session created with points has the dataset "custom"',
                       "dataset", [cfg.CUSTOM])
    problem = string("problem", raw.get("problem", "binary"), cfg.PROBLEMS)
    n_classes = raw.get("n_classes") if problem == "multiclass" else None
    if n_classes is not None:
        n_classes = number("n_classes", n_classes, datasets.MULTICLASS_RANGE[0],
                           limits["MAX_CLASSES"], integer=True)
    load = functools.partial(load_points, problem=problem, max_points=most,
                             coord_limit=COORD_LIMIT,
                             n_classes=n_classes if n_classes is not None
                             else limits["MAX_CLASSES"] if problem == "multiclass" else None)
    dtype = np.float64 if problem == "regression" else np.int64
    X_train, y_train = load(train)
    X_test, y_test = load(test) if test else (np.empty((0, 2)), np.empty(0, dtype))
    if problem == "multiclass" and n_classes is None:
        n_classes = max(2, int(max(y_train.max(), y_test.max(initial=0))) + 1)
    change = {**raw, "dataset": cfg.CUSTOM, "n_points": total}
    if problem == "multiclass":
        change["n_classes"] = n_classes
    config = cfg.normalize(change, limits, custom_problem=problem, custom_points=total)
    points = Points(X_train, y_train, X_test, y_test).as_problem(config["problem"])
    return config, points, problem


# --------------------------------------------------------------------------- input space
@dataclass(frozen=True)
class InputSpace:
    """What one point of a session's data is: `width` numbers, each in [low, high], named."""

    width: int
    low: float
    high: float
    names: tuple

    def describe(self):
        return f"{self.width} numbers in [{self.low:g}, {self.high:g}]"


def input_space(config):
    """The input space of the session's points: the plane's 2 coordinates within ±COORD_LIMIT,
    or a real set's columns within its `value_range`."""
    if config["features"] is not None:
        return InputSpace(2, -COORD_LIMIT, COORD_LIMIT, ("x1", "x2"))
    info = datasets.DATASETS.info(config["dataset"])
    low, high = info["value_range"]
    return InputSpace(info["inputs"], float(low), float(high), tuple(info["input_names"]))


def read_point(value, space, field):
    """One point (a list of `space.width` numbers) as a float64 array (`width`,): 400 for a
    wrong JSON type, 422 for the wrong count or a value out of range, naming `field[j]`."""
    if isinstance(value, list) and len(value) == space.width \
            and all(type(v) is float or type(v) is int for v in value):
        row = np.array(value, dtype=np.float64)   # the usual case: checked in one go
        if ((row >= space.low) & (row <= space.high)).all():
            return row
    if not isinstance(value, list):
        raise bad_type(field, f"a list of {space.describe()}", value)
    if len(value) != space.width:
        raise ApiError(422, f"{field}: expected {space.width} numbers, got {len(value)}", field,
                       [space.width, space.width])
    for j, v in enumerate(value):
        name = f"{field}[{j}]"
        if not is_number(v):
            raise bad_type(name, "a number", v)
        if not (space.low <= v <= space.high and math.isfinite(v)):
            shown = getattr(v, "text", f"{v:g}")   # a number beyond float's range keeps its text
            raise ApiError(422, f"{name}: {space.names[j]} = {shown} is out of range", name,
                           [space.low, space.high])
    return np.array(value, dtype=np.float64)


def read_points(value, space, field, most):
    """A list of 1 to `most` points (counted before any is read) as a float64 array (n, width);
    errors name `field[i]` or `field[i][j]`."""
    if not isinstance(value, list):
        raise bad_type(field, f"a list of points, each {space.describe()}", value)
    if not 1 <= len(value) <= most:
        raise ApiError(422, f"{field}: {len(value)} points; give 1 to {most}", field, [1, most])
    return np.array([read_point(row, space, f"{field}[{i}]") for i, row in enumerate(value)],
                    dtype=np.float64).reshape(len(value), space.width)


# --------------------------------------------------------------------------- real sets
def plane_json(dataset):
    """A real set's principal plane (nn_core's `principal_plane`) as the page projects with it:
    `{"mean", "components", "bounds", "explained_variance_ratio"}` (u = (x − mean)·componentsᵀ)."""
    plane = principal_plane(dataset)
    return {"mean": plane.mean.tolist(), "components": plane.components.tolist(),
            "bounds": list(plane.bounds),
            "explained_variance_ratio": plane.explained_variance_ratio.tolist()}


def points_csv(points, labels, names=None):
    """CSV text of the points, train then test: `x1,x2,label` (what the data endpoint reads
    back), or with `names` a real set's columns under their names, then `label`."""
    if names is None:
        return to_csv(points, labels)
    text = io.StringIO()
    out = csv.writer(text, lineterminator="\n")
    out.writerow([*names, "label"])
    # repr of a Python float is the shortest text that parses back to the same float64.
    for row, label in zip(points.tolist(), labels.tolist()):
        out.writerow([repr(v) for v in row] + [repr(label)])
    return text.getvalue()
