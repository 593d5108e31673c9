"""The plane of a dataset's first two principal components: where a table is drawn in 2-D.

    x ≈ m + u₁·c₁ + u₂·c₂        m: the data mean;  c₁, c₂: orthonormal directions of largest
                                 variance;  (u₁, u₂) = ((x − m)·c₁, (x − m)·c₂) the coordinates

The directions are the first two right singular vectors of the centred data X − m (PCA); the
variance along cₖ is σₖ²/n (population variance, as the tables' standardisation). SVD signs
are arbitrary, so each direction is flipped to make its largest-magnitude entry positive: the
same data give the same picture on every machine.

`to_inputs` maps plane coordinates back into input space, so a network can be evaluated on a
grid over the plane: a *slice* through the data's space, not all of it (a point off the plane
projects onto it, and what the network does off the plane is not shown).
"""

import functools
from dataclasses import dataclass

import numpy as np

from . import realdata
from .errors import ConfigError

PLANE_MARGIN = 1.1   # `bounds` reach 10 % past the farthest projected point


@dataclass(frozen=True, eq=False)
class PrincipalPlane:
    """mean (d,), components (2, d) orthonormal rows, explained_variance (2,) descending,
    explained_variance_ratio (2,): each component's share of the total variance, and
    `bounds`, the square (u₁_min, u₁_max, u₂_min, u₂_max) around 0 that holds every point."""

    mean: np.ndarray
    components: np.ndarray
    explained_variance: np.ndarray
    explained_variance_ratio: np.ndarray
    bounds: tuple

    def project(self, X):
        """Plane coordinates (n, 2) of inputs X (n, d): u = (x − m) Cᵀ."""
        X = self._check(X, self.mean.size, "X")
        return (X - self.mean) @ self.components.T

    def to_inputs(self, coords, dtype=np.float64):
        """Inputs (n, d) of plane coordinates (n, 2): x = m + u C; `dtype` float32 for grids."""
        coords = self._check(coords, 2, "coords")
        return (coords @ self.components + self.mean).astype(dtype, copy=False)

    @staticmethod
    def _check(array, width, field):
        array = np.asarray(array, dtype=np.float64)
        if array.ndim != 2 or array.shape[1] != width:
            raise ConfigError(field, f"expected shape (n, {width}), got {array.shape}",
                              f"(n, {width}) numbers")
        return array


def fit_principal_plane(X):
    """The principal plane of data X (n, d), n ≥ 2 and d ≥ 2."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] < 2 or not np.isfinite(X).all():
        raise ConfigError("X", f"needs finite data of at least 2 rows and 2 columns, got "
                          f"shape {X.shape}", "(n ≥ 2, d ≥ 2) finite numbers")
    mean = X.mean(axis=0)
    centred = X - mean
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    components = vt[:2].copy()
    biggest = np.argmax(np.abs(components), axis=1)
    components *= np.sign(components[np.arange(2), biggest])[:, None]
    variance = s**2 / len(X)
    total = centred.var(axis=0).sum()
    half = PLANE_MARGIN * float(np.abs(centred @ components.T).max())
    plane = PrincipalPlane(mean, components, variance[:2].copy(),
                           variance[:2] / total if total > 0 else np.zeros(2),
                           (-half, half, -half, half))
    for array in (plane.mean, plane.components, plane.explained_variance,
                  plane.explained_variance_ratio):
        array.flags.writeable = False   # cached and shared: nobody may edit it
    return plane


@functools.lru_cache(maxsize=None)
def principal_plane(name):
    """The principal plane of real dataset `name` (all its rows), computed once and kept."""
    points, _ = realdata.load(name)
    return fit_principal_plane(points)
