"""The textbook path (one example, lists of W and b, a loop over layers) agrees with the fast
flat-vector backprop to 1e-12 on every hidden activation × every output/loss pairing the engine
offers, for several shapes; `trace` gradients equal `loss_and_grads` on a batch of one and
centred finite differences; the update it shows is exactly one plain gradient-descent step."""

import numpy as np
import pytest

from nn_core import (
    ACTIVATIONS,
    LOSSES,
    REGULARIZERS,
    ConfigError,
    Network,
    Trainer,
    textbook,
)
from nn_core.activations import OUTPUT_ONLY
from nn_core.gradcheck import numeric_gradient, relative_error
from nn_core.network import PROBLEMS

from .conftest import output_pairings

HIDDEN = [name for name in ACTIVATIONS if name not in OUTPUT_ONLY]
SHAPES = [[3], [3, 5], [2, 6, 4], [4, 3, 7, 2]]   # inputs and hidden widths; the output follows


PAIRINGS = output_pairings()


def test_the_pairings_cover_every_loss_and_problem():
    assert {loss for _, _, loss in PAIRINGS} == set(LOSSES.names())
    assert {problem for problem, _, _ in PAIRINGS} == set(PROBLEMS)
    assert ("multiclass", "softmax", "softmax_ce") in PAIRINGS
    assert ("binary", "tanh", "hinge") in PAIRINGS and ("regression", "linear", "mse") in PAIRINGS
    assert len(PAIRINGS) >= 20


def example(net, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, net.n_inputs)
    if net.problem == "regression":
        return x, float(rng.normal())
    return x, int(rng.integers(0, 2 if net.problem == "binary" else net.n_outputs))


def build(sizes, activation, problem, output, loss, seed):
    k = 3 if problem == "multiclass" else 1
    net = Network([*sizes, k], activation=activation, output_activation=output, loss=loss,
                  problem=problem, init="xavier_normal", seed=seed)
    # Non-zero biases, so a path that dropped a bias would show.
    rng = np.random.default_rng(seed + 100)
    net.params += rng.normal(0.0, 0.3, net.n_params) * (1 - net.weight_mask)
    return net


def close(actual, expected, rtol=1e-12):
    """Equal to `rtol` relative to the larger magnitude in either array (exact zeros match)."""
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    assert actual.shape == expected.shape
    scale = max(np.abs(actual).max(initial=0.0), np.abs(expected).max(initial=0.0))
    assert np.abs(actual - expected).max(initial=0.0) <= rtol * scale, (actual, expected)


@pytest.mark.parametrize("problem, output, loss", PAIRINGS, ids=["-".join(p) for p in PAIRINGS])
@pytest.mark.parametrize("activation", HIDDEN)
def test_textbook_equals_the_fast_path(activation, problem, output, loss):
    for s, sizes in enumerate(SHAPES):
        net = build(sizes, activation, problem, output, loss, seed=s)
        x, label = example(net, seed=s)
        traced = textbook.trace(net, x, label, learning_rate=0.1)
        fast = net.forward(x[None, :])
        data_loss, grads = net.loss_and_grads(x[None, :], [label])
        close(traced["output"], fast.output[0])
        close(traced["loss"], data_loss)
        assert len(traced["layers"]) == len(net.layers)
        for layer, z, a, (dW, db), step in zip(net.layers, fast.z, fast.a, grads, traced["layers"]):
            assert step["activation"] == layer.activation.name
            assert np.array_equal(step["W"], layer.W) and np.array_equal(step["b"], layer.b)
            close(step["z"], z[0])
            close(step["a"], a[0])
            close(step["dW"], dW)
            close(step["db"], db)


@pytest.mark.parametrize("problem, output, loss", PAIRINGS, ids=["-".join(p) for p in PAIRINGS])
def test_trace_gradients_equal_finite_differences(problem, output, loss):
    net = build([3, 4, 3], "tanh", problem, output, loss, seed=3)
    x, label = example(net, seed=4)
    for reg, rate in (("none", 0.0), ("l2", 0.05), ("l1", 0.05)):
        traced = textbook.trace(net, x, label, 0.1, regularization=reg, reg_rate=rate)
        regularizer = REGULARIZERS.get(reg)()

        def total_loss():
            value = net.loss_and_grads(x[None, :], [label])[0]
            return value + regularizer.loss(net.params, net.weight_mask, rate)

        numeric = numeric_gradient(total_loss, net.params)
        analytic = np.concatenate([
            np.vstack([step["dW"] + (0 if step["reg_dW"] is None else step["reg_dW"]),
                       step["db"][None, :]]).ravel()
            for step in traced["layers"]])
        assert relative_error(analytic, numeric) < 1e-6


def test_trace_on_every_problem_type():
    cases = [
        ("binary", "sigmoid", "bce", 1, [1.0]),
        ("binary", "sigmoid", "bce", 0, [0.0]),
        ("binary", "tanh", "mse", 0, [-1.0]),        # TF Playground's ±1 targets
        ("binary", "linear", "hinge", 1, [1.0]),
        ("multiclass", "softmax", "softmax_ce", 2, [0.0, 0.0, 1.0]),
        ("regression", "linear", "mse", -0.75, [-0.75]),
    ]
    for problem, output, loss, label, target in cases:
        net = build([2, 4, 2], "relu", problem, output, loss, seed=0)
        before = net.params.copy()
        traced = textbook.trace(net, [0.5, -1.25], label, learning_rate=0.03)
        assert np.array_equal(net.params, before)              # tracing changes nothing
        assert traced["target"].tolist() == target
        assert traced["loss_name"] == loss and traced["regularization"] == "none"
        assert traced["x"].tolist() == [0.5, -1.25]
        assert traced["output"].shape == (len(target),)
        shapes = [(2, 4), (4, 2), (2, len(target))]
        for step, (n_in, n_out) in zip(traced["layers"], shapes):
            assert step["W"].shape == step["dW"].shape == step["update_W"].shape == (n_in, n_out)
            for key in ("b", "z", "a", "dL_da", "delta", "db", "update_b"):
                assert step[key].shape == (n_out,)
            assert step["reg_dW"] is None
            assert np.array_equal(step["update_W"], -0.03 * step["dW"])
        if output == "softmax":
            assert traced["output"].sum() == pytest.approx(1.0)
            # the fused gradient: δ_L = ŷ − y for one example
            close(traced["layers"][-1]["delta"], traced["output"] - traced["target"])


def test_output_layer_dL_da_pushes_through_f_prime_to_delta():
    # Unfused pairing (tanh output, mse): δ_L = ∂L/∂ŷ ⊙ f′(z_L) holds to rounding.
    net = build([2, 3], "sigmoid", "binary", "tanh", "mse", seed=1)
    top = textbook.trace(net, [1.0, 2.0], 1, 0.1)["layers"][-1]
    close(top["delta"], top["dL_da"] * (1 - top["a"] ** 2))
    # and a hidden layer: ∂L/∂a_{i−1} = δ_i W_iᵀ
    layers = textbook.trace(net, [1.0, 2.0], 1, 0.1)["layers"]
    close(layers[0]["dL_da"], layers[1]["W"] @ layers[1]["delta"])


def test_regularization_gradient_is_separate_and_only_on_weights():
    net = build([2, 4], "tanh", "binary", "sigmoid", "bce", seed=2)
    traced = textbook.trace(net, [0.3, 0.4], 1, 0.5, regularization="l2", reg_rate=0.1)
    for step in traced["layers"]:
        assert np.array_equal(step["reg_dW"], 0.1 * step["W"])          # λ ∂(½Σw²)/∂w = λw
        assert np.array_equal(step["update_W"], -0.5 * (step["dW"] + step["reg_dW"]))
        assert np.array_equal(step["update_b"], -0.5 * step["db"])      # biases: no penalty
    assert traced["reg_loss"] == pytest.approx(0.05 * sum((s["W"] ** 2).sum() for s in traced["layers"]))
    l1 = textbook.trace(net, [0.3, 0.4], 1, 0.5, regularization="l1", reg_rate=0.2)
    for step in l1["layers"]:
        assert np.array_equal(step["reg_dW"], 0.2 * np.sign(step["W"]))
    off = textbook.trace(net, [0.3, 0.4], 1, 0.5, regularization="l2", reg_rate=0.0)
    assert all(step["reg_dW"] is None for step in off["layers"]) and off["reg_loss"] == 0.0


def test_the_update_is_one_sgd_step_of_the_trainer_on_that_example():
    for reg, rate in (("none", 0.0), ("l2", 0.01)):
        net = build([2, 5, 3], "tanh", "binary", "sigmoid", "bce", seed=5)
        x, label = np.array([0.7, -0.2]), 1
        traced = textbook.trace(net, x, label, 0.05, regularization=reg, reg_rate=rate)
        trainer = Trainer(net, x[None, :], [label], optimizer="sgd", learning_rate=0.05,
                          regularization=reg, reg_rate=rate, batch_size=1)
        trainer.step(1)
        for layer, step in zip(net.layers, traced["layers"]):
            close(layer.W, step["W"] + step["update_W"])
            close(layer.b, step["b"] + step["update_b"])


def test_apply_update_takes_exactly_the_step_shown_and_refuses_a_stale_trace():
    net = build([2, 4, 2], "tanh", "multiclass", "softmax", "softmax_ce", seed=6)
    x, label = [1.0, -1.0], 2
    traced = textbook.trace(net, x, label, 0.3)
    textbook.apply_update(net, traced)
    again = textbook.trace(net, x, label, 0.3)
    for old, new in zip(traced["layers"], again["layers"]):
        assert np.array_equal(new["W"], old["W"] + old["update_W"])
        assert np.array_equal(new["b"], old["b"] + old["update_b"])
    assert again["loss"] < traced["loss"]                   # a small step downhill
    with pytest.raises(ConfigError) as exc:
        textbook.apply_update(net, traced)                  # weights moved since
    assert exc.value.field == "weights"


@pytest.mark.parametrize("args, field", [
    (([1.0, 2.0, 3.0], 1, 0.1), "x"),
    ((["a", "b"], 1, 0.1), "x"),
    (([1.0, 2.0], 2, 0.1), "target"),
    (([1.0, 2.0], 0.5, 0.1), "target"),
    (([1.0, 2.0], 1, -0.1), "learning_rate"),
    (([1.0, 2.0], 1, 0.1, "l3"), "regularization"),
    (([1.0, 2.0], 1, 0.1, "l2", -1.0), "reg_rate"),
])
def test_bad_input_names_the_field(args, field):
    net = build([2, 3], "tanh", "binary", "sigmoid", "bce", seed=0)
    with pytest.raises(ConfigError) as exc:
        textbook.trace(net, *args)
    assert exc.value.field == field
