"""The run log: every change made to a training run between its minibatches, so that the run
can be replayed exactly.

A run is where it started and the minibatches it trained; anything done between two
minibatches is an entry at that step (`step` = minibatches trained before it, `epoch` the
epoch it fell in):

    {"step", "epoch", "hyperparams": {...}}          set_hyperparams(**those)
    {"step", "epoch", "weight": [layer, row, col, value]}   one weight typed in (row n_in: the bias)
    {"step", "epoch", "params": θ}                    every weight set to θ (an applied trace)
    {"step", "epoch", "data": {X_train, y_train, X_test, y_test}}   new data
    {"step", "epoch", "append": {"X_train", "y_train"} or {"X_test", "y_test"}}   rows added
    {"step", "epoch", "stop": what}                   stopped from outside training (diverged)

    replay(trainer, log, steps):  for each entry: train to its step, apply it; then train to `steps`

A trainer built like the run's start (same initial weights, data, hyperparameters and seed;
`replay` checks each, by value) does the same arithmetic minibatch for minibatch, so it ends
with the same weights bit for bit. The start is step 0 of a fresh trainer or of a reset, or a
*checkpoint*: a trainer's whole saved state (`Trainer.state_dict()`, its history cut to the
latest row) to load with `Trainer.from_state_dict`. A log starts from a checkpoint when its
trainer was loaded from a state saved without a log, and when its entries would hold more than
`capacity` numbers (each entry costs `ENTRY_COST` besides its arrays): the state at that moment
becomes the new start and the entries begin again, so a log's memory stays bounded.
"""

import hashlib

import numpy as np

from .errors import ConfigError
from .serialization import decode_array, encode_array

FORMAT = "nn_core.runlog/1"
DEFAULT_CAPACITY = 1 << 20          # numbers (8 MB of float64) for a trainer made in a script
ENTRY_COST = 64                     # what one entry's dict costs, counted in numbers
DATA_KEYS = ("X_train", "y_train", "X_test", "y_test")
KINDS = ("hyperparams", "weight", "params", "data", "append", "stop")


def fingerprint(*arrays):
    """A short hex digest of arrays' values (float64, shape included): a start checked by value
    without keeping a copy. Labels count as float64, so int32 and int64 ids agree."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array, dtype=np.float64)
        digest.update(repr(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:32]


class RunLog:
    """The changes of one run since its start; a `Trainer` keeps one as `trainer.log`."""

    def __init__(self, capacity=DEFAULT_CAPACITY):
        self.capacity = int(capacity)
        self.start = None
        self.entries = []
        self._start_data = None     # the start's data arrays (the trainer's own, never copied)

    # ----------------------------------------------------------------- written by the trainer
    def begin(self, trainer):
        """A fresh start: the trainer at step 0 (new, reset or restarted from given weights)."""
        self.start = _describe(trainer, trainer.initial_params)
        self._start_data = trainer.data()
        self.entries = []

    def resume(self, trainer, state):
        """Start from `state` (the trainer's saved state, loaded or taken now): a checkpoint."""
        state = {key: value for key, value in state.items() if key not in ("log", "trajectory")}
        history = state["history"]
        state["history"] = {**history, "rows": [], "stride": 1}
        self.start = {**_describe(trainer, trainer.net.params), "state": state}
        self._start_data = trainer.data()
        self.entries = []

    def record(self, trainer, **change):
        """Add one change at the trainer's current step (call after the change is made)."""
        (kind, value), = change.items()
        self.entries.append({"step": trainer.steps, "epoch": trainer.epoch, kind: value})
        if self.size(trainer) > self.capacity:
            self.resume(trainer, trainer.state_dict(log=False))

    def size(self, trainer):
        """Numbers the log holds: its entries, and the start's data once it is not current."""
        total = sum(ENTRY_COST + _numbers(entry) for entry in self.entries)
        if self._start_data is not None and not _same(self._start_data, trainer.data()):
            total += sum(np.size(a) for a in self._start_data)
        return total

    # ----------------------------------------------------------------- saving
    def to_dict(self, trainer):
        """JSON-safe; the start's data is written only when it is not the trainer's own now."""
        start = dict(self.start)
        if self._start_data is not None and not _same(self._start_data, trainer.data()):
            start["inputs"] = dict(zip(DATA_KEYS, map(encode_array, self._start_data)))
        return {"format": FORMAT, "capacity": self.capacity, "start": start,
                "entries": [_encode(entry) for entry in self.entries]}

    @classmethod
    def from_dict(cls, data, trainer):
        """The log `to_dict` wrote, for `trainer` (whose data stands in for an unwritten start's)."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ConfigError("log", "not a saved run log", f'{{"format": "{FORMAT}", ...}}')
        try:
            log = cls(int(data["capacity"]))
            start = dict(data["start"])
            inputs = start.pop("inputs", None)
            log._start_data = (trainer.data() if inputs is None else
                               tuple(decode_array(inputs[k], f"log.start.inputs.{k}")
                                     for k in DATA_KEYS))
            for key in ("step", "epoch", "seed"):
                start[key] = int(start[key])
            for key in ("params", "data"):
                if not isinstance(start[key], str):
                    raise TypeError(f"start.{key} is not a digest")
            start["hyperparams"] = dict(start["hyperparams"])
            log.start = start
            log.entries = [_decode(entry, f"log.entries[{i}]")
                           for i, entry in enumerate(data["entries"])]
        except ConfigError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError("log", f"incomplete saved run log ({exc!r})") from None
        return log

    def start_inputs(self):
        """The data the run started on: (X_train, y_train, X_test, y_test)."""
        return self._start_data


def data_change(old, new):
    """The run log's entry for new data: only the added rows when rows were appended to one
    split (a point clicked in), else the whole data."""
    old, new = dict(zip(DATA_KEYS, old)), dict(zip(DATA_KEYS, new))
    for split, other in (("train", "test"), ("test", "train")):
        X, y = f"X_{split}", f"y_{split}"
        n = len(old[X])
        if (len(new[X]) > n and all(new[k] is old[k] or np.array_equal(new[k], old[k])
                                    for k in (f"X_{other}", f"y_{other}"))
                and np.array_equal(new[X][:n], old[X]) and np.array_equal(new[y][:n], old[y])):
            return {"append": {X: new[X][n:], y: new[y][n:]}}
    return {"data": new}


def replay(trainer, log, steps=None):
    """Train `trainer` as the logged run went: each entry applied at its step, then on to
    `steps` minibatches in all (default: the last entry's step). The trainer must stand where
    the run started (ConfigError naming what differs)."""
    check_start(trainer, log.start)
    for i, entry in enumerate(log.entries):
        _train_to(trainer, entry["step"], entry["epoch"], f"entries[{i}]")
        apply(trainer, entry)
    if steps is not None:
        _train_to(trainer, steps, None, "steps")
    return trainer


def apply(trainer, entry):
    """Make one logged change to `trainer` (which logs it again, as the first run did)."""
    kind = next(key for key in KINDS if key in entry)
    value = entry[kind]
    if kind == "hyperparams":
        trainer.set_hyperparams(**value)
    elif kind == "weight":
        trainer.set_weight(*value)
    elif kind == "params":
        trainer.set_params(value)
    elif kind == "data":
        trainer.set_data(*(value[k] for k in DATA_KEYS))
    elif kind == "append":
        current = dict(zip(DATA_KEYS, trainer.data()))
        for key, rows in value.items():
            current[key] = np.concatenate([current[key], rows])
        trainer.set_data(*(current[k] for k in DATA_KEYS))
    elif trainer.check_drawable():      # the same numbers stop it again (and log it); if not,
        trainer.mark_diverged(value)    # it stops here as the run did
        trainer.log.record(trainer, stop=value)


def describe(entry):
    """One entry in words: "learning_rate 0.1", "weight 1→2 of layer 1 set to 0.75", ..."""
    kind = next(key for key in KINDS if key in entry)
    value = entry[kind]
    if kind == "hyperparams":
        return ", ".join(f"{key} {val}" for key, val in value.items())
    if kind == "weight":
        layer, row, col, number = value
        return f"weight {row}→{col} of layer {layer + 1} set to {number!r}"
    if kind == "params":
        return "every weight set (an applied one-point step)"
    if kind == "data":
        return f"new data ({len(value['X_train'])} training, {len(value['X_test'])} test rows)"
    if kind == "append":
        split = "training" if "X_train" in value else "test"
        return f"{len(next(iter(value.values())))} {split} rows added"
    return f"stopped: the {value} could not be drawn"


# --------------------------------------------------------------------------- helpers
def _describe(trainer, params):
    return {"step": trainer.steps, "epoch": trainer.epoch, "seed": int(trainer.seed),
            "hyperparams": trainer.hyperparams(), "params": fingerprint(params),
            "data": fingerprint(*trainer.data())}


def _same(a, b):
    return all(x is y for x, y in zip(a, b))


def _numbers(entry):
    value = next(entry[k] for k in KINDS if k in entry)
    if isinstance(value, np.ndarray):
        return value.size
    if isinstance(value, dict):
        return sum(np.size(v) for v in value.values() if isinstance(v, np.ndarray))
    return 0


def _encode(entry):
    out = {}
    for key, value in entry.items():
        if isinstance(value, np.ndarray):
            value = encode_array(value)
        elif key in ("data", "append"):
            value = {k: encode_array(v) for k, v in value.items()}
        out[key] = value
    return out


def _decode(entry, field):
    entry = dict(entry)
    kinds = [key for key in KINDS if key in entry]
    if len(kinds) != 1 or set(entry) != {"step", "epoch", kinds[0]}:
        raise ConfigError(field, "expected step, epoch and one change", list(KINDS))
    entry["step"], entry["epoch"] = int(entry["step"]), int(entry["epoch"])
    kind = kinds[0]
    if kind == "params":
        entry[kind] = decode_array(entry[kind], f"{field}.params")
    elif kind in ("data", "append"):
        entry[kind] = {k: decode_array(v, f"{field}.{kind}.{k}") for k, v in entry[kind].items()}
    elif kind == "hyperparams":
        entry[kind] = dict(entry[kind])
    return entry


def check_start(trainer, start):
    """ConfigError naming what differs unless `trainer` stands where the logged run started
    (`log.start`): its steps, seed, hyperparameters, weights and data, the last two by value."""
    now = _describe(trainer, trainer.net.params)
    for key, what in (("step", "minibatches trained"), ("seed", "seed"),
                      ("hyperparams", "hyperparameters"), ("params", "weights"),
                      ("data", "data")):
        if now[key] != start[key]:
            shown = (f"{now[key]!r}, the run's {start[key]!r}"
                     if key not in ("params", "data") else "differ from the run's")
            raise ConfigError("log", f"the trainer does not stand where the run started: its "
                              f"{what} {shown}", key)


def _train_to(trainer, step, epoch, field):
    if step < trainer.steps:
        raise ConfigError(f"log.{field}", f"step {step} is behind the trainer ({trainer.steps})")
    trainer.step(step - trainer.steps)
    if trainer.status == "ok" and (trainer.steps != step or
                                   (epoch is not None and trainer.epoch != epoch)):
        raise ConfigError(f"log.{field}", f"the replay reached step {trainer.steps} of epoch "
                          f"{trainer.epoch}, the run was at step {step} of epoch {epoch}")
