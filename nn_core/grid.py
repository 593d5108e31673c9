"""The network evaluated over the input plane: the decision boundary and every neuron's map.

One float32 forward pass covers the output grid (e.g. 100 × 100) and the smaller neuron grid
(e.g. 25 × 25) stacked together, so the page gets the boundary and all per-neuron thumbnails
from a single batched pass. float32 halves the memory traffic and makes tanh ~5× cheaper;
maps are for looking at, and 7 significant digits are plenty. Training is never touched:
the pass uses copies of the weights, not the training buffers.

Row i of a map is y = ys[i] (bottom to top), column j is x = xs[j]. For a real dataset the
"plane" is its principal plane (principal_plane.py): a 2-D slice through its input space.
"""

from dataclasses import dataclass

import numpy as np

from .errors import ConfigError, check_number
from .features import normalize_features, transform

# The playground's grid: the input plane [-6, 6]², a 100 × 100 output map and 25 × 25 neuron
# maps (TF Playground draws 10 × 10 thumbnails; 25 shows their shapes at a glance). The server's
# snapshot options default to these.
DEFAULT_BOUNDS = (-6.0, 6.0, -6.0, 6.0)
DEFAULT_RESOLUTION = 100
DEFAULT_NEURON_RESOLUTION = 25
MAX_RESOLUTION = 400


class GridInputs:
    """The feature matrix of the output grid and the neuron grid, built once and reused.

    Building it (features such as sin x1 over 10,000 points) costs more than the forward pass
    of a small network, so a server keeps one per (features, bounds, resolutions).
    `neuron_resolution=None` makes the neuron grid as fine as the output grid.

    A real dataset's network takes raw inputs (`features` None): its grid lies on a `plane`
    (a `PrincipalPlane`), `bounds` are in the plane's coordinates (default: the plane's own),
    and each grid point becomes the inputs `plane.to_inputs` gives it.
    """

    def __init__(self, features, bounds=None, resolution=DEFAULT_RESOLUTION,
                 neuron_resolution=DEFAULT_NEURON_RESOLUTION, plane=None):
        if features is None and plane is None:
            raise ConfigError("plane", "raw inputs (features None) need a plane to lay the grid "
                              "on", "a PrincipalPlane")
        self.features = None if features is None else normalize_features(features)
        self.plane = plane if features is None else None
        if bounds is None:
            bounds = DEFAULT_BOUNDS if self.plane is None else self.plane.bounds
        self.bounds = _check_bounds(bounds)
        self.resolution = check_number("resolution", resolution, 2, MAX_RESOLUTION, integer=True)
        self.neuron_resolution = (self.resolution if neuron_resolution is None else
                                  check_number("neuron_resolution", neuron_resolution, 2,
                                               MAX_RESOLUTION, integer=True))
        big = _plane(self.bounds, self.resolution)
        small = _plane(self.bounds, self.neuron_resolution)
        self.n_big = len(big)
        points = np.vstack([big, small])
        self.X = (transform(points, self.features, dtype=np.float32) if self.plane is None
                  else self.plane.to_inputs(points, dtype=np.float32))
        self.inputs = self.X[self.n_big:].reshape(self.neuron_resolution, self.neuron_resolution, -1)


@dataclass
class GridResult:
    bounds: tuple
    resolution: int
    neuron_resolution: int
    output: np.ndarray          # (res, res, n_out)
    output_small: np.ndarray    # (nres, nres, n_out)
    neurons: list               # per hidden layer: (nres, nres, width)
    inputs: np.ndarray          # (nres, nres, n_features)


def evaluate_grid(network, features=None, bounds=None, resolution=DEFAULT_RESOLUTION,
                  neuron_resolution=DEFAULT_NEURON_RESOLUTION, grid=None, plane=None):
    """Output and hidden-neuron maps of `network` over the plane (or over a real dataset's
    principal `plane`, features None; see `GridInputs`); pass a cached `grid` to skip
    rebuilding the feature matrix. `neuron_resolution=None` maps neurons at `resolution`."""
    if grid is None:
        grid = GridInputs(features, bounds, resolution, neuron_resolution, plane)
    if grid.X.shape[1] != network.n_inputs:
        raise ConfigError("features", f"{grid.X.shape[1]} features do not fit a network with "
                          f"{network.n_inputs} inputs", f"{network.n_inputs} features")
    res, nres, cut = grid.resolution, grid.neuron_resolution, grid.n_big
    x = grid.X
    neurons = []
    with np.errstate(all="ignore"):   # a diverged network maps to NaN, not to a warning
        for i, layer in enumerate(network.layers):
            z = x @ layer.W.astype(np.float32)
            z += layer.b.astype(np.float32)
            x = layer.activation.forward(z, out=z)
            if i < len(network.layers) - 1:
                neurons.append(x[cut:].reshape(nres, nres, -1))
    return GridResult(grid.bounds, res, nres, x[:cut].reshape(res, res, -1),
                      x[cut:].reshape(nres, nres, -1), neurons, grid.inputs)


def _plane(bounds, n):
    x0, x1, y0, y1 = bounds
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def _check_bounds(bounds):
    try:
        x0, x1, y0, y1 = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ConfigError("bounds", "expected four numbers", "[x_min, x_max, y_min, y_max]") from None
    for name, v in zip(("x_min", "x_max", "y_min", "y_max"), (x0, x1, y0, y1)):
        check_number(f"bounds.{name}", v, -1e4, 1e4)
    if not (x0 < x1 and y0 < y1):
        raise ConfigError("bounds", "each minimum must be below its maximum", "x_min < x_max, y_min < y_max")
    return (x0, x1, y0, y1)
