"""POST /api/sessions/<id>/landscape: the loss slice around the first session's current weights with every
session's path projected; the centre is that session's training data loss (1e-12), its path
ends at (0, 0); sessions that differ in network or data are a 422 naming what differs; every
bad value and too much work is refused before any work."""

import numpy as np
import pytest

from nn_core import Network, transform
from nn_core.landscape import cost

from .conftest import BARE, check_error, create, post


def fork(client, sid, **overrides):
    return post(client, f"/api/sessions/{sid}/fork", {"overrides": overrides, "snapshot": BARE},
                201)["id"]


def step(client, sid, **body):
    return post(client, f"/api/sessions/{sid}/step", {**body, "snapshot": BARE})["snapshot"]


def path_of(body):
    """The landscape's path for `body`: its first session's (the first path when the body
    names none, as a malformed body may)."""
    ids = body.get("sessions")
    if isinstance(ids, list) and ids and isinstance(ids[0], str):
        return f"/api/sessions/{ids[0]}/landscape"
    return "/api/landscape"


def post_landscape(client, **body):
    return client.post(path_of(body), json=body)


def landscape(client, status=200, **body):
    return post(client, path_of(body), body, status)


def train_loss(client, sid):
    """The session's data loss on its training points, from its export (weights and points)."""
    model = client.get(f"/api/sessions/{sid}/model").get_json()
    net = Network.from_dict(model["trainer"]["network"])
    train = client.get(f"/api/sessions/{sid}/data").get_json()
    rows = train["data"]["train"]
    X = transform(np.array([r[:2] for r in rows]), train["config"]["features"])
    return net.loss_and_grads(X, [r[2] for r in rows])[0]


def race(client, **config):
    sid = create(client, **config)["id"]
    others = [fork(client, sid, optimizer="adam"), fork(client, sid, optimizer="momentum")]
    for s in [sid, *others]:
        step(client, s, epochs=15)
    return [sid, *others]


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b))


def test_a_race_on_its_pca_plane(client):
    ids = race(client)
    step(client, ids[0], batches=3)                          # mid-epoch: weights past the record
    result = landscape(client, sessions=ids, resolution=21, span=1.0)
    assert result["directions"] == result["requested"] == "pca"
    assert result["loss_name"] == "bce" and result["resolution"] == 21 and result["seed"] == 0
    assert len(result["alphas"]) == len(result["betas"]) == 21
    assert len(result["loss"]) == 21 and all(len(row) == 21 for row in result["loss"])
    assert result["alphas"][10] == 0.0 and result["betas"][10] == 0.0
    expected = train_loss(client, ids[0])
    assert rel(result["origin_loss"], expected) < 1e-12
    assert rel(result["loss"][10][10], expected) < 1e-12
    assert result["origin"] == {"id": ids[0], "epoch": 15}
    paths = result["trajectories"]
    assert [p["id"] for p in paths] == ids
    first = paths[0]
    assert first["epoch"] == list(range(16))     # the current weights stand for epoch 15
    assert first["alpha"][-1] == 0.0 and first["beta"][-1] == 0.0     # ends at the origin
    for p in paths:
        assert len(p["alpha"]) == len(p["beta"]) == len(p["epoch"]) >= 16
        assert p["epoch"][0] == 0
    # the three runs start together (same initial weights) and part ways
    starts = {(round(p["alpha"][0], 9), round(p["beta"][0], 9)) for p in paths}
    assert len(starts) == 1
    assert len({(round(p["alpha"][-1], 6), round(p["beta"][-1], 6)) for p in paths}) == 3
    # the grid covers every path
    reach = max(max(abs(v) for v in p["alpha"] + p["beta"]) for p in paths)
    assert result["alphas"][-1] > reach
    assert all(isinstance(v, float) for v in result["loss"][0])


def test_random_directions_and_the_fallback_for_paths_too_short(client):
    sid = create(client)["id"]
    fresh = landscape(client, sessions=[sid], resolution=5)
    assert fresh["requested"] == "pca" and fresh["directions"] == "random"   # one point only
    assert fresh["trajectories"][0]["alpha"] == [0.0]
    assert rel(fresh["origin_loss"], train_loss(client, sid)) < 1e-12
    assert fresh["alphas"] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    step(client, sid, epochs=3)
    one = landscape(client, sessions=[sid], resolution=5, directions="random", seed=4, span=0.5)
    again = landscape(client, sessions=[sid], resolution=5, directions="random", seed=4, span=0.5)
    other = landscape(client, sessions=[sid], resolution=5, directions="random", seed=5, span=0.5)
    assert one["loss"] == again["loss"] and one["loss"] != other["loss"]
    assert one["directions"] == "random" and one["alphas"][-1] == 0.5


def test_the_path_ends_at_the_current_weights_after_an_edit(client):
    ids = race(client)
    r = client.patch(f"/api/sessions/{ids[0]}/weights",
                     json={"layer": 0, "from": 0, "to": 1, "value": 0.75, "snapshot": BARE})
    assert r.status_code == 200
    result = landscape(client, sessions=ids, resolution=7)
    first = result["trajectories"][0]
    assert first["alpha"][-1] == 0.0 and first["beta"][-1] == 0.0 and first["epoch"][-1] == 15
    assert len(first["epoch"]) == 16                         # the edited epoch replaced its record
    assert rel(result["origin_loss"], train_loss(client, ids[0])) < 1e-12


def test_multiclass_and_regression(client):
    ids = race(client, dataset="blobs", n_classes=4, hidden_layers=[5])
    result = landscape(client, sessions=ids, resolution=9)
    assert result["loss_name"] == "softmax_ce"
    assert rel(result["origin_loss"], train_loss(client, ids[0])) < 1e-12
    ids = race(client, dataset="plane", n_points=200, hidden_layers=[3, 3])
    result = landscape(client, sessions=ids[::-1], resolution=9)   # any session may be the origin
    assert result["loss_name"] == "mse" and result["origin"]["id"] == ids[2]
    assert rel(result["origin_loss"], train_loss(client, ids[2])) < 1e-12


def test_a_landscape_changes_no_session(client):
    ids = race(client)
    before = [client.get(f"/api/sessions/{s}/model").get_json()["trainer"] for s in ids]
    landscape(client, sessions=ids, resolution=7)
    after = [client.get(f"/api/sessions/{s}/model").get_json()["trainer"] for s in ids]
    assert before == after


@pytest.mark.parametrize("change, differs", [
    ({"hidden_layers": [4, 3]}, ["hidden_layers"]),
    ({"activation": "relu"}, ["activations"]),
    ({"layer_activations": ["tanh", "relu"]}, ["activations"]),
    ({"features": ["x1", "x2", "x1x2"]}, ["features"]),
    ({"features": ["x1_sq", "x2_sq"]}, ["features"]),
    ({"output_activation": "tanh", "loss": "mse"}, ["output_activation", "loss"]),
    ({"data_seed": 2}, ["data"]),
    ({"train_ratio": 0.6}, ["data"]),
    ({"dataset": "xor", "hidden_layers": [3]}, ["hidden_layers", "data"]),
])
def test_sessions_that_differ_are_a_422_naming_what_differs(client, change, differs):
    sid = create(client)["id"]
    other = create(client, **change)["id"]
    r = post_landscape(client, sessions=[sid, other])
    error = check_error(r, 422)
    assert error["field"] == "sessions[1]" and error["differs"] == differs
    for name in differs:
        assert name in error["message"]


def test_the_first_session_must_not_have_diverged_the_others_may(client):
    good = create(client, dataset="plane", n_points=100)["id"]
    bad = fork(client, good, learning_rate=10)
    assert step(client, bad, epochs=50)["status"] == "diverged"
    result = landscape(client, sessions=[good, bad], resolution=5)
    assert result["trajectories"][1]["epoch"][0] == 0        # its finite records still drawn
    error = check_error(post_landscape(client, sessions=[bad, good]), 422)
    assert error["field"] == "sessions[0]"


@pytest.mark.parametrize("body, status, field", [
    ({}, 400, "sessions"),
    ({"sessions": "abc"}, 400, "sessions"),
    ({"sessions": []}, 422, "sessions"),
    ({"sessions": ["a"] * 7}, 422, "sessions"),
    ({"sessions": [3]}, 400, "sessions[0]"),
    ({"sessions": ["$S", "$S"]}, 422, "sessions[1]"),
    ({"sessions": ["$S", "nope"]}, 404, "sessions[1]"),
    ({"sessions": ["$S"], "resolution": 40}, 422, "resolution"),
    ({"sessions": ["$S"], "resolution": 1}, 422, "resolution"),
    ({"sessions": ["$S"], "resolution": 103}, 422, "resolution"),
    ({"sessions": ["$S"], "resolution": 4.5}, 422, "resolution"),
    ({"sessions": ["$S"], "resolution": "41"}, 400, "resolution"),
    ({"sessions": ["$S"], "span": 0}, 422, "span"),
    ({"sessions": ["$S"], "span": 1e9}, 422, "span"),
    ({"sessions": ["$S"], "directions": "hessian"}, 422, "directions"),
    ({"sessions": ["$S"], "seed": -1}, 422, "seed"),
    ({"sessions": ["$S"], "seed": True}, 400, "seed"),
    ({"sessions": ["$S"], "origin": 0}, 422, "origin"),
])
def test_bad_requests_name_the_field(client, body, status, field):
    sid = create(client)["id"]
    body = {k: [sid if s == "$S" else s for s in v] if k == "sessions" and isinstance(v, list)
            else v for k, v in body.items()}
    error = check_error(client.post(path_of(body), json=body), status)
    assert error["field"] == field


def test_too_much_work_is_refused_with_the_resolution_that_fits(client, app):
    sid = create(client)["id"]                                 # 250 training points, 2-4-2-1
    sizes = [2, 4, 2, 1]
    app.config["MAX_LANDSCAPE_WORK"] = cost(sizes, 250, 21)
    landscape(client, sessions=[sid], resolution=21)
    error = check_error(post_landscape(client, sessions=[sid], resolution=23),
                        422)
    assert error["field"] == "resolution" and error["allowed"] == [3, 21]
    app.config["MAX_LANDSCAPE_WORK"] = cost(sizes, 250, 3) - 1
    error = check_error(post_landscape(client, sessions=[sid], resolution=3),
                        422)
    assert error["field"] == "sessions"
    assert client.get("/api/options").get_json()["limits"]["max_landscape_work"] == cost(sizes, 250, 3) - 1


def test_paths_survive_a_model_export_and_import(client):
    ids = race(client)
    model = client.get(f"/api/sessions/{ids[1]}/model").get_json()
    assert model["trainer"]["trajectory"]["epochs"] == list(range(16))
    copy = post(client, "/api/sessions", {"model": model, "snapshot": BARE}, 201)["id"]
    original = landscape(client, sessions=[ids[0], ids[1]], resolution=5)
    imported = landscape(client, sessions=[ids[0], copy], resolution=5)
    assert imported["trajectories"][1]["alpha"] == original["trajectories"][1]["alpha"]
    assert imported["loss"] == original["loss"]
    model["trainer"]["trajectory"]["epochs"] = [0, 1]                # does not fit its rows
    error = check_error(client.post("/api/sessions", json={"model": model}), 422)
    assert error["field"].startswith("model.trainer.trajectory")


# --------------------------------------------------------------------------- which path
def test_the_path_names_one_of_the_listed_sessions(client):
    ids = race(client)
    by_last = client.post(f"/api/sessions/{ids[2]}/landscape",
                          json={"sessions": ids, "resolution": 5})
    assert by_last.status_code == 200 and by_last.get_json()["origin"]["id"] == ids[0]
    other = create(client)["id"]
    error = check_error(client.post(f"/api/sessions/{other}/landscape",
                                    json={"sessions": ids, "resolution": 5}), 422)
    assert error["field"] == "sessions" and "path" in error["message"]


def test_the_first_path_still_answers_in_one_process(client):
    ids = race(client)
    old = post(client, "/api/landscape", {"sessions": ids, "resolution": 5})
    new = landscape(client, sessions=ids, resolution=5)
    assert old["loss"] == new["loss"] and old["trajectories"] == new["trajectories"]


def test_sessions_held_by_different_workers_are_a_422_saying_so(make_app):
    client = make_app(WORKER_NAME="w1").test_client()
    sid = create(client)["id"]
    assert sid.startswith("w1.")
    for path in (f"/api/sessions/{sid}/landscape", "/api/landscape"):
        error = check_error(client.post(path, json={"sessions": [sid, "w2.abc"]}), 422)
        assert error["field"] == "sessions"
        assert "'w2'" in error["message"] and "'w1'" in error["message"]


def test_a_worker_sends_the_first_path_on_to_the_worker_that_holds_the_sessions(make_app):
    client = make_app(WORKER_NAME="w1").test_client()
    mine = create(client)["id"]
    assert landscape(client, sessions=[mine], resolution=5)["origin"]["id"] == mine
    assert post(client, "/api/landscape", {"sessions": [mine], "resolution": 5})["resolution"] == 5
    r = client.post("/api/landscape", json={"sessions": ["w2.abc", "w2.def"], "resolution": 5})
    assert r.status_code == 307 and r.mimetype == "application/json"
    assert r.headers["Location"] == "/api/sessions/w2.abc/landscape"
    assert r.get_json() == {"redirect": "/api/sessions/w2.abc/landscape"}
