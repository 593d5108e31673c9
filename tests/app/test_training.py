"""Stepping, snapshots and their encodings, reset, weight editing, divergence."""

import base64
import json

import numpy as np
import pytest

from app.session.arrays import decode, encode_u8
from nn_core import Network, Trainer, datasets, evaluate_grid, features

from .conftest import BARE


def step(client, sid, **body):
    r = client.post(f"/api/sessions/{sid}/step", json=body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["snapshot"]


def reference_trainer(epochs=0):
    """The default session rebuilt directly with nn_core, trained for `epochs`."""
    ds = datasets.make_dataset("circle", 500, 0.0, seed=1)
    X_tr, y_tr, X_te, y_te = datasets.train_test_split(ds.points, ds.labels, 0.5, seed=1)
    net = Network([2, 4, 2, 1], activation="tanh", output_activation="sigmoid", loss="bce",
                  init="xavier_uniform", seed=1, problem="binary")
    trainer = Trainer(net, features.transform(X_tr, ["x1", "x2"]), y_tr,
                      features.transform(X_te, ["x1", "x2"]), y_te, learning_rate=0.03,
                      batch_size=10)
    trainer.run(epochs)
    return trainer


# --------------------------------------------------------------------------- step
def test_step_one_epoch_matches_nn_core_exactly(client, make_session):
    sid = make_session()["id"]
    snap = step(client, sid, epochs=1)
    assert snap["done"]["epochs"] == 1 and snap["done"]["batches"] == 25
    assert snap["done"]["stopped_early"] is False
    assert snap["epoch"] == 1 and snap["steps"] == 25
    ref = reference_trainer(1)
    assert snap["metrics"]["train_loss"] == ref.metrics()["train_loss"]
    for layer, (W, b) in zip(snap["weights"], ref.net.get_params()):
        assert np.array_equal(decode(layer["W"]), W.astype(np.float32))
        assert np.array_equal(decode(layer["b"]), b.astype(np.float32))
    assert snap["history"]["epoch"] == [0, 1]
    assert len(snap["history"]["grad_norms"][1]) == 3


def test_step_batches_and_default_body(client, make_session):
    sid = make_session()["id"]
    snap = step(client, sid, batches=7)
    assert snap["done"] == {**snap["done"], "epochs": 0, "batches": 7, "stopped_early": False}
    assert snap["steps"] == 7 and snap["epoch"] == 0
    snap = step(client, sid)  # {} means one epoch: the 18 remaining batches of the first epoch
    assert snap["epoch"] == 1 and snap["done"]["batches"] == 18


def test_time_limit_stops_early_and_reports_it(client, make_session):
    sid = make_session()["id"]
    snap = step(client, sid, epochs=100000, max_ms=5, snapshot={"grid": False})
    done = snap["done"]
    assert done["stopped_early"] is True
    # 100,000 epochs would take minutes: stopping after a few ms is the time limit at work.
    assert 1 <= done["batches"] and done["epochs"] < 100000 and done["elapsed_ms"] > 0
    assert snap["steps"] == done["batches"]


def test_turbo_request_returns_a_fresh_grid(client, make_session):
    sid = make_session()["id"]
    first = step(client, sid, epochs=1)
    turbo = step(client, sid, epochs=1000, max_ms=16)
    # At least one minibatch always (how many fit in 16 ms depends on the machine).
    assert turbo["done"]["batches"] >= 1 and turbo["done"]["stopped_early"]
    assert turbo["grid"]["output"]["data"] != first["grid"]["output"]["data"]


@pytest.mark.parametrize("body, status, field", [
    ({"epochs": 1, "batches": 1}, 422, "epochs"),
    ({"epochs": -1}, 422, "epochs"),
    ({"epochs": 100001}, 422, "epochs"),
    ({"epochs": 1.5}, 422, "epochs"),
    ({"epochs": "1"}, 400, "epochs"),
    ({"batches": None}, 400, "batches"),
    ({"max_ms": 0}, 422, "max_ms"),
    ({"max_ms": 60_001}, 422, "max_ms"),  # the test app's MAX_STEP_MS (conftest)
    ({"speed": 2}, 422, "speed"),
    ({"snapshot": {"resolution": 401}}, 422, "snapshot.resolution"),
    ({"snapshot": {"neuron_resolution": 51}}, 422, "snapshot.neuron_resolution"),
    ({"snapshot": {"encoding": "png"}}, 422, "snapshot.encoding"),
    ({"snapshot": {"bounds": [0, 1, 2]}}, 400, "snapshot.bounds"),
    ({"snapshot": {"history_since": -1}}, 422, "snapshot.history_since"),
])
def test_bad_step_bodies(client, make_session, error_of, body, status, field):
    sid = make_session()["id"]
    assert error_of(client.post(f"/api/sessions/{sid}/step", json=body), status)["field"] == field


def test_zero_epochs_is_a_plain_snapshot(client, make_session):
    sid = make_session()["id"]
    snap = step(client, sid, epochs=0)
    assert snap["done"]["batches"] == 0 and snap["epoch"] == 0


# --------------------------------------------------------------------------- snapshot format
def test_default_snapshot_grid_matches_evaluate_grid_and_fits_the_budget(client, make_session):
    sid = make_session()["id"]
    r = client.post(f"/api/sessions/{sid}/step", json={"epochs": 1})
    assert len(r.data) <= 80 * 1024
    snap = r.get_json()["snapshot"]
    grid = snap["grid"]
    assert grid["bounds"] == [-6, 6, -6, 6] and grid["resolution"] == 100
    assert grid["neuron_resolution"] == 25
    ref = evaluate_grid(reference_trainer(1).net, ["x1", "x2"], resolution=100,
                        neuron_resolution=25)
    out = grid["output"]
    assert out["dtype"] == "float32" and out["shape"] == [100, 100, 1]
    assert np.array_equal(decode(out), ref.output)
    assert [n["shape"] for n in grid["neurons"]] == [[25, 25, 4], [25, 25, 2]]
    for encoded, expected in zip(grid["neurons"], ref.neurons):
        assert encoded["dtype"] == "uint8"
        step_size = (encoded["max"] - encoded["min"]) / 255
        assert np.max(np.abs(decode(encoded) - expected)) <= step_size / 2 + 1e-6
    assert grid["inputs"]["shape"] == [25, 25, 2] and grid["output_small"]["shape"] == [25, 25, 1]
    # the input map x1 runs along columns, x2 along rows, from the low bound to the high one
    inputs = decode(grid["inputs"])
    assert inputs[0, 0, 0] == pytest.approx(-6, abs=0.03) and inputs[0, -1, 0] == pytest.approx(6, abs=0.03)
    assert inputs[-1, 0, 1] == pytest.approx(6, abs=0.03)
    for key in ("train_ms", "grid_ms", "snapshot_ms", "total_ms"):
        assert snap["timing"][key] >= 0
    w = snap["weights"][0]
    assert w["dW"]["shape"] == [2, 4] and w["db"]["shape"] == [4]
    assert w["grad_norm"] == pytest.approx(snap["metrics"]["grad_norms"][0])


def test_snapshot_options_trim_and_reencode(client, make_session):
    sid = make_session()["id"]
    snap = step(client, sid, epochs=0, snapshot={
        "grid": True, "resolution": 40, "neurons": False, "encoding": "u8", "weights": False,
        "history": False})
    assert set(snap) >= {"epoch", "metrics", "grid", "timing"}
    assert "weights" not in snap and "history" not in snap
    assert snap["grid"]["output"]["dtype"] == "uint8" and snap["grid"]["output"]["shape"] == [40, 40, 1]
    assert "neurons" not in snap["grid"]
    snap = step(client, sid, epochs=0, snapshot={"neuron_encoding": "f32", "neuron_resolution": 10,
                                                 "resolution": 20})
    assert snap["grid"]["neurons"][0]["dtype"] == "float32"
    assert snap["grid"]["neurons"][0]["shape"] == [10, 10, 4]


def test_history_since_sends_only_new_epochs(client, make_session):
    sid = make_session()["id"]
    step(client, sid, epochs=5, snapshot={"grid": False})
    snap = step(client, sid, epochs=2, snapshot={"grid": False, "history_since": 6})
    assert snap["history"]["epoch"] == [6, 7] and snap["history"]["since"] == 6
    assert len(snap["history"]["train_loss"]) == 2


def test_u8_encoding_round_trip_and_edge_cases():
    a = np.linspace(-1, 3, 12, dtype=np.float32).reshape(3, 4)
    enc = encode_u8(a)
    assert (enc["min"], enc["max"]) == (-1.0, 3.0)
    assert np.max(np.abs(decode(enc) - a)) <= 4 / 255 / 2 + 1e-6
    raw = base64.b64decode(enc["data"])
    assert raw[0] == 0 and raw[-1] == 255
    flat = encode_u8(np.full((2, 2), 0.5, dtype=np.float32))
    assert flat["min"] == flat["max"] == 0.5 and np.all(decode(flat) == 0.5)
    bad = encode_u8(np.array([np.nan, 1.0, 2.0, np.inf], dtype=np.float32))
    assert (bad["min"], bad["max"]) == (1.0, 2.0)
    assert list(base64.b64decode(bad["data"])) == [0, 0, 255, 0]
    json.dumps(encode_u8(np.array([np.nan], dtype=np.float32)), allow_nan=False)


# --------------------------------------------------------------------------- reset
def test_reset_restores_identical_initial_weights_and_clears_history(client, make_session):
    first = make_session(snapshot={"grid": False})
    sid = first["id"]
    step(client, sid, epochs=5, snapshot={"grid": False})
    r = client.post(f"/api/sessions/{sid}/reset", json={"reseed": False, "snapshot": {"grid": False}})
    body = r.get_json()
    snap = body["snapshot"]
    assert snap["epoch"] == 0 and snap["steps"] == 0 and snap["history"]["epoch"] == [0]
    assert snap["weights"][0]["W"] == first["snapshot"]["weights"][0]["W"]
    assert body["config"]["seed"] == 1
    # and training again gives the same result as the first time
    assert step(client, sid, epochs=2, snapshot={"grid": False})["metrics"]["train_loss"] == \
        reference_trainer(2).metrics()["train_loss"]


def test_reset_with_reseed_draws_new_weights_and_reports_the_seed(client, make_session):
    first = make_session(snapshot={"grid": False})
    sid = first["id"]
    body = client.post(f"/api/sessions/{sid}/reset", json={"reseed": True,
                                                           "snapshot": {"grid": False}}).get_json()
    seed = body["config"]["seed"]
    assert seed != 1
    assert body["snapshot"]["weights"][0]["W"] != first["snapshot"]["weights"][0]["W"]
    # the config reproduces the new weights in a new session
    again = make_session(seed=seed, snapshot={"grid": False})
    assert again["snapshot"]["weights"] == body["snapshot"]["weights"]


def test_reset_errors(client, make_session, error_of):
    sid = make_session()["id"]
    assert error_of(client.post(f"/api/sessions/{sid}/reset", json={"reseed": 1}), 400)["field"] == "reseed"
    assert error_of(client.post(f"/api/sessions/{sid}/reset", json={"seed": 1}), 422)["field"] == "seed"


# --------------------------------------------------------------------------- weights
def test_set_weight_and_bias_live(client, make_session):
    sid = make_session()["id"]
    step(client, sid, epochs=1, snapshot={"grid": False})
    r = client.patch(f"/api/sessions/{sid}/weights",
                     json={"layer": 1, "from": 3, "to": 1, "value": 0.75, "snapshot": {"grid": False}})
    assert r.status_code == 200
    snap = r.get_json()["snapshot"]
    W = decode(snap["weights"][1]["W"])
    assert W[3, 1] == np.float32(0.75)
    assert snap["epoch"] == 1 and snap["history"]["epoch"] == [0, 1]
    r = client.patch(f"/api/sessions/{sid}/weights",
                     json={"layer": 2, "param": "b", "to": 0, "value": -2.5, "snapshot": {"grid": False}})
    snap = r.get_json()["snapshot"]
    assert decode(snap["weights"][2]["b"])[0] == np.float32(-2.5)
    # the metrics describe the edited network: a huge output bias makes everything class 0
    r = client.patch(f"/api/sessions/{sid}/weights",
                     json={"layer": 2, "param": "b", "to": 0, "value": -100, "snapshot": {"grid": False}})
    metrics = r.get_json()["snapshot"]["metrics"]
    assert metrics["train_accuracy"] == pytest.approx(
        np.mean(np.array([row[2] for row in make_session()["data"]["train"]]) == 0))


@pytest.mark.parametrize("body, status, field, allowed", [
    ({"layer": 3, "from": 0, "to": 0, "value": 1}, 422, "layer", [0, 2]),
    ({"layer": 0, "from": 2, "to": 0, "value": 1}, 422, "from", [0, 1]),
    ({"layer": 0, "from": 0, "to": 4, "value": 1}, 422, "to", [0, 3]),
    ({"layer": 0, "to": 0, "value": 1}, 422, "from", [0, 1]),
    ({"layer": 0, "param": "b", "from": 0, "to": 0, "value": 1}, 422, "from", None),
    ({"layer": 0, "from": 0, "to": 0, "value": 101}, 422, "value", [-100.0, 100.0]),
    ({"layer": 0, "from": 0, "to": 0, "value": "1"}, 400, "value", "a number"),
    ({"layer": "0", "from": 0, "to": 0, "value": 1}, 400, "layer", [0, 2]),
    ({"layer": 0, "from": 0, "value": 1}, 422, "to", None),
    ({"layer": 0, "from": 0, "to": 0, "value": 1, "param": "z"}, 422, "param", ["W", "b"]),
])
def test_bad_weight_edits(client, make_session, error_of, body, status, field, allowed):
    sid = make_session()["id"]
    error = error_of(client.patch(f"/api/sessions/{sid}/weights", json=body), status)
    assert error["field"] == field
    assert error["allowed"] == allowed


# --------------------------------------------------------------------------- divergence
def test_divergence_is_reported_and_reset_recovers(client, make_session):
    # Learning rate 10, plain SGD, a deep sigmoid network on TF Playground's regression plane.
    sid = make_session(hidden_layers=[8, 8, 8, 8], activation="sigmoid", learning_rate=10,
                       dataset="plane")["id"]
    snap = step(client, sid, epochs=200, snapshot={"resolution": 20})
    assert snap["status"] == "diverged"
    assert "learning rate" in snap["reason"] and "epoch" in snap["reason"]
    assert snap["done"]["stopped_early"] is True
    # stopped when the loss went non-finite (it travels as null) or a weight passed float32's
    # range — where in the epoch that happens depends on how the request's time was sliced, so the
    # last recorded loss may be from before the blow-up; the reason says at which epoch it was
    loss = snap["metrics"]["train_loss"]
    assert loss is None or "beyond what can be drawn" in snap["reason"]
    assert f"at epoch {snap['epoch']}" in snap["reason"]
    # still answers, and a diverged session does no more work
    again = step(client, sid, epochs=5, snapshot={"resolution": 20})
    assert again["status"] == "diverged" and again["done"]["batches"] == 0
    assert client.get(f"/api/sessions/{sid}").status_code == 200
    assert client.get(f"/api/sessions/{sid}/model").status_code == 200
    body = client.post(f"/api/sessions/{sid}/reset", json={}).get_json()
    assert body["snapshot"]["status"] == "ok" and body["snapshot"]["reason"] is None
    client.patch(f"/api/sessions/{sid}", json={"learning_rate": 0.01})
    snap = step(client, sid, epochs=3, snapshot={"grid": False})
    assert snap["status"] == "ok" and snap["metrics"]["train_loss"] < 10


def test_a_dead_network_is_explained_in_the_snapshot_and_a_healthy_one_is_not(client, make_session):
    """The issue's example: two moons, ReLU, 4-2-2, seed 1 trains at chance with a flat output;
    its third hidden layer outputs 0 for every point. From epoch 5 the snapshot says so."""
    sid = make_session(dataset="moons", activation="relu", hidden_layers=[4, 2, 2], seed=1)["id"]
    assert step(client, sid, epochs=4, snapshot=BARE)["hints"] == []
    (hint,) = step(client, sid, epochs=1, snapshot=BARE)["hints"]
    assert hint["kind"] == "dead_network" and hint["cause"] == "silent_layer"
    assert hint["layers"] == [2] and hint["since"] == 0 and hint["epochs"] == 5
    assert "hidden layer 3 (ReLU)" in hint["message"]
    assert {f["field"]: f["value"] for f in hint["fixes"]} == {"activation": "leaky_relu", "seed": None}
    # the fix it names works: leaky ReLU (a rebuild: the count starts again) learns
    client.patch(f"/api/sessions/{sid}", json={"activation": "leaky_relu", "snapshot": BARE})
    snap = step(client, sid, epochs=30, snapshot=BARE)
    assert snap["hints"] == [] and snap["metrics"]["train_accuracy"] > 0.8
    # a healthy run never gets one
    sid = make_session(dataset="moons", activation="relu", hidden_layers=[4, 2], seed=1)["id"]
    assert step(client, sid, epochs=30, snapshot=BARE)["hints"] == []
