"""Ask the network about points: `POST /api/sessions/<id>/predict` (docs/api.md, "Predict").

Each point is checked in the session's input space (two plane coordinates, 64 pixels in
[0, 1], a table's standardised values) and answered with the engine's own numbers: class
probabilities and labels (`Network.predict_proba`, `Network.predict`) or, for regression, the
predicted values. The page's drawing pad asks this as the learner draws: it reduces the drawing
to the digits set's 64 inputs itself (static/js/digits/reduce.js, the same steps as nn_core's
`digit_from_drawing`) and sends those, never the drawing.
"""

import numpy as np
from flask import Blueprint

from nn_core import features

from ..capacity.limits import MAX_PREDICT_POINTS
from ..session.arrays import finite_or_none
from ..session.errors import ApiError
from ..session.points import read_points
from .request import session_endpoint

bp = Blueprint("predict", __name__, url_prefix="/api")


@bp.post("/sessions/<session_id>/predict")
@session_endpoint(keys=("points",), options=None)
def predict(req):
    session = req.session
    if "points" not in req.body:
        raise ApiError(422, "points: required", "points", [1, MAX_PREDICT_POINTS])
    X = read_points(req.body["points"], session.input_space(), "points", MAX_PREDICT_POINTS)
    if session.trainer.status != "ok":
        raise ApiError(422, "status: the session has diverged; reset it before asking it "
                       "about points", "status", ["ok"])
    net = session.network
    inputs = features.transform(X, session.config["features"])
    answer = {"id": req.id, "epoch": session.trainer.epoch}
    if net.problem == "regression":
        answer["values"] = finite_or_none(net.predict(inputs).tolist())
        return answer
    p = net.predict_proba(inputs)
    if net.problem == "binary":   # per class, as multi-class: [1 − p, p], p that of class 1
        p = np.column_stack([1.0 - p, p])
    answer["probabilities"] = finite_or_none(p.tolist())
    answer["labels"] = net.predict(inputs).tolist()
    return answer
