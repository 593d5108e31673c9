"""Sessions on the real datasets (digits, iris, wine, breast cancer) end to end: their
configuration, training, the snapshot parts the page draws them with, trace and predict with
their own inputs, fork, landscape, export and import, and every bad input named by its field."""

import csv
import io
import json

import numpy as np
import pytest

from app.session.arrays import decode
from nn_core import DATASETS, features, make_dataset, principal_plane, textbook, train_test_split

from .conftest import BARE, check_error, create, post

REAL = [n for n in DATASETS if DATASETS.info(n)["kind"] == "real"]


def session_of(app, sid):
    return app.extensions["sessions"].get(sid)


def data_rows(answer, split):
    rows = np.array(answer["data"][split], dtype=np.float64)
    return rows[:, :-1], rows[:, -1]


# --------------------------------------------------------------------------- configuration
@pytest.mark.parametrize("name", REAL)
def test_a_real_set_takes_its_own_inputs_fixed_settings_and_network(client, name):
    info = DATASETS.info(name)
    body = create(client, dataset=name)
    config = body["config"]
    assert config["features"] is None                      # its columns go in as they are
    assert (config["n_points"], config["noise"], config["n_classes"]) == (
        info["default_points"], 0.0, info["classes"][0])
    for key, value in info["defaults"].items():            # the engine's preset, applied
        assert config[key] == value, key
    # the points: the set's rows split by the engine's rule (train_ratio 0.5, data seed 1)
    ds = make_dataset(name)
    X_train, y_train, X_test, y_test = train_test_split(ds.points, ds.labels, 0.5, 1)
    for split, X, y in (("train", X_train, y_train), ("test", X_test, y_test)):
        rows, labels = data_rows(body, split)
        assert np.array_equal(rows, X) and np.array_equal(labels, y)
    plane = principal_plane(name)
    assert body["data"]["plane"]["mean"] == plane.mean.tolist()
    assert body["data"]["plane"]["bounds"] == list(plane.bounds)
    # the network: every input, then the preset's hidden layers, one output per class
    W = decode(post(client, f"/api/sessions/{body['id']}/step",
                    {"epochs": 0, "snapshot": {"grid": False}})["snapshot"]["weights"][0]["W"])
    assert W.shape == (info["inputs"], info["defaults"]["hidden_layers"][0])


@pytest.mark.parametrize("field, value, allowed", [
    ("noise", 0.1, [0.0, 0.0]),
    ("n_points", 500, [1797, 1797]),
    ("n_classes", 3, [10, 10]),
    ("features", ["x1", "x2"], None),
])
def test_settings_that_do_not_apply_to_a_real_set_are_refused_by_name(client, field, value,
                                                                      allowed):
    error = check_error(client.post("/api/sessions", json={"dataset": "digits", field: value}),
                        422)
    assert error["field"] == field and error["allowed"] == allowed
    sid = create(client, dataset="digits")["id"]
    error = check_error(client.patch(f"/api/sessions/{sid}", json={field: value}), 422)
    assert error["field"] == field
    # their one value is accepted
    if field != "features":
        assert client.patch(f"/api/sessions/{sid}", json={field: allowed[0]}).status_code == 200


def test_picking_a_real_set_applies_its_preset_and_leaving_it_brings_features_back(client):
    sid = create(client, dataset="xor", noise=0.2, features=["x1", "x2", "x1x2"],
                 layer_activations=["relu", "tanh"], optimizer="momentum")["id"]
    config = client.patch(f"/api/sessions/{sid}", json={"dataset": "wine"}).get_json()["config"]
    assert config["features"] is None and config["noise"] == 0.0
    assert config["hidden_layers"] == [8] and config["optimizer"] == "adam"
    assert config["layer_activations"] is None and config["optimizer_params"]["beta1"] == 0.9
    # what the change itself gives wins over the preset
    config = client.patch(f"/api/sessions/{sid}", json={"dataset": "digits",
                                                        "hidden_layers": [16, 8]}).get_json()
    assert config["config"]["hidden_layers"] == [16, 8]
    assert config["config"]["learning_rate"] == 0.01
    # back to a plane set: the plane's features again (and its noise), the network kept
    config = client.patch(f"/api/sessions/{sid}", json={"dataset": "moons"}).get_json()["config"]
    assert config["features"] == ["x1", "x2"] and config["noise"] == 0.0
    assert config["hidden_layers"] == [16, 8]


def test_a_server_with_fewer_points_refuses_a_larger_real_set_by_name(make_app):
    client = make_app(MAX_POINTS=1000).test_client()
    error = check_error(client.post("/api/sessions", json={"dataset": "digits"}), 422)
    assert error["field"] == "dataset" and "digits" not in error["allowed"]
    assert "iris" in error["allowed"] and "circle" in error["allowed"]


# --------------------------------------------------------------------------- training
def test_digits_learn_to_93_percent_in_30_epochs_through_the_api(client):
    sid = create(client, dataset="digits")["id"]   # the page's default seeds: 1 and 1
    snap = post(client, f"/api/sessions/{sid}/step", {"epochs": 30, "snapshot": BARE})["snapshot"]
    assert snap["epoch"] == 30 and snap["status"] == "ok"
    assert snap["metrics"]["test_accuracy"] >= 0.93


def test_snapshot_parts_of_a_real_set(app, client):
    sid = create(client, dataset="iris")["id"]
    post(client, f"/api/sessions/{sid}/step", {"epochs": 5, "snapshot": BARE})
    snap = client.get(f"/api/sessions/{sid}?resolution=20&neuron_resolution=5"
                      "&predictions=1&transformed=0,0,1").get_json()["snapshot"]
    session = session_of(app, sid)
    plane = principal_plane("iris")
    # the output on the principal plane through the mean, over the plane's own square
    grid = snap["grid"]
    assert grid["bounds"] == list(plane.bounds)
    u = np.linspace(plane.bounds[0], plane.bounds[1], 20)
    corner = plane.to_inputs([[u[-1], u[0]]])                    # row 0 (lowest u₂), last column
    expected = session.network.predict_proba(corner)[0]
    np.testing.assert_allclose(decode(grid["output"])[0, -1], expected, rtol=1e-5, atol=1e-6)
    assert decode(grid["inputs"]).shape == (5, 5, 4)             # each input over the plane
    # the predicted class of every test point, as the test confusion matrix counts them
    predicted = snap["predictions"]
    assert list(predicted) == ["test"]
    assert predicted["test"] == session.network.predict(session.trainer._X_test).tolist()
    right = sum(np.array(predicted["test"]) == session.points.test_labels)
    assert right == np.trace(np.array(snap["confusion"]["test"]))
    # the transformed space: its grid lines lie on the principal plane too
    lines = decode(snap["transformed"]["lines"])
    assert lines.shape == (26, 60, 2)
    first = plane.to_inputs([[plane.bounds[0], plane.bounds[2]]])
    a = session.network.forward(first).a[0][0]
    np.testing.assert_allclose(lines[0, 0], a[[0, 1]], rtol=1e-5)
    # predictions are a classification part: none for regression
    reg = create(client, dataset="breast_cancer", problem="regression")["id"]
    snap = client.get(f"/api/sessions/{reg}?grid=0&predictions=1").get_json()["snapshot"]
    assert "predictions" not in snap


def test_data_of_a_real_set_regenerates_its_split_but_takes_no_points_of_yours(client):
    first = create(client, dataset="wine")
    sid = first["id"]
    body = post(client, f"/api/sessions/{sid}/data", {"action": "regenerate", "data_seed": 7,
                                                      "snapshot": BARE})
    assert body["config"]["data_seed"] == 7 and body["data"]["train"] != first["data"]["train"]
    assert sorted(body["data"]["train"] + body["data"]["test"]) == sorted(
        first["data"]["train"] + first["data"]["test"])
    for request in ({"action": "replace", "points": [[0, 0, 1], [1, 1, 0]]},
                    {"action": "append", "points": [[0, 0, 1]]},
                    {"action": "remove", "indices": [0]},
                    {"action": "remove", "near": [0, 0]}):
        error = check_error(client.post(f"/api/sessions/{sid}/data", json=request), 422)
        assert error["field"] == "action" and error["allowed"] == ["regenerate"]
    text = client.get(f"/api/sessions/{sid}/data.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [*DATASETS.info("wine")["input_names"], "label"]
    got = np.array(rows[1:], dtype=np.float64)
    X, y = data_rows(body, "train")
    assert len(got) == 178 and np.array_equal(got[:len(X), :-1], X)
    assert np.array_equal(got[:len(X), -1], y)


# --------------------------------------------------------------------------- predict
@pytest.mark.parametrize("config, points", [
    ({"dataset": "digits"}, make_dataset("digits").points[[0, 5, 17]].tolist()),
    ({"dataset": "breast_cancer"}, make_dataset("breast_cancer").points[:4].tolist()),
    ({"dataset": "iris", "hidden_layers": [5, 5]}, [[0.0] * 4, [1.5, -2.0, 0.3, 19.5]]),
    ({"dataset": "circle"}, [[0.0, 0.0], [5.5, -6.0]]),
    ({"dataset": "blobs", "features": ["x1", "x2", "sin_x1"]}, [[1.0, 2.0], [-3.0, 0.5]]),
    ({"dataset": "plane"}, [[1.0, 2.0], [-3.0, 0.5]]),
])
def test_predict_gives_the_engines_probabilities_labels_and_values(app, client, config, points):
    sid = create(client, **config)["id"]
    post(client, f"/api/sessions/{sid}/step", {"epochs": 3, "snapshot": BARE})
    answer = post(client, f"/api/sessions/{sid}/predict", {"points": points})
    session = session_of(app, sid)
    net = session.network
    X = features.transform(np.array(points), session.config["features"])
    assert answer["epoch"] == 3
    if net.problem == "regression":
        assert answer["values"] == net.predict(X).tolist() and "probabilities" not in answer
        return
    p = net.predict_proba(X)
    if net.problem == "binary":
        assert [row[1] for row in answer["probabilities"]] == p.tolist()
        assert [row[0] for row in answer["probabilities"]] == (1.0 - p).tolist()
    else:
        assert answer["probabilities"] == p.tolist()
    assert answer["labels"] == net.predict(X).tolist()


@pytest.mark.parametrize("dataset, points, status, field", [
    ("digits", [[0.5] * 63], 422, "points[0]"),
    ("digits", [[0.5] * 64, [0.5] * 5 + [1.25] + [0.5] * 58], 422, "points[1][5]"),
    ("digits", [[0.5] * 64, [0.5] * 5 + [-0.0625] + [0.5] * 58], 422, "points[1][5]"),
    ("digits", [[0.5] * 63 + ["1"]], 400, "points[0][63]"),
    ("digits", [[0.5] * 63 + [True]], 400, "points[0][63]"),
    ("digits", [[0.5] * 63 + ["1e400"]], 422, "points[0][63]"),   # sent as the number
    ("digits", [0.5] * 64, 400, "points[0]"),
    ("digits", [], 422, "points"),
    ("digits", [[0.0] * 64] * 257, 422, "points"),
    ("digits", "0.5", 400, "points"),
    ("iris", [[0.0, 0.0, 0.0, 21.0]], 422, "points[0][3]"),
    ("circle", [[0.0, 6.5]], 422, "points[0][1]"),
    ("circle", [[0.0, 0.0, 0.0]], 422, "points[0]"),
])
def test_bad_points_to_predict_are_refused_naming_the_entry(client, dataset, points, status,
                                                            field):
    sid = create(client, dataset=dataset)["id"]
    text = json.dumps({"points": points}).replace('"1e400"', "1e400")   # beyond float's range
    error = check_error(client.post(f"/api/sessions/{sid}/predict", data=text,
                                    content_type="application/json"), status)
    assert error["field"] == field
    if field == "points[1][5]":
        assert error["allowed"] == [0.0, 1.0] and "pixel (0, 5)" in error["message"]


def test_predict_needs_points_and_a_healthy_network(app, client, error_of):
    sid = create(client, dataset="circle")["id"]
    assert error_of(client.post(f"/api/sessions/{sid}/predict", json={}), 422)["field"] == "points"
    assert error_of(client.post(f"/api/sessions/{sid}/predict",
                                json={"points": [[0, 0]], "x": 1}), 422)["field"] == "x"
    session_of(app, sid).trainer.mark_diverged("weights")
    error = error_of(client.post(f"/api/sessions/{sid}/predict", json={"points": [[0, 0]]}), 422)
    assert error["field"] == "status"


# --------------------------------------------------------------------------- trace
def test_trace_follows_a_digit_with_its_64_inputs(app, client):
    sid = create(client, dataset="digits")["id"]
    post(client, f"/api/sessions/{sid}/step", {"epochs": 2, "snapshot": BARE})
    session = session_of(app, sid)
    t = post(client, f"/api/sessions/{sid}/trace", {"point": {"set": "test", "index": 7}})
    row = session.points.test_points[7]
    assert t["input"]["point"] == row.tolist() == t["input"]["values"]
    assert t["input"]["features"] == DATASETS.info("digits")["input_names"]
    assert t["label"] == int(session.points.test_labels[7])
    assert len(t["layers"][0]["W"]) == 64 and len(t["output"]) == 10
    # a drawn digit: any 64 pixels in [0, 1] with a label, the textbook's numbers
    x = np.linspace(0, 1, 64)
    t = post(client, f"/api/sessions/{sid}/trace", {"x": x.tolist(), "label": 4})
    expected = textbook.trace(session.network, x, 4, session.trainer.learning_rate)
    assert t["loss"] == expected["loss"] and t["output"] == expected["output"].tolist()
    for body, field in (({"x": [0.5] * 65, "label": 1}, "x"),
                        ({"x": [0.5] * 40 + [1.5] + [0.5] * 23, "label": 1}, "x[40]"),
                        ({"x": [0.5] * 64, "label": 10}, "label")):
        assert check_error(client.post(f"/api/sessions/{sid}/trace", json=body),
                           422)["field"] == field


def test_practice_on_a_real_set_takes_its_points_and_names_its_inputs(client):
    sid = create(client, dataset="digits")["id"]
    x = np.linspace(0, 1, 64).tolist()
    answer = post(client, f"/api/sessions/{sid}/practice", {"x": x, "label": 3, "limit": 5})
    assert answer["input"]["point"] == x and answer["label"] == 3
    assert answer["input"]["features"] == DATASETS.info("digits")["input_names"]
    assert answer["exercise"]["layer_sizes"] == [64, 32, 10]
    error = check_error(client.post(f"/api/sessions/{sid}/practice",
                                    json={"x": [0.5] * 63, "label": 3}), 422)
    assert error["field"] == "x"


# --------------------------------------------------------------------------- fork, landscape
def test_a_fork_of_a_real_set_shares_its_points_and_draws_a_landscape(client):
    source = create(client, dataset="digits")
    sid = source["id"]
    post(client, f"/api/sessions/{sid}/step", {"epochs": 2, "snapshot": BARE})
    fork = post(client, f"/api/sessions/{sid}/fork",
                {"overrides": {"learning_rate": 0.003}, "snapshot": BARE}, 201)
    assert fork["same_initial_weights"] and fork["data"] == source["data"]
    assert fork["config"]["features"] is None
    error = check_error(client.post(f"/api/sessions/{sid}/fork",
                                    json={"overrides": {"noise": 0.1}}), 422)
    assert error["field"] == "overrides.noise"
    post(client, f"/api/sessions/{fork['id']}/step", {"epochs": 2, "snapshot": BARE})
    land = post(client, "/api/landscape", {"sessions": [sid, fork["id"]], "resolution": 5})
    assert len(land["loss"]) == 5 and land["trajectories"][1]["epoch"] == [0, 1, 2]
    # 41 × 41 cells of a 64-32-10 network on 898 digits is too much work: the answer says
    # how fine a grid fits
    error = check_error(client.post("/api/landscape", json={"sessions": [sid]}), 422)
    assert error["field"] == "resolution" and 5 <= error["allowed"][1] < 41


# --------------------------------------------------------------------------- export, import
def test_export_of_a_real_set_leaves_its_points_to_the_dataset_and_imports_identically(client):
    sid = create(client, dataset="digits", data_seed=4)["id"]
    post(client, f"/api/sessions/{sid}/step", {"epochs": 2, "snapshot": BARE})
    client.post(f"/api/sessions/{sid}/step", json={"batches": 3, "snapshot": BARE})
    model = client.get(f"/api/sessions/{sid}/model").get_json()
    assert model["points"] is None and model["trainer"]["data"] is None
    imported = post(client, "/api/sessions", {"model": model, "snapshot": BARE}, 201)
    assert imported["data"] == client.get(f"/api/sessions/{sid}/data").get_json()["data"]
    snaps = [post(client, f"/api/sessions/{s}/step",
                  {"epochs": 2, "snapshot": {"grid": False, "history": False}})["snapshot"]
             for s in (sid, imported["id"])]
    assert [w["W"]["data"] for w in snaps[0]["weights"]] == \
        [w["W"]["data"] for w in snaps[1]["weights"]]
    # an export of a real set that carries points, or trainer data, is not one of ours
    for part, value in (("points", {"train_points": {}}), ("data", {"X_train": {}})):
        bad = {**model, "trainer": dict(model["trainer"])}
        if part == "points":
            bad["points"] = value
        else:
            bad["trainer"]["data"] = value
        error = check_error(client.post("/api/sessions", json={"model": bad}), 422)
        assert error["field"] == ("model.points" if part == "points" else "model.trainer.data")


# --------------------------------------------------------------------------- options
def test_options_describe_the_real_sets_and_the_custom_entry_alike(client):
    sets = client.get("/api/options").get_json()["datasets"]
    keys = set(sets[0])
    assert all(set(d) == keys for d in sets)
    custom = sets[-1]
    assert custom["name"] == "custom" and custom["kind"] == "plane" and custom["inputs"] == 2
    digits = next(d for d in sets if d["name"] == "digits")
    images = decode(digits["preview_images"])
    assert images.shape == (9, 8, 8)
    np.testing.assert_allclose(images.reshape(9, 64), make_dataset("digits").points[:9],
                               atol=0.5 / 255)
    assert all(d["preview_images"] is None for d in sets if d["name"] != "digits")
