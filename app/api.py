"""The JSON API blueprint: HTTP in, nn_core calls via TrainingSession, snapshots out.

Each view reads and type-checks its body, takes the session's lock for everything that reads
or changes the network, and builds the answer (with its snapshot) before letting go, so the
answer always describes one consistent state. Inside the lock the work runs in the session's
turn at the CPU (`app/compute.py`), and what it may cost was checked first: the session's
memory (`app/memory.py`, claimed from the store's budget) and the snapshot's size
(`snapshot.check_view`). docs/api.md is the reference for every route.
"""

import functools
import time

from flask import Blueprint, Response, request

from nn_core import activations, datasets, features, losses, optimizers, schedules
from nn_core.grid import DEFAULT_NEURON_RESOLUTION, GridInputs
from nn_core.initializers import INITIALIZERS
from nn_core.network import describe_problems
from nn_core.optimizers import CLIP_NORM_RANGE
from nn_core.regularizers import REG_RATE_RANGE, REGULARIZERS
from nn_core.seeds import SEED_MAX
from nn_core.trainer import LEARNING_RATE_RANGE

from . import config as cfg
from . import snapshot
from .body import boolean, check_keys, json_object, number, string
from .context import (app_limits, build_and_store, build_snapshot, check_view, find_session,
                      session_store, snapshot_options)
from .encoding import encode_u8
from .errors import ApiError, bad_type
from .limits import public_limits
from .model_io import build_import, export_session, plan_import
from .training_session import TrainingSession

bp = Blueprint("api", __name__, url_prefix="/api")


def _registry_info(registry):
    return [{"name": name, **registry.info(name)} for name in registry]


# --------------------------------------------------------------------------- options
@bp.get("/options")
def options():
    limits = app_limits()
    return {
        "datasets": _dataset_previews() + [{
            "name": cfg.CUSTOM, "label": "Your points", "problem": None, "classes": None,
            "default_points": None,
            "description": "Points you drew or uploaded (set by the data endpoint)."}],
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
        "snapshot_defaults": dict(snapshot.DEFAULTS),
        "live_fields": list(cfg.LIVE_FIELDS),
        "fields": {"data": list(cfg.DATA_FIELDS), "network": list(cfg.NETWORK_FIELDS),
                   "live": list(cfg.LIVE_FIELDS)},
    }


@functools.lru_cache(maxsize=1)
def _previews():
    """Thumbnails for the pickers: 200 noise-free points per dataset (as TF Playground draws
    them) and each input feature's map on a 25 × 25 grid. Constant, so built once."""
    sets = []
    for info in datasets.describe():
        data = datasets.preview(info["name"])
        rows = [[round(x, 2), round(y, 2), label if isinstance(label, int) else round(label, 3)]
                for (x, y), label in zip(data.points.tolist(), data.labels.tolist())]
        sets.append({**info, "preview": rows})
    names = [f["name"] for f in features.describe()]
    maps = GridInputs(names, resolution=2, neuron_resolution=DEFAULT_NEURON_RESOLUTION).inputs
    feats = [{**info, "preview": encode_u8(maps[:, :, j])}
             for j, info in enumerate(features.describe())]
    return sets, feats


def _dataset_previews():
    return [dict(d) for d in _previews()[0]]


def _feature_previews():
    return [dict(f) for f in _previews()[1]]


# --------------------------------------------------------------------------- sessions
@bp.post("/sessions")
def create_session():
    body = json_object()
    options = snapshot_options(body)
    session_store().check_room()  # refuse before reading further when no session could be added
    if "model" in body:
        model = body.pop("model")
        if body:
            raise ApiError(422, "model: send the export alone (no other fields)", "model",
                           ["model", "snapshot"])
        plan, build = plan_import(model, app_limits()), build_import
    else:
        points = body.pop("points", None)
        plan, build = TrainingSession.plan(body, app_limits(), points=points), TrainingSession.build
    # Checked before anything is built: the snapshot asked for, then the memory held for it.
    check_view(options, None, cfg.layer_sizes(plan.config), plan.config["n_points"])
    session_id, session = build_and_store(plan, build)
    with session.lock, session.turn():
        answer = {"id": session_id, "config": session.config, "data": session.data_json(),
                  "snapshot": build_snapshot(session, options)}
    return answer, 201, {"Location": f"/api/sessions/{session_id}"}


@bp.get("/sessions/<session_id>")
def get_session(session_id):
    session = find_session(session_id)
    query = request.args.to_dict()
    include_data = query.pop("data", "0").strip().lower() in ("1", "true", "yes", "on")
    options = snapshot.parse_options(query, app_limits(), from_query=True)
    with session.lock, session.turn():
        check_view(options, session)
        answer = {"id": session_id, "config": session.config,
                  "snapshot": build_snapshot(session, options)}
        if include_data:
            answer["data"] = session.data_json()
    return answer


@bp.patch("/sessions/<session_id>")
def patch_session(session_id):
    session = find_session(session_id)
    body = json_object()
    options = snapshot_options(body)
    with session.lock, session.turn():
        # Checked against the network the PATCH leads to, before it is applied: a rejected
        # PATCH changes nothing.
        new = session.normalize(cfg.merge(session.config, body))
        n_points = len(session.points) if new["dataset"] == cfg.CUSTOM else new["n_points"]
        check_view(options, session, cfg.layer_sizes(new), n_points)
        started = time.perf_counter()
        reinitialized, rebuilt, data_changed = session.patch(body)
        build_ms = (time.perf_counter() - started) * 1000
        answer = {"id": session_id, "config": session.config, "reinitialized": reinitialized,
                  "rebuilt": rebuilt, "snapshot": build_snapshot(session, options, train_ms=build_ms)}
        if data_changed:
            answer["data"] = session.data_json()
    return answer


@bp.delete("/sessions/<session_id>")
def delete_session(session_id):
    session_store().delete(session_id)
    return Response(status=204)


# --------------------------------------------------------------------------- training
@bp.post("/sessions/<session_id>/step")
def step(session_id):
    session = find_session(session_id)
    body = json_object()
    options = snapshot_options(body)
    check_keys("", body, ("epochs", "batches", "max_ms"))
    limits = app_limits()
    if "epochs" in body and "batches" in body:
        raise ApiError(422, "give either epochs or batches, not both", "epochs",
                       ["epochs", "batches"])
    epochs = batches = None
    if "batches" in body:
        batches = number("batches", body["batches"], 0, limits["MAX_STEP_BATCHES"], integer=True)
    else:
        epochs = number("epochs", body.get("epochs", 1), 0, limits["MAX_STEP_EPOCHS"],
                        integer=True)
    max_ms = number("max_ms", body.get("max_ms", limits["MAX_STEP_MS"]), 1,
                    limits["MAX_STEP_MS"])
    with session.lock, session.turn():
        check_view(options, session)
        # The time limit covers the answer too: training stops early enough to leave what this
        # session's last snapshot of these options took.
        reserve = session.snapshot_ms.get(snapshot.options_key(options), 0.0)
        done = session.step(epochs=epochs, batches=batches, max_ms=max_ms, reserve_ms=reserve)
        answer = {"id": session_id,
                  "snapshot": build_snapshot(session, options, done=done,
                                        train_ms=done["elapsed_ms"])}
    return answer


@bp.post("/sessions/<session_id>/reset")
def reset(session_id):
    session = find_session(session_id)
    body = json_object()
    options = snapshot_options(body)
    check_keys("", body, ("reseed",))
    reseed = boolean("reseed", body.get("reseed", False))
    with session.lock, session.turn():
        check_view(options, session)
        session.reset(reseed=reseed)
        answer = {"id": session_id, "config": session.config,
                  "snapshot": build_snapshot(session, options)}
    return answer


@bp.patch("/sessions/<session_id>/weights")
def set_weight(session_id):
    session = find_session(session_id)
    body = json_object()
    options = snapshot_options(body)
    check_keys("", body, ("layer", "param", "from", "to", "value"))
    for key in ("layer", "to", "value"):
        if key not in body:
            raise ApiError(422, f"{key}: required", key, None)
    param = string("param", body.get("param", "W"), ("W", "b"))
    limit = float(app_limits()["MAX_WEIGHT"])
    value = number("value", body["value"], -limit, limit)
    with session.lock, session.turn():
        check_view(options, session)
        session.set_weight(body["layer"], param, body.get("from"), body["to"], value)
        answer = {"id": session_id, "snapshot": build_snapshot(session, options)}
    return answer


# --------------------------------------------------------------------------- data
DATA_KEYS = {
    "regenerate": ("action", "data_seed"),
    "replace": ("action", "points", "csv"),
    "append": ("action", "points", "csv", "split"),
    "remove": ("action", "indices", "near", "radius"),
}


@bp.post("/sessions/<session_id>/data")
def data(session_id):
    session = find_session(session_id)
    body = json_object()
    options = snapshot_options(body)
    action = string("action", body.get("action"), tuple(DATA_KEYS))
    check_keys("", body, DATA_KEYS[action])
    removed = None
    with session.lock, session.turn():
        # New points may number up to max_points: the snapshot of the result must fit too.
        grows = action in ("replace", "append")
        check_view(options, session, n_points=app_limits()["MAX_POINTS"] if grows else None)
        if action == "regenerate":
            seed = body.get("data_seed")
            if seed is not None:
                seed = number("data_seed", seed, 0, SEED_MAX, integer=True)
            session.regenerate(seed)
        elif action in ("replace", "append"):
            source = _user_points(body)
            if action == "replace":
                session.replace(source)
            else:
                session.append(source, string("split", body.get("split", "train"),
                                              ("train", "test")))
        else:
            removed = session.remove(*_removal(body))
        answer = {"id": session_id, "config": session.config, "data": session.data_json(),
                  "snapshot": build_snapshot(session, options)}
        if removed is not None:
            answer["removed"] = removed
    return answer


def _user_points(body):
    if ("points" in body) == ("csv" in body):
        raise ApiError(422, "give either points or csv", "points", ["points", "csv"])
    if "csv" in body:
        return string("csv", body["csv"])
    points = body["points"]
    if not isinstance(points, list):
        raise bad_type("points", "a list of [x1, x2, label] rows", points)
    return points


def _removal(body):
    if ("indices" in body) == ("near" in body):
        raise ApiError(422, "give either indices or near", "indices", ["indices", "near"])
    if "near" in body:
        near = body["near"]
        if not isinstance(near, list) or len(near) != 2:
            raise bad_type("near", "[x1, x2]", near)
        near = [number(f"near[{i}]", v, -1e6, 1e6) for i, v in enumerate(near)]
        radius = number("radius", body.get("radius", 0.5), 0.0, 100.0)
        return None, near, radius
    indices = body["indices"]
    if not isinstance(indices, list):
        raise bad_type("indices", "a list of point indices", indices)
    indices = [number(f"indices[{i}]", v, 0, 10**9, integer=True)
               for i, v in enumerate(indices)]
    return indices, None, 0.0


@bp.get("/sessions/<session_id>/data")
def get_data(session_id):
    session = find_session(session_id)
    with session.lock:
        return {"id": session_id, "config": session.config, "data": session.data_json()}


@bp.get("/sessions/<session_id>/data.csv")
def data_csv(session_id):
    session = find_session(session_id)
    with session.lock:
        text = session.csv()
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="points.csv"'})


@bp.get("/sessions/<session_id>/model")
def model(session_id):
    session = find_session(session_id)
    with session.lock:
        return export_session(session)
