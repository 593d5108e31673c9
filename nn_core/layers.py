"""The fully connected layer: x_i = f_i(x_{i−1} W_i + b_i) for a whole batch of rows at once."""

import numpy as np


class Dense:
    """A = f(X @ W + b) with X (n, n_in), W (n_in, n_out), b (n_out,), A (n, n_out).

    W and b are stacked as W_aug = [W; b], shape (n_in + 1, n_out), so that with a column of
    ones appended to the input, [X 1] @ W_aug = X @ W + b is a single matrix product — and,
    in the backward pass, [X 1]ᵀ @ δ gives ∂L/∂W and ∂L/∂b together. W_aug is a view into the
    network's one flat parameter vector, and dW_aug into its flat gradient vector, so an
    optimizer updates every layer with one vectorised step.
    """

    def __init__(self, n_in, n_out, activation, W_aug, dW_aug):
        self.n_in, self.n_out = n_in, n_out
        self.activation = activation
        self.W_aug, self.dW_aug = W_aug, dW_aug
        self.W, self.b = W_aug[:-1], W_aug[-1]       # views: updating W_aug updates these
        self.W_T = self.W.T                           # kept: backward needs Wᵀ every step
        self.dW, self.db = dW_aug[:-1], dW_aug[-1]

    def forward(self, X):
        """(z, a) with z = X @ W + b and a = f(z); allocates, never touches shared buffers."""
        z = X @ self.W.astype(X.dtype, copy=False)
        z += self.b.astype(X.dtype, copy=False)
        return z, self.activation.forward(z)

    @property
    def n_params(self):
        return self.W_aug.size

    def __repr__(self):
        return f"Dense({self.n_in} → {self.n_out}, {self.activation.name})"


class Workspace:
    """Preallocated buffers for one batch size: a training step then allocates nothing.

    For the hidden layers, `x_aug[l]` is the layer's output with a trailing column of ones
    (the next layer's augmented input) and `a[l]` the view of it without that column; `x_in` is
    the same for the network's input.
    """

    @staticmethod
    def floats(layer_sizes, n):
        """How many float64 values the buffers for `n` rows hold (a memory estimate can ask
        before building any): per row, [X 1], each hidden [a 1] and ∂L/∂a, each layer's z and
        δ, and the output."""
        hidden, widths = layer_sizes[1:-1], layer_sizes[1:]
        per_row = (layer_sizes[0] + 1 + sum(k + 1 for k in hidden) + sum(hidden)
                   + 2 * sum(widths) + layer_sizes[-1])
        return n * per_row

    def __init__(self, layer_sizes, n):
        hidden = layer_sizes[1:-1]
        self.n = n
        # The network's input with its column of ones ([X 1]), for callers that bring a plain X.
        self.x_in = np.ones((n, layer_sizes[0] + 1))
        self.x_in_head = self.x_in[:, :-1]
        self.x_aug = [np.ones((n, k + 1)) for k in hidden]
        self.x_aug_T = [x.T for x in self.x_aug]
        self.a = [x[:, :-1] for x in self.x_aug]
        self.z = [np.empty((n, k)) for k in layer_sizes[1:]]
        self.dz = [np.empty((n, k)) for k in layer_sizes[1:]]
        self.da = [np.empty((n, k)) for k in hidden]
        self.out = np.empty((n, layer_sizes[-1]))
