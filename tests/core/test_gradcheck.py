"""The gradient-check matrix: every hidden activation × every loss (with compatible outputs) ×
every regularizer, float64, max relative error ≤ 1e-6; and the checker catches wrong gradients."""

import numpy as np
import pytest

import nn_core
from nn_core import ACTIVATIONS, LOSSES, REGULARIZERS, Network, gradcheck
from nn_core.activations import OUTPUT_ONLY, Tanh
from nn_core.gradcheck import numeric_gradient, relative_error

HIDDEN = [name for name in ACTIVATIONS if name not in OUTPUT_ONLY]

# loss -> [(output activation, problem), ...] it can train
LOSS_SETUPS = {
    "bce": [("sigmoid", "binary")],
    "softmax_ce": [("softmax", "multiclass")],
    "mse": [("linear", "regression"), ("tanh", "binary"), ("sigmoid", "binary")],
    "hinge": [("linear", "binary"), ("tanh", "binary")],
}
CASES = [(loss, out, problem) for loss, setups in LOSS_SETUPS.items() for out, problem in setups]
REG = [("none", 0.0), ("l1", 0.01), ("l2", 0.01)]

N = 6


def data(problem, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(0.0, 1.0, size=(N, 3))
    if problem == "binary":
        y = np.array([0, 1, 1, 0, 1, 1])
    elif problem == "multiclass":
        y = np.array([0, 1, 2, 2, 1, 0])
    else:
        y = rng.normal(0.0, 1.0, size=N)
    return X, y


def build(activation, loss, output, problem, seed=1):
    k = 3 if problem == "multiclass" else 1
    net = Network([3, 4, 3, k], activation=activation, output_activation=output, loss=loss,
                  problem=problem, init="xavier_normal", seed=seed)
    # Non-zero biases: with zero biases a row whose ReLU layer is all dead feeds exactly
    # z = 0 (the kink) to the next layer.
    net.params += np.random.default_rng(seed).normal(0.0, 0.1, net.n_params) * (1 - net.weight_mask)
    return net


def test_matrix_covers_every_loss_and_regularizer():
    assert set(LOSS_SETUPS) == set(LOSSES.names())
    assert [name for name, _ in REG] == REGULARIZERS.names()
    assert len(HIDDEN) >= 9


@pytest.mark.parametrize("reg, rate", REG, ids=[r for r, _ in REG])
@pytest.mark.parametrize("loss, output, problem", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
@pytest.mark.parametrize("activation", HIDDEN)
def test_gradcheck_matrix(activation, loss, output, problem, reg, rate):
    net = build(activation, loss, output, problem)
    X, y = data(problem)
    before = net.params.copy()
    if loss == "hinge":
        # keep every row away from the kink t·a = 1 (it has no derivative there)
        T = net.encode_targets(y)
        margin = T * net.forward(X).output
        assert np.abs(margin - 1.0).min() > 1e-3
        assert (margin < 1.0).sum() >= 2
    error = gradcheck(net, X, y, reg, rate)
    assert error <= 1e-6, f"{activation} × {loss}/{output} × {reg}: relative error {error:.2e}"
    assert np.array_equal(net.params, before)            # weights left as they were
    # The check is not vacuous: most entries of the gradient are far from zero.
    net.loss_and_grads(X, y)
    assert (np.abs(net.grads) > 1e-6).mean() > 0.5


def test_gradcheck_accepts_regularizer_objects_and_is_small_for_a_correct_gradient():
    net = build("tanh", "bce", "sigmoid", "binary")
    X, y = data("binary")
    assert gradcheck(net, X, y, REGULARIZERS.get("l2")(), 0.5) <= 1e-6
    assert gradcheck(net, X, y) <= 1e-6
    # a correct float64 gradient sits many orders below the threshold
    assert gradcheck(net, X, y, "l1", 0.1) < 1e-7


def test_catches_a_wrong_activation_derivative(monkeypatch):
    net = build("tanh", "bce", "sigmoid", "binary")
    X, y = data("binary")
    right = Tanh.backward

    def off_by_ten_percent(self, z, a, dA, out=None):
        out = right(self, z, a, dA, out=out)
        out *= 1.1
        return out

    monkeypatch.setattr(Tanh, "backward", off_by_ten_percent)
    error = gradcheck(net, X, y)
    assert error > 1e-2


@pytest.mark.parametrize("output, problem, method", [("tanh", "binary", "grad_a"),
                                                     ("linear", "regression", "fused_scale")])
def test_catches_a_wrong_loss_gradient(monkeypatch, output, problem, method):
    # Both paths of mse: through the output's derivative (tanh) and fused with a linear output.
    net = build("relu", "mse", output, problem)
    X, y = data(problem)
    assert gradcheck(net, X, y) < 1e-6
    mse = type(net.loss_fn)
    right = getattr(mse, method)
    monkeypatch.setattr(mse, method, lambda self, *args: 2.0 * right(self, *args))
    assert gradcheck(net, X, y) > 0.1


def test_catches_a_regularizer_gradient_left_out():
    # Checking the penalised loss against the data gradient alone must fail.
    net = build("tanh", "bce", "sigmoid", "binary")
    X, y = data("binary")

    class Forgetful(type(REGULARIZERS.get("l2")())):
        def add_grad(self, params, mask, rate, grads):
            pass

    assert gradcheck(net, X, y, Forgetful(), 0.1) > 1e-2


def test_numeric_gradient_and_relative_error_helpers():
    x = np.array([1.0, -2.0, 0.5])
    g = numeric_gradient(lambda: float(np.sum(x ** 3)), x)
    np.testing.assert_allclose(g, 3 * x ** 2, rtol=1e-9)
    assert np.array_equal(x, [1.0, -2.0, 0.5])             # restored
    assert relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert relative_error([1.1], [1.0]) == pytest.approx(0.1 / 2.1)
    assert nn_core.gradcheck is gradcheck
