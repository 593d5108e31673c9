"""Creating, reading, changing and deleting sessions; /api/options."""

import numpy as np
import pytest

from app.session.arrays import decode
from nn_core import datasets

DEFAULTS = {
    "dataset": "circle", "n_points": 500, "noise": 0.0, "n_classes": 2, "train_ratio": 0.5,
    "data_seed": 1, "features": ["x1", "x2"], "hidden_layers": [4, 2], "activation": "tanh",
    "layer_activations": None, "problem": "binary", "output_activation": "sigmoid",
    "loss": "bce", "init": "xavier_uniform", "seed": 1, "optimizer": "sgd",
    "optimizer_params": {}, "learning_rate": 0.03, "schedule": "constant",
    "schedule_params": {}, "regularization": "none", "reg_rate": 0.0, "batch_size": 10,
    "clip_norm": None,
}


def weights_of(snapshot):
    return [(decode(layer["W"]), decode(layer["b"])) for layer in snapshot["weights"]]


# --------------------------------------------------------------------------- options
def test_options_lists_every_component_and_the_tf_playground_defaults(client):
    r = client.get("/api/options")
    assert r.status_code == 200
    o = r.get_json()
    assert o["defaults"] == DEFAULTS
    names = lambda key: [item["name"] for item in o[key]]  # noqa: E731
    assert {"circle", "xor", "gaussian", "spiral", "plane", "spiral_k", "custom"} <= set(
        names("datasets"))
    assert names("features")[:2] == ["x1", "x2"] and len(o["features"]) == 9
    assert {"tanh", "relu", "sigmoid", "softmax", "linear"} <= set(names("activations"))
    tanh = next(a for a in o["activations"] if a["name"] == "tanh")
    assert tanh["formula"] == "tanh(z)" and tanh["derivative"] == "1 − tanh²(z)"
    bce = next(loss for loss in o["losses"] if loss["name"] == "bce")
    assert bce["fused_with"] == "sigmoid" and bce["gradient"]
    assert {"sgd", "momentum", "adam"} <= set(names("optimizers"))
    adam = next(opt for opt in o["optimizers"] if opt["name"] == "adam")
    assert {p["name"] for p in adam["params"]} >= {"beta1", "beta2"}
    assert names("regularizations") == ["none", "l1", "l2"]
    assert "xavier_uniform" in names("initializers")
    assert names("schedules")[0] == "constant"
    spiral_k = next(d for d in o["datasets"] if d["name"] == "spiral_k")
    assert spiral_k["problem"] == "multiclass" and spiral_k["classes"] == [2, 6]
    from app import create_app  # the defaults (the test app lifts max_step_ms, see conftest)

    assert create_app().test_client().get("/api/options").get_json()["limits"] == {
        "max_hidden_layers": 8, "max_neurons": 64, "max_batch": 512, "max_points": 5000,
        "classes": [2, 6], "max_grid": 400, "max_neuron_grid": 50,
        "max_body_bytes": 2 * 1024 * 1024, "max_sessions": 200, "idle_timeout_s": 1800,
        "evict_idle_s": 300, "max_step_ms": 250, "max_step_epochs": 100000,
        "max_step_batches": 10000000, "max_weight": 100.0, "history_rows": 4000,
        "max_landscape_sessions": 6, "max_landscape_resolution": 101,
        "max_landscape_work": 1_000_000_000, "max_slice_work": 2_000_000_000,
        "memory_budget_bytes": 2 * 1024**3, "session_memory_bytes": 128 * 1024**2,
        "client_sessions": 16, "client_memory_bytes": 512 * 1024**2,
        "max_snapshot_bytes": 64 * 1024**2}
    assert o["snapshot_defaults"]["resolution"] == 100
    circle = next(d for d in o["datasets"] if d["name"] == "circle")
    assert len(circle["preview"]) == 200
    # noise-free circle: the inner disc (r ≤ 2.5) is class 1, the ring (r ≥ 3.5) class 0
    assert all((x * x + y * y < 9) == (label == 1) for x, y, label in circle["preview"])
    x1_sq = next(f for f in o["features"] if f["name"] == "x1_sq")["preview"]
    assert x1_sq["shape"] == [25, 25] and x1_sq["min"] == 0.0 and x1_sq["max"] == 36.0
    assert "learning_rate" in o["live_fields"] and "seed" not in o["live_fields"]


def test_limits_are_configurable_per_app_and_served():
    from app import create_app

    app = create_app({"MAX_SESSIONS": 5, "MAX_NEURONS": 8, "MAX_HIDDEN_LAYERS": 3})
    client = app.test_client()
    limits = client.get("/api/options").get_json()["limits"]
    assert (limits["max_sessions"], limits["max_neurons"], limits["max_hidden_layers"]) == (5, 8, 3)
    r = client.post("/api/sessions", json={"hidden_layers": [9]})
    assert r.status_code == 422 and r.get_json()["error"]["allowed"] == [1, 8]
    r = client.post("/api/sessions", json={"hidden_layers": [1, 1, 1, 1]})
    assert r.status_code == 422 and r.get_json()["error"]["allowed"] == [0, 3]


# --------------------------------------------------------------------------- create
def test_create_with_defaults_returns_config_data_and_snapshot(client):
    r = client.post("/api/sessions", json={})
    assert r.status_code == 201
    body = r.get_json()
    assert r.headers["Location"] == f"/api/sessions/{body['id']}"
    assert len(body["id"]) >= 22  # ≥ 128 bits of base64url
    assert body["config"] == DEFAULTS
    data = body["data"]
    assert data["problem"] == "binary" and data["n_classes"] == 2
    assert len(data["train"]) == 250 and len(data["test"]) == 250
    # The points are exactly nn_core's circle with data_seed 1, split with the same seed.
    ds = datasets.make_dataset("circle", 500, 0.0, seed=1)
    X_tr, y_tr, _, _ = datasets.train_test_split(ds.points, ds.labels, 0.5, seed=1)
    assert np.array_equal(np.array(data["train"])[:, :2], X_tr)
    assert [row[2] for row in data["train"]] == y_tr.tolist()
    snap = body["snapshot"]
    assert snap["epoch"] == 0 and snap["steps"] == 0 and snap["status"] == "ok"
    assert snap["history"]["epoch"] == [0]
    assert 0.6 < snap["metrics"]["train_loss"] < 0.8  # ≈ ln 2 for an untrained sigmoid net
    assert [layer["W"]["shape"] for layer in snap["weights"]] == [[2, 4], [4, 2], [2, 1]]


def test_empty_body_means_defaults(client):
    r = client.post("/api/sessions", data=b"", content_type="application/json")
    assert r.status_code == 201
    assert r.get_json()["config"] == DEFAULTS


@pytest.mark.parametrize("dataset, problem, n_points, n_classes, output, loss", [
    ("xor", "binary", 500, 2, "sigmoid", "bce"),
    ("spiral_k", "multiclass", 500, 3, "softmax", "softmax_ce"),
    ("plane", "regression", 1200, None, "linear", "mse"),
])
def test_problem_follows_the_dataset(make_session, dataset, problem, n_points, n_classes,
                                     output, loss):
    config = make_session(dataset=dataset)["config"]
    assert (config["problem"], config["n_points"], config["n_classes"],
            config["output_activation"], config["loss"]) == (
        problem, n_points, n_classes, output, loss)


def test_multiclass_network_has_one_output_per_class(make_session):
    body = make_session(dataset="blobs", n_classes=5, snapshot={"grid": False})
    assert body["snapshot"]["weights"][-1]["W"]["shape"] == [2, 5]
    assert {row[2] for row in body["data"]["train"]} == {0, 1, 2, 3, 4}


@pytest.mark.parametrize("given, output, loss", [
    ({"output_activation": "tanh"}, "tanh", "mse"),      # TensorFlow Playground's pairing, ±1 labels
    ({"loss": "hinge"}, "linear", "hinge"),
    ({"output_activation": "sigmoid", "loss": "mse"}, "sigmoid", "mse"),
])
def test_left_out_output_or_loss_is_filled_in_to_fit(make_session, given, output, loss):
    config = make_session(**given)["config"]
    assert (config["output_activation"], config["loss"]) == (output, loss)


def test_binary_data_may_be_treated_as_regression(make_session):
    config = make_session(dataset="circle", problem="regression")["config"]
    assert (config["problem"], config["loss"], config["output_activation"]) == (
        "regression", "mse", "linear")


def test_features_come_back_in_the_engine_order(make_session):
    config = make_session(features=["sin_x1", "x1", "x1"])["config"]
    assert config["features"] == ["x1", "sin_x1"]


def test_optimizer_params_are_completed_with_defaults(make_session):
    config = make_session(optimizer="adam", optimizer_params={"beta1": 0.8})["config"]
    assert config["optimizer_params"]["beta1"] == 0.8
    assert config["optimizer_params"]["beta2"] == 0.999


def test_same_config_reproduces_the_same_session(make_session):
    a = make_session(seed=7, data_seed=9, snapshot={"grid": False})
    b = make_session(seed=7, data_seed=9, snapshot={"grid": False})
    assert a["data"] == b["data"]
    assert a["snapshot"]["weights"] == b["snapshot"]["weights"]
    c = make_session(seed=8, data_seed=9, snapshot={"grid": False})
    assert c["snapshot"]["weights"] != a["snapshot"]["weights"]


@pytest.mark.parametrize("body, field, allowed", [
    ({"dataset": "moon"}, "dataset", None),
    ({"activation": "softmax"}, "activation", None),
    ({"hidden_layers": [4] * 9}, "hidden_layers", [0, 8]),
    ({"hidden_layers": [65]}, "hidden_layers[0]", [1, 64]),
    ({"hidden_layers": [0]}, "hidden_layers[0]", [1, 64]),
    ({"batch_size": 513}, "batch_size", [1, 512]),
    ({"n_points": 5001}, "n_points", [10, 5000]),
    ({"n_classes": 7, "dataset": "spiral_k"}, "n_classes", [2, 6]),
    ({"n_classes": 3}, "n_classes", [2, 2]),
    ({"learning_rate": 50}, "learning_rate", [1e-05, 10.0]),
    ({"noise": 0.6}, "noise", [0.0, 0.5]),
    ({"train_ratio": 0.95}, "train_ratio", [0.1, 0.9]),
    ({"features": []}, "features", None),
    ({"features": ["x3"]}, "features", None),
    ({"optimizer_params": {"momentum": 0.5}}, "optimizer_params.momentum", []),
    ({"optimizer": "momentum", "optimizer_params": {"momentum": 2}},
     "optimizer_params.momentum", [0.0, 0.999]),
    ({"problem": "regression", "dataset": "spiral_k"}, "problem", ["multiclass"]),
    ({"loss": "softmax_ce"}, "loss", ["mse", "bce", "hinge"]),          # binary circle data
    ({"loss": "bce", "output_activation": "tanh"}, "output_activation", ["sigmoid"]),
    ({"layer_activations": ["relu"]}, "layer_activations", [2, 2]),
    ({"lerning_rate": 0.1}, "lerning_rate", None),
    ({"dataset": "custom"}, "dataset", None),
    ({"seed": -1}, "seed", [0, 2**53 - 1]),
    ({"seed": 1.5}, "seed", [0, 2**53 - 1]),
])
def test_bad_values_are_422_naming_the_field(client, error_of, body, field, allowed):
    error = error_of(client.post("/api/sessions", json=body), 422)
    assert error["field"] == field
    if allowed is not None:
        assert error["allowed"] == allowed
    else:
        assert error["allowed"]  # names or a range: never empty


@pytest.mark.parametrize("body, field", [
    ({"learning_rate": "fast"}, "learning_rate"),
    ({"hidden_layers": 4}, "hidden_layers"),
    ({"hidden_layers": ["4"]}, "hidden_layers[0]"),
    ({"features": "x1"}, "features"),
    ({"dataset": 3}, "dataset"),
    ({"batch_size": True}, "batch_size"),
    ({"optimizer_params": []}, "optimizer_params"),
    ({"optimizer": "adam", "optimizer_params": {"beta1": "x"}}, "optimizer_params.beta1"),
    ({"snapshot": []}, "snapshot"),
    ({"snapshot": {"grid": "yes"}}, "snapshot.grid"),
])
def test_wrong_types_are_400_naming_the_field(client, error_of, body, field):
    assert error_of(client.post("/api/sessions", json=body), 400)["field"] == field


# --------------------------------------------------------------------------- get / delete
def test_get_returns_config_and_snapshot_and_query_options(client, make_session):
    sid = make_session()["id"]
    r = client.get(f"/api/sessions/{sid}?grid=0&weights=false&history_since=1")
    assert r.status_code == 200
    body = r.get_json()
    assert body["config"] == DEFAULTS and "data" not in body
    assert "grid" not in body["snapshot"] and "weights" not in body["snapshot"]
    assert body["snapshot"]["history"]["epoch"] == []
    r = client.get(f"/api/sessions/{sid}?resolution=10&neurons=0&data=1&bounds=-1,1,-2,2")
    body = r.get_json()
    assert len(body["data"]["train"]) == 250
    grid = body["snapshot"]["grid"]
    assert grid["bounds"] == [-1, 1, -2, 2] and grid["output"]["shape"] == [10, 10, 1]
    assert "neurons" not in grid


def test_get_with_bad_query_option_is_an_error(client, error_of, make_session):
    sid = make_session()["id"]
    assert error_of(client.get(f"/api/sessions/{sid}?resolution=401"), 422)["allowed"] == [2, 400]
    assert error_of(client.get(f"/api/sessions/{sid}?colour=1"), 422)["field"] == "snapshot.colour"
    assert error_of(client.get(f"/api/sessions/{sid}?bounds=1,0,0,1"), 422)["field"] == "snapshot.bounds"


@pytest.mark.parametrize("word, included", [("1", True), ("TRUE", True), ("0", False),
                                             ("false", False)])
def test_data_in_the_query_is_yes_or_no(client, make_session, word, included):
    sid = make_session()["id"]
    assert ("data" in client.get(f"/api/sessions/{sid}?grid=0&data={word}").get_json()) == included


@pytest.mark.parametrize("query, field", [("data=abc", "data"), ("data=yes", "data"),
                                          ("data=", "data"), ("weights=on", "snapshot.weights")])
def test_a_yes_no_query_value_takes_only_true_false_1_or_0(client, error_of, make_session,
                                                           query, field):
    sid = make_session()["id"]
    error = error_of(client.get(f"/api/sessions/{sid}?{query}"), 400)
    assert error["field"] == field and error["allowed"] == ["true", "1", "false", "0"]


def test_delete_then_gone(client, error_of, make_session):
    sid = make_session()["id"]
    r = client.delete(f"/api/sessions/{sid}")
    assert r.status_code == 204 and r.data == b""
    assert error_of(client.get(f"/api/sessions/{sid}"), 404)["field"] == "id"
    error_of(client.delete(f"/api/sessions/{sid}"), 404)


@pytest.mark.parametrize("method, path", [
    ("get", "/api/sessions/nope"), ("patch", "/api/sessions/nope"),
    ("post", "/api/sessions/nope/step"), ("post", "/api/sessions/nope/reset"),
    ("patch", "/api/sessions/nope/weights"), ("post", "/api/sessions/nope/data"),
    ("get", "/api/sessions/nope/data"), ("get", "/api/sessions/nope/data.csv"),
    ("get", "/api/sessions/nope/model"),
    ("delete", "/api/sessions/nope"),
])
def test_unknown_session_is_404_everywhere(client, error_of, method, path):
    error_of(getattr(client, method)(path, json={}), 404)


# --------------------------------------------------------------------------- patch
def test_live_change_keeps_weights_and_history(client, make_session):
    sid = make_session()["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 3, "snapshot": {"grid": False}})
    before = client.get(f"/api/sessions/{sid}?grid=0").get_json()["snapshot"]
    r = client.patch(f"/api/sessions/{sid}", json={
        "learning_rate": 0.1, "batch_size": 20, "regularization": "l2", "reg_rate": 0.01,
        "optimizer": "momentum", "snapshot": {"grid": False}})
    assert r.status_code == 200
    body = r.get_json()
    assert body["reinitialized"] is False and body["rebuilt"] == []
    assert "data" not in body
    assert body["config"]["learning_rate"] == 0.1 and body["config"]["batch_size"] == 20
    assert body["config"]["optimizer_params"] == {"momentum": 0.9}
    snap = body["snapshot"]
    assert snap["epoch"] == 3 and snap["history"]["epoch"] == [0, 1, 2, 3]
    assert snap["weights"] == before["weights"]
    assert snap["learning_rate"] == 0.1
    assert snap["metrics"]["reg_loss"] > 0  # the penalty is reported, apart from the data loss
    assert snap["metrics"]["train_loss"] == before["metrics"]["train_loss"]


def test_optimizer_params_patch_merges_into_current(client, make_session):
    sid = make_session(optimizer="adam")["id"]
    r = client.patch(f"/api/sessions/{sid}", json={"optimizer_params": {"beta1": 0.5}})
    params = r.get_json()["config"]["optimizer_params"]
    assert params["beta1"] == 0.5 and params["beta2"] == 0.999
    r = client.patch(f"/api/sessions/{sid}", json={"optimizer": "momentum"})
    assert r.get_json()["config"]["optimizer_params"] == {"momentum": 0.9}


def test_structural_change_rebuilds_and_says_so(client, make_session):
    sid = make_session()["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 2, "snapshot": {"grid": False}})
    r = client.patch(f"/api/sessions/{sid}", json={"hidden_layers": [3], "snapshot": {"grid": False}})
    body = r.get_json()
    assert body["reinitialized"] is True and body["rebuilt"] == ["network", "training"]
    assert body["snapshot"]["epoch"] == 0
    assert [layer["W"]["shape"] for layer in body["snapshot"]["weights"]] == [[2, 3], [3, 1]]
    assert "data" not in body


def test_data_change_rebuilds_data_and_rederives_problem(client, make_session):
    sid = make_session()["id"]
    body = client.patch(f"/api/sessions/{sid}", json={"dataset": "xor"}).get_json()
    assert body["reinitialized"] is True and body["rebuilt"] == ["data", "training"]
    assert body["config"]["problem"] == "binary"
    body = client.patch(f"/api/sessions/{sid}", json={"dataset": "plane"}).get_json()
    assert body["rebuilt"] == ["data", "network", "training"]
    assert body["config"]["problem"] == "regression" and body["config"]["loss"] == "mse"
    assert body["config"]["n_points"] == 1200 and body["config"]["n_classes"] is None
    assert len(body["data"]["train"]) == 600
    assert "train_rmse" in body["snapshot"]["metrics"]
    # Back to classification: n_points and problem follow the dataset again.
    body = client.patch(f"/api/sessions/{sid}", json={"dataset": "spiral_k", "n_classes": 4}).get_json()
    assert body["rebuilt"] == ["data", "network", "training"]
    assert (body["config"]["problem"], body["config"]["n_points"]) == ("multiclass", 500)


def test_same_seed_rebuild_restores_the_same_initial_weights(client, make_session):
    first = make_session(snapshot={"grid": False})
    sid = first["id"]
    client.patch(f"/api/sessions/{sid}", json={"hidden_layers": [3]})
    r = client.patch(f"/api/sessions/{sid}", json={"hidden_layers": [4, 2],
                                                   "snapshot": {"grid": False}})
    assert r.get_json()["snapshot"]["weights"] == first["snapshot"]["weights"]


def test_layer_activations_follow_added_layers(client, make_session):
    sid = make_session(layer_activations=["relu", "tanh"])["id"]
    config = client.patch(f"/api/sessions/{sid}", json={"hidden_layers": [4, 2, 3]}).get_json()["config"]
    assert config["layer_activations"] == ["relu", "tanh", "tanh"]


def test_bad_patch_changes_nothing(client, error_of, make_session):
    sid = make_session()["id"]
    error_of(client.patch(f"/api/sessions/{sid}", json={"learning_rate": 0.5, "batch_size": 0}), 422)
    config = client.get(f"/api/sessions/{sid}?grid=0").get_json()["config"]
    assert config == DEFAULTS


def test_noop_patch(client, make_session):
    sid = make_session()["id"]
    body = client.patch(f"/api/sessions/{sid}", json={}).get_json()
    assert body["reinitialized"] is False and body["config"] == DEFAULTS
