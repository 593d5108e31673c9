"""Grading a learner's own backprop (or forward pass) against the engine's.

    grade(backprop, layer_sizes=(2, 3, 1), activation="sigmoid", loss="mse",
          convention="column", cases=20, seed=0)

draws `cases` random networks and examples (weights, biases, inputs in U[−1, 1]), calls the
learner's `backprop(weights, biases, x, y) -> (grad_weights, grad_biases)` on each, and compares
with the textbook path (`textbook.forward` / `backward`). How the numbers differ names the
mistake: negated, halved or transposed gradients, or the gradients a backprop without f′ or
without biases computes; the mistake named is one every failing case fits, and the message
quotes the first failing case.

    column (the seed's, Nielsen's):  x_i = f(W_i x_{i−1} + b_i),  W_i (n_out, n_in),  x, y (n, 1)
    row (the engine's):              x_i = f(x_{i−1} W_i + b_i),  W_i (n_in, n_out),  x, y (n,)

with each b_i shaped like x (1-D gradients of the biases are accepted in both).

With loss="mse" every layer applies `activation` and L = 1/k Σ (y − ŷ)² over the k outputs;
with "cross_entropy" the output is sigmoid with a 0/1 target (one output) or softmax with a
one-hot target, and the hidden layers apply `activation`.
"""

from dataclasses import asdict, dataclass

import numpy as np

from . import textbook
from .activations import ACTIVATIONS
from .errors import ConfigError, check_number
from .losses import LOSSES
from .marking import EXPLANATIONS
from .practice import MAX_LAYERS, MAX_NEURONS, _check_hidden, _check_sizes
from .seeds import check_seed

GRADE_LOSSES = ("mse", "cross_entropy")
CONVENTIONS = ("column", "row")
CASES_RANGE = (1, 1000)
# A learner's gradient agrees when within this of the engine's (float64 code agrees to ~1e-15;
# float32 code to ~1e-7, still well inside).
RTOL, ATOL = 1e-5, 1e-8


@dataclass(frozen=True)
class Grade:
    """`ok`; `diagnosis` (None when ok, else transposed, half_mse, sign, forgot_derivative,
    bias, shape or other; grade_forward: forgot_bias, activation_not_applied, shape or other);
    `message` (a sentence with the first failing case's layer and numbers); `case` (that
    case's `weights`, `biases`, `x`, `y` as nested lists in the learner's convention, and its
    `index` from 0; None when ok)."""

    ok: bool
    diagnosis: str | None
    message: str
    case: dict | None

    def to_dict(self):
        return asdict(self)


def grade(backprop, layer_sizes=(2, 3, 1), activation="sigmoid", loss="mse", convention="column",
          cases=20, seed=0):
    """Check `backprop(weights, biases, x, y) -> (grad_weights, grad_biases)` (one example,
    lists per layer) on `cases` random cases; a `Grade`."""
    setup = _Setup(backprop, "backprop", layer_sizes, activation, loss, convention, cases, seed)
    return _run(setup, lambda case: case.learner + (case.learner_y,), _judge_backprop,
                "the engine's backprop")


def grade_forward(forward, layer_sizes=(2, 3, 1), activation="sigmoid", loss="mse",
                  convention="column", cases=20, seed=0):
    """Check `forward(weights, biases, x) -> output` (ŷ) like `grade`; a `Grade`."""
    setup = _Setup(forward, "forward", layer_sizes, activation, loss, convention, cases, seed)
    return _run(setup, lambda case: case.learner, _judge_forward, "the engine's forward pass")


def _run(setup, arguments, judge, reference):
    """Every case through the learner's function. The diagnosis is the first (in `judge`'s
    order) that fits every failing case: one case can fit several (a layer whose inputs are all
    0, e.g. after a dead ReLU, has weight gradients 0 whatever the mistake), the mistake fits all.
    The message and `case` are the first failing case's."""
    first, shared = None, None
    for c, case in enumerate(setup.cases()):
        verdict = judge(setup, case, setup.call(c, case, arguments(case)))
        if verdict is None:
            continue
        fits, details = verdict
        if fits == ["shape"]:
            return setup.failed(c, case, "shape", details["shape"])
        first = first or (c, case, details)
        shared = fits if shared is None else [name for name in shared if name in fits]
    if first is None:
        return Grade(True, None, f"All {setup.n_cases} cases agree with {reference}.", None)
    diagnosis = shared[0] if shared else "other"
    c, case, details = first
    return setup.failed(c, case, diagnosis, details.get(diagnosis, details["any"]))


class _Setup:
    """The checked network's shape and functions, and the cases drawn for it."""

    def __init__(self, fn, name, layer_sizes, activation, loss, convention, cases, seed):
        if not callable(fn):
            raise ConfigError(name, "must be a function", "a Python function")
        self.fn, self.name = fn, name
        self.sizes = _check_sizes("layer_sizes", layer_sizes, MAX_LAYERS, MAX_NEURONS)
        hidden = _check_hidden("activation", activation)
        if loss not in GRADE_LOSSES:
            raise ConfigError("loss", f"unknown loss {loss!r}", list(GRADE_LOSSES))
        self.convention = convention
        if convention not in CONVENTIONS:
            raise ConfigError("convention", f"unknown convention {convention!r}", list(CONVENTIONS))
        self.n_cases = check_number("cases", cases, *CASES_RANGE, integer=True)
        self.seed = check_seed(seed)
        k = self.sizes[-1]
        if loss == "mse":
            output, engine_loss = hidden, "mse"
        else:
            output, engine_loss = ("sigmoid", "bce") if k == 1 else ("softmax", "softmax_ce")
        self.mse = loss == "mse"
        self.f = [ACTIVATIONS.get(hidden)()] * (len(self.sizes) - 2) + [ACTIVATIONS.get(output)()]
        self.loss = LOSSES.get(engine_loss)()

    def cases(self):
        rng = np.random.default_rng(self.seed)
        for _ in range(self.n_cases):
            yield _Case(self, rng)

    def call(self, c, case, args):
        try:
            return self.fn(*args)
        except Exception as exc:   # the learner's own traceback, with the case that raised it
            exc.add_note(f"{self.name} raised on case {c + 1} of grade's cases: {case.inputs(c)}")
            raise

    def failed(self, c, case, diagnosis, detail):
        message = f"Case {c + 1} of {self.n_cases}: {detail} {EXPLANATIONS[diagnosis]}"
        return Grade(False, diagnosis, message, case.inputs(c))

    def learner_form(self, W):
        """An engine-shaped (n_in, n_out) matrix in the learner's convention."""
        return W.T if self.convention == "column" else W

    def vector(self, v):
        return v[:, None] if self.convention == "column" else v


class _Case:
    """One random network and example: the engine's arrays, the learner's copies, the truth."""

    def __init__(self, setup, rng):
        sizes, f, loss = setup.sizes, setup.f, setup.loss
        self.setup = setup
        self.W = [rng.uniform(-1, 1, (n_in, n_out)) for n_in, n_out in zip(sizes, sizes[1:])]
        self.b = [rng.uniform(-1, 1, n) for n in sizes[1:]]
        self.x = rng.uniform(-1, 1, sizes[0])
        k = sizes[-1]
        if loss.name == "mse":
            low, high = f[-1].output_range or (-1.0, 1.0)
            self.y = rng.uniform(low, high, k)
        elif loss.name == "bce":
            self.y = rng.integers(0, 2, 1).astype(float)
        else:
            self.y = np.eye(k)[rng.integers(0, k)]
        x, t = self.x[None, :], self.y[None, :]
        self.z, self.a = textbook.forward(self.W, self.b, f, x)
        _, _, dW, db = textbook.backward(self.W, f, self.z, self.a, x, t, loss)
        self.truth = (dW, db)
        self.output = self.a[-1][0]

    @property
    def learner(self):
        """Fresh copies of (weights, biases, x) in the learner's convention (they may edit them)."""
        s = self.setup
        return ([s.learner_form(W).copy() for W in self.W], [s.vector(b).copy() for b in self.b],
                s.vector(self.x).copy())

    @property
    def learner_y(self):
        return self.setup.vector(self.y).copy()

    def inputs(self, c):
        weights, biases, x = self.learner
        found = {"index": c, "weights": [w.tolist() for w in weights],
                 "biases": [b.tolist() for b in biases], "x": x.tolist()}
        if self.setup.name == "backprop":
            found["y"] = self.learner_y.tolist()
        return found

    def variant(self, f=None, no_bias=False):
        """The gradients of a backprop that skips some f′ (f: linear in their place) or biases."""
        s, x, t = self.setup, self.x[None, :], self.y[None, :]
        z, a = self.z, self.a
        if no_bias:
            z, a = textbook.forward(self.W, [0 * b for b in self.b], s.f, x)
        _, _, dW, db = textbook.backward(self.W, f or s.f, z, a, x, t, s.loss)
        return dW, db


def _judge_backprop(setup, case, result):
    """None when `result` is right, else (the diagnoses it fits, {diagnosis: what is wrong in
    words}, "any" for a diagnosis without words of its own)."""
    n = len(setup.sizes) - 1
    if not (isinstance(result, (tuple, list)) and len(result) == 2
            and all(isinstance(part, (tuple, list)) and len(part) == n for part in result)):
        return ["shape"], {"shape": f"backprop must return (grad_weights, grad_biases), two lists "
                                    f"of {n} arrays; it returned {_describe(result)}."}
    dW_true, db_true = case.truth
    readings, biases = [], []
    for i, (got, want) in enumerate(zip(result[0], dW_true)):
        reading = _read_matrix(setup, got, want.shape)
        if reading is None:
            shape = setup.learner_form(want).shape
            return ["shape"], {"shape": f"grad_weights[{i}] has shape {_shape(got)}; it must be "
                                        f"shaped like weights[{i}], {shape}."}
        readings.append(reading)
    for i, (got, want) in enumerate(zip(result[1], db_true)):
        vector = _read_vector(got, want.size)
        if vector is None:
            return ["shape"], {"shape": f"grad_biases[{i}] has shape {_shape(got)}; it must be "
                                        f"shaped like biases[{i}], {setup.vector(want).shape}."}
        biases.append(vector)
    straight = [r.get("straight", r.get("flipped")) for r in readings]
    got = (straight, biases)
    weights_right = all(_close(w, t) for w, t in zip(straight, dW_true))
    if weights_right and _all_close(biases, db_true) and all("straight" in r for r in readings):
        return None
    fits, details = [], {"any": _first_difference(setup, got, case.truth)}
    if _all_close(biases, db_true) and all(
            any(_close(r[way], t) for way in r) for r, t in zip(readings, dW_true)):
        i = next(i for i, (r, t) in enumerate(zip(readings, dW_true))
                 if not _close(r.get("straight"), t))
        fits.append("transposed")
        details["transposed"] = (f"grad_weights[{i}] ({_role(setup, i)}) holds the transpose of "
                                 f"the gradient: shape {_shape(result[0][i])} where weights[{i}] "
                                 f"is {setup.learner_form(dW_true[i]).shape}.")
    if _all_pairs_close(got, case.truth, -1.0):
        fits.append("sign")
    k = setup.sizes[-1]
    if setup.mse and any(_all_pairs_close(got, case.truth, c) for c in (0.5, k / 2) if c != 1):
        fits.append("half_mse")
    linear = ACTIVATIONS.get("linear")()
    f = setup.f
    skips = [f[:-1] + [linear], [linear] * (n - 1) + [f[-1]], [linear] * n]
    if any(_all_pairs_close(got, case.variant(f=skip)) for skip in skips):
        fits.append("forgot_derivative")
    if weights_right or _all_pairs_close(got, case.variant(no_bias=True)):
        fits.append("bias")
    ratio = _common_ratio(got, case.truth)
    if ratio is not None:
        details["other"] = details["any"] + f" Every gradient is {ratio:.4g} times the engine's."
    return fits, details


def _judge_forward(setup, case, result):
    """None when `result` is right, else (the diagnoses it fits, {diagnosis: words})."""
    output = _read_vector(result, setup.sizes[-1])
    if output is None:
        return ["shape"], {"shape": f"forward must return the output, shaped "
                                    f"{setup.vector(case.output).shape}; it returned "
                                    f"{_describe(result)}."}
    if np.allclose(output, case.output, rtol=RTOL, atol=ATOL):
        return None
    worst = int(np.argmax(np.abs(output - case.output)))
    details = {"any": f"output[{worst}] is {output[worst]:.6g} where the network gives "
                        f"{case.output[worst]:.6g}."}
    x, linear = case.x[None, :], ACTIVATIONS.get("linear")()
    n, f = len(setup.f), setup.f
    fits = []
    no_bias = textbook.forward(case.W, [0 * b for b in case.b], f, x)[1][-1][0]
    if np.allclose(output, no_bias, rtol=RTOL, atol=ATOL):
        fits.append("forgot_bias")
    for skip in (f[:-1] + [linear], [linear] * (n - 1) + [f[-1]], [linear] * n):
        if np.allclose(output, textbook.forward(case.W, case.b, skip, x)[1][-1][0],
                       rtol=RTOL, atol=ATOL):
            fits.append("activation_not_applied")
            break
    return fits, details


def _read_matrix(setup, got, engine_shape):
    """{"straight": engine-shaped reading as the convention says, "flipped": the other way}
    (what exists for its shape), or None when neither shape fits."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return None
    wanted = setup.learner_form(np.empty(engine_shape)).shape
    found = {}
    if got.shape == wanted:
        found["straight"] = setup.learner_form(got)
    if got.shape == wanted[::-1]:
        found["flipped"] = got.T if setup.convention == "row" else got
    return found or None


def _read_vector(got, n):
    """A vector of n numbers given as (n,), (n, 1) or (1, n), or None."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return None
    if got.size != n or got.ndim > 2 or (got.ndim == 2 and 1 not in got.shape):
        return None
    return got.reshape(-1)


def _close(got, want, scale=1.0):
    return got is not None and bool(np.allclose(got, scale * want, rtol=RTOL, atol=ATOL))


def _all_close(gots, wants, scale=1.0):
    return all(_close(g, w, scale) for g, w in zip(gots, wants))


def _all_pairs_close(got, want, scale=1.0):
    return _all_close(got[0], want[0], scale) and _all_close(got[1], want[1], scale)


def _common_ratio(got, want):
    """r when every gradient is r times the engine's (r ≠ 1), else None."""
    flat_got = np.concatenate([g.ravel() for part in got for g in part])
    flat_want = np.concatenate([w.ravel() for part in want for w in part])
    big = np.abs(flat_want) > 1e-6
    if not big.any():
        return None
    r = float(np.median(flat_got[big] / flat_want[big]))
    return r if r != 1 and np.allclose(flat_got, r * flat_want, rtol=RTOL, atol=ATOL) else None


def _first_difference(setup, got, truth):
    """The differing number backprop reaches first (output layer first, weights before biases),
    in words with its index in the learner's convention."""
    n = len(truth[0])
    for i in range(n - 1, -1, -1):
        for part, name in ((0, "grad_weights"), (1, "grad_biases")):
            g, t = got[part][i], truth[part][i]
            if np.allclose(g, t, rtol=RTOL, atol=ATOL):
                continue
            index = np.unravel_index(int(np.argmax(np.abs(g - t))), t.shape)
            if part == 0:
                shown = index[::-1] if setup.convention == "column" else index
                where = "".join(f"[{p}]" for p in shown)
            else:
                where = f"[{index[0]}]" + ("[0]" if setup.convention == "column" else "")
            return (f"layer {i} ({_role(setup, i)}): {name}[{i}]{where} is {g[index]:.6g} where "
                    f"the engine's backprop gives {t[index]:.6g}.")
    return "the gradients differ."


def _role(setup, i):
    return "the output layer" if i == len(setup.sizes) - 2 else f"hidden layer {i + 1}"


def _shape(value):
    try:
        return np.shape(value)
    except ValueError:
        return "ragged"


def _describe(value):
    """What a learner's function returned, in a few words."""
    if isinstance(value, (tuple, list)):
        parts = [f"{len(p)}" if isinstance(p, (tuple, list)) else type(p).__name__ for p in value]
        return f"a {type(value).__name__} of {len(value)}: ({', '.join(parts)})"
    return f"{type(value).__name__} of shape {_shape(value)}"
