"""The session configuration: defaults, merging a change into it, and validation.

A configuration is one flat JSON object (docs/api.md lists every field). `normalize` turns any
subset into the complete configuration or raises: 400 for a wrong JSON type, 422 (ConfigError
or ApiError) for a value out of range or an unknown name. Ranges come from the app's limits
and from nn_core's own registries and bounds, so the page, this module and the engine agree.

Fields fall in three groups, which decide what a change rebuilds:
- data fields: the points change;
- network fields: the network (its shape or its initial weights) changes;
- live fields: the trainer takes them as they are, keeping weights and history.

A real dataset (nn_core's `realdata.py`: digits, iris, wine, breast_cancer) is measured data
with inputs of its own: its `features` are `null` (the network takes the point's columns as
they are, nn_core's `transform(points, None)`), its `noise`, `n_points` and `n_classes` are
fixed (only their one value is accepted), and picking it applies the network and training
settings the engine records for it (`DATASETS.info(name)["defaults"]`) to every field the
request does not give.
"""

from nn_core import datasets, features
from nn_core.activations import ACTIVATIONS, OUTPUT_ONLY
from nn_core.initializers import INITIALIZERS
from nn_core.losses import LOSSES
from nn_core.network import PROBLEMS, resolve_output
from nn_core.optimizers import CLIP_NORM_RANGE, OPTIMIZERS
from nn_core.regularizers import REG_RATE_RANGE, REGULARIZERS
from nn_core.schedules import SCHEDULES
from nn_core.seeds import SEED_MAX
from nn_core.trainer import LEARNING_RATE_RANGE

from .errors import ApiError, bad_type
from .validate import check_keys, is_number, number, string

CUSTOM = "custom"  # the dataset name of user-supplied points

DATA_FIELDS = ("dataset", "n_points", "noise", "n_classes", "train_ratio", "data_seed")
NETWORK_FIELDS = ("features", "hidden_layers", "activation", "layer_activations", "problem",
                  "output_activation", "loss", "init", "seed")
LIVE_FIELDS = ("optimizer", "optimizer_params", "learning_rate", "schedule", "schedule_params",
               "regularization", "reg_rate", "batch_size", "clip_norm")
FIELDS = DATA_FIELDS + NETWORK_FIELDS + LIVE_FIELDS

# TensorFlow Playground's data, network shape and training settings; the output layer and loss
# are left to nn_core's `resolve_output` (the textbook sigmoid + cross-entropy for binary, where
# TF Playground uses tanh + squared error on ±1 labels), and the initializer is Xavier's.
BASE_DEFAULTS = {
    "dataset": "circle", "noise": 0.0, "train_ratio": 0.5, "data_seed": 1,
    "features": list(features.DEFAULT_FEATURES), "hidden_layers": [4, 2], "activation": "tanh",
    "layer_activations": None, "init": "xavier_uniform", "seed": 1,
    "optimizer": "sgd", "learning_rate": 0.03, "schedule": "constant",
    "regularization": "none", "reg_rate": 0.0, "batch_size": 10, "clip_norm": None,
}


def is_real(dataset):
    """Whether `dataset` names a real set (its columns are the inputs; kind "real")."""
    return (isinstance(dataset, str) and dataset in datasets.DATASETS
            and datasets.DATASETS.info(dataset)["kind"] == "real")


def dataset_defaults(dataset):
    """What picking `dataset` sets besides BASE_DEFAULTS: for a real set its own network and
    training settings (the engine's `defaults`) and `features` null; {} for the others."""
    if not is_real(dataset):
        return {}
    return {**datasets.DATASETS.info(dataset)["defaults"], "features": None}


def default_config(limits):
    """The complete default configuration (`BASE_DEFAULTS` with every derived field filled)."""
    return normalize({}, limits)


def data_problem(dataset, custom_problem=None):
    """The problem type the points themselves define: binary, multiclass or regression."""
    if dataset == CUSTOM:
        return custom_problem
    return datasets.DATASETS.info(dataset)["problem"]


def compatible_problems(kind, n_classes):
    """Problem types a network may take on data of type `kind`."""
    if kind == "binary":
        return ["binary", "multiclass", "regression"]
    if kind == "multiclass":
        return ["multiclass", "binary"] if n_classes == 2 else ["multiclass"]
    return ["regression"]


def merge(base, change):
    """`base` with `change` applied, dropping derived fields the change makes stale.

    A new dataset re-derives its point count, class count and problem type unless the change
    gives them (a real set also its features, noise and its own network and training
    settings, `dataset_defaults`); a new problem re-derives output activation and loss; a new optimizer or
    schedule starts from its own defaults, while new parameters for the same one are merged.
    """
    merged = dict(base)
    merged.update(change)
    if "dataset" in change and change["dataset"] != base.get("dataset"):
        stale = ["n_points", "n_classes", "problem"]
        picked = dataset_defaults(change["dataset"])
        if picked or is_real(base.get("dataset")):
            # A real set brings its own network and settings (and has no features or noise);
            # leaving one, the plane sets' features and noise come back.
            stale += ["features", "noise", *picked]
            if picked:
                stale += ["layer_activations", "optimizer_params"]
        for key in stale:
            if key not in change:
                merged.pop(key, None)
    problem_may_change = any(k in change for k in ("dataset", "problem", "n_classes"))
    if problem_may_change:
        new_problem = merged.get("problem") or _derived_problem(merged)
        if new_problem != base.get("problem"):
            for key in ("output_activation", "loss"):
                if key not in change:
                    merged.pop(key, None)
    for kind in ("optimizer", "schedule"):
        params = f"{kind}_params"
        if kind in change and change[kind] != base.get(kind):
            if params not in change:
                merged.pop(params, None)
        elif params in change and isinstance(change[params], dict) \
                and isinstance(base.get(params), dict):
            merged[params] = {**base[params], **change[params]}
    if "hidden_layers" in change and "layer_activations" not in change:
        per_layer = base.get("layer_activations")
        layers = change["hidden_layers"]
        if isinstance(per_layer, list) and isinstance(layers, list):
            # Keep the chosen activations for the layers that remain; new ones take the default.
            fill = merged.get("activation", BASE_DEFAULTS["activation"])
            merged["layer_activations"] = (per_layer + [fill] * len(layers))[:len(layers)]
    return merged


def _derived_problem(config):
    dataset = config.get("dataset", BASE_DEFAULTS["dataset"])
    if isinstance(dataset, str) and dataset in datasets.DATASETS:
        return data_problem(dataset)
    return None


def changed_fields(old, new):
    """The fields whose values differ between two complete configurations."""
    return [key for key in FIELDS if old.get(key) != new.get(key)]


def normalize(raw, limits, custom_problem=None, custom_points=None):
    """The complete, validated configuration for `raw` (any subset of the fields).

    `custom_problem`/`custom_points` describe the session's user points when `dataset` is
    "custom" (a fresh session cannot ask for "custom": the data endpoint sets it).
    """
    if not isinstance(raw, dict):
        raise bad_type("config", "a JSON object", raw)
    check_keys("", raw, FIELDS)
    names = datasets.DATASETS.names() + ([CUSTOM] if custom_problem else [])
    dataset = string("dataset", raw.get("dataset", BASE_DEFAULTS["dataset"]), names)
    defaults = {**BASE_DEFAULTS, **dataset_defaults(dataset)}
    get = lambda key: raw.get(key, defaults.get(key))  # noqa: E731
    out = {}

    # --- data ----------------------------------------------------------------------------
    out["dataset"] = dataset
    kind = data_problem(dataset, custom_problem)
    real = is_real(dataset)
    if real:
        out.update(_real_data(raw, dataset, limits))
    elif dataset == CUSTOM:
        if raw.get("n_points", custom_points) != custom_points:
            raise ApiError(422, "n_points: user points are added and removed with the data "
                           "endpoint", "n_points", [custom_points, custom_points])
        out["n_points"] = int(custom_points)
        out["noise"] = number("noise", get("noise"), *datasets.NOISE_RANGE)
    else:
        info = datasets.DATASETS.info(dataset)
        default_points = min(info["default_points"], limits["MAX_POINTS"])
        out["n_points"] = number("n_points", raw.get("n_points", default_points),
                                 datasets.N_POINTS_RANGE[0], limits["MAX_POINTS"], integer=True)
        out["noise"] = number("noise", get("noise"), *datasets.NOISE_RANGE)
    if not real:
        out["n_classes"] = _n_classes(raw, dataset, kind, limits)
    out["train_ratio"] = number("train_ratio", get("train_ratio"), *datasets.TRAIN_RATIO_RANGE)
    out["data_seed"] = number("data_seed", get("data_seed"), 0, SEED_MAX, integer=True)

    # --- network -------------------------------------------------------------------------
    chosen = get("features")
    if real:
        if chosen is not None:
            n = datasets.DATASETS.info(dataset)["inputs"]
            raise ApiError(422, f"features: the {dataset} dataset's {n} inputs go into the "
                           "network as they are; features apply to the plane datasets only",
                           "features", None)
        out["features"] = None
    else:
        if not isinstance(chosen, list) or not all(isinstance(f, str) for f in chosen):
            raise bad_type("features", "a list of feature names", chosen)
        out["features"] = features.normalize_features(chosen)
    out["hidden_layers"] = _hidden_layers(get("hidden_layers"), limits)
    hidden_names = [n for n in ACTIVATIONS if n not in OUTPUT_ONLY]
    out["activation"] = string("activation", get("activation"), hidden_names)
    per_layer = get("layer_activations")
    if per_layer is not None:
        if not isinstance(per_layer, list):
            raise bad_type("layer_activations", "null or a list of activation names", per_layer)
        if len(per_layer) != len(out["hidden_layers"]):
            raise ApiError(422, "layer_activations: give one name per hidden layer "
                           f"({len(out['hidden_layers'])})", "layer_activations",
                           [len(out["hidden_layers"]), len(out["hidden_layers"])])
        per_layer = [string(f"layer_activations[{i}]", name, hidden_names)
                     for i, name in enumerate(per_layer)]
    out["layer_activations"] = per_layer
    allowed_problems = compatible_problems(kind, out["n_classes"])
    problem = string("problem", raw.get("problem", kind), PROBLEMS)
    if problem not in allowed_problems:
        raise ApiError(422, f"problem: {kind} data cannot train a {problem} network",
                       "problem", allowed_problems)
    out["problem"] = problem
    output = raw.get("output_activation")
    loss = raw.get("loss")
    if output is not None:
        output = string("output_activation", output, ACTIVATIONS.names())
    if loss is not None:
        loss = string("loss", loss, LOSSES.names())
    n_out = output_size(out)
    # What the client left out, the engine fills in to fit the rest: each problem's textbook
    # output and loss (binary: sigmoid + bce), or the loss a chosen output needs (tanh → mse).
    _, out["output_activation"], out["loss"] = resolve_output(n_out, output, loss, problem)
    LOSSES.get(out["loss"])().check(out["output_activation"], problem, n_out)
    if out["output_activation"] == "softmax" and problem != "multiclass":
        raise ApiError(422, "output_activation: softmax needs a multi-class problem",
                       "output_activation", [n for n in ACTIVATIONS if n != "softmax"])
    out["init"] = string("init", get("init"), INITIALIZERS.names())
    out["seed"] = number("seed", get("seed"), 0, SEED_MAX, integer=True)

    # --- live ----------------------------------------------------------------------------
    out["optimizer"] = string("optimizer", get("optimizer"), OPTIMIZERS.names())
    out["optimizer_params"] = _params("optimizer_params", raw.get("optimizer_params", {}),
                                      lambda p: OPTIMIZERS.get(out["optimizer"])(**p).hyperparams)
    out["learning_rate"] = number("learning_rate", get("learning_rate"), *LEARNING_RATE_RANGE)
    out["schedule"] = string("schedule", get("schedule"), SCHEDULES.names())
    out["schedule_params"] = _params("schedule_params", raw.get("schedule_params", {}),
                                     lambda p: SCHEDULES.get(out["schedule"])(**p).params)
    out["regularization"] = string("regularization", get("regularization"), REGULARIZERS.names())
    out["reg_rate"] = number("reg_rate", get("reg_rate"), *REG_RATE_RANGE)
    out["batch_size"] = number("batch_size", get("batch_size"), 1, limits["MAX_BATCH"],
                               integer=True)
    clip = get("clip_norm")
    if clip is not None:
        clip = number("clip_norm", clip, *CLIP_NORM_RANGE)
        clip = clip or None  # 0 means "no clipping", like null
    out["clip_norm"] = clip
    return out


def output_size(config):
    """Neurons in the output layer: one per class for multi-class, else one."""
    return config["n_classes"] if config["problem"] == "multiclass" else 1


def n_inputs(config):
    """The network's inputs: one per feature, or a real set's columns (features null)."""
    if config["features"] is None:
        return datasets.DATASETS.info(config["dataset"])["inputs"]
    return len(config["features"])


def point_width(config):
    """Numbers in one of the session's points: a real set's columns, else the 2 coordinates."""
    return n_inputs(config) if config["features"] is None else 2


def layer_sizes(config):
    return [n_inputs(config), *config["hidden_layers"], output_size(config)]


def hidden_activations(config):
    if config["layer_activations"] is not None:
        return list(config["layer_activations"])
    return config["activation"]


def _real_data(raw, dataset, limits):
    """A real set's fixed n_points, noise and n_classes: each may be left out or given its one
    value; anything else is a 422 naming the field (as nn_core's `make_dataset` refuses it)."""
    info = datasets.DATASETS.info(dataset)
    n, k = info["default_points"], info["classes"][0]
    most = limits["MAX_POINTS"]
    if n > most:
        fits = [d for d in datasets.DATASETS.names()
                if not is_real(d) or datasets.DATASETS.info(d)["default_points"] <= most]
        raise ApiError(422, f"dataset: the {dataset} dataset has {n} points; this server takes "
                       f"at most {most}", "dataset", fits)
    fixed = {"n_points": (n, f"it has {n} points"),
             "noise": (0.0, "its points are measured, not generated"),
             "n_classes": (k, f"it has {k} classes")}
    out = {}
    for field, (value, why) in fixed.items():
        given = raw.get(field)
        if given is not None:
            if not is_number(given):
                raise bad_type(field, "a number", given)
            if given != value:
                raise ApiError(422, f"{field}: does not apply to the {dataset} dataset ({why})",
                               field, [value, value])
        out[field] = value
    return out


def _n_classes(raw, dataset, kind, limits):
    value = raw.get("n_classes")
    if kind == "regression":
        if value is not None:
            raise ApiError(422, "n_classes: a regression dataset has no classes",
                           "n_classes", None)
        return None
    if kind == "binary":
        if value is not None:
            number("n_classes", value, 2, 2, integer=True)
        return 2
    low = datasets.MULTICLASS_RANGE[0]
    if value is None:
        value = datasets.MULTICLASS_DEFAULT
        value = min(value, limits["MAX_CLASSES"])
    return number("n_classes", value, low, limits["MAX_CLASSES"], integer=True)


def _hidden_layers(value, limits):
    if not isinstance(value, list):
        raise bad_type("hidden_layers", "a list of layer widths", value)
    if len(value) > limits["MAX_HIDDEN_LAYERS"]:
        raise ApiError(422, f"hidden_layers: {len(value)} layers is too many", "hidden_layers",
                       [0, limits["MAX_HIDDEN_LAYERS"]])
    return [number(f"hidden_layers[{i}]", n, 1, limits["MAX_NEURONS"], integer=True)
            for i, n in enumerate(value)]


def _params(field, value, build):
    """Validate a hyperparameter dict by building the component; return its complete values."""
    if not isinstance(value, dict):
        raise bad_type(field, "an object of numbers", value)
    for key, v in value.items():
        if not is_number(v):
            raise bad_type(f"{field}.{key}", "a number", v)
    return dict(build(value))
