"""Activations: backward against finite differences, out= and dtype handling, extreme inputs,
and known values, for every activation in the registry."""

import math

import numpy as np
import pytest

from nn_core.activations import ACTIVATIONS, OUTPUT_ONLY, describe, get_activation
from nn_core.errors import ConfigError

NAMES = ACTIVATIONS.names()
ELEMENTWISE = [name for name in NAMES if name != "softmax"]
# Away from the kinks of relu / leaky_relu / elu at 0, and from zeros of sine's derivative.
Z = np.array([[-2.9, -1.3, -0.41, -0.07], [0.05, 0.37, 1.1, 2.6], [-0.8, 0.9, 3.4, -3.7]])


def numeric_jvp(act, z, dA, eps=1e-6):
    """∂/∂z of Σ dA ⊙ f(z), one entry at a time (works for softmax's coupled rows too)."""
    z = z.copy()
    grad = np.zeros_like(z)
    for idx in np.ndindex(*z.shape):
        old = z[idx]
        z[idx] = old + eps
        up = float(np.sum(dA * act.forward(z)))
        z[idx] = old - eps
        down = float(np.sum(dA * act.forward(z)))
        z[idx] = old
        grad[idx] = (up - down) / (2 * eps)
    return grad


def rel_err(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))


def test_registry_contents():
    for name in ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "swish", "sine",
                 "linear", "softmax"]:
        assert name in ACTIVATIONS
    assert OUTPUT_ONLY == ("softmax",)
    hidden = {d["name"]: d["hidden"] for d in describe()}
    assert hidden["softmax"] is False and hidden["tanh"] is True
    # The page colours maps by each activation's output range instead of by its name.
    ranges = {d["name"]: d["output_range"] for d in describe()}
    assert ranges["sigmoid"] == [0.0, 1.0] and ranges["tanh"] == [-1.0, 1.0]
    assert ranges["softmax"] == [0.0, 1.0] and ranges["sine"] == [-1.0, 1.0]
    assert ranges["relu"] is None and ranges["linear"] is None
    for name in NAMES:
        info = ACTIVATIONS.info(name)
        assert info["label"] and info["formula"]
        act = get_activation(name)
        assert act.name == name
        # forward and derivative side by side, formula in one docstring line
        assert type(act).__doc__.count("\n") == 0


def test_every_activation_registers_its_derivative_in_words():
    # The page's Inspect equations write f′(z) from here, so a new activation cannot be missing.
    derivatives = {d["name"]: d["derivative"] for d in describe()}
    assert set(derivatives) == set(NAMES) and all(derivatives.values())
    assert derivatives["tanh"] == "1 − tanh²(z)" and derivatives["linear"] == "1"
    assert derivatives["relu"] == "1 if z > 0 else 0"


def test_unknown_name_lists_allowed():
    with pytest.raises(ConfigError) as err:
        get_activation("relu6")
    assert err.value.field == "activation"
    assert err.value.allowed == NAMES
    assert "relu6" in str(err.value) and "tanh" in str(err.value)


@pytest.mark.parametrize("name", NAMES)
def test_backward_matches_finite_differences(name):
    act = get_activation(name)
    dA = np.random.default_rng(3).normal(size=Z.shape)
    a = act.forward(Z)
    analytic = act.backward(Z, a, dA)
    numeric = numeric_jvp(act, Z, dA)
    assert analytic.shape == Z.shape
    assert rel_err(analytic, numeric) <= 1e-6
    assert np.abs(analytic).max() > 1e-3   # not a trivially zero gradient


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_finite_differences(name):
    act = get_activation(name)
    z = Z.ravel()
    numeric = (act.forward(z + 1e-6) - act.forward(z - 1e-6)) / 2e-6
    assert rel_err(act.derivative(z), numeric) <= 1e-6


@pytest.mark.parametrize("name", NAMES)
def test_out_argument_gives_same_values(name):
    act = get_activation(name)
    z = Z.copy()
    expected = act.forward(z)
    assert np.array_equal(z, Z)                     # forward does not touch its input
    buf = np.full_like(Z, np.nan)
    result = act.forward(z, out=buf)
    assert result is buf
    assert np.array_equal(buf, expected)
    # In place (out aliasing z), as the grid evaluation uses it.
    assert np.array_equal(act.forward(z, out=z), expected)
    dA = np.linspace(-1, 1, Z.size).reshape(Z.shape)
    grad = act.backward(Z, expected, dA)
    buf = np.full_like(Z, np.nan)
    assert act.backward(Z, expected, dA, out=buf) is buf
    assert np.array_equal(buf, grad)


@pytest.mark.parametrize("name", NAMES)
def test_float32_in_float32_out(name):
    act = get_activation(name)
    z = Z.astype(np.float32)
    a = act.forward(z)
    assert a.dtype == np.float32
    np.testing.assert_allclose(a, act.forward(Z), rtol=1e-5, atol=1e-6)
    assert act.backward(z, a, np.ones_like(z)).dtype == np.float32
    out = np.empty_like(z)
    assert act.forward(z, out=out).dtype == np.float32


EXTREME = np.array([[1e4, -1e4, 0.0], [1e3, -1e3, 1.0], [-1e4, 1e4, -1e3], [0.0, 1e4, -1e4]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_extreme_inputs_finite_without_warnings(name, dtype):
    # pytest turns any RuntimeWarning (overflow, invalid value) into an error.
    act = get_activation(name)
    z = EXTREME.astype(dtype)
    a = act.forward(z)
    d = act.backward(z, a, np.ones_like(z))
    assert np.isfinite(a).all() and np.isfinite(d).all()
    assert a.dtype == dtype


def test_extreme_known_values():
    sig = get_activation("sigmoid").forward(np.array([1e4, -1e4, 1e3, -1e3]))
    assert np.array_equal(sig, [1.0, 0.0, 1.0, 0.0])
    sm = get_activation("softmax").forward(np.array([[1e4, -1e4, 0.0], [-1e4, 0.0, 1e4]]))
    assert np.array_equal(sm, [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    sp = get_activation("softplus").forward(np.array([1e4, -1e4]))
    assert np.array_equal(sp, [1e4, 0.0])
    elu = get_activation("elu").forward(np.array([1e4, -1e4]))
    assert np.array_equal(elu, [1e4, -1.0])
    sw = get_activation("swish").forward(np.array([1e4, -1e4]))
    assert sw[0] == 1e4 and sw[1] == 0.0


def sig(x):
    return 1.0 / (1.0 + math.exp(-x))


KNOWN = {
    # name: [(z, f(z), f'(z)), ...]
    "sigmoid": [(0.0, 0.5, 0.25), (2.0, sig(2.0), sig(2.0) * (1 - sig(2.0))),
                (-1.0, sig(-1.0), sig(-1.0) * sig(1.0))],
    "tanh": [(0.0, 0.0, 1.0), (1.0, math.tanh(1.0), 1 - math.tanh(1.0) ** 2)],
    "relu": [(-2.0, 0.0, 0.0), (3.5, 3.5, 1.0)],
    "leaky_relu": [(-2.0, -0.02, 0.01), (3.5, 3.5, 1.0)],
    "elu": [(-1.0, math.exp(-1.0) - 1.0, math.exp(-1.0)), (2.0, 2.0, 1.0)],
    "softplus": [(0.0, math.log(2.0), 0.5), (1.0, math.log1p(math.e), sig(1.0))],
    "swish": [(0.0, 0.0, 0.5), (1.0, sig(1.0), sig(1.0) + sig(1.0) * (1 - sig(1.0))),
              (-2.0, -2.0 * sig(-2.0), None)],
    "mish": [(0.0, 0.0, math.tanh(math.log(2.0))), (1.0, math.tanh(math.log1p(math.e)), None)],
    "sine": [(0.0, 0.0, 1.0), (math.pi / 2, 1.0, None), (1.0, math.sin(1.0), math.cos(1.0))],
    "linear": [(-3.25, -3.25, 1.0), (7.0, 7.0, 1.0)],
}


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_known_values(name):
    assert name in KNOWN, f"add known values for the new activation {name!r}"
    act = get_activation(name)
    for z, value, slope in KNOWN[name]:
        assert act.forward(np.array([z]))[0] == pytest.approx(value, rel=1e-14, abs=1e-15)
        if slope is not None:
            assert act.derivative(np.array([z]))[0] == pytest.approx(slope, rel=1e-14, abs=1e-15)


def test_softmax_known_values():
    act = get_activation("softmax")
    z = np.array([[0.0, math.log(2.0), math.log(3.0)], [5.0, 5.0, 5.0]])
    a = act.forward(z)
    np.testing.assert_allclose(a, [[1 / 6, 2 / 6, 3 / 6], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-14)
    # Shift invariance along a row, rows sum to 1.
    np.testing.assert_allclose(act.forward(z + 100.0), a, rtol=1e-13)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-15)
    # Backward of a constant upstream gradient is 0 (rows sum to one, whatever z is).
    np.testing.assert_allclose(act.backward(z, a, np.ones_like(z)), 0.0, atol=1e-15)
    # Full Jacobian-vector product on one row: J = diag(a) − a aᵀ.
    row, dA = a[0], np.array([1.0, -2.0, 0.5])
    J = np.diag(row) - np.outer(row, row)
    np.testing.assert_allclose(act.backward(z[:1], a[:1], dA[None])[0], J @ dA, rtol=1e-14)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "sine", "softmax"])
def test_output_range(name):
    low, high = get_activation(name).output_range
    a = get_activation(name).forward(Z * 3)
    assert low <= a.min() and a.max() <= high


# Each activation written once more from its textbook definition, with `math` on one float at
# a time: nothing here shares code with the vectorised fast path.
def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


def _softplus(z):
    return math.log1p(math.exp(z))


TEXTBOOK = {
    "sigmoid": _sigmoid,
    "tanh": math.tanh,
    "relu": lambda z: max(0.0, z),
    "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
    "elu": lambda z: z if z > 0 else math.exp(z) - 1,
    "softplus": _softplus,
    "swish": lambda z: z * _sigmoid(z),
    "mish": lambda z: z * math.tanh(_softplus(z)),
    "sine": math.sin,
    "linear": lambda z: z,
}


def test_the_textbook_definitions_cover_every_elementwise_activation():
    assert set(TEXTBOOK) == set(ELEMENTWISE)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_forward_and_derivative_match_the_textbook_definition(name):
    """f against its definition, and f′ against centred differences of that definition (not of
    the engine's own forward), so a wrong fast path cannot check itself."""
    act, f, h = get_activation(name), TEXTBOOK[name], 1e-6
    z = Z.ravel()
    assert np.allclose(act.forward(z), [f(v) for v in z], rtol=1e-12, atol=1e-15)
    numeric = [(f(v + h) - f(v - h)) / (2 * h) for v in z]
    assert rel_err(act.derivative(z), np.array(numeric)) <= 1e-6
