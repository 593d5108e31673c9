"""Inspect: `POST /api/sessions/<id>/trace` (docs/api.md, "Trace one point or the next minibatch").

One point (`point`, or `x` and `label`) goes through nn_core's textbook path
(`nn_core.textbook.trace`): the point's features, every layer's z and a, the loss, δ, the
gradients and the update −α(∂L/∂W + λ∂R/∂W) of plain gradient descent on that one example. With
`"apply": true` the session takes exactly that step, whatever optimizer is selected; epoch, step
count, optimizer state and the shuffle stay as they were, and the metrics are re-measured as after
an edited weight.

`"batch": "next"` shows the step training takes next instead (`nn_core.minibatch.trace_batch`):
the next minibatch, its mean gradient, clipping, the optimizer's state before and after and the
exact update. With `"apply": true` the session takes it as `POST …/step {"batches": 1}` does.
"""

from flask import Blueprint

from nn_core import features, minibatch, optimizers, textbook

from ..capacity.limits import REGRESSION_LABEL_LIMIT
from ..session.errors import ApiError, bad_type
from ..session.points import read_point
from ..session.validate import boolean, check_keys, number, string
from .request import limits, session_endpoint

bp = Blueprint("inspect", __name__, url_prefix="/api")

BATCHES = ("next",)
POINT_RULE = "plain gradient descent on this one example: w ← w − α·(∂L/∂w + λ·∂R/∂w)"


@bp.post("/sessions/<session_id>/trace")
@session_endpoint(keys=("point", "x", "label", "batch", "batch_point", "apply"), check=False)
def trace(req):
    body, session = req.body, req.session
    apply = boolean("apply", body.get("apply", False))
    if sum(key in body for key in ("point", "x", "batch")) != 1:
        raise ApiError(422, "give one of point (a point of the data), x and label (any point), "
                       "or batch (the next minibatch)", "point", ["point", "x", "batch"])
    if "batch_point" in body and "batch" not in body:
        raise ApiError(422, "batch_point: only with batch", "batch_point", None)
    if apply:
        req.check_view()
    trainer = session.trainer
    if trainer.status != "ok":
        raise ApiError(422, "status: the session has diverged; reset it before tracing a point",
                       "status", ["ok"])
    if "batch" in body:
        return _trace_batch(req, apply)
    where, xy, label = chosen_point(session, body)
    names = session.config["features"]
    values = features.transform([xy], names)[0]
    traced = textbook.trace(session.network, values, label, trainer.learning_rate,
                            trainer.regularizer.name, trainer.reg_rate)
    answer = _answer(traced, xy, seen_inputs(session), label, where)
    answer.update(mode="point", update_rule=POINT_RULE, epoch=trainer.epoch, applied=apply)
    if apply:
        textbook.apply_update(session.network, traced)
        trainer.refresh()
        trainer.check_drawable()
        answer["snapshot"] = req.answer()["snapshot"]
    return answer


def _trace_batch(req, apply):
    """The next minibatch's step, shown (and taken with `apply`, as a one-batch step)."""
    body, session = req.body, req.session
    trainer = session.trainer
    string("batch", body["batch"], BATCHES)
    size = len(trainer.next_batch())
    shown = number("batch_point", body.get("batch_point", 0), 0, size - 1, integer=True)
    epoch, start = trainer.epoch, trainer.position
    traced = minibatch.trace_batch(trainer, shown)
    rows = traced["indices"].tolist()
    points = session.points
    xy, label = points.train_points[rows[shown]].tolist(), points.train_labels[rows[shown]].item()
    answer = _answer(traced, xy, seen_inputs(session), label,
                     {"set": "train", "index": rows[shown]})
    for layer, step in zip(answer["layers"], traced["layers"]):
        layer.update({key: _array(step[key]) for key in BATCH_LAYER_KEYS})
    opt = traced["optimizer"]
    info = optimizers.OPTIMIZERS.info(opt["name"])
    answer.update(
        mode="batch", update_rule=info["formula"], epoch=epoch, applied=apply,
        loss=traced["loss"], point_loss=traced["point_loss"],
        batch={"set": "train", "indices": rows, "size": len(rows), "shown": shown,
               "start": start, "of": trainer.n_train,
               "points": [{"index": i, "loss": float(v)} for i, v in zip(rows, traced["losses"])]},
        clip={"max_norm": traced["clip_norm"], "norm": traced["grad_norm"]},
        optimizer={"name": opt["name"], "label": info["label"], "params": opt["hyperparams"],
                   "learning_rate": traced["learning_rate"], "t": opt["t"],
                   "slots": opt["slots"], "symbols": info["symbols"],
                   "equations": info["equations"],
                   "layers": [{when: {slot: {part: _array(v) for part, v in parts.items()}
                                      for slot, parts in step[when].items()}
                               for when in ("state_before", "state_after")}
                              for step in traced["layers"]]})
    if apply:
        done = session.step(batches=1, max_ms=limits()["MAX_STEP_MS"])
        answer["snapshot"] = req.answer(done=done, train_ms=done["elapsed_ms"])["snapshot"]
    return answer


# Per layer, besides a one-point trace's fields: the shown point's own gradient, what the
# optimizer receives, its step before L1's shrink, and L1's threshold.
BATCH_LAYER_KEYS = ("point_dW", "point_db", "grad_W", "grad_b", "step_W", "step_b", "shrink_W")


def chosen_point(session, body):
    """(where, point, label): a point of the data by set and index, or a free point (the
    body's "point", or its "x" and "label"; also used by practice.py). A point is its values:
    2 plane coordinates, or a real set's columns."""
    if ("point" in body) == ("x" in body):
        raise ApiError(422, "give either point (a point of the data) or x and label",
                       "point", ["point", "x"])
    if "point" in body:
        if "label" in body:
            raise ApiError(422, "label: a point of the data has its own label; leave it out",
                           "label", None)
        ref = body["point"]
        if not isinstance(ref, dict):
            raise bad_type("point", '{"set": "train" | "test", "index": i}', ref)
        check_keys("point", ref, ("set", "index"))
        which = string("point.set", ref.get("set", "train"), ("train", "test"))
        p = session.points
        points, labels = ((p.train_points, p.train_labels) if which == "train"
                          else (p.test_points, p.test_labels))
        if "index" not in ref:
            raise ApiError(422, "point.index: required", "point.index", [0, len(points) - 1])
        if not len(points):
            raise ApiError(422, f"point.index: the {which} set is empty", "point.index", None)
        index = number("point.index", ref["index"], 0, len(points) - 1, integer=True)
        return {"set": which, "index": index}, points[index].tolist(), labels[index].item()
    xy = read_point(body["x"], session.input_space(), "x").tolist()
    if "label" not in body:
        raise ApiError(422, "label: required with x", "label", _label_range(session))
    low, high = _label_range(session)
    problem = session.config["problem"]
    label = number("label", body["label"], low, high, integer=problem != "regression")
    return {"set": None, "index": None}, xy, label


def seen_inputs(session):
    """The names of what the network sees: its features, or a real set's columns (which go in
    as they are)."""
    names = session.config["features"]
    return list(names) if names is not None else list(session.input_space().names)


def _label_range(session):
    config = session.config
    if config["problem"] == "regression":
        return [-REGRESSION_LABEL_LIMIT, REGRESSION_LABEL_LIMIT]
    classes = config["n_classes"] if config["problem"] == "multiclass" else 2
    return [0, classes - 1]


def _array(value):
    return None if value is None else value.tolist()


def _answer(traced, xy, names, label, where):
    """The trace as JSON: float64 numbers as plain floats (full precision), W as (n_in, n_out)."""
    layers = [{key: (step[key] if key == "activation" else _array(step[key]))
               for key in ("activation", "W", "b", "z", "a", "dL_da", "delta", "dW", "db",
                           "reg_dW", "update_W", "update_b")}
              for step in traced["layers"]]
    return {"input": {"point": list(xy), "features": list(names), "values": _array(traced["x"]),
                      **where},
            "label": label, "target": _array(traced["target"]), "output": _array(traced["output"]),
            "loss": traced["loss"], "loss_name": traced["loss_name"],
            "reg_loss": traced["reg_loss"], "regularization": traced["regularization"],
            "reg_rate": traced["reg_rate"], "learning_rate": traced["learning_rate"],
            "layers": layers}
