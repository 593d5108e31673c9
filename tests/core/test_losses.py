"""Losses and metrics: values by hand, dL/dz against finite differences (fused and unfused),
stability at extreme logits, incompatible pairs rejected."""

import math

import numpy as np
import pytest

from nn_core import Network
from nn_core.activations import get_activation
from nn_core.errors import ConfigError
from nn_core.losses import LOSSES, describe, get_loss
from nn_core.metrics import accuracy, r2, rmse


def col(*values):
    return np.array(values, dtype=float)[:, None]


def test_registry_contents():
    assert LOSSES.names() == ["mse", "bce", "softmax_ce", "hinge"]
    info = {d["name"]: d for d in describe()}
    assert info["bce"]["problems"] == ["binary"] and info["bce"]["outputs"] == ["sigmoid"]
    assert info["softmax_ce"]["problems"] == ["multiclass"]
    assert info["hinge"]["outputs"] == ["linear", "tanh"]
    assert info["mse"]["outputs"] == []
    for name in LOSSES:
        assert LOSSES.info(name)["formula"]


def test_every_loss_describes_its_gradient_and_fused_output():
    from nn_core.activations import get_activation
    info = {d["name"]: d for d in describe()}
    assert all(d["gradient"] for d in info.values())
    assert {n: d["fused_with"] for n, d in info.items()} == {
        "mse": "linear", "bce": "sigmoid", "softmax_ce": "softmax", "hinge": None}
    assert info["mse"]["gradient"] == "2(ŷ − y)/k"
    # what the page says (δ = ŷ − y, or 2(ŷ − y)/k for mse) is what grad_z computes for one point
    z = np.array([[0.3, -1.2, 2.0]])
    for name, d in info.items():
        if d["fused_with"]:
            act = get_activation(d["fused_with"])
            a = act.forward(z if name in ("softmax_ce", "mse") else z[:, :1])
            t = np.zeros_like(a)
            t[0, 0] = 1.0
            scale = 2.0 / a.shape[1] if name == "mse" else 1.0
            np.testing.assert_allclose(get_loss(name).grad_z(None, a, t, act), scale * (a - t),
                                       rtol=1e-15)


# ---- values by hand -----------------------------------------------------------------------


def test_mse_by_hand():
    a = col(1.0, 3.0)
    # mean (a − t)² = (1 + 4)/2
    assert get_loss("mse").value(a, a, col(0.0, 1.0)) == pytest.approx(2.5, rel=1e-15)
    a2 = np.array([[1.0, 2.0], [0.0, -1.0]])
    t2 = np.array([[0.0, 0.0], [0.0, 1.0]])
    # the mean over all four output elements: (1 + 4 + 0 + 4)/4
    assert get_loss("mse").value(a2, a2, t2) == pytest.approx(2.25, rel=1e-15)


@pytest.mark.parametrize("k", [1, 3])
def test_mse_is_the_mean_over_all_outputs_of_the_squared_error(k):
    # The seed's definition, as PyTorch's MSELoss(reduction="mean") and scikit-learn's
    # mean_squared_error define it: mean((ŷ − y)²) over all n·k numbers.
    rng = np.random.default_rng(k)
    a, t = rng.normal(size=(5, k)), rng.normal(size=(5, k))
    loss, linear = get_loss("mse"), get_activation("linear")
    assert loss.value(a, a, t) == pytest.approx(np.mean((a - t) ** 2), rel=1e-14)
    np.testing.assert_allclose(loss.grad_z(a, a, t, linear), 2 * (a - t) / a.size, rtol=1e-15)
    np.testing.assert_allclose(loss.grad_a(a, t), 2 * (a - t) / a.size, rtol=1e-15)


@pytest.mark.parametrize("k", [1, 3])
def test_mse_of_a_network_is_mean_squared_error(k):
    net = Network([2, 4, k], activation="tanh", problem="regression", seed=k)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(7, 2)), rng.normal(size=(7, k))
    loss, _ = net.loss_and_grads(X, y if k > 1 else y[:, 0])
    assert loss == pytest.approx(np.mean((net.output(X) - y) ** 2), rel=1e-13)


def test_bce_by_hand():
    z = col(0.0, math.log(3.0))
    a = get_activation("sigmoid").forward(z)
    # σ(0) = ½ with t = 1: −ln ½;  σ(ln 3) = ¾ with t = 0: −ln ¼
    expected = (math.log(2.0) + math.log(4.0)) / 2
    assert get_loss("bce").value(z, a, col(1.0, 0.0)) == pytest.approx(expected, rel=1e-14)
    p, y = a[:, 0], np.array([1.0, 0.0])
    by_probabilities = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert get_loss("bce").value(z, a, col(1.0, 0.0)) == pytest.approx(by_probabilities, rel=1e-14)


def test_softmax_ce_by_hand():
    z = np.array([[0.0, math.log(2.0), math.log(3.0)], [1.0, 1.0, 1.0]])
    a = get_activation("softmax").forward(z)
    t = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    expected = (-math.log(2 / 6) - math.log(1 / 3)) / 2
    assert get_loss("softmax_ce").value(z, a, t) == pytest.approx(expected, rel=1e-14)


def test_hinge_by_hand():
    a = col(0.5, -2.0, 3.0, 1.5)
    t = col(1.0, 1.0, -1.0, 1.0)
    # max(0, 1 − t·a): 0.5, 3, 4, 0
    assert get_loss("hinge").value(a, a, t) == pytest.approx(7.5 / 4, rel=1e-15)


# ---- gradients --------------------------------------------------------------------------------


def numeric_grad_z(loss, act, z, t, eps=1e-6):
    z = z.copy()
    grad = np.zeros_like(z)
    for idx in np.ndindex(*z.shape):
        old = z[idx]
        z[idx] = old + eps
        up = loss.value(z, act.forward(z), t)
        z[idx] = old - eps
        down = loss.value(z, act.forward(z), t)
        z[idx] = old
        grad[idx] = (up - down) / (2 * eps)
    return grad


rng = np.random.default_rng(7)
Z1 = rng.normal(0.0, 1.5, size=(6, 1))
Z3 = rng.normal(0.0, 1.5, size=(6, 3))
T01 = col(1, 0, 0, 1, 1, 0)
TPM = 2 * T01 - 1
TREG = rng.normal(size=(6, 1))
ONEHOT = np.eye(3)[[0, 2, 1, 1, 0, 2]]

PAIRS = [
    # loss, output activation, z, targets
    ("bce", "sigmoid", Z1, T01),
    ("softmax_ce", "softmax", Z3, ONEHOT),
    ("mse", "linear", Z1, TREG),
    ("mse", "tanh", Z1, TPM),
    ("mse", "sigmoid", Z1, T01),
    ("mse", "linear", Z3, rng.normal(size=(6, 3))),
    ("hinge", "linear", Z1 * 0.5, TPM),
    ("hinge", "tanh", Z1, TPM),
]


@pytest.mark.parametrize("loss_name, act_name, z, t", PAIRS,
                         ids=[f"{p[0]}-{p[1]}-{p[2].shape[1]}" for p in PAIRS])
def test_grad_z_matches_finite_differences(loss_name, act_name, z, t):
    loss, act = get_loss(loss_name), get_activation(act_name)
    a = act.forward(z)
    if loss_name == "hinge":
        margins = np.abs(t * a - 1.0)
        assert margins.min() > 1e-3               # away from the hinge's kink
        assert (t * a < 1).sum() >= 2              # and some rows do contribute
    analytic = loss.grad_z(z, a, t, act)
    numeric = numeric_grad_z(loss, act, z, t)
    err = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-10)
    assert err.max() <= 1e-6
    assert np.abs(analytic).max() > 1e-3
    out = np.full_like(z, np.nan)
    assert loss.grad_z(z, a, t, act, out=out) is out
    assert np.array_equal(out, analytic)


@pytest.mark.parametrize("loss_name, act_name, z, t, scale",
                         [("bce", "sigmoid", Z1, T01, 1 / 6), ("softmax_ce", "softmax", Z3, ONEHOT, 1 / 6),
                          ("mse", "linear", Z3, Z1 * np.ones(3), 2 / 18)])
def test_fused_gradient_is_a_scaled_a_minus_t(loss_name, act_name, z, t, scale):
    # dL/dz = (a − t)/n for the cross-entropies, 2(a − t)/(n·k) for mean squared error
    loss, act = get_loss(loss_name), get_activation(act_name)
    assert loss.fused_with == act_name
    a = act.forward(z)
    np.testing.assert_allclose(loss.grad_z(z, a, t, act), (a - t) * scale, rtol=1e-15, atol=0)


def test_unfused_mse_goes_through_the_activation():
    # dL/dz = 2(a − t)/n · f'(z) for tanh (one output)
    act = get_activation("tanh")
    a = act.forward(Z1)
    expected = 2 * (a - TPM) / len(a) * (1 - a * a)
    np.testing.assert_allclose(get_loss("mse").grad_z(Z1, a, TPM, act), expected, rtol=1e-14)


# ---- stability --------------------------------------------------------------------------------


def test_bce_extreme_logits_finite():
    sigmoid = get_activation("sigmoid")
    z = col(1e4, -1e4, 1e4, -1e4, 40.0, -40.0, 40.0, -40.0)
    t = col(1, 0, 0, 1, 1, 0, 0, 1)
    a = sigmoid.forward(z)
    # σ rounds to exactly 1 and 0 here: a probability-based loss would take log(0).
    assert set(a[:, 0]) == {0.0, 1.0}
    loss = get_loss("bce")
    value = loss.value(z, a, t)
    # right answers cost ~0, wrong ones cost |z|
    assert value == pytest.approx((1e4 + 1e4 + 40 + 40) / 8, rel=1e-12)
    g = loss.grad_z(z, a, t, sigmoid)
    assert np.isfinite(g).all()
    np.testing.assert_array_equal(g, (a - t) / 8)
    # single wrong answers, one at a time
    one_wrong = loss.value(col(-40.0), sigmoid.forward(col(-40.0)), col(1.0))
    assert one_wrong == pytest.approx(40.0, rel=1e-12)
    assert loss.value(col(1e4), sigmoid.forward(col(1e4)), col(1.0)) == 0.0


def test_softmax_ce_extreme_logits_finite():
    softmax = get_activation("softmax")
    z = np.array([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0], [-1e3, 1e3, 0.0]])
    t = np.eye(3)[[0, 1, 2]]
    a = softmax.forward(z)
    loss = get_loss("softmax_ce")
    value = loss.value(z, a, t)
    # row 1 right (cost 0), row 2 wrong by 2e4, row 3 wrong by 1e3
    assert value == pytest.approx((0.0 + 2e4 + 1e3) / 3, rel=1e-12)
    g = loss.grad_z(z, a, t, softmax)
    assert np.isfinite(g).all()
    np.testing.assert_allclose(g, (a - t) / 3, rtol=0, atol=0)


@pytest.mark.parametrize("name", ["mse", "hinge"])
def test_other_losses_finite_at_saturated_outputs(name):
    tanh = get_activation("tanh")
    z = col(1e4, -1e4, 1e3, -1e3)
    a = tanh.forward(z)
    t = col(1, 1, -1, -1)
    assert math.isfinite(get_loss(name).value(z, a, t))
    assert np.isfinite(get_loss(name).grad_z(z, a, t, tanh)).all()


# ---- incompatible pairs -----------------------------------------------------------------------


def test_bce_with_tanh_output_raises():
    with pytest.raises(ConfigError) as err:
        Network([2, 3, 1], output_activation="tanh", loss="bce")
    assert err.value.field == "output_activation"
    assert err.value.allowed == ["sigmoid"]
    assert "sigmoid" in str(err.value)
    with pytest.raises(ValueError):
        get_loss("bce").check("tanh", "binary", 1)


def test_softmax_ce_on_binary_problem_raises():
    with pytest.raises(ConfigError) as err:
        Network([2, 3, 1], output_activation="softmax", loss="softmax_ce", problem="binary")
    assert err.value.field == "loss"
    assert set(err.value.allowed) == {"mse", "bce", "hinge"}
    with pytest.raises(ConfigError) as err:
        Network([2, 3, 1], loss="softmax_ce", problem="binary")
    assert err.value.field == "loss"
    with pytest.raises(ConfigError) as err:
        Network([2, 3, 1], output_activation="sigmoid", loss="softmax_ce", problem="binary")
    assert err.value.field == "output_activation" and err.value.allowed == ["softmax"]


def test_hinge_on_multiclass_raises():
    with pytest.raises(ConfigError) as err:
        Network([2, 3, 3], output_activation="linear", loss="hinge")
    assert err.value.field == "loss"
    assert "softmax_ce" in err.value.allowed and "hinge" not in err.value.allowed


def test_unknown_loss_lists_allowed():
    with pytest.raises(ConfigError) as err:
        get_loss("cross_entropy")
    assert err.value.field == "loss" and err.value.allowed == LOSSES.names()
    assert "cross_entropy" in str(err.value) and "softmax_ce" in str(err.value)


# ---- metrics ----------------------------------------------------------------------------------


def test_accuracy_by_hand():
    assert accuracy([0, 1, 1, 0], [0, 1, 0, 0]) == 0.75
    assert accuracy(np.array([[0], [1]]), np.array([0, 0])) == 0.5   # shapes flattened
    assert accuracy([2, 0, 1, 2, 1], [2, 0, 2, 2, 0]) == 0.6
    assert math.isnan(accuracy([], []))


def test_rmse_by_hand():
    value = rmse([0.0, 0.0, 0.0, 0.0], [1.0, -1.0, 3.0, -3.0])
    assert value == pytest.approx(math.sqrt(5.0), rel=1e-15)
    assert rmse([1.5, 2.5], [1.5, 2.5]) == 0.0
    assert math.isnan(rmse([], []))


def test_r2_by_hand():
    y = [1.0, 2.0, 3.0, 4.0]
    assert r2(y, y) == 1.0
    assert r2(y, [2.5] * 4) == 0.0                          # predicting the mean
    # ss_res = 0.25·4 = 1, ss_tot = 5
    assert r2(y, [1.5, 2.5, 3.5, 4.5]) == pytest.approx(0.8, rel=1e-15)
    assert r2(y, [4.0, 3.0, 2.0, 1.0]) == pytest.approx(1 - 20 / 5, rel=1e-15)   # can go negative


def test_r2_constant_targets():
    assert r2([2.0, 2.0, 2.0], [2.0, 2.0, 2.0]) == 1.0
    assert r2([2.0, 2.0, 2.0], [2.0, 2.5, 2.0]) == 0.0
    assert math.isnan(r2([], []))
