import numpy as np
import pytest

from nn_core.errors import ConfigError
from nn_core.features import (
    FEATURE_ORDER,
    FEATURES,
    describe,
    normalize_features,
    transform,
)

POINTS = np.random.default_rng(0).uniform(-6, 6, size=(257, 2))
X1, X2 = POINTS[:, 0], POINTS[:, 1]
FORMULAS = {
    "x1": X1,
    "x2": X2,
    "x1_sq": X1**2,
    "x2_sq": X2**2,
    "x1x2": X1 * X2,
    "sin_x1": np.sin(X1),
    "sin_x2": np.sin(X2),
    "cos_x1": np.cos(X1),
    "cos_x2": np.cos(X2),
}


def test_order_and_registry_agree():
    assert FEATURE_ORDER == ["x1", "x2", "x1_sq", "x2_sq", "x1x2",
                             "sin_x1", "sin_x2", "cos_x1", "cos_x2"]
    assert FEATURES.names() == FEATURE_ORDER
    labels = [FEATURES.info(n)["label"] for n in FEATURE_ORDER]
    assert labels == ["X₁", "X₂", "X₁²", "X₂²", "X₁X₂", "sin X₁", "sin X₂", "cos X₁", "cos X₂"]


def test_describe_gives_name_label_formula():
    rows = describe()
    assert [r["name"] for r in rows] == FEATURE_ORDER
    assert all(set(r) == {"name", "label", "formula"} for r in rows)
    assert rows[4] == {"name": "x1x2", "label": "X₁X₂", "formula": "x₁·x₂"}


@pytest.mark.parametrize("name", FEATURE_ORDER)
def test_each_column_equals_its_formula(name):
    out = transform(POINTS, [name])
    assert out.shape == (257, 1) and out.dtype == np.float64
    assert np.array_equal(out[:, 0], FORMULAS[name])


def test_all_features_in_fixed_order():
    out = transform(POINTS, FEATURE_ORDER)
    assert out.shape == (257, 9)
    for j, name in enumerate(FEATURE_ORDER):
        assert np.array_equal(out[:, j], FORMULAS[name])


@pytest.mark.parametrize(
    "asked, expected",
    [
        (["x2", "x1"], ["x1", "x2"]),
        (["cos_x2", "x1x2", "x1"], ["x1", "x1x2", "cos_x2"]),
        (["sin_x1", "sin_x1", "x2_sq"], ["x2_sq", "sin_x1"]),
        (("x2",), ["x2"]),
    ],
)
def test_order_is_fixed_whatever_the_request(asked, expected):
    assert normalize_features(asked) == expected
    out = transform(POINTS, asked)
    assert np.array_equal(out, np.column_stack([FORMULAS[n] for n in expected]))


def test_float32_is_honoured_and_close_to_float64():
    out32 = transform(POINTS, FEATURE_ORDER, dtype=np.float32)
    assert out32.dtype == np.float32 and out32.shape == (257, 9)
    assert np.allclose(out32, transform(POINTS, FEATURE_ORDER), atol=1e-5, rtol=1e-6)
    # float32 input stays float32 without a detour through float64
    assert transform(POINTS.astype(np.float32), ["x1"], dtype="float32").dtype == np.float32


def test_result_behaves_like_a_plain_matrix():
    out = transform(POINTS, ["x1", "x2", "x1x2"])
    W = np.arange(6.0).reshape(3, 2)
    assert np.allclose(out @ W, np.column_stack([X1, X2, X1 * X2]) @ W)
    assert np.array_equal(np.frombuffer(out.tobytes()).reshape(257, 3), out)


def test_grid_sized_transform_is_one_vectorised_call_per_feature(monkeypatch):
    # Speed without a stopwatch: 160,000 grid points cost each feature function one call on a
    # whole column (a loop over points would call it 160,000 times).
    calls = []
    for name in FEATURE_ORDER:
        original = FEATURES.get(name)

        def counted(a, b, out, original=original, name=name):
            calls.append((name, a.shape, out.shape))
            return original(a, b, out)

        monkeypatch.setitem(FEATURES._items, name, counted)
    grid = np.random.default_rng(1).uniform(-6, 6, size=(160_000, 2))
    out = transform(grid, FEATURE_ORDER, dtype=np.float32)
    assert calls == [(name, (160_000,), (160_000,)) for name in FEATURE_ORDER]
    assert out.shape == (160_000, len(FEATURE_ORDER)) and out.dtype == np.float32


@pytest.mark.parametrize(
    "names, message",
    [
        ([], "at least one feature"),
        (["x1", "x3"], "unknown feature 'x3'"),
        (["X1"], "unknown feature 'X1'"),
        ("x1", "list of feature names"),
        (None, "list of feature names"),
        ([1], "unknown feature"),
    ],
)
def test_bad_feature_lists_raise(names, message):
    with pytest.raises(ConfigError) as err:
        normalize_features(names)
    assert err.value.field == "features" and message in str(err.value)
    assert err.value.allowed == FEATURE_ORDER


def test_transform_rejects_bad_points_and_dtypes():
    with pytest.raises(ConfigError) as err:
        transform(np.zeros((5, 3)), ["x1"])
    assert err.value.field == "points"
    with pytest.raises(ConfigError) as err:
        transform(np.zeros(5), ["x1"])
    assert err.value.field == "points"
    with pytest.raises(ConfigError) as err:
        transform(POINTS, ["x1"], dtype=np.int64)
    assert err.value.field == "dtype"
    with pytest.raises(ConfigError) as err:
        transform(POINTS, [])
    assert err.value.field == "features"
