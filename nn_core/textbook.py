"""One example through the network, computed the way the equations are written.

    forward:   a_0 = x,   z_i = a_{i−1} W_i + b_i,   a_i = f_i(z_i),   ŷ = a_L
    loss:      L = loss(ŷ, y)
    backward:  δ_L = ∂L/∂z_L (from the loss),   ∂L/∂W_i = a_{i−1}ᵀ δ_i,   ∂L/∂b_i = δ_i,
               ∂L/∂a_{i−1} = δ_i W_iᵀ,   δ_{i−1} = ∂L/∂a_{i−1} ⊙ f′_{i−1}(z_{i−1})
    update:    W_i ← W_i − α (∂L/∂W_i + λ ∂R/∂W_i),   b_i ← b_i − α ∂L/∂b_i

W_i here is the engine's (n_in, n_out) matrix, the transpose of the seed's W_i in
x_i = f(W_i x_{i−1} + b_i) (column vectors, W_i of shape (n_out, n_in)): with one example held
as a row vector, x W is the same number as W x with the transposed matrix.

This is the readable twin of `Network.backprop` (which packs every layer into one flat vector
and preallocated buffers to be fast): plain lists `W[i]` (n_in, n_out) and `b[i]` (n_out,), one
example held as a row vector of shape (1, n), and a loop over layers. f and f′ are the engine's
registered activations and the loss value and δ_L its registered loss, so each formula is
defined once; the tests check that both paths agree to 1e-12.
"""

import numpy as np

from .errors import ConfigError, check_number
from .regularizers import REG_RATE_RANGE, REGULARIZERS
from .trainer import LEARNING_RATE_RANGE


def parameters(network):
    """Copies of every layer's W (n_in, n_out) and b (n_out,), and its activation object."""
    W = [layer.W.copy() for layer in network.layers]
    b = [layer.b.copy() for layer in network.layers]
    f = [layer.activation for layer in network.layers]
    return W, b, f


def forward(W, b, f, x):
    """Pre-activations z[i] and activations a[i] of every layer for one example x (1, n_in)."""
    z, a = [], []
    for W_i, b_i, f_i in zip(W, b, f):
        z_i = x @ W_i + b_i              # z_i = a_{i−1} W_i + b_i
        x = f_i.forward(z_i)             # a_i = f_i(z_i)
        z.append(z_i)
        a.append(x)
    return z, a


def backward(W, f, z, a, x, t, loss):
    """∂L/∂a[i], δ[i] = ∂L/∂z[i], ∂L/∂W[i] and ∂L/∂b[i] of every layer, output layer first."""
    n = len(W)
    dL_da, delta, dW, db = [None] * n, [None] * n, [None] * n, [None] * n
    dL_da[-1] = loss.grad_a(a[-1], t)                 # ∂L/∂ŷ
    delta[-1] = loss.grad_z(z[-1], a[-1], t, f[-1])   # δ_L = ∂L/∂z_L (ŷ − y when fused)
    for i in range(n - 1, -1, -1):
        a_prev = a[i - 1] if i > 0 else x
        dW[i] = a_prev.T @ delta[i]                   # ∂L/∂W_i = a_{i−1}ᵀ δ_i
        db[i] = delta[i][0]                           # ∂L/∂b_i = δ_i
        if i > 0:
            dL_da[i - 1] = delta[i] @ W[i].T          # ∂L/∂a_{i−1} = δ_i W_iᵀ
            delta[i - 1] = dL_da[i - 1] * f[i - 1].derivative(z[i - 1])  # ⊙ f′(z_{i−1})
    return dL_da, delta, dW, db


def penalty_gradients(W, regularizer, rate):
    """λ ∂R/∂W_i for every layer (biases are never penalised), or None when regularization is off."""
    if regularizer.name == "none" or rate == 0:
        return None
    grads = []
    for W_i in W:
        g = np.zeros_like(W_i)
        regularizer.add_grad(W_i, np.ones_like(W_i), rate, g)   # g = λ ∂R/∂W_i
        grads.append(g)
    return grads


def trace(network, x, target, learning_rate, regularization=None, reg_rate=0.0):
    """Everything one example goes through: forward, loss, backward and the update it implies.

    `x` is the network's input (features already applied), shape (n_in,); `target` a label as
    the trainer takes it (class id, or a value for regression). The network is not changed.
    Returns a dict of float64 arrays and numbers:
    `x`, `target` (encoded like the output), `output`, `loss` (data loss), `reg_loss`,
    `loss_name`, `learning_rate`, `regularization`, `reg_rate` and `layers`, one dict per layer:
    `activation`, `W`, `b`, `z`, `a`, `dL_da`, `delta`, `dW`, `db` (data loss only),
    `reg_dW` (λ ∂R/∂W, None when regularization is off), `update_W` = −α(dW + reg_dW) and
    `update_b` = −α db.
    """
    x = network.check_inputs(np.asarray(x).reshape(1, -1), field="x")
    t = network.encode_targets(np.asarray([target]), n=1, field="target")
    # From 0: a schedule may have decayed the rate below what a trainer accepts as a setting.
    learning_rate = check_number("learning_rate", learning_rate, 0.0, LEARNING_RATE_RANGE[1])
    reg_rate = check_number("reg_rate", reg_rate, *REG_RATE_RANGE)
    regularizer = REGULARIZERS.get(regularization or "none", "regularization")()
    W, b, f = parameters(network)
    loss = network.loss_fn
    with np.errstate(all="ignore"):   # a huge weight gives inf, which the caller may show
        z, a = forward(W, b, f, x)
        data_loss = loss.value(z[-1], a[-1], t)                 # L = loss(ŷ, y)
        dL_da, delta, dW, db = backward(W, f, z, a, x, t, loss)
        reg_dW = penalty_gradients(W, regularizer, reg_rate)
        reg_loss = sum(regularizer.loss(W_i.ravel(), np.ones(W_i.size), reg_rate) for W_i in W)
        layers = []
        for i in range(len(W)):
            penalty = reg_dW[i] if reg_dW is not None else 0.0
            layers.append({
                "activation": f[i].name, "W": W[i], "b": b[i], "z": z[i][0], "a": a[i][0],
                "dL_da": dL_da[i][0], "delta": delta[i][0], "dW": dW[i], "db": db[i],
                "reg_dW": None if reg_dW is None else reg_dW[i],
                "update_W": -learning_rate * (dW[i] + penalty),  # ΔW = −α (∂L/∂W + λ ∂R/∂W)
                "update_b": -learning_rate * db[i],              # Δb = −α ∂L/∂b
            })
    return {"x": x[0], "target": t[0], "output": a[-1][0], "loss": float(data_loss),
            "reg_loss": float(reg_loss), "loss_name": network.loss,
            "learning_rate": learning_rate, "regularization": regularizer.name,
            "reg_rate": reg_rate, "layers": layers}


def apply_update(network, traced):
    """Take exactly the step a `trace` shows: W ← W + ΔW, b ← b + Δb in every layer.

    Refuses (ConfigError "weights") when the network's weights are no longer the traced ones,
    so a stale trace is never applied on top of other changes.
    """
    if len(traced["layers"]) != len(network.layers):
        raise ConfigError("weights", "the trace is of another network", "a trace of this network")
    for i, (layer, step) in enumerate(zip(network.layers, traced["layers"])):
        if not (np.array_equal(layer.W, step["W"]) and np.array_equal(layer.b, step["b"])):
            raise ConfigError("weights", f"layer {i} changed since the trace was taken",
                              "a fresh trace")
    for layer, step in zip(network.layers, traced["layers"]):
        layer.W[...] = step["W"] + step["update_W"]     # W ← W − α ∂L/∂W
        layer.b[...] = step["b"] + step["update_b"]     # b ← b − α ∂L/∂b
