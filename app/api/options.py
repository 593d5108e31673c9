"""`GET /api/options`: everything the page builds its controls from — every registered name
with its formula, every range and limit in force, the defaults, the field groups — so the page,
the server and the engine agree by construction (docs/api.md, "Options")."""

import functools

from flask import Blueprint

from nn_core import activations, datasets, features, losses, optimizers, schedules
from nn_core.grid import DEFAULT_NEURON_RESOLUTION, GridInputs
from nn_core.initializers import INITIALIZERS
from nn_core.network import describe_problems
from nn_core.optimizers import CLIP_NORM_RANGE
from nn_core.regularizers import REG_RATE_RANGE, REGULARIZERS
from nn_core.seeds import SEED_MAX
from nn_core.trainer import LEARNING_RATE_RANGE

from ..capacity.limits import public_limits
from ..lessons import vocabulary
from ..session import config as cfg
from ..session import snapshot_options
from ..session.arrays import encode_u8
from .request import limits as app_limits

bp = Blueprint("options", __name__, url_prefix="/api")


def _registry_info(registry):
    return [{"name": name, **registry.info(name)} for name in registry]


@bp.get("/options")
def options():
    limits = app_limits()
    return {
        "datasets": _dataset_previews() + [{
            "name": cfg.CUSTOM, "label": "Your points", "problem": None, "classes": None,
            "default_points": None,
            "description": "Points you drew or uploaded (set by the data endpoint).",
            # the learner's points are plane points: what the plane sets' info says of theirs
            "kind": "plane", "inputs": 2, "input_names": ["x₁", "x₂"],
            "value_range": [-datasets.PLANE, datasets.PLANE], "class_names": None,
            "image_shape": None, "defaults": None, "preview": None, "preview_images": None}],
        "features": _feature_previews(),
        "activations": activations.describe(),
        "losses": losses.describe(),
        "initializers": _registry_info(INITIALIZERS),
        "optimizers": optimizers.describe(),
        "schedules": schedules.describe(),
        "regularizations": _registry_info(REGULARIZERS),
        "problems": describe_problems(),
        "ranges": {
            "n_points": [datasets.N_POINTS_RANGE[0], limits["MAX_POINTS"]],
            "noise": list(datasets.NOISE_RANGE),
            "train_ratio": list(datasets.TRAIN_RATIO_RANGE),
            "n_classes": [datasets.MULTICLASS_RANGE[0], limits["MAX_CLASSES"]],
            "hidden_layers": [0, limits["MAX_HIDDEN_LAYERS"]],
            "neurons": [1, limits["MAX_NEURONS"]],
            "learning_rate": list(LEARNING_RATE_RANGE),
            "reg_rate": list(REG_RATE_RANGE),
            "batch_size": [1, limits["MAX_BATCH"]],
            "clip_norm": list(CLIP_NORM_RANGE),
            "seed": [0, SEED_MAX],
            "data_seed": [0, SEED_MAX],
        },
        "limits": public_limits(limits),
        "defaults": cfg.default_config(limits),
        "snapshot_defaults": dict(snapshot_options.DEFAULTS),
        "live_fields": list(cfg.LIVE_FIELDS),
        "fields": {"data": list(cfg.DATA_FIELDS), "network": list(cfg.NETWORK_FIELDS),
                   "live": list(cfg.LIVE_FIELDS)},
        # the page's control names (?hide=, a lesson's hide and lock) and a lesson's words
        **vocabulary.describe(),
    }


# Images in an image dataset's thumbnail (the digits: the file's first nine, 0 to 8).
PREVIEW_IMAGES = 9


@functools.lru_cache(maxsize=1)
def _previews():
    """Thumbnails for the pickers: 200 noise-free points per dataset (as TF Playground draws
    them; a real set's on its principal plane), an image set's first images, and each input
    feature's map on a 25 × 25 grid. Constant, so built once."""
    sets = []
    for info in datasets.describe():
        data = datasets.preview(info["name"])
        rows = [[round(x, 2), round(y, 2), label if isinstance(label, int) else round(label, 3)]
                for (x, y), label in zip(data.points.tolist(), data.labels.tolist())]
        images = None
        if info["image_shape"] is not None:
            first = datasets.make_dataset(info["name"]).points[:PREVIEW_IMAGES]
            images = encode_u8(first.reshape(len(first), *info["image_shape"]))
        sets.append({**info, "preview": rows, "preview_images": images})
    names = [f["name"] for f in features.describe()]
    maps = GridInputs(names, resolution=2, neuron_resolution=DEFAULT_NEURON_RESOLUTION).inputs
    feats = [{**info, "preview": encode_u8(maps[:, :, j])}
             for j, info in enumerate(features.describe())]
    return sets, feats


def _dataset_previews():
    return [dict(d) for d in _previews()[0]]


def _feature_previews():
    return [dict(f) for f in _previews()[1]]
