"""The loss landscape: the batched grid equals the loss of each cell's parameters computed one by
one, its centre is the network's own data loss (1e-12), random directions are filter-normalised,
PCA directions orthonormal, projections exact for points in the plane; every loss's per-row
values average to its value."""

import numpy as np
import pytest

import nn_core.landscape as landscape_module
from nn_core import LOSSES, ConfigError, Network, Trainer, make_dataset, train_test_split
from nn_core.landscape import (
    ACTIVATION_COST,
    PCA_MARGIN,
    cost,
    filters,
    grid_axis,
    loss_landscape,
    pca_directions,
    project,
    random_directions,
    surface,
)

# (problem, output activation, loss, dataset)
CASES = [
    ("binary", "sigmoid", "bce", "circle"),
    ("binary", "tanh", "mse", "xor"),
    ("binary", "linear", "hinge", "moons"),
    ("multiclass", "softmax", "softmax_ce", "spiral_k"),
    ("regression", "linear", "mse", "plane"),
]


def setup(problem, output, loss, dataset, hidden=(4, 2), activation="tanh", epochs=5, seed=1):
    data = make_dataset(dataset, n_points=120, noise=0.1, seed=seed)
    X, y, Xt, yt = train_test_split(data.points, data.labels, 0.5, seed=seed)
    k = int(y.max()) + 1 if problem == "multiclass" else 1
    net = Network([2, *hidden, k], activation=activation, output_activation=output, loss=loss,
                  problem=problem, seed=seed)
    trainer = Trainer(net, X, y, Xt, yt, optimizer="adam", learning_rate=0.05)
    trainer.run(epochs)
    return net, trainer, X, y


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


@pytest.mark.parametrize("loss", LOSSES.names())
def test_each_loss_rows_average_to_its_value(loss):
    rng = np.random.default_rng(0)
    fn = LOSSES.get(loss)()
    z = rng.normal(0, 2, size=(9, 3 if loss == "softmax_ce" else 1))
    a = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True) if loss == "softmax_ce" else np.tanh(z)
    t = (np.eye(3)[[0, 1, 2, 2, 1, 0, 0, 1, 2]] if loss == "softmax_ce"
         else rng.choice([-1.0, 1.0], size=z.shape) if loss == "hinge"
         else rng.integers(0, 2, size=z.shape).astype(float))
    rows = fn.rows(z, a, t)
    assert rows.shape == (9,)
    assert rel(rows.mean(), fn.value(z, a, t)) < 1e-12
    # leading axes broadcast: a stack of 4 copies scores each copy alike
    stacked = fn.rows(np.stack([z] * 4), np.stack([a] * 4), t)
    assert stacked.shape == (4, 9) and np.array_equal(stacked, np.stack([rows] * 4))


@pytest.mark.parametrize("problem, output, loss, dataset", CASES, ids=[c[2] + "-" + c[1] for c in CASES])
@pytest.mark.parametrize("directions", ["pca", "random"])
def test_the_centre_is_the_networks_data_loss(problem, output, loss, dataset, directions):
    net, trainer, X, y = setup(problem, output, loss, dataset)
    before = net.params.copy()
    result = loss_landscape(net, net.params, X, y, [trainer.trajectory.params], resolution=11,
                       directions=directions, seed=3)
    assert np.array_equal(net.params, before)                       # no side effects
    expected = net.loss_and_grads(X, y)[0]
    assert rel(result.origin_loss, expected) < 1e-12
    assert result.loss[5, 5] == result.origin_loss
    assert rel(expected, trainer.metrics()["train_loss"]) < 1e-12
    assert result.directions == directions
    assert result.loss.shape == (11, 11) and result.alphas[5] == 0.0 and result.betas[5] == 0.0


@pytest.mark.parametrize("hidden", [(5, 3, 4), ()], ids=["three-hidden", "no-hidden"])
@pytest.mark.parametrize("problem, output, loss, dataset", CASES, ids=[c[2] + "-" + c[1] for c in CASES])
def test_every_cell_is_the_loss_of_its_own_parameters(problem, output, loss, dataset, hidden):
    net, trainer, X, y = setup(problem, output, loss, dataset, hidden=hidden, activation="elu")
    origin = net.params.copy()
    d1, d2 = random_directions(net, origin, seed=7)
    alphas, betas = np.array([-1.0, -0.25, 0.0, 0.5]), np.array([-0.5, 0.0, 0.75])
    grid = surface(net, origin, d1, d2, alphas, betas, X, net.encode_targets(y))
    assert grid.shape == (3, 4)
    for i, b in enumerate(betas):
        for j, a in enumerate(alphas):
            net.params[...] = origin + a * d1 + b * d2
            assert rel(grid[i, j], net.loss_and_grads(X, y)[0]) < 1e-12, (i, j)
    net.params[...] = origin


def test_random_directions_are_filter_normalised():
    net, _, X, y = setup("binary", "sigmoid", "bce", "circle", hidden=(6, 3))
    origin = net.params.copy()
    start, rows, cols = filters(net)[1]
    origin[start:start + rows * cols].reshape(rows, cols)[:, 1] = 0.0   # a whole filter at zero
    d1, d2 = random_directions(net, origin, seed=11)
    for d in (d1, d2):
        for start, rows, cols in filters(net):
            theta = origin[start:start + rows * cols].reshape(rows, cols)
            block = d[start:start + rows * cols].reshape(rows, cols)
            for j in range(cols):                              # filter = neuron j's weights + bias
                want = np.linalg.norm(theta[:, j]) or 1.0
                assert rel(np.linalg.norm(block[:, j]), want) < 1e-12
    assert not np.allclose(d1, d2)
    again = random_directions(net, origin, seed=11)
    assert np.array_equal(again[0], d1) and np.array_equal(again[1], d2)
    assert not np.array_equal(random_directions(net, origin, seed=12)[0], d1)


def test_pca_directions_are_orthonormal_and_span_a_planar_trajectory():
    rng = np.random.default_rng(0)
    origin = rng.normal(size=40)
    u, v = rng.normal(size=40), rng.normal(size=40)
    coords = rng.normal(size=(15, 2))
    points = origin + coords[:, :1] * u + coords[:, 1:] * v      # all in one plane through θ₀
    d1, d2 = pca_directions(origin, [points[:8], points[8:]])
    assert abs(d1 @ d1 - 1) < 1e-12 and abs(d2 @ d2 - 1) < 1e-12 and abs(d1 @ d2) < 1e-12
    alpha, beta = project(points, origin, d1, d2)
    rebuilt = origin + alpha[:, None] * d1 + beta[:, None] * d2
    assert np.abs(rebuilt - points).max() < 1e-12 * np.abs(points).max()
    # the first direction carries the most spread
    assert np.var(alpha) >= np.var(beta)


def test_projection_is_exact_in_the_plane_and_least_squares_off_it():
    net, _, _, _ = setup("binary", "sigmoid", "bce", "circle")
    origin = net.params.copy()
    d1, d2 = random_directions(net, origin, seed=1)             # not orthogonal
    points = np.array([origin + 0.3 * d1 - 0.7 * d2, origin, origin + 2.5 * d2])
    alpha, beta = project(points, origin, d1, d2)
    np.testing.assert_allclose(alpha, [0.3, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(beta, [-0.7, 0.0, 2.5], atol=1e-12)
    assert alpha[1] == 0.0 and beta[1] == 0.0                   # θ₀ itself: exactly the origin
    # off the plane: the residual is orthogonal to both directions
    off = origin + 0.4 * d1 + np.random.default_rng(2).normal(size=origin.size)
    (a,), (b,) = project(off[None], origin, d1, d2)
    residual = off - origin - a * d1 - b * d2
    assert abs(residual @ d1) < 1e-9 and abs(residual @ d2) < 1e-9


def test_a_point_that_is_not_finite_does_not_spoil_the_others():
    """A diverged run's path keeps its finite points (its start, at least) on the plane."""
    net, _, _, _ = setup("binary", "sigmoid", "bce", "circle")
    origin = net.params.copy()
    d1, d2 = random_directions(net, origin, seed=1)
    broken = origin.copy()
    broken[0] = np.nan
    points = np.array([origin + 0.3 * d1 - 0.7 * d2, broken, origin + np.inf * d1])
    alpha, beta = project(points, origin, d1, d2)
    np.testing.assert_allclose([alpha[0], beta[0]], [0.3, -0.7], atol=1e-12)
    assert np.isnan(alpha[1:]).all() and np.isnan(beta[1:]).all()


def test_pca_falls_back_to_random_when_the_paths_do_not_span_a_plane():
    net, trainer, X, y = setup("binary", "sigmoid", "bce", "circle")
    origin = net.params.copy()
    assert loss_landscape(net, origin, X, y, [], resolution=5).directions == "random"
    assert loss_landscape(net, origin, X, y, [origin[None]], resolution=5).directions == "random"
    line = origin + np.linspace(0, 1, 6)[:, None] * np.ones(origin.size)
    assert pca_directions(origin, [line]) is None
    assert loss_landscape(net, origin, X, y, [line], resolution=5).directions == "random"


def test_a_pca_grid_covers_every_trajectory_point():
    net, trainer, X, y = setup("binary", "sigmoid", "bce", "circle", epochs=20)
    path = trainer.trajectory.params
    result = loss_landscape(net, net.params, X, y, [path, path[:5] * 1.01], resolution=9, span=1.0)
    assert result.directions == "pca" and len(result.paths) == 2
    reach = max(np.abs(np.concatenate([c for p in result.paths for c in p])).max(), 0)
    assert result.alphas[-1] == pytest.approx(PCA_MARGIN * reach, rel=1e-12)
    assert np.array_equal(result.alphas, result.betas)
    a_last, b_last = result.paths[0][0][-1], result.paths[0][1][-1]
    assert abs(a_last) < 1e-6 * reach and abs(b_last) < 1e-6 * reach   # float32 record of θ₀


def test_grid_axis_is_symmetric_with_an_exact_zero():
    axis = grid_axis(41, 0.7)
    assert len(axis) == 41 and axis[20] == 0.0 and axis[0] == -0.7 and axis[-1] == 0.7
    assert np.array_equal(axis, -axis[::-1])


def test_far_from_the_origin_losses_stay_numbers_or_inf_without_warnings():
    net, _, X, y = setup("regression", "linear", "mse", "plane", activation="relu")
    result = loss_landscape(net, net.params, X, y, directions="random", resolution=5, span=100.0)
    assert not np.isnan(result.loss).any()
    assert result.loss[0, 0] > result.origin_loss


@pytest.mark.parametrize("kwargs, field", [
    ({"resolution": 40}, "resolution"),
    ({"resolution": 1}, "resolution"),
    ({"resolution": 203}, "resolution"),
    ({"span": 0.0}, "span"),
    ({"span": 1e3}, "span"),
    ({"directions": "hessian"}, "directions"),
    ({"seed": -1}, "seed"),
    ({"origin": np.zeros(3)}, "origin"),
    ({"origin": "nan"}, "origin"),
])
def test_bad_arguments_name_the_field(kwargs, field):
    net, _, X, y = setup("binary", "sigmoid", "bce", "circle", epochs=0)
    origin = kwargs.pop("origin", net.params)
    if isinstance(origin, str):
        origin = np.full(net.n_params, np.nan)
    with pytest.raises(ConfigError) as exc:
        loss_landscape(net, origin, X, y, **kwargs)
    assert exc.value.field == field


def test_chunking_does_not_change_a_single_number(monkeypatch):
    net, trainer, X, y = setup("multiclass", "softmax", "softmax_ce", "spiral_k", hidden=(6, 3))
    args = (net, net.params, X, y, [trainer.trajectory.params])
    whole = loss_landscape(*args, resolution=7, directions="random")
    monkeypatch.setattr(landscape_module, "CHUNK_VALUES", 1)    # one cell per chunk
    one_by_one = loss_landscape(*args, resolution=7, directions="random")
    np.testing.assert_allclose(one_by_one.loss, whole.loss, rtol=1e-15)


def test_between_is_called_after_every_chunk(monkeypatch):
    """A server lets other work run there: once per chunk (here one cell each), nothing else."""
    net, trainer, X, y = setup("binary", "sigmoid", "bce", "circle", hidden=(4,))
    args = (net, net.params, X, y, [trainer.trajectory.params])
    plain = loss_landscape(*args, resolution=5, directions="random")
    monkeypatch.setattr(landscape_module, "CHUNK_VALUES", 1)
    calls = []
    paced = loss_landscape(*args, resolution=5, directions="random",
                           between=lambda: calls.append(1))
    assert len(calls) == 25
    np.testing.assert_allclose(paced.loss, plain.loss, rtol=1e-15)


def test_cost_counts_multiply_adds_per_cell_and_point():
    # default network 2 → 4 → 2 → 1: 25 parameters, 7 neurons
    assert cost([2, 4, 2, 1], 250, 41) == 41 * 41 * 250 * (25 + ACTIVATION_COST * 7)
    assert cost([2, 1], 10, 3) == 9 * 10 * (3 + ACTIVATION_COST)


def test_paths_left_out_of_the_fit_are_projected_but_do_not_choose_the_plane():
    net, trainer, X, y = setup("binary", "sigmoid", "bce", "circle", epochs=10)
    path = trainer.trajectory.params
    away = np.random.default_rng(0).normal(size=net.n_params)
    far = net.params + np.linspace(0, 1e150, 4)[:, None] * away       # a run blowing up
    alone = loss_landscape(net, net.params, X, y, [path], resolution=5)
    both = loss_landscape(net, net.params, X, y, [path, far], resolution=5, fit=[0])
    assert both.directions == "pca"
    assert np.array_equal(both.d1, alone.d1) and np.array_equal(both.alphas, alone.alphas)
    assert len(both.paths) == 2 and both.paths[1][0][0] == 0.0
    # fitted too, the huge line outweighs the real path (a line: random directions); no overflow
    blown = loss_landscape(net, net.params, X, y, [path, far], resolution=5)
    assert blown.directions == "random" and np.isfinite(blown.alphas).all()
    with pytest.raises(ConfigError) as exc:
        loss_landscape(net, net.params, X, y, [path], resolution=5, fit=[1])
    assert exc.value.field == "fit[]"
