"""The real datasets (digits and three UCI tables): the shipped files, the arrays the engine
makes of them, their principal planes, the drawing reduction, their preset networks, and every
engine view working on a 64-input network."""

import gzip
import hashlib
import json

import numpy as np
import pytest

from nn_core import (
    DATASETS,
    ConfigError,
    GridInputs,
    Network,
    Trainer,
    check_points,
    digit_from_drawing,
    evaluate_grid,
    fit_principal_plane,
    loss_landscape,
    make_dataset,
    principal_plane,
    trace,
    train_test_split,
    trainer_for,
    transform,
    transformed_space,
)
from nn_core.datasets import preview
from nn_core.digit_drawing import bitmap_from_drawing
from nn_core.realdata import DATA_DIR, SETS, load, scaling

REAL = [n for n in DATASETS if DATASETS.info(n)["kind"] == "real"]

# name: (shape, classes, class counts, sha256 of the points' float64 bytes, of the int64 labels)
PINNED = {
    "digits": ((1797, 64), 10, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180],
               "23a53393488b04f92efc45ebc92767e2dcfdf206ba37a928f497d261e42267d2",
               "a3c91c262eddcf7ba8f0e37507c30284493c9b20412ffe4af30d536401f7ba21"),
    "iris": ((150, 4), 3, [50, 50, 50],
             "67f16a34b2297915271d8967cf4408f8051498afff296fa8f9f36f4ff8988617",
             "734737f11162991213afc3a96aa5e8823b2d9cdcfb8992df1e85a0bae44b2395"),
    "wine": ((178, 13), 3, [59, 71, 48],
             "d7f713b79c8aa9e6e5a8452681aaf68ab2fcc7fd28ea9b6e18294d670697ada8",
             "b6514e07a6d27854e0da000ca82d8d8cc3d0cb904c51600344ca34f1ee04884b"),
    "breast_cancer": ((569, 30), 2, [212, 357],
                      "2d05022a09664922654ffcb11d398f2623746f69b3c0e1cde03bd2f7ad9072e3",
                      "1763c0f8cd3f454b9eda72031113884593bb382411c0cd511e3ec6e7ac85cddb"),
}
# sha256 of each decompressed file: scikit-learn 1.9.1's files, byte for byte.
FILE_SHA256 = {
    "digits": "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8",
    "iris": "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449",
    "wine": "10e8a802908b34f86e5da8ce962f3c806694bc98450a18f61851af59f324bede",
    "breast_cancer": "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed",
}
FIRST_DIGIT = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0,
               0, 4, 12, 0, 0, 8, 8, 0, 0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0,
               0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0]      # a 0, counts of 16


def sha256(array):
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


# ---- the data -----------------------------------------------------------------------------------


def test_the_four_sets_are_registered_after_the_plane_sets():
    assert REAL == ["digits", "iris", "wine", "breast_cancer"]
    assert DATASETS.names()[-4:] == REAL


@pytest.mark.parametrize("name", REAL)
def test_shipped_file_is_scikit_learns(name):
    with gzip.open(DATA_DIR / SETS[name]["file"], "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == FILE_SHA256[name]
    assert (DATA_DIR / "NOTICE").read_text(encoding="utf-8").count("CC BY 4.0") >= 1


@pytest.mark.parametrize("name", REAL)
def test_shape_checksum_and_class_counts(name):
    shape, k, counts, points_sha, labels_sha = PINNED[name]
    ds = make_dataset(name)
    info = DATASETS.info(name)
    assert ds.points.shape == shape and ds.points.dtype == np.float64
    assert ds.labels.shape == shape[:1] and ds.labels.dtype == np.int64
    assert ds.n_classes == k and ds.problem == ("binary" if k == 2 else "multiclass")
    assert np.bincount(ds.labels).tolist() == counts
    assert sha256(ds.points) == points_sha and sha256(ds.labels) == labels_sha
    assert (info["inputs"], info["default_points"], info["classes"]) == (shape[1], shape[0], [k, k])
    assert len(info["input_names"]) == shape[1] and len(info["class_names"]) == k
    low, high = info["value_range"]
    assert low <= ds.points.min() and ds.points.max() <= high


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer"])
def test_tables_are_standardised_over_the_whole_set(name):
    X = make_dataset(name).points
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-13)
    np.testing.assert_allclose(X.std(axis=0), 1.0, rtol=1e-13)      # population std (ddof 0)
    offset, scale = scaling(name)
    raw = X * scale + offset
    # back in the file's units: iris's first flower is 5.1, 3.5, 1.4, 0.2 cm
    if name == "iris":
        np.testing.assert_allclose(raw[0], [5.1, 3.5, 1.4, 0.2], rtol=1e-13)
        np.testing.assert_allclose(scale, [0.8253012917851409, 0.4344109677354946,
                                           1.7594040657753032, 0.7596926279021594], rtol=1e-12)


def test_digits_are_counts_over_16_in_file_order():
    ds = make_dataset("digits")
    assert ds.points.min() == 0.0 and ds.points.max() == 1.0
    assert np.array_equal(ds.points * 16, np.round(ds.points * 16))       # multiples of 1/16
    assert (ds.points[0] * 16).astype(int).tolist() == FIRST_DIGIT
    assert ds.labels[:10].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert DATASETS.info("digits")["image_shape"] == [8, 8]
    assert DATASETS.info("digits")["input_names"][9] == "pixel (1, 1)"


def test_cache_is_read_only_and_callers_get_their_own_arrays():
    points, labels = load("digits")
    assert not points.flags.writeable and not labels.flags.writeable
    with pytest.raises(ValueError):
        points[0, 0] = 5.0
    mine = make_dataset("digits")
    mine.points[0, :] = 99.0
    mine.labels[0] = 7
    again = make_dataset("digits")
    assert again.points[0, 2] == 5 / 16 and again.labels[0] == 0
    assert load("digits")[0] is points                     # parsed once, kept


@pytest.mark.parametrize(
    "kwargs, field, allowed",
    [
        ({"noise": 0.1}, "noise", [0, 0]),
        ({"noise": "lots"}, "noise", [0, 0]),
        ({"n_points": 100}, "n_points", [1797, 1797]),
        ({"n_points": True}, "n_points", [1797, 1797]),
        ({"n_classes": 3}, "n_classes", [10, 10]),
        ({"seed": -1}, "data_seed", None),
    ],
)
def test_what_does_not_apply_to_a_real_set_is_refused_by_name(kwargs, field, allowed):
    with pytest.raises(ConfigError) as err:
        make_dataset("digits", **kwargs)
    assert err.value.field == field
    if allowed is not None:
        assert err.value.allowed == allowed
        assert "does not apply to the digits dataset" in str(err.value)


def test_the_one_value_of_each_fixed_setting_is_accepted_and_seed_changes_nothing():
    a = make_dataset("iris", n_points=150, noise=0.0, n_classes=3, seed=5)
    b = make_dataset("iris", seed=9)
    assert np.array_equal(a.points, b.points) and np.array_equal(a.labels, b.labels)
    assert make_dataset("breast_cancer", n_classes=2).n_classes == 2


def test_the_split_applies_seeded():
    ds = make_dataset("digits")
    X_tr, y_tr, X_te, y_te = train_test_split(ds.points, ds.labels, 0.5, seed=0)
    assert (len(X_tr), len(X_te)) == (899, 898)       # ⌊1797 · 0.5 + 0.5⌋ = 899 for training
    again = train_test_split(ds.points, ds.labels, 0.5, seed=0)
    other = train_test_split(ds.points, ds.labels, 0.5, seed=1)
    assert np.array_equal(X_tr, again[0]) and not np.array_equal(X_tr, other[0])
    assert sorted(np.concatenate([y_tr, y_te]).tolist()) == sorted(ds.labels.tolist())


@pytest.mark.parametrize("name", REAL)
def test_preview_is_the_principal_plane_scaled_into_the_input_plane(name):
    p = preview(name)
    n = min(200, DATASETS.info(name)["default_points"])
    assert p.points.shape == (n, 2) and np.abs(p.points).max() <= 6.0
    ds = make_dataset(name)
    rows = np.random.default_rng(0).permutation(len(ds))[:n]
    plane = principal_plane(name)
    np.testing.assert_allclose(p.points, plane.project(ds.points[rows]) * 6.0 / plane.bounds[1])
    assert np.array_equal(p.labels, ds.labels[rows])


def test_check_points_names_the_bad_entry():
    pixels = np.full((3, 64), 0.5)
    assert check_points("digits", pixels).shape == (3, 64)
    pixels[2, 10] = 1.5
    with pytest.raises(ConfigError) as err:
        check_points("digits", pixels)
    assert err.value.field == "points[2][10]" and err.value.allowed == [0.0, 1.0]
    assert "pixel (1, 2)" in str(err.value)
    with pytest.raises(ConfigError) as err:
        check_points("digits", np.zeros((1, 63)))
    assert err.value.field == "points" and "64 numbers" in str(err.value)
    with pytest.raises(ConfigError) as err:
        check_points("iris", [[0.0, float("nan"), 0.0, 0.0]], field="x")
    assert err.value.field == "x[0][1]" and err.value.allowed == [-20.0, 20.0]
    with pytest.raises(ConfigError) as err:
        check_points("circle", [[0.0, 6.5]])
    assert err.value.field == "points[0][1]" and err.value.allowed == [-6.0, 6.0]
    with pytest.raises(ConfigError) as err:
        check_points("iris", [["a", 1, 2, 3]])
    assert err.value.field == "points"


def test_raw_features_keep_the_points_as_inputs():
    X = make_dataset("wine").points
    out = transform(X, None)
    assert np.array_equal(out, X) and out is not X
    assert transform(X, None, dtype=np.float32).dtype == np.float32
    with pytest.raises(ConfigError) as err:
        transform(X[0], None)
    assert err.value.field == "points"


# ---- principal planes ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", REAL)
def test_principal_plane_is_orthonormal_descending_and_centred(name):
    X = make_dataset(name).points
    plane = principal_plane(name)
    C = plane.components
    np.testing.assert_allclose(C @ C.T, np.eye(2), atol=1e-12)
    assert plane.explained_variance[0] >= plane.explained_variance[1] > 0
    coords = plane.project(X)
    np.testing.assert_allclose(coords.var(axis=0), plane.explained_variance, rtol=1e-10)
    np.testing.assert_allclose(plane.project(plane.mean[None]), 0.0, atol=1e-12)
    np.testing.assert_allclose(plane.explained_variance_ratio,
                               plane.explained_variance / X.var(axis=0).sum(), rtol=1e-12)
    # no other unit direction has more variance than the first component
    rng = np.random.default_rng(0)
    for d in rng.normal(size=(20, X.shape[1])):
        d /= np.linalg.norm(d)
        assert ((X - plane.mean) @ d).var() <= plane.explained_variance[0] * (1 + 1e-12)
    # the largest entry of each component is positive (the sign convention)
    assert all(c[np.argmax(np.abs(c))] > 0 for c in C)
    assert np.abs(coords).max() * 1.1 == pytest.approx(plane.bounds[1])
    assert principal_plane(name) is plane and not C.flags.writeable


def test_iris_principal_components_explain_the_known_shares():
    # standardised iris: 72.96 % and 22.85 % of the variance (as every PCA of it reports)
    np.testing.assert_allclose(principal_plane("iris").explained_variance_ratio,
                               [0.7296245, 0.2285076], atol=1e-6)


def test_plane_coordinates_map_back_into_input_space():
    plane = principal_plane("wine")
    coords = np.array([[0.0, 0.0], [1.5, -2.0], [-3.0, 0.25]])
    inputs = plane.to_inputs(coords)
    assert inputs.shape == (3, 13)
    np.testing.assert_allclose(inputs[0], plane.mean)
    np.testing.assert_allclose(plane.project(inputs), coords, atol=1e-12)
    assert plane.to_inputs(coords, dtype=np.float32).dtype == np.float32
    with pytest.raises(ConfigError) as err:
        plane.to_inputs(np.zeros((2, 3)))
    assert err.value.field == "coords"
    with pytest.raises(ConfigError) as err:
        fit_principal_plane(np.zeros((1, 4)))
    assert err.value.field == "X"


def test_grid_over_a_principal_plane_evaluates_the_network_there():
    plane = principal_plane("iris")
    net = Network([4, 5, 3], activation="tanh", seed=3)
    result = evaluate_grid(net, None, resolution=7, neuron_resolution=3, plane=plane)
    x0, x1, y0, y1 = plane.bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, 7), np.linspace(y0, y1, 7))
    expected = net.output(plane.to_inputs(np.column_stack([gx.ravel(), gy.ravel()])))
    np.testing.assert_allclose(result.output.reshape(-1, 3), expected, rtol=1e-5, atol=1e-6)
    assert result.inputs.shape == (3, 3, 4) and result.neurons[0].shape == (3, 3, 5)
    with pytest.raises(ConfigError) as err:
        GridInputs(None)
    assert err.value.field == "plane"


# ---- drawing a digit ----------------------------------------------------------------------------


def test_a_centred_bar_gives_half_inked_middle_columns():
    drawing = np.zeros((32, 32))
    drawing[:, 14:18] = 1.0          # 4 pixels wide: 2 in block column 3, 2 in block column 4
    expected = np.zeros((8, 8))
    expected[:, 3:5] = 8 / 16        # 2 pixels × 4 rows of each block
    np.testing.assert_array_equal(digit_from_drawing(drawing).reshape(8, 8), expected)


def test_a_known_bitmap_gives_its_block_counts_wherever_and_however_large_it_is_drawn():
    rng = np.random.default_rng(4)
    bitmap = rng.random((32, 32)) < 0.3
    bitmap[0, 5] = bitmap[31, 7] = bitmap[9, 0] = bitmap[20, 31] = True   # touches all 4 sides
    counts = np.array([[bitmap[4 * r:4 * r + 4, 4 * c:4 * c + 4].sum() for c in range(8)]
                       for r in range(8)])
    np.testing.assert_array_equal(digit_from_drawing(bitmap.astype(float)), counts.ravel() / 16)
    # five times larger (each pixel 5 × 5), grey 0.8 ink on a 0.1 paper, off-centre on a canvas
    canvas = np.full((400, 300), 0.1)
    canvas[37:197, 101:261] = np.kron(bitmap, np.ones((5, 5))) * 0.7 + 0.1
    np.testing.assert_array_equal(digit_from_drawing(canvas), counts.ravel() / 16)


def test_a_narrow_drawing_is_centred_with_its_aspect_ratio_kept():
    drawing = np.zeros((100, 100))
    drawing[10:90, 60:80] = 1.0      # 80 tall, 20 wide: 8 of the 32 bitmap columns, centred
    bitmap = bitmap_from_drawing(drawing)
    assert bitmap[:, 12:20].all() and not bitmap[:, :12].any() and not bitmap[:, 20:].any()
    np.testing.assert_array_equal(digit_from_drawing(drawing).reshape(8, 8)[0],
                                  [0, 0, 0, 1, 1, 0, 0, 0])


def test_an_empty_drawing_gives_zeros_and_bad_drawings_are_refused():
    assert not digit_from_drawing(np.full((50, 40), 0.2)).any()
    for bad, field in (([[0.5, 1.2]], "image[0][1]"), ([[0.5, float("nan")]], "image[0][1]"),
                       (np.zeros(10), "image"), (np.zeros((3000, 3)), "image"),
                       ([["x"]], "image")):
        with pytest.raises(ConfigError) as err:
            digit_from_drawing(bad)
        assert err.value.field == field


def test_a_drawn_one_is_read_as_a_one():
    # A thick vertical stroke a sixth of its height wide, as the docstring advises.
    trainer = trainer_for("digits")
    trainer.run(10)
    canvas = np.zeros((280, 280))
    canvas[40:240, 130:163] = 1.0
    x = digit_from_drawing(canvas)
    assert trainer.net.predict(x[None])[0] == 1


# ---- the presets and every view on a 64-input network ---------------------------------------------


@pytest.mark.parametrize("name", REAL)
def test_presets_name_valid_settings(name):
    defaults = DATASETS.info(name)["defaults"]
    assert set(defaults) == {"hidden_layers", "activation", "init", "optimizer", "learning_rate",
                             "batch_size"}
    trainer = trainer_for(name)
    assert trainer.net.layer_sizes == [DATASETS.info(name)["inputs"], *defaults["hidden_layers"],
                                       PINNED[name][1] if PINNED[name][1] > 2 else 1]
    assert trainer.hyperparams()["learning_rate"] == defaults["learning_rate"]
    assert trainer.net.hidden_activations == [defaults["activation"]]


def test_digits_preset_is_the_issue_s_network():
    assert DATASETS.info("digits")["defaults"] == {
        "hidden_layers": [32], "activation": "relu", "init": "he_uniform", "optimizer": "adam",
        "learning_rate": 0.01, "batch_size": 32}


@pytest.mark.parametrize("data_seed, seed", [(0, 0), (1, 1)])   # the engine's and the page's
def test_digits_preset_reaches_93_percent_within_30_epochs(data_seed, seed):
    trainer = trainer_for("digits", train_ratio=0.5, data_seed=data_seed, seed=seed)
    trainer.run(30)
    accuracy = [row["test_accuracy"] for row in trainer.history.rows]
    assert max(accuracy) >= 0.93 and accuracy[-1] >= 0.93
    assert trainer.history.rows[0]["test_accuracy"] < 0.3         # it learned it


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer"])
def test_table_presets_learn_their_set(name):
    trainer = trainer_for(name)
    trainer.run(50)
    assert trainer.metrics()["test_accuracy"] >= 0.9


def test_preset_errors():
    with pytest.raises(ConfigError) as err:
        trainer_for("circle")
    assert err.value.field == "dataset" and err.value.allowed == REAL
    with pytest.raises(ConfigError) as err:
        trainer_for("digits", momentum=0.9)
    assert err.value.field == "momentum"


@pytest.fixture(scope="module")
def digits_trainer():
    trainer = trainer_for("digits", hidden_layers=[16])
    trainer.run(2)
    return trainer


def test_trace_follows_a_digit_through_a_64_input_network(digits_trainer):
    net = digits_trainer.net
    x = make_dataset("digits").points[5]
    traced = trace(net, x, 5, learning_rate=0.01)
    assert traced["x"].shape == (64,) and traced["layers"][0]["dW"].shape == (64, 16)
    np.testing.assert_allclose(traced["output"], net.output(x[None])[0], rtol=1e-12)
    loss, grads = net.loss_and_grads(x[None], [5])
    assert traced["loss"] == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(traced["layers"][0]["dW"], grads[0][0], rtol=1e-10, atol=1e-15)
    with pytest.raises(ConfigError) as err:
        trace(net, x[:2], 5, learning_rate=0.01)
    assert err.value.field == "x"


def test_confusion_and_state_round_trip_on_digits(digits_trainer):
    confusion = digits_trainer.confusion()
    assert confusion["test"].shape == (10, 10) and confusion["test"].sum() == 898
    assert np.trace(confusion["test"]) / 898 == pytest.approx(
        digits_trainer.metrics()["test_accuracy"])
    state = json.loads(json.dumps(digits_trainer.state_dict()))
    copy = Trainer.from_state_dict(state)
    digits_trainer.step(7)
    copy.step(7)
    assert np.array_equal(copy.net.params, digits_trainer.net.params)


def test_landscape_and_transformed_space_on_digits(digits_trainer):
    net = digits_trainer.net
    ds = make_dataset("digits")
    X, y = ds.points[:100], ds.labels[:100]
    view = loss_landscape(net, net.params.copy(), X, y, resolution=5, directions="random")
    loss, _ = net.loss_and_grads(X, y)
    assert view.loss.shape == (5, 5) and view.origin_loss == pytest.approx(loss, rel=1e-12)
    plane = principal_plane("digits")
    space = transformed_space(net, None, X, 0, [2, 7], lines=5, samples=4, plane=plane)
    np.testing.assert_allclose(space["points"], net.forward(X).a[0][:, [2, 7]], rtol=1e-12)
    assert space["lines"].shape == (10, 4, 2)
    with pytest.raises(ConfigError) as err:
        transformed_space(net, None, X, 0, [2, 7])
    assert err.value.field == "plane"
