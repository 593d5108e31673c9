"""The datasets: toy 2-D sets in the input plane [-6, 6]² (seeded and reproducible) and the
real sets of realdata.py (handwritten digits, three UCI tables), in one registry.

The binary and regression sets follow TensorFlow Playground's definitions (500 points for
classification, 1200 for regression; noise 0 to 0.5) so learners can compare the two tools.
TF Playground labels classes −1/+1; here −1 ↦ 0 and +1 ↦ 1. Multi-class sets ("spiral_k",
"blobs") add what its users keep asking for.

Every generator has the signature `(rng, n, noise, k) -> (points, labels)`, where `n` is the
number of points and `k` the number of classes (ignored by the binary and regression sets).
Generators return points in class order; `train_test_split` shuffles.

Every set's registry info says what a point is: `kind` ("plane": the network's inputs are
features of (x1, x2); "real": the point's columns are the inputs), `inputs` (columns of a
point), `input_names`, `value_range` (of every column), `class_names`, `image_shape` (the
digits' [8, 8]; None otherwise) and `defaults` (a real set's network and training settings,
None for the plane sets).
"""

import functools
import math
from dataclasses import dataclass

import numpy as np

from . import realdata
from .errors import ConfigError, check_number
from .principal_plane import principal_plane
from .registry import Registry
from .seeds import check_seed

DATASETS = Registry("dataset")

PLANE = 6.0  # half-width of the input plane; user data, grids and thumbnails share it
N_POINTS_RANGE = [10, 5000]
NOISE_RANGE = [0.0, 0.5]
TRAIN_RATIO_RANGE = [0.1, 0.9]
MULTICLASS_RANGE = [2, 6]
MULTICLASS_DEFAULT = 3

# What every plane set's info says about its points (real sets describe their own).
_plane_set = functools.partial(
    DATASETS.register, kind="plane", inputs=2, input_names=["x₁", "x₂"],
    value_range=[-PLANE, PLANE], class_names=None, image_shape=None, defaults=None)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Generated points with their labels.

    `labels` are int64 class ids for "binary" (0/1) and "multiclass" (0..K-1), float64 for
    "regression" (`n_classes` is then None).
    """

    points: np.ndarray
    labels: np.ndarray
    problem: str
    n_classes: object
    name: str

    def __len__(self):
        return len(self.points)


def _split_counts(n, k):
    """`n` points over `k` classes as evenly as possible (first classes take the remainder)."""
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _class_labels(counts):
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def _jitter_in_plane(rng, base, std):
    """`base` + N(0, std²) per coordinate, redrawing any point that leaves the plane.

    Redrawing (a truncated normal) rather than clipping keeps wide blobs from piling points up
    on the border, and keeps every generated point loadable back as user data (|x| ≤ 6).
    """
    points = base + rng.normal(0.0, std, size=base.shape)
    outside = np.flatnonzero(np.any(np.abs(points) > PLANE, axis=1))
    while outside.size:  # a few rounds at most: even std 2 around (2, 2) loses ~5 % per round
        points[outside] = base[outside] + rng.normal(0.0, std, size=(outside.size, 2))
        outside = outside[np.any(np.abs(points[outside]) > PLANE, axis=1)]
    return points


def _polar(r, angle):
    # TF Playground and cs231n both put sin on x and cos on y; keep it so pictures match.
    return np.column_stack([r * np.sin(angle), r * np.cos(angle)])


# --- binary, as TensorFlow Playground ----------------------------------------------------------


@_plane_set(
    "circle",
    label="Circle",
    problem="binary",
    classes=[2, 2],
    default_points=500,
    description="A disc of radius 2.5 (class 1) inside a ring from 3.5 to 5 (class 0).",
)
def _circle(rng, n, noise, k):
    """Class 1: uniform radius in [0, 2.5]; class 0: radius in [3.5, 5]; uniform angle.
    Label = (|p + e| < 2.5) with e uniform in ±5·noise per coordinate, so noise flips labels."""
    n1 = n - n // 2
    r = np.concatenate([rng.uniform(0.0, 2.5, n1), rng.uniform(3.5, 5.0, n - n1)])
    points = _polar(r, rng.uniform(0.0, 2 * math.pi, n))
    # Noise moves the point the label is computed from, not the point itself (as TF does).
    probe = points + rng.uniform(-5.0, 5.0, size=(n, 2)) * noise
    labels = (np.hypot(probe[:, 0], probe[:, 1]) < 2.5).astype(np.int64)
    return points, labels


@_plane_set(
    "xor",
    label="Exclusive or",
    problem="binary",
    classes=[2, 2],
    default_points=500,
    description="Four quadrants: class 1 where x and y share a sign, class 0 where they differ.",
)
def _xor(rng, n, noise, k):
    """Uniform in [-5, 5]², each coordinate pushed 0.3 away from its axis; label = (x·y ≥ 0)
    computed at the point moved by uniform ±5·noise."""
    points = rng.uniform(-5.0, 5.0, size=(n, 2))
    # The 0.3 gap keeps noise-free points off the axes, where the label would be ambiguous.
    points += np.where(points > 0, 0.3, -0.3)
    probe = points + rng.uniform(-5.0, 5.0, size=(n, 2)) * noise
    labels = (probe[:, 0] * probe[:, 1] >= 0).astype(np.int64)
    return points, labels


@_plane_set(
    "gaussian",
    label="Gaussian",
    problem="binary",
    classes=[2, 2],
    default_points=500,
    description="Two Gaussian clouds, class 1 around (2, 2) and class 0 around (-2, -2).",
)
def _gaussian(rng, n, noise, k):
    """Normal clouds at (2, 2) → 1 and (-2, -2) → 0, variance 0.5 + 7·noise (0.5 to 4), as TF
    Playground; unlike it, truncated to the plane (a point outside [-6, 6]² is redrawn)."""
    n1 = n - n // 2
    labels = _class_labels([n - n1, n1])
    centres = np.where(labels[:, None] == 1, 2.0, -2.0) * np.ones(2)
    std = math.sqrt(0.5 + 7.0 * noise)  # TF scales the variance linearly from 0.5 to 4
    return _jitter_in_plane(rng, centres, std), labels


@_plane_set(
    "spiral",
    label="Spiral",
    problem="binary",
    classes=[2, 2],
    default_points=500,
    description="Two interleaved spiral arms of 1.75 turns out to radius 5.",
)
def _spiral(rng, n, noise, k):
    """Arm point i of m: radius 5·i/m, angle 1.75·2π·i/m (+π for class 0); noise adds
    uniform ±noise to each coordinate."""
    n1 = n - n // 2
    parts = []
    for count, offset in ((n - n1, math.pi), (n1, 0.0)):
        t = np.arange(count) / count
        parts.append(_polar(5.0 * t, 1.75 * 2 * math.pi * t + offset))
    points = np.concatenate(parts)
    points += rng.uniform(-1.0, 1.0, size=(n, 2)) * noise
    return points, _class_labels([n - n1, n1])


@_plane_set(
    "moons",
    label="Two moons",
    problem="binary",
    classes=[2, 2],
    default_points=500,
    description="Two interleaved half-moons; neither a line nor a circle separates them.",
)
def _moons(rng, n, noise, k):
    """Class 0 on the upper half circle (cos t, sin t), class 1 on (1 − cos t, 0.5 − sin t),
    t in [0, π], centred and scaled by 10/3 (to x in [-5, 5]); Gaussian noise std 2·noise."""
    n0 = n - n // 2
    t0 = np.linspace(0.0, math.pi, n0)
    t1 = np.linspace(0.0, math.pi, n - n0)
    unit = np.concatenate([
        np.column_stack([np.cos(t0), np.sin(t0)]),
        np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)]),
    ])
    base = (unit - [0.5, 0.25]) * (10.0 / 3.0)
    points = _jitter_in_plane(rng, base, 2.0 * noise) if noise > 0 else base
    return points, _class_labels([n0, n - n0])


@_plane_set(
    "checkerboard",
    label="Checkerboard",
    problem="binary",
    classes=[2, 2],
    default_points=500,
    description="A 4 × 4 checkerboard over [-5, 5]²; neighbouring cells have opposite classes.",
)
def _checkerboard(rng, n, noise, k):
    """Uniform in [-5, 5]²; label = parity of (column + row) of the 2.5-wide cell holding the
    point moved by uniform ±2.5·noise."""
    points = rng.uniform(-5.0, 5.0, size=(n, 2))
    # Noise is scaled to one cell (not TF's ±5) so 50 % noise blurs borders without erasing them.
    probe = points + rng.uniform(-2.5, 2.5, size=(n, 2)) * noise
    cells = np.floor((probe + 5.0) / 2.5).astype(np.int64)
    return points, (cells.sum(axis=1) % 2).astype(np.int64)


# --- regression, as TensorFlow Playground ------------------------------------------------------


@_plane_set(
    "plane",
    label="Plane",
    problem="regression",
    classes=None,
    default_points=1200,
    description="A tilted plane: the target rises linearly along the diagonal x = y.",
)
def _plane(rng, n, noise, k):
    """Uniform in [-6, 6]²; label = (x + y)/10, i.e. x + y mapped from [-10, 10] to [-1, 1]
    without clamping (corners reach ±1.2), computed at the point moved by uniform ±6·noise."""
    points = rng.uniform(-PLANE, PLANE, size=(n, 2))
    probe = points + rng.uniform(-PLANE, PLANE, size=(n, 2)) * noise
    return points, (probe[:, 0] + probe[:, 1]) / 10.0


# Cone centres and signs of "multi_gaussian": a 3 × 2 grid with alternating signs.
_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                   [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=np.float64)


@_plane_set(
    "multi_gaussian",
    label="Multi Gaussian",
    problem="regression",
    classes=None,
    default_points=1200,
    description="Six bumps of alternating sign; the target is the strongest bump at each point.",
)
def _multi_gaussian(rng, n, noise, k):
    """Uniform in [-6, 6]²; bump value sign·max(0, 1 − d/2) at distance d from its centre
    (x in {-4, 0, 4}, y = ±2.5); label = the value of largest |value|, at the point moved by
    uniform ±6·noise."""
    points = rng.uniform(-PLANE, PLANE, size=(n, 2))
    probe = points + rng.uniform(-PLANE, PLANE, size=(n, 2)) * noise
    d = np.hypot(probe[:, None, 0] - _BUMPS[:, 0], probe[:, None, 1] - _BUMPS[:, 1])
    values = _BUMPS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)  # (n, 6)
    # argmax takes the first of equal |values|, like TF's strict ">" scan.
    strongest = np.argmax(np.abs(values), axis=1)
    return points, values[np.arange(n), strongest]


# --- multi-class -------------------------------------------------------------------------------


@_plane_set(
    "spiral_k",
    label="K-class spiral",
    problem="multiclass",
    classes=list(MULTICLASS_RANGE),
    default_points=500,
    description="The classic cs231n spiral: one arm per class, radius 5.",
)
def _spiral_k(rng, n, noise, k):
    """Class c: radius 5·linspace(0, 1), angle linspace(4c, 4c + 4) + N(0, (0.2 + noise)²).
    Noise 0 is cs231n's spiral scaled to radius 5 (jitter 0.2 rad); noise 0.5 gives jitter
    0.7 rad. nnfs's `spiral_data` multiplies the angle (jitter included) by 2.5: tighter arms."""
    counts = _split_counts(n, k)
    parts = []
    for c, m in enumerate(counts):
        angle = np.linspace(4.0 * c, 4.0 * (c + 1), m) + rng.normal(0.0, 0.2 + noise, m)
        parts.append(_polar(np.linspace(0.0, 5.0, m), angle))  # jitter is angular: |p| ≤ 5
    return np.concatenate(parts), _class_labels(counts)


@_plane_set(
    "blobs",
    label="Blobs",
    problem="multiclass",
    classes=list(MULTICLASS_RANGE),
    default_points=500,
    description="One Gaussian blob per class, centres evenly spaced on a circle of radius 3.5.",
)
def _blobs(rng, n, noise, k):
    """Class c: normal around 3.5·(sin, cos)(2πc/K), std 0.5 + 2·noise (0.5 to 1.5),
    truncated to the plane."""
    counts = _split_counts(n, k)
    labels = _class_labels(counts)
    centres = _polar(3.5, 2 * math.pi * labels / k)
    return _jitter_in_plane(rng, centres, 0.5 + 2.0 * noise), labels


# --- real data (files in nn_core/data, read by realdata.py) ------------------------------------

for _name in realdata.SETS:
    DATASETS.register(_name, functools.partial(realdata.load, _name), kind="real",
                      **realdata.registry_info(_name))
del _name


def _check_fixed(name, field, value, fixed, why):
    """A real set's noise, n_points or n_classes: only None or its one value is accepted."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or value != fixed:
        raise ConfigError(field, f"does not apply to the {name} dataset ({why})", [fixed, fixed])


def _real_dataset(name, info, n_points, noise, n_classes):
    n, k = info["default_points"], info["classes"][0]
    _check_fixed(name, "noise", noise, 0, "its points are measured, not generated")
    _check_fixed(name, "n_points", n_points, n, f"it has {n} points")
    _check_fixed(name, "n_classes", n_classes, k, f"it has {k} classes")
    points, labels = DATASETS.get(name)()
    return Dataset(points=points.copy(), labels=labels.copy(), problem=info["problem"],
                   n_classes=k, name=name)


# --- public API --------------------------------------------------------------------------------


def _check_n_classes(name, info, n_classes):
    classes = info["classes"]
    if classes is None:
        if n_classes is not None:
            raise ConfigError("n_classes", f"{name!r} is a regression dataset and has no classes",
                              "none (null)")
        return None
    if n_classes is None:
        return MULTICLASS_DEFAULT if info["problem"] == "multiclass" else classes[0]
    return check_number("n_classes", n_classes, classes[0], classes[1], integer=True)


def _check_seed(seed):
    # The playground's configuration calls the data seed "data_seed"; name it so in errors.
    return check_seed(seed, "data_seed")


def make_dataset(name, n_points=None, noise=0.0, seed=0, n_classes=None):
    """Generate dataset `name`: same arguments → identical arrays (new ones at every call).

    `n_points` defaults to the dataset's `default_points`; `n_classes` to 2 for binary sets and
    3 for multi-class sets (it must be None for regression sets). A real set is fixed: its
    `noise`, `n_points` and `n_classes` may only be left out or given their one value (0, its
    size, its class count), and `seed` is checked but changes nothing (the split takes its own).
    """
    generate = DATASETS.get(name, field="dataset")
    info = DATASETS.info(name)
    if info["kind"] == "real":
        _check_seed(seed)
        return _real_dataset(name, info, n_points, noise, n_classes)
    if n_points is None:
        n_points = info["default_points"]
    n = check_number("n_points", n_points, *N_POINTS_RANGE, integer=True)
    noise = check_number("noise", noise, *NOISE_RANGE)
    k = _check_n_classes(name, info, n_classes)
    rng = np.random.default_rng(_check_seed(seed))
    points, labels = generate(rng, n, noise, k)
    points = np.ascontiguousarray(points, dtype=np.float64)
    if info["problem"] == "regression":
        labels = np.asarray(labels, dtype=np.float64)
    else:
        labels = np.asarray(labels, dtype=np.int64)
    return Dataset(points=points, labels=labels, problem=info["problem"], n_classes=k, name=name)


def preview(name, n_points=200, n_classes=None):
    """A small noise-free sample (seed 0) in the input plane, for thumbnails, as TF Playground
    draws them. A real set shows up to `n_points` of its rows (a seeded choice) at their
    coordinates on its principal plane, scaled so that the whole set fits [-6, 6]²."""
    DATASETS.get(name, field="dataset")
    if DATASETS.info(name)["kind"] == "plane":
        return make_dataset(name, n_points=n_points, noise=0.0, seed=0, n_classes=n_classes)
    data = make_dataset(name, n_classes=n_classes)
    n = check_number("n_points", n_points, *N_POINTS_RANGE, integer=True)
    rows = np.random.default_rng(0).permutation(len(data))[:n]   # all of them if n ≥ the size
    plane = principal_plane(name)
    coords = plane.project(data.points[rows]) * (PLANE / plane.bounds[1])
    return Dataset(points=coords, labels=data.labels[rows], problem=data.problem,
                   n_classes=data.n_classes, name=name)


def check_points(name, points, field="points"):
    """`points` as a float64 (n, inputs) array in dataset `name`'s input space (each value in
    its `value_range`), or ConfigError naming the first bad entry ("points[3][12]")."""
    DATASETS.get(name, field="dataset")
    info = DATASETS.info(name)
    d, (low, high) = info["inputs"], info["value_range"]
    try:
        X = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConfigError(field, f"expected rows of {d} numbers", f"(n, {d}) numbers") from None
    if X.ndim != 2 or X.shape[1] != d:
        raise ConfigError(field, f"expected rows of {d} numbers, got shape {X.shape}",
                          f"(n, {d}) numbers")
    with np.errstate(invalid="ignore"):
        bad = np.argwhere(~((X >= low) & (X <= high)))   # NaN fails both comparisons
    if len(bad):
        i, j = (int(v) for v in bad[0])
        raise ConfigError(f"{field}[{i}][{j}]", f"{info['input_names'][j]} = {X[i, j]:g} is "
                          "out of range", [low, high])
    return X


def train_test_split(points, labels, train_ratio=0.5, seed=0):
    """Shuffle with `seed` and split: round(n · train_ratio) training points, at least one
    point on each side. Returns (X_train, y_train, X_test, y_test) as new arrays."""
    ratio = check_number("train_ratio", train_ratio, *TRAIN_RATIO_RANGE)
    points = np.asarray(points)
    labels = np.asarray(labels)
    n = len(points)
    if len(labels) != n:
        raise ConfigError("labels", f"{len(labels)} labels for {n} points", "one label per point")
    if n < 2:
        raise ConfigError("n_points", f"cannot split {n} point(s)", "at least 2 points")
    n_train = min(max(math.floor(n * ratio + 0.5), 1), n - 1)
    order = np.random.default_rng(_check_seed(seed)).permutation(n)
    train, test = order[:n_train], order[n_train:]
    return points[train], labels[train], points[test], labels[test]


def describe():
    """Every dataset's public description, in registration order, for /api/options."""
    return [{"name": name, **DATASETS.info(name)} for name in DATASETS]
