import math

import numpy as np
import pytest

from nn_core.datasets import (
    DATASETS,
    Dataset,
    describe,
    make_dataset,
    preview,
    train_test_split,
)
from nn_core.errors import ConfigError

ALL = [n for n in DATASETS if DATASETS.info(n)["kind"] == "plane"]   # real sets: test_realdata
REAL = [n for n in DATASETS if DATASETS.info(n)["kind"] == "real"]
CLASSIFICATION = [n for n in ALL if DATASETS.info(n)["problem"] != "regression"]
BINARY = [n for n in ALL if DATASETS.info(n)["problem"] == "binary"]
REGRESSION = [n for n in ALL if DATASETS.info(n)["problem"] == "regression"]
MULTICLASS = [n for n in ALL if DATASETS.info(n)["problem"] == "multiclass"]


def test_registry_holds_the_promised_sets():
    assert set(BINARY) == {"circle", "xor", "gaussian", "spiral", "moons", "checkerboard"}
    assert set(REGRESSION) == {"plane", "multi_gaussian"}
    assert set(MULTICLASS) == {"spiral_k", "blobs"}
    assert REAL == ["digits", "iris", "wine", "breast_cancer"]
    assert DATASETS.names() == ALL + REAL      # the plane sets first, as the picker shows them


def test_describe_lists_every_dataset_with_its_info():
    rows = describe()
    assert [r["name"] for r in rows] == ALL + REAL
    for row in rows:
        assert set(row) == {"name", "label", "problem", "classes", "default_points", "description",
                            "kind", "inputs", "input_names", "value_range", "class_names",
                            "image_shape", "defaults"}
        assert row["description"].endswith(".")
        assert len(row["input_names"]) == row["inputs"]
    for row in rows[:len(ALL)]:
        assert (row["kind"], row["inputs"], row["value_range"]) == ("plane", 2, [-6.0, 6.0])
        assert row["defaults"] is None and row["image_shape"] is None
    by_name = {r["name"]: r for r in rows}
    assert by_name["circle"]["classes"] == [2, 2]
    assert by_name["spiral_k"]["classes"] == [2, 6]
    assert by_name["plane"]["classes"] is None
    assert by_name["plane"]["default_points"] == 1200
    # describe hands out copies: editing one cannot change the registry
    by_name["blobs"]["classes"].append(99)
    assert DATASETS.info("blobs")["classes"] == [2, 6]


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("noise", [0.0, 0.25, 0.5])
def test_shapes_dtypes_labels_and_bounds(name, noise):
    ds = make_dataset(name, noise=noise, seed=7)
    info = DATASETS.info(name)
    assert isinstance(ds, Dataset) and ds.name == name and ds.problem == info["problem"]
    n = 1200 if info["problem"] == "regression" else 500
    assert ds.points.shape == (n, 2) and ds.points.dtype == np.float64
    assert ds.labels.shape == (n,) and len(ds) == n
    assert np.all(np.isfinite(ds.points))
    assert np.abs(ds.points).max() <= 6.0
    if info["problem"] == "regression":
        assert ds.labels.dtype == np.float64 and ds.n_classes is None
        assert np.all(np.isfinite(ds.labels))
    else:
        assert ds.labels.dtype == np.int64
        expected_k = 2 if info["problem"] == "binary" else 3
        assert ds.n_classes == expected_k
        assert set(np.unique(ds.labels).tolist()) == set(range(expected_k))


@pytest.mark.parametrize("name", ALL)
def test_same_seed_gives_identical_arrays(name):
    a = make_dataset(name, noise=0.2, seed=11)
    b = make_dataset(name, noise=0.2, seed=11)
    assert np.array_equal(a.points, b.points) and np.array_equal(a.labels, b.labels)


@pytest.mark.parametrize("name", ALL)
def test_different_seed_gives_different_data(name):
    a = make_dataset(name, noise=0.2, seed=1)
    b = make_dataset(name, noise=0.2, seed=2)
    assert not np.array_equal(a.points, b.points)


@pytest.mark.parametrize("name", ALL)
def test_n_points_is_honoured(name):
    for n in (10, 11, 333, 5000):
        assert make_dataset(name, n_points=n).points.shape == (n, 2)


# xor and checkerboard label uniform points by region, so their classes are balanced only on average
BALANCED = [n for n in CLASSIFICATION if n not in ("xor", "checkerboard")]


@pytest.mark.parametrize("name", BALANCED)
def test_classes_are_balanced_to_one_point(name):
    counts = np.bincount(make_dataset(name, n_points=501).labels)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 501


@pytest.mark.parametrize("name", ["xor", "checkerboard"])
def test_region_labelled_sets_are_balanced_on_average(name):
    assert 0.45 < make_dataset(name, n_points=5000, seed=1).labels.mean() < 0.55


def test_circle_labels_follow_the_radius_without_noise():
    ds = make_dataset("circle", noise=0.0, seed=3)
    r = np.hypot(ds.points[:, 0], ds.points[:, 1])
    assert np.array_equal(ds.labels, (r < 3).astype(np.int64))
    assert r[ds.labels == 1].max() <= 2.5
    assert r[ds.labels == 0].min() >= 3.5 and r.max() <= 5.0
    assert np.bincount(ds.labels).tolist() == [250, 250]


def test_circle_noise_flips_labels_near_the_border_only():
    clean = make_dataset("circle", noise=0.0, seed=3)
    noisy = make_dataset("circle", noise=0.5, seed=3)
    assert np.array_equal(clean.points, noisy.points)  # noise moves the label probe, not the point
    flipped = clean.labels != noisy.labels
    assert 20 < flipped.sum() < 250
    # class-0 points flip only when the probe (moved at most 2.5 per axis) lands inside r < 2.5
    r = np.hypot(clean.points[:, 0], clean.points[:, 1])
    assert r[flipped & (clean.labels == 0)].max() < 2.5 + 2.5 * math.sqrt(2)


def test_xor_labels_are_the_sign_of_the_product_and_avoid_the_axes():
    ds = make_dataset("xor", noise=0.0, seed=4)
    x, y = ds.points.T
    assert np.array_equal(ds.labels, (np.sign(x * y) > 0).astype(np.int64))
    assert np.abs(ds.points).min() >= 0.3 and np.abs(ds.points).max() <= 5.3


def test_gaussian_class_means_and_spread():
    ds = make_dataset("gaussian", n_points=5000, noise=0.0, seed=5)
    mean1 = ds.points[ds.labels == 1].mean(axis=0)
    mean0 = ds.points[ds.labels == 0].mean(axis=0)
    assert np.allclose(mean1, [2, 2], atol=0.05) and np.allclose(mean0, [-2, -2], atol=0.05)
    # noise 0 → variance 0.5 (TF Playground's lower end)
    assert ds.points[ds.labels == 1].var(axis=0) == pytest.approx([0.5, 0.5], rel=0.08)


def test_gaussian_noise_widens_the_clouds():
    spread = [make_dataset("gaussian", noise=v, seed=5).points.std() for v in (0.0, 0.25, 0.5)]
    assert spread[0] < spread[1] < spread[2]


def test_spiral_noise_free_is_two_arms_to_radius_five():
    ds = make_dataset("spiral", noise=0.0, seed=0)
    r = np.hypot(*ds.points.T)
    for label in (0, 1):
        arm = r[ds.labels == label]
        assert np.allclose(arm, np.arange(250) / 250 * 5)
    # the arms are point reflections of each other (class 0 is class 1 turned by π)
    assert np.allclose(ds.points[ds.labels == 0], -ds.points[ds.labels == 1])
    noisy = make_dataset("spiral", noise=0.5, seed=0)
    assert np.abs(noisy.points - ds.points).max() <= 0.5


def test_checkerboard_label_is_cell_parity():
    ds = make_dataset("checkerboard", noise=0.0, seed=6)
    cells = np.floor((ds.points + 5) / 2.5).astype(int)
    assert cells.min() >= 0 and cells.max() <= 3
    assert np.array_equal(ds.labels, cells.sum(axis=1) % 2)


def test_moons_noise_free_lie_on_two_half_circles():
    ds = make_dataset("moons", noise=0.0)
    unit = ds.points / (10 / 3) + [0.5, 0.25]  # undo the scaling into the plane
    upper, lower = unit[ds.labels == 0], unit[ds.labels == 1]
    assert np.allclose(np.hypot(*upper.T), 1.0)
    assert np.allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0) and upper[:, 1].min() >= -1e-12
    assert np.allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert np.abs(ds.points).max() == pytest.approx(5.0)


def test_plane_labels_are_the_scaled_sum():
    ds = make_dataset("plane", noise=0.0, seed=8)
    assert np.array_equal(ds.labels, (ds.points[:, 0] + ds.points[:, 1]) / 10)
    assert -1.2 <= ds.labels.min() < -1.0 and 1.0 < ds.labels.max() <= 1.2  # unclamped corners


def test_multi_gaussian_labels_are_the_strongest_bump():
    ds = make_dataset("multi_gaussian", noise=0.0, seed=9)
    assert ds.labels.min() >= -1 and ds.labels.max() <= 1
    # spot checks: the centres of the bumps and a point far from all of them
    fixed = {(-4, 2.5): 1.0, (0, 2.5): -1.0, (4, -2.5): -1.0, (0, 0): 0.0, (1, 2.5): -0.5}
    centres = np.array([[-4, 2.5], [0, 2.5], [4, 2.5], [-4, -2.5], [0, -2.5], [4, -2.5]])
    signs = np.array([1, -1, 1, -1, 1, -1])
    for (x, y), want in fixed.items():
        d = np.hypot(centres[:, 0] - x, centres[:, 1] - y)
        values = signs * np.clip(1 - d / 2, 0, 1)
        assert values[np.argmax(np.abs(values))] == pytest.approx(want)
    # and the generated labels follow the same rule point by point
    d = np.hypot(ds.points[:, None, 0] - centres[:, 0], ds.points[:, None, 1] - centres[:, 1])
    values = signs * np.clip(1 - d / 2, 0, 1)
    assert np.array_equal(ds.labels, values[np.arange(len(ds)), np.argmax(np.abs(values), axis=1)])


def test_regression_noise_perturbs_labels_not_points():
    clean = make_dataset("plane", noise=0.0, seed=8)
    noisy = make_dataset("plane", noise=0.5, seed=8)
    assert np.array_equal(clean.points, noisy.points)
    assert 0.1 < np.abs(clean.labels - noisy.labels).mean() < 0.6


@pytest.mark.parametrize("k", [2, 3, 4, 5, 6])
def test_spiral_k_has_k_equal_classes_on_their_arms(k):
    ds = make_dataset("spiral_k", n_points=600, n_classes=k, seed=1)
    assert ds.n_classes == k
    assert np.bincount(ds.labels).tolist() == [600 // k] * k
    r = np.hypot(*ds.points.T)
    for c in range(k):
        assert np.allclose(r[ds.labels == c], np.linspace(0, 5, 600 // k))


def test_spiral_k_noise_scales_the_angle_jitter():
    def jitter(noise):
        ds = make_dataset("spiral_k", n_points=3000, n_classes=3, noise=noise, seed=2)
        arm = ds.points[ds.labels == 0]
        angle = np.arctan2(arm[:, 0], arm[:, 1])  # x = r sin t, y = r cos t
        wanted = np.linspace(0, 4, len(arm))
        return np.angle(np.exp(1j * (angle - wanted)))[1:].std()  # wrapped difference

    assert jitter(0.0) == pytest.approx(0.2, rel=0.1)
    assert jitter(0.3) == pytest.approx(0.5, rel=0.1)


@pytest.mark.parametrize("k", [2, 3, 6])
def test_blobs_counts_and_centres(k):
    ds = make_dataset("blobs", n_points=500, n_classes=k, seed=3)
    counts = np.bincount(ds.labels)
    assert counts.sum() == 500 and counts.max() - counts.min() <= 1
    for c in range(k):
        centre = 3.5 * np.array([math.sin(2 * math.pi * c / k), math.cos(2 * math.pi * c / k)])
        assert np.allclose(ds.points[ds.labels == c].mean(axis=0), centre, atol=0.25)


def test_default_point_counts_and_class_counts():
    for name in ALL:
        ds = make_dataset(name)
        assert len(ds) == DATASETS.info(name)["default_points"]
        assert len(ds) == (1200 if name in REGRESSION else 500)
    assert make_dataset("circle").n_classes == 2
    assert make_dataset("blobs").n_classes == 3
    assert make_dataset("circle", n_classes=2).n_classes == 2


def test_preview_is_small_and_noise_free():
    ds = preview("circle")
    assert len(ds) == 200
    r = np.hypot(*ds.points.T)
    assert np.array_equal(ds.labels, (r < 3).astype(np.int64))
    assert np.array_equal(preview("xor").points, preview("xor").points)
    assert preview("spiral_k", n_classes=4).n_classes == 4


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"name": "nope"}, "dataset"),
        ({"name": "circle", "noise": 0.55}, "noise"),
        ({"name": "circle", "noise": -0.1}, "noise"),
        ({"name": "circle", "noise": "lots"}, "noise"),
        ({"name": "circle", "noise": float("nan")}, "noise"),
        ({"name": "circle", "n_points": 9}, "n_points"),
        ({"name": "circle", "n_points": 5001}, "n_points"),
        ({"name": "circle", "n_points": 100.5}, "n_points"),
        ({"name": "circle", "n_classes": 3}, "n_classes"),
        ({"name": "xor", "n_classes": 1}, "n_classes"),
        ({"name": "spiral_k", "n_classes": 7}, "n_classes"),
        ({"name": "blobs", "n_classes": 1}, "n_classes"),
        ({"name": "plane", "n_classes": 2}, "n_classes"),
        ({"name": "circle", "seed": -1}, "data_seed"),
        ({"name": "circle", "seed": 1.5}, "data_seed"),
    ],
)
def test_bad_arguments_raise_config_errors(kwargs, field):
    with pytest.raises(ConfigError) as err:
        make_dataset(**kwargs)
    assert err.value.field == field


def test_errors_say_what_is_allowed():
    with pytest.raises(ConfigError) as err:
        make_dataset("circle", noise=0.6)
    assert err.value.allowed == [0.0, 0.5]
    with pytest.raises(ConfigError) as err:
        make_dataset("circle", n_classes=3)
    assert err.value.allowed == [2, 2]
    with pytest.raises(ConfigError) as err:
        make_dataset("Circle")
    assert err.value.allowed == ALL + REAL


# --- train_test_split --------------------------------------------------------------------------


@pytest.mark.parametrize("ratio, n_train", [(0.5, 250), (0.1, 50), (0.9, 450), (0.3, 150)])
def test_split_respects_the_ratio(ratio, n_train):
    ds = make_dataset("circle", seed=1)
    X_tr, y_tr, X_te, y_te = train_test_split(ds.points, ds.labels, ratio, seed=1)
    assert X_tr.shape == (n_train, 2) and y_tr.shape == (n_train,)
    assert X_te.shape == (500 - n_train, 2) and y_te.shape == (500 - n_train,)


def test_split_is_disjoint_complete_and_keeps_pairs():
    ds = make_dataset("plane", seed=2)  # regression labels identify their point exactly
    X_tr, y_tr, X_te, y_te = train_test_split(ds.points, ds.labels, 0.5, seed=3)
    rows = {tuple(p) for p in np.vstack([X_tr, X_te]).tolist()}
    assert len(rows) == len(ds) == len(X_tr) + len(X_te)
    assert rows == {tuple(p) for p in ds.points.tolist()}
    assert np.array_equal(y_tr, (X_tr[:, 0] + X_tr[:, 1]) / 10)
    assert np.array_equal(y_te, (X_te[:, 0] + X_te[:, 1]) / 10)


def test_split_is_seeded_and_shuffles():
    ds = make_dataset("circle", seed=1)
    a = train_test_split(ds.points, ds.labels, 0.5, seed=4)
    b = train_test_split(ds.points, ds.labels, 0.5, seed=4)
    c = train_test_split(ds.points, ds.labels, 0.5, seed=5)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not np.array_equal(a[0], c[0])
    # generators emit points class by class; the split mixes them
    assert 0.35 < a[1].mean() < 0.65


def test_split_keeps_at_least_one_point_each_side():
    X = np.zeros((3, 2))
    y = np.arange(3)
    assert [len(part) for part in train_test_split(X, y, 0.1, 0)] == [1, 1, 2, 2]
    assert [len(part) for part in train_test_split(X, y, 0.9, 0)] == [2, 2, 1, 1]


@pytest.mark.parametrize("ratio", [0.05, 0.95, 0, 1, "half", None])
def test_split_rejects_bad_ratios(ratio):
    with pytest.raises(ConfigError) as err:
        train_test_split(np.zeros((10, 2)), np.zeros(10), ratio, 0)
    assert err.value.field == "train_ratio" and err.value.allowed == [0.1, 0.9]


def test_split_rejects_mismatched_or_tiny_inputs():
    with pytest.raises(ConfigError):
        train_test_split(np.zeros((10, 2)), np.zeros(9), 0.5, 0)
    with pytest.raises(ConfigError):
        train_test_split(np.zeros((1, 2)), np.zeros(1), 0.5, 0)
    with pytest.raises(ConfigError) as err:
        train_test_split(np.zeros((10, 2)), np.zeros(10), 0.5, -3)
    assert err.value.field == "data_seed"
