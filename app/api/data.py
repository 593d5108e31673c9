"""A session's points: regenerate them, replace or add your own (rows or CSV), remove some,
read them back as JSON or CSV (docs/api.md, "Data")."""

from flask import Blueprint, Response

from nn_core.seeds import SEED_MAX

from ..capacity.limits import MAX_INDEX, NEAR_LIMIT, RADIUS_RANGE
from ..session.errors import ApiError, bad_type
from ..session.validate import check_keys, number, string
from .request import limits, session_endpoint

bp = Blueprint("data", __name__, url_prefix="/api")

# The body keys each action takes.
DATA_KEYS = {
    "regenerate": ("action", "data_seed"),
    "replace": ("action", "points", "csv"),
    "append": ("action", "points", "csv", "split"),
    "remove": ("action", "indices", "near", "radius"),
}


@bp.post("/sessions/<session_id>/data")
@session_endpoint(check=False)
def data(req):
    body, session = req.body, req.session
    action = string("action", body.get("action"), tuple(DATA_KEYS))
    check_keys("", body, (*DATA_KEYS[action], "snapshot"))
    # New points may number up to max_points: the snapshot of the result must fit too.
    grows = action in ("replace", "append")
    req.check_view(n_points=limits()["MAX_POINTS"] if grows else None)
    removed = None
    if action == "regenerate":
        seed = body.get("data_seed")
        if seed is not None:
            seed = number("data_seed", seed, 0, SEED_MAX, integer=True)
        session.regenerate(seed)
    elif action == "replace":
        session.replace(_user_points(body))
    elif action == "append":
        session.append(_user_points(body),
                       string("split", body.get("split", "train"), ("train", "test")))
    else:
        removed = session.remove(*_removal(body))
    answer = req.answer(config=session.config, data=session.data_json())
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
    """(indices, near, radius) of a "remove": by index into train + test, or the point
    nearest to `near` within `radius`."""
    if ("indices" in body) == ("near" in body):
        raise ApiError(422, "give either indices or near", "indices", ["indices", "near"])
    if "near" in body:
        near = body["near"]
        if not isinstance(near, list) or len(near) != 2:
            raise bad_type("near", "[x1, x2]", near)
        near = [number(f"near[{i}]", v, -NEAR_LIMIT, NEAR_LIMIT) for i, v in enumerate(near)]
        radius = number("radius", body.get("radius", 0.5), *RADIUS_RANGE)
        return None, near, radius
    indices = body["indices"]
    if not isinstance(indices, list):
        raise bad_type("indices", "a list of point indices", indices)
    indices = [number(f"indices[{i}]", v, 0, MAX_INDEX, integer=True)
               for i, v in enumerate(indices)]
    return indices, None, 0.0


@bp.get("/sessions/<session_id>/data")
@session_endpoint(options=None)
def get_data(req):
    return {"id": req.id, "config": req.session.config, "data": req.session.data_json()}


@bp.get("/sessions/<session_id>/data.csv")
@session_endpoint(options=None)
def data_csv(req):
    return Response(req.session.csv(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="points.csv"'})
