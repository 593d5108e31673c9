"""Weight initializers: `INITIALIZERS.get(name)(n_in, n_out, rng) -> (W, b)`.

`W` is float64 `(n_in, n_out)`, `b` float64 `(n_out,)`; `rng` is a `numpy.random.Generator`
and is the only source of randomness, so the same generator state gives the same weights.
The scaled schemes keep activation variance roughly constant from layer to layer; "normal"
and "zeros" are kept on purpose to show what goes wrong without that.
"""

import math

import numpy as np

from .errors import ConfigError, check_number
from .registry import Registry

INITIALIZERS = Registry("init")

# Generous cap on layer width, to refuse absurd sizes before allocating them.
MAX_UNITS = 100_000


def _check(n_in, n_out, rng):
    n_in = check_number("n_in", n_in, 1, MAX_UNITS, integer=True)
    n_out = check_number("n_out", n_out, 1, MAX_UNITS, integer=True)
    if not isinstance(rng, np.random.Generator):
        raise ConfigError("rng", f"expected a numpy Generator, got {type(rng).__name__}")
    return n_in, n_out


def _uniform(limit, n_in, n_out, rng, bias=0.0):
    return rng.uniform(-limit, limit, size=(n_in, n_out)), np.full(n_out, bias)


def _normal(std, n_in, n_out, rng):
    return rng.normal(0.0, std, size=(n_in, n_out)), np.zeros(n_out)


def xavier_uniform(n_in, n_out, rng):
    """Glorot uniform: W ~ U(−√(6/(n_in+n_out)), +√(6/(n_in+n_out))), b = 0."""
    n_in, n_out = _check(n_in, n_out, rng)
    return _uniform(math.sqrt(6.0 / (n_in + n_out)), n_in, n_out, rng)


def xavier_normal(n_in, n_out, rng):
    """Glorot normal: W ~ N(0, 2/(n_in+n_out)), b = 0."""
    n_in, n_out = _check(n_in, n_out, rng)
    return _normal(math.sqrt(2.0 / (n_in + n_out)), n_in, n_out, rng)


def he_uniform(n_in, n_out, rng):
    """He uniform: W ~ U(−√(6/n_in), +√(6/n_in)), b = 0."""
    n_in, n_out = _check(n_in, n_out, rng)
    return _uniform(math.sqrt(6.0 / n_in), n_in, n_out, rng)


def he_normal(n_in, n_out, rng):
    """He normal: W ~ N(0, 2/n_in), b = 0."""
    n_in, n_out = _check(n_in, n_out, rng)
    return _normal(math.sqrt(2.0 / n_in), n_in, n_out, rng)


def lecun_normal(n_in, n_out, rng):
    """LeCun normal: W ~ N(0, 1/n_in), b = 0."""
    n_in, n_out = _check(n_in, n_out, rng)
    return _normal(math.sqrt(1.0 / n_in), n_in, n_out, rng)


def playground(n_in, n_out, rng):
    """TensorFlow Playground: W ~ U(−0.5, 0.5), b = 0.1."""
    n_in, n_out = _check(n_in, n_out, rng)
    return _uniform(0.5, n_in, n_out, rng, bias=0.1)


def normal(n_in, n_out, rng):
    """Naive normal (Nielsen): W ~ N(0, 1), b = 0; saturates sigmoid/tanh in wide layers."""
    n_in, n_out = _check(n_in, n_out, rng)
    return _normal(1.0, n_in, n_out, rng)


def zeros(n_in, n_out, rng):
    """All zeros: W = 0, b = 0; every neuron of a layer stays identical (the symmetry problem)."""
    n_in, n_out = _check(n_in, n_out, rng)
    return np.zeros((n_in, n_out)), np.zeros(n_out)


for _fn, _label, _formula in (
    (xavier_uniform, "Xavier uniform", "W ~ U(±√(6/(n_in+n_out)))"),
    (xavier_normal, "Xavier normal", "W ~ N(0, 2/(n_in+n_out))"),
    (he_uniform, "He uniform", "W ~ U(±√(6/n_in))"),
    (he_normal, "He normal", "W ~ N(0, 2/n_in)"),
    (lecun_normal, "LeCun normal", "W ~ N(0, 1/n_in)"),
    (playground, "Playground", "W ~ U(±0.5), b = 0.1"),
    (normal, "Normal N(0, 1)", "W ~ N(0, 1)"),
    (zeros, "Zeros", "W = 0"),
):
    INITIALIZERS.register(_fn.__name__, _fn, label=_label, formula=_formula)
del _fn, _label, _formula
