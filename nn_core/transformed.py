"""The transformed-space view: data and the input plane's grid seen by two neurons of a hidden layer.

ConvNetJS's "transformed space" idea: a hidden layer maps every input point to a vector of
activations. Pick two of its neurons (a, b) and plot each data point at (activation of a,
activation of b), together with the images of the input plane's grid lines (vertical and
horizontal lines of [-6, 6]², each sampled densely) pushed through the network up to that
layer. The learner then sees how the layer bends, stretches and folds the plane until the
classes become separable by a line, which is all the next layer can draw.

One float64 forward pass (`Network.forward`) over the data points and the grid-line samples
stacked together; weights, gradients and training state are never touched.

A real dataset's points are the network's inputs (`features` None): its grid lines are those
of its principal plane (a `PrincipalPlane`, bounds in the plane's coordinates), each sample
mapped into input space by `plane.to_inputs`.
"""

import numpy as np

from .errors import ConfigError, check_number
from .features import transform
from .grid import DEFAULT_BOUNDS, _check_bounds

MAX_LINES = 101
MAX_SAMPLES = 1000
DEFAULT_LINES = 13      # vertical lines, and as many horizontal ones
DEFAULT_SAMPLES = 60    # points along each line
DEFAULT_LINE_POINTS = 2 * DEFAULT_LINES * DEFAULT_SAMPLES


def grid_lines(bounds=DEFAULT_BOUNDS, lines=DEFAULT_LINES, samples=DEFAULT_SAMPLES):
    """The input plane's grid lines as points, shape (2·lines, samples, 2).

    Lines 0 … lines−1 are vertical (x = linspace(x_min, x_max, lines)[i], y running from y_min
    to y_max); lines `lines` … 2·lines−1 are horizontal (y fixed, x running from x_min to x_max).
    """
    x0, x1, y0, y1 = _check_bounds(bounds)
    lines = check_number("lines", lines, 2, MAX_LINES, integer=True)
    samples = check_number("samples", samples, 2, MAX_SAMPLES, integer=True)
    xs, ys = np.linspace(x0, x1, lines), np.linspace(y0, y1, lines)
    tx, ty = np.linspace(x0, x1, samples), np.linspace(y0, y1, samples)
    out = np.empty((2 * lines, samples, 2))
    out[:lines, :, 0] = xs[:, None]
    out[:lines, :, 1] = ty[None, :]
    out[lines:, :, 0] = tx[None, :]
    out[lines:, :, 1] = ys[:, None]
    return out


def check_selection(layer_sizes, layer, neurons):
    """(layer, (a, b)) as ints if they name a hidden layer and two of its neurons, else ConfigError.

    `layer_sizes` lists every layer's width, inputs first (as `Network.layer_sizes`); hidden
    layer `layer` is `layer_sizes[layer + 1]`. `a == b` is allowed (a one-neuron layer can only
    show (0, 0)).
    """
    hidden = list(layer_sizes)[1:-1]
    if not hidden:
        raise ConfigError("layer", "the network has no hidden layer to look into",
                          "a network with at least one hidden layer")
    layer = check_number("layer", layer, 0, len(hidden) - 1, integer=True)
    if isinstance(neurons, (str, bytes)) or not hasattr(neurons, "__len__") or len(neurons) != 2:
        raise ConfigError("neurons", "expected two neuron indices [a, b]", [0, hidden[layer] - 1])
    pair = tuple(check_number(f"neurons[{i}]", n, 0, hidden[layer] - 1, integer=True)
                 for i, n in enumerate(neurons))
    return layer, pair


def transformed_space(network, features, points, layer, neurons, bounds=None,
                      lines=DEFAULT_LINES, samples=DEFAULT_SAMPLES, plane=None):
    """Points and grid lines in the space of neurons (a, b) of hidden layer `layer`.

    `points` are raw (n, 2) input-plane coordinates; `features` the network's input feature
    names (as for `transform`). With `features` None, `points` are the network's inputs
    (n, n_inputs) and the grid lines lie on `plane` (required; `bounds` default to the plane's).
    `bounds` default to the input plane's [-6, 6]². Returns a dict:
      - "points": (n, 2) float64, row i = (a_i, b_i), the activations of neurons a and b for point i;
      - "lines": (2·lines, samples, 2) float64, the grid lines of `grid_lines(bounds, lines,
        samples)` mapped the same way;
      - "layer", "neurons": the selection as ints.
    A diverged network gives NaN or ±inf, never a warning. No side effects on the network.
    """
    layer, pair = check_selection(network.layer_sizes, layer, neurons)
    width = 2 if features is not None else network.n_inputs
    if features is None and plane is None:
        raise ConfigError("plane", "raw inputs (features None) need a plane for the grid lines",
                          "a PrincipalPlane")
    if bounds is None:
        bounds = DEFAULT_BOUNDS if features is not None else plane.bounds
    lines_2d = grid_lines(bounds, lines, samples)
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != width:
        raise ConfigError("points", f"expected shape (n, {width}), got {points.shape}",
                          f"(n, {width}) array")
    if features is None:
        X = np.vstack([points, plane.to_inputs(lines_2d.reshape(-1, 2))])
    else:
        X = transform(np.vstack([points, lines_2d.reshape(-1, 2)]), features)
    if X.shape[1] != network.n_inputs:
        raise ConfigError("features", f"{X.shape[1]} features do not fit a network with "
                          f"{network.n_inputs} inputs", f"{network.n_inputs} features")
    with np.errstate(all="ignore"):   # a diverged network maps to NaN, not to a warning
        activations = network.forward(X).a[layer][:, list(pair)]
    n = len(points)
    return {"layer": layer, "neurons": list(pair),
            "points": np.ascontiguousarray(activations[:n]),
            "lines": np.ascontiguousarray(activations[n:]).reshape(lines_2d.shape)}
