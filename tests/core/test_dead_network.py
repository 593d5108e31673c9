"""A dead network (no gradient reaching the weights) is found, explained and cleared: a hidden
layer silent on every training row, all-zero weights, and never a healthy run."""

import numpy as np
import pytest

from nn_core import ACTIVATIONS, Trainer, evaluation
from nn_core.dead_network import PATIENCE
from nn_core.network import Network

from .conftest import build_trainer, split_dataset


def silenced(activation="relu", layer=1, **trainer_kw):
    """A moons trainer (2-4-3-1) whose hidden layer `layer` gets W = 0 and b = −1: every one of
    its units sees z = −1 on every row."""
    t = build_trainer("moons", (4, 3), activation=activation, seed=3, **trainer_kw)
    t.net.layers[layer].W[...] = 0.0
    t.net.layers[layer].b[...] = -1.0
    t.initial_params = t.net.params.copy()
    t.reset()
    return t


def hint_epochs(t, epochs):
    """The epochs (after each run(1)) at which the trainer had a hint."""
    found = []
    for _ in range(epochs):
        t.run(1)
        if t.hints:
            found.append(t.epoch)
    return found


def test_a_silent_relu_layer_is_reported_after_patience_epochs_with_its_fixes():
    t = silenced()
    assert t.hints == []
    assert hint_epochs(t, PATIENCE + 3) == list(range(PATIENCE, PATIENCE + 4))
    (hint,) = t.hints
    assert hint["cause"] == "silent_layer" and hint["layers"] == [1] and hint["since"] == 0
    assert "hidden layer 2 (ReLU)" in hint["message"]
    assert [f["field"] for f in hint["fixes"]] == ["activation", "seed"]   # dead from the start
    assert hint["fixes"][0]["value"] == "leaky_relu"
    # every weight is where it started; only the output's bias learned (the class balance)
    mask = t.net.weight_mask > 0
    assert np.array_equal(t.net.params[mask], t.initial_params[mask])
    assert t.net.layers[-1].b[0] != t.initial_params[-1]


def test_a_healthy_run_never_gets_a_hint():
    t = build_trainer("moons", (4, 2), activation="relu", seed=1)
    assert hint_epochs(t, 30) == []
    assert t.metrics()["train_loss"] < 0.45   # it did learn


def test_the_count_starts_again_after_reset_and_after_an_edited_weight():
    t = silenced()
    hint_epochs(t, PATIENCE)
    assert t.hints
    t.net.layers[1].b[...] = 0.5       # the learner revives the layer by hand
    t.refresh()
    assert t.hints == []
    assert hint_epochs(t, PATIENCE + 2) == []
    t = silenced()
    hint_epochs(t, PATIENCE)
    t.reset()
    assert t.hints == []


def test_all_zero_weights_are_no_gradient_and_suggest_another_initializer():
    X_train, y_train, X_test, y_test, _ = split_dataset("moons")
    net = Network([2, 4, 2, 1], activation="tanh", init="zeros", problem="binary")
    t = Trainer(net, X_train, y_train, X_test, y_test)
    assert hint_epochs(t, PATIENCE + 1) == [PATIENCE, PATIENCE + 1]
    (hint,) = t.hints
    assert hint["cause"] == "no_gradient" and hint["layers"] == []
    assert "every weight is 0" in hint["message"]
    assert hint["fixes"][0] == {"field": "init", "value": "xavier_uniform",
                                "text": hint["fixes"][0]["text"]}
    assert not np.any(net.params[net.weight_mask > 0])   # and indeed nothing moved


def test_l1_shrinking_a_dead_networks_weights_is_blamed_on_the_dead_network():
    t = silenced(optimizer="adam", learning_rate=0.03, regularization="l1", reg_rate=0.03)
    hint_epochs(t, 200)
    assert not np.any(t.net.params[t.net.weight_mask > 0])    # L1 left no weight
    (hint,) = t.hints
    assert "the dead network, not the penalty" in hint["message"]


def test_a_layer_that_dies_while_training_also_suggests_a_smaller_learning_rate():
    t = build_trainer("moons", (4, 3), activation="relu", seed=3, learning_rate=0.1)
    hint_epochs(t, 3)
    assert t.hints == []
    t.net.layers[1].W[...] = 0.0
    t.net.layers[1].b[...] = -1.0        # as a too-large step would leave it: mid-run
    hint_epochs(t, PATIENCE + 1)
    (hint,) = t.hints
    assert hint["since"] == 4 and "for the last" in hint["message"]   # the first epoch it showed
    lr = hint["fixes"][-1]
    assert lr["field"] == "learning_rate" and lr["value"] == 0.03


def test_the_check_leaves_the_newest_gradient_as_it_was():
    """Measuring ‖∂L/∂W‖ over the training set must not replace the gradient the weights panel
    shows (`last_grads`: the last minibatch's)."""
    X_train, y_train, X_test, y_test, _ = split_dataset("moons")
    net = Network([2, 3, 1], activation="tanh", init="zeros", problem="binary")
    t = Trainer(net, X_train, y_train, X_test, y_test, batch_size=7)
    t.run(1)
    before = [(dW.copy(), db.copy()) for dW, db in t.last_grads]
    t._record(evaluation.grad_norms(t.net))   # a recorded epoch that measures again (the gradient is 0)
    assert all(np.array_equal(a, c) and np.array_equal(b, d)
               for (a, b), (c, d) in zip(before, t.last_grads))


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS if n != "softmax"])
def test_silent_below_says_where_an_activation_passes_nothing(name):
    """z ≤ silent_below gives f(z) = 0 and f'(z) = 0; an activation without it has some slope or
    output at every z ≤ 0 (so a layer of it can never be silent)."""
    act = ACTIVATIONS.get(name)()
    z = -np.linspace(0.0, 20.0, 201)
    if act.silent_below is None:
        alive = (np.abs(act.derivative(z)) > 0) | (np.abs(act.forward(z.copy())) > 0)
        assert alive.any()
        assert not ((act.derivative(z) == 0) & (act.forward(z.copy()) == 0)).all()
    else:
        below = z[z <= act.silent_below]
        assert np.all(act.forward(below.copy()) == 0) and np.all(act.derivative(below) == 0)
