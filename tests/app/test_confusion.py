"""The snapshot's confusion matrices: present for binary and multi-class sessions with the
session's train/test counts, their diagonal equal to the reported accuracy, computed from the
current weights, absent for regression or when not asked for, and a bad option is refused."""

import numpy as np
import pytest

from nn_core import Network, Trainer, datasets, features

LIGHT = {"grid": False, "weights": False, "history": False}


def post(client, path, body, status=200):
    r = client.post(path, json=body)
    assert r.status_code == status, r.get_json()
    return r.get_json()


def step(client, sid, **body):
    return post(client, f"/api/sessions/{sid}/step", {"snapshot": LIGHT, **body})["snapshot"]


def check(confusion, k, data):
    """Shape, labels, and rows summing to the session's count of each true class."""
    assert confusion["labels"] == list(range(k))
    for split in ("train", "test"):
        matrix = np.array(confusion[split])
        assert matrix.shape == (k, k) and matrix.dtype.kind == "i"
        labels = np.array([row[2] for row in data[split]], dtype=np.int64)
        assert matrix.sum() == len(labels)
        assert matrix.sum(axis=1).tolist() == np.bincount(labels, minlength=k).tolist()
    return np.array(confusion["train"]), np.array(confusion["test"])


@pytest.mark.parametrize("config, k", [
    ({}, 2),                                                 # circle, binary
    ({"dataset": "xor", "n_points": 300, "train_ratio": 0.7}, 2),
    ({"dataset": "spiral_k"}, 3),
    ({"dataset": "blobs", "n_classes": 5, "hidden_layers": [8]}, 5),
    ({"dataset": "circle", "problem": "multiclass"}, 2),     # binary data, softmax over 2
])
def test_confusion_counts_the_points_and_its_diagonal_is_the_accuracy(client, config, k):
    created = post(client, "/api/sessions", {**config, "snapshot": LIGHT}, 201)
    sid, data = created["id"], created["data"]
    check(created["snapshot"]["confusion"], k, data)          # at epoch 0 too
    snap = step(client, sid, epochs=3)
    assert snap["epoch"] == 3
    train, test = check(snap["confusion"], k, data)
    assert np.trace(train) / train.sum() == snap["metrics"]["train_accuracy"]
    assert np.trace(test) / test.sum() == snap["metrics"]["test_accuracy"]


def test_confusion_is_the_engines_on_the_current_weights(client):
    sid = post(client, "/api/sessions", {"dataset": "spiral_k", "snapshot": LIGHT}, 201)["id"]
    # mid-epoch: the weights moved after the last recorded accuracy; the matrices follow them
    snap = step(client, sid, batches=40)
    assert snap["epoch"] == 1 and snap["steps"] == 40
    d = datasets.make_dataset("spiral_k", 500, 0.0, seed=1, n_classes=3)
    X_tr, y_tr, X_te, y_te = datasets.train_test_split(d.points, d.labels, 0.5, seed=1)
    net = Network([2, 4, 2, 3], activation="tanh", problem="multiclass", seed=1)
    ref = Trainer(net, features.transform(X_tr, ["x1", "x2"]), y_tr,
                  features.transform(X_te, ["x1", "x2"]), y_te, learning_rate=0.03, batch_size=10)
    ref.step(40)
    expected = ref.confusion()
    assert snap["confusion"]["train"] == expected["train"].tolist()
    assert snap["confusion"]["test"] == expected["test"].tolist()


def test_an_edited_weight_changes_the_matrices_at_once(client):
    sid = post(client, "/api/sessions", {"snapshot": LIGHT}, 201)["id"]
    step(client, sid, epochs=5)
    # a huge negative output bias: sigmoid ≈ 0 everywhere, so every point is predicted class 0
    r = client.patch(f"/api/sessions/{sid}/weights",
                     json={"layer": 2, "param": "b", "to": 0, "value": -100, "snapshot": LIGHT})
    snap = r.get_json()["snapshot"]
    train = np.array(snap["confusion"]["train"])
    assert train[:, 1].sum() == 0 and train.sum() == 250
    assert np.trace(train) / 250 == snap["metrics"]["train_accuracy"]


@pytest.mark.parametrize("config", [{"dataset": "plane"}, {"dataset": "circle", "problem": "regression"}])
def test_no_confusion_for_regression(client, config):
    created = post(client, "/api/sessions", {**config, "snapshot": LIGHT}, 201)
    assert "confusion" not in created["snapshot"]
    assert "confusion" not in step(client, created["id"], epochs=1)


def test_confusion_false_leaves_it_out_everywhere(client):
    created = post(client, "/api/sessions", {"snapshot": {**LIGHT, "confusion": False}}, 201)
    sid = created["id"]
    assert "confusion" not in created["snapshot"]
    snap = step(client, sid, epochs=1, snapshot={**LIGHT, "confusion": False})
    assert "confusion" not in snap and snap["epoch"] == 1
    assert "confusion" not in client.get(f"/api/sessions/{sid}?confusion=0&grid=0").get_json()["snapshot"]
    assert "confusion" in client.get(f"/api/sessions/{sid}?grid=0").get_json()["snapshot"]


def test_the_option_is_a_default_in_api_options(client):
    assert client.get("/api/options").get_json()["snapshot_defaults"]["confusion"] is True


@pytest.mark.parametrize("value", ["yes", 1, None, [True], {"train": True}])
def test_a_bad_confusion_option_is_a_400(client, error_of, make_session, value):
    sid = make_session()["id"]
    r = client.post(f"/api/sessions/{sid}/step", json={"snapshot": {"confusion": value}})
    assert error_of(r, 400)["field"] == "snapshot.confusion"
    r = client.post("/api/sessions", json={"snapshot": {"confusion": value}})
    assert error_of(r, 400)["field"] == "snapshot.confusion"


def test_a_bad_confusion_query_value_is_a_400(client, error_of, make_session):
    sid = make_session()["id"]
    assert error_of(client.get(f"/api/sessions/{sid}?confusion=maybe"), 400)["field"] == "snapshot.confusion"


def test_default_step_with_confusion_stays_within_budget(client):
    sid = post(client, "/api/sessions", {}, 201)["id"]
    r = client.post(f"/api/sessions/{sid}/step", json={"epochs": 1})
    assert len(r.data) <= 80 * 1024
    snap = r.get_json()["snapshot"]
    assert np.array(snap["confusion"]["train"]).sum() == 250
    assert set(snap) >= {"grid", "weights", "history", "confusion"}
