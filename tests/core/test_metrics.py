"""The confusion matrix: counts by hand (binary and 3-class), the row = true / column =
predicted convention, agreement with `accuracy`, bad input refused, and `Trainer.confusion()`
counting exactly the predictions the trainer's recorded accuracy scores."""

import numpy as np
import pytest

from nn_core import ConfigError, Network, Trainer, make_dataset
from nn_core.metrics import accuracy, confusion_matrix, r2, rmse


def test_binary_by_hand():
    y_true = [0, 0, 0, 1, 1, 1, 1]
    y_pred = [0, 1, 0, 1, 1, 0, 1]
    # true 0: predicted 0, 1, 0 → [2, 1];  true 1: predicted 1, 1, 0, 1 → [1, 3]
    c = confusion_matrix(y_true, y_pred, 2)
    assert c.dtype == np.int64 and c.shape == (2, 2)
    assert c.tolist() == [[2, 1], [1, 3]]
    assert c.sum() == 7
    assert np.trace(c) / c.sum() == accuracy(y_true, y_pred) == 5 / 7


def test_three_classes_by_hand_rows_are_true_columns_predicted():
    y_true = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2, 0])
    y_pred = np.array([0, 2, 1, 0, 1, 2, 2, 1, 2, 0])
    c = confusion_matrix(y_true, y_pred, 3)
    assert c.tolist() == [[2, 0, 1],    # class 0: two right, one taken for 2
                          [1, 2, 0],    # class 1: one taken for 0
                          [0, 1, 3]]    # class 2: one taken for 1
    assert c.sum(axis=1).tolist() == [3, 3, 4]    # rows: how many of each true class
    assert c.sum(axis=0).tolist() == [3, 3, 4]    # columns: how many predicted as each
    assert np.trace(c) / c.sum() == accuracy(y_true, y_pred) == 0.7


def test_asymmetric_case_pins_the_orientation():
    # every true 0 predicted as 2: the count sits in row 0, column 2 (not row 2, column 0)
    c = confusion_matrix([0, 0, 0], [2, 2, 2], 3)
    assert c[0, 2] == 3 and c.sum() == 3


def test_unseen_classes_give_zero_rows_and_empty_input_zeros():
    assert confusion_matrix([1, 1], [1, 1], 4).tolist() == [[0] * 4, [0, 2, 0, 0], [0] * 4, [0] * 4]
    empty = confusion_matrix([], [], 3)
    assert empty.shape == (3, 3) and empty.dtype == np.int64 and empty.sum() == 0


def test_matches_accuracy_on_random_labels():
    rng = np.random.default_rng(0)
    for k in (2, 3, 6):
        y_true, y_pred = rng.integers(0, k, 1000), rng.integers(0, k, 1000)
        c = confusion_matrix(y_true, y_pred, k)
        assert c.sum() == 1000
        assert np.trace(c) / 1000 == accuracy(y_true, y_pred)
        assert c.sum(axis=1).tolist() == np.bincount(y_true, minlength=k).tolist()
        # float labels holding whole numbers (as a JSON round trip gives) count the same
        assert np.array_equal(confusion_matrix(y_true.astype(float), y_pred, k), c)


@pytest.mark.parametrize("y_true, y_pred, k, field", [
    ([0, 1, 2], [0, 1, 1], 2, "y_true"),       # class 2 with K = 2
    ([0, 1], [0, -1], 2, "y_pred"),            # negative id
    ([0, 1], [0, 0.5], 2, "y_pred"),           # not a whole number
    ([0, 1], [0, float("nan")], 2, "y_pred"),  # NaN
    ([0, 1], [0], 2, "y_pred"),                # lengths differ
    ([0], [0], 0, "n_classes"),
    ([0], [0], 2.5, "n_classes"),
])
def test_bad_input_is_refused(y_true, y_pred, k, field):
    with pytest.raises(ConfigError) as err:
        confusion_matrix(y_true, y_pred, k)
    assert err.value.field == field


@pytest.fixture
def trainer(make_trainer):
    """A trainer on dataset `name` (one hidden layer of 8), run for `epochs`, with its labels."""

    def build(name, n_classes=None, hidden=(8,), epochs=3):
        t = make_trainer(name, hidden, n_classes=n_classes, seed=1, learning_rate=0.1)
        t.run(epochs)
        return t, t._y_train, t._y_test

    return build


@pytest.mark.parametrize("name, n_classes, k", [("circle", None, 2), ("spiral_k", 3, 3),
                                                ("blobs", 5, 5)])
def test_trainer_confusion_counts_the_recorded_predictions(name, n_classes, k, trainer):
    t, y_tr, y_te = trainer(name, n_classes)
    c = t.confusion()
    m = t.metrics()
    assert set(c) == {"train", "test"}
    for split, y in (("train", y_tr), ("test", y_te)):
        assert c[split].shape == (k, k) and c[split].dtype == np.int64
        assert c[split].sum() == len(y)
        assert c[split].sum(axis=1).tolist() == np.bincount(y, minlength=k).tolist()
        assert np.trace(c[split]) / len(y) == m[f"{split}_accuracy"]
    # it only reads: the weights and the history stay as they were
    params = t.net.params.copy()
    t.confusion()
    assert np.array_equal(t.net.params, params) and t.metrics() == m


@pytest.mark.parametrize("name, n_classes", [("circle", None), ("blobs", 4)])
def test_trainer_predictions_are_the_networks_and_what_the_confusion_counts(name, n_classes,
                                                                           trainer):
    t, y_tr, y_te = trainer(name, n_classes)
    predicted = t.predictions()
    for split, X, y in (("train", t._X_train, y_tr), ("test", t._X_test, y_te)):
        assert predicted[split].tolist() == t.net.predict(X).tolist()
        assert np.trace(t.confusion()[split]) == (predicted[split] == y).sum()
    assert list(t.predictions(("test",))) == ["test"]
    assert t.predictions(("test",))["test"].tolist() == predicted["test"].tolist()
    with pytest.raises(ConfigError) as err:
        t.predictions(("validation",))
    assert err.value.field == "splits"
    d = make_dataset("plane", seed=1)
    reg = Trainer(Network([2, 4, 1], problem="regression", seed=1), d.points, d.labels)
    assert np.array_equal(reg.predictions()["train"], reg.net.predict(d.points))


def test_trainer_confusion_follows_the_current_weights(trainer):
    t, y_tr, _ = trainer("circle", epochs=0)
    t.net.params[...] = 0.0   # zero output → sigmoid 0.5 → every row predicted class 0
    c = t.confusion()["train"]
    assert c[:, 1].tolist() == [0, 0] and c[:, 0].tolist() == np.bincount(y_tr).tolist()


def test_trainer_confusion_is_for_classification_only():
    d = make_dataset("plane", seed=1)
    net = Network([2, 4, 1], problem="regression", seed=1)
    t = Trainer(net, d.points, d.labels)
    with pytest.raises(ConfigError) as err:
        t.confusion()
    assert err.value.field == "problem"


def test_trainer_confusion_without_test_rows_is_zero():
    d = make_dataset("xor", seed=1)
    t = Trainer(Network([2, 4, 1], problem="binary", seed=1), d.points, d.labels)
    c = t.confusion()
    assert c["test"].tolist() == [[0, 0], [0, 0]] and c["train"].sum() == len(d.labels)


def test_trainer_confusion_of_a_diverged_network_still_counts_every_row(trainer):
    t, y_tr, _ = trainer("spiral_k", 3)
    t.net.params[...] = np.nan   # NaN outputs: no warning, every row still lands in one cell
    c = t.confusion()["train"]
    assert c.sum() == len(y_tr)


# ---- k regression outputs: scikit-learn's uniform_average ----------------------------------------


def test_rmse_and_r2_of_two_outputs_are_the_means_of_the_per_output_values():
    y = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0]])
    pred = np.array([[1.5, 10.0], [2.5, 20.0], [3.5, 30.0], [4.5, 40.0]])
    # column 0: every error 0.5 → RMSE 0.5, R² = 1 − 1/5; column 1: exact → RMSE 0, R² 1
    assert rmse(y, pred) == pytest.approx((0.5 + 0.0) / 2, rel=1e-15)
    assert r2(y, pred) == pytest.approx((0.8 + 1.0) / 2, rel=1e-15)
    # not √(mean over all outputs), which would be √(0.125) ≈ 0.354
    assert rmse(y, pred) != pytest.approx(np.sqrt(np.mean((pred - y) ** 2)))


def test_a_constant_output_scores_like_scikit_learn():
    y = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    assert r2(y, np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])) == 1.0
    assert r2(y, np.array([[1.0, 5.5], [2.0, 5.0], [3.0, 5.0]])) == pytest.approx(0.5)  # (1 + 0)/2


def test_one_output_as_a_column_or_a_vector_is_the_same():
    y, pred = [1.0, 2.0, 4.0], [1.5, 2.0, 3.0]
    column = rmse(np.array(y)[:, None], np.array(pred)[:, None])
    assert rmse(y, pred) == column == pytest.approx(np.sqrt((0.25 + 0 + 1) / 3), rel=1e-15)
    assert r2(y, np.array(pred)[:, None]) == r2(y, pred)
    with pytest.raises(ConfigError) as err:
        rmse(np.zeros((3, 2)), np.zeros((3, 1)))
    assert err.value.field == "y_pred"


def test_a_two_output_regression_network_trains_and_reports_its_metrics():
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(240, 2))
    Y = np.column_stack([np.sin(X[:, 0]), X[:, 0] * X[:, 1] / 9])
    net = Network([2, 5, 2], activation="tanh", problem="regression", seed=0)
    t = Trainer(net, X[:120], Y[:120], X[120:], Y[120:], optimizer="adam", learning_rate=0.02)
    start = t.metrics()
    assert t.run(40) == 40 and t.status == "ok"
    m = t.metrics()
    assert m["train_loss"] < 0.25 * start["train_loss"] and m["test_r2"] > 0.5 > start["test_r2"]
    pred = net.predict(X[120:])
    assert pred.shape == (120, 2)
    d = pred - Y[120:]
    per_output_rmse = np.sqrt((d ** 2).mean(axis=0))
    per_output_r2 = 1 - (d ** 2).sum(axis=0) / ((Y[120:] - Y[120:].mean(axis=0)) ** 2).sum(axis=0)
    assert m["test_rmse"] == pytest.approx(per_output_rmse.mean(), rel=1e-12)
    assert m["test_r2"] == pytest.approx(per_output_r2.mean(), rel=1e-12)
    assert m["test_loss"] == pytest.approx(np.mean(d ** 2), rel=1e-12)   # mse: over all outputs
