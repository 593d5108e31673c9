"""The trainer's trajectory: the weights at every recorded epoch (float32), thinned like the
history so memory stays bounded, cleared by reset, exact through state_dict, and older saved
states (without one) still load."""

import json

import numpy as np
import pytest

from nn_core import ConfigError, Network, Trainer, make_dataset, train_test_split
from nn_core.trajectory import MAX_ROWS, MAX_VALUES, MIN_ROWS, Trajectory


def trainer(**kw):
    data = make_dataset("circle", n_points=100, noise=0.1, seed=0)
    X, y, Xt, yt = train_test_split(data.points, data.labels, 0.5, seed=0)
    net = Network([2, 4, 1], activation="tanh", problem="binary", seed=kw.pop("seed", 0))
    return Trainer(net, X, y, Xt, yt, **kw)


def test_the_trainer_records_its_weights_at_every_recorded_epoch():
    t = trainer(optimizer="adam", learning_rate=0.05)
    assert t.trajectory.epochs == [0]
    np.testing.assert_array_equal(t.trajectory.params[0], t.initial_params.astype(np.float32))
    seen = [t.net.params.copy()]
    for _ in range(3):
        t.run(1)
        seen.append(t.net.params.copy())
    assert t.trajectory.epochs == [0, 1, 2, 3]
    np.testing.assert_array_equal(t.trajectory.params, np.array(seen).astype(np.float32))
    assert t.trajectory.params.dtype == np.float64
    t.step(batches=2)                                 # mid-epoch: nothing recorded
    assert t.trajectory.epochs == [0, 1, 2, 3]
    every_other = trainer(eval_every=2)
    every_other.run(5)
    assert every_other.trajectory.epochs == [0, 2, 4]


def test_reset_clears_the_trajectory():
    t = trainer()
    t.run(4)
    t.reset()
    assert t.trajectory.epochs == [0]
    np.testing.assert_array_equal(t.trajectory.params[0], t.initial_params.astype(np.float32))
    t.run(2)
    t.reset(reseed=True)
    assert t.trajectory.epochs == [0]
    np.testing.assert_array_equal(t.trajectory.params[0], t.initial_params.astype(np.float32))


def test_memory_is_bounded_and_the_path_keeps_its_shape():
    path = Trajectory(n_params=3, max_rows=8)
    for epoch in range(1000):
        path.append(epoch, np.full(3, float(epoch)))
    assert len(path) < 8
    stride = path.stride
    assert stride > 1 and all(e % stride == 0 for e in path.epochs)
    assert path.epochs[0] == 0 and path.epochs == sorted(path.epochs)
    assert path.epochs[-1] > 1000 - 2 * stride                   # reaches the recent past
    np.testing.assert_array_equal(path.params[:, 0], path.epochs)
    # capacity counts numbers: a big network keeps fewer vectors
    assert Trajectory(29).capacity == MAX_ROWS
    assert Trajectory(4000).capacity == MAX_VALUES // 4000
    assert Trajectory(30000).capacity == MIN_ROWS


def test_diverged_weights_are_not_recorded_and_a_remeasured_epoch_replaces_its_row():
    path = Trajectory(2)
    path.append(0, [1.0, 2.0])
    path.append(1, [np.nan, 0.0])
    path.append(2, [np.inf, 0.0])
    path.append(3, [1.0, 2.0, 3.0])                  # wrong size: ignored
    assert path.epochs == [0]
    path.append(0, [5.0, 6.0])
    assert path.epochs == [0] and path.params.tolist() == [[5.0, 6.0]]


def test_state_dict_round_trip_and_continuing_gives_the_same_trajectory():
    t = trainer(optimizer="momentum", learning_rate=0.1)
    t.run(7)
    state = json.loads(json.dumps(t.state_dict()))
    again = Trainer.from_state_dict(state)
    assert again.trajectory.epochs == t.trajectory.epochs
    np.testing.assert_array_equal(again.trajectory.params, t.trajectory.params)
    assert again.trajectory.stride == t.trajectory.stride
    t.run(3)
    again.run(3)
    assert again.trajectory.epochs == t.trajectory.epochs == list(range(11))
    np.testing.assert_array_equal(again.trajectory.params, t.trajectory.params)


def test_an_older_saved_state_without_a_trajectory_still_loads():
    t = trainer()
    t.run(5)
    state = t.state_dict()
    del state["trajectory"]
    again = Trainer.from_state_dict(state)
    assert again.trajectory.epochs == [5]
    np.testing.assert_array_equal(again.trajectory.params[0], t.net.params.astype(np.float32))
    again.run(1)
    assert again.trajectory.epochs == [5, 6]


@pytest.mark.parametrize("change", [
    lambda d: d.pop("params"),
    lambda d: d.update(epochs=[0, 1, 2]),
    lambda d: d.update(epochs=[3, 1]),
    lambda d: d.update(stride=0),
    lambda d: d.update(params={"dtype": "float32", "shape": [2, 3], "data": "AAAA"}),
])
def test_a_bad_saved_trajectory_is_refused(change):
    t = trainer()
    t.run(1)
    state = t.state_dict()
    change(state["trajectory"])
    with pytest.raises(ConfigError) as exc:
        Trainer.from_state_dict(state)
    assert exc.value.field.startswith("trajectory")


def test_the_path_ends_exactly_at_the_current_weights():
    path = Trajectory(2)
    path.append(0, [1.0, 2.0])
    path.append(1, [1.5, 2.5])
    current = np.array([0.1 + 0.2, 1 / 3])                    # not float32-representable
    epochs, rows = path.path(2, current)                      # mid-epoch, or after an edit
    assert epochs == [0, 1, 2] and rows.dtype == np.float64
    assert np.array_equal(rows[-1], current) and rows[:2].tolist() == [[1.0, 2.0], [1.5, 2.5]]
    epochs, rows = path.path(1, current)                      # an edited weight at epoch 1
    assert epochs == [0, 1] and np.array_equal(rows[-1], current)
    epochs, rows = path.path(3, [np.nan, 0.0])                # diverged: the recorded path only
    assert epochs == [0, 1] and rows.tolist() == [[1.0, 2.0], [1.5, 2.5]]
    assert path.epochs == [0, 1]                              # the record itself is unchanged
