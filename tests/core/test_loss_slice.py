"""The loss along one weight (`loss_slice.loss_along`): each value of the curve is the engine's
loss with that one weight changed (plus the penalty), its slope at the current weight is the
backpropagated gradient and the curve's own finite-difference slope (to 1e-7), and nothing in
the network changes."""

import numpy as np
import pytest

from nn_core import REGULARIZERS, ConfigError, Network
from nn_core.loss_slice import RESOLUTION_RANGE, cost, loss_along

from .conftest import output_pairings


def network(problem="binary", output=None, loss=None, hidden=(4, 3), seed=3):
    k = 3 if problem == "multiclass" else 1
    net = Network([2, *hidden, k], activation="tanh", output_activation=output, loss=loss,
                  problem=problem, seed=seed)
    net.params += np.random.default_rng(seed).normal(0, 0.2, net.n_params) * (1 - net.weight_mask)
    return net


def data(net, n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 1.5, (n, 2))
    if net.problem == "regression":
        return X, rng.normal(0, 1, n)
    return X, rng.integers(0, 2 if net.problem == "binary" else net.n_outputs, n)


def moved_copy(net, layer, kind, row, col, v):
    """A copy of the network with one weight (or bias) set to v."""
    moved = Network.from_dict(net.to_dict())
    moved.set_weight(layer, row if kind == "W" else net.layers[layer].n_in, col, v)
    return moved


PARAMS = [(0, "W", 1, 2), (1, "W", 3, 0), (2, "W", 2, 0), (0, "b", None, 3), (2, "b", 0, 0)]


@pytest.mark.parametrize("regularization", REGULARIZERS.names())
@pytest.mark.parametrize("layer, kind, row, col", PARAMS)
def test_each_value_is_the_engines_objective_with_that_weight_changed(layer, kind, row, col,
                                                                       regularization):
    net = network()
    X, y = data(net)
    params, grads = net.params.copy(), net.grads.copy()
    s = loss_along(net, X, y, layer, kind, row, col, span=1.5, resolution=9,
                   regularization=regularization, reg_rate=0.05)
    assert np.array_equal(net.params, params) and np.array_equal(net.grads, grads)  # unchanged
    W, b = net.layers[layer].W, net.layers[layer].b
    current = W[row, col] if kind == "W" else b[col]
    assert s["current"] == current and s["values"][4] == current
    np.testing.assert_allclose(s["values"], current + np.linspace(-1.5, 1.5, 9), rtol=0, atol=1e-15)
    penalty = REGULARIZERS.get(regularization)()
    for v, total, data_loss, reg_loss in zip(s["values"], s["loss"], s["data_loss"], s["reg_loss"]):
        moved = moved_copy(net, layer, kind, row, col, v)
        expected = moved.loss_and_grads(X, y)[0]
        expected_reg = penalty.loss(moved.params, moved.weight_mask, 0.05)
        assert data_loss == pytest.approx(expected, rel=1e-12)
        assert reg_loss == pytest.approx(expected_reg, rel=1e-12, abs=1e-300)
        assert total == data_loss + reg_loss
    assert s["current_loss"] == s["loss"][4]


def objective(net, X, y, layer, kind, row, col, v, regularization):
    """The engine's data loss + penalty with one weight set to v (on a copy of the network)."""
    moved = moved_copy(net, layer, kind, row, col, v)
    penalty = REGULARIZERS.get(regularization)().loss(moved.params, moved.weight_mask, 0.05)
    return moved.loss_and_grads(X, y)[0] + penalty


@pytest.mark.parametrize("regularization", REGULARIZERS.names())
@pytest.mark.parametrize("problem, output, loss", output_pairings())
def test_the_gradient_is_backprops_and_the_finite_difference_slope(problem, output, loss,
                                                                    regularization):
    net = network(problem, output, loss)
    X, y = data(net)
    for layer, kind, row, col in PARAMS:
        s = loss_along(net, X, y, layer, kind, row, col, resolution=3,
                       regularization=regularization, reg_rate=0.05)
        dW, db = net.loss_and_grads(X, y)[1][layer]
        w = s["current"]
        backprop = dW[row, col] if kind == "W" else db[col]
        penalty = {"none": 0.0, "l1": 0.05 * np.sign(w), "l2": 0.05 * w}[regularization]
        penalty = penalty if kind == "W" else 0.0              # biases are never penalised
        assert s["data_gradient"] == backprop                  # the trainer's own backward pass
        assert s["reg_gradient"] == penalty
        assert s["gradient"] == backprop + penalty
        h = 1e-6
        fd = (objective(net, X, y, layer, kind, row, col, w + h, regularization)
              - objective(net, X, y, layer, kind, row, col, w - h, regularization)) / (2 * h)
        assert abs(fd - s["gradient"]) <= 1e-7 * max(1.0, abs(fd)), (layer, kind, fd, s["gradient"])


def test_one_point_is_a_batch_of_one():
    net = network("regression")
    X, y = data(net, n=1)
    s = loss_along(net, X, y, 1, "W", 0, 1, resolution=5)
    assert s["current_data_loss"] == pytest.approx(net.loss_and_grads(X, y)[0], rel=1e-12)


def test_a_big_dataset_is_run_in_chunks_with_the_same_mean():
    net = network()
    X, y = data(net, n=5000)
    s = loss_along(net, X, y, 0, "W", 0, 0, resolution=3)
    assert s["current_data_loss"] == pytest.approx(net.loss_and_grads(X, y)[0], rel=1e-12)


@pytest.mark.parametrize("args, field", [
    ((3, "W", 0, 0), "param.layer"),
    ((0, "x", 0, 0), "param.kind"),
    ((0, "W", 2, 0), "param.row"),
    ((0, "W", 0, 4), "param.col"),
    ((0, "b", None, 4), "param.col"),
    ((0, "W", 0.5, 0), "param.row"),
])
def test_bad_params_name_their_field(args, field):
    net = network()
    X, y = data(net)
    with pytest.raises(ConfigError) as err:
        loss_along(net, X, y, *args)
    assert err.value.field == field


@pytest.mark.parametrize("kw, field", [({"span": 0}, "span"), ({"span": 1e3}, "span"),
                                       ({"resolution": 2}, "resolution"),
                                       ({"resolution": 1000}, "resolution"),
                                       ({"reg_rate": -1}, "reg_rate")])
def test_bad_ranges_name_their_field(kw, field):
    net = network()
    X, y = data(net)
    with pytest.raises(ConfigError) as err:
        loss_along(net, X, y, 0, "W", 0, 0, **kw)
    assert err.value.field == field


def test_cost_counts_only_the_layers_from_the_weights_own():
    sizes = [2, 8, 8, 1]
    first, last = cost(sizes, 0, 100, 41), cost(sizes, 2, 100, 41)
    assert first > last > 0
    assert cost(sizes, 0, 200, 41) == 2 * first
    assert cost(sizes, 0, 100, RESOLUTION_RANGE[1]) > cost(sizes, 0, 100, RESOLUTION_RANGE[0])
