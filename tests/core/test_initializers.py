"""Initializers: shapes, dtypes, determinism and the distributions the formulas promise."""

import math

import numpy as np
import pytest

from nn_core.errors import ConfigError
from nn_core.initializers import INITIALIZERS

NAMES = INITIALIZERS.names()
N_IN, N_OUT = 400, 300

# name -> (distribution, scale): uniform limit or normal standard deviation.
EXPECTED = {
    "xavier_uniform": ("uniform", math.sqrt(6 / (N_IN + N_OUT))),
    "xavier_normal": ("normal", math.sqrt(2 / (N_IN + N_OUT))),
    "he_uniform": ("uniform", math.sqrt(6 / N_IN)),
    "he_normal": ("normal", math.sqrt(2 / N_IN)),
    "lecun_normal": ("normal", math.sqrt(1 / N_IN)),
    "playground": ("uniform", 0.5),
    "normal": ("normal", 1.0),
}


def test_registry():
    assert set(NAMES) == set(EXPECTED) | {"zeros"}
    assert len(NAMES) == 8
    for name in NAMES:
        info = INITIALIZERS.info(name)
        assert info["label"] and info["formula"].startswith("W ")
        assert INITIALIZERS.get(name).__doc__.count("\n") == 0


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n_in, n_out", [(1, 1), (2, 8), (8, 1)])
def test_shapes_and_dtypes(name, n_in, n_out):
    W, b = INITIALIZERS.get(name)(n_in, n_out, np.random.default_rng(0))
    assert W.shape == (n_in, n_out) and b.shape == (n_out,)
    assert W.dtype == np.float64 and b.dtype == np.float64
    assert np.isfinite(W).all() and np.isfinite(b).all()


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_for_a_seed(name):
    init = INITIALIZERS.get(name)
    W1, b1 = init(5, 7, np.random.default_rng(42))
    W2, b2 = init(5, 7, np.random.default_rng(42))
    assert np.array_equal(W1, W2) and np.array_equal(b1, b2)
    if name != "zeros":
        W3, _ = init(5, 7, np.random.default_rng(43))
        assert not np.array_equal(W1, W3)


def test_consecutive_layers_differ():
    rng = np.random.default_rng(0)
    first, _ = INITIALIZERS.get("he_normal")(4, 4, rng)
    second, _ = INITIALIZERS.get("he_normal")(4, 4, rng)
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_distribution_matches_formula(name):
    kind, scale = EXPECTED[name]
    W, b = INITIALIZERS.get(name)(N_IN, N_OUT, np.random.default_rng(7))
    # 120 000 samples: the sample std is within ~0.4 % of the true one (5 sigma ≈ 1 %).
    assert abs(W.mean()) < 0.01 * scale
    if kind == "uniform":
        assert np.abs(W).max() <= scale
        assert np.abs(W).max() > 0.999 * scale
        assert W.std() == pytest.approx(scale / math.sqrt(3), rel=0.01)
    else:
        assert W.std() == pytest.approx(scale, rel=0.01)
        # Normal tails reach beyond 4 sigma in 120 000 draws; a uniform would not.
        assert np.abs(W).max() > 4 * scale
    expected_bias = 0.1 if name == "playground" else 0.0
    assert np.array_equal(b, np.full(N_OUT, expected_bias))


def test_zeros():
    W, b = INITIALIZERS.get("zeros")(3, 4, np.random.default_rng(0))
    assert np.array_equal(W, np.zeros((3, 4))) and np.array_equal(b, np.zeros(4))


def test_playground_biases():
    _, b = INITIALIZERS.get("playground")(2, 6, np.random.default_rng(0))
    assert np.array_equal(b, np.full(6, 0.1))


@pytest.mark.parametrize(
    "n_in, n_out, field",
    [(0, 3, "n_in"), (3, 0, "n_out"), (2.5, 3, "n_in"), ("4", 3, "n_in"), (3, -1, "n_out")],
)
def test_bad_sizes(n_in, n_out, field):
    with pytest.raises(ConfigError) as info:
        INITIALIZERS.get("xavier_uniform")(n_in, n_out, np.random.default_rng(0))
    assert info.value.field == field


def test_bad_rng():
    with pytest.raises(ConfigError) as info:
        INITIALIZERS.get("he_normal")(2, 3, 0)
    assert info.value.field == "rng"


def test_unknown_initializer():
    with pytest.raises(ConfigError) as info:
        INITIALIZERS.get("orthogonal", field="init")
    assert info.value.field == "init"
    assert info.value.allowed == NAMES
