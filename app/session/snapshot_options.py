"""Snapshot options: which parts of a snapshot a request asks for, checked, and what building
that snapshot would cost, known before any work.

A snapshot's peak memory (its largest part's working arrays plus the encoded answer) must fit
`MAX_SNAPSHOT_BYTES`; `check_view` refuses with a 422 naming the part to trim (and, for the
grid, the largest resolution that fits). docs/api.md lists the options.
"""

from nn_core.errors import ConfigError
from nn_core.evaluation import EVAL_CHUNK
from nn_core.grid import DEFAULT_NEURON_RESOLUTION, DEFAULT_RESOLUTION
from nn_core.transformed import DEFAULT_LINE_POINTS, check_selection

from ..capacity.limits import BOUNDS_LIMIT, MAX_COUNT
from ..capacity.memory import describe
from .arrays import ENCODINGS
from .errors import ApiError, bad_type
from .validate import boolean, check_keys, number, query_boolean, query_value, string

DEFAULTS = {
    "grid": True, "resolution": DEFAULT_RESOLUTION, "neurons": True,
    "neuron_resolution": DEFAULT_NEURON_RESOLUTION,
    # bounds None: the plane's own, [-6, 6]² or a real set's principal plane (snapshot.py)
    "encoding": "f32", "neuron_encoding": "u8", "bounds": None,
    "weights": True, "history": True, "history_since": 0, "confusion": True,
    "predictions": False, "transformed": None,
}
BOOLEAN = ("grid", "neurons", "weights", "history", "confusion", "predictions")


def parse_options(raw, limits, from_query=False):
    """Complete snapshot options from a (possibly empty) dict; 400/422 on bad values.

    Query strings carry text: a yes/no option takes "true"/"false"/"1"/"0" (any other word is
    a 400), numbers are read as JSON would be, and `bounds` may be given as "x0,x1,y0,y1".
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
                values[key] = (None if text.strip().lower() in ("", "null", "none")
                               else [query_value(v) for v in text.split(",")])
            elif key == "transformed":
                values[key] = _transformed_query(text)
            elif key in BOOLEAN:
                values[key] = query_boolean(f"snapshot.{key}", text)
            else:
                values[key] = query_value(text)
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
                                  0, MAX_COUNT, integer=True)
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
        rows = n_points + DEFAULT_LINE_POINTS
        work["snapshot.transformed"] = rows * (sum(widths) * 16 + n_in * 8)
        answer["snapshot.transformed"] = rows * 2 * 4
    if options["confusion"] or options["predictions"]:
        work["snapshot.confusion"] = min(n_points, EVAL_CHUNK) * sum(widths) * 16
    if options["predictions"]:
        answer["snapshot.predictions"] = n_points * 3   # "k," a test point; ×8/3 below: generous
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
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 4:
        raise bad_type(field, "null or [x_min, x_max, y_min, y_max]", value)
    b = [number(f"{field}[{i}]", v, -BOUNDS_LIMIT, BOUNDS_LIMIT) for i, v in enumerate(value)]
    if not (b[0] < b[1] and b[2] < b[3]):
        raise ApiError(422, "snapshot.bounds: need x_min < x_max and y_min < y_max", field,
                       "[x_min, x_max, y_min, y_max] within ±100")
    return b
