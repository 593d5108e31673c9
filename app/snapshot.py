"""Snapshots: what the page draws after each request, and the options that trim it.

A snapshot is built under the session's lock from the trainer and network as they are at that
moment, so it is always self-consistent. Its large parts (the output grid, the neuron maps)
are encoded with `encoding.encode_*`; the client leaves out what it does not draw.
docs/api.md describes the format.

What one snapshot may cost is bounded before any work (`check_view`): its peak memory, the
largest part's working arrays plus the encoded answer, must fit `MAX_SNAPSHOT_BYTES`. It is
built in the session's scheduler turn, with a checkpoint between parts, and it never shows
numbers the page cannot trust: a map or weight that is not a finite float32 marks the session
diverged (with a reason) instead of going out as ±inf under status "ok".
"""

import math
import time

import numpy as np

from nn_core.errors import ConfigError
from nn_core.grid import DEFAULT_BOUNDS, DEFAULT_NEURON_RESOLUTION, DEFAULT_RESOLUTION
from nn_core.transformed import check_selection, transformed_space

from .body import boolean, check_keys, number, query_value, string
from .encoding import ENCODINGS, encode, encode_f32
from .errors import ApiError, bad_type
from .grids import GridCache
from .memory import describe

# Grid lines of the transformed view (nn_core's defaults: 13 + 13 lines of 60 samples).
TRANSFORMED_LINE_POINTS = 26 * 60
CONFUSION_CHUNK = 2048  # rows nn_core's evaluation forwards at once

DEFAULTS = {
    "grid": True, "resolution": DEFAULT_RESOLUTION, "neurons": True,
    "neuron_resolution": DEFAULT_NEURON_RESOLUTION,
    "encoding": "f32", "neuron_encoding": "u8", "bounds": list(DEFAULT_BOUNDS),
    "weights": True, "history": True, "history_since": 0, "confusion": True,
    "transformed": None,
}
BOOLEAN = ("grid", "neurons", "weights", "history", "confusion")
BOUNDS_LIMIT = 100.0


def parse_options(raw, limits, from_query=False):
    """Complete snapshot options from a (possibly empty) dict; 400/422 on bad values.

    Query strings carry text: "0"/"1"/"true"/"false" and numbers are read as JSON would be,
    and `bounds` may be given as "x0,x1,y0,y1".
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise bad_type("snapshot", "an object of snapshot options", raw)
    check_keys("snapshot", raw, DEFAULTS)
    values = dict(raw)
    if from_query:
        for key, text in raw.items():
            if key == "bounds":
                values[key] = [query_value(v) for v in text.split(",")]
            elif key == "transformed":
                values[key] = _transformed_query(text)
            else:
                value = query_value(text)
                if key in BOOLEAN and value in (0, 1) and not isinstance(value, bool):
                    value = bool(value)
                values[key] = value
    out = {}
    for key in BOOLEAN:
        out[key] = boolean(f"snapshot.{key}", values.get(key, DEFAULTS[key]))
    out["resolution"] = number("snapshot.resolution", values.get("resolution", DEFAULTS["resolution"]),
                               2, limits["MAX_GRID"], integer=True)
    out["neuron_resolution"] = number("snapshot.neuron_resolution",
                                      values.get("neuron_resolution", DEFAULTS["neuron_resolution"]),
                                      2, limits["MAX_NEURON_GRID"], integer=True)
    out["encoding"] = string("snapshot.encoding", values.get("encoding", "f32"), ENCODINGS)
    out["neuron_encoding"] = string("snapshot.neuron_encoding",
                                    values.get("neuron_encoding", "u8"), ENCODINGS)
    out["history_since"] = number("snapshot.history_since", values.get("history_since", 0),
                                  0, 2**53 - 1, integer=True)
    out["bounds"] = _bounds(values.get("bounds", DEFAULTS["bounds"]))
    out["transformed"] = _transformed_option(values.get("transformed"), limits)
    return out


def _transformed_query(text):
    """`?transformed=layer,a,b` (or empty / "null" for none) → the option's JSON form."""
    parts = [p for p in text.split(",") if p.strip()]
    if not parts or (len(parts) == 1 and parts[0].strip().lower() in ("null", "none")):
        return None
    if len(parts) != 3:
        raise bad_type("snapshot.transformed", "layer,a,b (three integers)", text)
    layer, a, b = (query_value(p) for p in parts)
    return {"layer": layer, "neurons": [a, b]}


def _transformed_option(value, limits):
    """`{"layer": i, "neurons": [a, b]}` or None; types → 400, indices that no network allowed by
    the limits could have → 422. Whether they fit this session's network: `check_transformed`."""
    field = "snapshot.transformed"
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_type(field, 'null or {"layer": i, "neurons": [a, b]}', value)
    check_keys(field, value, ("layer", "neurons"))
    for key in ("layer", "neurons"):
        if key not in value:
            raise ApiError(422, f"{field}.{key}: required", f"{field}.{key}", None)
    neurons = value["neurons"]
    if not isinstance(neurons, list) or len(neurons) != 2:
        raise bad_type(f"{field}.neurons", "[a, b] (two neuron indices)", neurons)
    max_layer = max(0, limits["MAX_HIDDEN_LAYERS"] - 1)
    max_neuron = max(0, limits["MAX_NEURONS"] - 1)
    return {"layer": number(f"{field}.layer", value["layer"], 0, max_layer, integer=True),
            "neurons": [number(f"{field}.neurons[{i}]", n, 0, max_neuron, integer=True)
                        for i, n in enumerate(neurons)]}


def check_transformed(options, layer_sizes):
    """422 naming `snapshot.transformed.<field>` if the option does not fit a network with these
    layer sizes (a hidden layer that does not exist, a neuron index past its width)."""
    chosen = options.get("transformed")
    if chosen is None:
        return
    try:
        check_selection(layer_sizes, chosen["layer"], chosen["neurons"])
    except ConfigError as exc:
        field = f"snapshot.transformed.{exc.field}"
        raise ApiError(422, f"{field}: {exc.reason}", field, exc.allowed) from None


def options_key(options):
    """The options as a hashable key (what a snapshot's cost depends on)."""
    chosen = options.get("transformed")
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items()
                 if k != "transformed") + (
        (None if chosen is None else (chosen["layer"], tuple(chosen["neurons"]))),)


def cost(options, layer_sizes, n_points):
    """{part: bytes} at the peak of building a snapshot: the working arrays of its largest part
    (the float32 grid pass keeps every layer's activations; the transformed view and the
    confusion matrices run float64 forward passes keeping z and a per layer) plus the encoded
    answer (base64 text, then the JSON holding it). The history is left out: `history_rows`
    bounds it (~1 MB of JSON at most)."""
    n_in, n_out = layer_sizes[0], layer_sizes[-1]
    hidden, widths = layer_sizes[1:-1], layer_sizes[1:]
    work, answer = {}, {}
    if options["grid"]:
        res = options["resolution"]
        nres = options["neuron_resolution"] if options["neurons"] else 2
        work["snapshot.resolution"] = (res * res + nres * nres) * sum(widths) * 4
        answer["snapshot.resolution"] = res * res * n_out * (4 if options["encoding"] == "f32" else 1)
        if options["neurons"]:
            size = 4 if options["neuron_encoding"] == "f32" else 1
            answer["snapshot.neuron_resolution"] = nres * nres * (sum(hidden) + n_out + n_in) * size
    if options["weights"]:
        answer["snapshot.weights"] = sum((a + 1) * b for a, b in zip(layer_sizes, widths)) * 8
    if options.get("transformed") is not None:
        rows = n_points + TRANSFORMED_LINE_POINTS
        work["snapshot.transformed"] = rows * (sum(widths) * 16 + n_in * 8)
        answer["snapshot.transformed"] = rows * 2 * 4
    if options["confusion"]:
        work["snapshot.confusion"] = min(n_points, CONFUSION_CHUNK) * sum(widths) * 16
    parts = {k: v * 8 // 3 for k, v in answer.items()}  # base64 (4/3), then JSON text (×2)
    if work:
        largest = max(work, key=work.get)
        parts[largest] = parts.get(largest, 0) + work[largest]
    return parts


def check_view(options, layer_sizes, n_points, limits):
    """422 before any work if the snapshot asked for does not fit this network (the transformed
    view's layer and neurons) or would need more than MAX_SNAPSHOT_BYTES to build."""
    check_transformed(options, layer_sizes)
    most = limits["MAX_SNAPSHOT_BYTES"]
    parts = cost(options, layer_sizes, n_points)
    need = sum(parts.values())
    if need <= most:
        return
    field = max(parts, key=parts.get)
    allowed = [0, most]
    if field == "snapshot.resolution":  # the largest resolution that would fit
        fits = [r for r in range(2, limits["MAX_GRID"] + 1)
                if sum(cost({**options, "resolution": r}, layer_sizes, n_points).values())
                <= most]
        allowed = [2, fits[-1]] if fits else None
    raise ApiError(422, f"{field}: this snapshot would need about {describe(need)} to build; one "
                   f"snapshot may use {describe(most)}: ask for a lower resolution, fewer parts "
                   "or a smaller network", field, allowed)


def _bounds(value):
    field = "snapshot.bounds"
    if not isinstance(value, list) or len(value) != 4:
        raise bad_type(field, "[x_min, x_max, y_min, y_max]", value)
    b = [number(f"{field}[{i}]", v, -BOUNDS_LIMIT, BOUNDS_LIMIT) for i, v in enumerate(value)]
    if not (b[0] < b[1] and b[2] < b[3]):
        raise ApiError(422, "snapshot.bounds: need x_min < x_max and y_min < y_max", field,
                       "[x_min, x_max, y_min, y_max] within ±100")
    return b


def build(session, options, grid_cache=None, done=None, timing=None):
    """The snapshot dict of `session` (its trainer and network) under `options`.

    Runs in the session's scheduler turn (taken here if the caller holds none), with a
    checkpoint after each large part so other learners are not held up for long.
    """
    started = time.perf_counter()
    trainer, net, scheduler = session.trainer, session.network, session.scheduler
    snap = {}
    grid_ms = 0.0
    with session.turn():
        session.check_numbers()
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
        if options.get("transformed") is not None:
            snap["transformed"] = _transformed(session, options["transformed"])
    status = trainer.status  # last: a part above may have found numbers beyond float32
    snap = {
        "epoch": trainer.epoch,
        "steps": trainer.steps,
        "status": status,
        "reason": trainer.status_reason if status != "ok" else None,
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


def _finite_or_diverge(session, arrays, what):
    """Mark the session diverged if any of `arrays` (float32 maps) is not finite."""
    if session.trainer.status == "ok" and not all(np.isfinite(a).all() for a in arrays):
        session.mark_diverged(
            f"the network's {what} became too large to draw (beyond ±3.4e38, float32's range) "
            f"at epoch {session.trainer.epoch}: the weights grew without bound; try a smaller "
            "learning rate and press reset")


def _grid(session, options, grid_cache):
    cache = grid_cache or GridCache()
    features, bounds, res = session.config["features"], options["bounds"], options["resolution"]
    nres = options["neuron_resolution"] if options["neurons"] else None
    maps = cache.evaluate(session.network, features, bounds, res, nres)
    _finite_or_diverge(session, [maps.output, maps.output_small, *maps.neurons], "outputs")
    grid = {"bounds": bounds, "resolution": res, "output": encode(maps.output, options["encoding"])}
    if options["neurons"]:
        enc = options["neuron_encoding"]
        grid["neuron_resolution"] = nres
        grid["neurons"] = [encode(layer, enc) for layer in maps.neurons]
        grid["output_small"] = encode(maps.output_small, enc)
        grid["inputs"] = cache.encoded_inputs(features, bounds, res, nres, enc, encode)
    return grid


def _weights(net, trainer):
    grads = getattr(trainer, "last_grads", None)
    norms = _latest_grad_norms(trainer)
    layers = []
    for i, layer in enumerate(net.layers):
        entry = {"W": encode_f32(layer.W), "b": encode_f32(layer.b)}
        if grads is not None and i < len(grads):
            dW, db = grads[i]
            entry["dW"], entry["db"] = encode_f32(dW), encode_f32(db)
        else:
            entry["dW"] = entry["db"] = None
        entry["grad_norm"] = norms[i] if norms is not None and i < len(norms) else None
        layers.append(entry)
    return layers


def _confusion(trainer):
    """Train and test confusion matrices of the current weights as JSON lists of counts.

    One more forward pass over the stored points: ~0.1 ms for the default session, ~40 ms at the
    limits (5000 points, 8 × 64 neurons), which is why the page asks only while it shows them.
    """
    matrices = trainer.confusion()
    return {"train": matrices["train"].tolist(), "test": matrices["test"].tolist(),
            "labels": list(range(len(matrices["train"])))}


def _transformed(session, chosen):
    """Train then test points, and the plane's 26 grid lines (13 + 13, 60 samples each, over
    [-6, 6]²), seen by neurons (a, b) of hidden layer `layer`; both float32.

    One forward pass over 500 + 1,560 rows: ~0.1 ms by default, ~30 ms at the limits (5000
    points, 8 × 64 neurons), which is why the page asks only while the panel is open.
    """
    points, _ = session.points.all()
    view = transformed_space(session.network, session.config["features"], points,
                             chosen["layer"], chosen["neurons"])
    with np.errstate(over="ignore", invalid="ignore"):
        _finite_or_diverge(session, [view["points"].astype(np.float32),
                                     view["lines"].astype(np.float32)], "hidden activations")
    return {"layer": view["layer"], "neurons": view["neurons"],
            "points": encode_f32(view["points"]), "lines": encode_f32(view["lines"])}


def _latest_grad_norms(trainer):
    """Per-layer gradient norms over the training set at the latest epoch (the history's)."""
    latest = trainer.metrics()
    norms = latest.get("grad_norms") if isinstance(latest, dict) else None
    return [_float(v) for v in norms] if norms is not None else None


def _float(value):
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _clean(metrics):
    """Metrics with NumPy scalars as floats and non-finite values as None."""
    out = {}
    for key, value in (metrics or {}).items():
        if isinstance(value, (list, tuple, np.ndarray)):
            out[key] = [_float(v) for v in value]
        elif isinstance(value, (float, np.floating)):
            out[key] = _float(value)
        elif isinstance(value, np.integer):
            out[key] = int(value)
        else:
            out[key] = value
    return out
