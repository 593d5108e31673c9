"""A session's points: the split arrays, generating them from a configuration, and reading
the points a client sends to start a session on (`POST /api/sessions` with `points`).

Points live in the input plane [-6, 6]² (nn_core's `datasets.PLANE`); labels are int64 class
ids for classification and float64 values for regression.
"""

import functools
from dataclasses import dataclass

import numpy as np

from nn_core import datasets
from nn_core.userdata import load_points

from ..capacity.limits import COORD_LIMIT
from . import config as cfg
from .errors import ApiError, bad_type
from .validate import check_keys, number, string


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
        """`{"train": [[x1, x2, label], ...], "test": [...]}`; float64 values survive exactly."""
        def rows(points, labels):
            return [[x1, x2, y] for (x1, x2), y in zip(points.tolist(), labels.tolist())]
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
