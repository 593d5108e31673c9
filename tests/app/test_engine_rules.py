"""The server applies the engine's rules, not copies of them: /api/options serves nn_core's
ranges, names and grid defaults, and the checks behind the API use the same numbers."""

import numpy as np

from app.capacity.limits import MAX_REASON
from nn_core import Network, Trainer
from nn_core.grid import DEFAULT_BOUNDS, DEFAULT_NEURON_RESOLUTION, DEFAULT_RESOLUTION
from nn_core.losses import get_loss
from nn_core.network import PROBLEMS
from nn_core.optimizers import CLIP_NORM_RANGE
from nn_core.regularizers import REG_RATE_RANGE
from nn_core.seeds import SEED_MAX
from nn_core.trainer import LEARNING_RATE_RANGE


def test_options_serve_the_engines_ranges_names_and_grid_defaults(client):
    o = client.get("/api/options").get_json()
    ranges = o["ranges"]
    assert ranges["learning_rate"] == [1e-5, 10.0] == list(LEARNING_RATE_RANGE)
    assert ranges["reg_rate"] == list(REG_RATE_RANGE) and ranges["clip_norm"] == list(CLIP_NORM_RANGE)
    assert ranges["seed"] == ranges["data_seed"] == [0, SEED_MAX] == [0, 2**53 - 1]
    assert [p["name"] for p in o["problems"]] == list(PROBLEMS)
    assert {p["name"]: (p["output_activation"], p["loss"]) for p in o["problems"]} == {
        "binary": ("sigmoid", "bce"), "multiclass": ("softmax", "softmax_ce"),
        "regression": ("linear", "mse")}
    defaults = o["snapshot_defaults"]
    assert (defaults["resolution"], defaults["neuron_resolution"]) == (
        DEFAULT_RESOLUTION, DEFAULT_NEURON_RESOLUTION)
    # no bounds given: the dataset's own plane, the engine's [-6, 6]² for the plane sets
    assert defaults["bounds"] is None
    grid = client.post("/api/sessions", json={}).get_json()["snapshot"]["grid"]
    assert grid["bounds"] == list(DEFAULT_BOUNDS)
    mse = next(loss for loss in o["losses"] if loss["name"] == "mse")
    assert "½" not in mse["formula"] and "mean" in mse["formula"]
    # the gradient scale Inspect writes (∂L/∂ŷ = c·(ŷ − y)/k) is the one the engine computes with
    assert mse["grad_scale"] == 2
    assert all(loss["grad_scale"] is None for loss in o["losses"] if loss["name"] != "mse")
    a, t = np.array([[0.5, -1.25, 2.0]]), np.array([[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(get_loss("mse").grad_a(a, t), mse["grad_scale"] * (a - t) / 3, rtol=1e-15)


def test_the_learning_rate_range_is_the_engines(client, make_session, error_of):
    sid = make_session()["id"]
    for rate in LEARNING_RATE_RANGE:
        assert client.patch(f"/api/sessions/{sid}", json={"learning_rate": rate}).status_code == 200
    error = error_of(client.patch(f"/api/sessions/{sid}", json={"learning_rate": 10.5}), 422)
    assert error["field"] == "learning_rate" and error["allowed"] == [1e-5, 10.0]


def test_the_divergence_reason_fits_what_an_import_accepts():
    net = Network([2, 3, 1], problem="binary", seed=0)
    t = Trainer(net, np.zeros((4, 2)), np.array([0, 1, 0, 1]), learning_rate=0.00001)
    t.epoch = 2**53 - 1                                    # the longest epoch number there is
    t.mark_diverged("hidden activations", np.array([1e39]))
    assert len(t.status_reason) <= MAX_REASON
