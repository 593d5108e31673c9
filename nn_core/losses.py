"""Loss functions L(ŷ, y), averaged over the batch, each with its gradient beside it.

A loss sees the output layer's pre-activation `z`, its activation `a = f(z)` and the encoded
targets `t` (shaped like `a`: 0/1 or ±1 columns for binary, one-hot rows for multi-class,
values for regression; `Network.encode_targets` builds them). It returns

    value(z, a, t)                      -> L (a float, mean over the n rows)
    grad_z(z, a, t, activation, out)    -> dL/dz (already divided by n)

Where a loss pairs with its "natural" output activation the chain rule collapses:
sigmoid + binary cross-entropy and softmax + cross-entropy both give dL/dz = (a − t) / n.
We use that fused form: it is exact, cheaper, and never divides by a probability near 0 or 1.
Binary cross-entropy is computed from the logits z, so it stays finite even when σ(z) rounds
to exactly 0 or 1.
"""

import numpy as np

from .errors import ConfigError
from .registry import Registry

LOSSES = Registry("loss")


class Loss:
    name = ""
    label = ""
    formula = ""
    gradient_formula = ""      # ∂L/∂ŷ of one example in words, for the page's equations (Inspect)
    fused_with = None          # activation name for which dL/dz = (a − t)/n
    allowed_outputs = None     # output activations this loss accepts (None: any)
    problems = ("binary", "multiclass", "regression")

    def grad_z(self, z, a, t, activation, out=None):
        """dL/dz: fused when possible, else dL/da pushed through the activation's derivative."""
        if activation.name == self.fused_with:
            out = np.subtract(a, t, out=out)
            out *= 1.0 / len(a)
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
    """L = 1/(2n) Σ (a − t)²,  dL/da = (a − t)/n  (the ½ is TensorFlow Playground's convention)."""

    name, label, formula = "mse", "Mean squared error", "½·mean (ŷ − y)²"
    gradient_formula = "ŷ − y"

    def value(self, z, a, t):
        d = a - t
        return 0.5 * float(np.einsum("ij,ij->", d, d)) / len(a)

    def grad_a(self, a, t):
        return (a - t) / len(a)

    def rows(self, z, a, t):
        d = a - t
        return 0.5 * (d * d).sum(axis=-1)


@_register
class BinaryCrossEntropy(Loss):
    """L = −mean[t ln σ(z) + (1 − t) ln(1 − σ(z))] = mean[max(z, 0) − z t + ln(1 + e^(−|z|))]."""

    name, label, formula = "bce", "Binary cross-entropy", "−mean[y ln ŷ + (1 − y) ln(1 − ŷ)]"
    gradient_formula = "(ŷ − y) / (ŷ·(1 − ŷ))"
    fused_with = "sigmoid"
    allowed_outputs = ("sigmoid",)
    problems = ("binary",)

    def value(self, z, a, t):
        # The logit form: algebraically equal, but exp never overflows and ln never sees 0.
        terms = np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z)))
        return float(terms.sum()) / len(z)

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

    def value(self, z, a, t):
        m = z.max(axis=1, keepdims=True)
        logsumexp = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
        return float((logsumexp - np.einsum("ij,ij->i", t, z)).sum()) / len(z)

    def grad_a(self, a, t):
        return -t / np.clip(a, _EPS, None) / len(a)

    def rows(self, z, a, t):
        m = z.max(axis=-1, keepdims=True)
        logsumexp = m[..., 0] + np.log(np.exp(z - m).sum(axis=-1))
        return logsumexp - (t * z).sum(axis=-1)


@_register
class Hinge(Loss):
    """L = mean max(0, 1 − t·a) with t = ±1,  dL/da = −t/n where t·a < 1, else 0."""

    name, label, formula = "hinge", "Hinge", "mean max(0, 1 − y·ŷ), y = ±1"
    gradient_formula = "−y if y·ŷ < 1 else 0"
    allowed_outputs = ("linear", "tanh")
    problems = ("binary",)

    def value(self, z, a, t):
        return float(np.maximum(0.0, 1.0 - t * a).sum()) / len(a)

    def grad_a(self, a, t):
        return np.where(t * a < 1.0, -t, 0.0) / len(a)

    def rows(self, z, a, t):
        return np.maximum(0.0, 1.0 - t * a).sum(axis=-1)


_EPS = 1e-12


def binary_cross_entropy(p, y):
    """−mean[y ln p + (1 − y) ln(1 − p)] from probabilities, finite even when p is exactly 0 or 1."""
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1.0 - _EPS)
    y = np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def get_loss(name, field="loss"):
    return LOSSES.get(name, field)()


def describe():
    """Name, label, formula, gradient (∂L/∂ŷ in words), fitting problems, output activations and
    the output activation it is fused with (δ = ŷ − y; None) of every loss, for /api/options."""
    return [{**entry, "problems": list(LOSSES.get(entry["name"]).problems),
             "outputs": list(LOSSES.get(entry["name"]).allowed_outputs or []),
             "fused_with": LOSSES.get(entry["name"]).fused_with}
            for entry in LOSSES.describe()]
