"""The loss along one weight: what a derivative is, drawn.

    J(v) = L(θ with w := v) + λ·R(θ with w := v),     v = w + s·span,  s ∈ [−1, 1]
    J′(w) = ∂L/∂w + λ·∂R/∂w                             (the tangent's slope at the current w)

Every other weight and bias stays as it is. L is the mean data loss over the rows given (the
training set, a minibatch or one point), R the regularization penalty (biases are never
penalised). The slope comes from backpropagation (`Network.loss_and_grads`, the trainer's own
backward pass) plus the penalty's gradient: the gradient Inspect shows in its backward stage,
equal to the curve's finite-difference slope (the tests check both to 1e-7).

The curve is computed the way the equations are written (`textbook.forward`): the layers before
the weight's own do not move, so their output is computed once per chunk of rows and only the
rest of the network runs for each value. `cost` estimates the work so a caller can bound it.
"""

import numpy as np

from . import textbook
from .errors import ConfigError, check_number
from .landscape import ACTIVATION_COST
from .regularizers import REG_RATE_RANGE, REGULARIZERS

KINDS = ("W", "b")
SPAN_RANGE = (1e-3, 100.0)
RESOLUTION_RANGE = (3, 201)
DEFAULT_SPAN = 2.0
DEFAULT_RESOLUTION = 41          # odd: the middle value is the current weight itself
CHUNK_ROWS = 2048                # rows run through the network at once (small temporaries)


def check_param(network, layer, kind, row, col, field="param"):
    """(layer, kind, row, col) checked against the network, errors naming `field.layer` etc.
    `row`/`col` index W of shape (n_in, n_out); a bias ("b") uses `col` and ignores `row`."""
    layer = check_number(f"{field}.layer", layer, 0, len(network.layers) - 1, integer=True)
    if kind not in KINDS:
        raise ConfigError(f"{field}.kind", f"unknown kind {kind!r}", list(KINDS))
    dense = network.layers[layer]
    col = check_number(f"{field}.col", col, 0, dense.n_out - 1, integer=True)
    row = check_number(f"{field}.row", row, 0, dense.n_in - 1, integer=True) if kind == "W" else None
    return layer, kind, row, col


def cost(layer_sizes, layer, n_rows, resolution):
    """Multiply-adds of a slice along a weight of weight layer `layer`: every value runs every
    row through that layer and the ones after it (one per parameter, ACTIVATION_COST per
    neuron, as `landscape.cost` counts)."""
    sizes = layer_sizes[layer:]
    params = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    return resolution * n_rows * (params + ACTIVATION_COST * sum(sizes[1:]))


def loss_along(network, X, y, layer, kind, row, col, span=DEFAULT_SPAN,
               resolution=DEFAULT_RESOLUTION, regularization="none", reg_rate=0.0):
    """The objective J(v) = data loss + penalty at `resolution` values v of one weight, evenly
    spaced over w ± span (w its current value), on the rows `X` (features applied) with labels
    `y`. The network is not changed (its weights, nor the gradient it holds).

    Returns a dict of float64 arrays and numbers: `values`, `loss` (J), `data_loss`, `reg_loss`,
    `current` (w), `current_loss`, `current_data_loss`, `current_reg_loss` (at w itself),
    `gradient` (J′(w)), `data_gradient` (∂L/∂w) and `reg_gradient` (λ ∂R/∂w).
    """
    layer, kind, row, col = check_param(network, layer, kind, row, col)
    span = check_number("span", span, *SPAN_RANGE)
    resolution = check_number("resolution", resolution, *RESOLUTION_RANGE, integer=True)
    reg_rate = check_number("reg_rate", reg_rate, *REG_RATE_RANGE)
    regularizer = REGULARIZERS.get(regularization or "none", "regularization")()
    X = network.check_inputs(np.asarray(X), "X")
    if not len(X):
        raise ConfigError("X", "needs at least one row", "≥ 1 row")
    T = network.encode_targets(y, n=len(X))
    W, b, f = textbook.parameters(network)
    moving, at = (W[layer], (row, col)) if kind == "W" else (b[layer], col)
    current = float(moving[at])
    offsets = span * np.linspace(-1.0, 1.0, resolution)
    if resolution % 2:
        offsets[resolution // 2] = 0.0          # the middle value is w, not w ± rounding
    values = current + offsets
    # The penalty, on a copy of the flat parameters with this one weight replaced.
    flat, mask = network.params.copy(), network.weight_mask
    flat_W, flat_b = network.unflatten(flat)[layer]
    flat_moving = flat_W if kind == "W" else flat_b
    loss = network.loss_fn
    with np.errstate(all="ignore"):
        data = np.zeros(resolution + 1)            # the last one: at w itself
        for start in range(0, len(X), CHUNK_ROWS):
            rows, targets = X[start:start + CHUNK_ROWS], T[start:start + CHUNK_ROWS]
            if layer:                              # the layers before do not move
                rows = textbook.forward(W[:layer], b[:layer], f[:layer], rows)[1][-1]
            for k, v in enumerate([*values, current]):
                moving[at] = v
                z, a = textbook.forward(W[layer:], b[layer:], f[layer:], rows)
                data[k] += loss.value(z[-1], a[-1], targets) * len(rows)
        data /= len(X)
        reg = np.zeros(resolution + 1)
        for k, v in enumerate([*values, current]):
            flat_moving[at] = v
            reg[k] = regularizer.loss(flat, mask, reg_rate)
        data_gradient = _data_gradient(network, X, y, layer, kind, row, col)
        reg_gradient = 0.0
        if kind == "W":
            g = np.zeros(1)
            regularizer.add_grad(np.array([current]), np.ones(1), reg_rate, g)
            reg_gradient = float(g[0])
    objective = data + reg
    return {"values": values, "loss": objective[:-1], "data_loss": data[:-1], "reg_loss": reg[:-1],
            "current": current, "current_loss": float(objective[-1]),
            "current_data_loss": float(data[-1]), "current_reg_loss": float(reg[-1]),
            "gradient": data_gradient + reg_gradient, "data_gradient": data_gradient,
            "reg_gradient": reg_gradient}


def _data_gradient(network, X, y, layer, kind, row, col):
    """∂L/∂w by backpropagation over all rows, leaving the network's gradient as it was."""
    saved = network.grads.copy()
    try:
        _, grads = network.loss_and_grads(X, y)
    finally:
        network.grads[...] = saved
    dW, db = grads[layer]
    return float(dW[row, col] if kind == "W" else db[col])
