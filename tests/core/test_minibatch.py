"""The next minibatch step, shown before it is taken (`Trainer.preview_step`,
`minibatch.trace_batch`): for every optimizer, with and without clipping, L1, L2 and a schedule,
the step it shows is the step `step(batches=1)` takes, bit for bit (weights and optimizer
state), `update_W` is exactly the weight change, and showing it changes nothing."""

import numpy as np
import pytest

from nn_core import OPTIMIZERS, Trainer, textbook
from nn_core.minibatch import trace_batch

SETTINGS = {
    "plain": {},
    "clipped": {"clip_norm": 0.05},                 # small: the clipping really bites
    "l1": {"regularization": "l1", "reg_rate": 0.01},
    "l2": {"regularization": "l2", "reg_rate": 0.01},
    "l2 clipped": {"regularization": "l2", "reg_rate": 0.01, "clip_norm": 0.05},
    "scheduled": {"schedule": "exponential", "schedule_params": {"gamma": 0.5}},
}


def trainer_for(make_trainer, optimizer, setting, batch_size=7):
    return make_trainer("circle", (5, 3), optimizer=optimizer, learning_rate=0.05,
                        batch_size=batch_size, **SETTINGS[setting])


def saved(trainer):
    """Everything a step can change, as comparable copies."""
    state = trainer.state_dict()
    return {"params": trainer.net.params.copy(), "grads": trainer.net.grads.copy(),
            "optimizer": trainer.optimizer.state_dict(), "pos": state["pos"],
            "perm": state["perm"], "rng": state["rng"], "epoch": trainer.epoch,
            "steps": trainer.steps, "history": len(trainer.history)}


def same(a, b):
    for key in a:
        if key == "optimizer":
            assert a[key]["state"].keys() == b[key]["state"].keys()
            for slot, value in a[key]["state"].items():
                assert np.array_equal(value, b[key]["state"][slot]), slot
        elif isinstance(a[key], np.ndarray):
            assert np.array_equal(a[key], b[key]), key
        else:
            assert a[key] == b[key], key


def flat_update(trace):
    return np.concatenate([np.concatenate([layer["update_W"], layer["update_b"][None]]).ravel()
                           for layer in trace["layers"]])


@pytest.mark.parametrize("setting", list(SETTINGS))
@pytest.mark.parametrize("optimizer", OPTIMIZERS.names())
def test_applying_the_trace_is_a_one_batch_step_bit_for_bit(optimizer, setting, make_trainer):
    traced, stepped = (trainer_for(make_trainer, optimizer, setting) for _ in range(2))
    # 37 minibatches of 7 from 250 rows: the 36th ends the first epoch (a short one of 5), so
    # the loop crosses an epoch's end, a new shuffle and (scheduled) a new learning rate.
    for k in range(40):
        before = saved(traced)
        trace = trace_batch(traced)
        same(before, saved(traced))                  # looking changes nothing
        W_before = traced.net.params.copy()
        traced.step(batches=1)
        stepped.step(batches=1)
        assert np.array_equal(traced.net.params, stepped.net.params), k
        same(saved(traced), saved(stepped))
        change = traced.net.params - W_before
        assert np.array_equal(flat_update(trace), change), k   # update_W is the exact change
        state = traced.optimizer.state
        for slot in traced.optimizer.slots:
            after = np.concatenate([np.concatenate([layer["state_after"][slot]["W"],
                                                    layer["state_after"][slot]["b"][None]]).ravel()
                                    for layer in trace["layers"]])
            assert np.array_equal(after, state[slot]), slot
        assert trace["optimizer"]["t"] == state["t"] == k + 1
    assert traced.epoch == 1 and len(traced.history) == 2    # the epoch's end was recorded


@pytest.mark.parametrize("optimizer", OPTIMIZERS.names())
def test_state_before_is_the_state_the_step_starts_from(optimizer, make_trainer):
    trainer = trainer_for(make_trainer, optimizer, "plain")
    first = trace_batch(trainer)
    for layer in first["layers"]:                    # before the first step: zeros
        for slot in trainer.optimizer.slots:
            assert not layer["state_before"][slot]["W"].any()
    trainer.step(batches=3)
    trace = trace_batch(trainer)
    for slot in trainer.optimizer.slots:
        assert trace["layers"][0]["state_before"][slot]["W"].shape == trace["layers"][0]["W"].shape
        whole = np.concatenate([np.concatenate([layer["state_before"][slot]["W"],
                                                layer["state_before"][slot]["b"][None]]).ravel()
                                for layer in trace["layers"]])
        assert np.array_equal(whole, trainer.optimizer.state[slot])


def test_the_batch_is_the_next_rows_of_the_shuffle_and_the_gradient_their_mean(make_trainer):
    trainer = trainer_for(make_trainer, "sgd", "l2", batch_size=10)
    trainer.step(batches=3)
    trace = trace_batch(trainer)
    X, y = trainer.data()[:2]
    rows = trace["indices"]
    assert len(rows) == 10 and len(set(rows.tolist())) == 10
    loss, grads = trainer.net.loss_and_grads(X[rows], y[rows])
    assert trace["loss"] == pytest.approx(loss, rel=1e-12)
    assert np.mean(trace["losses"]) == pytest.approx(loss, rel=1e-12)
    for layer, (dW, db) in zip(trace["layers"], grads):
        np.testing.assert_allclose(layer["dW"], dW, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer["db"], db, rtol=1e-12, atol=1e-15)
        # what the optimizer receives: data gradient + λ·w (no clipping here)
        np.testing.assert_allclose(layer["grad_W"], dW + 0.01 * layer["W"], rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(layer["reg_dW"], 0.01 * layer["W"])
        # plain SGD: the step is −α·g
        np.testing.assert_allclose(layer["update_W"], -0.05 * layer["grad_W"], rtol=1e-12, atol=1e-16)
    # the minibatch mean is the mean of each point's own gradient (the shown point's is one)
    per_point = [textbook.trace(trainer.net, X[i], y[i], 0.05) for i in rows]
    for l, layer in enumerate(trace["layers"]):
        mean = np.mean([p["layers"][l]["dW"] for p in per_point], axis=0)
        np.testing.assert_allclose(layer["dW"], mean, rtol=1e-10, atol=1e-15)
        np.testing.assert_array_equal(layer["point_dW"], per_point[0]["layers"][l]["dW"])
    shown = trace_batch(trainer, shown=4)
    assert shown["shown"] == 4 and np.array_equal(shown["x"], X[rows[4]])
    assert shown["point_loss"] == pytest.approx(trace["losses"][4], rel=1e-12)


def test_at_an_epochs_end_the_next_batch_is_the_next_epochs_first(make_trainer):
    trainer = trainer_for(make_trainer, "adam", "plain", batch_size=100)   # 250 rows: 3 batches
    trainer.step(batches=2)
    last = trainer.next_batch()
    assert len(last) == 50                                   # the short last batch
    trainer.step(batches=1)
    peeked = trainer.next_batch()
    assert np.array_equal(trainer.next_batch(), peeked)      # peeking draws nothing
    rng_before = trainer.state_dict()["rng"]
    trace_batch(trainer)
    assert trainer.state_dict()["rng"] == rng_before
    trainer.step(batches=1)
    assert np.array_equal(trainer._perm[:100], peeked)       # the shuffle that step drew


def test_clipping_scales_the_gradient_to_the_clip_norm(make_trainer):
    trainer = trainer_for(make_trainer, "momentum", "clipped")
    trace = trace_batch(trainer)
    g = np.concatenate([np.concatenate([l["grad_W"], l["grad_b"][None]]).ravel() for l in trace["layers"]])
    data = np.concatenate([np.concatenate([l["dW"], l["db"][None]]).ravel() for l in trace["layers"]])
    assert trace["grad_norm"] == pytest.approx(np.linalg.norm(data), rel=1e-12) and trace["grad_norm"] > 0.05
    assert np.linalg.norm(g) == pytest.approx(0.05, rel=1e-12)
    np.testing.assert_allclose(g, data * 0.05 / trace["grad_norm"], rtol=1e-12)
    assert trace["clip_norm"] == 0.05


def test_l1_shrink_is_shown_apart_from_the_optimizers_step(make_trainer):
    trainer = trainer_for(make_trainer, "sgd", "l1")
    trace = trace_batch(trainer)
    for layer in trace["layers"]:
        assert np.all(layer["shrink_W"] == pytest.approx(0.05 * 0.01))  # η·λ with η = α
        np.testing.assert_allclose(layer["step_W"], -0.05 * layer["grad_W"], rtol=1e-12, atol=1e-16)
        stepped = layer["W"] + layer["step_W"]
        expected = np.sign(stepped) * np.maximum(np.abs(stepped) - 0.05 * 0.01, 0.0)
        np.testing.assert_allclose(layer["W"] + layer["update_W"], expected, rtol=1e-12, atol=1e-15)
        assert layer["step_b"].tolist() == layer["update_b"].tolist()   # biases: no shrink
    assert trace_batch(trainer_for(make_trainer, "sgd", "l2"))["layers"][0]["shrink_W"] is None


def test_a_scheduled_rate_is_the_one_in_force(make_trainer):
    trainer = trainer_for(make_trainer, "sgd", "scheduled", batch_size=50)   # 5 batches/epoch
    trainer.step(batches=5)
    assert trace_batch(trainer)["learning_rate"] == pytest.approx(0.05 * 0.5) == trainer.learning_rate


def test_the_shown_point_must_be_in_the_batch(make_trainer):
    trainer = trainer_for(make_trainer, "sgd", "plain")
    with pytest.raises(ValueError, match="shown"):
        trace_batch(trainer, shown=7)


def test_optimizer_copy_steps_like_the_original_and_leaves_it_alone():
    rng = np.random.default_rng(0)
    for name in OPTIMIZERS:
        opt = OPTIMIZERS.get(name)()
        params = rng.normal(size=12)
        for _ in range(3):
            opt.step(params, rng.normal(size=12), 0.1)
        before = opt.state_dict()
        twin = opt.copy()
        g = rng.normal(size=12)
        p1, p2 = params.copy(), params.copy()
        twin.step(p1, g.copy(), 0.1)
        assert opt.state_dict()["state"].keys() == before["state"].keys()
        for key, value in before["state"].items():
            assert np.array_equal(opt.state[key], value), (name, key)
        opt.step(p2, g.copy(), 0.1)
        assert np.array_equal(p1, p2), name
        for key in opt.state:
            assert np.array_equal(opt.state[key], twin.state[key]), (name, key)


def test_every_optimizer_describes_its_rule_in_symbols():
    for info in OPTIMIZERS.describe():
        cls = OPTIMIZERS.get(info["name"])
        assert info["equations"][-1].startswith("w ← w"), info["name"]
        assert info["formula"] == ";  ".join(info["equations"])
        assert info["slots"] == list(cls.slots)
        for name in [*cls.defaults, *cls.slots]:      # every hyperparameter and slot has a symbol
            assert info["symbols"][name] in " ".join(info["equations"]), (info["name"], name)


def test_a_trainer_restored_mid_epoch_shows_the_same_next_step(make_trainer):
    trainer = trainer_for(make_trainer, "rmsprop", "l2")
    trainer.step(batches=5)
    restored = Trainer.from_state_dict(trainer.state_dict())
    a, b = trace_batch(trainer), trace_batch(restored)
    assert np.array_equal(a["indices"], b["indices"])
    for la, lb in zip(a["layers"], b["layers"]):
        assert np.array_equal(la["update_W"], lb["update_W"])
