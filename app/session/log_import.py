"""The run log inside a model export (`trainer.log`, nn_core.runlog), checked like every other
part of an import: its description before anything is built, its values once decoded.

An export made before the log existed has none and imports as it always did: nn_core then
starts the session's log from a checkpoint of the imported state (the run begins there).
"""

import re

import numpy as np

from nn_core import Trainer, runlog
from nn_core.errors import ConfigError
from nn_core.seeds import SEED_MAX

from ..capacity.limits import MAX_COUNT
from ..capacity.memory import log_capacity
from . import config as cfg
from .described import array_spec, obj, whole
from .errors import ApiError

DIGEST = re.compile(r"[0-9a-f]{32}")
HYPERPARAMS = frozenset(cfg.LIVE_FIELDS)
CHECKPOINT_KEYS = frozenset({"format", "network", "initial_params", "hyperparams",
                             "optimizer_state", "data", "epoch", "steps", "pos", "eval_every",
                             "perm", "rng", "status", "status_reason", "history"})
MAX_WHAT = 32   # characters naming what stopped a run ("weights", "gradients", ...)
MAX_ROW_VALUES = 40   # values of a history row (model_io checks the trainer's rows alike)


def check_description(log, trainer, config, normalize, limits, n_train, n_test):
    """Stage 1: the log's description against the export's trainer and configuration, and
    its size against what this server keeps for such a session. `normalize(change)` checks a
    change of settings against the configuration (422 naming the field)."""
    if log is None:
        return
    log = obj(log, "trainer.log")
    if log.get("format") != runlog.FORMAT:
        raise ApiError(422, "not a run log", "trainer.log.format", [runlog.FORMAT])
    whole(log.get("capacity"), "trainer.log.capacity", 0, MAX_COUNT)
    sizes = cfg.layer_sizes(config)
    shapes = Shapes(sizes, "float64" if config["problem"] == "regression" else "int64",
                    limits["MAX_POINTS"])
    most = log_capacity(sizes, n_train, n_test)
    start = obj(log.get("start"), "trainer.log.start")
    first_step = whole(start.get("step"), "trainer.log.start.step", 0, trainer["steps"])
    first_epoch = whole(start.get("epoch"), "trainer.log.start.epoch", 0, trainer["epoch"])
    whole(start.get("seed"), "trainer.log.start.seed", 0, SEED_MAX)
    for key in ("params", "data"):
        if not isinstance(start.get(key), str) or not DIGEST.fullmatch(start[key]):
            raise ApiError(422, "expected a digest of 32 hex digits", f"trainer.log.start.{key}")
    hyper = obj(start.get("hyperparams"), "trainer.log.start.hyperparams")
    if set(hyper) != HYPERPARAMS:
        raise ApiError(422, "expected every training setting", "trainer.log.start.hyperparams",
                       sorted(HYPERPARAMS))
    _settings(normalize, config, hyper, "trainer.log.start.hyperparams")
    unknown = set(start) - {"step", "epoch", "seed", "params", "data", "hyperparams", "inputs",
                            "state"}
    if unknown:
        raise ApiError(422, "unknown field", f"trainer.log.start.{sorted(unknown)[0]}", None)
    numbers = 0
    if "inputs" in start:
        numbers += shapes.data(start["inputs"], "trainer.log.start.inputs")
    if "state" in start:
        _check_checkpoint(start["state"], first_step, first_epoch, sizes, shapes, normalize,
                          config)
    entries = log.get("entries")
    if not isinstance(entries, list) or len(entries) > most // runlog.ENTRY_COST:
        raise ApiError(422, f"expected a list of at most {most // runlog.ENTRY_COST} changes",
                       "trainer.log.entries", [0, most // runlog.ENTRY_COST])
    step, epoch = first_step, first_epoch
    for i, entry in enumerate(entries):
        field = f"trainer.log.entries[{i}]"
        entry = obj(entry, field)
        kinds = [key for key in runlog.KINDS if key in entry]
        if len(kinds) != 1 or set(entry) != {"step", "epoch", kinds[0]}:
            raise ApiError(422, "expected step, epoch and one change", field, list(runlog.KINDS))
        step = whole(entry["step"], f"{field}.step", step, trainer["steps"])
        epoch = whole(entry["epoch"], f"{field}.epoch", epoch, trainer["epoch"])
        numbers += runlog.ENTRY_COST + _check_change(kinds[0], entry[kinds[0]], f"{field}.{kinds[0]}",
                                                     sizes, shapes, normalize, config, limits)
    if numbers > most:
        raise ApiError(422, f"the log holds {numbers} numbers; a session of this size keeps at "
                       f"most {most}", "trainer.log", [0, most])


def check_values(trainer, limits):
    """Stage 2, after nn_core decoded the log: its data finite, its checkpoint loadable; then
    the log bounded as this server bounds a session's (`capacity/memory.py`)."""
    log = trainer.log
    arrays = [("trainer.log.start.inputs", a) for a in log.start_inputs()]
    for i, entry in enumerate(log.entries):
        for key in ("data", "append"):
            arrays += [(f"trainer.log.entries[{i}].{key}", a) for a in entry.get(key, {}).values()]
    for field, array in arrays:
        if not np.isfinite(array).all():
            raise ApiError(422, "must be finite", field)
    if "state" in log.start:
        try:
            Trainer.from_state_dict(log.start["state"])
        except ConfigError as exc:
            raise ApiError(422, str(exc), "trainer.log.start.state", exc.allowed) from None
    X_train, _, X_test, _ = trainer.data()
    log.capacity = log_capacity(trainer.net.layer_sizes, len(X_train), len(X_test))


class Shapes:
    """The arrays a log of this network may carry: data rows of its inputs and labels."""

    def __init__(self, sizes, label, max_points):
        self.sizes, self.label, self.max_points = sizes, label, max_points

    def data(self, value, field, append=False):
        """Check new (or, `append`, added) data; returns how many numbers it holds."""
        value = obj(value, field)
        keys = sorted(value)
        allowed = ([["X_train", "y_train"], ["X_test", "y_test"]] if append
                   else [sorted(runlog.DATA_KEYS)])
        if keys not in allowed:
            raise ApiError(422, "unexpected arrays", field, allowed[0])
        rows = {}
        for split in ("train", "test"):
            if f"X_{split}" in value:
                n = array_spec(value[f"X_{split}"], f"{field}.X_{split}", "float64",
                               [None, self.sizes[0]])[0]
                array_spec(value[f"y_{split}"], f"{field}.y_{split}", self.label, [n])
                rows[split] = n
        total = sum(rows.values())
        if total > self.max_points or (not append and rows["train"] < 1) or (append and not total):
            raise ApiError(422, f"{total} rows", field, [1, self.max_points])
        return total * (self.sizes[0] + 1)


def _check_change(kind, value, field, sizes, shapes, normalize, config, limits):
    """One entry's change; returns how many numbers its arrays hold."""
    if kind == "hyperparams":
        value = obj(value, field)
        if not value or not set(value) <= HYPERPARAMS:
            raise ApiError(422, "expected training settings", field, sorted(HYPERPARAMS))
        _settings(normalize, config, value, field)
        return 0
    if kind == "weight":
        if not isinstance(value, list) or len(value) != 4:
            raise ApiError(422, "expected [layer, row, column, value]", field, None)
        layer = whole(value[0], f"{field}[0]", 0, len(sizes) - 2)
        whole(value[1], f"{field}[1]", 0, sizes[layer])          # row n_in: the bias
        whole(value[2], f"{field}[2]", 0, sizes[layer + 1] - 1)
        most = float(limits["MAX_WEIGHT"])
        v = value[3]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not -most <= v <= most:
            raise ApiError(422, "expected a weight", f"{field}[3]", [-most, most])
        return 0
    if kind == "params":
        n = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
        array_spec(value, field, "float64", [n])
        return n
    if kind in ("data", "append"):
        return shapes.data(value, field, append=kind == "append")
    if not isinstance(value, str) or not 0 < len(value) <= MAX_WHAT:
        raise ApiError(422, f"expected what stopped the run (1 to {MAX_WHAT} characters)", field,
                       [1, MAX_WHAT])
    return 0


def _settings(normalize, config, change, field):
    try:
        normalize(cfg.merge(config, change))
    except (ApiError, ConfigError) as exc:
        key = f"{field}.{exc.field}" if exc.field else field
        message = exc.message if isinstance(exc, ApiError) else str(exc)
        raise ApiError(422, message, key, exc.allowed) from None


def _check_checkpoint(state, step, epoch, sizes, shapes, normalize, config):
    """A checkpoint start: a trainer's saved state at the log's first step (loaded whole by
    nn_core in stage 2); here its sizes, so nothing large is built from it unchecked."""
    field = "trainer.log.start.state"
    state = obj(state, field)
    unknown = set(state) - CHECKPOINT_KEYS
    if unknown:
        raise ApiError(422, "unknown field", f"{field}.{sorted(unknown)[0]}", None)
    if state.get("steps") != step or state.get("epoch") != epoch:
        raise ApiError(422, "a checkpoint stands at its log's first step", f"{field}.steps",
                       [step, step])
    network = obj(state.get("network"), f"{field}.network")
    if obj(network.get("config"), f"{field}.network.config").get("layer_sizes") != sizes:
        raise ApiError(422, "the network's layer sizes do not match the configuration",
                       f"{field}.network.config.layer_sizes", sizes)
    n = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    array_spec(network.get("params"), f"{field}.network.params", "float64", [n])
    array_spec(state.get("initial_params"), f"{field}.initial_params", "float64", [n])
    shapes.data(state.get("data"), f"{field}.data")
    opt = obj(state.get("optimizer_state"), f"{field}.optimizer_state")
    if len(opt) > 4:
        raise ApiError(422, "too many optimizer slots", f"{field}.optimizer_state", None)
    for key, value in opt.items():
        if key != "t":
            array_spec(value, f"{field}.optimizer_state.{key}", "float64", [n])
    hyper = obj(state.get("hyperparams"), f"{field}.hyperparams")
    if not set(hyper) <= HYPERPARAMS:
        raise ApiError(422, "unknown setting", f"{field}.hyperparams", sorted(HYPERPARAMS))
    _settings(normalize, config, hyper, f"{field}.hyperparams")
    history = obj(state.get("history"), f"{field}.history")
    latest = history.get("latest")
    if history.get("rows") != [] or not (latest is None or isinstance(latest, dict)
                                         and len(latest) <= MAX_ROW_VALUES):
        raise ApiError(422, "a checkpoint keeps only its latest history row", f"{field}.history")
