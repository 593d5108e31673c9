"""Weight penalties (none, L1, L2) on the flat parameter vector, weights only.

`mask` is 1.0 on weights and 0.0 on biases (`Network.weight_mask`): penalising biases would
only pull decision boundaries towards the origin, which is not what regularization is for.
"""

import numpy as np

from .registry import Registry

REGULARIZERS = Registry("regularization")

# The penalty rates λ a trainer accepts as `reg_rate` (TensorFlow Playground offers 0 to 10).
REG_RATE_RANGE = (0.0, 10.0)


class NoRegularizer:
    """No penalty: R(w) = 0."""

    name = "none"

    def loss(self, params, mask, rate):
        """R(w) = 0."""
        return 0.0

    def add_grad(self, params, mask, rate, grads):
        """∂R/∂w = 0: nothing to add."""


class _Penalty(NoRegularizer):
    """Shared scratch handling: the gradient is built in a reused buffer, not a new array."""

    def __init__(self):
        self._tmp = None

    def _scratch(self, params):
        tmp = self._tmp
        if tmp is None or tmp.shape != params.shape:
            tmp = self._tmp = np.empty_like(params, dtype=np.float64)
        return tmp


class L1(_Penalty):
    """L1 (lasso): R(w) = λ·Σ|w|."""

    name = "l1"

    def loss(self, params, mask, rate):
        """R(w) = λ·Σ|w| over weights."""
        if not rate:
            return 0.0
        return rate * float(np.dot(np.abs(params), mask))

    def add_grad(self, params, mask, rate, grads):
        """g ← g + λ·sign(w) on weights (subgradient 0 at w = 0)."""
        if not rate:
            return
        tmp = self._scratch(params)
        np.sign(params, out=tmp)
        tmp *= mask
        tmp *= rate
        grads += tmp


class L2(_Penalty):
    """L2 (weight decay): R(w) = λ·½·Σw²."""

    name = "l2"

    def loss(self, params, mask, rate):
        """R(w) = λ·½·Σw² over weights."""
        if not rate:
            return 0.0
        # mask is 0/1, so (w·mask)² = w²·mask.
        weights = params * mask
        return 0.5 * rate * float(np.dot(weights, weights))

    def add_grad(self, params, mask, rate, grads):
        """g ← g + λ·w on weights."""
        if not rate:
            return
        tmp = self._scratch(params)
        np.multiply(params, mask, out=tmp)
        tmp *= rate
        grads += tmp


REGULARIZERS.register("none", NoRegularizer, label="None", formula="R(w) = 0")
REGULARIZERS.register("l1", L1, label="L1", formula="R(w) = λ·Σ|w|")
REGULARIZERS.register("l2", L2, label="L2", formula="R(w) = λ·½·Σw²")
