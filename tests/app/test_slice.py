"""POST /api/sessions/<id>/slice: the objective along one weight over the training set, the next
minibatch or one point, equal to the engine's; its slope is the gradient Inspect's backward stage
shows; nothing changes; bad input names the field; the work is bounded before anything runs."""

import numpy as np
import pytest

from nn_core import Network, loss_along, transform

from .conftest import BARE, check_error, create, post, test_app


def slice_of(client, sid, body, status=200):
    return post(client, f"/api/sessions/{sid}/slice", body, status)


def model_of(client, sid):
    return client.get(f"/api/sessions/{sid}/model").get_json()


def train_rows(client, sid, features=("x1", "x2")):
    train = client.get(f"/api/sessions/{sid}/data").get_json()["data"]["train"]
    return transform(np.array([r[:2] for r in train]), list(features)), [r[2] for r in train]


def test_over_the_training_set_it_is_the_engines_slice(client):
    sid = create(client, regularization="l2", reg_rate=0.01)["id"]
    post(client, f"/api/sessions/{sid}/step", {"epochs": 2, "snapshot": BARE})
    before = model_of(client, sid)
    s = slice_of(client, sid, {"param": {"layer": 1, "kind": "W", "row": 2, "col": 1},
                               "span": 1.0, "resolution": 9})
    assert model_of(client, sid) == before                    # nothing changed
    net = Network.from_dict(before["trainer"]["network"])
    X, y = train_rows(client, sid)
    expected = loss_along(net, X, y, 1, "W", 2, 1, span=1.0, resolution=9,
                          regularization="l2", reg_rate=0.01)
    assert s["values"] == expected["values"].tolist() and s["loss"] == expected["loss"].tolist()
    assert s["gradient"] == expected["gradient"] and s["current"] == net.layers[1].W[2, 1]
    assert s["on"] == "train" and s["n_rows"] == len(X) and s["resolution"] == 9
    assert s["param"] == {"layer": 1, "kind": "W", "row": 2, "col": 1}
    assert s["learning_rate"] == 0.03 and s["regularization"] == "l2" and s["epoch"] == 2
    assert s["loss"][4] == s["current_loss"] == s["data_loss"][4] + s["reg_loss"][4]


def test_on_a_point_the_slope_is_the_traced_gradient(client):
    sid = create(client, regularization="l2", reg_rate=0.05)["id"]
    point = {"point": {"set": "test", "index": 3}}
    t = post(client, f"/api/sessions/{sid}/trace", point)
    s = slice_of(client, sid, {"param": {"layer": 0, "kind": "W", "row": 1, "col": 2},
                               "on": "point", **point, "resolution": 3})
    layer = t["layers"][0]
    assert s["gradient"] == pytest.approx(layer["dW"][1][2] + layer["reg_dW"][1][2], rel=1e-12)
    assert s["current_data_loss"] == pytest.approx(t["loss"], rel=1e-12)
    assert s["point"]["set"] == "test" and s["point"]["index"] == 3 and s["n_rows"] == 1
    b = slice_of(client, sid, {"param": {"layer": 2, "kind": "b", "col": 0}, "on": "point",
                               "x": [1.0, -2.0], "label": 1, "resolution": 3})
    free = post(client, f"/api/sessions/{sid}/trace", {"x": [1.0, -2.0], "label": 1})
    assert b["gradient"] == pytest.approx(free["layers"][2]["db"][0], rel=1e-12)
    assert b["param"]["row"] is None and b["reg_gradient"] == 0.0


def test_on_the_next_minibatch_the_slope_is_the_batch_gradient(client):
    sid = create(client, batch_size=20)["id"]
    post(client, f"/api/sessions/{sid}/step", {"batches": 4, "snapshot": BARE})
    t = post(client, f"/api/sessions/{sid}/trace", {"batch": "next"})
    s = slice_of(client, sid, {"param": {"layer": 1, "kind": "W", "row": 0, "col": 0},
                               "on": "batch", "resolution": 3})
    assert s["batch"]["indices"] == t["batch"]["indices"] and s["n_rows"] == 20
    assert s["gradient"] == pytest.approx(t["layers"][1]["dW"][0][0], rel=1e-12)
    assert s["current_loss"] == pytest.approx(t["loss"], rel=1e-12)


@pytest.mark.parametrize("body, status, field", [
    ({}, 400, "param"),
    ({"param": [0, 0]}, 400, "param"),
    ({"param": {"layer": 3, "kind": "W", "row": 0, "col": 0}}, 422, "param.layer"),
    ({"param": {"layer": 0, "kind": "w", "row": 0, "col": 0}}, 422, "param.kind"),
    ({"param": {"layer": 0, "kind": "W", "row": 2, "col": 0}}, 422, "param.row"),
    ({"param": {"layer": 0, "kind": "W", "col": 0}}, 422, "param.row"),
    ({"param": {"layer": 0, "kind": "W", "row": 0, "col": 4}}, 422, "param.col"),
    ({"param": {"layer": 0, "kind": "b", "col": 4}}, 422, "param.col"),
    ({"param": {"layer": "0", "kind": "W", "row": 0, "col": 0}}, 400, "param.layer"),
    ({"param": {"layer": 0, "kind": "W", "row": 0.5, "col": 0}}, 422, "param.row"),
    ({"param": {"layer": 0, "kind": "b"}}, 422, "param.col"),
    ({"param": {"layer": 0, "kind": "b", "col": 0, "neuron": 1}}, 422, "param.neuron"),
    ({"param": {"layer": 0, "kind": "b", "col": 0}, "span": 0}, 422, "span"),
    ({"param": {"layer": 0, "kind": "b", "col": 0}, "span": 1000}, 422, "span"),
    ({"param": {"layer": 0, "kind": "b", "col": 0}, "resolution": 2}, 422, "resolution"),
    ({"param": {"layer": 0, "kind": "b", "col": 0}, "resolution": 41.5}, 422, "resolution"),
    ({"param": {"layer": 0, "kind": "b", "col": 0}, "on": "test"}, 422, "on"),
    ({"param": {"layer": 0, "kind": "b", "col": 0}, "on": "point"}, 422, "point"),
    ({"param": {"layer": 0, "kind": "b", "col": 0}, "point": {"set": "train", "index": 0}},
     422, "point"),
    ({"param": {"layer": 0, "kind": "b", "col": 0}, "on": "point", "x": [9, 0], "label": 1},
     422, "x[0]"),
    ({"param": {"layer": 0, "kind": "b", "col": 0}, "snapshot": {}}, 422, "snapshot"),
])
def test_bad_input_names_the_field_and_changes_nothing(client, body, status, field):
    sid = create(client)["id"]
    before = model_of(client, sid)
    error = check_error(client.post(f"/api/sessions/{sid}/slice", json=body), status)
    assert error["field"] == field
    assert model_of(client, sid) == before


def test_too_much_work_is_refused_with_the_finest_resolution_that_fits():
    app = test_app(MAX_SLICE_WORK=2_000_000)
    client = app.test_client()
    sid = create(client)["id"]                               # 2-4-2-1 on 250 rows
    body = {"param": {"layer": 0, "kind": "W", "row": 0, "col": 0}, "resolution": 41}
    error = check_error(client.post(f"/api/sessions/{sid}/slice", json=body), 422)
    assert error["field"] == "resolution"
    low, high = error["allowed"]
    assert low == 3 and 3 <= high < 41
    slice_of(client, sid, {**body, "resolution": high})         # what it allows, it does
    check_error(client.post(f"/api/sessions/{sid}/slice", json={**body, "resolution": high + 1}), 422)
    tiny = test_app(MAX_SLICE_WORK=10).test_client()
    sid = create(tiny)["id"]
    error = check_error(tiny.post(f"/api/sessions/{sid}/slice", json=body), 422)
    assert error["field"] == "on" and error["allowed"] == ["batch", "point"]


def test_a_diverged_session_and_an_unknown_one(client):
    check_error(client.post("/api/sessions/nope/slice",
                            json={"param": {"layer": 0, "kind": "b", "col": 0}}), 404)
    sid = create(client, dataset="plane", learning_rate=10)["id"]
    snap = post(client, f"/api/sessions/{sid}/step", {"epochs": 50, "snapshot": BARE})["snapshot"]
    assert snap["status"] == "diverged"
    error = check_error(client.post(f"/api/sessions/{sid}/slice",
                                    json={"param": {"layer": 0, "kind": "b", "col": 0}}), 422)
    assert error["field"] == "status"
