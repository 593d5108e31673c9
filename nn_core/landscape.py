"""The loss landscape: the training data loss on a 2-D slice through parameter space.

    L(α, β) = L(θ₀ + α·d₁ + β·d₂)        over a grid of (α, β)

θ₀ is a flat parameter vector (laid out like `Network.params`), d₁ and d₂ two directions:

- "random": filter-normalised random directions (Li et al., 2018, "Visualizing the Loss
  Landscape of Neural Nets"). Each direction is drawn N(0, 1) and then, filter by filter,
  rescaled to the norm of the matching parameters of θ₀, so a step of α = 1 moves every filter
  by its own size whatever the layer's scale. For a dense layer a *filter* is one output
  neuron: column j of the layer's [W; b] block, i.e. the n_in weights into neuron j **and its
  bias** (a neuron's bias places its boundary in the plane, so it moves with its weights;
  Li et al. define filters for convolutions and treat 1-D parameters apart). A filter all zero in
  θ₀ (zero initialisation) gets a unit-norm direction instead, so the plane never collapses.
  The two directions are not orthogonalised (that would undo the normalisation).
- "pca": the first two principal directions of recorded trajectories relative to θ₀ (the right
  singular vectors of the matrix whose rows are θ_k − θ₀; no mean is removed, as in Li et al.),
  orthonormal. None when the trajectories span fewer than two directions.

`project` gives the (α, β) of any parameter vector: exact for points in the plane, the least
squares fit otherwise. `surface` evaluates the whole grid in batches: per rectangle of cells one
batched matrix product per layer and one loss evaluation (no Python loop per grid cell).
"""

from dataclasses import dataclass, field

import numpy as np

from .errors import ConfigError, check_number

DIRECTIONS = ("pca", "random")
RESOLUTION_RANGE = (3, 201)          # odd, so the grid's centre cell is θ₀ itself
SPAN_RANGE = (1e-3, 100.0)
PCA_MARGIN = 1.2                     # at span 1 a PCA grid reaches 20 % past the farthest point
RANK_TOLERANCE = 1e-6                # σ₂ ≤ this · σ₁: the trajectories are (nearly) a line
CHUNK_VALUES = 2**18                 # activations held at once per layer (2 MB of float64)
ACTIVATION_COST = 48                 # a neuron (bias, activation, loss share) ≈ 48 multiply-adds


@dataclass
class Landscape:
    """The grid (`loss[i, j]` at α = alphas[j], β = betas[i]) and the plane it lies in."""

    alphas: np.ndarray
    betas: np.ndarray
    loss: np.ndarray
    origin_loss: float
    directions: str                  # what was used: "pca", or "random" (asked, or a fallback)
    d1: np.ndarray
    d2: np.ndarray
    paths: list = field(default_factory=list)   # (alpha, beta) arrays, one per trajectory


def filters(network):
    """(start, n_rows, n_cols) of every layer's [W; b] block in the flat parameter vector."""
    blocks, start = [], 0
    for layer in network.layers:
        blocks.append((start, layer.n_in + 1, layer.n_out))
        start += (layer.n_in + 1) * layer.n_out
    return blocks


def filter_normalize(network, direction, origin):
    """`direction` with each filter (column of a layer's [W; b]) scaled to the norm of the same
    filter of `origin` (to norm 1 where that filter of `origin` is all zero)."""
    out = np.array(direction, dtype=float)
    for start, rows, cols in filters(network):
        d = out[start:start + rows * cols].reshape(rows, cols)
        target = np.linalg.norm(origin[start:start + rows * cols].reshape(rows, cols), axis=0)
        norm = np.linalg.norm(d, axis=0)
        d *= np.where(target > 0, target, 1.0) / np.where(norm > 0, norm, 1.0)
    return out


def random_directions(network, origin, seed=0):
    """Two filter-normalised Gaussian directions (the same seed gives the same plane)."""
    rng = np.random.default_rng(seed)
    return tuple(filter_normalize(network, rng.standard_normal(origin.size), origin)
                 for _ in range(2))


def pca_directions(origin, trajectories):
    """The two leading principal directions (orthonormal) of every trajectory point minus θ₀,
    each pointing so that the trajectories' mean displacement projects positively; or None
    when the points span fewer than two directions."""
    rows = [np.asarray(t, dtype=float).reshape(-1, origin.size) - origin for t in trajectories]
    M = np.concatenate(rows) if rows else np.empty((0, origin.size))
    M = M[np.isfinite(M).all(axis=1)]
    scale = np.abs(M).max(initial=0.0)
    if len(M) < 2 or not 0 < scale < np.inf:
        return None
    M = M / scale                        # same directions; huge weights cannot overflow the SVD
    try:
        _, s, vt = np.linalg.svd(M, full_matrices=False)
    except np.linalg.LinAlgError:
        return None
    if len(s) < 2 or not s[0] > 0 or s[1] <= RANK_TOLERANCE * s[0]:
        return None
    mean = M.mean(axis=0)
    d1, d2 = (v if v @ mean >= 0 else -v for v in vt[:2])   # SVD signs are arbitrary
    return d1, d2


def project(points, origin, d1, d2):
    """(alpha, beta) arrays: the least-squares coordinates of each point (rows) in the plane;
    NaN for a point that is not finite."""
    points = np.asarray(points, dtype=float).reshape(-1, origin.size)
    basis = np.stack([d1, d2], axis=1)                        # (P, 2)
    coords = np.full((2, len(points)), np.nan)
    with np.errstate(all="ignore"):      # a run that blew up may sit very far away
        offsets = points - origin
        # One solve for all rows, but only the finite ones: a NaN row would spoil the others'.
        finite = np.isfinite(offsets).all(axis=1)
        if finite.any():
            coords[:, finite] = np.linalg.lstsq(basis, offsets[finite].T, rcond=None)[0]
    return coords[0], coords[1]


def grid_axis(resolution, half_width):
    """`resolution` (odd) evenly spaced values from −half_width to half_width, the middle one
    exactly 0."""
    steps = (np.arange(resolution) - (resolution - 1) // 2) / ((resolution - 1) // 2)
    return steps * half_width


def surface(network, origin, d1, d2, alphas, betas, X, T, between=None):
    """loss[i, j] = mean data loss of θ₀ + alphas[j]·d₁ + betas[i]·d₂ on inputs X and encoded
    targets T (from `network.encode_targets`). `network` gives only the structure (activations,
    loss); the parameters come from θ₀ and the directions. Non-finite losses stay NaN/inf.
    `between()`, if given, is called after each rectangle (a server lets other work run there).

    Computed a rectangle of cells at a time (bounded memory), each layer as one batched product
    over the rectangle's cells. The first layer is linear in θ, so its z for every cell is a sum
    of matrices computed once: z₁(α, β) = [z₁(θ₀) + β·z₁(d₂)] + α·z₁(d₁), one addition per cell
    (and exactly z₁(θ₀) at the centre, where α = β = 0).
    """
    blocks = filters(network)
    start, rows, cols = blocks[0]

    def first_z(theta):                                       # X W + b of the first layer
        block = theta[start:start + rows * cols].reshape(rows, cols)
        return X @ block[:-1] + block[-1]

    base, along_a, along_b = first_z(origin), first_z(d1), first_z(d2)
    n = len(X)
    per_cell = max(n * max(network.layer_sizes), origin.size)
    width = min(len(alphas), max(1, CHUNK_VALUES // per_cell))          # cells per chunk row
    height = max(1, CHUNK_VALUES // (per_cell * width))                 # chunk rows
    loss = np.empty((len(betas), len(alphas)))
    uses_output = network.loss_fn.rows_use_output
    with np.errstate(all="ignore"):      # far from θ₀ a loss may overflow: that is the answer
        for i in range(0, len(betas), height):
            for j in range(0, len(alphas), width):
                a, b = alphas[j:j + width], betas[i:i + height]
                z = ((base + b[:, None, None] * along_b)[:, None]
                     + (a[:, None, None] * along_a)[None]).reshape(-1, n, cols)  # (cells, n, k)
                a_cells = np.tile(a, len(b))[:, None]
                b_cells = np.repeat(b, len(a))[:, None]
                theta = origin + a_cells * d1 + b_cells * d2      # (cells, P), row-major cells
                for k, (layer, (s_k, r_k, c_k)) in enumerate(zip(network.layers, blocks)):
                    if k:
                        block = theta[:, s_k:s_k + r_k * c_k].reshape(-1, r_k, c_k)
                        W = np.ascontiguousarray(block[:, :-1, :])    # matmul's fast path
                        z = np.matmul(x, W) + block[:, -1:, :]        # z = x W + b, per cell
                    last = k == len(blocks) - 1
                    # The output's a only when the loss reads it (cross-entropies use z alone).
                    x = _activate(layer, z, last) if not last or uses_output else None
                cell_loss = network.loss_fn.rows(z, x, T).mean(axis=1)
                loss[i:i + height, j:j + width] = cell_loss.reshape(len(b), len(a))
                if between is not None:
                    between()
    return loss


def _activate(layer, z, last):
    """a = f(z) for a stack of cells (cells, n, k); hidden layers in place (z is not needed
    again), the output layer into a new array (the loss needs z and a)."""
    flat = z.reshape(-1, z.shape[-1])                         # softmax works on rows
    return layer.activation.forward(flat, out=None if last else flat).reshape(z.shape)


def cost(layer_sizes, n_points, resolution):
    """The work of a resolution × resolution landscape, in multiply-adds: every cell runs every
    point through the network (one per parameter, ACTIVATION_COST per neuron). Callers bound
    it; about 1e9 takes a second on one core."""
    params = sum((n_in + 1) * n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))
    return resolution * resolution * n_points * (params + ACTIVATION_COST * sum(layer_sizes[1:]))


def loss_landscape(network, origin, X, y, trajectories=(), resolution=41, span=1.0,
                   directions="pca", seed=0, fit=None, between=None):
    """The loss slice around `origin` (θ₀) on the data (X, y), with each trajectory projected.

    "pca" uses the principal directions of the trajectories listed in `fit` (indices; default
    all; e.g. leave out a run that diverged, which is still projected) on a square grid of
    half-width span · PCA_MARGIN · (largest |α| or |β| of their points), or random directions
    when those span fewer than two directions; "random" uses filter-normalised directions on
    ±span. `between` is passed to `surface`.
    """
    origin = np.asarray(origin, dtype=float)
    if origin.shape != (network.n_params,) or not np.isfinite(origin).all():
        raise ConfigError("origin", "must be the network's finite parameter vector",
                          f"{network.n_params} finite numbers")
    resolution = check_number("resolution", resolution, *RESOLUTION_RANGE, integer=True)
    if resolution % 2 == 0:
        raise ConfigError("resolution", "must be odd, so that the grid's centre is the origin",
                          "an odd number in " + str(list(RESOLUTION_RANGE)))
    span = check_number("span", span, *SPAN_RANGE)
    if directions not in DIRECTIONS:
        raise ConfigError("directions", f"unknown directions {directions!r}", list(DIRECTIONS))
    seed = check_number("seed", seed, 0, 2**63 - 1, integer=True)
    X = network.check_inputs(X)
    T = network.encode_targets(y, n=len(X))
    trajectories = [np.asarray(t, dtype=float).reshape(-1, origin.size) for t in trajectories]
    fit = range(len(trajectories)) if fit is None else fit
    for i in fit:
        check_number("fit[]", i, 0, len(trajectories) - 1, integer=True)

    fitted = [trajectories[i] for i in fit]
    plane = pca_directions(origin, fitted) if directions == "pca" else None
    used = "pca" if plane is not None else "random"
    d1, d2 = plane if plane is not None else random_directions(network, origin, seed)
    paths = [project(t, origin, d1, d2) for t in trajectories]
    half = span
    if used == "pca":
        coords = np.abs(np.concatenate([c for i in fit for c in paths[i]]))
        half = span * PCA_MARGIN * max(coords[np.isfinite(coords)].max(), 1e-12)
    alphas = betas = grid_axis(resolution, half)
    loss = surface(network, origin, d1, d2, alphas, betas, X, T, between)
    middle = resolution // 2
    return Landscape(alphas, betas.copy(), loss, float(loss[middle, middle]), used, d1, d2, paths)
