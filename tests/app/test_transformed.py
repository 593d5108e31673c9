"""The snapshot's transformed-space view (option "transformed"): absent unless asked for, the
engine's numbers for the session's train-then-test points and the plane's 26 grid lines as
float32, on every endpoint that answers with a snapshot; wrong types are a 400, indices that do
not fit the network a 422 naming `snapshot.transformed.<field>` with the allowed range — given
before any work, so a refused step trains nothing and a refused PATCH changes nothing."""

import numpy as np
import pytest

from app.session.arrays import decode
from nn_core import Network, transform, transformed_space

LIGHT = {"grid": False, "weights": False, "history": False, "confusion": False}


def post(client, path, body, status=200, method="post"):
    r = getattr(client, method)(path, json=body)
    assert r.status_code == status, r.get_json()
    return r.get_json()


def create(client, snapshot=None, **config):
    return post(client, "/api/sessions", {**config, "snapshot": {**LIGHT, **(snapshot or {})}}, 201)


def view(layer, a, b):
    return {**LIGHT, "transformed": {"layer": layer, "neurons": [a, b]}}


def test_default_snapshot_has_no_transformed_key_and_options_say_null(client):
    created = create(client)
    assert "transformed" not in created["snapshot"]
    sid = created["id"]
    snap = post(client, f"/api/sessions/{sid}/step", {"epochs": 1})["snapshot"]
    assert "transformed" not in snap
    snap = post(client, f"/api/sessions/{sid}/step", {"snapshot": {"transformed": None}})["snapshot"]
    assert "transformed" not in snap
    assert client.get("/api/options").get_json()["snapshot_defaults"]["transformed"] is None


def test_transformed_is_the_engines_view_of_train_then_test_points(client):
    created = create(client, view(0, 1, 3))
    sid, data = created["id"], created["data"]
    t = created["snapshot"]["transformed"]
    assert (t["layer"], t["neurons"]) == (0, [1, 3])
    assert t["points"]["dtype"] == "float32" and t["points"]["shape"] == [500, 2]
    assert t["lines"]["dtype"] == "float32" and t["lines"]["shape"] == [26, 60, 2]
    snap = post(client, f"/api/sessions/{sid}/step", {"epochs": 5, "snapshot": view(1, 1, 0)})["snapshot"]
    assert snap["epoch"] == 5
    t = snap["transformed"]
    assert (t["layer"], t["neurons"]) == (1, [1, 0])
    # the same numbers from nn_core, on the session's weights (from its export)
    model = client.get(f"/api/sessions/{sid}/model").get_json()
    net = Network.from_dict(model["trainer"]["network"])
    rows = data["train"] + data["test"]
    points = np.array([r[:2] for r in rows])
    expected = transformed_space(net, ["x1", "x2"], points, 1, [1, 0])
    np.testing.assert_array_equal(decode(t["points"]), expected["points"].astype(np.float32))
    np.testing.assert_array_equal(decode(t["lines"]), expected["lines"].astype(np.float32))
    # row i is point i of train + test: the first training point through layer 1, neurons (1, 0)
    acts = net.forward(transform(points[:1], ["x1", "x2"])).a[1][0]
    assert decode(t["points"])[0].tolist() == [np.float32(acts[1]), np.float32(acts[0])]
    # tanh layers: every activation inside (−1, 1)
    assert np.abs(decode(t["lines"])).max() < 1


def test_every_snapshot_endpoint_carries_it(client):
    created = create(client, dataset="spiral_k", hidden_layers=[5, 3])
    sid = created["id"]
    shape = lambda snap: decode(snap["transformed"]["points"]).shape  # noqa: E731
    opts = view(0, 4, 2)
    assert shape(post(client, f"/api/sessions/{sid}/reset", {"snapshot": opts})["snapshot"]) == (500, 2)
    assert shape(post(client, f"/api/sessions/{sid}/weights",
                      {"layer": 0, "from": 0, "to": 1, "value": 0.5, "snapshot": opts},
                      method="patch")["snapshot"]) == (500, 2)
    res = post(client, f"/api/sessions/{sid}/data",
               {"action": "append", "points": [[1, 2, 0], [3, 4, 1]], "snapshot": opts})
    assert shape(res["snapshot"]) == (502, 2)
    res = post(client, f"/api/sessions/{sid}", {"learning_rate": 0.1, "snapshot": opts},
               method="patch")
    assert shape(res["snapshot"]) == (502, 2)
    got = client.get(f"/api/sessions/{sid}?grid=0&weights=0&transformed=1,2,0").get_json()
    t = got["snapshot"]["transformed"]
    assert (t["layer"], t["neurons"], t["lines"]["shape"]) == (1, [2, 0], [26, 60, 2])
    got = client.get(f"/api/sessions/{sid}?grid=0&weights=0&transformed=null").get_json()
    assert "transformed" not in got["snapshot"]


@pytest.mark.parametrize("query, status, field", [
    ("1,2", 400, "snapshot.transformed"),
    ("a,0,1", 400, "snapshot.transformed.layer"),
    ("2,0,1", 422, "snapshot.transformed.layer"),
    ("0,0,4", 422, "snapshot.transformed.neurons[1]"),
])
def test_bad_query_forms(client, error_of, query, status, field):
    sid = create(client)["id"]
    r = client.get(f"/api/sessions/{sid}?grid=0&transformed={query}")
    assert error_of(r, status)["field"] == field


def test_regression_and_one_neuron_layers(client):
    created = create(client, view(1, 0, 0), dataset="plane", hidden_layers=[3, 1])
    t = created["snapshot"]["transformed"]
    assert t["neurons"] == [0, 0] and t["points"]["shape"] == [1200, 2]
    pts = decode(t["points"])
    np.testing.assert_array_equal(pts[:, 0], pts[:, 1])   # (a, a): the diagonal


@pytest.mark.parametrize("option, field", [
    ("x", "snapshot.transformed"),
    ([0, 1, 2], "snapshot.transformed"),
    ({"layer": "0", "neurons": [0, 1]}, "snapshot.transformed.layer"),
    ({"layer": None, "neurons": [0, 1]}, "snapshot.transformed.layer"),
    ({"layer": 0, "neurons": 1}, "snapshot.transformed.neurons"),
    ({"layer": 0, "neurons": [0, 1, 2]}, "snapshot.transformed.neurons"),
    ({"layer": 0, "neurons": [0, True]}, "snapshot.transformed.neurons[1]"),
])
def test_wrong_types_are_400(client, error_of, option, field):
    sid = create(client)["id"]
    r = client.post(f"/api/sessions/{sid}/step", json={"snapshot": {"transformed": option}})
    assert error_of(r, 400)["field"] == field


@pytest.mark.parametrize("option, field, allowed", [
    ({"layer": 2, "neurons": [0, 1]}, "snapshot.transformed.layer", [0, 1]),
    ({"layer": 0, "neurons": [4, 1]}, "snapshot.transformed.neurons[0]", [0, 3]),
    ({"layer": 1, "neurons": [0, 2]}, "snapshot.transformed.neurons[1]", [0, 1]),
    ({"layer": -1, "neurons": [0, 1]}, "snapshot.transformed.layer", [0, 7]),
    ({"layer": 0.5, "neurons": [0, 1]}, "snapshot.transformed.layer", [0, 7]),
    ({"layer": 0, "neurons": [0, 64]}, "snapshot.transformed.neurons[1]", [0, 63]),
    ({"layer": 0}, "snapshot.transformed.neurons", None),
    ({"layer": 0, "neurons": [0, 1], "x": 1}, "snapshot.transformed.x", ["layer", "neurons"]),
])
def test_out_of_range_is_422_and_the_step_trains_nothing(client, error_of, option, field, allowed):
    sid = create(client)["id"]          # hidden layers [4, 2]
    r = client.post(f"/api/sessions/{sid}/step", json={"epochs": 3, "snapshot": {"transformed": option}})
    err = error_of(r, 422)
    assert (err["field"], err["allowed"]) == (field, allowed)
    snap = client.get(f"/api/sessions/{sid}?grid=0&weights=0").get_json()["snapshot"]
    assert (snap["epoch"], snap["steps"]) == (0, 0)


def test_no_hidden_layer_is_a_422_naming_the_layer(client, error_of):
    r = client.post("/api/sessions", json={"hidden_layers": [], "snapshot": view(0, 0, 0)})
    err = error_of(r, 422)
    assert err["field"] == "snapshot.transformed.layer" and "no hidden layer" in err["message"]
    sid = create(client, hidden_layers=[])["id"]
    r = client.get(f"/api/sessions/{sid}?transformed=0,0,0")
    assert error_of(r, 422)["field"] == "snapshot.transformed.layer"


def test_patch_checks_against_the_new_network_and_a_refused_patch_changes_nothing(client, error_of):
    sid = create(client)["id"]          # [4, 2]
    post(client, f"/api/sessions/{sid}/step", {"epochs": 2, "snapshot": LIGHT})
    # [4, 2] → [6]: layer 1 no longer exists
    r = client.patch(f"/api/sessions/{sid}", json={"hidden_layers": [6], "snapshot": view(1, 0, 1)})
    err = error_of(r, 422)
    assert (err["field"], err["allowed"]) == ("snapshot.transformed.layer", [0, 0])
    got = client.get(f"/api/sessions/{sid}?grid=0&weights=0").get_json()
    assert got["config"]["hidden_layers"] == [4, 2] and got["snapshot"]["epoch"] == 2
    # neuron 5 exists only in the new network: accepted, and computed on it
    res = post(client, f"/api/sessions/{sid}", {"hidden_layers": [6], "snapshot": view(0, 5, 0)},
               method="patch")
    assert res["config"]["hidden_layers"] == [6] and res["snapshot"]["transformed"]["neurons"] == [5, 0]


def test_limits_follow_the_app_config():
    from app import create_app
    client = create_app({"TESTING": True, "MAX_NEURONS": 8}).test_client()
    r = client.post("/api/sessions", json={"snapshot": view(0, 0, 9)})
    assert r.status_code == 422 and r.get_json()["error"]["allowed"] == [0, 7]
