"""The transformed-space view: shapes, the same numbers as the hidden activations of
`Network.forward` on the same inputs, grid lines laid out as documented, every bad layer or
neuron index rejected with a ConfigError naming the field and the allowed range, and no side
effects on the network or a trainer."""

import numpy as np
import pytest

from nn_core import ConfigError, Network, Trainer, make_dataset, transform, transformed_space
from nn_core.transformed import grid_lines

FEATURES = ["x1", "x2", "x1_sq", "sin_x2"]


def net(hidden=(5, 3), features=FEATURES, activation="tanh", seed=0):
    return Network([len(features), *hidden, 1], activation=activation, problem="binary", seed=seed)


def some_points(n=40, seed=0):
    return np.random.default_rng(seed).uniform(-6, 6, size=(n, 2))


def test_shapes_and_selection_echo():
    out = transformed_space(net(), FEATURES, some_points(40), layer=1, neurons=[2, 0])
    assert out["points"].shape == (40, 2) and out["points"].dtype == np.float64
    assert out["lines"].shape == (26, 60, 2) and out["lines"].dtype == np.float64
    assert (out["layer"], out["neurons"]) == (1, [2, 0])
    small = transformed_space(net(), FEATURES, some_points(7), 0, (4, 4), lines=5, samples=11)
    assert small["points"].shape == (7, 2) and small["lines"].shape == (10, 11, 2)


def test_points_are_the_hidden_activations_of_forward():
    network, pts = net(), some_points(50, seed=3)
    acts = network.forward(transform(pts, FEATURES)).a
    for layer, (a, b) in [(0, (0, 4)), (0, (3, 1)), (1, (0, 2)), (1, (1, 1))]:
        out = transformed_space(network, FEATURES, pts, layer, [a, b])
        np.testing.assert_array_equal(out["points"][:, 0], acts[layer][:, a])
        np.testing.assert_array_equal(out["points"][:, 1], acts[layer][:, b])
    # tanh keeps every activation inside (−1, 1)
    assert np.abs(out["points"]).max() < 1


def test_lines_are_the_grid_lines_mapped_through_the_network():
    network = net(hidden=(6,), activation="relu", seed=2)
    plane = grid_lines((-6, 6, -6, 6), 13, 60)
    # vertical lines first (x fixed, y from −6 to 6), then horizontal ones (y fixed)
    np.testing.assert_array_equal(plane[:13, :, 0], np.repeat(np.linspace(-6, 6, 13)[:, None], 60, 1))
    np.testing.assert_array_equal(plane[0, :, 1], np.linspace(-6, 6, 60))
    np.testing.assert_array_equal(plane[13:, :, 1], np.repeat(np.linspace(-6, 6, 13)[:, None], 60, 1))
    np.testing.assert_array_equal(plane[20, :, 0], np.linspace(-6, 6, 60))
    out = transformed_space(network, FEATURES, some_points(5), 0, [5, 2])
    acts = network.forward(transform(plane.reshape(-1, 2), FEATURES)).a[0]
    np.testing.assert_array_equal(out["lines"].reshape(-1, 2), acts[:, [5, 2]])
    # other bounds move the lines: line 0 is now x = −2, line 13 is y = 1
    other = grid_lines((-2, 3, 1, 4), 13, 60)
    assert other[0, 0, 0] == -2 and other[12, 0, 0] == 3 and other[13, 0, 1] == 1
    assert other[25, 0, 1] == 4


@pytest.mark.parametrize("layer, neurons, field, allowed", [
    (2, [0, 1], "layer", [0, 1]),
    (-1, [0, 1], "layer", [0, 1]),
    (0.5, [0, 1], "layer", [0, 1]),
    ("0", [0, 1], "layer", [0, 1]),
    (0, [5, 1], "neurons[0]", [0, 4]),
    (0, [0, -1], "neurons[1]", [0, 4]),
    (1, [0, 3], "neurons[1]", [0, 2]),
    (1, [0], "neurons", [0, 2]),
    (1, 2, "neurons", [0, 2]),
    (1, [0, "1"], "neurons[1]", [0, 2]),
])
def test_bad_indices_name_the_field_and_range(layer, neurons, field, allowed):
    with pytest.raises(ConfigError) as err:
        transformed_space(net(), FEATURES, some_points(), layer, neurons)
    assert err.value.field == field and err.value.allowed == allowed


def test_no_hidden_layer_and_bad_sizes_are_rejected():
    with pytest.raises(ConfigError) as err:
        transformed_space(net(hidden=()), FEATURES, some_points(), 0, [0, 0])
    assert err.value.field == "layer" and "no hidden layer" in str(err.value)
    for kw, field in [({"lines": 1}, "lines"), ({"samples": 1}, "samples"),
                      ({"bounds": (1, 0, 0, 1)}, "bounds")]:
        with pytest.raises(ConfigError) as err:
            transformed_space(net(), FEATURES, some_points(), 0, [0, 1], **kw)
        assert err.value.field == field
    with pytest.raises(ConfigError) as err:
        transformed_space(net(), ["x1", "x2"], some_points(), 0, [0, 1])
    assert err.value.field == "features"
    with pytest.raises(ConfigError) as err:
        transformed_space(net(), FEATURES, np.zeros((4, 3)), 0, [0, 1])
    assert err.value.field == "points"


def test_no_side_effects_on_network_or_trainer():
    data = make_dataset("circle", n_points=60, seed=0)
    X = transform(data.points, FEATURES)
    network = net()
    trainer = Trainer(network, X[:40], data.labels[:40], X[40:], data.labels[40:], batch_size=10)
    trainer.run(epochs=2)
    params, grads = network.params.copy(), network.grads.copy()
    state = (trainer.epoch, trainer.steps, len(trainer.history.since(0)["epoch"]))
    transformed_space(network, FEATURES, data.points, 1, [0, 2])
    np.testing.assert_array_equal(network.params, params)
    np.testing.assert_array_equal(network.grads, grads)
    assert (trainer.epoch, trainer.steps, len(trainer.history.since(0)["epoch"])) == state
    # and training on gives exactly what it would have without the view
    twin = net()
    twin_trainer = Trainer(twin, X[:40], data.labels[:40], X[40:], data.labels[40:], batch_size=10)
    twin_trainer.run(epochs=2)
    trainer.run(epochs=1)
    twin_trainer.run(epochs=1)
    np.testing.assert_array_equal(network.params, twin.params)


def test_diverged_weights_give_nan_without_warnings():
    network = net(hidden=(4,), activation="relu")
    network.params[:] = 1e308
    out = transformed_space(network, FEATURES, some_points(), 0, [0, 1])
    assert not np.isfinite(out["points"]).all()
