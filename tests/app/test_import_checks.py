"""Model imports are untrusted: their description is checked before anything is allocated, and
their values before a session is made of them (app/session/model_io.py)."""

import base64
import copy
import os
import time

import numpy as np
import pytest

from app.session import model_io
from app.session.arrays import decode


def export_of(client, make_session, steps=None, **config):
    sid = make_session(**config)["id"]
    if steps:
        client.post(f"/api/sessions/{sid}/step", json=steps)
    return client.get(f"/api/sessions/{sid}/model").get_json()


def rss():
    """This process's resident memory in bytes (Linux /proc; no psutil)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def encoded(array, dtype="float64"):
    array = np.ascontiguousarray(array, dtype="<f8" if dtype == "float64" else "<i8")
    return {"dtype": dtype, "shape": list(array.shape),
            "data": base64.b64encode(array.tobytes()).decode()}


def imported(client, model, status=201):
    response = client.post("/api/sessions", json={"model": model})
    assert response.status_code == status, response.get_json()
    return response.get_json()


# --------------------------------------------------------------------------- validate first
def tampered_huge(export):
    """The attack from the issue: sixteen 4096-wide layers in a ~35 KB export."""
    model = copy.deepcopy(export)
    model["trainer"]["network"]["config"]["layer_sizes"] = [2] + [4096] * 16 + [1]
    model["trainer"]["network"]["config"]["activation"] = ["tanh"] * 16
    return model


def test_a_tampered_import_with_huge_layers_is_refused_without_building_anything(
        client, make_session, error_of, monkeypatch):
    export = export_of(client, make_session)
    built = []
    real = model_io.Trainer.from_state_dict
    monkeypatch.setattr(model_io.Trainer, "from_state_dict",
                        staticmethod(lambda state: built.append(1) or real(state)))
    before = rss()
    started = time.perf_counter()
    error = error_of(client.post("/api/sessions", json={"model": tampered_huge(export)}), 422)
    elapsed = time.perf_counter() - started
    grown = rss() - before
    assert error["field"] == "model.trainer.network.config.layer_sizes"
    assert error["allowed"] == [2, 4, 2, 1]  # what the configuration implies
    assert built == []  # refused on the description: no network, no trainer
    assert grown < 50 * 1024 * 1024  # 16 × 4096² weights would be 2 GB
    assert elapsed < 30  # (bench/bench_hardening.py times it: milliseconds)
    # Editing the configuration along with it meets the configuration's own limits.
    both = tampered_huge(export)
    both["config"]["hidden_layers"] = [4096] * 16
    error = error_of(client.post("/api/sessions", json={"model": both}), 422)
    assert error["field"] == "model.config.hidden_layers" and built == []


@pytest.mark.parametrize("path, value, field", [
    (("trainer", "network", "params", "shape"), [10**9], "model.trainer.network.params.shape[0]"),
    (("trainer", "data", "X_train", "shape"), [250, 9], "model.trainer.data.X_train.shape[1]"),
    (("points", "train_points", "shape"), [10**6, 2], "model.points.train_points.data"),
    (("trainer", "optimizer_state", "v"), {"dtype": "float64", "shape": [10**8], "data": ""},
     "model.trainer.optimizer_state.v"),
    (("trainer", "perm"), {"dtype": "int64", "shape": [10**7], "data": ""},
     "model.trainer.perm.shape[0]"),
    (("trainer", "network", "params", "data"), "AAAA", "model.trainer.network.params.data"),
])
def test_array_descriptions_must_fit_the_model(client, make_session, error_of, path, value,
                                                field):
    model = export_of(client, make_session)
    target = model
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    error = error_of(client.post("/api/sessions", json={"model": model}), 422)
    assert error["field"] == field


# --------------------------------------------------------------------------- consistency
def edit(model, path, value):
    model = copy.deepcopy(model)
    target = model
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return model


@pytest.mark.parametrize("path, value, field", [
    (("trainer", "pos"), 10**6, "model.trainer.pos"),
    (("trainer", "pos"), -1, "model.trainer.pos"),
    (("trainer", "pos"), 1.5, "model.trainer.pos"),
    (("trainer", "epoch"), -3, "model.trainer.epoch"),
    (("trainer", "epoch"), True, "model.trainer.epoch"),
    (("trainer", "steps"), 1, "model.trainer.steps"),  # fewer steps than epochs
    (("trainer", "eval_every"), 0, "model.trainer.eval_every"),
    (("trainer", "status"), "fine", "model.trainer.status"),
    (("trainer", "status_reason"), "x" * 301, "model.trainer.status_reason"),
    (("trainer", "status_reason"), "sneaky", "model.trainer.status_reason"),  # ok has none
    (("trainer", "history", "rows", 1, "epoch"), 99, "model.trainer.history.rows[1].epoch"),
    (("trainer", "history", "rows", 1, "grad_norms"), [1.0], "model.trainer.history.rows[1].grad_norms"),
    (("trainer", "history", "stride"), 0, "model.trainer.history.stride"),
    (("trainer", "optimizer_state", "t"), -1, "model.trainer.optimizer_state.t"),
    (("trainer", "optimizer_state", "junk"), 1, "model.trainer.optimizer_state.junk"),
    (("config", "seed"), 10**400, "model.config.seed"),
    (("trainer", "hyperparams", "batch_size"), 10**6, "model.trainer.hyperparams.batch_size"),
])
def test_inconsistent_imported_state_is_422_naming_the_field(client, make_session, error_of,
                                                             path, value, field):
    model = export_of(client, make_session, steps={"epochs": 3}, optimizer="adam")
    assert error_of(client.post("/api/sessions", json={"model": edit(model, path, value)}),
                    422)["field"] == field


def test_a_position_inside_the_epoch_that_fits_imports_and_trains(client, make_session):
    """An edited `pos` used to give a 500 on every later step; a valid one must just work."""
    model = export_of(client, make_session, steps={"batches": 7})
    assert model["trainer"]["pos"] == 70
    sid = imported(client, edit(model, ("trainer", "pos"), 120))["id"]
    r = client.post(f"/api/sessions/{sid}/step", json={"epochs": 2})
    assert r.status_code == 200 and r.get_json()["snapshot"]["epoch"] == 2


def test_points_must_be_float_arrays_inside_the_plane(client, make_session, error_of):
    model = export_of(client, make_session)
    points = decode_points(model, "train_points")
    as_ints = edit(model, ("points", "train_points"), encoded(points.astype(np.int64), "int64"))
    assert error_of(client.post("/api/sessions", json={"model": as_ints}),
                    422)["field"] == "model.points.train_points.dtype"
    outside = points.copy()
    outside[0] = [50.0, 0.0]
    far = edit(model, ("points", "train_points"), encoded(outside))
    error = error_of(client.post("/api/sessions", json={"model": far}), 422)
    assert error["field"] == "model.points.train_points" and error["allowed"] == [-6.0, 6.0]
    nan = points.copy()
    nan[3, 1] = np.nan
    error = error_of(client.post("/api/sessions", json={"model": edit(
        model, ("points", "train_points"), encoded(nan))}), 422)
    assert error["field"] == "model.points.train_points"


def decode_points(model, key):
    raw = base64.b64decode(model["points"][key]["data"])
    return np.frombuffer(raw, "<f8").reshape(model["points"][key]["shape"]).copy()


def test_the_trainers_data_must_be_the_points(client, make_session, error_of):
    model = export_of(client, make_session)
    X = np.frombuffer(base64.b64decode(model["trainer"]["data"]["X_train"]["data"]), "<f8")
    X = X.reshape(model["trainer"]["data"]["X_train"]["shape"]).copy()
    X[0, 0] += 1.0  # trains on other data than the points the page shows
    error = error_of(client.post("/api/sessions", json={"model": edit(
        model, ("trainer", "data", "X_train"), encoded(X))}), 422)
    assert error["field"] == "model.trainer.data.X_train"


def test_initial_weights_must_be_finite(client, make_session, error_of):
    model = export_of(client, make_session)
    n = model["trainer"]["initial_params"]["shape"][0]
    bad = edit(model, ("trainer", "initial_params"), encoded(np.full(n, np.nan)))
    assert error_of(client.post("/api/sessions", json={"model": bad}),
                    422)["field"] == "model.trainer.initial_params"


@pytest.mark.parametrize("value, words", [(np.nan, "too large"), (np.inf, "too large"),
                                          (1e39, "float32")])
def test_weights_that_are_not_finite_float32_import_as_diverged(client, make_session, value,
                                                                words):
    model = export_of(client, make_session, steps={"epochs": 2})
    params = np.frombuffer(base64.b64decode(model["trainer"]["network"]["params"]["data"]), "<f8")
    params = params.copy()
    params[4] = value
    body = imported(client, edit(model, ("trainer", "network", "params"), encoded(params)))
    snap = body["snapshot"]
    assert snap["status"] == "diverged" and words in snap["reason"]
    assert "reset" in snap["reason"]
    for layer in snap["weights"]:  # status "diverged": the page shows the reason, not a picture
        decode(layer["W"])
    # reset recovers the exported initial weights
    sid = body["id"]
    reset = client.post(f"/api/sessions/{sid}/reset", json={}).get_json()["snapshot"]
    assert reset["status"] == "ok" and reset["reason"] is None


def test_an_optimizer_state_that_is_not_finite_imports_as_diverged(client, make_session):
    model = export_of(client, make_session, steps={"epochs": 2}, optimizer="adam")
    n = model["trainer"]["optimizer_state"]["v"]["shape"][0]
    bad = edit(model, ("trainer", "optimizer_state", "v"), encoded(np.full(n, np.inf)))
    snap = imported(client, bad)["snapshot"]
    assert snap["status"] == "diverged" and "optimizer state" in snap["reason"]


def test_a_diverged_export_imports_again(client, make_session):
    model = export_of(client, make_session, steps={"epochs": 50}, hidden_layers=[8, 8, 8, 8],
                      activation="sigmoid", learning_rate=10, dataset="plane")
    assert model["trainer"]["status"] == "diverged"
    snap = imported(client, model)["snapshot"]
    assert snap["status"] == "diverged" and snap["reason"] == model["trainer"]["status_reason"]


# --------------------------------------------------------------------------- said twice
NETWORK = ("trainer", "network", "config")


@pytest.mark.parametrize("path, value", [
    ((*NETWORK, "activation"), ["sigmoid", "sigmoid"]),   # the relu/sigmoid export
    ((*NETWORK, "init"), "he_normal"),
    ((*NETWORK, "seed"), 2),
    ((*NETWORK, "output_activation"), "linear"),
    ((*NETWORK, "loss"), "mse"),
    ((*NETWORK, "problem"), "regression"),
    ((*NETWORK, "layer_sizes"), [2, 4, 3, 1]),
    (("trainer", "hyperparams", "learning_rate"), 0.5),
    (("trainer", "hyperparams", "clip_norm"), 1.0),
    (("trainer", "hyperparams", "batch_size"), 11),
])
def test_every_field_an_export_states_twice_must_agree(client, make_session, error_of, path,
                                                       value):
    model = export_of(client, make_session, steps={"epochs": 2}, activation="relu",
                      optimizer="adam")
    assert model["trainer"]["network"]["config"]["activation"] == ["relu", "relu"]
    error = error_of(client.post("/api/sessions", json={"model": edit(model, path, value)}), 422)
    assert error["field"] == "model." + ".".join(path)
    assert "configuration says" in error["message"]
    # Unchanged, the same export imports.
    assert imported(client, model)["config"]["activation"] == "relu"


def test_a_network_description_missing_a_field_is_refused(client, make_session, error_of):
    model = export_of(client, make_session)
    del model["trainer"]["network"]["config"]["init"]
    error = error_of(client.post("/api/sessions", json={"model": model}), 422)
    assert error["field"] == "model.trainer.network.config.init"


def trajectory_rows(model):
    trajectory = model["trainer"]["trajectory"]
    raw = base64.b64decode(trajectory["params"]["data"])
    return np.frombuffer(raw, "<f4").reshape(trajectory["params"]["shape"]).copy()


@pytest.mark.parametrize("epochs, field", [
    ([0, 1, 2, 9], "model.trainer.trajectory.epochs[3]"),     # past the trainer's epoch 3
    ([0, 2, 1, 3], "model.trainer.trajectory.epochs[2]"),     # out of order
    ([0, 1, 2], "model.trainer.trajectory.params.shape[0]"),  # one row more than epochs
])
def test_the_recorded_path_must_fit_the_trainer(client, make_session, error_of, epochs, field):
    model = export_of(client, make_session, steps={"epochs": 3})
    assert model["trainer"]["trajectory"]["epochs"] == [0, 1, 2, 3]
    bad = edit(model, ("trainer", "trajectory", "epochs"), epochs)
    assert error_of(client.post("/api/sessions", json={"model": bad}), 422)["field"] == field


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_a_recorded_path_that_is_not_finite_is_refused(client, make_session, error_of, value):
    model = export_of(client, make_session, steps={"epochs": 3})
    rows = trajectory_rows(model)
    rows[2, 1] = value
    params = {"dtype": "float32", "shape": list(rows.shape),
              "data": base64.b64encode(rows.astype("<f4").tobytes()).decode()}
    bad = edit(model, ("trainer", "trajectory", "params"), params)
    error = error_of(client.post("/api/sessions", json={"model": bad}), 422)
    assert error["field"] == "model.trainer.trajectory.params"


@pytest.mark.parametrize("version", [True, 1.0, "1", 2])
def test_the_version_must_be_the_integer_1(client, make_session, error_of, version):
    model = export_of(client, make_session)
    error = error_of(client.post("/api/sessions", json={"model": edit(model, ("version",), version)}),
                     422)
    assert error["field"] == "model"
