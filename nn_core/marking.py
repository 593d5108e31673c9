"""Marking one answer: what it should be, given the learner's own numbers, and which mistake it is.

`Worked` holds an exercise as arrays with the true value of every quantity (from the textbook
path: `textbook.forward` / `backward`, the registered activations and losses) and the learner's
answers. A quantity's rule gives its *expected* value from the learner's answers for what it
directly depends on (the true values where not given), and what each known mistake gives:

    z = Σ w·a_prev + b           from the answered a of the layer before   forgot_bias
    a = f(z)                     from the answered z of the layer          activation_not_applied
    L = loss(ŷ, y)               from the answered ŷ                       half_mse
    δ_out = ∂L/∂z                from the answered ŷ (z where f′ needs it) forgot_derivative,
                                                                            half_mse, sign
    δ = (Σ w·δ_next)·f′(z)       from the answered next δ and z            forgot_derivative, sign
    ∂L/∂w = a_prev·δ, ∂L/∂b = δ  from the answered a and δ                 sign
    w − α·∂L/∂w, b − α·∂L/∂b     from the answered gradient                sign,
                                                                            forgot_learning_rate

Every word the learner reads (prompts, equations, hints, explanations) is in the table `TEXT`
and its neighbours below.
"""

import re

import numpy as np

from . import textbook
from .activations import ACTIVATIONS, OUTPUT_ONLY
from .losses import LOSSES

# An answer is correct when |answer − expected| ≤ max(RELATIVE·|expected|, ABSOLUTE).
RELATIVE_TOLERANCE = 0.01
ABSOLUTE_TOLERANCE = 1e-4


# Every word the learner reads. Hints are the equation with the learner's numbers in place and
# the result left as "?"; explanations say a diagnosed mistake in one sentence.
TEXT = {
    "z": {"prompt": "z of {neuron}",
          "equation": "z = Σⱼ wⱼ·{inp}ⱼ + b: each input times its weight, summed, plus the bias",
          "hint": "z = {terms} + {b} = ?"},
    "a": {"prompt": "{a} of {neuron}", "equation": "{a} = f(z) = {formula}",
          "hint": "{a} = {value} = ?"},
    "loss": {"prompt": "the loss L", "equation": "L = {formula}", "hint": "L = {value} = ?"},
    "delta": {"prompt": "δ = ∂L/∂z of {neuron}",
              "output": "δ = ∂L/∂ŷ · f′(z), with ∂L/∂ŷ = {gradient} and f′(z) = {derivative}",
              "fused": "δ = ∂L/∂z = {fused} (the loss's and the activation's derivatives combined)",
              "equation": "δ = (Σₖ wₖ·δₖ)·f′(z): the next layer's δ sent back through the "
                          "weights, times f′(z) = {derivative}",
              "hint": "δ = ({terms})·[{derivative}] = ?", "hint_output": "δ = {value} = ?"},
    "dW": {"prompt": "∂L/∂w of the weight from {source} to {neuron}",
           "equation": "∂L/∂w = {inp}ⱼ·δₖ: the input the weight carries times the δ of the "
                       "neuron it feeds",
           "hint": "∂L/∂w = {inp}·δ = {a}·{delta} = ?"},
    "db": {"prompt": "∂L/∂b of the bias of {neuron}", "equation": "∂L/∂b = δ",
           "hint": "∂L/∂b = δ = ? (δ = {delta})"},
    "W_new": {"prompt": "the weight from {source} to {neuron} after one step",
              "equation": "w ← w − α·∂L/∂w (α: the learning rate)",
              "hint": "w ← w − α·∂L/∂w = {w} − {lr}·{grad} = ?"},
    "b_new": {"prompt": "the bias of {neuron} after one step",
              "equation": "b ← b − α·∂L/∂b (α: the learning rate)",
              "hint": "b ← b − α·∂L/∂b = {w} − {lr}·{grad} = ?"},
}
LOSS_HINTS = {   # L with the numbers in; any other loss shows its formula and ŷ, y
    "mse": "{squares}", "bce": "−[{y}·ln({p}) + (1 − {y})·ln(1 − {p})]",
    "softmax_ce": "−[{logs}]", "hinge": "max(0, 1 − {y}·{p})",
}
FUSED_DELTA = {"mse": "2·(ŷ − y)/k", "bce": "ŷ − y", "softmax_ce": "ŷ − y"}
EXPLANATIONS = {
    "forgot_bias": "You left out the bias: z is the weighted sum of the inputs plus b.",
    "activation_not_applied": "That is z itself: a neuron's output is a = f(z), its activation "
                              "applied to z.",
    "half_mse": "That is the ½·(y − ŷ)² convention: this loss is the mean of (y − ŷ)² over the "
                "outputs, with no ½, so its derivative is 2·(ŷ − y)/k.",
    "forgot_derivative": "You stopped at ∂L/∂a: δ = ∂L/∂z also multiplies by the activation's "
                         "derivative f′(z).",
    "sign": "Right size, wrong sign: δ grows with ŷ − y (not y − ŷ), and a step goes against the "
            "gradient, w − α·∂L/∂w.",
    "forgot_learning_rate": "You subtracted the whole gradient: a step is the gradient times the "
                            "learning rate, w − α·∂L/∂w.",
    "transposed": "The weight gradient is transposed: it has the shape of the weights, "
                  "δ·aᵀ for weights (n_out, n_in), aᵀ·δ for weights (n_in, n_out).",
    "bias": "The biases are off: ∂L/∂b = δ, the same δ as in ∂L/∂W, and the forward pass adds "
            "b to every z.",
    "shape": "Return one array per layer, shaped like that layer's weights or biases.",
    "other": "These differ from the true gradients in no pattern we know: compare your code "
             "with the equations, layer by layer.",
    None: "Not what the equation gives, nor a slip we know: work it through with the hint.",
}
# Activations that couple a layer's outputs (softmax: each a from every z, no elementwise f′).
_COUPLED = OUTPUT_ONLY


# ------------------------------------------------------------------ the worked example
class Worked:
    """A validated exercise as arrays, its true values, and the learner's answers so far."""

    def __init__(self, ex):
        self.ex = ex
        self.W = [np.array(W, dtype=float) for W in ex["W"]]
        self.b = [np.array(b, dtype=float) for b in ex["b"]]
        self.f = [ACTIVATIONS.get(name)() for name in ex["activations"]]
        self.loss = LOSSES.get(ex["loss"])()
        self.lr = ex["learning_rate"]
        self.x = np.array(ex["x"], dtype=float)
        self.t = np.array(ex["target"], dtype=float)
        self.n = len(self.W)
        with np.errstate(all="ignore"):
            z, a = textbook.forward(self.W, self.b, self.f, self.x[None, :])
            _, delta, dW, db = textbook.backward(self.W, self.f, z, a, self.x[None, :],
                                                 self.t[None, :], self.loss)
            self.true = {"z": [v[0] for v in z], "a": [v[0] for v in a],
                         "loss": float(self.loss.value(z[-1], a[-1], self.t[None, :])),
                         "delta": [v[0] for v in delta], "dW": dW, "db": db,
                         "W_new": [W - self.lr * g for W, g in zip(self.W, dW)],
                         "b_new": [b - self.lr * g for b, g in zip(self.b, db)]}
        self.given = {}   # (quantity, layer) -> {index: the learner's number}

    def value(self, where):
        quantity, layer, index = where
        return self.true["loss"] if quantity == "loss" else float(self.true[quantity][layer][index])

    def mixed(self, quantity, layer):
        """The true values of one layer's quantity, with the learner's answers put in."""
        if quantity == "a" and layer < 0:
            return self.x
        values = self.true[quantity][layer].copy()
        for index, number in self.given.get((quantity, layer), {}).items():
            values[index] = number
        return values


# ------------------------------------------------------------------ the rules, one per quantity
# Each returns (expected, [(diagnosis, what that mistake gives), ...], hint) for one answer.
def _rule_z(work, i, k):
    inputs, weights, bias = work.mixed("a", i - 1), work.W[i][:, k], work.b[i][k]
    weighted = float(inputs @ weights)
    terms = " + ".join(f"{_num(w, True)}·{_num(a, True)}" for w, a in zip(weights, inputs))
    hint = TEXT["z"]["hint"].format(terms=terms, b=_num(bias, True))
    return weighted + bias, [("forgot_bias", weighted)], hint


def _rule_a(work, i, k):
    z, f = work.mixed("z", i), work.f[i]
    expected = float(f.forward(z[None, :])[0, k])
    if f.name in _COUPLED:
        value = f"e^{_power(z[k])} / ({' + '.join(f'e^{_power(v)}' for v in z)})"
    else:
        value = _substitute(f.formula.split(" = ")[-1], z[k])
    hint = TEXT["a"]["hint"].format(a="ŷ" if i == work.n - 1 else "a", value=value)
    return expected, [("activation_not_applied", float(z[k]))], hint


def _rule_loss(work, _layer):
    out, loss, t = work.n - 1, work.loss, work.t
    p = work.mixed("a", out)
    z = _logits_of(loss.name, p) if ("a", out) in work.given else work.true["z"][out]
    if z is None:    # no logits give these outputs (e.g. ŷ ≥ 1 under bce): nothing to carry
        p, z = work.true["a"][out], work.true["z"][out]
    expected = float(loss.value(z[None, :], p[None, :], t[None, :]))
    mistakes = []
    if loss.name == "mse":
        half = 0.5 * float(np.sum((p - t) ** 2))
        mistakes = [("half_mse", half), ("half_mse", half / len(p))]
    return expected, mistakes, TEXT["loss"]["hint"].format(value=_loss_words(loss, p, t))


def _rule_delta(work, i, k):
    f, z = work.f[i], work.mixed("z", i)
    if i == work.n - 1:
        return _output_delta(work, f, z, k)
    ahead = work.mixed("delta", i + 1)
    weights = work.W[i + 1][k, :]
    back = float(weights @ ahead)
    expected = back * float(f.derivative(z)[k])
    terms = " + ".join(f"{_num(w, True)}·{_num(d, True)}" for w, d in zip(weights, ahead))
    hint = TEXT["delta"]["hint"].format(terms=terms, derivative=_substitute(
        ACTIVATIONS.info(f.name)["derivative"], z[k]))
    return expected, [("forgot_derivative", back), ("sign", -expected)], hint


def _output_delta(work, f, z, k):
    loss, p, t = work.loss, work.mixed("a", work.n - 1), work.t
    row = (z[None, :], p[None, :])
    expected = float(loss.grad_z(*row, t[None, :], f)[0, k])
    mistakes = [("forgot_derivative", float(loss.grad_a(p[None, :], t[None, :])[0, k]))]
    if loss.name == "mse":   # dL/dŷ of ½Σ(y − ŷ)² and of ½·mean, through f′ as the true one
        for scale in (1.0, 1.0 / len(p)):
            mistakes.append(("half_mse", float(f.backward(*row, (p - t)[None, :] * scale)[0, k])))
    mistakes.append(("sign", -expected))
    gradient = (f"2·({_num(p[k])} − {_num(t[k], True)})/{len(p)}" if loss.name == "mse"
                else _num(loss.grad_a(p[None, :], t[None, :])[0, k], True))
    if loss.fused_with == f.name and loss.name in FUSED_DELTA:
        value = (gradient if loss.name == "mse" else f"{_num(p[k])} − {_num(t[k], True)}")
    elif f.name in _COUPLED:
        g = ", ".join(_num(v) for v in loss.grad_a(p[None, :], t[None, :])[0])
        value = (f"Σⱼ ∂L/∂ŷⱼ·ŷⱼ·([j = k] − ŷₖ) with ∂L/∂ŷ = ({g}), "
                 f"ŷ = ({', '.join(_num(v) for v in p)})")
    else:
        value = f"[{gradient}]·[{_substitute(ACTIVATIONS.info(f.name)['derivative'], z[k])}]"
    return expected, mistakes, TEXT["delta"]["hint_output"].format(value=value)


def _rule_dW(work, i, j, k):
    a, delta = float(work.mixed("a", i - 1)[j]), float(work.mixed("delta", i)[k])
    expected = a * delta
    hint = TEXT["dW"]["hint"].format(inp="x" if i == 0 else "a", a=_num(a, True),
                                     delta=_num(delta, True))
    return expected, [("sign", -expected)], hint


def _rule_db(work, i, k):
    delta = float(work.mixed("delta", i)[k])
    return delta, [("sign", -delta)], TEXT["db"]["hint"].format(delta=_num(delta))


def _step(work, quantity, old, grad):
    lr = work.lr
    hint = TEXT[quantity]["hint"].format(w=_num(old), lr=_num(lr), grad=_num(grad, True))
    return old - lr * grad, [("sign", old + lr * grad), ("forgot_learning_rate", old - grad)], hint


def _rule_W_new(work, i, j, k):
    return _step(work, "W_new", work.W[i][j, k], float(work.mixed("dW", i)[j, k]))


def _rule_b_new(work, i, k):
    return _step(work, "b_new", work.b[i][k], float(work.mixed("db", i)[k]))


_RULES = {"z": _rule_z, "a": _rule_a, "loss": _rule_loss, "delta": _rule_delta, "dW": _rule_dW,
          "db": _rule_db, "W_new": _rule_W_new, "b_new": _rule_b_new}


def _close(answer, expected):
    return bool(np.isfinite(expected) and abs(answer - expected) <= max(
        RELATIVE_TOLERANCE * abs(expected), ABSOLUTE_TOLERANCE))


def _logits_of(loss_name, p):
    """Logits z giving the outputs p, for the losses computed from z; None when none do."""
    if loss_name == "bce":
        return np.log(p) - np.log1p(-p) if np.all((p > 0) & (p < 1)) else None
    if loss_name == "softmax_ce":
        return np.log(p) if np.all(p > 0) else None
    return p    # the other losses read ŷ only


def _loss_words(loss, p, t):
    """The loss with the learner's ŷ and the target in its place."""
    template = LOSS_HINTS.get(loss.name)
    if template is None:
        return (f"{LOSSES.info(loss.name)['formula']} with ŷ = ({', '.join(map(_num, p))}), "
                f"y = ({', '.join(map(_num, t))})")
    squares = " + ".join(f"({_num(pk)} − {_num(tk, True)})²" for pk, tk in zip(p, t))
    if len(p) > 1:
        squares = f"({squares})/{len(p)}"
    logs = " + ".join(f"{_num(tk)}·ln({_num(pk)})" for pk, tk in zip(p, t))
    return template.format(squares=squares, logs=logs, y=_num(t[0]), p=_num(p[0]))


# ------------------------------------------------------------------ numbers and names in words
def _num(value, parenthesised=False):
    """A number as a learner writes it: 4 significant digits, a real minus sign, and brackets
    around a negative number inside a product or sum."""
    text = f"{float(value):.4g}"
    if text in ("-0", "0"):
        return "0"
    if text.startswith("-"):
        text = "−" + text[1:]
        return f"({text})" if parenthesised else text
    return text


def _power(z):
    return f"({_num(z)})" if z < 0 or "e" in f"{z:.4g}" else _num(z)


def _substitute(formula, z):
    """`formula` in z with the number z in its place."""
    return re.sub(r"(?<![A-Za-z_])z(?![A-Za-z_])", _num(z, True), formula)


def neuron_name(ex, layer, k):
    """Neurons named as the page names them: "layer 1, neuron 2", "the output", "output 1"."""
    n_out = ex["layer_sizes"][-1]
    if layer < len(ex["layer_sizes"]) - 2:
        return f"layer {layer + 1}, neuron {k + 1}"
    if n_out == 1:
        return "the output"
    return f"output {k} (class {k})" if ex["loss"] == "softmax_ce" else f"output {k + 1}"


def source_name(layer, j):
    return f"input x{j + 1}" if layer == 0 else f"layer {layer}, neuron {j + 1}"


def mark(work, where, number):
    """{"correct", "expected", "diagnosis", "explanation", "hint"} of the answer `number` to the
    question `where` = (quantity, layer, index), with `work.given` holding every answer."""
    quantity, layer, index = where
    with np.errstate(all="ignore"):
        expected, mistakes, hint = _RULES[quantity](work, layer, *index)
    correct = _close(number, expected)
    diagnosis = None
    if not correct:   # (a mistake that gives the right number too is no diagnosis)
        diagnosis = next((name for name, wrong in mistakes
                          if not _close(wrong, expected) and _close(number, wrong)), None)
    return {"correct": correct, "expected": float(expected) if np.isfinite(expected) else None,
            "diagnosis": diagnosis, "explanation": None if correct else EXPLANATIONS[diagnosis],
            "hint": hint}
