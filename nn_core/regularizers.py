"""Weight penalties (none, L1, L2) on the flat parameter vector, weights only.

`mask` is 1.0 on weights and 0.0 on biases (`Network.weight_mask`): penalising biases would
only pull decision boundaries towards the origin, which is not what regularization is for.

How the trainer applies a penalty R with rate λ at learning rate α:
- L2 (`proximal = False`): its gradient λ·w is added to the data gradient before clipping and
  the optimizer step, i.e. exactly as if λ·½‖w‖² were part of the loss.
- L1 (`proximal = True`): after the optimizer's step, the proximal (soft-threshold) step
  w ← sign(w)·max(|w| − η·λ, 0), η the optimizer's step size (`Optimizer.step_sizes`: α for
  SGD and momentum, α/(√v̂ + ε) per weight for Adam and the like). A weight the penalty would
  carry across zero stops at exactly 0, which is how L1 produces the sparse networks it is
  taught for; adding the subgradient λ·sign(w) instead would leave every weight dithering within
  ±α·λ of zero. With plain SGD this is TensorFlow Playground's rule ("a weight crossing zero
  stops at zero") and proximal gradient descent (ISTA) on data loss + λ·Σ|w|, the objective the
  trainer reports; for the adaptive optimizers it is the same step in their per-weight metric
  (TensorFlow's ProximalAdagrad). Unlike TF Playground a zeroed weight is not frozen: when the
  data gradient outweighs λ it grows back.
`add_grad` gives ∂R/∂w for every penalty (gradcheck uses it for L1 too).
"""

import numpy as np

from .registry import Registry

REGULARIZERS = Registry("regularization")

# The penalty rates λ a trainer accepts as `reg_rate` (TensorFlow Playground offers 0 to 10).
REG_RATE_RANGE = (0.0, 10.0)


class NoRegularizer:
    """No penalty: R(w) = 0."""

    name = "none"
    # True: the trainer applies `prox` after each step instead of adding `add_grad`'s gradient.
    proximal = False

    def loss(self, params, mask, rate):
        """R(w) = 0."""
        return 0.0

    def add_grad(self, params, mask, rate, grads):
        """∂R/∂w = 0: nothing to add."""

    def prox(self, params, mask, rate, step_sizes):
        """The proximal step of this penalty after an optimizer step of size η (none here)."""


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
    """L1 (lasso): R(w) = λ·Σ|w|, applied by the trainer as a proximal (soft-threshold) step."""

    name = "l1"
    proximal = True

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

    def prox(self, params, mask, rate, step_sizes):
        """w ← sign(w)·max(|w| − η·λ, 0) on weights (in place), η the step size (a float or one
        per parameter): a weight with |w| ≤ η·λ becomes exactly +0.0."""
        if not rate:
            return
        tmp = self._scratch(params)
        np.abs(params, out=tmp)
        if isinstance(step_sizes, np.ndarray):
            step_sizes *= rate              # the optimizer's scratch: free to overwrite
            tmp -= step_sizes
        else:
            tmp -= rate * step_sizes
        np.maximum(tmp, 0.0, out=tmp)
        np.copysign(tmp, params, out=tmp)
        tmp += 0.0                        # −0.0 + 0.0 = +0.0: zeros print and compare as plain 0
        np.copyto(params, tmp, where=mask != 0.0)


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
