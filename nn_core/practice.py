"""Practice: exercises a learner works by hand, checked number by number.

One example through a small network, every quantity in the order it is computed:

    forward:   z_i = a_{i−1} W_i + b_i,   a_i = f_i(z_i)            (a_{−1} = x, ŷ = a_{L−1})
    loss:      L = loss(ŷ, y)
    backward:  δ_{L−1} = ∂L/∂z_{L−1},   δ_i = (δ_{i+1} W_{i+1}ᵀ) ⊙ f_i′(z_i)
               ∂L/∂W_i = a_{i−1}ᵀ δ_i,   ∂L/∂b_i = δ_i
    update:    W_i ← W_i − α ∂L/∂W_i,   b_i ← b_i − α ∂L/∂b_i      (data loss only)

The true values are the textbook path's (`textbook.forward` / `backward` with the registered
activations and losses), so practice and Inspect never disagree. `check` marks answers with
carry-forward: a quantity is expected to follow from the learner's *own* answers for what it
directly depends on, so one early slip costs one mark, not every mark after it. A wrong answer
that equals what a known mistake gives is named (`diagnosis`): `marking.py` holds the rules
and every word the learner reads. `grading.grade` checks a learner's whole backprop function.

An exercise is a JSON-safe dict (`EXERCISE_KEYS`); answer keys, with i the weight layer from 0,
j an input and k a neuron of that layer: `z.i.k`, `a.i.k`, `loss`, `delta.i.k`, `dW.i.j.k`,
`db.i.k`, `W_new.i.j.k`, `b_new.i.k`.
"""

import sys

import numpy as np

from .activations import ACTIVATIONS, OUTPUT_ONLY
from .errors import ConfigError, check_number
from .losses import LOSSES
from .marking import FUSED_DELTA, TEXT, Worked, mark, neuron_name, source_name
from .network import resolve_output
from .seeds import check_seed
from .trainer import LEARNING_RATE_RANGE

# A drawn exercise is worked with a calculator: at most 3 weight layers of at most 4 neurons.
HAND_MAX_LAYERS = 3
HAND_MAX_NEURONS = 4
# Any exercise, e.g. from_trace of a session's network: the largest network the server builds
# with its default limits (app/limits.py: 8 hidden layers of up to 64 neurons, then the output).
MAX_LAYERS = 9
MAX_NEURONS = 64
# Every weight, bias, input and target of an exercise (Network.set_weight's bound).
VALUE_LIMIT = 1e6

EXERCISE_KEYS = ("layer_sizes", "activations", "loss", "learning_rate", "W", "b", "x", "target")
# Quantities in computation order per stage; a neuron's take "i.k", a weight's "i.j.k".
WEIGHT_QUANTITIES = ("dW", "W_new")
QUANTITIES = ("z", "a", "loss", "delta", "dW", "db", "W_new", "b_new")
# How many times a seed redraws before giving up on a hand-friendly exercise (never needed yet).
_DRAWS = 100
# Every |z| of a drawn exercise is at least this: no ReLU kink at 0, no bias hidden in rounding.
_MIN_HAND_Z = 0.05


def exercise(seed=0, layer_sizes=(2, 2, 1), activation="sigmoid", problem="regression",
             learning_rate=0.5):
    """A hand-computable exercise: weights, biases, inputs in tenths of [−1, 1] (never 0).

    `activation` is the hidden layers'; the output's and the loss follow from `problem` as for a
    `Network` (regression: linear + mse, binary: sigmoid + bce, multiclass: softmax +
    softmax_ce). The same arguments give the same exercise.
    """
    seed = check_seed(seed)
    sizes = _check_sizes("layer_sizes", layer_sizes, HAND_MAX_LAYERS, HAND_MAX_NEURONS)
    hidden = _check_hidden("activation", activation)
    problem, output, loss = resolve_output(sizes[-1], None, None, problem)
    learning_rate = check_number("learning_rate", learning_rate, *LEARNING_RATE_RANGE)
    activations = [hidden] * (len(sizes) - 2) + [output]
    rng = np.random.default_rng(seed)
    for _ in range(_DRAWS):
        ex = {"layer_sizes": sizes, "activations": activations, "loss": loss,
              "learning_rate": learning_rate,
              "W": [_tenths(rng, (n_in, n_out)) for n_in, n_out in zip(sizes, sizes[1:])],
              "b": [_tenths(rng, n) for n in sizes[1:]], "x": _tenths(rng, sizes[0]),
              "target": _draw_target(rng, problem, sizes[-1])}
        if all(np.abs(z).min() >= _MIN_HAND_Z for z in Worked(ex).true["z"]):
            break
    return ex


def from_trace(traced):
    """The exercise of a `textbook.trace` (the session's own network and point, full precision;
    the data loss only, without regularization). Raises ConfigError when it is too large."""
    layers = traced["layers"]
    sizes = [len(traced["x"])] + [len(step["b"]) for step in layers]
    _check_sizes("exercise.layer_sizes", sizes, MAX_LAYERS, MAX_NEURONS)   # before copying W
    ex = {"layer_sizes": sizes,
          "activations": [step["activation"] for step in layers],
          "loss": traced["loss_name"], "learning_rate": float(traced["learning_rate"]),
          "W": [np.asarray(step["W"], float).tolist() for step in layers],
          "b": [np.asarray(step["b"], float).tolist() for step in layers],
          "x": np.asarray(traced["x"], float).tolist(),
          "target": np.asarray(traced["target"], float).tolist()}
    return validate_exercise(ex)


def validate_exercise(ex):
    """A clean copy of an untrusted exercise (plain lists of floats), or ConfigError naming the
    field (`exercise.W[1][0][2]`) and what is allowed. Checks every size before reading numbers:
    at most MAX_LAYERS weight layers of at most MAX_NEURONS, every number finite and within
    ±VALUE_LIMIT, known activation and loss names that fit together, targets the loss takes."""
    if not isinstance(ex, dict):
        raise ConfigError("exercise", "expected an object", list(EXERCISE_KEYS))
    for key in ex:
        if key not in EXERCISE_KEYS:
            raise ConfigError(f"exercise.{_shown(key)}", "unknown key", list(EXERCISE_KEYS))
    for key in EXERCISE_KEYS:
        if key not in ex:
            raise ConfigError(f"exercise.{key}", "required", list(EXERCISE_KEYS))
    sizes = _check_sizes("exercise.layer_sizes", ex["layer_sizes"], MAX_LAYERS, MAX_NEURONS)
    n = len(sizes) - 1
    names = _list("exercise.activations", ex["activations"], n)
    for i, name in enumerate(names[:-1]):
        _check_hidden(f"exercise.activations[{i}]", name)
    output = names[-1]
    ACTIVATIONS.get(output, f"exercise.activations[{n - 1}]")
    loss = LOSSES.get(ex["loss"], "exercise.loss")
    _check_output(loss, output, sizes[-1], n)
    clean = {
        "layer_sizes": sizes, "activations": list(names), "loss": loss.name,
        "learning_rate": check_number("exercise.learning_rate", ex["learning_rate"], 0.0,
                                      LEARNING_RATE_RANGE[1]),
        "W": [[_numbers(f"exercise.W[{i}][{j}]", row, n_out)
               for j, row in enumerate(_list(f"exercise.W[{i}]", W, n_in))]
              for i, (W, n_in, n_out) in enumerate(zip(_list("exercise.W", ex["W"], n),
                                                       sizes, sizes[1:]))],
        "b": [_numbers(f"exercise.b[{i}]", b, n_out)
              for i, (b, n_out) in enumerate(zip(_list("exercise.b", ex["b"], n), sizes[1:]))],
        "x": _numbers("exercise.x", ex["x"], sizes[0]),
        "target": _numbers("exercise.target", ex["target"], sizes[-1]),
    }
    _check_target(loss.name, clean["target"])
    return clean


def questions(ex):
    """Every quantity in the order it is computed: `{"key", "quantity", "layer", "neuron",
    "input", "prompt", "equation"}` (`layer`, `neuron` and `input` are indices from 0 or None;
    `input` only for a weight's quantities), each equation in words and symbols, no numbers."""
    ex = validate_exercise(ex)
    sizes, names, loss = ex["layer_sizes"], ex["activations"], LOSSES.get(ex["loss"])
    n = len(sizes) - 1
    found = []

    def ask(quantity, layer=None, neuron=None, source=None, **words):
        key = ".".join(str(p) for p in (quantity, layer, source, neuron) if p is not None)
        text = TEXT[quantity]
        where = {"neuron": neuron_name(ex, layer, neuron) if neuron is not None else "",
                 "source": source_name(layer, source) if source is not None else "",
                 "inp": "x" if layer == 0 else "a",
                 "a": "ŷ = a" if layer == n - 1 else "a"}
        found.append({"key": key, "quantity": quantity, "layer": layer, "neuron": neuron,
                      "input": source, "prompt": text["prompt"].format(**where),
                      "equation": words.pop("equation", text["equation"]).format(**where, **words)})

    for i in range(n):
        formula = ACTIVATIONS.info(names[i])["formula"]
        for k in range(sizes[i + 1]):
            ask("z", i, k)
        for k in range(sizes[i + 1]):
            ask("a", i, k, formula=formula)
    ask("loss", formula=LOSSES.info(loss.name)["formula"])
    for i in range(n - 1, -1, -1):
        derivative = ACTIVATIONS.info(names[i])["derivative"]
        for k in range(sizes[i + 1]):
            if i < n - 1:
                ask("delta", i, k, derivative=derivative)
            elif loss.fused_with == names[i]:
                ask("delta", i, k, equation=TEXT["delta"]["fused"], fused=FUSED_DELTA.get(
                    loss.name, "c·(ŷ − y)"))
            else:
                ask("delta", i, k, equation=TEXT["delta"]["output"], derivative=derivative,
                    gradient=LOSSES.info(loss.name)["gradient"])
        for j in range(sizes[i]):
            for k in range(sizes[i + 1]):
                ask("dW", i, k, j)
        for k in range(sizes[i + 1]):
            ask("db", i, k)
    for i in range(n):
        for j in range(sizes[i]):
            for k in range(sizes[i + 1]):
                ask("W_new", i, k, j)
        for k in range(sizes[i + 1]):
            ask("b_new", i, k)
    return found


def solution(ex):
    """{key: true value} of every question, in question order (what "Reveal" shows)."""
    work = Worked(validate_exercise(ex))
    return {q["key"]: work.value((q["quantity"], q["layer"], tuple(
        p for p in (q["input"], q["neuron"]) if p is not None))) for q in questions(ex)}


def check(ex, answers):
    """Mark `answers` ({key: number}, any subset of the questions' keys) with carry-forward.

    Returns `{"results": {key: {"correct", "expected", "diagnosis", "explanation", "hint"}},
    "all_correct"}`: `expected` follows from the learner's own answers where given (None when
    that overflows), `diagnosis` names a known mistake the answer equals (else None) and
    `explanation` says it in a sentence (None when correct); `hint` is the equation with the
    learner's numbers. `all_correct` is False when nothing was answered.
    """
    work = Worked(validate_exercise(ex))
    if not isinstance(answers, dict):
        raise ConfigError("answers", "expected an object of key: number", "keys of questions()")
    parsed = []
    for key, value in answers.items():
        where = _parse_key(key, work)
        number = check_number(f"answers[{_shown(key)}]", value, -sys.float_info.max,
                              sys.float_info.max)
        work.given.setdefault(where[:2], {})[where[2]] = number
        parsed.append((key, where, number))
    results = {key: mark(work, where, number) for key, where, number in parsed}
    return {"results": results,
            "all_correct": bool(results) and all(r["correct"] for r in results.values())}


def _parse_key(key, work):
    """(quantity, layer, index) of an answer key, or ConfigError naming it."""
    parts = key.split(".") if isinstance(key, str) else []
    if parts == ["loss"]:
        return "loss", None, ()
    quantity, numbers = (parts[0], parts[1:]) if parts else (None, [])
    if quantity in QUANTITIES and quantity != "loss" and all(_digits(p) for p in numbers):
        numbers = [int(p) for p in numbers]
        sizes = work.ex["layer_sizes"]
        wanted = 3 if quantity in WEIGHT_QUANTITIES else 2
        if len(numbers) == wanted and numbers[0] < work.n:
            i = numbers[0]
            limits = (sizes[i], sizes[i + 1]) if wanted == 3 else (sizes[i + 1],)
            if all(p < limit for p, limit in zip(numbers[1:], limits)):
                return quantity, i, tuple(numbers[1:])
    raise ConfigError(f"answers[{_shown(key)}]", "not a question of this exercise",
                      "the keys of questions(exercise), e.g. z.0.0, loss, dW.0.1.0")


def _digits(text):
    return text.isdigit() and text.isascii() and str(int(text)) == text


def _shown(key):
    """A key from a request, short enough to quote in an error."""
    text = key if isinstance(key, str) else repr(key)
    return text if len(text) <= 40 else text[:40] + "…"


# ------------------------------------------------------------------ validation and drawing
def _check_sizes(field, sizes, max_layers, max_neurons):
    if isinstance(sizes, (str, bytes, dict)) or not hasattr(sizes, "__len__"):
        raise ConfigError(field, "must be a list of layer widths, inputs first", "e.g. [2, 2, 1]")
    if not 2 <= len(sizes) <= max_layers + 1:
        raise ConfigError(field, f"{len(sizes)} sizes: at most {max_layers} weight layers",
                          f"2 to {max_layers + 1} sizes")
    return [check_number(f"{field}[{i}]", n, 1, max_neurons, integer=True)
            for i, n in enumerate(sizes)]


def _check_hidden(field, name):
    ACTIVATIONS.get(name, field)
    if name in OUTPUT_ONLY:
        raise ConfigError(field, f"{name!r} is for output layers only",
                          [n for n in ACTIVATIONS if n not in OUTPUT_ONLY])
    return name


def _check_output(loss, output, n_out, n_layers):
    field = f"exercise.activations[{n_layers - 1}]"
    if loss.allowed_outputs is not None and output not in loss.allowed_outputs:
        raise ConfigError(field, f"loss {loss.name!r} needs another output activation",
                          list(loss.allowed_outputs))
    if output in OUTPUT_ONLY and n_out < 2 or loss.problems == ("multiclass",) and n_out < 2:
        raise ConfigError("exercise.layer_sizes[-1]", f"{output} with {loss.name} needs one "
                          "output per class", [2, MAX_NEURONS])
    if loss.problems == ("binary",) and n_out != 1:
        raise ConfigError("exercise.layer_sizes[-1]", f"{loss.name} has one output", [1, 1])


def _check_target(loss, target):
    """The target encoded as the loss reads it: 0/1 (bce), one-hot (softmax_ce), ±1 (hinge)."""
    allowed = {"bce": (0.0, 1.0), "hinge": (-1.0, 1.0), "softmax_ce": (0.0, 1.0)}.get(loss)
    if allowed is None:
        return
    for k, value in enumerate(target):
        if value not in allowed:
            raise ConfigError(f"exercise.target[{k}]", f"{value} is not a {loss} target",
                              list(allowed))
    if loss == "softmax_ce" and sum(target) != 1:
        raise ConfigError("exercise.target", "must be one-hot: a single 1", "one 1, the rest 0")


def _list(field, value, n):
    if not isinstance(value, (list, tuple)):
        raise ConfigError(field, f"expected a list, got {type(value).__name__}", f"{n} entries")
    if len(value) != n:
        raise ConfigError(field, f"has {len(value)} entries", f"{n} entries")
    return value


def _numbers(field, values, n):
    return [check_number(f"{field}[{k}]", v, -VALUE_LIMIT, VALUE_LIMIT)
            for k, v in enumerate(_list(field, values, n))]


def _tenths(rng, shape):
    """Multiples of 0.1 in [−1, 1] without 0, as nested lists."""
    tenths = rng.integers(1, 11, size=shape) * rng.choice((-1, 1), size=shape)
    return (tenths / 10).tolist()


def _draw_target(rng, problem, n_out):
    if problem == "regression":
        return _tenths(rng, n_out)
    if problem == "binary":
        return [float(rng.integers(0, 2))]
    return np.eye(n_out)[rng.integers(0, n_out)].tolist()
