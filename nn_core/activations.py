"""Activation functions a = f(z), each with its derivative right beside it.

Every activation is a small object with two methods:

    forward(z, out=None)        -> a = f(z)
    backward(z, a, dA, out=None) -> dL/dz = dL/da · f'(z)

`backward` receives both z and a so each function can use whichever makes its derivative
cheapest (tanh' = 1 − a², sigmoid' = a(1 − a)). `out=` lets the trainer write into buffers it
already owns: at playground sizes a NumPy call costs more than its arithmetic, so avoiding
temporaries and extra calls is what makes training fast. Both methods keep the dtype of `z`
(float32 for grid maps, float64 for training).

All are numerically stable: no overflow or invalid-value warnings even at z = ±1e4.
"""

import numpy as np

from .registry import Registry

ACTIVATIONS = Registry("activation")


class Activation:
    """Base class: subclasses define `forward` and `backward` and a one-line formula."""

    name = ""
    label = ""
    formula = ""
    derivative_formula = ""  # f′(z) in words, for the page's equations (Inspect)
    output_range = None  # (low, high) when bounded; used to encode targets and colour maps
    # z ≤ silent_below gives f(z) = 0 and f′(z) = 0: a unit whose z stays there on every row
    # passes no gradient back and nothing forward (dead_network.py); None: never silent.
    silent_below = None

    def derivative(self, z):
        """f'(z) elementwise (for tests and plots; training uses `backward`)."""
        z = np.asarray(z, dtype=float)
        return self.backward(z, self.forward(z), np.ones_like(z))

    def __repr__(self):
        return f"{type(self).__name__}()"


def _register(cls):
    ACTIVATIONS.register(cls.name, cls, label=cls.label, formula=cls.formula,
                         derivative=cls.derivative_formula)
    return cls


@_register
class Sigmoid(Activation):
    """σ(z) = 1 / (1 + e^(−z)),  σ'(z) = σ(z)(1 − σ(z))."""

    name, label, formula = "sigmoid", "Sigmoid", "σ(z) = 1 / (1 + e^(−z))"
    derivative_formula = "σ(z)·(1 − σ(z))"
    output_range = (0.0, 1.0)

    def forward(self, z, out=None):
        # σ(z) = ½(1 + tanh(z/2)): the same function, but tanh never overflows.
        out = np.multiply(z, 0.5, out=out)
        np.tanh(out, out=out)
        out *= 0.5
        out += 0.5
        return out

    def backward(self, z, a, dA, out=None):
        out = np.subtract(1.0, a, out=out)
        out *= a
        out *= dA
        return out


@_register
class Tanh(Activation):
    """tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z)),  tanh'(z) = 1 − tanh²(z)."""

    name, label, formula = "tanh", "Tanh", "tanh(z)"
    derivative_formula = "1 − tanh²(z)"
    output_range = (-1.0, 1.0)

    def forward(self, z, out=None):
        return np.tanh(z, out=out)

    def backward(self, z, a, dA, out=None):
        out = np.multiply(a, a, out=out)
        np.subtract(1.0, out, out=out)
        out *= dA
        return out


@_register
class ReLU(Activation):
    """relu(z) = max(0, z),  relu'(z) = 1 if z > 0 else 0."""

    name, label, formula = "relu", "ReLU", "max(0, z)"
    derivative_formula = "1 if z > 0 else 0"
    silent_below = 0.0

    def forward(self, z, out=None):
        return np.maximum(z, 0.0, out=out)

    def backward(self, z, a, dA, out=None):
        return np.multiply(dA, z > 0, out=out)


@_register
class LeakyReLU(Activation):
    """leaky_relu(z) = z if z > 0 else αz (α = 0.01),  derivative 1 or α."""

    name, label, formula = "leaky_relu", "Leaky ReLU", "max(0.01·z, z)"
    derivative_formula = "1 if z > 0 else 0.01"
    alpha = 0.01

    def forward(self, z, out=None):
        # For 0 < α < 1, max(αz, z) picks z when z > 0 and αz otherwise.
        return np.maximum(z, self.alpha * z, out=out)

    def backward(self, z, a, dA, out=None):
        result = np.where(z > 0, dA, self.alpha * dA)
        if out is None:
            return result
        np.copyto(out, result)
        return out


@_register
class ELU(Activation):
    """elu(z) = z if z > 0 else α(e^z − 1) (α = 1),  derivative 1 or elu(z) + α."""

    name, label, formula = "elu", "ELU", "z if z > 0 else e^z − 1"
    derivative_formula = "1 if z > 0 else e^z"
    alpha = 1.0

    def forward(self, z, out=None):
        # expm1 of min(z, 0): exact near 0 and never overflows for large positive z.
        result = np.expm1(np.minimum(z, 0.0))
        result *= self.alpha
        np.copyto(result, z, where=z > 0)
        if out is None:
            return result
        np.copyto(out, result)
        return out

    def backward(self, z, a, dA, out=None):
        return np.multiply(dA, np.where(z > 0, 1.0, a + self.alpha), out=out)


@_register
class Softplus(Activation):
    """softplus(z) = ln(1 + e^z),  softplus'(z) = σ(z)."""

    name, label, formula = "softplus", "SoftPlus", "ln(1 + e^z)"
    derivative_formula = "σ(z) = 1 / (1 + e^(−z))"

    def forward(self, z, out=None):
        return np.logaddexp(0.0, z, out=out)

    def backward(self, z, a, dA, out=None):
        out = SIGMOID.forward(z, out=out)
        out *= dA
        return out


@_register
class Swish(Activation):
    """swish(z) = z·σ(z),  swish'(z) = σ(z) + z·σ(z)(1 − σ(z))."""

    name, label, formula = "swish", "Swish (SiLU)", "z · σ(z)"
    derivative_formula = "σ(z) + z·σ(z)·(1 − σ(z))"

    def forward(self, z, out=None):
        s = SIGMOID.forward(z)
        return np.multiply(z, s, out=out)

    def backward(self, z, a, dA, out=None):
        s = SIGMOID.forward(z)
        # σ + zσ(1 − σ) = σ + a(1 − σ), with a = zσ already computed.
        out = np.multiply(a, 1.0 - s, out=out)
        out += s
        out *= dA
        return out


@_register
class Mish(Activation):
    """mish(z) = z·tanh(softplus(z)),  mish'(z) = tanh(sp) + z·σ(z)·(1 − tanh²(sp))."""

    name, label, formula = "mish", "Mish", "z · tanh(ln(1 + e^z))"
    derivative_formula = "tanh(s) + z·σ(z)·(1 − tanh²(s)), s = ln(1 + e^z)"

    def forward(self, z, out=None):
        return np.multiply(z, np.tanh(np.logaddexp(0.0, z)), out=out)

    def backward(self, z, a, dA, out=None):
        t = np.tanh(np.logaddexp(0.0, z))
        out = np.multiply(t, t, out=out)
        np.subtract(1.0, out, out=out)
        out *= z
        out *= SIGMOID.forward(z)
        out += t
        out *= dA
        return out


@_register
class Sine(Activation):
    """sin(z),  sin'(z) = cos(z)."""

    name, label, formula = "sine", "Sine", "sin(z)"
    derivative_formula = "cos(z)"
    output_range = (-1.0, 1.0)

    def forward(self, z, out=None):
        return np.sin(z, out=out)

    def backward(self, z, a, dA, out=None):
        out = np.cos(z, out=out)
        out *= dA
        return out


@_register
class Linear(Activation):
    """linear(z) = z,  linear'(z) = 1."""

    name, label, formula = "linear", "Linear", "z"
    derivative_formula = "1"

    def forward(self, z, out=None):
        if out is None:
            return z.copy()
        np.copyto(out, z)
        return out

    def backward(self, z, a, dA, out=None):
        if out is None:
            return dA.copy()
        np.copyto(out, dA)
        return out


@_register
class Softmax(Activation):
    """softmax(z)_k = e^(z_k) / Σ_j e^(z_j) over each row;  dL/dz = a ⊙ (dA − Σ_k dA_k a_k)."""

    name, label, formula = "softmax", "Softmax", "e^(z_k) / Σ_j e^(z_j)"
    derivative_formula = "∂a_k/∂z_j = a_k·([j = k] − a_j)"
    output_range = (0.0, 1.0)

    def forward(self, z, out=None):
        # Subtracting the row maximum changes nothing mathematically and keeps exp ≤ 1.
        out = np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def backward(self, z, a, dA, out=None):
        # Jacobian-vector product of the softmax, without forming the K×K Jacobian.
        inner = np.einsum("ij,ij->i", dA, a)[:, None]
        out = np.subtract(dA, inner, out=out)
        out *= a
        return out


SIGMOID = Sigmoid()

#: activations that only make sense on the output layer
OUTPUT_ONLY = ("softmax",)


def get_activation(name, field="activation"):
    """The activation object registered as `name` (ConfigError otherwise)."""
    return ACTIVATIONS.get(name, field)()


def describe():
    """Name, label, formula, derivative (f′(z) in words), output range ([low, high] or None when
    unbounded) and whether it may be a hidden activation, of every activation, for /api/options."""
    return [{**entry, "hidden": entry["name"] not in OUTPUT_ONLY,
             "output_range": _range(ACTIVATIONS.get(entry["name"]).output_range)}
            for entry in ACTIVATIONS.describe()]


def _range(bounds):
    return None if bounds is None else [float(bounds[0]), float(bounds[1])]
