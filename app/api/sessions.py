"""Sessions and training: create, read, change, delete, step, reset, edit a weight, export.

Each view says only what is special about it; finding the session, the body, the lock, the CPU
turn and the snapshot are `request.session_endpoint`'s. What a request may cost is checked
before any work: the session's memory (`capacity/memory.py`, claimed from the store's budget)
and the snapshot's size (`session/snapshot_options.py`). docs/api.md is the reference for
every route.
"""

import time

from flask import Blueprint, Response

from ..http.client import request_client
from ..session import config as cfg
from ..session import snapshot_options
from ..session.errors import ApiError
from ..session.model_io import build_import, export_session, plan_import
from ..session.training_session import TrainingSession
from ..session.validate import boolean, number, query_boolean, string
from .request import (
    build_and_store,
    check_view,
    json_object,
    limits,
    options_from_body,
    session_endpoint,
    store,
)

bp = Blueprint("sessions", __name__, url_prefix="/api")


@bp.post("/sessions")
def create_session():
    body = json_object()
    options = options_from_body(body)
    store().check_room(request_client())  # refuse before reading further when no session could be added
    if "model" in body:
        model = body.pop("model")
        if body:
            raise ApiError(422, "model: send the export alone (no other fields)", "model",
                           ["model", "snapshot"])
        plan, build = plan_import(model, limits()), build_import
    else:
        points = body.pop("points", None)
        plan, build = TrainingSession.plan(body, limits(), points=points), TrainingSession.build
    # Checked before anything is built: the snapshot asked for, then the memory held for it.
    check_view(options, cfg.layer_sizes(plan.config), plan.config["n_points"])
    session_id, answer = build_and_store(plan, build, options)
    return answer, 201, {"Location": f"/api/sessions/{session_id}"}


@bp.get("/sessions/<session_id>")
@session_endpoint(keys=("data",), options="query")
def get_session(req):
    include_data = query_boolean("data", req.body.get("data", "0"))
    answer = req.answer(config=req.session.config)
    if include_data:
        answer["data"] = req.session.data_json()
    return answer


@bp.patch("/sessions/<session_id>")
@session_endpoint(check=False)
def patch_session(req):
    session = req.session
    # Checked against the network the PATCH leads to, before it is applied: a rejected PATCH
    # changes nothing.
    new = session.normalize(cfg.merge(session.config, req.body))
    n_points = len(session.points) if new["dataset"] == cfg.CUSTOM else new["n_points"]
    req.check_view(cfg.layer_sizes(new), n_points)
    started = time.perf_counter()
    reinitialized, rebuilt, data_changed = session.patch(req.body)
    build_ms = (time.perf_counter() - started) * 1000
    answer = req.answer(train_ms=build_ms, config=session.config, reinitialized=reinitialized,
                        rebuilt=rebuilt)
    if data_changed:
        answer["data"] = session.data_json()
    return answer


@bp.delete("/sessions/<session_id>")
@session_endpoint(options=None, turn=False)
def delete_session(req):
    store().delete(req.id)
    return Response(status=204)


@bp.post("/sessions/<session_id>/step")
@session_endpoint(keys=("epochs", "batches", "max_ms"))
def step(req):
    body, most = req.body, limits()
    if "epochs" in body and "batches" in body:
        raise ApiError(422, "give either epochs or batches, not both", "epochs",
                       ["epochs", "batches"])
    epochs = batches = None
    if "batches" in body:
        batches = number("batches", body["batches"], 0, most["MAX_STEP_BATCHES"], integer=True)
    else:
        epochs = number("epochs", body.get("epochs", 1), 0, most["MAX_STEP_EPOCHS"],
                        integer=True)
    max_ms = number("max_ms", body.get("max_ms", most["MAX_STEP_MS"]), 1, most["MAX_STEP_MS"])
    # The time limit covers the answer too: training stops early enough to leave what this
    # session's last snapshot of these options took.
    reserve = req.session.snapshot_ms.get(snapshot_options.options_key(req.options), 0.0)
    done = req.session.step(epochs=epochs, batches=batches, max_ms=max_ms, reserve_ms=reserve)
    return req.answer(done=done, train_ms=done["elapsed_ms"])


@bp.post("/sessions/<session_id>/reset")
@session_endpoint(keys=("reseed",))
def reset(req):
    req.session.reset(reseed=boolean("reseed", req.body.get("reseed", False)))
    return req.answer(config=req.session.config)


@bp.patch("/sessions/<session_id>/weights")
@session_endpoint(keys=("layer", "param", "from", "to", "value"))
def set_weight(req):
    body = req.body
    for key in ("layer", "to", "value"):
        if key not in body:
            raise ApiError(422, f"{key}: required", key, None)
    param = string("param", body.get("param", "W"), ("W", "b"))
    most = float(limits()["MAX_WEIGHT"])
    value = number("value", body["value"], -most, most)
    req.session.set_weight(body["layer"], param, body.get("from"), body["to"], value)
    return req.answer()


@bp.get("/sessions/<session_id>/model")
@session_endpoint(options=None)
def model(req):
    return export_session(req.session)
