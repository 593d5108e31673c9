"""Grid evaluation: shapes and float32, agreement with the float64 forward pass, orientation,
feature transforms, no side effects on training, and rejected bad resolutions and bounds."""

import numpy as np
import pytest

from nn_core import (
    ConfigError,
    GridInputs,
    Network,
    Trainer,
    evaluate_grid,
    make_dataset,
    transform,
)
from nn_core.grid import (
    DEFAULT_BOUNDS,
    DEFAULT_NEURON_RESOLUTION,
    DEFAULT_RESOLUTION,
    MAX_RESOLUTION,
)


def net_for(features, hidden=(5, 3), k=1, activation="tanh", seed=0, **kw):
    problem = "multiclass" if k > 1 else "binary"
    return Network([len(features), *hidden, k], activation=activation, problem=problem, seed=seed,
                   **kw)


def plane_points(bounds, n):
    x0, x1, y0, y1 = bounds
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    # row i ↔ y = ys[i], column j ↔ x = xs[j]
    return np.array([[x, y] for y in ys for x in xs]), xs, ys


def test_shapes_and_dtypes():
    net = Network([2, 6, 4, 3], activation="relu", seed=1)
    g = evaluate_grid(net, ["x1", "x2"], resolution=50, neuron_resolution=20)
    assert g.output.shape == (50, 50, 3) and g.output.dtype == np.float32
    assert g.output_small.shape == (20, 20, 3) and g.output_small.dtype == np.float32
    assert [m.shape for m in g.neurons] == [(20, 20, 6), (20, 20, 4)]
    assert all(m.dtype == np.float32 for m in g.neurons)
    assert g.inputs.shape == (20, 20, 2) and g.inputs.dtype == np.float32
    assert (g.resolution, g.neuron_resolution, g.bounds) == (50, 20, (-6.0, 6.0, -6.0, 6.0))
    # softmax rows sum to one
    np.testing.assert_allclose(g.output.sum(axis=2), 1.0, rtol=1e-5)


def test_defaults_are_the_playgrounds_grid():
    assert (DEFAULT_BOUNDS, DEFAULT_RESOLUTION, DEFAULT_NEURON_RESOLUTION) == (
        (-6.0, 6.0, -6.0, 6.0), 100, 25)
    g = evaluate_grid(net_for(["x1", "x2"]), ["x1", "x2"])
    assert (g.bounds, g.resolution, g.neuron_resolution) == ((-6.0, 6.0, -6.0, 6.0), 100, 25)
    assert g.output.shape == (100, 100, 1) and g.neurons[0].shape == (25, 25, 5)


def test_neuron_resolution_none_is_the_output_resolution():
    g = evaluate_grid(net_for(["x1", "x2"]), ["x1", "x2"], resolution=30, neuron_resolution=None)
    assert g.neuron_resolution == 30 and g.neurons[0].shape == (30, 30, 5)
    np.testing.assert_array_equal(g.output, g.output_small)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "swish", "sine"])
def test_output_equals_float64_forward(activation):
    bounds = (-6.0, 6.0, -6.0, 6.0)
    net = net_for(["x1", "x2"], activation=activation, seed=2)
    g = evaluate_grid(net, ["x1", "x2"], bounds=bounds, resolution=40, neuron_resolution=15)
    pts, _, _ = plane_points(bounds, 40)
    expected = net.forward(pts).output.reshape(40, 40, 1)
    np.testing.assert_allclose(g.output, expected, rtol=0, atol=1e-5)
    small, _, _ = plane_points(bounds, 15)
    fwd = net.forward(small)
    for layer_map, a in zip(g.neurons, fwd.a[:-1]):
        np.testing.assert_allclose(layer_map, a.reshape(15, 15, -1), rtol=0, atol=1e-5)
    np.testing.assert_allclose(g.output_small, fwd.output.reshape(15, 15, 1), rtol=0, atol=1e-5)


def test_orientation_rows_are_y_columns_are_x():
    # A network whose output is its input x (first neuron) or y: linear, identity weights.
    bounds = (-1.0, 3.0, -2.0, 5.0)
    net = Network([2, 2, 2], activation="linear", output_activation="linear", loss="mse",
                  problem="regression", seed=0)
    net.set_params([(np.eye(2), np.zeros(2)), (np.eye(2), np.zeros(2))])
    g = evaluate_grid(net, ["x1", "x2"], bounds=bounds, resolution=5, neuron_resolution=3)
    x, y = g.output[..., 0], g.output[..., 1]
    assert (x[0, 0], y[0, 0]) == (-1.0, -2.0)          # row 0, column 0: (x_min, y_min)
    assert (x[0, -1], y[0, -1]) == (3.0, -2.0)         # row 0, last column: (x_max, y_min)
    assert (x[-1, 0], y[-1, 0]) == (-1.0, 5.0)         # last row, column 0: (x_min, y_max)
    assert (x[-1, -1], y[-1, -1]) == (3.0, 5.0)
    np.testing.assert_allclose(x[2], np.linspace(-1, 3, 5))      # x varies along a row
    np.testing.assert_allclose(y[:, 2], np.linspace(-2, 5, 5))   # y varies down a column
    np.testing.assert_allclose(g.inputs[..., 0][1], [-1.0, 1.0, 3.0])
    np.testing.assert_allclose(g.inputs[..., 1][:, 1], [-2.0, 1.5, 5.0])
    np.testing.assert_array_equal(g.neurons[0], g.output_small)


def test_features_are_applied_to_grid_points():
    features = ["x1", "x2", "x1_sq", "x1x2", "sin_x2"]
    net = net_for(features, seed=3)
    bounds = (-4.0, 4.0, -3.0, 3.0)
    g = evaluate_grid(net, ["sin_x2", "x1x2", "x1", "x2", "x1_sq"], bounds=bounds, resolution=21,
                      neuron_resolution=11)
    small, xs, ys = plane_points(bounds, 11)
    X = transform(small, features)
    np.testing.assert_allclose(g.inputs.reshape(-1, 5), X, rtol=1e-6, atol=1e-6)
    gx, gy = np.meshgrid(xs, ys)
    np.testing.assert_allclose(g.inputs[..., 2], gx ** 2, rtol=1e-6)
    np.testing.assert_allclose(g.inputs[..., 3], gx * gy, rtol=1e-6, atol=1e-6)
    big, _, _ = plane_points(bounds, 21)
    expected = net.forward(transform(big, features)).output.reshape(21, 21, 1)
    np.testing.assert_allclose(g.output, expected, atol=1e-5)


def test_resolution_400_and_cached_grid_inputs():
    net = Network([2, 8, 8, 1], activation="tanh", output_activation="sigmoid", seed=0)
    grid = GridInputs(["x1", "x2"], resolution=MAX_RESOLUTION, neuron_resolution=50)
    assert MAX_RESOLUTION == 400 and grid.X.shape == (400 * 400 + 50 * 50, 2)
    g = evaluate_grid(net, grid=grid)
    assert g.output.shape == (400, 400, 1) and np.isfinite(g.output).all()
    again = evaluate_grid(net, ["x1", "x2"], resolution=400, neuron_resolution=50)
    np.testing.assert_array_equal(g.output, again.output)
    assert (grid.features, grid.bounds, grid.resolution, grid.neuron_resolution) == (
        ["x1", "x2"], (-6.0, 6.0, -6.0, 6.0), 400, 50)


def test_no_side_effects_on_training():
    d = make_dataset("circle", seed=1)
    X, y = d.points, d.labels

    def trainer():
        net = Network([2, 6, 1], activation="tanh", output_activation="sigmoid", seed=4)
        return Trainer(net, X[:300], y[:300], X[300:], y[300:], optimizer="adam",
                       learning_rate=0.02)

    a, b = trainer(), trainer()
    a.step(33)
    b.step(33)
    params, grads = a.net.params.copy(), a.net.grads.copy()
    metrics = a.metrics()
    for _ in range(3):
        evaluate_grid(a.net, ["x1", "x2"], resolution=60, neuron_resolution=10)
    assert np.array_equal(a.net.params, params) and np.array_equal(a.net.grads, grads)
    assert a.metrics() == metrics
    assert a.net.params.dtype == np.float64
    a.step(40)
    b.step(40)
    assert a.net.params.tobytes() == b.net.params.tobytes()


def test_diverged_network_maps_without_warnings():
    net = net_for(["x1", "x2"], activation="relu")
    for value in (1e30, 1e300, np.inf, np.nan):   # 1e300 does not even fit in float32
        net.params[:] = value
        g = evaluate_grid(net, ["x1", "x2"], resolution=10)   # no RuntimeWarning raised
        assert g.output.shape == (10, 10, 1)


@pytest.mark.parametrize("kwargs, field", [
    (dict(resolution=1), "resolution"),
    (dict(resolution=401), "resolution"),
    (dict(resolution=2.5), "resolution"),
    (dict(resolution="100"), "resolution"),
    (dict(neuron_resolution=0), "neuron_resolution"),
    (dict(neuron_resolution=1000), "neuron_resolution"),
    (dict(bounds=(1.0, -1.0, -6.0, 6.0)), "bounds"),
    (dict(bounds=(-6.0, 6.0, 2.0, 2.0)), "bounds"),
    (dict(bounds=(-6.0, 6.0, -6.0)), "bounds"),
    (dict(bounds="wide"), "bounds"),
    (dict(bounds=(-6.0, float("nan"), -6.0, 6.0)), "bounds.x_max"),
    (dict(bounds=(-6.0, 6.0, -1e5, 6.0)), "bounds.y_min"),
])
def test_bad_resolution_and_bounds(kwargs, field):
    with pytest.raises(ConfigError) as err:
        evaluate_grid(net_for(["x1", "x2"]), ["x1", "x2"], **kwargs)
    assert err.value.field == field
    assert err.value.allowed is not None and str(err.value).startswith(field)


def test_features_must_fit_the_network():
    with pytest.raises(ConfigError) as err:
        evaluate_grid(net_for(["x1", "x2"]), ["x1", "x2", "x1_sq"], resolution=10)
    assert err.value.field == "features"
    with pytest.raises(ConfigError) as err:
        evaluate_grid(net_for(["x1", "x2"]), ["x1", "x3"], resolution=10)
    assert err.value.field == "features" and "x1_sq" in err.value.allowed
