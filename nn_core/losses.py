"""Loss functions L(ŷ, y), averaged over the batch, each with its gradient beside it.

A loss sees the output layer's pre-activation `z`, its activation `a = f(z)` and the encoded
targets `t` (shaped like `a`: 0/1 or ±1 columns for binary, one-hot rows for multi-class,
values for regression; `Network.encode_targets` builds them). It returns

    value(z, a, t)                      -> L (a float, a mean over the batch)
    grad_z(z, a, t, activation, out)    -> dL/dz (the mean's division included)

Where a loss pairs with its "natural" output activation the chain rule collapses:
sigmoid + binary cross-entropy and softmax + cross-entropy both give dL/dz = (a − t)/n, and
a linear output with mean squared error gives dL/dz = 2(a − t)/(n·k). We use that fused form:
it is exact, cheaper, and never divides by a probability near 0 or 1. Binary cross-entropy is
computed from the logits z, so it stays finite even when σ(z) rounds to exactly 0 or 1.

Means: cross-entropy and hinge average over the n rows (a row's classes sum inside its term);
mean squared error averages over all n·k output elements, as PyTorch's `MSELoss`, Keras and
scikit-learn define it.
"""

import math

import numpy as np

from .errors import ConfigError
from .registry import Registry

LOSSES = Registry("loss")


class Loss:
    name = ""
    label = ""
    formula = ""
    gradient_formula = ""      # ∂L/∂ŷ of one example in words, for the page's equations (Inspect)
    fused_with = None          # activation name for which dL/dz = c·(a − t)
    grad_scale = None          # c when one example's ∂L/∂ŷ = c·(ŷ − y)/k (k outputs); None: not so
    allowed_outputs = None     # output activations this loss accepts (None: any)
    problems = ("binary", "multiclass", "regression")
    rows_use_output = True     # False: `rows` reads only the logits z (a may be passed as None)

    def fused_scale(self, a):
        """c in dL/dz = c·(a − t) for the fused pair: 1/n (the mean over rows)."""
        return 1.0 / len(a)

    def grad_z(self, z, a, t, activation, out=None):
        """dL/dz: fused when possible, else dL/da pushed through the activation's derivative."""
        if activation.name == self.fused_with:
            out = np.subtract(a, t, out=out)
            out *= self.fused_scale(a)
            return out
        return activation.backward(z, a, self.grad_a(a, t), out=out)

    def rows(self, z, a, t):
        """Each row's loss, shape z.shape[:-1] (any leading axes; t broadcasts): `value` is
        their mean. Lets the loss landscape score many parameter vectors in one pass."""
        raise NotImplementedError

    def check(self, output_activation, problem, n_out):
        """Raise ConfigError when this loss cannot train the given output layer."""
        if self.allowed_outputs is not None and output_activation not in self.allowed_outputs:
            raise ConfigError(
                "output_activation",
                f"loss {self.name!r} needs a {' or '.join(self.allowed_outputs)} output, "
                f"not {output_activation!r}",
                list(self.allowed_outputs),
            )
        if problem not in self.problems:
            raise ConfigError("loss", f"{self.name!r} does not fit a {problem} problem",
                              [n for n in LOSSES if problem in LOSSES.get(n).problems])


def _register(cls):
    LOSSES.register(cls.name, cls, label=cls.label, formula=cls.formula,
                    gradient=cls.gradient_formula)
    return cls


@_register
class MeanSquaredError(Loss):
    """L = 1/(n·k) Σ_rows Σ_outputs (a − t)²,  dL/da = 2(a − t)/(n·k).

    The mean over all n·k output elements (PyTorch's `MSELoss`, Keras, scikit-learn).
    TensorFlow Playground uses ½·(a − t)² per point, whose gradient is half of this one: the
    same learning rate takes steps half as long there.
    """

    name, label, formula = "mse", "Mean squared error", "mean (ŷ − y)² over all outputs"
    gradient_formula = "2(ŷ − y)/k"
    fused_with = "linear"
    grad_scale = 2.0

    def fused_scale(self, a):
        return self.grad_scale / a.size

    def value(self, z, a, t):
        d = a - t
        return float(np.einsum("ij,ij->", d, d)) / a.size

    def grad_a(self, a, t):
        return (a - t) * (self.grad_scale / a.size)

    def rows(self, z, a, t):
        # A row's mean over its k outputs: the mean of these over the n rows is `value`.
        d = a - t
        return (d * d).mean(axis=-1)


@_register
class BinaryCrossEntropy(Loss):
    """L = −mean[t ln σ(z) + (1 − t) ln(1 − σ(z))] = mean[max(z, 0) − z t + ln(1 + e^(−|z|))]."""

    name, label, formula = "bce", "Binary cross-entropy", "−mean[y ln ŷ + (1 − y) ln(1 − ŷ)]"
    gradient_formula = "(ŷ − y) / (ŷ·(1 − ŷ))"
    fused_with = "sigmoid"
    allowed_outputs = ("sigmoid",)
    problems = ("binary",)
    rows_use_output = False

    def value(self, z, a, t):
        # The logit form: −[t ln σ(z) + (1 − t) ln(1 − σ(z))] = ln(1 + e^z) − t·z, with
        # ln(1 + e^z) = logaddexp(0, z): exp never overflows and ln never sees 0.
        return (_total(np.logaddexp(_ZERO, z)) - float(np.vdot(z, t))) / len(z)

    def grad_a(self, a, t):
        p = np.clip(a, _EPS, 1.0 - _EPS)
        return (p - t) / (p * (1.0 - p)) / len(a)

    def rows(self, z, a, t):
        return (np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z)))).sum(axis=-1)


@_register
class SoftmaxCrossEntropy(Loss):
    """L = −mean Σ_k t_k ln softmax(z)_k = mean[logsumexp(z) − Σ_k t_k z_k]."""

    name, label, formula = "softmax_ce", "Softmax cross-entropy", "−mean Σ_k y_k ln ŷ_k"
    gradient_formula = "−y_k / ŷ_k"
    fused_with = "softmax"
    allowed_outputs = ("softmax",)
    problems = ("multiclass",)
    rows_use_output = False

    def value(self, z, a, t):
        # −Σ t ln a from the softmax output the forward pass already has: two whole-array calls
        # (row reductions over a few classes cost more than the arithmetic). Where a class
        # probability is (nearly) 0, ln a is −inf or imprecise; then the logit form
        # logsumexp(z) − Σ t·z with m the row maximum, which never overflows.
        with np.errstate(divide="ignore", invalid="ignore"):
            total = -float(np.vdot(t, np.log(a)))
        if math.isfinite(total) and a.min() > _TINY:
            return total / len(z)
        m = z.max(axis=1, keepdims=True)
        logsumexp = float(np.log(np.exp(z - m).sum(axis=1)).sum()) + float(m.sum())
        return (logsumexp - float(np.vdot(t, z))) / len(z)

    def grad_a(self, a, t):
        return -t / np.clip(a, _EPS, None) / len(a)

    def rows(self, z, a, t):
        m = z.max(axis=-1, keepdims=True)
        logsumexp = m[..., 0] + np.log(np.exp(z - m).sum(axis=-1))
        return logsumexp - (t * z).sum(axis=-1)


@_register
class Hinge(Loss):
    """L = mean max(0, 1 − t·a) with t = ±1,  dL/da = −t/n where t·a < 1, else 0.

    At the margin itself (t·a = 1 exactly) the subgradient is 0, as PyTorch's
    relu(1 − t·a) gives; scikit-learn's SGDClassifier takes −t there.
    """

    name, label, formula = "hinge", "Hinge", "mean max(0, 1 − y·ŷ), y = ±1"
    gradient_formula = "−y if y·ŷ < 1 else 0"
    allowed_outputs = ("linear", "tanh")
    problems = ("binary",)

    def value(self, z, a, t):
        return _total(np.maximum(0.0, 1.0 - t * a)) / len(a)

    def grad_a(self, a, t):
        return np.where(t * a < 1.0, -t, 0.0) / len(a)

    def rows(self, z, a, t):
        return np.maximum(0.0, 1.0 - t * a).sum(axis=-1)


def _total(x):
    """Σx as a float. For a minibatch's handful of numbers, Python's exact `math.fsum` over the
    list is several times cheaper than one NumPy reduction call; larger arrays use NumPy."""
    if x.size <= _SMALL:
        return math.fsum(x.ravel().tolist())
    return float(np.add.reduce(x, axis=None))


_SMALL = 64
# 0 as a 0-d array: a ufunc takes it without converting a Python float on every call.
_ZERO = np.zeros(())
_ZERO.flags.writeable = False
# Probabilities are kept this far from 0 and 1 where an unfused gradient divides by them.
_EPS = 1e-12
# Below this a probability may be subnormal (ln loses digits): use the logit form instead.
_TINY = 1e-300


def get_loss(name, field="loss"):
    return LOSSES.get(name, field)()


def describe():
    """Name, label, formula, gradient (∂L/∂ŷ in words), fitting problems, output activations, the
    output activation it is fused with (δ = ŷ − y; None) and its gradient scale (c in
    ∂L/∂ŷ = c·(ŷ − y)/k; None) of every loss, for /api/options."""
    return [{**entry, "problems": list(LOSSES.get(entry["name"]).problems),
             "outputs": list(LOSSES.get(entry["name"]).allowed_outputs or []),
             "fused_with": LOSSES.get(entry["name"]).fused_with,
             "grad_scale": LOSSES.get(entry["name"]).grad_scale}
            for entry in LOSSES.describe()]
