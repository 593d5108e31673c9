"""A feed-forward network of Dense layers, with backpropagation.

    x_0 = X,   z_i = x_{i−1} W_i + b_i,   x_i = f_i(z_i),   ŷ = x_L

Backpropagation (δ_i = ∂L/∂z_i, rows are samples):

    δ_L = ∂L/∂z_L                     (from the loss; (ŷ − y)/n when fused)
    ∂L/∂W_i = x_{i−1}ᵀ δ_i,   ∂L/∂b_i = Σ_rows δ_i
    δ_{i−1} = (δ_i W_iᵀ) ⊙ f'_{i−1}(z_{i−1})

All weights and biases live in one flat vector `params` (each layer's W and b are views into it)
and all gradients in `grads`, laid out alike: an optimizer updates the whole network in one
vectorised step and the regularizer finds the weights through `weight_mask`.
"""

import json
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS, OUTPUT_ONLY, get_activation
from .errors import ConfigError, check_number
from .initializers import INITIALIZERS
from .layers import Dense, Workspace
from .losses import LOSSES, get_loss
from .seeds import check_seed
from .serialization import decode_array, encode_array

# The problem types, with what each one means for the output layer.
PROBLEMS = ("binary", "multiclass", "regression")
_PROBLEM_LABELS = {"binary": "Binary classification", "multiclass": "Multi-class classification",
                   "regression": "Regression"}
MAX_LAYER_SIZE = 4096

# What a problem type implies when the caller does not say.
_DEFAULT_OUTPUT = {"binary": "sigmoid", "multiclass": "softmax", "regression": "linear"}
_DEFAULT_LOSS = {
    ("binary", "sigmoid"): "bce",
    ("binary", "tanh"): "mse",          # TensorFlow Playground's pairing: labels ±1
    ("binary", "linear"): "hinge",
    ("multiclass", "softmax"): "softmax_ce",
}


@dataclass
class Forward:
    """Everything one forward pass computed: pre-activations z[i] and activations a[i] per layer."""

    z: list
    a: list

    @property
    def output(self):
        return self.a[-1]


class Network:
    """Network(layer_sizes, activation, output_activation, loss, init, seed, problem).

    `layer_sizes` lists the width of every layer, inputs first: [2, 8, 8, 1] has two inputs,
    two hidden layers of 8 and one output. `activation` is one name for every hidden layer or a
    list with one name per hidden layer. `output_activation`, `loss` and `problem`
    ("binary", "multiclass" or "regression") fill each other in when some are left out.
    """

    def __init__(self, layer_sizes, activation="tanh", output_activation=None, loss=None,
                 init="xavier_uniform", seed=0, problem=None):
        self.layer_sizes = _check_sizes(layer_sizes)
        n_hidden = len(self.layer_sizes) - 2
        self.hidden_activations = _check_hidden(activation, n_hidden)
        self.problem, self.output_activation, self.loss = resolve_output(
            self.layer_sizes[-1], output_activation, loss, problem)
        INITIALIZERS.get(init, "init")
        self.init = init
        self.seed = check_seed(seed)

        self.loss_fn = get_loss(self.loss)
        self.loss_fn.check(self.output_activation, self.problem, self.layer_sizes[-1])
        if self.output_activation == "softmax" and self.layer_sizes[-1] < 2:
            raise ConfigError("output_activation", "softmax over one neuron is always 1",
                              [n for n in ACTIVATIONS if n != "softmax"])
        self._build()
        self.reinitialize(self.seed)

    # ----------------------------------------------------------------- structure
    def _build(self):
        shapes = [(n_in + 1, n_out) for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:])]
        total = sum(r * c for r, c in shapes)
        self.params = np.zeros(total)
        self.grads = np.zeros(total)
        self.weight_mask = np.zeros(total)
        names = self.hidden_activations + [self.output_activation]
        self.layers, offset = [], 0
        # Where each layer's W and b sit in the flat vectors: (W's slice, W's shape, b's slice).
        self._layout = []
        for (rows, cols), name in zip(shapes, names):
            size = rows * cols
            bias = offset + size - cols
            self._layout.append((slice(offset, bias), (rows - 1, cols), slice(bias, offset + size)))
            W_aug = self.params[offset:offset + size].reshape(rows, cols)
            dW_aug = self.grads[offset:offset + size].reshape(rows, cols)
            self.weight_mask[offset:offset + size - cols] = 1.0   # every row but the bias row
            self.layers.append(Dense(rows - 1, cols, get_activation(name), W_aug, dW_aug))
            offset += size
        self._workspaces = {}
        # Row c is the target of class c: one-hot for multi-class; for binary the ends of the
        # output's range (0/1 for sigmoid, ±1 for tanh and linear/hinge).
        # (None for regression, whose targets are the values themselves.)
        if self.problem == "multiclass":
            self._targets = np.eye(self.n_outputs)
        elif self.problem == "binary":
            low, high = self.layers[-1].activation.output_range or (-1.0, 1.0)
            self._targets = np.array([[low], [high]])
        else:
            self._targets = None
        self._ids_are_targets = self._targets is not None and np.array_equal(
            self._targets, np.arange(len(self._targets), dtype=float)[:, None])

    def reinitialize(self, seed=None):
        """Draw fresh weights with the initializer; the same seed gives bit-identical weights."""
        if seed is not None:
            self.seed = check_seed(seed)
        rng = np.random.default_rng(self.seed)
        initializer = INITIALIZERS.get(self.init, "init")
        for layer in self.layers:
            W, b = initializer(layer.n_in, layer.n_out, rng)
            layer.W[...] = W
            layer.b[...] = b

    @property
    def n_params(self):
        return self.params.size

    @property
    def n_inputs(self):
        return self.layer_sizes[0]

    @property
    def n_outputs(self):
        return self.layer_sizes[-1]

    @property
    def output_range(self):
        """(low, high) of the output activation, or None when unbounded."""
        return self.layers[-1].activation.output_range

    def get_params(self):
        """[(W, b), ...] per layer, as copies."""
        return [(layer.W.copy(), layer.b.copy()) for layer in self.layers]

    def set_params(self, params):
        """Set every layer's (W, b); shapes must match exactly."""
        params = list(params)
        if len(params) != len(self.layers):
            raise ConfigError("params", f"expected {len(self.layers)} (W, b) pairs, got {len(params)}")
        for i, (layer, pair) in enumerate(zip(self.layers, params)):
            W, b = (np.asarray(p, dtype=float) for p in pair)
            if W.shape != layer.W.shape or b.shape != layer.b.shape:
                raise ConfigError(f"params[{i}]", f"shapes {W.shape}, {b.shape} do not fit",
                                  f"W {layer.W.shape}, b {layer.b.shape}")
            layer.W[...] = W
            layer.b[...] = b

    def unflatten(self, flat):
        """[(W, b), ...] per layer: views into a flat vector laid out like `params` (the
        gradients, an optimizer's state, a copy of the parameters)."""
        return [(flat[w].reshape(shape), flat[b]) for w, shape, b in self._layout]

    def set_weight(self, layer, row, col, value):
        """Set one weight W[row, col] of a layer; row == n_in addresses the bias b[col]."""
        layer = check_number("layer", layer, 0, len(self.layers) - 1, integer=True)
        target = self.layers[layer]
        row = check_number("from", row, 0, target.n_in, integer=True)
        col = check_number("to", col, 0, target.n_out - 1, integer=True)
        target.W_aug[row, col] = check_number("value", value, -1e6, 1e6)

    # ----------------------------------------------------------------- forward
    def forward(self, X):
        """Forward pass keeping every layer's pre-activation and activation (for the neuron maps)."""
        X = self.check_inputs(X)
        zs, activations = [], []
        for layer in self.layers:
            z, X = layer.forward(X)
            zs.append(z)
            activations.append(X)
        return Forward(zs, activations)

    def output(self, X):
        return self.forward(X).output

    def predict(self, X):
        """Class ids (binary: 0/1, multi-class: argmax) or values (regression)."""
        return self.decide(self.output(X))

    def decide(self, out):
        """Predictions from output activations: the class with the larger output, or the value."""
        if self.problem == "multiclass":
            return out.argmax(axis=1)
        if self.problem == "binary":
            low, high = self.output_range or (-1.0, 1.0)
            return (out[:, 0] > (low + high) / 2).astype(np.int64)
        return out[:, 0] if self.n_outputs == 1 else out

    def predict_proba(self, X):
        """Multi-class: (n, K) class probabilities; binary: (n,) probability of class 1."""
        out = self.output(X)
        if self.problem == "multiclass":
            return out
        if self.problem == "binary":
            low, high = self.output_range or (-1.0, 1.0)
            return np.clip((out[:, 0] - low) / (high - low), 0.0, 1.0)
        raise ConfigError("problem", "probabilities exist only for classification",
                          ["binary", "multiclass"])

    # ----------------------------------------------------------------- backward
    def loss_and_grads(self, X, y):
        """(data loss, [(dW, db), ...]) for one batch: mean over rows, no regularization.

        The weights are not changed; `grads` holds the same numbers afterwards, and the returned
        arrays are a copy of it (the next call does not overwrite them). This is the trainer's
        own backward pass on preallocated buffers, so a notebook loop over it costs about what a
        training step does.
        """
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0] or X.dtype.kind not in "iuf":
            X = self.check_inputs(X)                # raises, naming what X should be
        n = len(X)
        if n == 0:
            raise ConfigError("X", "needs at least one row", "≥ 1 row")
        T = self.encode_targets(y, n=n)
        ws = self._workspaces.get(n) or self.workspace(n)
        np.copyto(ws.x_in_head, X)
        self.backprop(ws.x_in, T, ws)
        loss = self.loss_fn.value(ws.z[-1], ws.out, T)
        return loss, self.unflatten(self.grads.copy())   # one copy; each (dW, db) views it

    def workspace(self, n):
        """Buffers for batches of n rows (kept for the few batch sizes a trainer uses)."""
        ws = self._workspaces.get(n)
        if ws is None:
            if len(self._workspaces) > 8:
                self._workspaces.clear()
            ws = self._workspaces[n] = Workspace(self.layer_sizes, n)
        return ws

    def backprop(self, X_aug, T, ws):
        """Forward and backward over one batch, writing ∂L/∂W and ∂L/∂b into `grads`.

        X_aug is the (n, n_in + 1) input with a trailing column of ones, T the encoded targets.
        This is the training hot path: every array is a preallocated buffer in `ws`.
        """
        # np.dot rather than the @ operator: for the tiny matrices of a playground it has about
        # half the call overhead, and every output here is a C-contiguous float64 buffer as
        # np.dot's `out` requires.
        layers = self.layers
        x = X_aug
        # zip stops at the shortest list on purpose: `ws.a` and `ws.x_aug` hold the hidden
        # layers only, so this loop runs over every layer but the output, which follows.
        for layer, z, a, x_aug in zip(layers, ws.z, ws.a, ws.x_aug):
            np.dot(x, layer.W_aug, out=z)                                  # z_i = x_{i−1} W_i + b_i
            layer.activation.forward(z, out=a)                             # x_i = f_i(z_i)
            x = x_aug
        top = layers[-1]
        np.dot(x, top.W_aug, out=ws.z[-1])
        top.activation.forward(ws.z[-1], out=ws.out)
        delta = self.loss_fn.grad_z(ws.z[-1], ws.out, T, top.activation, out=ws.dz[-1])
        for i in range(len(layers) - 1, 0, -1):
            np.dot(ws.x_aug_T[i - 1], delta, out=layers[i].dW_aug)        # ∂L/∂W_i, ∂L/∂b_i
            np.dot(delta, layers[i].W_T, out=ws.da[i - 1])                 # ∂L/∂x_{i−1}
            delta = layers[i - 1].activation.backward(
                ws.z[i - 1], ws.a[i - 1], ws.da[i - 1], out=ws.dz[i - 1])  # δ_{i−1}
        np.dot(X_aug.T, delta, out=layers[0].dW_aug)

    # ----------------------------------------------------------------- targets and inputs
    def encode_targets(self, y, n=None, field="y"):
        """Labels → targets shaped like the output: 0/1 or ±1 (binary), one-hot (multi-class), values."""
        y = np.asarray(y)
        targets = self._targets
        if (targets is not None and y.ndim == 1 and y.dtype.kind in "iu" and y.dtype != np.uint64
                and (n is None or len(y) == n)):
            # The fast path (every batch given to `loss_and_grads` comes here), two NumPy calls:
            # bincount refuses negative ids and its length tells the largest; then the ids index
            # the table of target rows. Anything else takes the checks below.
            try:
                if len(np.bincount(y, minlength=len(targets))) == len(targets):
                    # 0/1 targets (a sigmoid output) are the ids themselves: a cast, no lookup
                    return y.astype(np.float64)[:, None] if self._ids_are_targets else targets[y]
            except ValueError:
                pass
        if y.ndim == 0:
            raise ConfigError(field, "expected one label per row, got a single number", "(n,)")
        if n is not None and len(y) != n:
            raise ConfigError(field, f"has {len(y)} labels for {n} rows", f"{n} labels")
        k = self.n_outputs
        if self.problem == "regression":
            if y.ndim == 1 and k == 1:
                y = y[:, None]
            if y.ndim != 2 or y.shape[1] != k or y.dtype.kind not in "iuf":
                raise ConfigError(field, f"regression targets must be numbers shaped (n,) or (n, {k})",
                                  f"(n, {k}) numbers")
            if not np.all(np.isfinite(y)):
                raise ConfigError(field, "regression targets must be finite", "finite numbers")
            return y.astype(float)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        kind = y.dtype.kind
        classes = len(targets)
        if kind not in "iufb":
            raise ConfigError(field, f"labels must be numbers, got {y.dtype.name} values",
                              list(range(classes)))
        if y.ndim != 1:
            raise ConfigError(field, f"labels must be one number per row, got shape {y.shape}", "(n,)")
        with np.errstate(invalid="ignore"):         # NaN, ±inf and huge values fail the test below
            ids = y.astype(np.int64)
        if (ids == y).all() and (not len(ids) or (ids.min() >= 0 and ids.max() < classes)):
            return targets[ids]
        raise ConfigError(field, f"{self.problem} labels must be integer class ids",
                          list(range(classes)))

    def check_inputs(self, X, field="X"):
        """X as a float array shaped (n, n_inputs), or ConfigError naming `field`."""
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_inputs or X.dtype.kind not in "iuf":
            raise ConfigError(field, f"inputs must be numbers shaped (n, {self.n_inputs}), got {X.shape}",
                              f"(n, {self.n_inputs})")
        return X if X.dtype.kind == "f" else X.astype(float)

    # ----------------------------------------------------------------- saving
    def config(self):
        """Everything needed to rebuild this network's structure (JSON-safe)."""
        return {
            "layer_sizes": list(self.layer_sizes),
            "activation": list(self.hidden_activations),
            "output_activation": self.output_activation,
            "loss": self.loss,
            "init": self.init,
            "seed": self.seed,
            "problem": self.problem,
        }

    def to_dict(self):
        """A JSON-safe dict that `from_dict` turns back into an identical network."""
        return {"format": "nn_core.network/1", "config": self.config(),
                "params": encode_array(self.params)}

    @classmethod
    def from_dict(cls, data):
        if not isinstance(data, dict) or data.get("format") != "nn_core.network/1":
            raise ConfigError("network", "not a saved network", '{"format": "nn_core.network/1", ...}')
        config = data.get("config")
        if not isinstance(config, dict):
            raise ConfigError("network.config", "missing", "a dict from Network.config()")
        try:
            net = cls(**config)
        except TypeError as exc:
            raise ConfigError("network.config", str(exc)) from None
        params = decode_array(data.get("params"), "network.params")
        if params.shape != net.params.shape:
            raise ConfigError("network.params", f"has {params.size} values", f"{net.params.size} values")
        net.params[...] = params
        return net

    def save(self, path):
        """Save to .npz: the config as JSON text and the parameters as float64 (no pickle)."""
        np.savez(path, config=np.array(json.dumps(self.config())), params=self.params)

    @classmethod
    def load(cls, path):
        with np.load(path, allow_pickle=False) as data:
            net = cls(**json.loads(str(data["config"])))
            net.params[...] = data["params"]
        return net

    def __repr__(self):
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"Network([{layers}], loss={self.loss!r}, params={self.n_params})"


def _check_sizes(layer_sizes):
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__"):
        raise ConfigError("layer_sizes", "must be a list of layer widths", "e.g. [2, 8, 8, 1]")
    if len(layer_sizes) < 2:
        raise ConfigError("layer_sizes", "needs at least an input and an output size", "e.g. [2, 1]")
    return [check_number(f"layer_sizes[{i}]", n, 1, MAX_LAYER_SIZE, integer=True)
            for i, n in enumerate(layer_sizes)]


def _check_hidden(activation, n_hidden):
    names = [activation] * n_hidden if isinstance(activation, str) else activation
    if not isinstance(names, (list, tuple)) or len(names) != n_hidden:
        raise ConfigError("activation", f"give one name or a list of {n_hidden} names",
                          ACTIVATIONS.names())
    hidden = [n for n in ACTIVATIONS if n not in OUTPUT_ONLY]
    for i, name in enumerate(names):
        field = "activation" if isinstance(activation, str) else f"activation[{i}]"
        ACTIVATIONS.get(name, field)
        if name in OUTPUT_ONLY:
            raise ConfigError(field, f"{name!r} is for output layers only", hidden)
    return list(names)


def describe_problems():
    """Every problem type for /api/options: name, label, and the output activation and loss it
    takes when they are left out."""
    return [{"name": name, "label": _PROBLEM_LABELS[name], "output_activation": _DEFAULT_OUTPUT[name],
             "loss": _DEFAULT_LOSS.get((name, _DEFAULT_OUTPUT[name]), "mse")} for name in PROBLEMS]


def resolve_output(n_out, output_activation, loss, problem):
    """(problem, output activation, loss) with whatever was left out (None) filled in to fit the rest."""
    if problem is None:
        if n_out > 1:
            problem = "multiclass"
        elif loss in ("bce", "hinge") or (loss is None and output_activation in ("sigmoid", "tanh")):
            problem = "binary"
        else:
            problem = "regression"
    if problem not in PROBLEMS:
        raise ConfigError("problem", f"unknown problem type {problem!r}", list(PROBLEMS))
    if problem == "multiclass" and n_out < 2:
        raise ConfigError("layer_sizes[-1]", "a multi-class output needs one neuron per class", [2, MAX_LAYER_SIZE])
    if problem == "binary" and n_out != 1:
        raise ConfigError("layer_sizes[-1]", "a binary output has one neuron", [1, 1])
    if output_activation is None:
        output_activation = _DEFAULT_OUTPUT[problem]
        # A chosen loss picks an output it can train (hinge: linear, not the binary sigmoid).
        fits = LOSSES.get(loss, "loss").allowed_outputs if loss is not None else None
        if fits and output_activation not in fits:
            output_activation = fits[0]
    ACTIVATIONS.get(output_activation, "output_activation")
    if loss is None:
        loss = _DEFAULT_LOSS.get((problem, output_activation), "mse")
    LOSSES.get(loss, "loss")
    return problem, output_activation, loss
