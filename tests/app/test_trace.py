"""POST /api/sessions/<id>/trace: one point through the forward pass, the loss, backprop and the
update, as plain float64 JSON; "apply" takes exactly the step shown and advances nothing else;
every bad input is a 4xx JSON error naming the field."""

import numpy as np
import pytest

from nn_core import Network, textbook, transform
from nn_core.serialization import decode_array

from .conftest import BARE, check_error, create, post


def trace(client, sid, body, status=200):
    return post(client, f"/api/sessions/{sid}/trace", body, status)


def network_of(client, sid):
    model = client.get(f"/api/sessions/{sid}/model").get_json()
    return Network.from_dict(model["trainer"]["network"]), model


def test_field_shapes_and_the_engines_numbers(client):
    created = create(client)                               # circle, 2 → 4 → 2 → 1, sigmoid + bce
    sid, data = created["id"], created["data"]
    post(client, f"/api/sessions/{sid}/step", {"epochs": 3, "snapshot": BARE})
    t = trace(client, sid, {"point": {"set": "train", "index": 12}})
    x1, x2, label = data["train"][12]
    assert t["input"] == {"point": [x1, x2], "features": ["x1", "x2"], "values": [x1, x2],
                          "set": "train", "index": 12}
    assert t["label"] == label and t["target"] == [float(label)]
    assert t["loss_name"] == "bce" and t["learning_rate"] == 0.03 and t["epoch"] == 3
    assert t["regularization"] == "none" and t["reg_rate"] == 0.0 and t["reg_loss"] == 0.0
    assert "snapshot" not in t and t["applied"] is False
    shapes = [(2, 4), (4, 2), (2, 1)]
    assert [layer["activation"] for layer in t["layers"]] == ["tanh", "tanh", "sigmoid"]
    for layer, (n_in, n_out) in zip(t["layers"], shapes):
        for key in ("W", "dW", "update_W"):
            assert np.array(layer[key]).shape == (n_in, n_out), key
        for key in ("b", "z", "a", "dL_da", "delta", "db", "update_b"):
            assert np.array(layer[key]).shape == (n_out,), key
        assert layer["reg_dW"] is None
        assert all(type(v) is float for row in layer["W"] for v in row)
    # exactly nn_core's textbook trace of the session's network, float64 for float64
    net, _ = network_of(client, sid)
    expected = textbook.trace(net, [x1, x2], label, 0.03)
    assert t["loss"] == expected["loss"] and t["output"] == expected["output"].tolist()
    for layer, step in zip(t["layers"], expected["layers"]):
        for key in ("W", "b", "z", "a", "dL_da", "delta", "dW", "db", "update_W", "update_b"):
            assert layer[key] == step[key].tolist(), key


def test_update_is_minus_learning_rate_times_data_plus_penalty_gradient(client):
    sid = create(client, regularization="l2", reg_rate=0.01, learning_rate=0.1)["id"]
    t = trace(client, sid, {"x": [1.5, -2.0], "label": 1})
    assert t["regularization"] == "l2" and t["reg_rate"] == 0.01 and t["reg_loss"] > 0
    for layer in t["layers"]:
        W, dW, reg = (np.array(layer[k]) for k in ("W", "dW", "reg_dW"))
        np.testing.assert_array_equal(reg, 0.01 * W)
        np.testing.assert_array_equal(np.array(layer["update_W"]), -0.1 * (dW + reg))
        np.testing.assert_array_equal(np.array(layer["update_b"]), -0.1 * np.array(layer["db"]))
    assert t["input"]["set"] is None and t["input"]["index"] is None


def test_apply_takes_exactly_the_step_shown_and_advances_nothing_else(client):
    sid = create(client, optimizer="adam", batch_size=7)["id"]
    post(client, f"/api/sessions/{sid}/step", {"batches": 40, "snapshot": BARE})  # mid-epoch
    _, before = network_of(client, sid)
    point = {"point": {"set": "test", "index": 5}}
    first = trace(client, sid, {**point, "apply": True, "snapshot": BARE})
    assert first["applied"] is True
    snap = first["snapshot"]
    second = trace(client, sid, point)
    for old, new in zip(first["layers"], second["layers"]):
        assert new["W"] == (np.array(old["W"]) + np.array(old["update_W"])).tolist()
        assert new["b"] == (np.array(old["b"]) + np.array(old["update_b"])).tolist()
    assert second["loss"] < first["loss"]                   # this point's loss falls
    _, after = network_of(client, sid)
    b, a = before["trainer"], after["trainer"]
    for key in ("epoch", "steps", "pos", "perm", "rng", "optimizer_state", "hyperparams"):
        assert a[key] == b[key], key                         # nothing else advanced
    assert a["network"]["params"] != b["network"]["params"]
    # the snapshot is the new state, its metrics re-measured on the new weights
    assert snap["epoch"] == b["epoch"] and snap["steps"] == b["steps"]
    net, _ = network_of(client, sid)
    train = client.get(f"/api/sessions/{sid}/data").get_json()["data"]["train"]
    X, y = transform(np.array([r[:2] for r in train]), ["x1", "x2"]), [r[2] for r in train]
    assert snap["metrics"]["train_loss"] == pytest.approx(net.loss_and_grads(X, y)[0], rel=1e-12)


def test_multiclass_and_regression(client):
    sid = create(client, dataset="spiral_k", n_classes=3)["id"]
    t = trace(client, sid, {"x": [0.5, 0.5], "label": 2})
    assert t["target"] == [0.0, 0.0, 1.0] and t["loss_name"] == "softmax_ce"
    assert sum(t["output"]) == pytest.approx(1.0)
    delta = np.array(t["layers"][-1]["delta"])
    np.testing.assert_allclose(delta, np.array(t["output"]) - [0.0, 0.0, 1.0], rtol=1e-12)
    reg = create(client, dataset="plane")["id"]
    t = trace(client, reg, {"x": [1.0, 2.0], "label": -0.25})
    assert t["target"] == [-0.25] and t["loss_name"] == "mse" and t["label"] == -0.25
    t = trace(client, reg, {"point": {"set": "train", "index": 0}})
    assert isinstance(t["label"], float)
    tanh = create(client, output_activation="tanh")["id"]       # TF Playground's ±1 targets
    assert trace(client, tanh, {"x": [0.0, 1.0], "label": 0})["target"] == [-1.0]


@pytest.mark.parametrize("body, status, field", [
    ({}, 422, "point"),
    ({"point": {"set": "train", "index": 0}, "x": [0, 0], "label": 1}, 422, "point"),
    ({"point": [0, 1]}, 400, "point"),
    ({"point": {"set": "validation", "index": 0}}, 422, "point.set"),
    ({"point": {"set": "train"}}, 422, "point.index"),
    ({"point": {"set": "train", "index": 250}}, 422, "point.index"),
    ({"point": {"set": "train", "index": -1}}, 422, "point.index"),
    ({"point": {"set": "train", "index": 1.5}}, 422, "point.index"),
    ({"point": {"set": "train", "index": "3"}}, 400, "point.index"),
    ({"point": {"set": "train", "index": 0, "label": 1}}, 422, "point.label"),
    ({"point": {"set": "train", "index": 0}, "label": 1}, 422, "label"),
    ({"x": [1.0]}, 422, "x"),
    ({"x": "1, 2"}, 400, "x"),
    ({"x": [1.0, "2"], "label": 0}, 400, "x[1]"),
    ({"x": [7.0, 0.0], "label": 0}, 422, "x[0]"),
    ({"x": [1.0, 2.0]}, 422, "label"),
    ({"x": [1.0, 2.0], "label": 2}, 422, "label"),
    ({"x": [1.0, 2.0], "label": 0.5}, 422, "label"),
    ({"x": [1.0, 2.0], "label": "1"}, 400, "label"),
    ({"x": [1.0, 2.0], "label": True}, 400, "label"),
    ({"x": [1.0, 2.0], "label": 1, "apply": "yes"}, 400, "apply"),
    ({"x": [1.0, 2.0], "label": 1, "update": True}, 422, "update"),
    ({"x": [1.0, 2.0], "label": 1, "snapshot": {"grid": 3}}, 400, "snapshot.grid"),
])
def test_bad_input_is_a_json_error_naming_the_field(client, body, status, field):
    sid = create(client)["id"]
    _, before = network_of(client, sid)
    error = check_error(client.post(f"/api/sessions/{sid}/trace", json=body), status)
    assert error["field"] == field
    _, after = network_of(client, sid)
    assert after["trainer"]["network"] == before["trainer"]["network"]


def test_an_empty_test_set_unknown_session_and_a_diverged_session(client):
    sid = post(client, "/api/sessions", {"points": {"train": [[0, 0, 0], [1, 1, 1]]}}, 201)["id"]
    error = check_error(client.post(f"/api/sessions/{sid}/trace",
                                    json={"point": {"set": "test", "index": 0}}), 422)
    assert error["field"] == "point.index"
    check_error(client.post("/api/sessions/nope/trace", json={"x": [0, 0], "label": 0}), 404)
    check_error(client.get(f"/api/sessions/{sid}/trace"), 405)
    sid = create(client, dataset="plane", learning_rate=10)["id"]
    snap = post(client, f"/api/sessions/{sid}/step", {"epochs": 50, "snapshot": BARE})["snapshot"]
    assert snap["status"] == "diverged"
    error = check_error(client.post(f"/api/sessions/{sid}/trace",
                                    json={"x": [0, 0], "label": 0.5, "apply": True}), 422)
    assert error["field"] == "status"


# ---------------------------------------------------------------- the next minibatch
def fork(client, sid):
    return post(client, f"/api/sessions/{sid}/fork", {"snapshot": BARE}, 201)["id"]


def flat(state):
    return decode_array(state["network"]["params"])


def trainer_state(client, sid):
    _, model = network_of(client, sid)
    t = model["trainer"]
    return {key: t[key] for key in ("network", "optimizer_state", "epoch", "steps", "pos", "perm",
                                    "rng", "status", "history")}


@pytest.mark.parametrize("config", [
    {"optimizer": "adam", "batch_size": 7},
    {"optimizer": "momentum", "clip_norm": 0.05, "regularization": "l2", "reg_rate": 0.01},
    {"optimizer": "rmsprop", "regularization": "l1", "reg_rate": 0.01, "batch_size": 30},
    {"optimizer": "sgd", "schedule": "exponential", "batch_size": 50},
])
def test_applying_the_next_minibatch_is_a_one_batch_step_bit_for_bit(client, config):
    sid = create(client, **config)["id"]
    post(client, f"/api/sessions/{sid}/step", {"batches": 3, "snapshot": BARE})
    stepped, traced = fork(client, sid), fork(client, sid)    # forks retrace their source
    post(client, f"/api/sessions/{stepped}/step", {"batches": 3, "snapshot": BARE})
    post(client, f"/api/sessions/{traced}/step", {"batches": 3, "snapshot": BARE})
    for k in range(8):                                        # 50-row batches cross an epoch's end
        before = trainer_state(client, traced)
        shown = trace(client, traced, {"batch": "next"})
        assert trainer_state(client, traced) == before        # looking changes nothing
        answer = trace(client, traced, {"batch": "next", "apply": True,
                                        "snapshot": {**BARE, "history": True}})
        assert answer["applied"] is True and answer["layers"] == shown["layers"]
        post(client, f"/api/sessions/{stepped}/step", {"batches": 1, "snapshot": BARE})
        a, b = trainer_state(client, traced), trainer_state(client, stepped)
        assert a == b, k                                      # weights, optimizer state, shuffle, history
        change = flat(a) - flat(before)
        update = np.concatenate([np.vstack([layer["update_W"], [layer["update_b"]]]).ravel()
                                 for layer in answer["layers"]])
        assert np.array_equal(update, change), k              # update_W is the exact change
        assert answer["snapshot"]["steps"] == before["steps"] + 1
        assert answer["snapshot"]["done"]["batches"] == 1


def test_batch_fields(client):
    created = create(client, optimizer="adam", clip_norm=0.5, batch_size=10)
    sid, data = created["id"], created["data"]
    post(client, f"/api/sessions/{sid}/step", {"batches": 2, "snapshot": BARE})
    t = trace(client, sid, {"batch": "next", "batch_point": 3})
    assert t["mode"] == "batch" and t["applied"] is False and "snapshot" not in t
    batch = t["batch"]
    assert batch["set"] == "train" and batch["size"] == 10 and batch["shown"] == 3
    assert batch["start"] == 20 and batch["of"] == len(data["train"])
    assert [p["index"] for p in batch["points"]] == batch["indices"]
    assert t["loss"] == pytest.approx(np.mean([p["loss"] for p in batch["points"]]), rel=1e-12)
    shown = batch["indices"][3]
    assert t["input"]["index"] == shown and t["input"]["point"] == data["train"][shown][:2]
    assert t["label"] == data["train"][shown][2] and t["point_loss"] == batch["points"][3]["loss"]
    opt = t["optimizer"]
    assert opt["name"] == "adam" and opt["t"] == 3 and opt["slots"] == ["m", "v"]
    assert opt["params"] == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert opt["equations"][-1] == "w ← w − α·m̂/(√v̂ + ε)" and opt["symbols"]["beta1"] == "β₁"
    assert t["update_rule"] == ";  ".join(opt["equations"])
    assert len(opt["layers"]) == len(t["layers"])
    for layer, state in zip(t["layers"], opt["layers"]):
        n_in, n_out = np.array(layer["W"]).shape
        for when in ("state_before", "state_after"):
            assert set(state[when]) == {"m", "v"}
            assert np.array(state[when]["m"]["W"]).shape == (n_in, n_out)
            assert np.array(state[when]["v"]["b"]).shape == (n_out,)
        g = np.array(layer["grad_W"])
        assert g.shape == (n_in, n_out) and layer["shrink_W"] is None
    assert t["clip"]["max_norm"] == 0.5 and t["clip"]["norm"] > 0
    point = trace(client, sid, {"point": {"set": "train", "index": 0}})
    assert point["mode"] == "point" and "plain gradient descent" in point["update_rule"]


@pytest.mark.parametrize("body, status, field", [
    ({"batch": "previous"}, 422, "batch"),
    ({"batch": 1}, 400, "batch"),
    ({"batch": "next", "point": {"set": "train", "index": 0}}, 422, "point"),
    ({"batch": "next", "x": [0, 0], "label": 1}, 422, "point"),
    ({"batch": "next", "batch_point": 10}, 422, "batch_point"),
    ({"batch": "next", "batch_point": -1}, 422, "batch_point"),
    ({"batch": "next", "batch_point": "0"}, 400, "batch_point"),
    ({"point": {"set": "train", "index": 0}, "batch_point": 0}, 422, "batch_point"),
    ({"batch": "next", "apply": 1}, 400, "apply"),
])
def test_bad_batch_input_names_the_field_and_changes_nothing(client, body, status, field):
    sid = create(client)["id"]
    before = trainer_state(client, sid)
    error = check_error(client.post(f"/api/sessions/{sid}/trace", json=body), status)
    assert error["field"] == field
    assert trainer_state(client, sid) == before
