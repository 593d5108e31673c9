"""Regularizers: loss values by hand, gradients against finite differences, biases untouched."""

import numpy as np
import pytest

from nn_core.regularizers import REG_RATE_RANGE, REGULARIZERS

NAMES = REGULARIZERS.names()

PARAMS = np.array([0.5, -2.0, 3.0, -0.25, 7.0])
MASK = np.array([1.0, 1.0, 1.0, 1.0, 0.0])  # the last entry is a bias


def test_registry_and_bounds():
    assert NAMES == ["none", "l1", "l2"]
    assert REG_RATE_RANGE == (0.0, 10.0)
    for name in NAMES:
        assert REGULARIZERS.get(name).name == name
        info = REGULARIZERS.info(name)
        assert info["label"] and info["formula"].startswith("R(w) = ")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("none", 0.0),
        ("l1", 0.1 * (0.5 + 2.0 + 3.0 + 0.25)),  # the bias 7.0 is not counted
        ("l2", 0.1 * 0.5 * (0.25 + 4.0 + 9.0 + 0.0625)),
    ],
)
def test_loss_by_hand(name, expected):
    loss = REGULARIZERS.get(name)().loss(PARAMS, MASK, 0.1)
    assert isinstance(loss, float)
    assert loss == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_zero_rate(name):
    reg = REGULARIZERS.get(name)()
    assert reg.loss(PARAMS, MASK, 0.0) == 0.0
    grads = np.ones(5)
    reg.add_grad(PARAMS, MASK, 0.0, grads)
    assert np.array_equal(grads, np.ones(5))


def test_add_grad_by_hand():
    grads = np.full(5, 1.0)
    REGULARIZERS.get("l2")().add_grad(PARAMS, MASK, 0.1, grads)
    np.testing.assert_allclose(grads, [1.05, 0.8, 1.3, 0.975, 1.0], rtol=1e-15)
    grads = np.full(5, 1.0)
    REGULARIZERS.get("l1")().add_grad(PARAMS, MASK, 0.1, grads)
    np.testing.assert_allclose(grads, [1.1, 0.9, 1.1, 0.9, 1.0], rtol=1e-15)


def test_l1_subgradient_zero_at_zero():
    grads = np.zeros(3)
    REGULARIZERS.get("l1")().add_grad(np.array([0.0, 1.0, -1.0]), np.ones(3), 2.0, grads)
    assert np.array_equal(grads, [0.0, 2.0, -2.0])


def weights_away_from_zero(seed, size=60):
    rng = np.random.default_rng(seed)
    # |w| ≥ 0.1 keeps L1 differentiable within the finite-difference step.
    params = rng.choice([-1.0, 1.0], size=size) * rng.uniform(0.1, 3.0, size=size)
    mask = (rng.uniform(size=size) < 0.7).astype(np.float64)
    return params, mask


@pytest.mark.parametrize("name", ["l1", "l2"])
@pytest.mark.parametrize("rate", [0.003, 1.7])
def test_add_grad_matches_finite_difference(name, rate):
    reg = REGULARIZERS.get(name)()
    params, mask = weights_away_from_zero(1)
    base = np.random.default_rng(2).normal(size=params.size)
    grads = base.copy()
    reg.add_grad(params, mask, rate, grads)
    analytic = grads - base
    h = 1e-5
    numeric = np.empty_like(params)
    for i in range(params.size):
        plus, minus = params.copy(), params.copy()
        plus[i] += h
        minus[i] -= h
        numeric[i] = (reg.loss(plus, mask, rate) - reg.loss(minus, mask, rate)) / (2 * h)
    scale = np.maximum(np.abs(numeric), np.abs(analytic))
    rel = np.abs(numeric - analytic) / np.where(scale > 0, scale, 1.0)
    assert rel.max() <= 1e-6
    assert np.abs(analytic[mask == 1.0]).min() > 0


@pytest.mark.parametrize("name", NAMES)
def test_biases_untouched(name):
    reg = REGULARIZERS.get(name)()
    params, _ = weights_away_from_zero(3)
    mask = np.zeros(params.size)
    grads = np.arange(params.size, dtype=np.float64)
    reg.add_grad(params, mask, 5.0, grads)
    assert np.array_equal(grads, np.arange(params.size))
    assert reg.loss(params, mask, 5.0) == 0.0
    # Changing a bias never changes the penalty.
    mask[0] = 1.0
    moved = params.copy()
    moved[1:] *= -3.0
    assert reg.loss(moved, mask, 5.0) == reg.loss(params, mask, 5.0)


@pytest.mark.parametrize("name", ["l1", "l2"])
def test_scratch_follows_size_changes(name):
    reg = REGULARIZERS.get(name)()
    small = np.zeros(3)
    reg.add_grad(np.ones(3), np.ones(3), 1.0, small)
    big = np.zeros(8)
    reg.add_grad(-np.ones(8), np.ones(8), 1.0, big)
    assert np.array_equal(small, np.ones(3))
    assert np.array_equal(big, -np.ones(8))


def test_params_and_mask_not_modified():
    params, mask = weights_away_from_zero(4)
    p0, m0 = params.copy(), mask.copy()
    for name in NAMES:
        reg = REGULARIZERS.get(name)()
        reg.loss(params, mask, 0.5)
        reg.add_grad(params, mask, 0.5, np.zeros(params.size))
    assert np.array_equal(params, p0) and np.array_equal(mask, m0)


# ---- L1's proximal (soft-threshold) step ---------------------------------------------------------


def test_only_l1_is_proximal():
    assert [REGULARIZERS.get(n).proximal for n in NAMES] == [False, True, False]


def test_l1_prox_by_hand_gives_exact_positive_zeros_and_leaves_biases():
    l1 = REGULARIZERS.get("l1")()
    params = PARAMS.copy()
    l1.prox(params, MASK, 0.1, 1.0)               # threshold η·λ = 0.1
    np.testing.assert_allclose(params, [0.4, -1.9, 2.9, -0.15, 7.0], rtol=1e-15)
    params = PARAMS.copy()
    l1.prox(params, MASK, 0.1, 3.0)               # threshold 0.3: −0.25 stops at zero
    np.testing.assert_allclose(params, [0.2, -1.7, 2.7, 0.0, 7.0], rtol=1e-15)
    assert params[3] == 0.0 and not np.signbit(params[3])      # +0.0, not −0.0
    params = PARAMS.copy()
    l1.prox(params, MASK, 1.0, 100.0)             # everything but the bias goes
    assert params.tolist() == [0.0, 0.0, 0.0, 0.0, 7.0]


def test_l1_prox_takes_one_step_size_per_parameter():
    l1 = REGULARIZERS.get("l1")()
    params = PARAMS.copy()
    l1.prox(params, MASK, 0.5, np.array([0.2, 2.0, 0.0, 1.0, 50.0]))   # thresholds 0.1, 1, 0, 0.5
    np.testing.assert_allclose(params, [0.4, -1.0, 3.0, 0.0, 7.0], rtol=1e-15)


@pytest.mark.parametrize("name", ["none", "l2"])
def test_other_penalties_have_no_prox(name):
    params = PARAMS.copy()
    REGULARIZERS.get(name)().prox(params, MASK, 1.0, 1.0)
    assert np.array_equal(params, PARAMS)
