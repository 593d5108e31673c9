"""POST /api/sessions/<id>/fork: a new session on exactly the source's points and split, starting
from exactly the source's initial weights when the weight shapes, init and seed are unchanged;
overrides are validated like any configuration, and data fields cannot change."""

import pytest

from nn_core.serialization import decode_array, encode_array

from .conftest import BARE, check_error, create, post


def fork(client, sid, overrides=None, status=201):
    body = {"snapshot": BARE}
    if overrides is not None:
        body["overrides"] = overrides
    return post(client, f"/api/sessions/{sid}/fork", body, status)


def trainer_state(client, sid):
    return client.get(f"/api/sessions/{sid}/model").get_json()["trainer"]


def params(client, sid):
    return decode_array(trainer_state(client, sid)["network"]["params"])


def initial(client, sid):
    return decode_array(trainer_state(client, sid)["initial_params"])


def data(client, sid):
    return client.get(f"/api/sessions/{sid}/data").get_json()["data"]


def test_a_fork_shares_the_points_and_split_and_starts_from_the_same_weights(client):
    source = create(client, dataset="spiral", noise=0.2, train_ratio=0.7, data_seed=5)
    sid = source["id"]
    post(client, f"/api/sessions/{sid}/step", {"epochs": 4, "snapshot": BARE})
    forked = fork(client, sid, {"optimizer": "adam", "learning_rate": 0.01, "activation": "relu"})
    assert forked["same_initial_weights"] is True and forked["source"] == sid
    assert forked["data"] == data(client, sid) == source["data"]
    assert forked["snapshot"]["epoch"] == 0 and forked["snapshot"]["steps"] == 0
    config = forked["config"]
    assert (config["optimizer"], config["learning_rate"], config["activation"]) == ("adam", 0.01, "relu")
    assert config["dataset"] == "spiral" and config["data_seed"] == 5 and config["train_ratio"] == 0.7
    fid = forked["id"]
    assert (params(client, fid) == initial(client, sid)).all()
    assert (initial(client, fid) == initial(client, sid)).all()
    post(client, f"/api/sessions/{sid}/reset", {"snapshot": BARE})
    assert params(client, fid).tobytes() == params(client, sid).tobytes()     # bit-identical
    assert client.get(f"/api/sessions/{sid}").get_json()["config"]["optimizer"] == "sgd"


def test_a_fork_without_overrides_retraces_its_source(client):
    sid = create(client, dataset="xor", batch_size=7)["id"]
    fid = fork(client, sid)["id"]
    for s in (sid, fid):
        post(client, f"/api/sessions/{s}/step", {"epochs": 6, "snapshot": BARE})
    assert params(client, fid).tobytes() == params(client, sid).tobytes()


@pytest.mark.parametrize("overrides, same", [
    ({"activation": "sigmoid", "output_activation": "tanh", "loss": "mse"}, True),  # same shapes
    ({"features": ["x1_sq", "x2_sq"]}, True),                         # two inputs still
    ({"problem": "regression"}, True),
    ({"hidden_layers": [4, 3]}, False),
    ({"features": ["x1", "x2", "x1x2"]}, False),
    ({"init": "he_normal"}, False),
    ({"seed": 2}, False),
])
def test_same_initial_weights_only_when_shapes_init_and_seed_match(client, overrides, same):
    sid = create(client)["id"]
    forked = fork(client, sid, overrides)
    assert forked["same_initial_weights"] is same
    fid = forked["id"]
    if same:
        assert initial(client, fid).tobytes() == initial(client, sid).tobytes()
    else:
        # the weights a fresh session of that configuration draws, on the same data
        fresh = create(client, **forked["config"])["id"]
        assert initial(client, fid).tobytes() == initial(client, fresh).tobytes()
    source = data(client, sid)                   # labels as numbers (regression reads them as floats)
    assert forked["data"]["train"] == source["train"] and forked["data"]["test"] == source["test"]


def test_the_source_initial_weights_are_copied_whatever_made_them(client):
    sid = create(client, hidden_layers=[3])["id"]
    model = client.get(f"/api/sessions/{sid}/model").get_json()
    changed = initial(client, sid) + 0.125                    # not what the seed would draw
    model["trainer"]["initial_params"] = encode_array(changed)
    imported = post(client, "/api/sessions", {"model": model, "snapshot": BARE}, 201)["id"]
    forked = fork(client, imported, {"optimizer": "rmsprop"})
    assert forked["same_initial_weights"] is True
    assert params(client, forked["id"]).tobytes() == changed.tobytes()


def test_forks_of_custom_multiclass_and_regression_data(client):
    rows = {"train": [[-1.0, -1.0, 0], [1.0, 1.0, 2], [2.5, -0.5, 1]], "test": [[-2.0, 0.25, 2]]}
    sid = post(client, "/api/sessions", {"problem": "multiclass", "points": rows,
                                         "snapshot": BARE}, 201)["id"]
    forked = fork(client, sid, {"hidden_layers": [5]})
    assert forked["data"]["train"] == rows["train"] and forked["data"]["test"] == rows["test"]
    assert forked["config"]["dataset"] == "custom" and forked["config"]["n_classes"] == 3
    reg = create(client, dataset="plane", n_points=100)
    after = post(client, f"/api/sessions/{reg['id']}/data",
                 {"action": "remove", "indices": [0, 1, 2], "snapshot": BARE})
    forked = fork(client, reg["id"], {"loss": "mse", "optimizer": "momentum"})
    assert forked["data"] == after["data"] and forked["config"]["dataset"] == "custom"
    assert forked["same_initial_weights"] is True


@pytest.mark.parametrize("body, status, field", [
    ({"overrides": {"learning_rate": 50}}, 422, "overrides.learning_rate"),
    ({"overrides": {"learning_rate": "fast"}}, 400, "overrides.learning_rate"),
    ({"overrides": {"activation": "cube"}}, 422, "overrides.activation"),
    ({"overrides": {"hidden_layers": [4] * 9}}, 422, "overrides.hidden_layers"),
    ({"overrides": {"features": ["x3"]}}, 422, "overrides.features"),
    ({"overrides": {"bogus": 1}}, 422, "overrides.bogus"),
    ({"overrides": {"points": {"train": []}}}, 422, "overrides.points"),
    ({"overrides": {"dataset": "xor"}}, 422, "overrides.dataset"),
    ({"overrides": {"n_points": 200}}, 422, "overrides.n_points"),
    ({"overrides": {"data_seed": 9}}, 422, "overrides.data_seed"),
    ({"overrides": {"train_ratio": 0.8}}, 422, "overrides.train_ratio"),
    ({"overrides": {"noise": 0.3}}, 422, "overrides.noise"),
    ({"overrides": {"problem": "multiclass", "n_classes": 3}}, 422, "overrides.n_classes"),
    ({"overrides": [1]}, 400, "overrides"),
    ({"overrides": {}, "config": {}}, 422, "config"),
    ({"snapshot": {"transformed": {"layer": 5, "neurons": [0, 0]}}}, 422,
     "snapshot.transformed.layer"),
])
def test_bad_overrides_are_refused_naming_the_field(client, app, body, status, field):
    sid = create(client)["id"]
    error = check_error(client.post(f"/api/sessions/{sid}/fork", json=body), status)
    assert error["field"] == field
    assert len(app.extensions["sessions"]) == 1                # nothing was created


def test_data_fields_equal_to_the_source_are_accepted(client):
    source = create(client, dataset="moons", noise=0.1)
    forked = fork(client, source["id"], dict(source["config"], optimizer="adam"))
    assert forked["same_initial_weights"] is True and forked["data"] == source["data"]
    error = check_error(client.post(f"/api/sessions/{source['id']}/fork",
                                    json={"overrides": {"dataset": "circle"}}), 422)
    assert error["allowed"] == ["moons"]


def test_unknown_source_and_a_full_store(client, app):
    check_error(client.post("/api/sessions/nope/fork", json={}), 404)
    app.config["MAX_SESSIONS"] = 1
    app.extensions["sessions"].max_sessions = 1
    sid = create(client)["id"]
    check_error(client.post(f"/api/sessions/{sid}/fork", json={}), 429)
