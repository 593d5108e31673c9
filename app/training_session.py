"""One learner's session: its configuration, points, network and trainer, behind one lock.

This module translates between the configuration (names and numbers from the browser) and
nn_core objects; it does no math of its own. Every method that touches the network runs under
`session.lock`, so requests to one session are serialised: a step racing a PATCH or a reset
sees the state before or after it, never in between. Rebuilds construct complete new objects
first and only then replace the old ones, so a change that fails half-way (a ConfigError from
the engine) leaves the session exactly as it was.
"""

import functools
import secrets
import threading
import time
from dataclasses import dataclass

import numpy as np

from nn_core import Network, Trainer, datasets, features
from nn_core.userdata import load_points, to_csv

from . import config as cfg
from .body import check_keys, number, string
from .errors import ApiError, bad_type

COORD_LIMIT = datasets.PLANE  # user points live in the same [-6, 6]² plane as the datasets


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


def generate_points(config):
    """The dataset named in `config`, generated and split (same config → same points)."""
    data = datasets.make_dataset(config["dataset"], n_points=config["n_points"],
                                 noise=config["noise"], seed=config["data_seed"],
                                 n_classes=config["n_classes"])
    return split(data.points, data.labels, config)


def build_network(config):
    return Network(cfg.layer_sizes(config), activation=cfg.hidden_activations(config),
                   output_activation=config["output_activation"], loss=config["loss"],
                   init=config["init"], seed=config["seed"], problem=config["problem"])


def live_settings(config):
    return {key: config[key] for key in cfg.LIVE_FIELDS}


def build_trainer(network, points, config, limits):
    names = config["features"]
    points = points.as_problem(config["problem"])
    return Trainer(network,
                   features.transform(points.train_points, names), points.train_labels,
                   features.transform(points.test_points, names), points.test_labels,
                   history_capacity=limits["HISTORY_ROWS"], **live_settings(config))


class TrainingSession:
    """Config + points + network + trainer; use only while holding `lock`."""

    def __init__(self, config, points, trainer, limits, custom_problem=None):
        self.id = None
        self.lock = threading.RLock()
        self.limits = limits
        self.config = config
        self.points = points
        self.trainer = trainer
        self.custom_problem = custom_problem

    @property
    def network(self):
        return self.trainer.net

    # ----------------------------------------------------------------- creation
    @classmethod
    def create(cls, raw, limits, points=None):
        """A new session from a configuration (any subset of the fields).

        With `points` (`{"train": [[x1, x2, label], ...], "test": [...]}`) it starts on exactly
        those points and that split, as dataset "custom": a link or a recovered session then
        trains on the same data it had.
        """
        if points is not None:
            return cls._create_on_points(raw, points, limits)
        config = cfg.normalize(raw, limits)
        points = generate_points(config)
        trainer = build_trainer(build_network(config), points, config, limits)
        return cls(config, points, trainer, limits)

    @classmethod
    def _create_on_points(cls, raw, rows, limits):
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
        trainer = build_trainer(build_network(config), points, config, limits)
        return cls(config, points, trainer, limits, custom_problem=problem)

    @classmethod
    def on_points(cls, config, points, limits, custom_problem=None):
        """A new session with a complete, normalised `config` on exactly `points` (a `Points`,
        already split), nothing regenerated: a fork shares its source's data this way."""
        trainer = build_trainer(build_network(config), points, config, limits)
        return cls(config, points.as_problem(config["problem"]), trainer, limits, custom_problem)

    def normalize(self, raw):
        return cfg.normalize(raw, self.limits, custom_problem=self.custom_problem,
                             custom_points=len(self.points))

    # ----------------------------------------------------------------- changes
    def patch(self, change):
        """Apply a config change; returns (reinitialized, rebuilt parts, data changed)."""
        if not isinstance(change, dict):
            raise ApiError(400, "body: expected a JSON object", "body", None)
        new = self.normalize(cfg.merge(self.config, change))
        changed = cfg.changed_fields(self.config, new)
        data_changed = any(k in cfg.DATA_FIELDS for k in changed)
        net_changed = any(k in cfg.NETWORK_FIELDS for k in changed) or (
            "n_classes" in changed and new["problem"] == "multiclass")
        if not (data_changed or net_changed):
            live = {k: new[k] for k in changed}
            if live:
                self._set_live(live, new)
            self.config = new
            return False, [], False
        points = self.points
        if data_changed:
            if new["dataset"] == cfg.CUSTOM:
                points = split(*points.all(), new)  # user points: only the split can change
            else:
                points = generate_points(new)
        trainer = build_trainer(build_network(new), points, new, self.limits)
        # Everything built: swap it in as one.
        self.config, self.points, self.trainer = new, points.as_problem(new["problem"]), trainer
        if new["dataset"] != cfg.CUSTOM:
            self.custom_problem = None
        rebuilt = (["data"] if data_changed else []) + (["network"] if net_changed else [])
        return True, rebuilt + ["training"], data_changed

    def _set_live(self, live, new):
        args = {}
        for kind in ("optimizer", "schedule"):
            params = f"{kind}_params"
            if kind in live:
                args[kind], args[params] = new[kind], new[params]
            elif params in live:
                args[params] = new[params]
        for key in ("learning_rate", "regularization", "reg_rate", "batch_size", "clip_norm"):
            if key in live:
                args[key] = new[key]
        self.trainer.set_hyperparams(**args)

    # ----------------------------------------------------------------- training
    def step(self, epochs=None, batches=None, max_ms=250):
        """Train; returns `done` = {epochs, batches, stopped_early, elapsed_ms}."""
        trainer = self.trainer
        epoch0, steps0 = trainer.epoch, trainer.steps
        started = time.perf_counter()
        if batches is not None:
            trainer.step(batches, time_limit=max_ms / 1000.0)
            wanted, got = batches, trainer.steps - steps0
        else:
            trainer.run(epochs, time_limit=max_ms / 1000.0)
            wanted, got = epochs, trainer.epoch - epoch0
        elapsed = (time.perf_counter() - started) * 1000.0
        return {"epochs": trainer.epoch - epoch0, "batches": trainer.steps - steps0,
                "stopped_early": got < wanted, "elapsed_ms": round(elapsed, 3)}

    def reset(self, reseed=False):
        self.trainer.reset(reseed=reseed)
        if reseed:  # the new seed goes into the config, so the config still reproduces it
            self.config = {**self.config, "seed": int(self.network.seed)}

    def set_weight(self, layer, param, source, target, value):
        """Set W[source, target] (param "W") or b[target] (param "b") of one layer, live."""
        layers = self.network.layers
        n = len(layers)
        layer = _index("layer", layer, n)
        dense = layers[layer]
        target = _index("to", target, dense.n_out)
        if param == "W":
            if source is None:
                raise ApiError(422, "from: a weight needs the neuron it comes from", "from",
                               [0, dense.n_in - 1])
            row = _index("from", source, dense.n_in)
        else:
            if source is not None:
                raise ApiError(422, "from: a bias has no source neuron; leave it out", "from",
                               None)
            row = dense.n_in  # nn_core addresses the bias as the row after the weights
        self.network.set_weight(layer, row, target, value)
        self.trainer.refresh()

    # ----------------------------------------------------------------- data
    def regenerate(self, data_seed=None):
        """New points from a new data seed; weights and history are kept (TF's "Regenerate")."""
        if data_seed is None:
            data_seed = secrets.randbelow(2**31)
        new = self.normalize({**self.config, "data_seed": data_seed})
        if new["dataset"] == cfg.CUSTOM:
            points = split(*self.points.all(), new)
        else:
            points = generate_points(new)
        self._set_points(points, new)

    def load_user_points(self, source):
        """Validated user points for this session's problem (UserDataError lists bad rows)."""
        problem = self.config["problem"]
        n_classes = self.config["n_classes"] if problem == "multiclass" else None
        return load_points(source, problem, n_classes=n_classes,
                           max_points=self.limits["MAX_POINTS"], coord_limit=COORD_LIMIT)

    def replace(self, source):
        points, labels = self.load_user_points(source)
        if len(points) < 2:
            raise ApiError(422, "points: give at least 2 points (one to train, one to test)",
                           "points", [2, self.limits["MAX_POINTS"]])
        self._become_custom(split(points, labels, self.config))

    def append(self, source, to="train"):
        points, labels = self.load_user_points(source)
        total = len(self.points) + len(points)
        if total > self.limits["MAX_POINTS"]:
            raise ApiError(422, f"points: {total} points would be too many", "points",
                           [1, self.limits["MAX_POINTS"]])
        p = self.points.as_problem(self.config["problem"])
        labels = labels.astype(p.train_labels.dtype)
        if to == "train":
            new = Points(np.concatenate([p.train_points, points]),
                         np.concatenate([p.train_labels, labels]), p.test_points, p.test_labels)
        else:
            new = Points(p.train_points, p.train_labels, np.concatenate([p.test_points, points]),
                         np.concatenate([p.test_labels, labels]))
        self._become_custom(new)

    def remove(self, indices=None, near=None, radius=0.5):
        """Remove points by index into train + test, or the one nearest to `near`; → count."""
        p = self.points
        n_train, total = len(p.train_points), len(p)
        if near is not None:
            all_points, _ = p.all()
            distances = np.hypot(all_points[:, 0] - near[0], all_points[:, 1] - near[1])
            nearest = int(np.argmin(distances))
            indices = [nearest] if distances[nearest] <= radius else []
        for i, index in enumerate(indices):
            if index >= total:
                raise ApiError(422, f"indices[{i}]: {index} is past the last point",
                               f"indices[{i}]", [0, total - 1])
        if not indices:
            return 0
        drop = np.zeros(total, dtype=bool)
        drop[indices] = True
        keep_train, keep_test = ~drop[:n_train], ~drop[n_train:]
        if keep_train.sum() < 1 or keep_train.sum() + keep_test.sum() < 2:
            raise ApiError(422, "indices: keep at least one training point and two points in all",
                           "indices", None)
        self._become_custom(Points(p.train_points[keep_train], p.train_labels[keep_train],
                                   p.test_points[keep_test], p.test_labels[keep_test]))
        return int(drop.sum())

    def _become_custom(self, points):
        custom_problem = self.config["problem"]
        new = cfg.normalize({**self.config, "dataset": cfg.CUSTOM, "n_points": len(points)},
                            self.limits, custom_problem=custom_problem,
                            custom_points=len(points))
        self._set_points(points, new)
        self.custom_problem = custom_problem

    def _set_points(self, points, new):
        typed = points.as_problem(new["problem"])
        names = new["features"]
        self.trainer.set_data(features.transform(typed.train_points, names), typed.train_labels,
                              features.transform(typed.test_points, names), typed.test_labels)
        self.points, self.config = typed, new

    def data_json(self):
        return {"problem": self.config["problem"], "n_classes": self.config["n_classes"],
                **self.points.to_json()}

    def csv(self):
        """The points as CSV text x1,x2,label (train then test) that `replace` accepts back."""
        return to_csv(*self.points.all())


def _index(field, value, size):
    """`value` as an index into `size` items (422 naming the field and range otherwise)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400 if not isinstance(value, float) else 422,
                       f"{field}: expected an integer index", field, [0, size - 1])
    if not 0 <= value < size:
        raise ApiError(422, f"{field}: {value} is out of range", field, [0, size - 1])
    return value
