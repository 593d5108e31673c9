"""One request's work is bounded: the snapshot's size by bytes, the step's time limit covering
the snapshot too; and no snapshot shows numbers beyond float32 under status "ok"."""

import base64

import numpy as np
import pytest

from app.capacity.limits import MB
from app.session import snapshot_options
from app.session.arrays import decode


# --------------------------------------------------------------------------- snapshot size
def test_a_snapshot_past_the_byte_cap_is_refused_naming_the_resolution_that_fits(make_app,
                                                                                 error_of):
    app = make_app(MAX_SNAPSHOT_BYTES=1 * MB)
    client = app.test_client()
    sid = client.post("/api/sessions", json={"snapshot": {"grid": False}}).get_json()["id"]
    error = error_of(client.post(f"/api/sessions/{sid}/step", json={
        "epochs": 1, "snapshot": {"resolution": 400}}), 422)
    assert error["field"] == "snapshot.resolution" and error["allowed"][0] == 2
    fits = error["allowed"][1]
    assert 100 <= fits < 400
    assert client.get(f"/api/sessions/{sid}?grid=0").get_json()["snapshot"]["epoch"] == 0
    answer = client.post(f"/api/sessions/{sid}/step", json={
        "epochs": 1, "snapshot": {"resolution": fits}}).get_json()["snapshot"]
    assert answer["grid"]["output"]["shape"] == [fits, fits, 1] and answer["epoch"] == 1
    error_of(client.post(f"/api/sessions/{sid}/step", json={
        "epochs": 1, "snapshot": {"resolution": fits + 1}}), 422)
    # the same rule for a GET, and for the network a PATCH would build
    error_of(client.get(f"/api/sessions/{sid}?resolution=400"), 422)
    error = error_of(client.patch(f"/api/sessions/{sid}", json={
        "hidden_layers": [64] * 8, "snapshot": {"resolution": fits}}), 422)
    assert error["field"] == "snapshot.resolution"
    assert client.get(f"/api/sessions/{sid}?grid=0").get_json()["config"]["hidden_layers"] == [4, 2]


def test_the_transformed_view_counts_too(make_app, error_of):
    client = make_app(MAX_SNAPSHOT_BYTES=20 * MB).test_client()
    sid = client.post("/api/sessions", json={
        "hidden_layers": [64] * 8, "n_points": 2000, "snapshot": {"grid": False}}).get_json()["id"]
    error = error_of(client.post(f"/api/sessions/{sid}/step", json={"epochs": 0, "snapshot": {
        "grid": False, "confusion": False,
        "transformed": {"layer": 0, "neurons": [0, 1]}}}), 422)
    assert error["field"] == "snapshot.transformed"


def test_the_default_limits_allow_every_view_of_the_largest_session():
    """The page's snapshots (100 × 100 grid, 25 × 25 neuron maps, transformed view, confusion)
    of the largest network on the most points fit MAX_SNAPSHOT_BYTES."""
    from app.capacity.limits import DEFAULTS

    options = snapshot_options.parse_options({"transformed": {"layer": 7, "neurons": [0, 1]}}, DEFAULTS)
    sizes = [9] + [64] * 8 + [6]
    snapshot_options.check_view(options, sizes, DEFAULTS["MAX_POINTS"], DEFAULTS)


# --------------------------------------------------------------------------- step time
def test_the_step_time_limit_leaves_room_for_the_snapshot(app):
    """Training stops early enough to leave what this session's last snapshot of the same
    options took: told the snapshot takes 10 s, a 250 ms step trains one minibatch only."""
    client = app.test_client()
    sid = client.post("/api/sessions", json={"snapshot": {"grid": False}}).get_json()["id"]
    options = snapshot_options.parse_options({"grid": False}, app.config)
    session = app.extensions["sessions"].get(sid)
    session.snapshot_ms[snapshot_options.options_key(options)] = 10_000.0
    done = client.post(f"/api/sessions/{sid}/step", json={
        "epochs": 5, "max_ms": 250, "snapshot": {"grid": False}}).get_json()["snapshot"]["done"]
    assert done == {**done, "batches": 1, "epochs": 0, "stopped_early": True}
    # other options have their own cost: 5 epochs with nothing reserved
    done = client.post(f"/api/sessions/{sid}/step", json={
        "epochs": 5, "snapshot": {"grid": False, "weights": False}}).get_json()["snapshot"]["done"]
    assert done["epochs"] == 5 and not done["stopped_early"]


# --------------------------------------------------------------------------- float32
def all_float32_arrays(snap):
    arrays = [snap["grid"]["output"], *snap["grid"]["neurons"], snap["grid"]["output_small"]]
    for layer in snap["weights"]:
        arrays += [layer["W"], layer["b"]] + [layer[k] for k in ("dW", "db") if layer[k]]
    return [decode(a) for a in arrays if a["dtype"] == "float32"] + [
        np.array([a["min"], a["max"]]) for a in arrays if a["dtype"] == "uint8"]


def test_no_ok_snapshot_carries_numbers_beyond_float32(client, make_session):
    """A linear network with a huge learning rate blows up: every snapshot along the way is
    either finite or says "diverged" with a reason."""
    sid = make_session(dataset="plane", hidden_layers=[8, 8], activation="linear",
                       learning_rate=5, features=["x1", "x2", "x1_sq", "x2_sq", "x1x2"])["id"]
    options = {"neuron_encoding": "f32", "resolution": 20, "neuron_resolution": 5}
    for _ in range(100):
        snap = client.post(f"/api/sessions/{sid}/step", json={
            "epochs": 1, "snapshot": options}).get_json()["snapshot"]
        if snap["status"] != "ok":
            break
        assert all(np.isfinite(a).all() for a in all_float32_arrays(snap))
    assert snap["status"] == "diverged" and "learning rate" in snap["reason"]


def test_outputs_beyond_float32_with_finite_weights_mark_the_session_diverged(app):
    """Weights of 1e19 fit float32, but a linear network's output (~1e39) does not: the grid
    would be infinities, so the session is diverged, saying why."""
    client = app.test_client()
    sid = client.post("/api/sessions", json={"dataset": "plane", "hidden_layers": [4],
                                             "activation": "linear"}).get_json()["id"]
    session = app.extensions["sessions"].get(sid)
    session.network.params[:] = 1e19  # as if trained there; its gradients are still small
    snap = client.get(f"/api/sessions/{sid}").get_json()["snapshot"]
    assert snap["status"] == "diverged" and "outputs" in snap["reason"]
    assert "float32" in snap["reason"]
    again = client.get(f"/api/sessions/{sid}?grid=0").get_json()["snapshot"]
    assert again["status"] == "diverged"  # it stays so until reset


@pytest.mark.parametrize("value", [1e39, -1e39])
def test_weights_beyond_float32_are_diverged_not_infinite(client, make_session, value):
    sid = make_session()["id"]
    model = client.get(f"/api/sessions/{sid}/model").get_json()
    params = model["trainer"]["network"]["params"]
    array = np.frombuffer(base64.b64decode(params["data"]), "<f8").copy()
    array[0] = value
    params["data"] = base64.b64encode(array.tobytes()).decode()
    snap = client.post("/api/sessions", json={"model": model}).get_json()["snapshot"]
    assert snap["status"] == "diverged" and "weights" in snap["reason"]
