"""One learner's session: its configuration, points, network and trainer, behind one lock.

This module translates between the configuration (names and numbers from the browser) and
nn_core objects; it does no math of its own. Every method that touches the network runs under
`session.lock`, so requests to one session are serialised: a step racing a PATCH or a reset
sees the state before or after it, never in between. Rebuilds construct complete new objects
first and only then replace the old ones, so a change that fails half-way (a ConfigError from
the engine) leaves the session exactly as it was.

Two budgets guard the machine (see `capacity/scheduler.py` and `capacity/memory.py`):
- every change that could make the session bigger is estimated from its description first and
  claimed from the store's memory budget (`claim`) before anything is built;
- the caller runs each request in one scheduler turn (`app/api/request.py`); training goes in
  slices of `SLICE_MS` with a `checkpoint()` between them, where a lighter learner may take
  the CPU for a while.

From a script or notebook: `TrainingSession.create({"dataset": "xor"}, DEFAULTS).step(epochs=10)`
(`DEFAULTS` from `app.capacity.limits`); no scheduler, no store, the same code.
"""

import contextlib
import secrets
import threading
import time
from dataclasses import dataclass

import numpy as np

from nn_core import Network, Trainer, features
from nn_core.userdata import load_points

from ..capacity import memory
from ..capacity.limits import COORD_LIMIT
from ..capacity.scheduler import SLICE_MS, NoScheduler
from . import config as cfg
from .errors import ApiError
from .points import (
    Points,
    generate_points,
    input_space,
    plane_json,
    points_csv,
    read_given_points,
    split,
    split_sizes,
)


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
                   history_capacity=limits["HISTORY_ROWS"],
                   log_capacity=memory.log_capacity(network.layer_sizes, len(points.train_points),
                                                    len(points.test_points)),
                   **live_settings(config))


def estimate(config, n_train, n_test, limits):
    """The memory parts (`capacity/memory.py`) of a session with this config and split."""
    return memory.estimate(cfg.layer_sizes(config), config["optimizer"], n_train, n_test,
                           config["batch_size"], limits["HISTORY_ROWS"],
                           regression=config["problem"] == "regression",
                           point_width=cfg.point_width(config))


def check_session_memory(parts, limits):
    """422 naming the field to change when one session would need more than SESSION_MEMORY."""
    need, most = memory.total(parts), limits["SESSION_MEMORY"]
    if need > most:
        field = memory.biggest_field(parts)
        raise ApiError(422, f"{field}: this session would need about {memory.describe(need)} of "
                       f"memory; one session may use {memory.describe(most)}: use fewer "
                       "neurons, layers or points", field, [0, most])
    return need


@dataclass
class Plan:
    """A session checked and costed but not built yet: what `build` needs."""

    config: dict
    points: Points = None        # given points (dataset "custom"), else generated at build
    custom_problem: str = None
    memory: int = 0
    initial_params: np.ndarray = None  # start from these weights (a fork), else from the seed
    between: object = None       # called between the build's long parts (a server's CPU turn)


class TrainingSession:
    """Config + points + network + trainer; use only while holding `lock`."""

    def __init__(self, config, points, trainer, limits, custom_problem=None, memory_bytes=0):
        self.id = None
        self.lock = threading.RLock()
        self.limits = limits
        self.config = config
        self.points = points
        self.trainer = trainer
        self.custom_problem = custom_problem
        self.memory = memory_bytes   # the estimate the store accounts for this session
        self.resize = None           # the store's resize(bytes), once the session is stored
        self.scheduler = NoScheduler()  # the app's FairScheduler, once the session is stored
        self.snapshot_ms = {}        # snapshot options → what building that snapshot cost

    @property
    def network(self):
        return self.trainer.net

    # ----------------------------------------------------------------- creation
    @classmethod
    def plan(cls, raw, limits, points=None):
        """Check a new session's configuration (and given points) and cost its memory, before
        anything big is built: 422 past the per-session limit.

        With `points` (`{"train": [[x1, x2, label], ...], "test": [...]}`) it starts on exactly
        those points and that split, as dataset "custom": a link or a recovered session then
        trains on the same data it had.
        """
        if points is not None:
            config, given, problem = read_given_points(raw, points, limits)
            n_train, n_test = len(given.train_points), len(given.test_points)
            plan = Plan(config, given, problem)
        else:
            config = cfg.normalize(raw, limits)
            n_train, n_test = split_sizes(config["n_points"], config)
            plan = Plan(config)
        plan.memory = check_session_memory(estimate(config, n_train, n_test, limits), limits)
        return plan

    @classmethod
    def plan_on_points(cls, config, points, limits, custom_problem=None):
        """A plan for a session with a complete, normalised `config` on exactly `points` (a
        `Points`, already split, nothing regenerated): a fork shares its source's data so."""
        parts = estimate(config, len(points.train_points), len(points.test_points), limits)
        return Plan(config, points, custom_problem, check_session_memory(parts, limits))

    @classmethod
    def build(cls, plan, limits):
        config = plan.config
        points = plan.points if plan.points is not None else generate_points(config)
        trainer = build_trainer(build_network(config), points, config, limits)
        if plan.initial_params is not None:
            if plan.between is not None:
                plan.between()
            trainer.restart_from(plan.initial_params)
        session = cls(config, points.as_problem(config["problem"]), trainer, limits,
                      plan.custom_problem, plan.memory)
        trainer.check_drawable()
        return session

    @classmethod
    def create(cls, raw, limits, points=None):
        """`build(plan(...))`: a new session from a configuration (any subset of the fields)."""
        return cls.build(cls.plan(raw, limits, points), limits)

    # ----------------------------------------------------------------- memory
    @contextlib.contextmanager
    def claim(self, config, n_train, n_test):
        """Claim the memory the session will need after a change, before building it (422 past
        the per-session limit, 429 past the store's budget); given back if the block fails."""
        need = check_session_memory(estimate(config, n_train, n_test, self.limits), self.limits)
        old = self.memory
        if self.resize is not None:
            self.resize(need)
        self.memory = need
        try:
            yield
        except BaseException:
            self.memory = old
            if self.resize is not None:
                self.resize(old)
            raise

    def _claim_points(self, config, points):
        return self.claim(config, len(points.train_points), len(points.test_points))

    def normalize(self, raw):
        return cfg.normalize(raw, self.limits, custom_problem=self.custom_problem,
                             custom_points=len(self.points))

    # ----------------------------------------------------------------- changes
    def patch(self, change):
        """Apply a config change; returns (reinitialized, rebuilt parts, data changed)."""
        new = self.normalize(cfg.merge(self.config, change))
        changed = cfg.changed_fields(self.config, new)
        data_changed = any(k in cfg.DATA_FIELDS for k in changed)
        net_changed = any(k in cfg.NETWORK_FIELDS for k in changed) or (
            "n_classes" in changed and new["problem"] == "multiclass")
        n_points = len(self.points) if new["dataset"] == cfg.CUSTOM else new["n_points"]
        with self.claim(new, *split_sizes(n_points, new)):
            if not (data_changed or net_changed):
                live = {k: new[k] for k in changed}
                if live:
                    self._set_live(live, new)
                self.config = new
                return False, [], False
            points = self.points
            if data_changed:
                if new["dataset"] == cfg.CUSTOM:
                    points = split(*points.all(), new)  # user points: only the split changes
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
    def step(self, epochs=None, batches=None, max_ms=250, reserve_ms=0.0):
        """Train `epochs` (or `batches`) until done or until `max_ms` minus `reserve_ms` (what
        the answer's snapshot is expected to cost) has passed, in slices of SLICE_MS with a
        scheduler checkpoint between them (a slice always does at least one minibatch, so every
        request makes progress). Returns `done` = {epochs, batches, stopped_early, elapsed_ms}."""
        trainer = self.trainer
        epoch0, steps0 = trainer.epoch, trainer.steps
        wanted = batches if batches is not None else epochs
        started = clock = time.perf_counter()
        deadline = started + max(0.0, max_ms - reserve_ms) / 1000.0
        got = 0
        while got < wanted and trainer.status == "ok":
            left = max(0.0, min(SLICE_MS / 1000.0, deadline - time.perf_counter()))
            if batches is not None:
                trainer.step(wanted - got, time_limit=left)
                got = trainer.steps - steps0
            else:
                trainer.run(wanted - got, time_limit=left)
                got = trainer.epoch - epoch0
            trainer.check_drawable()
            clock = time.perf_counter()
            if clock >= deadline:
                break
            self.scheduler.checkpoint()
        elapsed = (clock - started) * 1000.0
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
        self.trainer.set_weight(layer, row, target, value)   # logged: a replay types it too
        self.trainer.check_drawable()

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
        self._check_own_points()
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
        self._check_own_points()
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

    def _check_own_points(self):
        """422 naming `action` on a real set: its points are measured, not the learner's; the
        learner's own points live in the plane (PATCH a plane dataset first)."""
        if cfg.is_real(self.config["dataset"]):
            raise ApiError(422, f"action: the {self.config['dataset']} dataset's points are "
                           "fixed; choose a plane dataset to add, replace or remove points",
                           "action", ["regenerate"])

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
        with self._claim_points(new, typed):
            self.trainer.set_data(features.transform(typed.train_points, names),
                                  typed.train_labels,
                                  features.transform(typed.test_points, names), typed.test_labels)
            self.trainer.check_drawable()
        self.points, self.config = typed, new

    def data_json(self):
        """The points as JSON; a real set's add its principal plane (where the page draws them)."""
        data = {"problem": self.config["problem"], "n_classes": self.config["n_classes"],
                **self.points.to_json()}
        if cfg.is_real(self.config["dataset"]):
            data["plane"] = plane_json(self.config["dataset"])
        return data

    def input_space(self):
        """What one of this session's points is (`points.InputSpace`): 2 plane coordinates, or
        a real set's columns."""
        return input_space(self.config)

    def csv(self):
        """The points as CSV text, train then test: x1,x2,label (what `replace` accepts back),
        or a real set's named columns, then label."""
        names = None if self.config["features"] is not None else self.input_space().names
        return points_csv(*self.points.all(), names)


def _index(field, value, size):
    """`value` as an index into `size` items (422 naming the field and range otherwise)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400 if not isinstance(value, float) else 422,
                       f"{field}: expected an integer index", field, [0, size - 1])
    if not 0 <= value < size:
        raise ApiError(422, f"{field}: {value} is out of range", field, [0, size - 1])
    return value
