"""`grade` and `grade_forward`: a learner's own implementation, written here independently of the
engine in both conventions, passes; each planted bug is named, with a message whose layer and
numbers are those of the first failing case (re-run from `case` to prove it); bad arguments are
refused by name. The README's graded backprop runs and prints what the README says."""

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

from nn_core import ConfigError, grade, grade_forward
from nn_core.marking import EXPLANATIONS

README = Path(__file__).resolve().parents[2] / "README.md"


def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


# f and f′(z, a), as a learner writes them (columns: axis 0 holds the neurons)
F = {"sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, a: a * (1 - a)),
     "tanh": (np.tanh, lambda z, a: 1 - a ** 2),
     "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0) * 1.0),
     "linear": (lambda z: z, lambda z, a: np.ones_like(z))}


def output_of(activation, loss, k):
    if loss == "mse":
        return activation
    return "sigmoid" if k == 1 else "softmax"


def column_backprop(activation="sigmoid", loss="mse", bug=None):
    """Nielsen's backprop: weights[i] (n_out, n_in), column vectors, with one bug planted."""
    def backprop(weights, biases, x, y):
        out = output_of(activation, loss, len(y))
        fs = [activation] * (len(weights) - 1) + [out]
        activations, zs = [x], []
        for W, b, name in zip(weights, biases, fs):
            zs.append(W @ activations[-1] + (0 if bug == "no_bias" else b))
            activations.append(softmax(zs[-1]) if name == "softmax" else F[name][0](zs[-1]))
        y_hat = activations[-1]
        if loss == "mse":
            slope = 1 if bug == "fprime_output" else F[out][1](zs[-1], y_hat)
            delta = 2 * (y_hat - y) / len(y) * slope
        else:
            delta = y_hat - y
        grad_w, grad_b = [None] * len(weights), [None] * len(weights)
        for i in reversed(range(len(weights))):
            grad_w[i] = delta @ activations[i].T
            if bug == "transposed":
                grad_w[i] = activations[i] @ delta.T
            grad_b[i] = 0.5 * delta if bug == "bias_grad" else delta
            if i > 0:
                slope = 1 if bug == "fprime_hidden" else F[activation][1](zs[i - 1], activations[i])
                delta = (weights[i].T @ delta) * slope
        return planted(bug, grad_w, grad_b)
    return backprop


def row_backprop(activation="sigmoid", loss="mse", bug=None):
    """The engine's convention: weights[i] (n_in, n_out), 1-D vectors, one example."""
    def backprop(weights, biases, x, y):
        out = output_of(activation, loss, len(y))
        fs = [activation] * (len(weights) - 1) + [out]
        a, zs, acts = x, [], [x]
        for W, b, name in zip(weights, biases, fs):
            zs.append(a @ W + (0 if bug == "no_bias" else b))
            a = softmax(zs[-1][:, None])[:, 0] if name == "softmax" else F[name][0](zs[-1])
            acts.append(a)
        if loss == "mse":
            slope = 1 if bug == "fprime_output" else F[out][1](zs[-1], a)
            delta = 2 * (a - y) / len(y) * slope
        else:
            delta = a - y
        grad_w, grad_b = [None] * len(weights), [None] * len(weights)
        for i in reversed(range(len(weights))):
            outer = np.outer(acts[i], delta)
            grad_w[i] = outer.T if bug == "transposed" else outer
            grad_b[i] = 0.5 * delta if bug == "bias_grad" else delta
            if i > 0:
                slope = 1 if bug == "fprime_hidden" else F[activation][1](zs[i - 1], acts[i])
                delta = (weights[i] @ delta) * slope
        return planted(bug, grad_w, grad_b)
    return backprop


def planted(bug, grad_w, grad_b):
    scale = {"sign": -1.0, "half": 0.5, "triple": 3.0}.get(bug, 1.0)
    grad_w, grad_b = [scale * g for g in grad_w], [scale * g for g in grad_b]
    if bug == "layers":
        return grad_w[1:], grad_b
    if bug == "flat":
        return [g.ravel() for g in grad_w], grad_b
    return grad_w, grad_b


BACKPROPS = {"column": column_backprop, "row": row_backprop}
SHAPES = [(2, 3, 1), (3, 4, 2), (2, 1), (2, 3, 3, 2), (1, 2, 4, 3)]


@pytest.mark.parametrize("convention", ["column", "row"])
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("activation", list(F))
def test_a_correct_implementation_passes(activation, loss, convention):
    for shape in SHAPES:
        result = grade(BACKPROPS[convention](activation, loss), shape, activation, loss, convention,
                       cases=8, seed=len(shape))
        assert result.ok and result.diagnosis is None and result.case is None, result.message
        assert result.message == "All 8 cases agree with the engine's backprop."


def numbers_in(message):
    number = r"(-?\d+(?:\.\d+)?(?:e[+-]\d+)?)"
    return [float(v) for v in re.findall(f"is {number} where the engine's backprop gives {number}",
                                         message)[0]]


def replay(result, backprop, convention):
    """The learner's gradients on the failing case, as arrays."""
    case = result.case
    args = [[np.array(w) for w in case["weights"]], [np.array(b) for b in case["biases"]],
            np.array(case["x"]), np.array(case["y"])]
    return backprop(*args)


BUGS = [("fprime_hidden", "forgot_derivative"), ("fprime_output", "forgot_derivative"),
        ("sign", "sign"), ("half", "half_mse"), ("transposed", "transposed"),
        ("bias_grad", "bias"), ("no_bias", "bias"), ("triple", "other")]


@pytest.mark.parametrize("convention", ["column", "row"])
@pytest.mark.parametrize("bug, diagnosis", BUGS, ids=[b for b, _ in BUGS])
def test_each_planted_bug_is_named_with_the_first_failing_case(bug, diagnosis, convention):
    for activation in ("sigmoid", "tanh", "relu"):
        for shape in [(2, 3, 1), (3, 2, 2), (2, 2, 2, 2)]:
            buggy = BACKPROPS[convention](activation, "mse", bug)
            result = grade(buggy, shape, activation, "mse", convention, cases=20, seed=3)
            assert not result.ok and result.diagnosis == diagnosis, (activation, shape, result)
            assert result.message.endswith(EXPLANATIONS[diagnosis])
            assert result.message.startswith(f"Case {result.case['index'] + 1} of 20: ")
            # Every earlier case passes; this one fails, and re-running it gives the numbers.
            earlier = result.case["index"]
            assert earlier == 0 or grade(buggy, shape, activation, "mse", convention, earlier, 3).ok
            correct = BACKPROPS[convention](activation, "mse")
            grad_w, grad_b = replay(result, buggy, convention)
            true_w, true_b = replay(result, correct, convention)
            if diagnosis == "transposed":
                i = int(re.search(r"grad_weights\[(\d)\]", result.message).group(1))
                assert np.allclose(np.asarray(grad_w[i]).T, true_w[i])
                assert grad_w[i].shape != true_w[i].shape or not np.allclose(grad_w[i], true_w[i])
                continue
            layer, kind, index = re.search(r"layer (\d) \([^)]*\): (grad_\w+)\[\d\]((?:\[\d\])+)",
                                           result.message).groups()
            got, want = numbers_in(result.message)
            where = (int(layer), *map(int, re.findall(r"\d", index)))
            learner, truth = (grad_w, true_w) if kind == "grad_weights" else (grad_b, true_b)
            assert np.asarray(learner[where[0]])[where[1:]] == pytest.approx(got, rel=1e-5)
            assert np.asarray(truth[where[0]])[where[1:]] == pytest.approx(want, rel=1e-5)
            assert got != pytest.approx(want, rel=1e-3)
            if bug == "triple":
                assert "Every gradient is 3 times the engine's." in result.message


def test_relu_without_f_prime_passes_the_cases_where_every_z_is_positive():
    """The bug only shows in a case with a negative z: the message points at that case."""
    buggy = column_backprop("relu", bug="fprime_hidden")
    result = grade(buggy, (2, 3, 1), "relu", cases=50)
    assert result.diagnosis == "forgot_derivative"
    case = result.case
    z = np.array(case["weights"][0]) @ np.array(case["x"]) + np.array(case["biases"][0])
    assert (z < 0).any()
    earlier = result.case["index"]       # the same seed draws the same first cases
    assert earlier == 0 or grade(buggy, (2, 3, 1), "relu", cases=earlier).ok


def test_halved_cross_entropy_gradients_are_not_called_half_mse():
    result = grade(row_backprop("tanh", "cross_entropy", "half"), (2, 3, 3), "tanh",
                   "cross_entropy", "row")
    assert result.diagnosis == "other" and "Every gradient is 0.5 times" in result.message
    result = grade(row_backprop("tanh", "cross_entropy", "sign"), (2, 3, 3), "tanh",
                   "cross_entropy", "row")
    assert result.diagnosis == "sign"


@pytest.mark.parametrize("bug", ["layers", "flat"])
def test_wrong_shapes_are_named(bug):
    result = grade(column_backprop(bug=bug), (2, 3, 2))
    assert result.diagnosis == "shape" and result.case["index"] == 0
    if bug == "layers":
        assert "two lists of 2 arrays; it returned a tuple of 2: (1, 2)" in result.message
    else:
        assert ("grad_weights[0] has shape (6,); it must be shaped like weights[0], (3, 2)."
                in result.message)
    assert grade(lambda w, b, x, y: None).diagnosis == "shape"
    assert grade(lambda w, b, x, y: ([[1, 2], [3]], b)).diagnosis == "shape"   # ragged


def test_biases_may_come_back_as_columns_or_flat_and_inputs_are_fresh_copies():
    def flat_biases(weights, biases, x, y):
        grad_w, grad_b = column_backprop()(weights, biases, x, y)
        for W in weights:      # a learner who edits the inputs changes nothing for grade
            W += 1.0
        return grad_w, [g.ravel() for g in grad_b]
    assert grade(flat_biases).ok
    seen = []

    def recording(weights, biases, x, y):
        seen.append((weights[0].copy(), x.shape, y.shape, biases[0].shape))
        return column_backprop()(weights, biases, x, y)
    grade(recording, (2, 3, 1), cases=3, seed=5)
    assert [s[1:] for s in seen] == [((2, 1), (1, 1), (3, 1))] * 3
    again = []
    grade(lambda *a: again.append(a[0][0].copy()) or column_backprop()(*a), (2, 3, 1),
          cases=3, seed=5)
    assert all(np.array_equal(s[0], w) for s, w in zip(seen, again))       # same seed, same cases
    assert not np.array_equal(seen[0][0], seen[1][0])


def test_an_error_in_the_learners_code_is_raised_with_the_case():
    def broken(weights, biases, x, y):
        return weights[1] @ weights[1]         # (2, 3) @ (2, 3) does not multiply
    with pytest.raises(ValueError) as error:
        grade(broken, (2, 3, 2))
    assert "backprop raised on case 1 of grade's cases" in "".join(error.value.__notes__)


def column_forward(bug=None, activation="sigmoid"):
    def forward(weights, biases, x):
        f = F[activation][0]
        for W, b in zip(weights, biases):
            z = W @ x + (0 if bug == "no_bias" else b)
            x = z if bug == "no_activation" else f(z)
        return x[:, 0] if bug == "flat" else x.T if bug == "row_vector" else x
    return forward


@pytest.mark.parametrize("bug, diagnosis", [(None, None), ("flat", None), ("row_vector", None),
                                            ("no_bias", "forgot_bias"),
                                            ("no_activation", "activation_not_applied")])
def test_grade_forward(bug, diagnosis):
    for activation in ("sigmoid", "tanh"):
        result = grade_forward(column_forward(bug, activation), (2, 3, 2), activation)
        assert result.diagnosis == diagnosis and result.ok == (diagnosis is None), result.message
        if diagnosis:
            assert result.message.endswith(EXPLANATIONS[diagnosis]) and "y" not in result.case
            assert re.search(r"output\[\d\] is -?[\d.]+ where the network gives -?[\d.]+\.",
                             result.message)
    row = grade_forward(lambda w, b, x: F["tanh"][0](F["tanh"][0](x @ w[0] + b[0]) @ w[1] + b[1]),
                        (3, 4, 1), "tanh", convention="row")
    assert row.ok
    shape = grade_forward(lambda w, b, x: np.zeros(3), (2, 3, 2))
    assert shape.diagnosis == "shape" and "(2, 1)" in shape.message


@pytest.mark.parametrize("kwargs, field", [
    ({"backprop": "def backprop(): ..."}, "backprop"),
    ({"layer_sizes": (2,)}, "layer_sizes"),
    ({"layer_sizes": (2, 0, 1)}, "layer_sizes[1]"),
    ({"activation": "softmax"}, "activation"),
    ({"activation": "step"}, "activation"),
    ({"loss": "bce"}, "loss"),
    ({"convention": "diagonal"}, "convention"),
    ({"cases": 0}, "cases"),
    ({"cases": 1001}, "cases"),
    ({"seed": -1}, "seed"),
])
def test_bad_arguments_are_refused_by_name(kwargs, field):
    args = {"backprop": column_backprop(), **kwargs}
    with pytest.raises(ConfigError) as error:
        grade(**args)
    assert error.value.field == field


def test_readme_practice_example_runs_and_prints_what_it_says():
    text = README.read_text(encoding="utf-8")
    heading = re.search(r"^### Practice.*$", text, re.M)
    assert heading, "README.md has no Practice section"
    block = re.compile(r"```python\n(.*?)```", re.S).search(text, heading.end())
    code, after = block.group(1), text[block.end():]
    assert "def backprop(weights, biases, x, y)" in code and "grade(backprop)" in code
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README) + ":practice", "exec"), {"__name__": "readme_practice"})
    printed = out.getvalue().splitlines()
    claim = re.match(r"\s*prints (.*?)(?:\n\n|$)", after, re.S).group(1)
    expected = re.findall(r"`([^`]+)`", claim.replace("\n", " "))
    assert expected == printed
