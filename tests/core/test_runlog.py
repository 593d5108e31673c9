"""The run log: every change between minibatches is logged where it happened, and a trainer
built like the run's start replays it to bit-identical weights (nn_core/runlog.py)."""

import json

import numpy as np
import pytest

from nn_core import ConfigError, Network, Trainer, make_dataset, train_test_split, transform
from nn_core.runlog import ENTRY_COST, RunLog, describe, replay


def build(dataset="circle", hidden=(4, 2), problem="binary", n_classes=None, seed=3, **hyper):
    data = make_dataset(dataset, n_points=200, noise=0.1, seed=1, n_classes=n_classes)
    X_tr, y_tr, X_te, y_te = train_test_split(data.points, data.labels, 0.5, seed=1)
    outputs = n_classes if problem == "multiclass" else 1
    net = Network([2, *hidden, outputs], activation="tanh", problem=problem, seed=seed)
    hyper = {"learning_rate": 0.03, "batch_size": 10, **hyper}
    return Trainer(net, transform(X_tr, ["x1", "x2"]), y_tr, transform(X_te, ["x1", "x2"]), y_te,
                   **hyper)


def a_run_with_every_kind_of_change(t):
    """Two learning-rate changes, an optimizer change mid-epoch, a typed weight, weights set
    from outside, a point added, new data, a batch size change: each between minibatches."""
    t.run(3)
    t.step(4)                                             # mid-epoch
    t.set_hyperparams(learning_rate=0.1)
    t.step(7)
    t.set_hyperparams(optimizer="adam", optimizer_params={"beta1": 0.8})
    t.set_weight(0, 1, 2, 0.5)
    t.run(2)
    t.set_hyperparams(learning_rate=0.01, batch_size=7)
    X_train, y_train, X_test, y_test = t.data()
    t.set_data(np.vstack([X_train, [[1.0, 2.0]]]), np.append(y_train, 1), X_test, y_test)
    t.step(5)
    t.net.params[3] += 0.1                                # an applied trace edits the network,
    t.refresh()                                           # then asks the trainer to re-measure
    t.run(1)
    t.set_data(X_train[::-1], y_train[::-1], X_test, y_test)
    t.set_hyperparams(regularization="l2", reg_rate=0.01, clip_norm=1.0)
    t.run(2)
    t.step(3)
    return t


def test_a_replay_of_the_log_gives_the_same_weights_and_losses_bit_for_bit():
    original = a_run_with_every_kind_of_change(build())
    kinds = [next(k for k in ("hyperparams", "weight", "params", "data", "append") if k in e)
             for e in original.log.entries]
    assert kinds == ["hyperparams", "hyperparams", "weight", "hyperparams", "append", "params",
                     "data", "hyperparams"]
    state = json.loads(json.dumps(original.state_dict()))   # as a model export carries it
    copy = build()
    replay(copy, RunLog.from_dict(state["log"], copy), steps=original.steps)
    assert np.array_equal(copy.net.params, original.net.params)
    assert copy.metrics()["train_loss"] == original.metrics()["train_loss"]
    assert (copy.epoch, copy.steps) == (original.epoch, original.steps)
    assert copy.hyperparams() == original.hyperparams()
    # and the replayed trainer logged the same changes again
    assert [describe(e) for e in copy.log.entries] == [describe(e) for e in original.log.entries]


def test_entries_record_the_step_and_epoch_they_came_before():
    t = build(batch_size=10)             # 100 training rows: 10 minibatches an epoch
    t.run(2)
    t.step(3)
    t.set_hyperparams(learning_rate=0.2)
    t.set_weight(1, 4, 0, -0.25)         # layer 1 has 4 inputs: row 4 is its bias
    assert t.log.entries == [
        {"step": 23, "epoch": 2, "hyperparams": {"learning_rate": 0.2}},
        {"step": 23, "epoch": 2, "weight": [1, 4, 0, -0.25]},
    ]
    assert t.net.layers[1].b[0] == -0.25
    assert describe(t.log.entries[1]) == "weight 4→0 of layer 2 set to -0.25"


def test_added_rows_are_logged_alone_and_new_data_whole():
    t = build()
    X_train, y_train, X_test, y_test = t.data()
    t.set_data(X_train, y_train, np.vstack([X_test, [[0.5, 0.5], [1.0, 1.0]]]),
               np.append(y_test, [0, 1]))
    entry = t.log.entries[-1]["append"]
    assert set(entry) == {"X_test", "y_test"} and entry["X_test"].tolist() == [[0.5, 0.5], [1, 1]]
    t.set_data(X_train[1:], y_train[1:], X_test, y_test)      # a point removed
    assert set(t.log.entries[-1]["data"]) == {"X_train", "y_train", "X_test", "y_test"}


def test_a_reset_starts_the_log_again():
    t = build()
    t.run(1)
    t.set_hyperparams(learning_rate=0.5)
    t.reset()
    assert t.log.entries == [] and t.log.start["step"] == 0
    assert t.log.start["hyperparams"]["learning_rate"] == 0.5   # the run restarts at 0.5


def test_replay_refuses_a_trainer_that_does_not_start_where_the_run_did():
    original = build()
    original.run(1)
    original.set_hyperparams(learning_rate=0.1)
    for other, word in ((build(learning_rate=0.05), "hyperparameters"),
                        (build(seed=4), "seed"), (build(dataset="xor"), "data")):
        with pytest.raises(ConfigError, match=word):
            replay(other, original.log)
    moved = build()
    moved.step(1)
    with pytest.raises(ConfigError, match="minibatches trained"):
        replay(moved, original.log)
    edited = build()
    edited.net.params[0] += 1e-12          # one weight off by one rounding: refused
    with pytest.raises(ConfigError, match="weights"):
        replay(edited, original.log)


def test_a_log_past_its_capacity_starts_from_a_checkpoint_and_still_replays_exactly():
    t = build()
    t.log.capacity = 4 * ENTRY_COST
    for i in range(10):
        t.set_hyperparams(learning_rate=0.01 + i / 100)
        t.step(3)
        assert t.log.size(t) <= t.log.capacity
    start = t.log.start
    assert "state" in start and start["step"] > 0 and len(t.log.entries) < 4
    state = json.loads(json.dumps(t.state_dict()))
    t.run(2)
    again = Trainer.from_state_dict(state["log"]["start"]["state"])
    replay(again, RunLog.from_dict(state["log"], again), steps=state["steps"])
    again.run(2)
    assert np.array_equal(again.net.params, t.net.params)
    assert again.metrics()["train_loss"] == t.metrics()["train_loss"]


def test_a_state_saved_without_a_log_loads_with_a_checkpoint_start():
    t = a_run_with_every_kind_of_change(build())
    state = json.loads(json.dumps(t.state_dict()))
    del state["log"]                                     # an export from before the log
    loaded = Trainer.from_state_dict(state)
    assert loaded.log.entries == [] and loaded.log.start["step"] == t.steps
    loaded.set_hyperparams(learning_rate=0.2)
    loaded.run(1)
    t.set_hyperparams(learning_rate=0.2)
    t.run(1)
    saved = json.loads(json.dumps(loaded.state_dict()))
    again = Trainer.from_state_dict(saved["log"]["start"]["state"])
    replay(again, RunLog.from_dict(saved["log"], again), steps=saved["steps"])
    assert np.array_equal(again.net.params, t.net.params)


def test_a_stop_from_outside_training_is_replayed_at_its_step():
    t = build(learning_rate=0.01)
    t.step(2)
    t.net.grads[3] = -1e39              # what a step left beyond float32: the app's check stops it
    assert not t.check_drawable()
    assert t.log.entries[-1] == {"step": 2, "epoch": 0, "stop": "gradients"}
    copy = build(learning_rate=0.01)
    replay(copy, t.log, steps=t.steps + 5)
    assert copy.status == "diverged" and copy.steps == 2


def test_weights_set_beyond_float32_stop_the_replay_as_they_stopped_the_run():
    t = build(learning_rate=0.01)
    t.step(2)
    t.net.params[0] = 1e39
    t.refresh()
    assert t.status == "diverged"
    copy = build(learning_rate=0.01)
    replay(copy, t.log, steps=t.steps)
    assert (copy.status, copy.status_reason) == (t.status, t.status_reason)


def test_set_params_checks_its_shape_and_logs_the_values():
    t = build()
    with pytest.raises(ConfigError, match="params"):
        t.set_params(np.zeros(3))
    theta = np.linspace(-1, 1, t.net.n_params)
    t.set_params(theta)
    assert np.array_equal(t.log.entries[-1]["params"], theta)
    assert np.array_equal(t.net.params, theta)


@pytest.mark.parametrize("bad, field", [
    ({"format": "other"}, "log"),
    ({"format": "nn_core.runlog/1", "capacity": 10}, "log"),
])
def test_a_malformed_log_is_refused_naming_the_log(bad, field):
    with pytest.raises(ConfigError) as error:
        RunLog.from_dict(bad, build())
    assert error.value.field == field


def test_a_log_entry_with_two_changes_is_refused():
    t = build()
    t.set_hyperparams(learning_rate=0.2)
    saved = t.log.to_dict(t)
    saved["entries"][0]["weight"] = [0, 0, 0, 1.0]
    with pytest.raises(ConfigError) as error:
        RunLog.from_dict(saved, t)
    assert error.value.field == "log.entries[0]"
