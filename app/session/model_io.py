"""Model export and import: a session as one JSON document, restored exactly.

The export holds the configuration, the points (float64, lossless), and nn_core's own trainer
state (network, initial weights, optimizer state, shuffling generator, position in the epoch,
history, and the run log: every change since the run began, which the notebook export
replays; `log_import.py` checks it). A real dataset's points (the digits' 1,797 × 64 values
would pass the request body limit twice over) are the shipped dataset's rows split by
`train_ratio` and `data_seed`: its export carries `points: null` and the trainer's `data: null`,
and the import rebuilds both, bit for bit, from the configuration. Importing rebuilds the
trainer with `Trainer.from_state_dict`, so training on after
an import gives bit-identical weights to never having exported. Nothing is pickled: every
array is base64 of raw little-endian bytes.

An import is untrusted input, checked in two stages, and anything wrong is a 422 whose field
starts with "model":
1. `plan_import` reads only the *description*: the configuration against the server's limits,
   every array's dtype and declared shape against the sizes that configuration implies (and its
   base64 length against that shape), the counters, the status, the history's length, the
   run log's changes and size (an export without a log imports as before). Then the
   session's memory is estimated. Nothing large exists yet: a tampered 35 KB import asking for
   sixteen 4096-wide layers is refused here, in a millisecond, without allocating.
2. `build_import` decodes the arrays and checks the values: points finite and inside the plane,
   labels that fit the problem, the trainer's data equal to the points' features, finite
   initial weights. Weights that are not finite float32 numbers (or an optimizer state that is
   not finite) mark the session diverged, with that reason, instead of being refused: a
   diverged session's export must import again.
"""

import json
import math

import numpy as np

from nn_core import Trainer, features
from nn_core import trajectory as nn_trajectory
from nn_core.errors import ConfigError
from nn_core.optimizers import OPTIMIZERS
from nn_core.serialization import decode_array, encode_array

from ..capacity.limits import COORD_LIMIT, MAX_COUNT, MAX_REASON
from ..capacity.memory import n_params as count_params
from . import config as cfg
from . import log_import
from .arrays import finite_or_none
from .described import array_spec as _array_spec
from .described import obj as _dict
from .described import whole as _integer
from .errors import ApiError
from .points import Points, generate_points, split_sizes
from .training_session import Plan, TrainingSession, check_session_memory, estimate

FORMAT = "nn-playground-model"
VERSION = 1


class ImportPlan(Plan):
    """A checked export, not decoded yet."""


def export_session(session):
    """The JSON-safe export of `session` (call under its lock)."""
    p = session.points
    trainer = session.trainer.state_dict()
    if cfg.is_real(session.config["dataset"]):
        points = trainer["data"] = None   # the shipped dataset's: rebuilt from the config
    else:
        points = {"train_points": encode_array(p.train_points),
                  "train_labels": encode_array(p.train_labels),
                  "test_points": encode_array(p.test_points),
                  "test_labels": encode_array(p.test_labels)}
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": dict(session.config),
        "custom_problem": session.custom_problem,
        "points": points,
        "trainer": trainer,
    }


def plan_import(model, limits):
    """Check an export's description (no array decoded) and cost it: an `ImportPlan`."""
    if not isinstance(model, dict):
        raise ApiError(400, "model: expected an exported model object", "model", None)
    version = model.get("version")
    if model.get("format") != FORMAT or type(version) is not int or version != VERSION:
        raise ApiError(422, f"model: not a {FORMAT} version {VERSION} export", "model",
                       {"format": FORMAT, "version": VERSION})
    with _as_model_error():
        return _plan(model, limits)


def build_import(plan, limits):
    """The session an `ImportPlan` describes (422 "model.…" if its values do not hold)."""
    with _as_model_error():
        return _build(plan, limits)


class _as_model_error:
    """Every failure inside becomes a 422 naming `model.<field>`."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None or not isinstance(exc, Exception):
            return False
        if isinstance(exc, (ApiError, ConfigError)):
            field = exc.field
            message = exc.message if isinstance(exc, ApiError) else str(exc)
            if isinstance(exc, ApiError) and exc.status == 429:
                return False  # the budget, not the export, is the problem
            raise ApiError(422, f"model: {message}", f"model.{field}" if field else "model",
                           exc.allowed) from None
        # Any other malformed export is the client's error, never a 500.
        raise ApiError(422, f"model: not a valid export ({type(exc).__name__})", "model",
                       None) from None


# --------------------------------------------------------------------------- stage 1
def _plan(model, limits):
    custom_problem = model.get("custom_problem")
    if custom_problem not in (None, *cfg.PROBLEMS):
        raise ApiError(422, "unknown custom_problem", "custom_problem", cfg.PROBLEMS)
    described = model.get("config")
    real = isinstance(described, dict) and cfg.is_real(described.get("dataset"))
    if real:   # the points are the shipped dataset's, split as the config says
        if model.get("points") is not None:
            raise ApiError(422, "a real dataset's export carries no points: they are rebuilt "
                           "from the dataset", "points", None)
        with _prefixed("config"):
            config = cfg.normalize(described, limits)
        n_train, n_test = split_sizes(config["n_points"], config)
    else:
        points = _dict(model.get("points"), "points")
        n_train = _array_spec(points.get("train_points"), "points.train_points", "float64",
                              [None, 2])[0]
        n_test = _array_spec(points.get("test_points"), "points.test_points", "float64",
                             [None, 2])[0]
        if n_train < 1 or n_train + n_test > limits["MAX_POINTS"]:
            raise ApiError(422, f"{n_train} training and {n_test} test points", "points",
                           [1, limits["MAX_POINTS"]])
        with _prefixed("config"):
            config = cfg.normalize(described, limits, custom_problem=custom_problem,
                                   custom_points=n_train + n_test)
    trainer = _dict(model.get("trainer"), "trainer")
    # What the export says twice must say the same: the trainer's settings and its network's
    # description against the configuration (else a fork or the page would believe one and
    # train the other).
    hyper = _dict(trainer.get("hyperparams"), "trainer.hyperparams")
    with _prefixed("trainer.hyperparams"):
        merged = cfg.normalize({**config, **hyper}, limits, custom_problem=custom_problem,
                               custom_points=n_train + n_test)
    _agree("trainer.hyperparams", {key: merged[key] for key in hyper}, config)
    label = "float64" if config["problem"] == "regression" else "int64"
    if not real:
        _array_spec(points.get("train_labels"), "points.train_labels", label, [n_train])
        _array_spec(points.get("test_labels"), "points.test_labels", label, [n_test])

    sizes = cfg.layer_sizes(config)
    network = _dict(trainer.get("network"), "trainer.network")
    described = _dict(network.get("config"), "trainer.network.config")
    _agree("trainer.network.config", described, _network_description(config), complete=True)
    n_params = count_params(sizes)
    _array_spec(network.get("params"), "trainer.network.params", "float64", [n_params])
    _array_spec(trainer.get("initial_params"), "trainer.initial_params", "float64", [n_params])
    _check_optimizer_state(trainer.get("optimizer_state"), config, n_params)
    if real:
        if trainer.get("data") is not None:
            raise ApiError(422, "a real dataset's export carries no data: it is rebuilt from "
                           "the dataset", "trainer.data", None)
    else:
        data = _dict(trainer.get("data"), "trainer.data")
        n_features = sizes[0]
        _array_spec(data.get("X_train"), "trainer.data.X_train", "float64",
                    [n_train, n_features])
        _array_spec(data.get("X_test"), "trainer.data.X_test", "float64", [n_test, n_features])
        _array_spec(data.get("y_train"), "trainer.data.y_train", label, [n_train])
        _array_spec(data.get("y_test"), "trainer.data.y_test", label, [n_test])
    _check_counters(trainer, n_train)
    _check_history_description(trainer.get("history"), trainer["epoch"], len(sizes) - 1, limits)
    log_import.check_description(
        trainer.get("log"), trainer, config, limits=limits, n_train=n_train, n_test=n_test,
        normalize=lambda change: cfg.normalize(change, limits, custom_problem=custom_problem,
                                               custom_points=n_train + n_test))
    _check_trajectory_description(trainer.get("trajectory"), trainer["epoch"], n_params)

    memory = check_session_memory(estimate(config, n_train, n_test, limits), limits)
    plan = ImportPlan(config, None, custom_problem, memory)
    plan.model = model
    plan.real = real
    return plan


def _network_description(config):
    """nn_core's `Network.config()` of the network this configuration builds."""
    hidden = cfg.hidden_activations(config)
    return {"layer_sizes": cfg.layer_sizes(config),
            "activation": [hidden] * len(config["hidden_layers"]) if isinstance(hidden, str)
            else list(hidden),
            "output_activation": config["output_activation"], "loss": config["loss"],
            "init": config["init"], "seed": config["seed"], "problem": config["problem"]}


def _agree(where, given, expected, complete=False):
    """422 naming `where.<key>` for the first key of `given` that says something else than
    `expected` (the configuration's view), that `expected` does not know, or (`complete`) that
    `given` lacks."""
    for key, got in given.items():
        if key not in expected:
            raise ApiError(422, f"unknown field {str(key)[:40]!r}", f"{where}.{key}",
                           sorted(expected))
        want = expected[key]
        if got != want or isinstance(got, bool) != isinstance(want, bool):
            raise ApiError(422, f"says {json.dumps(got, default=str)[:60]} where the "
                           f"configuration says {json.dumps(want)[:60]}: an export must agree "
                           "with itself", f"{where}.{key}", want if isinstance(want, list) else [want])
    missing = [key for key in expected if complete and key not in given]
    if missing:
        raise ApiError(422, "missing", f"{where}.{missing[0]}", [expected[missing[0]]])


class _prefixed:
    """Errors inside name their field under `prefix` (a config inside the export)."""

    def __init__(self, prefix):
        self.prefix = prefix

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, (ApiError, ConfigError)) and exc.field:
            exc.field = f"{self.prefix}.{exc.field}"
        return False


def _check_optimizer_state(state, config, n_params):
    state = _dict(state, "trainer.optimizer_state")
    for key, value in state.items():
        field = f"trainer.optimizer_state.{key}"
        if key == "t":
            _integer(value, field, 0, MAX_COUNT)
        elif key in OPTIMIZERS.get(config["optimizer"]).slots:
            _array_spec(value, field, "float64", [n_params])
        else:
            raise ApiError(422, f"{config['optimizer']} keeps no {key!r}", field,
                           ["t", *OPTIMIZERS.get(config["optimizer"]).slots])


def _check_counters(trainer, n_train):
    epoch = _integer(trainer.get("epoch"), "trainer.epoch", 0, MAX_COUNT)
    # Each epoch takes at least one step.
    _integer(trainer.get("steps"), "trainer.steps", epoch, MAX_COUNT)
    pos = _integer(trainer.get("pos"), "trainer.pos", 0, n_train - 1)
    if trainer.get("eval_every") != 1:
        raise ApiError(422, "the server records every epoch", "trainer.eval_every", [1, 1])
    perm = trainer.get("perm")
    if perm is not None:
        _array_spec(perm, "trainer.perm", "int64", [n_train])
    elif pos:
        raise ApiError(422, "a position inside an epoch needs the epoch's order", "trainer.perm")
    status, reason = trainer.get("status"), trainer.get("status_reason")
    if status not in ("ok", "diverged"):
        raise ApiError(422, "unknown status", "trainer.status", ["ok", "diverged"])
    if status == "ok" and reason is not None or status == "diverged" and not (
            isinstance(reason, str) and 0 < len(reason) <= MAX_REASON):
        raise ApiError(422, f"a diverged session needs a reason of 1 to {MAX_REASON} characters, "
                       "an ok one none", "trainer.status_reason", [1, MAX_REASON])


def _check_history_description(history, epoch, n_layers, limits):
    history = _dict(history, "trainer.history")
    rows, latest = history.get("rows"), history.get("latest")
    if not isinstance(rows, list) or len(rows) >= limits["HISTORY_ROWS"]:
        raise ApiError(422, "too many history rows", "trainer.history.rows",
                       [0, limits["HISTORY_ROWS"] - 1])
    fields = history.get("fields")
    if not isinstance(fields, list) or len(fields) > 32 or not all(
            isinstance(f, str) and len(f) <= 32 for f in fields):
        raise ApiError(422, "bad history fields", "trainer.history.fields")
    _integer(history.get("stride"), "trainer.history.stride", 1, MAX_COUNT)
    _integer(history.get("capacity"), "trainer.history.capacity", 2, 10**6)
    previous = -1
    for i, row in enumerate(rows):
        field = f"trainer.history.rows[{i}]"
        _check_history_row(row, field, n_layers, epoch)
        if row["epoch"] <= previous:
            raise ApiError(422, "history epochs must increase", f"{field}.epoch")
        previous = row["epoch"]
    if latest is not None:
        _check_history_row(latest, "trainer.history.latest", n_layers, epoch)


def _check_trajectory_description(trajectory, epoch, n_params):
    """The recorded path (None in exports made before paths were recorded): epochs in order,
    none past the trainer's, one float32 row of the network's parameters each."""
    if trajectory is None:
        return
    trajectory = _dict(trajectory, "trainer.trajectory")
    epochs = trajectory.get("epochs")
    most = nn_trajectory.capacity(n_params) - 1
    if not isinstance(epochs, list) or len(epochs) > most:
        raise ApiError(422, f"expected a list of at most {most} epochs",
                       "trainer.trajectory.epochs", [0, most])
    previous = -1
    for i, value in enumerate(epochs):
        _integer(value, f"trainer.trajectory.epochs[{i}]", previous + 1, epoch)
        previous = value
    _integer(trajectory.get("stride"), "trainer.trajectory.stride", 1, MAX_COUNT)
    _array_spec(trajectory.get("params"), "trainer.trajectory.params", "float32",
                [len(epochs), n_params])


def _check_history_row(row, field, n_layers, epoch):
    row = _dict(row, field)
    if len(row) > 40:
        raise ApiError(422, "too many values", field)
    _integer(row.get("epoch"), f"{field}.epoch", 0, epoch)
    norms = row.get("grad_norms")
    if not isinstance(norms, list) or len(norms) != n_layers:
        raise ApiError(422, f"expected one gradient norm per layer ({n_layers})",
                       f"{field}.grad_norms", [n_layers, n_layers])
    for key, value in row.items():
        for v in (value if key == "grad_norms" else [value]):
            if not _history_number(v):
                raise ApiError(422, "expected a number", f"{field}.{key}")


def _history_number(value):
    # nn_core stores non-finite numbers as their repr ("nan", "inf", "-inf").
    if isinstance(value, str):
        return value in ("nan", "inf", "-inf")
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)
                             and math.isfinite(value))


# --------------------------------------------------------------------------- stage 2
def _build(plan, limits):
    model, config = plan.model, plan.config
    state = model["trainer"]
    if plan.real:
        p = generate_points(config).as_problem(config["problem"])
        X_train, X_test = (features.transform(x, None) for x in (p.train_points, p.test_points))
        state = {**state, "data": {"X_train": encode_array(X_train),
                                   "y_train": encode_array(p.train_labels),
                                   "X_test": encode_array(X_test),
                                   "y_test": encode_array(p.test_labels)}}
    else:
        p = _decoded_points(model["points"], config)
        _check_data(state["data"], p, config)
    trainer = Trainer.from_state_dict(state)  # sizes already checked: nothing unexpected
    log_import.check_values(trainer, limits)
    net = trainer.net
    expected = {"layer_sizes": cfg.layer_sizes(config), "problem": config["problem"],
                "output_activation": config["output_activation"], "loss": config["loss"]}
    actual = {"layer_sizes": list(net.layer_sizes), "problem": net.problem,
              "output_activation": net.output_activation, "loss": net.loss}
    if expected != actual:
        raise ApiError(422, "the network does not match the configuration", "trainer.network",
                       expected)
    session = TrainingSession(config, p, trainer, limits,
                              plan.custom_problem if config["dataset"] == cfg.CUSTOM else None,
                              plan.memory)
    _check_history(trainer, limits["HISTORY_ROWS"])
    if not np.isfinite(trainer.initial_params).all():
        raise ApiError(422, "the initial weights must be finite", "trainer.initial_params")
    # nn_core never records a vector it could not draw: one in an export was put there.
    path = trainer.trajectory.params
    if len(path) and not np.isfinite(path).all():
        raise ApiError(422, "the recorded path must be finite", "trainer.trajectory.params")
    for value in trainer.optimizer.state.values():
        if isinstance(value, np.ndarray) and not np.isfinite(value).all():
            trainer.mark_diverged("optimizer state", value)
    trainer.check_drawable()  # weights beyond float32 or not finite → diverged, with why
    return session


def _decoded_points(raw, config):
    """The export's own points (a plane or custom dataset), finite and inside the plane."""
    p = Points(*(decode_array(raw[k], f"points.{k}") for k in
                 ("train_points", "train_labels", "test_points", "test_labels")))
    for name, points, labels in (("train", p.train_points, p.train_labels),
                                 ("test", p.test_points, p.test_labels)):
        if not (np.isfinite(points).all() and np.isfinite(labels).all()):
            raise ApiError(422, f"{name} points must be finite", f"points.{name}_points")
        if len(points) and np.abs(points).max() > COORD_LIMIT:
            raise ApiError(422, f"{name} points must lie inside the plane",
                           f"points.{name}_points", [-COORD_LIMIT, COORD_LIMIT])
    return p.as_problem(config["problem"])


def _check_data(data, points, config):
    """The trainer's data must be the points' features and labels, exactly."""
    names = config["features"]
    checks = (("X_train", features.transform(points.train_points, names)),
              ("X_test", features.transform(points.test_points, names)),
              ("y_train", points.train_labels), ("y_test", points.test_labels))
    for name, expected in checks:
        given = decode_array(data[name], f"trainer.data.{name}")  # shape checked in stage 1
        if not np.array_equal(given, expected):
            raise ApiError(422, "the trainer's data does not match the points",
                           f"trainer.data.{name}")


def _check_history(trainer, max_rows):
    """Read the whole history once, as every later snapshot will, so junk fails now; and keep
    its memory bounded like a history grown here."""
    history = trainer.history
    history.bound(max_rows)
    columns = history.since(0)
    json.dumps(finite_or_none(columns), allow_nan=False)
    json.dumps(finite_or_none(trainer.metrics()), allow_nan=False)
