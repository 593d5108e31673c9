"""The trained network as a standalone Python file that needs only NumPy (`export.py`).

    text = network_script(session)          # or network_script(trainer, features=[...])

The file holds the weights exactly (each float64 written as Python's `repr`, which reads back
to the same number), the feature transform of the inputs it was trained on, the activations,
and `output` / `predict_proba` / `predict` on points of the dataset's input space; run as
`python export.py x1 x2` it prints the prediction for one point. Its forward pass is the
seed's equations, a loop over layers (`z = a @ W + b`, `a = f(z)`), and its docstring says
what network it is, how it was trained and its test metrics. Each function is written the way
nn_core computes it (tests hold both to 1e-12).
"""

import math

from nn_core import ACTIVATIONS, FEATURES
from nn_core.features import FEATURE_ORDER

from . import figures
from .run import run_of

# Each activation as the engine computes it (nn_core/activations.py), one small function.
ACTIVATION_CODE = {
    "sigmoid": ("def sigmoid(z):\n"
                "    return 0.5 * np.tanh(0.5 * z) + 0.5          # = 1 / (1 + e^(−z)), never overflows"),
    "tanh": "def tanh(z):\n    return np.tanh(z)",
    "relu": "def relu(z):\n    return np.maximum(z, 0.0)",
    "leaky_relu": "def leaky_relu(z):\n    return np.maximum(z, 0.01 * z)",
    "elu": ("def elu(z):\n"
            "    return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))   # e^z − 1 below 0"),
    "softplus": "def softplus(z):\n    return np.logaddexp(0.0, z)                   # ln(1 + e^z)",
    "swish": "def swish(z):\n    return z * (0.5 * np.tanh(0.5 * z) + 0.5)     # z · σ(z)",
    "mish": "def mish(z):\n    return z * np.tanh(np.logaddexp(0.0, z))      # z · tanh(ln(1 + e^z))",
    "sine": "def sine(z):\n    return np.sin(z)",
    "linear": "def linear(z):\n    return z",
    "softmax": ("def softmax(z):\n"
                "    e = np.exp(z - z.max(axis=1, keepdims=True))  # the row maximum keeps e^z ≤ 1\n"
                "    return e / e.sum(axis=1, keepdims=True)"),
}
# Each input feature of a point (x1, x2), as nn_core.features computes it.
FEATURE_CODE = {"x1": "x1", "x2": "x2", "x1_sq": "x1 * x1", "x2_sq": "x2 * x2", "x1x2": "x1 * x2",
                "sin_x1": "np.sin(x1)", "sin_x2": "np.sin(x2)", "cos_x1": "np.cos(x1)",
                "cos_x2": "np.cos(x2)"}
assert set(ACTIVATION_CODE) == set(ACTIVATIONS) and set(FEATURE_CODE) == set(FEATURES)


def network_script(source, **given):
    """The text of export.py for a session or a trainer (see `run.run_of`)."""
    run = run_of(source, **given)
    net = run.net
    names = net.hidden_activations + [net.output_activation]
    used = list(dict.fromkeys(names))
    blocks = [_docstring(run), "import sys\n\nimport numpy as np", _inputs(run)]
    blocks += [ACTIVATION_CODE[name] for name in used]
    weights = ["# W[i] has one row per input of layer i and one column per neuron; b[i] one bias "
               "per neuron.\n# Every float64 is written exactly (Python reads repr back to the "
               "same number)."]
    for i, layer in enumerate(net.layers, start=1):
        weights.append(f"W{i} = np.array({_literal(layer.W)})\nb{i} = np.array({_literal(layer.b)})")
    layers = ", ".join(f"(W{i}, b{i}, {name})" for i, name in enumerate(names, start=1))
    weights.append(f"LAYERS = [{layers}]")
    blocks += ["\n\n".join(weights), *_functions(run)]
    return "\n\n\n".join(blocks) + "\n"


def _docstring(run):
    net, t = run.net, run.trainer
    shape = " → ".join(map(str, net.layer_sizes))
    activations = ", ".join(net.hidden_activations + [net.output_activation])
    facts = dict(figures.settings(run) + figures.metrics(run))
    trained = (f"Trained by the Neural Network from Scratch playground on {run.dataset or 'given data'} "
               f"({facts['split']} points) for {t.epoch} epochs ({t.steps} minibatches of "
               f"{facts['batch size']}): {facts['optimizer']}, learning rate {facts['learning rate']}, "
               f"regularization {facts['regularization']}; initial weights {facts['initial weights']}.")
    if run.problem == "regression":
        result = f"test RMSE {facts.get('test rmse', '—')}, R² {facts.get('test r2', '—')}"
    else:
        result = f"test accuracy {facts.get('test accuracy', '—')}"
    usage = ("python export.py x1 x2      prints the prediction for the point (x1, x2)"
             if run.features is not None else
             f"python export.py v1 ... v{net.n_inputs}      prints the prediction for one point")
    return (f'"""A {shape} network ({activations}; {net.problem}, loss {net.loss}).\n\n'
            + _wrap(trained) + "\n" + _wrap(f"Test loss {facts['test loss']}, {result}.")
            + "\n\n    " + usage + "\n    from export import output, predict_proba, predict"
            "   # points: an (n, d) array\n\nNeeds only NumPy: the forward pass is a loop over "
            "layers, z = a @ W + b, a = f(z),\nwith the weights written out below.\n\"\"\"")


def _wrap(text, width=92):
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join(lines + [line])


def _inputs(run):
    if run.features is None:
        n = run.net.n_inputs
        return (f"N_INPUTS = {n}\n\n\ndef inputs(points):\n"
                f"    \"\"\"The network's inputs: a point's {n} values as they are.\"\"\"\n"
                f"    return np.asarray(points, dtype=float).reshape(-1, {n})")
    names = [name for name in FEATURE_ORDER if name in run.features]
    columns = ", ".join(FEATURE_CODE[name] for name in names)
    return ("N_INPUTS = 2\nFEATURES = " + repr(names) + "   # computed from each point (x1, x2)\n\n\n"
            "def inputs(points):\n    \"\"\"The network's inputs: the features of each point "
            "(x1, x2).\"\"\"\n    points = np.asarray(points, dtype=float).reshape(-1, 2)\n"
            "    x1, x2 = points[:, 0], points[:, 1]\n"
            f"    return np.column_stack([{columns}])")


def _functions(run):
    """The blocks of output, predict_proba, predict and the command line."""
    net = run.net
    blocks = ['def output(points):\n    """The network\'s output ŷ for each point: (n, outputs)."""\n'
              "    a = inputs(points)\n"
              "    for W, b, f in LAYERS:\n"
              "        z = a @ W + b                 # z_i = a_{i−1} W_i + b_i\n"
              "        a = f(z)                      # a_i = f_i(z_i)\n"
              "    return a"]
    if net.problem == "multiclass":
        blocks += ['def predict_proba(points):\n    """Each class\'s probability: (n, classes)."""\n'
                   "    return output(points)",
                   'def predict(points):\n    """The most likely class of each point."""\n'
                   "    return output(points).argmax(axis=1)"]
    elif net.problem == "binary":
        low, high = net.output_range or (-1.0, 1.0)
        if (low, high) == (0.0, 1.0):
            proba = ('    """The probability of class 1 for each point (the sigmoid\'s output)."""\n'
                     "    return output(points)[:, 0]")
        else:
            proba = ('    """The probability of class 1 for each point: the output mapped from '
                     f'[{low:g}, {high:g}] to [0, 1]."""\n'
                     f"    return np.clip((output(points)[:, 0] - ({low!r})) / {high - low!r}, 0.0, 1.0)")
        middle = (low + high) / 2
        blocks += ["def predict_proba(points):\n" + proba,
                   'def predict(points):\n    """Class 1 where the output is above the middle of '
                   f'its range ({middle:g}), else 0."""\n'
                   f"    return (output(points)[:, 0] > {middle!r}).astype(int)"]
    else:
        blocks += ['def predict_proba(points):\n    raise ValueError("a regression network gives '
                   'values, not probabilities: use predict")',
                   'def predict(points):\n    """The predicted value(s) of each point."""\n'
                   f"    return output(points){'[:, 0]' if net.n_outputs == 1 else ''}"]
    blocks.append('if __name__ == "__main__":\n'
                  "    if len(sys.argv) != 1 + N_INPUTS:\n"
                  '        sys.exit(f"usage: python {sys.argv[0]} " + " ".join(f"v{i + 1}" for i in '
                  "range(N_INPUTS)))\n"
                  "    point = [[float(v) for v in sys.argv[1:]]]\n"
                  f"    print({_printed(net.problem)})")
    return blocks


def _printed(problem):
    if problem == "regression":
        return "predict(point)[0]"
    if problem == "binary":
        return 'f"class {predict(point)[0]} (P(class 1) = {predict_proba(point)[0]:.6f})"'
    return 'f"class {predict(point)[0]} (probabilities {np.round(predict_proba(point)[0], 6).tolist()})"'


def _literal(array):
    """A nested list literal of float64 values that Python reads back exactly."""
    if array.ndim == 1:
        return "[" + ", ".join(_number(v) for v in array) + "]"
    rows = ",\n    ".join(_literal(row) for row in array)
    return "[\n    " + rows + "]"


def _number(value):
    value = float(value)
    if math.isnan(value):
        return "np.nan"
    if math.isinf(value):
        return "np.inf" if value > 0 else "-np.inf"
    return repr(value)
