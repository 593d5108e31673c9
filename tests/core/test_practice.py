"""Practice exercises and `check`: drawn exercises are hand-computable and reproducible; their
true values are the textbook `trace` of the same network to 1e-12 (every hidden activation,
every problem, and every output/loss pairing through `from_trace`); `check` accepts the true
values, rejects values 5 % off, carries the learner's own numbers forward, names each known
mistake, writes readable hints, and refuses bad exercises and unknown answer keys by name."""

import json
import math
import re

import numpy as np
import pytest

from nn_core import ACTIVATIONS, ConfigError, Network, practice, textbook
from nn_core.activations import OUTPUT_ONLY
from nn_core.marking import EXPLANATIONS, Worked
from nn_core.network import PROBLEMS

from .conftest import output_pairings

HIDDEN = [name for name in ACTIVATIONS if name not in OUTPUT_ONLY]
# Shapes a page offers per problem (inputs … outputs), up to 3 weight layers of 4 neurons.
SHAPES = {"regression": [(1, 1), (1, 2, 1), (2, 2, 1), (2, 3, 2), (3, 2, 2, 1)],
          "binary": [(2, 1), (2, 2, 1), (2, 3, 1), (4, 4, 4, 1)],
          "multiclass": [(2, 3), (2, 2, 2), (2, 3, 2), (2, 4, 3, 4)]}
CASES = [(problem, shape) for problem in PROBLEMS for shape in SHAPES[problem]]
SEEDS = range(3)   # × shapes × activations: 150 exercises per problem


def exercises(problem, activation, seeds=SEEDS):
    for shape in SHAPES[problem]:
        for seed in seeds:
            yield practice.exercise(seed, shape, activation, problem)


PAIRINGS = output_pairings()


def network_of(ex, problem):
    """A Network whose parameters are the exercise's W and b."""
    net = Network(ex["layer_sizes"], activation=ex["activations"][:-1] or "tanh",
                  output_activation=ex["activations"][-1], loss=ex["loss"], problem=problem)
    net.set_params([(np.array(W), np.array(b)) for W, b in zip(ex["W"], ex["b"])])
    return net


def label_of(ex, problem):
    if problem == "regression":
        return ex["target"]
    if problem == "binary":
        return int(ex["target"][0] > 0)
    return int(np.argmax(ex["target"]))


def close(actual, expected, rtol=1e-12):
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    scale = max(np.abs(expected).max(initial=0.0), 1e-300)
    assert actual.shape == expected.shape and np.abs(actual - expected).max() <= rtol * scale, (
        actual, expected)


def traced_values(traced):
    """{key: value} of every question from a textbook trace (the update as W + ΔW)."""
    values = {"loss": traced["loss"]}
    for i, step in enumerate(traced["layers"]):
        for k in range(len(step["z"])):
            values[f"z.{i}.{k}"], values[f"a.{i}.{k}"] = step["z"][k], step["a"][k]
            values[f"delta.{i}.{k}"], values[f"db.{i}.{k}"] = step["delta"][k], step["db"][k]
            values[f"b_new.{i}.{k}"] = step["b"][k] + step["update_b"][k]
            for j in range(step["W"].shape[0]):
                values[f"dW.{i}.{j}.{k}"] = step["dW"][j, k]
                values[f"W_new.{i}.{j}.{k}"] = step["W"][j, k] + step["update_W"][j, k]
    return values


def activation(name, z):
    return ACTIVATIONS.get(name)().forward(np.asarray(z, float)[None, :])[0]


# ------------------------------------------------------------------ drawing exercises
@pytest.mark.parametrize("problem, shape", CASES, ids=[f"{p}-{s}" for p, s in CASES])
def test_exercise_is_hand_computable_and_reproducible(problem, shape):
    for seed in range(20):
        ex = practice.exercise(seed, shape, "tanh", problem, learning_rate=0.3)
        assert ex == practice.exercise(seed, list(shape), "tanh", problem, learning_rate=0.3)
        assert json.loads(json.dumps(ex)) == ex == practice.validate_exercise(ex)
        assert ex["layer_sizes"] == list(shape) and ex["learning_rate"] == 0.3
        numbers = [v for W in ex["W"] for row in W for v in row] + sum(ex["b"], []) + ex["x"]
        assert all(v != 0 and -1 <= v <= 1 and round(v * 10) == v * 10 for v in numbers)
        assert [len(W) for W in ex["W"]] == list(shape[:-1])
        assert [len(b) for b in ex["b"]] == list(shape[1:])
        out, loss = {"regression": ("linear", "mse"), "binary": ("sigmoid", "bce"),
                     "multiclass": ("softmax", "softmax_ce")}[problem]
        assert ex["activations"] == ["tanh"] * (len(shape) - 2) + [out] and ex["loss"] == loss
        if problem == "multiclass":
            assert sorted(ex["target"]) == [0.0] * (shape[-1] - 1) + [1.0]
        elif problem == "binary":
            assert ex["target"] in ([0.0], [1.0])
        else:
            assert all(-1 <= t <= 1 and round(t * 10) == t * 10 for t in ex["target"])
    assert practice.exercise(1, shape, "tanh", problem) != practice.exercise(2, shape, "tanh",
                                                                             problem)


def test_exercise_defaults_are_the_issues_2_2_1_sigmoid_regression():
    ex = practice.exercise()
    assert ex["layer_sizes"] == [2, 2, 1] and ex["activations"] == ["sigmoid", "linear"]
    assert ex["loss"] == "mse" and ex["learning_rate"] == 0.5
    # No |z| below 0.05: no ReLU kink at 0 and no bias lost in rounding, in any drawn exercise.
    for seed in range(50):
        for z in Worked(practice.exercise(seed, (2, 4, 4, 2), "relu")).true["z"]:
            assert np.abs(z).min() >= 0.05


@pytest.mark.parametrize("kwargs, field", [
    ({"layer_sizes": (2, 2, 2, 2, 1)}, "layer_sizes"),
    ({"layer_sizes": (2, 5, 1)}, "layer_sizes[1]"),
    ({"layer_sizes": (0, 1)}, "layer_sizes[0]"),
    ({"layer_sizes": "2,2,1"}, "layer_sizes"),
    ({"activation": "softmax"}, "activation"),
    ({"activation": "cube"}, "activation"),
    ({"problem": "ranking"}, "problem"),
    ({"problem": "multiclass"}, "layer_sizes[-1]"),
    ({"problem": "binary", "layer_sizes": (2, 2)}, "layer_sizes[-1]"),
    ({"learning_rate": 0}, "learning_rate"),
    ({"learning_rate": 11}, "learning_rate"),
    ({"seed": -1}, "seed"),
    ({"seed": 1.5}, "seed"),
])
def test_exercise_refuses_bad_arguments_by_name(kwargs, field):
    with pytest.raises(ConfigError) as error:
        practice.exercise(**kwargs)
    assert error.value.field == field and error.value.allowed is not None


# ------------------------------------------------------------------ true values = textbook trace
@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_true_values_are_the_textbook_trace_of_the_same_network(hidden, problem):
    for ex in exercises(problem, hidden, seeds=range(2)):
        net = network_of(ex, problem)
        traced = textbook.trace(net, np.array(ex["x"]), label_of(ex, problem), ex["learning_rate"])
        close(traced["target"], ex["target"], 0)
        expected = traced_values(traced)
        solved = practice.solution(ex)
        assert list(solved) == [q["key"] for q in practice.questions(ex)]
        assert solved.keys() == expected.keys()
        for key, value in solved.items():
            close(value, expected[key])


@pytest.mark.parametrize("problem, output, loss", PAIRINGS, ids=["-".join(p) for p in PAIRINGS])
def test_from_trace_keeps_the_sessions_numbers_for_every_output_and_loss(problem, output, loss):
    for seed in range(3):
        k = 3 if problem == "multiclass" else 1
        net = Network([3, 4, 2, k], activation=["tanh", "relu"], output_activation=output,
                      loss=loss, problem=problem, init="xavier_normal", seed=seed)
        rng = np.random.default_rng(seed)
        net.params += rng.normal(0, 0.3, net.n_params) * (1 - net.weight_mask)
        x = rng.normal(0, 1, 3)
        label = float(rng.normal()) if problem == "regression" else int(rng.integers(0, max(k, 2)))
        traced = textbook.trace(net, x, label, learning_rate=0.03)
        ex = practice.from_trace(traced)
        assert json.loads(json.dumps(ex)) == ex
        assert ex["activations"] == ["tanh", "relu", output] and ex["loss"] == loss
        assert ex["W"][1] == net.layers[1].W.tolist() and ex["x"] == x.tolist()
        solved = practice.solution(ex)
        for key, value in traced_values(traced).items():
            close(solved[key], value)
        # Every true value passes check; 5 % off does not, in the loss or wherever it shows.
        assert practice.check(ex, solved)["all_correct"]
        for key in ("loss", max(solved, key=lambda key: abs(solved[key]))):
            if abs(solved[key]) * 0.05 > 1e-4:
                assert not practice.check(ex, {key: solved[key] * 1.05})["all_correct"]


def test_from_trace_of_a_network_too_large_is_refused_by_name():
    net = Network([2, *[3] * practice.MAX_LAYERS, 1], problem="regression")
    with pytest.raises(ConfigError) as error:
        practice.from_trace(textbook.trace(net, np.zeros(2), 0.5, 0.1))
    assert error.value.field == "exercise.layer_sizes"
    wide = Network([2, practice.MAX_NEURONS + 1, 1], problem="regression")
    with pytest.raises(ConfigError) as error:
        practice.from_trace(textbook.trace(wide, np.zeros(2), 0.5, 0.1))
    assert error.value.field == "exercise.layer_sizes[1]"
    # The largest allowed: 9 weight layers of 64 (the server's default limits).
    big = Network([9, *[64] * 8, 6], problem="multiclass")
    ex = practice.from_trace(textbook.trace(big, np.ones(9), 3, 0.1))
    assert len(practice.questions(ex)) == len(practice.solution(ex)) > 2 * 7 * 64 * 64


# ------------------------------------------------------------------ check: right and wrong
@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_check_accepts_the_true_values_and_rejects_each_one_5_percent_off(hidden, problem):
    tested = 0
    for ex in exercises(problem, hidden, seeds=range(12)):
        solved = practice.solution(ex)
        result = practice.check(ex, solved)
        assert result["all_correct"] and len(result["results"]) == len(solved)
        for key, value in solved.items():
            assert result["results"][key]["expected"] == pytest.approx(value, rel=1e-12, abs=1e-15)
    for ex in exercises(problem, hidden):
        for key, value in practice.solution(ex).items():
            if abs(value) * 0.05 <= 1e-4:      # 5 % of it is within the absolute tolerance
                continue
            wrong = practice.check(ex, {key: value * 1.05})
            assert not wrong["all_correct"] and not wrong["results"][key]["correct"], key
            tested += 1
    assert tested > 250


def test_the_tolerance_is_one_percent_or_1e_4():
    ex = practice.exercise()
    z = practice.solution(ex)["z.0.0"]
    assert practice.check(ex, {"z.0.0": z * 1.0099})["all_correct"]
    assert not practice.check(ex, {"z.0.0": z * 1.0101})["all_correct"]
    dead = {**HAND, "activations": ["relu", "linear"], "b": [[-0.5], [-0.3]]}   # z = −0.37
    assert practice.solution(dead)["a.0.0"] == 0     # judged to 1e-4 absolute
    assert practice.check(dead, {"a.0.0": 0.9e-4})["all_correct"]
    assert not practice.check(dead, {"a.0.0": 1.1e-4})["all_correct"]


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "elu"])
def test_check_carries_the_learners_own_numbers_forward(hidden, problem):
    for ex in exercises(problem, hidden):
        solved, n = practice.solution(ex), len(ex["W"])
        for i, width in enumerate(ex["layer_sizes"][1:]):
            z = np.array([solved[f"z.{i}.{k}"] for k in range(width)])
            for k in range(width):
                slipped = z.copy()
                slipped[k] += 0.3
                a = activation(ex["activations"][i], slipped)
                answers = {f"z.{i}.{k}": slipped[k], **{f"a.{i}.{m}": a[m] for m in range(width)}}
                results = practice.check(ex, answers)["results"]
                assert not results[f"z.{i}.{k}"]["correct"]
                assert all(results[f"a.{i}.{m}"]["correct"] for m in range(width))
                if i + 1 < n:   # the next layer's z from the learner's a
                    W, b = np.array(ex["W"][i + 1]), np.array(ex["b"][i + 1])
                    z_next = a @ W + b
                    answers.update({f"z.{i + 1}.{m}": v for m, v in enumerate(z_next)})
                    results = practice.check(ex, answers)["results"]
                    assert all(results[f"z.{i + 1}.{m}"]["correct"] for m in range(len(z_next)))
        # Backward: the learner's δ into ∂L/∂w and ∂L/∂b, their gradients into the step.
        last = n - 1
        delta = solved[f"delta.{last}.0"] + 0.2
        answers = {f"delta.{last}.0": delta, f"db.{last}.0": delta}
        a_prev = np.array(ex["x"]) if last == 0 else np.array(
            [solved[f"a.{last - 1}.{j}"] for j in range(ex["layer_sizes"][last])])
        answers.update({f"dW.{last}.{j}.0": a_prev[j] * delta for j in range(len(a_prev))})
        alpha = ex["learning_rate"]
        answers.update({f"W_new.{last}.{j}.0": ex["W"][last][j][0] - alpha * a_prev[j] * delta
                        for j in range(len(a_prev))})
        answers[f"b_new.{last}.0"] = ex["b"][last][0] - alpha * delta
        results = practice.check(ex, answers)["results"]
        assert [key for key, r in results.items() if not r["correct"]] == [f"delta.{last}.0"]


def test_check_carries_forward_into_the_loss_and_both_kinds_of_delta():
    ex = practice.exercise(4, (2, 3, 1), "tanh", "regression")
    s, y = practice.solution(ex), ex["target"][0]
    y_hat = s["a.1.0"] + 0.25
    results = practice.check(ex, {"a.1.0": y_hat, "loss": (y_hat - y) ** 2,
                                  "delta.1.0": 2 * (y_hat - y)})["results"]
    assert [r["correct"] for r in results.values()] == [False, True, True]
    # A hidden δ from the learner's next δ and z: (w·δ_next)·tanh′(z).
    delta_out, z = s["delta.1.0"] * 1.5, s["z.0.2"] - 0.2
    hidden = ex["W"][1][2][0] * delta_out * (1 - math.tanh(z) ** 2)
    results = practice.check(ex, {"delta.1.0": delta_out, "z.0.2": z, "delta.0.2": hidden})
    assert [r["correct"] for r in results["results"].values()] == [False, False, True]
    # bce from the learner's ŷ (a probability): −ln ŷ for a target of 1.
    ex = practice.exercise(0, (2, 2, 1), "sigmoid", "binary")
    y = ex["target"][0]
    bce = -(y * math.log(0.3) + (1 - y) * math.log(0.7))
    results = practice.check(ex, {"a.1.0": 0.3, "loss": bce, "delta.1.0": 0.3 - y})["results"]
    assert [r["correct"] for r in results.values()] == [False, True, True]
    # A ŷ no logit gives (not a probability): the loss is judged from the true ŷ.
    results = practice.check(ex, {"a.1.0": 1.7, "loss": practice.solution(ex)["loss"]})["results"]
    assert results["loss"]["correct"]


# ------------------------------------------------------------------ diagnoses
def diagnosed(ex, key, value):
    result = practice.check(ex, {key: value})["results"][key]
    assert not result["correct"]
    if result["diagnosis"] is not None:
        assert result["explanation"] == EXPLANATIONS[result["diagnosis"]]
    return result["diagnosis"]


def differs(a, b):
    return abs(a - b) > 2 * max(0.01 * abs(b), 1e-4)


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_each_mistake_is_diagnosed(hidden, problem):
    seen = []

    def expect(ex, key, mistake, truth, diagnosis):
        """The mistake's number is diagnosed, where it differs from the true one at all."""
        if differs(mistake, truth):
            assert diagnosed(ex, key, mistake) == diagnosis, (key, mistake, truth)
            seen.append(diagnosis)

    for ex in exercises(problem, hidden):
        s, alpha = practice.solution(ex), ex["learning_rate"]
        sizes, n = ex["layer_sizes"], len(ex["W"])
        for i in range(n):
            for k in range(sizes[i + 1]):
                z, b = s[f"z.{i}.{k}"], ex["b"][i][k]
                expect(ex, f"z.{i}.{k}", z - b, z, "forgot_bias")
                expect(ex, f"a.{i}.{k}", z, s[f"a.{i}.{k}"], "activation_not_applied")
                for key in (f"delta.{i}.{k}", f"db.{i}.{k}"):
                    expect(ex, key, -s[key], s[key], "sign")
                g, step = s[f"db.{i}.{k}"], s[f"b_new.{i}.{k}"]
                expect(ex, f"b_new.{i}.{k}", b + alpha * g, step, "sign")
                expect(ex, f"b_new.{i}.{k}", b - g, step, "forgot_learning_rate")
                if i < n - 1:   # a hidden δ without f′(z): Σ w·δ_next
                    back = sum(w * s[f"delta.{i + 1}.{m}"] for m, w in enumerate(ex["W"][i + 1][k]))
                    if differs(back, -s[f"delta.{i}.{k}"]):
                        expect(ex, f"delta.{i}.{k}", back, s[f"delta.{i}.{k}"], "forgot_derivative")
                for j in range(sizes[i]):
                    key, w, step = f"dW.{i}.{j}.{k}", ex["W"][i][j][k], s[f"W_new.{i}.{j}.{k}"]
                    expect(ex, key, -s[key], s[key], "sign")
                    expect(ex, f"W_new.{i}.{j}.{k}", w + alpha * s[key], step, "sign")
                    expect(ex, f"W_new.{i}.{j}.{k}", w - s[key], step, "forgot_learning_rate")
        assert diagnosed(ex, "z.0.0", s["z.0.0"] + 0.37) is None
        if problem == "regression":    # ½(y − ŷ)² (per output, or ½·mean) in L and δ
            d = np.array([s[f"a.{n - 1}.{k}"] for k in range(sizes[-1])]) - ex["target"]
            expect(ex, "loss", 0.5 * float(d @ d) / len(d), s["loss"], "half_mse")
            expect(ex, f"delta.{n - 1}.0", d[0] / len(d), s[f"delta.{n - 1}.0"], "half_mse")
    counts = {name: seen.count(name) for name in set(seen)}
    wanted = {"forgot_bias", "sign", "forgot_learning_rate"}
    wanted |= {"half_mse"} if problem == "regression" else set()
    wanted |= {"forgot_derivative"} if hidden != "linear" else set()
    wanted |= {"activation_not_applied"} if (hidden, problem) != ("linear", "regression") else set()
    assert set(counts) == wanted and min(counts.values()) >= 3, counts


def test_half_mse_and_forgot_derivative_at_a_sigmoid_output_with_mse():
    """The seed's network (sigmoid everywhere, mean squared error): δ_out = 2(ŷ − y)/k·σ′(z)."""
    for seed in range(10):
        ex = practice.exercise(seed, (2, 2, 2), "sigmoid", "regression")
        ex["activations"][-1] = "sigmoid"
        s, y = practice.solution(ex), ex["target"]
        for k in range(2):
            y_hat = s[f"a.1.{k}"]
            slope = y_hat * (1 - y_hat)
            assert s[f"delta.1.{k}"] == pytest.approx(2 * (y_hat - y[k]) / 2 * slope, rel=1e-12)
            assert diagnosed(ex, f"delta.1.{k}", 2 * (y_hat - y[k]) / 2) == "forgot_derivative"
            assert diagnosed(ex, f"delta.1.{k}", (y_hat - y[k]) / 2 * slope) == "half_mse"
        # ½·Σ(y − ŷ)² over 2 outputs is the mean itself: right, not a mistake.
        half_sum = 0.5 * sum((s[f"a.1.{k}"] - y[k]) ** 2 for k in range(2))
        assert practice.check(ex, {"loss": half_sum})["all_correct"]


def test_a_mistake_that_gives_the_right_number_is_no_diagnosis():
    ex = practice.exercise(0, (2, 2, 1), "relu")
    ex["learning_rate"] = 1.0      # then w − ∂L/∂w is the right step
    s = practice.solution(ex)
    result = practice.check(ex, {"W_new.0.0.0": ex["W"][0][0][0] - s["dW.0.0.0"]})
    assert result["all_correct"] and result["results"]["W_new.0.0.0"]["diagnosis"] is None


# ------------------------------------------------------------------ words
HAND = {"layer_sizes": [2, 1, 1], "activations": ["sigmoid", "linear"], "loss": "mse",
        "learning_rate": 0.5, "W": [[[0.3], [-0.2]], [[0.4]]], "b": [[0.1], [-0.3]],
        "x": [0.5, 0.1], "target": [1.0]}


def test_hints_are_the_equation_with_the_learners_numbers():
    hints = {key: r["hint"] for key, r in practice.check(HAND, {
        "z.0.0": 0.2, "a.0.0": 0.56, "z.1.0": 0.1, "a.1.0": 0.6, "loss": 1, "delta.1.0": 1,
        "delta.0.0": 1, "dW.0.1.0": 1, "db.1.0": -0.8, "W_new.1.0.0": 1, "b_new.1.0": 1,
    })["results"].items()}
    assert hints == {
        "z.0.0": "z = 0.3·0.5 + (−0.2)·0.1 + 0.1 = ?",
        "a.0.0": "a = 1 / (1 + e^(−0.2)) = ?",
        "z.1.0": "z = 0.4·0.56 + (−0.3) = ?",
        "a.1.0": "ŷ = 0.1 = ?",
        "loss": "L = (0.6 − 1)² = ?",
        "delta.1.0": "δ = 2·(0.6 − 1)/1 = ?",
        "delta.0.0": "δ = (0.4·1)·[σ(0.2)·(1 − σ(0.2))] = ?",
        "dW.0.1.0": "∂L/∂w = x·δ = 0.1·1 = ?",
        "db.1.0": "∂L/∂b = δ = ? (δ = 1)",
        "W_new.1.0.0": "w ← w − α·∂L/∂w = 0.4 − 0.5·(−1.2) = ?",
        "b_new.1.0": "b ← b − α·∂L/∂b = −0.3 − 0.5·(−0.8) = ?",
    }


def test_hints_for_each_loss_and_output():
    bce = practice.exercise(0, (2, 1), problem="binary")
    y = bce["target"][0]
    p = practice.solution(bce)["a.0.0"]
    hint = practice.check(bce, {"loss": 0})["results"]["loss"]["hint"]
    assert hint == f"L = −[{y:g}·ln({p:.4g}) + (1 − {y:g})·ln(1 − {p:.4g})] = ?"
    assert practice.check(bce, {"delta.0.0": 0})["results"]["delta.0.0"]["hint"] == (
        f"δ = {p:.4g} − {y:g} = ?")
    soft = practice.exercise(0, (2, 3), problem="multiclass")
    results = practice.check(soft, {"loss": 0, "a.0.1": 0})["results"]
    assert results["loss"]["hint"].startswith("L = −[0·ln(") and "1·ln(" in results["loss"]["hint"]
    assert results["a.0.1"]["hint"].count("e^") == 4
    two = practice.exercise(0, (2, 2), problem="regression")
    assert practice.check(two, {"loss": 0})["results"]["loss"]["hint"].endswith(")/2 = ?")


def test_questions_come_in_computation_order_with_words_and_no_numbers():
    ex = practice.exercise(0, (2, 3, 2), "tanh", "multiclass")
    qs = practice.questions(ex)
    keys = [q["key"] for q in qs]
    assert keys[:12] == ["z.0.0", "z.0.1", "z.0.2", "a.0.0", "a.0.1", "a.0.2",
                         "z.1.0", "z.1.1", "a.1.0", "a.1.1", "loss", "delta.1.0"]
    assert keys.index("dW.1.2.1") < keys.index("db.1.0") < keys.index("delta.0.0")
    assert keys.index("delta.0.2") < keys.index("W_new.0.0.0") < keys.index("b_new.1.1")
    assert keys[-1] == "b_new.1.1"
    assert len(keys) == len(set(keys)) == 5 * 5 + 2 * (6 + 6) + 1
    for q in qs:
        assert set(q) == {"key", "quantity", "layer", "neuron", "input", "prompt", "equation"}
        assert q["key"].split(".")[0] == q["quantity"] and q["prompt"] and q["equation"]
        assert not re.search(r"\d\.|\d\d", q["equation"]), q["equation"]
    by_key = {q["key"]: q for q in qs}
    assert by_key["dW.0.1.2"]["prompt"] == "∂L/∂w of the weight from input x2 to layer 1, neuron 3"
    weight = by_key["dW.0.1.2"]
    assert (weight["layer"], weight["input"], weight["neuron"]) == (0, 1, 2)
    assert by_key["a.1.1"]["prompt"] == "ŷ = a of output 1 (class 1)"
    assert by_key["delta.1.0"]["equation"].startswith("δ = ∂L/∂z = ŷ − y")
    assert "1 − tanh²(z)" in by_key["delta.0.0"]["equation"]
    assert by_key["loss"]["layer"] is None and by_key["loss"]["neuron"] is None


# ------------------------------------------------------------------ refusing bad input
def changed(path, value):
    ex = json.loads(json.dumps(HAND))
    *parents, last = path
    target = ex
    for step in parents:
        target = target[step]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return ex


@pytest.mark.parametrize("path, value, field", [
    (("W", 0, 1, 0), float("nan"), "exercise.W[0][1][0]"),
    (("W", 0, 1, 0), float("inf"), "exercise.W[0][1][0]"),
    (("W", 0, 1, 0), 2e6, "exercise.W[0][1][0]"),
    (("W", 0, 1, 0), "0.3", "exercise.W[0][1][0]"),
    (("W", 0, 1, 0), True, "exercise.W[0][1][0]"),
    (("W", 1), [[0.4, 0.1]], "exercise.W[1][0]"),
    (("W", 1), [[0.4], [0.1]], "exercise.W[1]"),
    (("W",), [[[0.3], [-0.2]]], "exercise.W"),
    (("b", 1), [0.1, 0.2], "exercise.b[1]"),
    (("b", 0), 0.1, "exercise.b[0]"),
    (("x",), [0.5], "exercise.x"),
    (("x", 0), None, "exercise.x[0]"),
    (("target", 0), float("nan"), "exercise.target[0]"),
    (("layer_sizes",), [2] * 11, "exercise.layer_sizes"),
    (("layer_sizes",), [2, 65, 1], "exercise.layer_sizes[1]"),
    (("layer_sizes",), [2, 1.5, 1], "exercise.layer_sizes[1]"),
    (("layer_sizes",), 3, "exercise.layer_sizes"),
    (("activations",), ["sigmoid"], "exercise.activations"),
    (("activations", 0), "softmax", "exercise.activations[0]"),
    (("activations", 1), "cube", "exercise.activations[1]"),
    (("activations", 1), "softmax", "exercise.layer_sizes[-1]"),
    (("loss",), "softmax_ce", "exercise.activations[1]"),
    (("loss",), "bce", "exercise.activations[1]"),
    (("loss",), "l2", "exercise.loss"),
    (("learning_rate",), -0.1, "exercise.learning_rate"),
    (("learning_rate",), 11, "exercise.learning_rate"),
    (("loss",), KeyError, "exercise.loss"),
    (("seed",), 3, "exercise.seed"),
])
def test_validate_exercise_names_the_bad_field(path, value, field):
    with pytest.raises(ConfigError) as error:
        practice.validate_exercise(changed(path, value))
    assert error.value.field == field and error.value.allowed is not None
    with pytest.raises(ConfigError):
        practice.check(changed(path, value), {})


def test_validate_exercise_checks_targets_and_output_pairings():
    bce = practice.exercise(0, (2, 1), problem="binary")
    for bad in ([0.5], [-1.0]):
        with pytest.raises(ConfigError) as error:
            practice.validate_exercise({**bce, "target": bad})
        assert error.value.field == "exercise.target[0]"
    soft = practice.exercise(0, (2, 3), problem="multiclass")
    with pytest.raises(ConfigError) as error:
        practice.validate_exercise({**soft, "target": [1.0, 1.0, 0.0]})
    assert error.value.field == "exercise.target"
    with pytest.raises(ConfigError) as error:
        practice.validate_exercise({**bce, "layer_sizes": [2, 2], "W": [[0.1, 0.1]] * 2,
                                    "b": [0.1, 0.1], "target": [0.0, 1.0]})
    assert error.value.field == "exercise.layer_sizes[-1]"
    hinge = {**bce, "activations": ["tanh"], "loss": "hinge", "target": [-1.0]}
    assert practice.validate_exercise(hinge)["loss"] == "hinge"
    with pytest.raises(ConfigError) as error:
        practice.validate_exercise("not an exercise")
    assert error.value.field == "exercise"


@pytest.mark.parametrize("answers, field", [
    ({"z.0.1": 0.3}, "answers[z.0.1]"),
    ({"z.2.0": 0.3}, "answers[z.2.0]"),
    ({"dW.0.2.0": 0.3}, "answers[dW.0.2.0]"),
    ({"dW.0.0": 0.3}, "answers[dW.0.0]"),
    ({"z.0.0.0": 0.3}, "answers[z.0.0.0]"),
    ({"z.00.0": 0.3}, "answers[z.00.0]"),
    ({"z.-0.0": 0.3}, "answers[z.-0.0]"),
    ({"loss.0": 0.3}, "answers[loss.0]"),
    ({"y_hat": 0.3}, "answers[y_hat]"),
    ({"": 0.3}, "answers[]"),
    ({"z.0.0": "0.3"}, "answers[z.0.0]"),
    ({"z.0.0": None}, "answers[z.0.0]"),
    ({"z.0.0": float("nan")}, "answers[z.0.0]"),
    ({"z.0.0": float("inf")}, "answers[z.0.0]"),
    ({"z.0.0": False}, "answers[z.0.0]"),
    ({"x" * 1000: 1}, "answers[" + "x" * 40 + "…]"),
    ([("z.0.0", 0.3)], "answers"),
])
def test_check_refuses_unknown_keys_and_non_numbers_by_name(answers, field):
    with pytest.raises(ConfigError) as error:
        practice.check(HAND, answers)
    assert error.value.field == field and error.value.allowed is not None


def test_check_results_are_json_even_when_the_learners_numbers_overflow():
    result = practice.check(HAND, {"a.0.0": 1e308, "delta.1.0": 1e308, "dW.1.0.0": 1.0})
    text = json.dumps(result, allow_nan=False)
    assert json.loads(text)["results"]["dW.1.0.0"] == {
        "correct": False, "expected": None, "diagnosis": None,
        "explanation": EXPLANATIONS[None], "hint": "∂L/∂w = a·δ = 1e+308·1e+308 = ?"}
    assert practice.check(HAND, {}) == {"results": {}, "all_correct": False}
    # Plain Python types throughout, as a JSON encoder expects them.
    marked = practice.check(HAND, practice.solution(HAND))["results"]
    assert {type(r["expected"]) for r in marked.values()} == {float}
    assert {type(r["correct"]) for r in marked.values()} == {bool}
    ex = practice.from_trace(textbook.trace(Network([2, 3, 1], problem="binary"), [0.5, 1], 1, 0.1))
    assert {type(v) for row in ex["W"][0] for v in row} == {float} and type(ex["x"][0]) is float
