"""Inspect one point: `POST /api/sessions/<id>/trace` (docs/api.md, "Trace one point").

The numbers come from nn_core's textbook path (`nn_core.textbook.trace`): the point's features,
every layer's z and a, the loss, δ, the gradients and the update −α(∂L/∂W + λ∂R/∂W). With
`"apply": true` the session takes exactly that step (plain gradient descent on this one example,
whatever optimizer is selected); epoch, step count, optimizer state and the shuffle stay as
they were, and the metrics are re-measured as after an edited weight.
"""

from flask import Blueprint

from nn_core import features, textbook

from ..capacity.limits import COORD_LIMIT, REGRESSION_LABEL_LIMIT
from ..session.errors import ApiError, bad_type
from ..session.validate import boolean, check_keys, number, string
from .request import session_endpoint

bp = Blueprint("inspect", __name__, url_prefix="/api")


@bp.post("/sessions/<session_id>/trace")
@session_endpoint(keys=("point", "x", "label", "apply"), check=False)
def trace(req):
    body, session = req.body, req.session
    apply = boolean("apply", body.get("apply", False))
    if apply:
        req.check_view()
    trainer = session.trainer
    if trainer.status != "ok":
        raise ApiError(422, "status: the session has diverged; reset it before tracing a point",
                       "status", ["ok"])
    where, xy, label = chosen_point(session, body)
    names = session.config["features"]
    values = features.transform([xy], names)[0]
    traced = textbook.trace(session.network, values, label, trainer.learning_rate,
                            trainer.regularizer.name, trainer.reg_rate)
    answer = _answer(traced, xy, names, label, where)
    answer["epoch"] = trainer.epoch
    answer["applied"] = apply
    if apply:
        textbook.apply_update(session.network, traced)
        trainer.refresh()
        trainer.check_drawable()
        answer["snapshot"] = req.answer()["snapshot"]
    return answer


def chosen_point(session, body):
    """(where, [x1, x2], label): a point of the data by set and index, or a free point (the
    body's "point", or its "x" and "label"; also used by practice.py)."""
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
    xy = body["x"]
    if not isinstance(xy, list) or len(xy) != 2:
        raise bad_type("x", "[x1, x2]", xy)
    xy = [number(f"x[{i}]", v, -COORD_LIMIT, COORD_LIMIT) for i, v in enumerate(xy)]
    if "label" not in body:
        raise ApiError(422, "label: required with x", "label", _label_range(session))
    low, high = _label_range(session)
    problem = session.config["problem"]
    label = number("label", body["label"], low, high, integer=problem != "regression")
    return {"set": None, "index": None}, xy, label


def _label_range(session):
    config = session.config
    if config["problem"] == "regression":
        return [-REGRESSION_LABEL_LIMIT, REGRESSION_LABEL_LIMIT]
    classes = config["n_classes"] if config["problem"] == "multiclass" else 2
    return [0, classes - 1]


def _answer(traced, xy, names, label, where):
    """The trace as JSON: float64 numbers as plain floats (full precision), W as (n_in, n_out)."""
    def array(value):
        return None if value is None else value.tolist()

    layers = [{key: (step[key] if key == "activation" else array(step[key]))
               for key in ("activation", "W", "b", "z", "a", "dL_da", "delta", "dW", "db",
                           "reg_dW", "update_W", "update_b")}
              for step in traced["layers"]]
    return {"input": {"point": list(xy), "features": list(names), "values": array(traced["x"]),
                      **where},
            "label": label, "target": array(traced["target"]), "output": array(traced["output"]),
            "loss": traced["loss"], "loss_name": traced["loss_name"],
            "reg_loss": traced["reg_loss"], "regularization": traced["regularization"],
            "reg_rate": traced["reg_rate"], "learning_rate": traced["learning_rate"],
            "layers": layers}
