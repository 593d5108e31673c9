"""Snapshots: what the page draws after each request, built from one consistent state.

A snapshot is built under the session's lock (in the request's one CPU turn, with a
checkpoint after each large part so other learners are not held up for long) from the trainer
and network as they are at that moment. Its large parts (the output grid, the neuron maps) are
encoded with `arrays.encode_*`; the client leaves out what it does not draw
(`snapshot_options.py`; docs/api.md describes the format). It never shows numbers the page
cannot trust: a map or weight that is not a finite float32 marks the run diverged, with the
engine's reason, instead of going out as ±inf under status "ok".
"""

import math
import threading
import time
from collections import OrderedDict

import numpy as np

from nn_core.grid import DEFAULT_BOUNDS, GridInputs, evaluate_grid
from nn_core.principal_plane import principal_plane
from nn_core.transformed import transformed_space

from .arrays import encode, encode_f32


def build(session, options, grid_cache=None, done=None, timing=None):
    """The snapshot dict of `session` (its trainer and network) under `options`; call under the
    session's lock, in its turn at the CPU."""
    started = time.perf_counter()
    trainer, net, scheduler = session.trainer, session.network, session.scheduler
    snap = {}
    grid_ms = 0.0
    trainer.check_drawable()
    snap["metrics"] = _clean(trainer.metrics())
    if options["history"]:
        history = trainer.history.since(options["history_since"])
        snap["history"] = {"since": options["history_since"], **history}
    if options["grid"]:
        t0 = time.perf_counter()
        snap["grid"] = _grid(session, options, grid_cache)
        grid_ms = (time.perf_counter() - t0) * 1000
        scheduler.checkpoint()
    if options["weights"]:
        snap["weights"] = _weights(net, trainer)
    if options["confusion"] and net.problem != "regression":
        snap["confusion"] = _confusion(trainer)
        scheduler.checkpoint()
    if options["predictions"] and net.problem != "regression":
        snap["predictions"] = _predictions(trainer)
        scheduler.checkpoint()
    if options.get("transformed") is not None:
        snap["transformed"] = _transformed(session, options["transformed"])
    status = trainer.status  # last: a part above may have found numbers beyond float32
    snap = {
        "epoch": trainer.epoch,
        "steps": trainer.steps,
        "status": status,
        "reason": trainer.status_reason if status != "ok" else None,
        "hints": trainer.hints if status == "ok" else [],
        "learning_rate": _float(trainer.learning_rate),
        **snap,
    }
    if done is not None:
        snap["done"] = done
    timing = dict(timing or {})
    timing["grid_ms"] = round(grid_ms, 3)
    timing["snapshot_ms"] = round((time.perf_counter() - started) * 1000, 3)
    snap["timing"] = timing
    return snap


def _finite_or_diverge(trainer, arrays, what):
    """Mark the run diverged if any of `arrays` (float32 maps) is not finite."""
    if trainer.status == "ok":
        for values in arrays:
            if not np.isfinite(values).all():
                trainer.mark_diverged(what, values)
                return


def plane_of(session):
    """Where the session's grid lies: None for the input plane, or a real set's principal plane
    (its network takes raw inputs: features None)."""
    config = session.config
    return principal_plane(config["dataset"]) if config["features"] is None else None


def grid_bounds(options, plane):
    """The bounds asked for, else the plane's own: [-6, 6]² or the principal plane's square."""
    if options["bounds"] is not None:
        return list(options["bounds"])
    return list(DEFAULT_BOUNDS if plane is None else plane.bounds)


def _grid(session, options, grid_cache):
    cache = grid_cache or GridCache()
    plane = plane_of(session)
    features, res = session.config["features"], options["resolution"]
    bounds = grid_bounds(options, plane)
    nres = options["neuron_resolution"] if options["neurons"] else None
    maps = cache.evaluate(session.network, features, bounds, res, nres, plane)
    _finite_or_diverge(session.trainer, [maps.output, maps.output_small, *maps.neurons], "network's outputs")
    grid = {"bounds": bounds, "resolution": res, "output": encode(maps.output, options["encoding"])}
    if options["neurons"]:
        enc = options["neuron_encoding"]
        grid["neuron_resolution"] = nres
        grid["neurons"] = [encode(layer, enc) for layer in maps.neurons]
        grid["output_small"] = encode(maps.output_small, enc)
        grid["inputs"] = cache.encoded_inputs(features, bounds, res, nres, enc, encode, plane)
    return grid


def _weights(net, trainer):
    """Each layer's W and b, the gradient of the newest update (`Trainer.last_grads`: the last
    minibatch's, as the optimizer received it) and its norm as the history recorded it."""
    norms = [_float(v) for v in trainer.metrics()["grad_norms"]]
    return [{"W": encode_f32(layer.W), "b": encode_f32(layer.b), "dW": encode_f32(dW),
             "db": encode_f32(db), "grad_norm": norm}
            for layer, (dW, db), norm in zip(net.layers, trainer.last_grads, norms)]


def _confusion(trainer):
    """Train and test confusion matrices of the current weights as JSON lists of counts.

    One more forward pass over the stored points: ~0.1 ms for the default session, ~40 ms at the
    limits (5000 points, 8 × 64 neurons), which is why the page asks only while it shows them.
    """
    matrices = trainer.confusion()
    return {"train": matrices["train"].tolist(), "test": matrices["test"].tolist(),
            "labels": list(range(len(matrices["train"])))}


def _predictions(trainer):
    """The class the current weights predict for every test point, in the order of `data` (a
    JSON list of ints: ~2 bytes a point): what the digits gallery outlines. The same forward
    pass as the confusion matrices count (~0.2 ms for the digits' 898 test points and 64-32-10
    network, a tenth of an epoch's training)."""
    return {"test": trainer.predictions(("test",))["test"].tolist()}


def _transformed(session, chosen):
    """Train then test points, and the plane's 26 grid lines (13 + 13, 60 samples each, over
    [-6, 6]², or over a real set's principal plane), seen by neurons (a, b) of hidden layer
    `layer`; both float32.

    One forward pass over 500 + 1,560 rows: ~0.1 ms by default, ~30 ms at the limits (5000
    points, 8 × 64 neurons), which is why the page asks only while the panel is open.
    """
    points, _ = session.points.all()
    view = transformed_space(session.network, session.config["features"], points,
                             chosen["layer"], chosen["neurons"], plane=plane_of(session))
    with np.errstate(over="ignore", invalid="ignore"):
        _finite_or_diverge(session.trainer, [view["points"].astype(np.float32),
                                     view["lines"].astype(np.float32)], "hidden activations")
    return {"layer": view["layer"], "neurons": view["neurons"],
            "points": encode_f32(view["points"]), "lines": encode_f32(view["lines"])}


def _float(value):
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _clean(metrics):
    """Metrics with NumPy scalars as floats and non-finite values as None."""
    out = {}
    for key, value in metrics.items():
        if isinstance(value, (list, tuple, np.ndarray)):
            out[key] = [_float(v) for v in value]
        elif isinstance(value, (float, np.floating)):
            out[key] = _float(value)
        elif isinstance(value, np.integer):
            out[key] = int(value)
        else:
            out[key] = value
    return out


# --------------------------------------------------------------------------- the grid cache
# A small cache of grid feature matrices, so a snapshot only runs the forward pass.
# 
# Building the feature matrix of a 100 × 100 grid (sin x1 and friends over 10,000 points) costs
# more than the forward pass of a playground network, and every request of a running page asks
# for the same grid. `nn_core.grid.GridInputs` is that matrix; this keeps the most recently used
# ones per app, keyed by (features — or, for a real set's raw inputs, its principal plane —,
# bounds, resolution, neuron resolution), within `CAPACITY`
# entries and `CAPACITY_BYTES` (a 400 × 400 grid with nine features is ~6 MB of float32). The
# input-feature thumbnails a snapshot sends never change for a grid, so their encodings are kept
# with it too.
CAPACITY = 16
CAPACITY_BYTES = 32 * 1024 * 1024


class _Entry:
    def __init__(self, grid):
        self.grid = grid
        self.encoded = {}  # encoding name -> the encoded input-feature maps
        self.nbytes = grid.X.nbytes


class GridCache:
    def __init__(self, capacity=CAPACITY, capacity_bytes=CAPACITY_BYTES):
        self.capacity = capacity
        self.capacity_bytes = capacity_bytes
        self._lock = threading.Lock()
        self._items = OrderedDict()

    @property
    def nbytes(self):
        with self._lock:
            return sum(entry.nbytes for entry in self._items.values())

    def _entry(self, features, bounds, resolution, neuron_resolution, plane=None):
        # A principal plane is computed once per dataset and kept: it is its own key.
        key = (tuple(features) if features is not None else plane, tuple(bounds), resolution,
               neuron_resolution)
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
                return entry
        # Built outside the lock: two threads may both build it; the last one stays. Harmless.
        entry = _Entry(GridInputs(features, bounds, resolution, neuron_resolution, plane))
        with self._lock:
            self._items[key] = entry
            while len(self._items) > 1 and (
                    len(self._items) > self.capacity
                    or sum(e.nbytes for e in self._items.values()) > self.capacity_bytes):
                self._items.popitem(last=False)
        return entry

    def inputs(self, features, bounds, resolution, neuron_resolution, plane=None):
        """The (shared, read-only) GridInputs for these settings, built on first use."""
        return self._entry(features, bounds, resolution, neuron_resolution, plane).grid

    def evaluate(self, network, features, bounds, resolution, neuron_resolution=None,
                 plane=None):
        """nn_core's grid maps of `network` (over `plane` when features is None); without
        neuron maps the small grid is 2 × 2."""
        nres = neuron_resolution if neuron_resolution is not None else 2
        return evaluate_grid(network, grid=self.inputs(features, bounds, resolution, nres, plane))

    def encoded_inputs(self, features, bounds, resolution, neuron_resolution, encoding, encode,
                       plane=None):
        """`encode(grid.inputs, encoding)`, computed once per grid and encoding."""
        entry = self._entry(features, bounds, resolution, neuron_resolution, plane)
        encoded = entry.encoded.get(encoding)
        if encoded is None:
            encoded = entry.encoded[encoding] = encode(entry.grid.inputs, encoding)
        return encoded
