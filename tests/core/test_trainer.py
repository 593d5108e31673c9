"""Trainer: it learns the playground's datasets, is deterministic, records honest history,
takes live changes, survives divergence, and resumes bit-identically from a saved state."""

import json
import math
import re
from types import SimpleNamespace

import numpy as np
import pytest

from nn_core import OPTIMIZERS, ConfigError, Network, Trainer

# ---- learning ----------------------------------------------------------------------------------

LEARNING = [
    # dataset, n_classes, features, hidden, epochs, metric, threshold
    ("circle", None, ("x1", "x2"), (8, 8), 30, "test_accuracy", 0.97),
    ("xor", None, ("x1", "x2"), (8, 8), 30, "test_accuracy", 0.97),
    ("spiral", None, ("x1", "x2", "sin_x1", "sin_x2"), (16, 16), 200, "test_accuracy", 0.95),
    ("spiral_k", 3, ("x1", "x2"), (16, 16), 100, "test_accuracy", 0.95),
    ("plane", None, ("x1", "x2"), (8,), 30, "test_rmse", 0.05),
]


@pytest.mark.parametrize("name, n_classes, features, hidden, epochs, metric, threshold", LEARNING,
                         ids=[row[0] + (f"{row[1]}" if row[1] else "") for row in LEARNING])
def test_learns(name, n_classes, features, hidden, epochs, metric, threshold, make_trainer):
    # adam, lr 0.01, batch 10, tanh, seeds fixed: 500 points (1200 for plane), half for testing
    t = make_trainer(name, hidden, features=features, n_classes=n_classes, optimizer="adam",
                     learning_rate=0.01, batch_size=10)
    start = t.metrics()[metric]
    assert t.run(epochs) == epochs
    assert t.status == "ok" and t.epoch == epochs
    final = t.metrics()[metric]
    if metric == "test_rmse":
        assert final <= threshold < start
        assert t.metrics()["test_r2"] > 0.99
    else:
        assert final >= threshold > start
    assert t.metrics()["train_loss"] < 0.25 * t.history.since(0)["train_loss"][0]


def test_plain_sgd_step_is_w_minus_lr_times_grad(make_trainer):
    # One full-batch step: w ← w − α(∂L/∂w + λw on weights)
    t = make_trainer("circle", (4,), optimizer="sgd", learning_rate=0.1, batch_size=250,
                     regularization="l2", reg_rate=0.05)
    net = t.net
    w0 = net.params.copy()
    _, grads = net.loss_and_grads(t._X_train, t._y_train)
    g = np.concatenate([np.vstack([dW, db]).ravel() for dW, db in grads])
    g += 0.05 * w0 * net.weight_mask
    assert t.step(1) == 1 and t.epoch == 1
    np.testing.assert_allclose(net.params, w0 - 0.1 * g, rtol=1e-12, atol=1e-15)


def test_clip_norm_limits_the_step(make_trainer):
    t = make_trainer("circle", (4,), optimizer="sgd", learning_rate=0.5, batch_size=250,
                     clip_norm=1e-3)
    w0 = t.net.params.copy()
    t.step(1)
    assert np.linalg.norm(t.net.params - w0) == pytest.approx(0.5 * 1e-3, rel=1e-9)


# ---- determinism -------------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", OPTIMIZERS.names())
def test_same_seed_bit_identical_after_100_steps(optimizer, make_trainer):
    a = make_trainer(optimizer=optimizer, learning_rate=0.01, seed=3)
    b = make_trainer(optimizer=optimizer, learning_rate=0.01, seed=3)
    assert a.step(100) == b.step(100) == 100
    assert np.array_equal(a.net.params, b.net.params)
    assert a.history.since(0) == b.history.since(0)
    c = make_trainer(optimizer=optimizer, learning_rate=0.01, seed=4)
    c.step(100)
    assert not np.array_equal(a.net.params, c.net.params)


def test_reset_restores_initial_weights_and_replays_identically(make_trainer):
    t = make_trainer(optimizer="adam", learning_rate=0.02, seed=5, regularization="l1",
                     reg_rate=0.001)
    initial = t.net.params.copy()
    first_row = t.metrics()
    t.step(137)
    trained = t.net.params.copy()
    assert not np.array_equal(trained, initial)
    t.reset()
    assert np.array_equal(t.net.params, initial)
    assert (t.epoch, t.steps, t.status, len(t.history)) == (0, 0, "ok", 1)
    assert t.metrics() == first_row
    assert t.optimizer.state.get("t", 0) == 0
    t.step(137)                                  # optimizer state and shuffling restart too
    assert np.array_equal(t.net.params, trained)


def test_reset_reseed_draws_new_weights(make_trainer):
    t = make_trainer(seed=5)
    old_seed, old_params = t.seed, t.net.params.copy()
    t.step(30)
    t.reset(reseed=True)
    assert t.seed != old_seed and t.net.seed == t.seed
    assert not np.array_equal(t.net.params, old_params)
    fresh = Network(t.net.layer_sizes, activation="tanh", problem="binary", seed=t.seed)
    assert np.array_equal(t.net.params, fresh.params)          # the new seed's initial weights
    new_initial = t.net.params.copy()
    t.step(30)
    t.reset()                                                   # a plain reset keeps the new seed
    assert np.array_equal(t.net.params, new_initial)


# ---- history -----------------------------------------------------------------------------------


def test_history_rows_per_epoch(make_trainer):
    t = make_trainer(batch_size=25)                  # 250 training rows: 10 minibatches an epoch
    h = t.history.since(0)
    assert h["epoch"] == [0]
    assert set(h) == {"epoch", "train_loss", "test_loss", "reg_loss", "learning_rate",
                      "train_accuracy", "test_accuracy", "grad_norms"}
    assert len(h["grad_norms"][0]) == 3
    assert t.run(4) == 4
    h = t.history.since(0)
    assert h["epoch"] == [0, 1, 2, 3, 4]
    assert len(h["train_loss"]) == len(h["test_accuracy"]) == 5
    assert t.history.since(3)["epoch"] == [3, 4]
    assert t.history.since(3)["train_loss"] == h["train_loss"][3:]
    assert t.history.since(5)["epoch"] == []
    assert t.metrics()["epoch"] == 4 and t.metrics()["train_loss"] == h["train_loss"][-1]
    assert all(0.0 <= a <= 1.0 for a in h["train_accuracy"])


def test_history_regression_fields(make_trainer):
    t = make_trainer("plane", (4,))
    t.run(1)
    h = t.history.since(0)
    assert {"train_rmse", "test_rmse", "train_r2", "test_r2"} <= set(h)
    assert "train_accuracy" not in h
    m = t.metrics()
    pred = t.net.predict(t._X_test)
    assert m["test_rmse"] == pytest.approx(np.sqrt(np.mean((pred - t._y_test) ** 2)), rel=1e-12)


def test_history_values_match_the_network(make_trainer):
    t = make_trainer(optimizer="adam", learning_rate=0.01)
    t.run(2)
    m = t.metrics()
    loss, _ = t.net.loss_and_grads(t._X_test, t._y_test)
    assert m["test_loss"] == pytest.approx(loss, rel=1e-12)
    assert m["train_accuracy"] == np.mean(t.net.predict(t._X_train) == t._y_train)
    assert m["test_accuracy"] == np.mean(t.net.predict(t._X_test) == t._y_test)


def test_epoch_zero_grad_norms_are_of_the_whole_training_set(make_trainer):
    t = make_trainer()
    _, grads = t.net.loss_and_grads(t._X_train, t._y_train)
    expected = [math.sqrt(np.sum(dW ** 2) + np.sum(db ** 2)) for dW, db in grads]
    np.testing.assert_allclose(t.metrics()["grad_norms"], expected, rtol=1e-12)


def test_reg_loss_is_reported_apart_from_the_data_loss(make_trainer):
    t = make_trainer(optimizer="adam", learning_rate=0.01, regularization="l2", reg_rate=0.1)
    t.run(2)
    m = t.metrics()
    data_loss, _ = t.net.loss_and_grads(t._X_train, t._y_train)
    weights = t.net.params * t.net.weight_mask
    penalty = 0.5 * 0.1 * float(weights @ weights)
    assert penalty > 0.05                               # large enough to notice if mixed in
    assert m["train_loss"] == pytest.approx(data_loss, rel=1e-12)
    assert m["reg_loss"] == pytest.approx(penalty, rel=1e-12)
    none = make_trainer()
    assert none.metrics()["reg_loss"] == 0.0


def test_learning_rate_follows_the_schedule(make_trainer):
    t = make_trainer(learning_rate=0.1, schedule="step",
                     schedule_params={"gamma": 0.5, "step_size": 2}, batch_size=50)
    assert t.learning_rate == 0.1
    t.run(5)
    # Epoch e (0-based) trains at schedule(e); the row recorded when it ends carries that rate.
    assert t.history.since(0)["learning_rate"] == [0.1, 0.1, 0.1, 0.05, 0.05, 0.025]
    assert t.learning_rate == 0.025                  # the rate for the next epoch, schedule(5)


# ---- live changes --------------------------------------------------------------------------


def test_set_hyperparams_mid_run_keeps_progress(make_trainer):
    t = make_trainer(optimizer="adam", learning_rate=0.01, batch_size=10)
    t.step(40)                                        # mid-epoch (25 minibatches an epoch)
    epoch, steps, params = t.epoch, t.steps, t.net.params.copy()
    rows = t.history.since(0)
    adam_t = t.optimizer.state["t"]
    t.set_hyperparams(learning_rate=0.03, batch_size=7, regularization="l2", reg_rate=0.01,
                      schedule="exponential", schedule_params={"gamma": 0.9},
                      optimizer_params={"beta1": 0.8}, clip_norm=5.0)
    assert (t.epoch, t.steps) == (epoch, steps)
    assert np.array_equal(t.net.params, params)
    assert t.history.since(0)["epoch"] == rows["epoch"]
    assert t.history.since(0)["train_loss"][:-1] == rows["train_loss"][:-1]
    assert t.optimizer.state["t"] == adam_t            # optimizer state kept
    assert t.hyperparams() == {
        "learning_rate": 0.03, "schedule": "exponential", "schedule_params": {"gamma": 0.9},
        "regularization": "l2", "reg_rate": 0.01, "batch_size": 7, "optimizer": "adam",
        "optimizer_params": {"beta1": 0.8, "beta2": 0.999, "eps": 1e-8}, "clip_norm": 5.0}
    assert t.learning_rate == pytest.approx(0.03 * 0.9 ** epoch)
    assert t.metrics()["reg_loss"] > 0
    assert t.step(20) == 20 and t.status == "ok"
    assert t.steps == steps + 20


def test_switching_optimizer_starts_fresh_state(make_trainer):
    t = make_trainer(optimizer="adam", learning_rate=0.01)
    t.step(10)
    t.set_hyperparams(optimizer="momentum", optimizer_params={"momentum": 0.5})
    assert t.optimizer.name == "momentum" and t.optimizer.hyperparams["momentum"] == 0.5
    assert t.epoch == 0 and t.steps == 10
    t.step(5)
    assert t.status == "ok"


@pytest.mark.parametrize("change, field", [
    (dict(learning_rate=0.0), "learning_rate"),
    (dict(learning_rate=1e3), "learning_rate"),
    (dict(batch_size=0), "batch_size"),
    (dict(batch_size=2.5), "batch_size"),
    (dict(reg_rate=-1.0), "reg_rate"),
    (dict(regularization="dropout"), "regularization"),
    (dict(schedule="cosine"), "schedule"),
    (dict(schedule_params={"gamma": 0.5}), "schedule_params.gamma"),      # constant takes none
    (dict(optimizer="lbfgs"), "optimizer"),
    (dict(optimizer_params={"beta1": 1.5}), "optimizer_params.beta1"),
    (dict(optimizer_params={"momentum": 0.9}), "optimizer_params.momentum"),
    (dict(clip_norm=-1.0), "clip_norm"),
])
def test_bad_change_raises_and_changes_nothing(change, field, make_trainer):
    t = make_trainer(optimizer="adam", learning_rate=0.01)
    t.step(12)
    before = (t.hyperparams(), t.net.params.copy(), t.epoch, t.steps, t.metrics(), t.learning_rate,
              t.optimizer.state["t"])
    # a good value alongside the bad one must not slip through either
    with pytest.raises(ConfigError) as err:
        t.set_hyperparams(learning_rate=0.02, **change) if "learning_rate" not in change \
            else t.set_hyperparams(batch_size=3, **change)
    assert err.value.field == field
    after = (t.hyperparams(), t.net.params.copy(), t.epoch, t.steps, t.metrics(), t.learning_rate,
             t.optimizer.state["t"])
    assert after[0] == before[0]
    assert np.array_equal(after[1], before[1])
    assert after[2:] == before[2:]


def test_bad_constructor_values(split):
    X_train, y_train, X_test, y_test, _ = split("circle")
    net = Network([2, 3, 1], problem="binary")
    for kw, field in [(dict(optimizer="adamw"), "optimizer"),
                      (dict(learning_rate=-0.1), "learning_rate"),
                      (dict(batch_size=0), "batch_size"), (dict(schedule="warmup"), "schedule"),
                      (dict(regularization="l3"), "regularization"),
                      (dict(reg_rate=11), "reg_rate")]:
        with pytest.raises(ConfigError) as err:
            Trainer(net, X_train, y_train, X_test, y_test, **kw)
        assert err.value.field == field
    with pytest.raises(ConfigError) as err:
        Trainer(net, X_train, y_train[:-1], X_test, y_test)
    assert err.value.field == "y_train"
    with pytest.raises(ConfigError) as err:
        Trainer(net, X_train, y_train, X_test, y_test + 2)
    assert err.value.field == "y_test" and err.value.allowed == [0, 1]
    with pytest.raises(ConfigError) as err:
        Trainer(net, X_train[:, :1], y_train)
    assert err.value.field == "X_train"
    with pytest.raises(ConfigError) as err:
        Trainer("net", X_train, y_train)
    assert err.value.field == "network"


def test_set_data_keeps_weights_and_history(make_trainer, split):
    t = make_trainer(optimizer="adam", learning_rate=0.01)
    t.run(2)
    params = t.net.params.copy()
    X_train, y_train, X_test, y_test, _ = split("xor")
    t.set_data(X_train, y_train, X_test, y_test)
    assert np.array_equal(t.net.params, params)
    assert t.epoch == 2 and t.history.since(0)["epoch"] == [0, 1, 2]
    loss, _ = t.net.loss_and_grads(X_train, y_train)
    assert t.metrics()["train_loss"] == pytest.approx(loss, rel=1e-12)   # re-evaluated on new data
    t.run(1)
    assert t.epoch == 3


def test_no_test_set(split):
    X_train, y_train, _, _, _ = split("circle")
    t = Trainer(Network([2, 4, 1], problem="binary"), X_train, y_train)
    t.run(1)
    h = t.history.since(0)
    assert h["test_loss"] == [None, None] and h["test_accuracy"] == [None, None]
    assert math.isnan(t.metrics()["test_loss"])


# ---- divergence --------------------------------------------------------------------------------


@pytest.mark.parametrize("activation, lr", [("relu", 10.0), ("sigmoid", 10.0), ("tanh", 10.0)])
def test_divergence_stops_cleanly(activation, lr, make_trainer):
    # warnings are errors: any overflow warning would fail this test
    t = make_trainer("plane", (8, 8, 8), activation=activation, optimizer="sgd", learning_rate=lr,
                     batch_size=10)
    first = t.metrics()
    done = t.run(50)
    assert t.status == "diverged"
    assert done < 50 and t.epoch == done
    reason = t.status_reason
    assert f"epoch {t.epoch}" in reason and "learning rate" in reason and "reset" in reason
    assert re.match(r"the (loss|weights) (became infinite|became NaN \(not a number\)|grew "
                    r"beyond what can be drawn \(> 3\.4e38\)) at epoch", reason), reason
    h = t.history.since(0)
    assert h["epoch"] == list(range(t.epoch + 1))
    assert h["train_loss"][0] == first["train_loss"]          # the history before it is kept
    assert all(v is not None and math.isfinite(v) for v in h["train_loss"][:-1])
    if reason.startswith("the loss"):
        assert h["train_loss"][-1] is None                     # non-finite shown as None (JSON)
    else:
        assert not np.all(np.abs(t.net.params) <= 3.4028234e38)
    json.dumps(h, allow_nan=False)
    steps = t.steps
    assert t.step(10) == 0 and t.run(3) == 0 and t.steps == steps
    t.set_hyperparams(learning_rate=0.01)                      # still no exception
    assert t.status == "diverged"
    t.reset()
    assert t.status == "ok" and t.status_reason is None
    assert t.metrics() == {**first, "learning_rate": 0.01}
    assert t.run(3) == 3 and t.status == "ok"


def test_diverged_state_saves_as_json(make_trainer):
    t = make_trainer("plane", (8, 8, 8), activation="relu", learning_rate=10.0)
    t.run(10)
    assert t.status == "diverged"
    text = json.dumps(t.state_dict(), allow_nan=False)
    back = Trainer.from_state_dict(json.loads(text))
    assert back.status == "diverged" and back.status_reason == t.status_reason
    assert back.step(5) == 0
    assert back.net.params.tobytes() == t.net.params.tobytes()


# ---- save and resume ---------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "momentum"])
@pytest.mark.parametrize("first", [7, 25, 60])          # mid-epoch, at an epoch boundary, later
def test_state_dict_resume_is_bit_identical(optimizer, first, make_trainer):
    kw = dict(optimizer=optimizer, learning_rate=0.02, batch_size=10, regularization="l2",
              reg_rate=0.001, schedule="inverse_time", schedule_params={"decay": 0.1}, seed=2)
    straight = make_trainer(**kw)
    straight.step(first + 90)
    interrupted = make_trainer(**kw)
    interrupted.step(first)
    text = json.dumps(interrupted.state_dict(), allow_nan=False)
    resumed = Trainer.from_state_dict(json.loads(text))
    assert (resumed.epoch, resumed.steps) == (interrupted.epoch, interrupted.steps)
    assert resumed.history.since(0) == interrupted.history.since(0)
    resumed.step(90)
    assert resumed.net.params.tobytes() == straight.net.params.tobytes()
    assert (resumed.epoch, resumed.steps) == (straight.epoch, straight.steps)
    assert resumed.history.since(0) == straight.history.since(0)
    assert resumed.hyperparams() == straight.hyperparams()
    # and reset() on the resumed trainer goes back to the original initial weights
    resumed.reset()
    fresh = make_trainer(**kw)
    assert np.array_equal(resumed.net.params, fresh.net.params)


def test_from_state_dict_rejects_garbage(make_trainer):
    for bad in [None, {}, {"format": "nn_core.trainer/0"}]:
        with pytest.raises(ConfigError):
            Trainer.from_state_dict(bad)
    state = make_trainer().state_dict()
    del state["rng"]
    with pytest.raises(ConfigError) as err:
        Trainer.from_state_dict(state)
    assert err.value.field == "trainer"


# ---- partial epochs and time limits ------------------------------------------------------------


def test_partial_epochs_count_batches(make_trainer):
    t = make_trainer(batch_size=10)          # 250 training rows: 25 minibatches an epoch
    assert t.step(batches=7) == 7
    assert (t.epoch, t.steps) == (0, 7) and len(t.history) == 1
    assert t.step(batches=17) == 17
    assert (t.epoch, t.steps) == (0, 24)
    assert t.step(batches=1) == 1
    assert (t.epoch, t.steps) == (1, 25) and t.history.since(0)["epoch"] == [0, 1]
    assert t.step(batches=30) == 30
    assert (t.epoch, t.steps) == (2, 55)
    assert t.run(epochs=1) == 1                          # finishes the current epoch (20 left)
    assert (t.epoch, t.steps) == (3, 75)
    assert t.step(0) == 0 and t.run(0) == 0


def test_last_batch_may_be_short(make_trainer):
    t = make_trainer(batch_size=40)          # 250 rows: 6 × 40 + 10
    assert t.step(6) == 6 and t.epoch == 0
    assert t.step(1) == 1 and t.epoch == 1
    assert t.run(2) == 2 and t.steps == 21


def test_time_limit_stops_early(make_trainer, monkeypatch):
    # A fake clock that advances 1/128 s (exact in binary) each time the trainer reads it: the
    # test counts minibatches against the budget and never depends on how fast this machine is.
    import nn_core.trainer as trainer_module

    now = [0.0]

    def clock():
        now[0] += 1 / 128
        return now[0]

    monkeypatch.setattr(trainer_module, "time", SimpleNamespace(perf_counter=clock))
    t = make_trainer(batch_size=10)          # 250 training rows: 25 minibatches an epoch
    # A zero budget still does one minibatch, then stops.
    assert t.step(batches=10**6, time_limit=0.0) == 1
    assert t.run(epochs=10**6, time_limit=0.0) == 0 and t.steps == 2
    # The deadline is read once, then the clock once after each minibatch: 5/128 s is 5 of them.
    assert t.step(batches=10**6, time_limit=5 / 128) == 5 and t.steps == 7
    # 50 minibatches: 18 finish epoch 1, 25 make epoch 2, 7 start epoch 3
    assert t.run(epochs=10**6, time_limit=50 / 128) == 2 and t.steps == 57
    assert t.status == "ok" and t.history.since(0)["epoch"][-1] == t.epoch == 2
    with pytest.raises(ConfigError) as err:
        t.step(1, time_limit=-1)
    assert err.value.field == "time_limit"


def test_last_grads_are_of_the_last_minibatch(make_trainer):
    t = make_trainer(batch_size=250, optimizer="sgd")
    w0 = t.net.params.copy()
    _, expected = t.net.loss_and_grads(t._X_train, t._y_train)
    t.net.params[:] = w0
    t.step(1)                         # one full-batch step: the gradient at w0
    for (dW, db), (eW, eb) in zip(t.last_grads, expected):
        np.testing.assert_allclose(dW, eW, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(db, eb, rtol=1e-10, atol=1e-14)


# ---- sparse evaluation and re-measuring ----------------------------------------------------------


def test_eval_every_records_every_kth_epoch_and_still_catches_divergence(make_trainer):
    t = make_trainer(batch_size=50, eval_every=3)
    t.run(7)
    assert t.history.since(0)["epoch"] == [0, 3, 6]
    quiet = make_trainer(batch_size=50, eval_every=0)
    reference = make_trainer(batch_size=50)
    quiet.run(4)
    reference.run(4)
    assert quiet.history.since(0)["epoch"] == [0]
    assert np.array_equal(quiet.net.params, reference.net.params)   # evaluation changes nothing
    wild = make_trainer("plane", (8, 8, 8), activation="relu", learning_rate=10.0, eval_every=0)
    wild.run(20)
    assert wild.status == "diverged" and wild.epoch < 20
    with pytest.raises(ConfigError) as err:
        make_trainer(eval_every=-1)
    assert err.value.field == "eval_every"


def test_resume_keeps_eval_every(make_trainer):
    kw = dict(batch_size=50, eval_every=2, optimizer="adam", learning_rate=0.01)
    straight = make_trainer(**kw)
    straight.run(7)
    interrupted = make_trainer(**kw)
    interrupted.run(3)
    resumed = Trainer.from_state_dict(json.loads(json.dumps(interrupted.state_dict())))
    resumed.run(4)
    assert resumed.net.params.tobytes() == straight.net.params.tobytes()
    assert resumed.history.since(0) == straight.history.since(0)


def test_refresh_after_an_edited_weight_remeasures_the_current_epoch(make_trainer):
    t = make_trainer(optimizer="adam", learning_rate=0.01)
    t.run(2)
    before = t.metrics()
    t.net.set_weight(0, 0, 0, 5.0)
    t.refresh()
    h = t.history.since(0)
    assert h["epoch"] == [0, 1, 2]                       # re-measured, not repeated
    loss, _ = t.net.loss_and_grads(t._X_train, t._y_train)
    assert h["train_loss"][-1] == pytest.approx(loss, rel=1e-12) != before["train_loss"]
    assert t.metrics()["train_loss"] == h["train_loss"][-1]


# ---- L1 gives exact zeros ------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.1), ("momentum", 0.03), ("nesterov", 0.03),
                                           ("adagrad", 0.1), ("rmsprop", 0.01), ("adam", 0.01)])
def test_strong_l1_trains_a_sparse_network_with_exact_zeros(optimizer, lr, make_trainer):
    t = make_trainer(optimizer=optimizer, learning_rate=lr, regularization="l1", reg_rate=0.01)
    t.run(100)
    net = t.net
    weights = net.params[net.weight_mask == 1.0]
    zeros = int(np.count_nonzero(weights == 0.0))
    assert zeros >= 20, f"{zeros} of {weights.size} weights are exactly zero"
    assert not np.signbit(weights[weights == 0.0]).any()          # +0.0, never −0.0
    assert t.metrics()["test_accuracy"] >= 0.95                   # sparse, and still right
    assert t.metrics()["reg_loss"] == pytest.approx(0.01 * np.abs(weights).sum(), rel=1e-12)


@pytest.mark.parametrize("regularization", ["none", "l2"])
def test_without_l1_no_weight_lands_on_zero(regularization, make_trainer):
    t = make_trainer(optimizer="adam", learning_rate=0.01, regularization=regularization,
                     reg_rate=0.01)
    t.run(100)
    assert np.count_nonzero(t.net.params[t.net.weight_mask == 1.0] == 0.0) == 0


def test_l1_with_sgd_is_tf_playgrounds_rule_a_weight_crossing_zero_stops_at_zero(make_trainer):
    # One full-batch step: u = w − α·g (data gradient), then w ← u − α·λ·sign(u) on weights,
    # except that a weight the penalty carries across zero stops at exactly 0.
    lr, rate = 0.5, 0.2
    t = make_trainer(optimizer="sgd", learning_rate=lr, batch_size=250, regularization="l1",
                     reg_rate=rate)
    net = t.net
    w0, mask = net.params.copy(), net.weight_mask == 1.0
    net.loss_and_grads(t._X_train, t._y_train)
    u = w0 - lr * net.grads
    expected = np.where(mask, u - lr * rate * np.sign(u), u)
    expected[mask & (np.sign(expected) != np.sign(u))] = 0.0
    assert t.step(1) == 1
    np.testing.assert_allclose(net.params, expected, rtol=1e-12, atol=1e-15)
    assert 0 < np.count_nonzero(net.params[mask] == 0.0) < mask.sum()


def test_l1_reported_loss_is_the_objective_the_steps_descend(make_trainer):
    # Full-batch SGD with L1 is proximal gradient descent on data loss + λ·Σ|w|: at a small
    # learning rate that sum, as the history reports it, never goes up.
    t = make_trainer(optimizer="sgd", learning_rate=0.1, batch_size=250, regularization="l1",
                     reg_rate=0.01)
    t.run(300)
    h = t.history.since(0)
    total = np.array(h["train_loss"]) + np.array(h["reg_loss"])
    assert np.all(np.diff(total) <= 1e-12)
    assert total[-1] < 0.6 * total[0]
    weights = t.net.params[t.net.weight_mask == 1.0]
    assert h["reg_loss"][-1] == pytest.approx(0.01 * np.abs(weights).sum(), rel=1e-12)
    assert np.count_nonzero(weights == 0.0) >= 10


# ---- weights beyond float32 ----------------------------------------------------------------------


def test_weights_beyond_float32_stop_training_with_a_reason():
    # One linear neuron fitting y = 0 at x = 1 from w = b = 1e38: the loss (w + b)² is finite in
    # float64, but one SGD step at α = 3 sends w and b past 3.4e38, which no snapshot can carry.
    net = Network([1, 1], problem="regression", seed=0)
    t = Trainer(net, np.array([[1.0]]), np.array([0.0]), optimizer="sgd", learning_rate=3.0,
                batch_size=1)
    net.params[:] = 1e38
    t.refresh()
    assert t.status == "ok"                                 # 1e38 is still drawable
    assert t.run(5) == 1 and t.status == "diverged"
    assert np.isfinite(net.params).all() and np.abs(net.params).max() > 3.4e38
    assert t.status_reason.startswith(
        "the weights grew beyond what can be drawn (> 3.4e38) at epoch 1: ")
    assert "learning rate (now 3)" in t.status_reason and "reset" in t.status_reason
    assert t.step(3) == 0                                   # a diverged trainer does no more work
    t.reset()
    assert t.status == "ok" and t.status_reason is None


def test_an_edited_weight_beyond_float32_is_reported_on_refresh():
    net = Network([2, 3, 1], problem="binary", seed=0)
    t = Trainer(net, np.zeros((4, 2)), np.array([0, 1, 0, 1]), eval_every=0)
    net.params[0] = -4e38
    t.refresh()
    assert t.status == "diverged" and "beyond what can be drawn (> 3.4e38) at epoch 0" in \
        t.status_reason


@pytest.mark.parametrize("value, words", [(np.inf, "became infinite"),
                                          (np.nan, "became NaN (not a number)")])
def test_non_finite_weights_are_named_as_such(value, words):
    net = Network([2, 3, 1], problem="regression", seed=0)
    t = Trainer(net, np.zeros((4, 2)), np.zeros(4), eval_every=0)
    net.params[2] = value
    t.refresh()
    assert t.status == "diverged" and words in t.status_reason


# ---- the engine owns its state: divergence and restarts ------------------------------------
def test_mark_diverged_says_why_once_and_reset_clears_it():
    net = Network([2, 3, 1], problem="binary", seed=0)
    t = Trainer(net, np.zeros((4, 2)), np.array([0, 1, 0, 1]), learning_rate=0.5)
    t.mark_diverged("network's outputs", np.array([1.0, np.inf]))
    assert t.status == "diverged"
    assert t.status_reason.startswith("the network's outputs became infinite at epoch 0: ")
    assert "learning rate (now 0.5)" in t.status_reason and "float32" in t.status_reason
    first = t.status_reason
    t.mark_diverged("weights", np.array([np.nan]))        # the first reason stays
    assert t.status_reason == first
    t.reset()
    assert t.status == "ok" and t.status_reason is None


def test_check_drawable_catches_gradients_beyond_float32():
    net = Network([2, 3, 1], problem="binary", seed=0)
    t = Trainer(net, np.zeros((4, 2)), np.array([0, 1, 0, 1]))
    assert t.check_drawable()
    net.grads[3] = -1e39
    assert not t.check_drawable()
    assert t.status_reason.startswith("the gradients grew beyond what can be drawn (> 3.4e38)")


def test_restart_from_given_weights_is_a_reset_to_them():
    net = Network([2, 4, 1], problem="binary", seed=0)
    X, y = np.random.default_rng(0).normal(size=(20, 2)), np.arange(20) % 2
    t = Trainer(net, X, y, optimizer="adam")
    t.run(3)
    start = np.linspace(-1, 1, net.n_params)
    t.restart_from(start)
    assert t.epoch == 0 and t.optimizer.state == {} and np.array_equal(net.params, start)
    t.run(2)
    t.reset()                                              # reset returns to them again
    assert np.array_equal(net.params, start)
    with pytest.raises(ConfigError) as err:
        t.restart_from(np.zeros(3))
    assert err.value.field == "initial_params"



def test_a_bounded_history_thins_at_its_new_capacity():
    from nn_core.history import History

    history = History(["train_loss"], capacity=100)
    history.bound(1000)                                    # never raises a limit
    assert history.capacity == 100
    history.bound(4)
    for epoch in range(9):
        history.append({"epoch": epoch, "train_loss": float(epoch), "grad_norms": [1.0]})
    kept = history.since(0)["epoch"]
    assert len(history) < 4 and kept[0] == 0 and history.stride == 4   # 0, 4, 8 kept
