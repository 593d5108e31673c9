"""Gradient checking: compare backpropagation with centred finite differences.

    ∂L/∂θ_k ≈ (L(θ + ε e_k) − L(θ − ε e_k)) / 2ε        (error O(ε²))

The relative error of each entry is |analytic − numeric| / max(|analytic| + |numeric|, floor);
the floor keeps entries that are both (almost) zero from dividing noise by noise. The numeric
estimate carries rounding noise of about u·|L|/ε (u = 2.2e-16) and truncation error ε²·|L‴|/6:
ε = 1e-5 balances the two near 1e-11, and the floor 1e-4 judges entries smaller than that by
their absolute error (1e-10 at a tolerance of 1e-6), safely above the noise. A correct float64
gradient then scores near 1e-9 (at most ~1e-7); a wrong one is off by order 1.
"""

import numpy as np


def numeric_gradient(f, x, eps=1e-5):
    """Centred finite-difference gradient of the scalar function f at x (x is perturbed in place
    and restored)."""
    grad = np.zeros_like(x, dtype=float)
    flat, out = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        up = f()
        flat[k] = old - eps
        down = f()
        flat[k] = old
        out[k] = (up - down) / (2 * eps)
    return grad


def relative_error(analytic, numeric, floor=1e-4):
    """The largest entrywise relative error between two gradients."""
    analytic, numeric = np.asarray(analytic, float), np.asarray(numeric, float)
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), floor)
    return float(np.max(np.abs(analytic - numeric) / scale)) if analytic.size else 0.0


def gradcheck(network, X, y, regularizer=None, reg_rate=0.0, eps=1e-5):
    """Max relative error between backprop and finite differences over every weight and bias.

    The checked loss is the data loss plus, when given, `reg_rate`·R(weights) of `regularizer`
    (an nn_core.regularizers object or name). The network's weights are left as they were.
    """
    from .regularizers import REGULARIZERS

    if isinstance(regularizer, str):
        regularizer = REGULARIZERS.get(regularizer, "regularization")()
    params, mask = network.params, network.weight_mask

    def total_loss():
        loss = network.loss_and_grads(X, y)[0]
        if regularizer is not None:
            loss += regularizer.loss(params, mask, reg_rate)
        return loss

    network.loss_and_grads(X, y)
    analytic = network.grads.copy()
    if regularizer is not None:
        regularizer.add_grad(params, mask, reg_rate, analytic)
    numeric = numeric_gradient(total_loss, params, eps)
    return relative_error(analytic, numeric)
