"""A session's run log (nn_core.runlog through the server): every change the API makes between
minibatches is logged at its step, travels in the model export, and is checked on import like
every other part of it (app/session/log_import.py); an export without a log still imports."""

import copy

import numpy as np
import pytest

from app.session.model_io import export_session
from nn_core.serialization import encode_array as encoded

from .conftest import BARE, post


def a_session(client):
    sid = post(client, "/api/sessions", {"snapshot": BARE}, 201)["id"]   # 250 training points
    return sid


def step(client, sid, **body):
    return post(client, f"/api/sessions/{sid}/step", {**body, "snapshot": BARE})


def log_of(client, sid):
    return client.get(f"/api/sessions/{sid}/model").get_json()["trainer"]["log"]


def changes(log):
    return [(e["step"], e["epoch"], next(k for k in e if k not in ("step", "epoch")))
            for e in log["entries"]]


def test_each_change_through_the_api_is_logged_at_its_minibatch(client):
    sid = a_session(client)
    step(client, sid, epochs=2)
    step(client, sid, batches=3)                                         # 25 minibatches an epoch
    client.patch(f"/api/sessions/{sid}", json={"learning_rate": 0.1, "snapshot": BARE})
    client.patch(f"/api/sessions/{sid}/weights",
                 json={"layer": 0, "from": 1, "to": 2, "value": 0.25, "snapshot": BARE})
    post(client, f"/api/sessions/{sid}/trace",
         {"point": {"set": "train", "index": 0}, "apply": True, "snapshot": BARE})
    post(client, f"/api/sessions/{sid}/data",
         {"action": "append", "points": [[1.0, 1.0, 1]], "snapshot": BARE})
    post(client, f"/api/sessions/{sid}/data", {"action": "regenerate", "data_seed": 7,
                                               "snapshot": BARE})
    log = log_of(client, sid)
    assert changes(log) == [(53, 2, "hyperparams"), (53, 2, "weight"), (53, 2, "params"),
                            (53, 2, "append"), (53, 2, "data")]
    assert log["entries"][0]["hyperparams"] == {"learning_rate": 0.1}
    assert log["entries"][1]["weight"] == [0, 1, 2, 0.25]
    assert log["start"]["step"] == 0 and log["start"]["hyperparams"]["learning_rate"] == 0.03


def test_a_reset_and_a_rebuild_start_the_log_again(client):
    sid = a_session(client)
    step(client, sid, epochs=1)
    client.patch(f"/api/sessions/{sid}", json={"learning_rate": 0.1, "snapshot": BARE})
    post(client, f"/api/sessions/{sid}/reset", {"snapshot": BARE})
    assert log_of(client, sid)["entries"] == []
    client.patch(f"/api/sessions/{sid}", json={"batch_size": 5, "snapshot": BARE})
    client.patch(f"/api/sessions/{sid}", json={"hidden_layers": [3], "snapshot": BARE})
    log = log_of(client, sid)
    assert log["entries"] == [] and log["start"]["hyperparams"]["batch_size"] == 5


def test_an_imported_export_keeps_its_log_and_goes_on_logging(client):
    sid = a_session(client)
    step(client, sid, batches=30)
    client.patch(f"/api/sessions/{sid}", json={"optimizer": "adam", "snapshot": BARE})
    model = client.get(f"/api/sessions/{sid}/model").get_json()
    copy_id = post(client, "/api/sessions", {"model": model, "snapshot": BARE}, 201)["id"]
    step(client, copy_id, batches=5)
    client.patch(f"/api/sessions/{copy_id}", json={"learning_rate": 0.01, "snapshot": BARE})
    assert changes(log_of(client, copy_id)) == [(30, 1, "hyperparams"), (35, 1, "hyperparams")]


def test_an_export_without_a_log_imports_as_before_and_its_run_starts_there(client, app):
    sid = a_session(client)
    step(client, sid, epochs=3)
    model = client.get(f"/api/sessions/{sid}/model").get_json()
    del model["trainer"]["log"]                        # as exports were made before the log
    answer = post(client, "/api/sessions", {"model": model, "snapshot": BARE}, 201)
    assert answer["snapshot"]["epoch"] == 3
    log = log_of(client, answer["id"])
    assert log["entries"] == [] and log["start"]["step"] == 75 and "state" in log["start"]
    # and training on gives the same weights as the session it came from
    step(client, sid, epochs=2)
    step(client, answer["id"], epochs=2)
    store = app.extensions["sessions"]
    a, b = store.get(sid), store.get(answer["id"])
    assert np.array_equal(a.network.params, b.network.params)


def test_the_imported_log_is_bounded_as_this_server_bounds_one(client, app):
    sid = a_session(client)
    session = app.extensions["sessions"].get(sid)
    with session.lock:
        assert session.trainer.log.capacity == 2 * (500 * 3 + 25) + 256 * 64
        model = export_session(session)
    model["trainer"]["log"]["capacity"] = 10**9
    copy_id = post(client, "/api/sessions", {"model": model, "snapshot": BARE}, 201)["id"]
    assert app.extensions["sessions"].get(copy_id).trainer.log.capacity == session.trainer.log.capacity


def a_logged_export(client):
    sid = a_session(client)
    step(client, sid, batches=30)
    for body in ({"learning_rate": 0.1}, {"optimizer": "momentum"}):
        client.patch(f"/api/sessions/{sid}", json={**body, "snapshot": BARE})
    client.patch(f"/api/sessions/{sid}/weights",
                 json={"layer": 1, "to": 0, "param": "b", "value": 0.5, "snapshot": BARE})
    post(client, f"/api/sessions/{sid}/trace",
         {"point": {"set": "train", "index": 3}, "apply": True, "snapshot": BARE})
    post(client, f"/api/sessions/{sid}/data",
         {"action": "append", "points": [[1.0, 1.0, 1]], "snapshot": BARE})
    post(client, f"/api/sessions/{sid}/data", {"action": "regenerate", "data_seed": 7,
                                               "snapshot": BARE})
    step(client, sid, batches=4)
    return client.get(f"/api/sessions/{sid}/model").get_json()


def entry(log, kind):
    return next(e for e in log["entries"] if kind in e)


def set_path(model, path, value):
    target = model["trainer"]["log"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


TAMPERED = [
    (lambda log: log.update(format="other"), "format"),
    (lambda log: log["start"].update(step=10**6), "start.step"),
    (lambda log: log["start"].update(params="not hex"), "start.params"),
    (lambda log: log["start"]["hyperparams"].pop("batch_size"), "start.hyperparams"),
    (lambda log: log["start"]["hyperparams"].update(learning_rate=99),
     "start.hyperparams.learning_rate"),
    (lambda log: log["start"].update(extra=1), "start.extra"),
    (lambda log: log["entries"][0].update(weight=[0, 0, 0, 1.0]), "entries[0]"),
    (lambda log: log["entries"][1].update(step=10**7), "entries[1].step"),
    (lambda log: log["entries"][1].update(step=1), "entries[1].step"),          # goes back
    (lambda log: log["entries"][0]["hyperparams"].update(learning_rate=99),
     "entries[0].hyperparams.learning_rate"),
    (lambda log: log["entries"][0]["hyperparams"].update(seed=3), "entries[0].hyperparams"),
    (lambda log: entry(log, "weight").update(weight=[5, 0, 0, 1.0]), "weight[0]"),
    (lambda log: entry(log, "weight").update(weight=[1, 9, 0, 1.0]), "weight[1]"),
    (lambda log: entry(log, "weight").update(weight=[1, 2, 0, 1e9]), "weight[3]"),
    (lambda log: entry(log, "params")["params"].update(shape=[24]), "params.shape[0]"),
    (lambda log: entry(log, "data")["data"].update(X_train=encoded(np.zeros((5001, 2))),
                                                   y_train=encoded(np.zeros(5001, np.int64))),
     "].data"),                                                                # too many rows
    (lambda log: entry(log, "data")["data"]["X_train"].update(shape=[9000, 2]),
     "data.X_train.data"),
    (lambda log: entry(log, "append")["append"].update(X_test=entry(log, "append")["append"]
                                                       ["X_train"]), "append"),
    (lambda log: entry(log, "append")["append"]["y_train"].update(dtype="float64"),
     "append.y_train.dtype"),
    (lambda log: log["entries"].extend([log["entries"][0]] * 300), "entries"),
]


@pytest.mark.parametrize("tamper, field", TAMPERED, ids=[f for _, f in TAMPERED])
def test_a_tampered_log_is_refused_naming_its_field(client, error_of, tamper, field):
    model = a_logged_export(client)
    tamper(model["trainer"]["log"])
    error = error_of(client.post("/api/sessions", json={"model": model}), 422)
    assert error["field"].startswith("model.trainer.log.") and error["field"].endswith(field), error


def test_a_log_with_data_that_is_not_finite_is_refused_after_decoding(client, error_of):
    model = a_logged_export(client)
    data = entry(model["trainer"]["log"], "data")["data"]
    X = np.frombuffer(__import__("base64").b64decode(data["X_train"]["data"]), "<f8").copy()
    X[0] = np.nan
    data["X_train"]["data"] = __import__("base64").b64encode(X.tobytes()).decode()
    error = error_of(client.post("/api/sessions", json={"model": model}), 422)
    assert error["field"].startswith("model.trainer.log.entries["), error


def test_a_checkpoint_start_is_checked_too(client, error_of):
    sid = a_session(client)
    step(client, sid, epochs=1)
    model = client.get(f"/api/sessions/{sid}/model").get_json()
    del model["trainer"]["log"]
    again = post(client, "/api/sessions", {"model": model, "snapshot": BARE}, 201)["id"]
    good = client.get(f"/api/sessions/{again}/model").get_json()
    assert post(client, "/api/sessions", {"model": good, "snapshot": BARE}, 201)
    for tamper, field in [
            (lambda s: s.update(steps=3), "state.steps"),
            (lambda s: s["history"].update(rows=[{"epoch": 0}]), "state.history"),
            (lambda s: s["network"]["params"].update(shape=[3]), "state.network.params"),
            (lambda s: s.update(rng={"bit_generator": "MT19937"}), "state")]:
        model = copy.deepcopy(good)
        tamper(model["trainer"]["log"]["start"]["state"])
        error = error_of(client.post("/api/sessions", json={"model": model}), 422)
        assert error["field"].startswith(f"model.trainer.log.start.{field}"), error
