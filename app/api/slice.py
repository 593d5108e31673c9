"""The loss along one weight: `POST /api/sessions/<id>/slice` (docs/api.md, "The loss along one
weight").

`nn_core.loss_slice.loss_along` on the session's network: the objective (data loss + penalty)
at evenly spaced values of one weight or bias, everything else fixed, over the training set,
the next minibatch or one point, and its slope at the current value (backprop's gradient).
Nothing changes. The work is bounded (`MAX_SLICE_WORK`) before anything is computed.
"""

from flask import Blueprint

from nn_core import features, loss_slice

from ..session.errors import ApiError, bad_type
from ..session.validate import check_keys, number, string
from .inspect import chosen_point
from .request import limits, session_endpoint

bp = Blueprint("slice", __name__, url_prefix="/api")

ON = ("train", "batch", "point")


@bp.post("/sessions/<session_id>/slice")
@session_endpoint(keys=("param", "span", "resolution", "on", "point", "x", "label"),
                  options=None)
def weight_slice(req):
    body, session = req.body, req.session
    trainer, network = session.trainer, session.network
    layer, kind, row, col = _param(network, body.get("param"))
    span = number("span", body.get("span", loss_slice.DEFAULT_SPAN), *loss_slice.SPAN_RANGE)
    resolution = number("resolution", body.get("resolution", loss_slice.DEFAULT_RESOLUTION),
                        *loss_slice.RESOLUTION_RANGE, integer=True)
    on = string("on", body.get("on", "train"), ON)
    if on != "point" and any(key in body for key in ("point", "x", "label")):
        key = next(key for key in ("point", "x", "label") if key in body)
        raise ApiError(422, f'{key}: only with "on": "point"', key, None)
    if trainer.status != "ok":
        raise ApiError(422, "status: the session has diverged; reset it before looking at the "
                       "loss along a weight", "status", ["ok"])
    answer = {"param": {"layer": layer, "kind": kind, "row": row, "col": col}, "on": on}
    X, y = trainer.data()[:2]
    if on == "batch":
        rows = trainer.next_batch()
        X, y = X[rows], y[rows]
        answer["batch"] = {"set": "train", "indices": rows.tolist()}
    elif on == "point":
        where, xy, label = chosen_point(session, body)
        X, y = features.transform([xy], session.config["features"]), [label]
        answer["point"] = {"point": xy, "label": label, **where}
    _check_work(network.layer_sizes, layer, len(X), resolution, limits()["MAX_SLICE_WORK"])
    found = loss_slice.loss_along(network, X, y, layer, kind, row, col, span, resolution,
                                  trainer.regularizer.name, trainer.reg_rate)
    for key, value in found.items():
        answer[key] = value.tolist() if hasattr(value, "tolist") else value
    answer.update(n_rows=len(X), span=span, resolution=resolution,
                  learning_rate=trainer.learning_rate, loss_name=network.loss,
                  regularization=trainer.regularizer.name, reg_rate=trainer.reg_rate,
                  epoch=trainer.epoch)
    return answer


def _param(network, param):
    """(layer, kind, row, col) of `param` = {"layer", "kind", "row", "col"}: 400 for a wrong
    type, 422 naming `param.<key>` and its range for a value that does not fit the network."""
    if not isinstance(param, dict):
        raise bad_type("param", '{"layer": l, "kind": "W" | "b", "row": j, "col": k}', param)
    check_keys("param", param, ("layer", "kind", "row", "col"))
    for key in ("layer", "kind", "col"):
        if key not in param:
            raise ApiError(422, f"param.{key}: required", f"param.{key}", None)
    layer = number("param.layer", param["layer"], 0, len(network.layers) - 1, integer=True)
    kind = string("param.kind", param["kind"], loss_slice.KINDS)
    dense = network.layers[layer]
    col = number("param.col", param["col"], 0, dense.n_out - 1, integer=True)
    row = None
    if kind == "W":
        if "row" not in param:
            raise ApiError(422, "param.row: required for a weight", "param.row", [0, dense.n_in - 1])
        row = number("param.row", param["row"], 0, dense.n_in - 1, integer=True)
    return layer, kind, row, col


def _check_work(layer_sizes, layer, n_rows, resolution, limit):
    """422 before any work when the slice would cost more than `limit` (nn_core's estimate),
    with the finest resolution that fits."""
    if loss_slice.cost(layer_sizes, layer, n_rows, resolution) <= limit:
        return
    low = loss_slice.RESOLUTION_RANGE[0]
    fits = [r for r in range(low, resolution) if loss_slice.cost(layer_sizes, layer, n_rows, r) <= limit]
    if not fits:
        raise ApiError(422, f"on: the loss along this weight over {n_rows} rows is too much work "
                       "even at the coarsest resolution; look at it on the next minibatch or "
                       "one point", "on", ["batch", "point"])
    raise ApiError(422, f"resolution: {resolution} values of this weight over {n_rows} rows is "
                   f"too much work; at most {fits[-1]}", "resolution", [low, fits[-1]])
