"""Compare runs: `POST /api/sessions/<id>/fork` and `POST /api/sessions/<id>/landscape`
(docs/api.md).

A fork is a new session on exactly its source's points and split, with some configuration
fields changed; when the weight shapes, `init` and `seed` are unchanged it starts from exactly
the source's initial weights, so runs differ only in what was changed.

The landscape takes what it needs from each session under that session's lock, one lock at a
time, and computes outside every lock (nn_core's `loss_landscape`), so a slow landscape never
holds up training. Its path names one of its sessions (`<id>`, any of the body's `sessions`):
behind a proxy (docs/deploy.md) that takes the request to the worker holding the sessions, as
for every other session request. The first path, `POST /api/landscape`, still answers in one
process; a named worker that does not hold its first session redirects it to the session's path
(307: the method and body are kept), where the proxy routes it.
"""

import time

import numpy as np
from flask import Blueprint

from nn_core import Network, features
from nn_core.landscape import (
    DIRECTIONS,
    RESOLUTION_RANGE,
    SPAN_RANGE,
    cost,
    loss_landscape,
)
from nn_core.seeds import SEED_MAX

from ..capacity.store import owner_of
from ..http.client import request_client
from ..session import config as cfg
from ..session.errors import ApiError, bad_type
from ..session.fork import plan_fork
from ..session.training_session import TrainingSession
from ..session.validate import check_keys, number, string
from .request import (
    build_and_store,
    check_view,
    json_object,
    limits,
    scheduler,
    session_endpoint,
    store,
)

bp = Blueprint("compare", __name__, url_prefix="/api")

# What sessions must share to be drawn on one landscape (beside their training points).
SHARED = ("features", "hidden_layers", "activations", "problem", "n_classes",
          "output_activation", "loss")


# --------------------------------------------------------------------------- fork
@bp.post("/sessions/<session_id>/fork")
@session_endpoint(keys=("overrides",), check=False, turn=False)
def fork(req):
    # Under the source's lock: the fork copies a consistent state (its turn is the new one's).
    plan, same = plan_fork(req.session, req.body.get("overrides", {}), limits())
    # Checked before anything is built, as for a new session: room, snapshot, memory.
    store().check_room(request_client())
    check_view(req.options, cfg.layer_sizes(plan.config), len(plan.points))
    session_id, answer = build_and_store(plan, TrainingSession.build, req.options,
                                         same_initial_weights=same, source=req.id)
    return answer, 201, {"Location": f"/api/sessions/{session_id}"}


# --------------------------------------------------------------------------- landscape
@bp.post("/sessions/<session_id>/landscape")
def session_landscape(session_id):
    started = time.perf_counter()
    body = json_object()
    ids = _session_ids(body)
    if session_id not in ids:
        raise ApiError(422, "sessions: the session in the path must be one of the listed "
                       "sessions", "sessions", None)
    return landscape_answer(body, started)


@bp.post("/landscape")
def landscape():
    """The first path of the landscape, kept for scripts written against it."""
    started = time.perf_counter()
    body = json_object()
    ids = _session_ids(body)
    worker = limits()["WORKER_NAME"]
    if worker and owner_of(ids[0]) != worker:
        # Another worker holds it: the session's own path is routed there by the proxy.
        path = f"/api/sessions/{ids[0]}/landscape"
        return {"redirect": path}, 307, {"Location": path}
    return landscape_answer(body, started)


def _session_ids(body):
    """The body's checked `sessions`: distinct ids, all held by one worker."""
    check_keys("", body, ("sessions", "resolution", "span", "directions", "seed"))
    most = limits()
    ids = body.get("sessions")
    if not isinstance(ids, list):
        raise bad_type("sessions", "a list of session ids", ids)
    if not 1 <= len(ids) <= most["MAX_LANDSCAPE_SESSIONS"]:
        raise ApiError(422, f"sessions: {len(ids)} sessions; give 1 to "
                       f"{most['MAX_LANDSCAPE_SESSIONS']}", "sessions",
                       [1, most["MAX_LANDSCAPE_SESSIONS"]])
    for i, sid in enumerate(ids):
        string(f"sessions[{i}]", sid)
        if sid in ids[:i]:
            raise ApiError(422, f"sessions[{i}]: listed twice", f"sessions[{i}]", None)
    owners = [owner_of(sid) for sid in ids]
    if len(set(owners)) > 1:
        i = next(i for i, name in enumerate(owners) if name != owners[0])
        raise ApiError(422, f"sessions: sessions[{i}] is held by worker {owners[i] or '(none)'!r}"
                       f" and sessions[0] by {owners[0] or '(none)'!r}; one landscape compares "
                       "runs held by one worker (fork them from one session)", "sessions", None)
    return ids


def landscape_answer(body, started):
    """The landscape a body asks for, as its JSON answer (the report draws the same answer)."""
    ids = _session_ids(body)
    most = limits()
    top = min(RESOLUTION_RANGE[1], most["MAX_LANDSCAPE_RESOLUTION"])
    resolution = number("resolution", body.get("resolution", 41), RESOLUTION_RANGE[0], top,
                        integer=True)
    if resolution % 2 == 0:
        raise ApiError(422, "resolution: must be odd, so that the grid's centre is the origin",
                       "resolution", [RESOLUTION_RANGE[0], top])
    span = number("span", body.get("span", 1.0), *SPAN_RANGE)
    directions = string("directions", body.get("directions", "pca"), DIRECTIONS)
    seed = number("seed", body.get("seed", 0), 0, SEED_MAX, integer=True)

    runs = [_copy_run(i, sid) for i, sid in enumerate(ids)]
    first = runs[0]
    for i, run in enumerate(runs[1:], start=1):
        differs = [key for key in SHARED if run["shared"][key] != first["shared"][key]]
        if "hidden_layers" in differs and "activations" in differs and \
                len(run["shared"]["activations"]) != len(first["shared"]["activations"]):
            differs.remove("activations")     # a different layer count says it already
        if not (np.array_equal(run["points"], first["points"])
                and np.array_equal(run["y"], first["y"])):
            differs.append("data")
        if differs:
            raise ApiError(422, f"sessions[{i}] differs from sessions[0] in "
                           f"{', '.join(differs)}: a landscape compares runs of one network on "
                           "one dataset", f"sessions[{i}]", None, differs=differs)
    if first["status"] != "ok":
        raise ApiError(422, "sessions[0]: it diverged (its weights are not finite or too large "
                       "to draw), so they "
                       "cannot be the landscape's origin; reset it or list another run first",
                       "sessions[0]", None)
    _check_work(first, resolution, most["MAX_LANDSCAPE_WORK"], top)

    # Computed outside every session's lock, in a turn at the CPU like any other work, counted
    # for the first session (the work limit keeps it under a second); between two pieces of
    # the grid it gives its turn to a lighter learner who waits, as training does.
    with scheduler().turn(first["id"]):
        network = Network(**first["network"])   # the structure only; parameters come from θ₀
        computed = time.perf_counter()
        X = features.transform(first["points"], first["shared"]["features"])
        result = loss_landscape(network, first["params"], X, first["y"],
                                [run["path"] for run in runs], resolution=resolution, span=span,
                                directions=directions, seed=seed,
                                fit=[i for i, run in enumerate(runs) if run["status"] == "ok"],
                                between=scheduler().checkpoint)
        compute_ms = (time.perf_counter() - computed) * 1000
    return {
        "alphas": result.alphas.tolist(), "betas": result.betas.tolist(),
        "loss": result.loss.tolist(), "origin_loss": result.origin_loss,
        "loss_name": network.loss, "directions": result.directions, "requested": directions,
        "resolution": resolution, "span": span, "seed": seed,
        "origin": {"id": first["id"], "epoch": first["epoch"]},
        "trajectories": [{"id": run["id"], "alpha": alpha.tolist(), "beta": beta.tolist(),
                          "epoch": run["epochs"]}
                         for run, (alpha, beta) in zip(runs, result.paths)],
        "timing": {"compute_ms": round(compute_ms, 3),
                   "total_ms": round((time.perf_counter() - started) * 1000, 3)},
    }


def _copy_run(i, session_id):
    """What the landscape needs from one session, copied under its lock (held only here)."""
    try:
        session = store().get(session_id)
    except ApiError as exc:
        raise ApiError(exc.status, f"sessions[{i}]: {exc.message}", f"sessions[{i}]", None) from None
    with session.lock:
        config, trainer, net = session.config, session.trainer, session.network
        epochs, path = trainer.trajectory.path(trainer.epoch, net.params)
        return {
            "id": session_id, "epoch": trainer.epoch, "status": trainer.status,
            "epochs": epochs, "path": path,
            "params": net.params.copy(), "network": net.config(),
            # the session's points are never changed in place: a reference is a stable copy
            "points": session.points.train_points, "y": session.points.train_labels,
            "shared": {"features": (None if config["features"] is None    # a real set's raw inputs
                                    else list(config["features"])),
                       "hidden_layers": list(config["hidden_layers"]),
                       "activations": list(net.hidden_activations),
                       "problem": config["problem"], "n_classes": net.n_outputs,
                       "output_activation": net.output_activation, "loss": net.loss},
        }


def _check_work(run, resolution, limit, top):
    """422 before any work when the grid would cost more than `limit` (nn_core's estimate)."""
    sizes, n = run["network"]["layer_sizes"], len(run["points"])
    if cost(sizes, n, resolution) <= limit:
        return
    fits = [r for r in range(RESOLUTION_RANGE[0], top + 1, 2) if cost(sizes, n, r) <= limit]
    if not fits:
        raise ApiError(422, f"sessions: a landscape of this network on {n} training points is "
                       "too much work even at the coarsest grid; use fewer points or a smaller "
                       "network", "sessions", None)
    raise ApiError(422, f"resolution: {resolution} × {resolution} cells of this network on {n} "
                   f"training points is too much work; at most {fits[-1]}", "resolution",
                   [RESOLUTION_RANGE[0], fits[-1]])
