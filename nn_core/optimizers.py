"""Optimizers that update one flat float64 parameter vector in place.

The network keeps every weight and bias as a view into one contiguous vector, so an optimizer
step is a handful of whole-vector NumPy calls. At playground sizes (~100 parameters) each NumPy
call costs about a microsecond regardless of the arithmetic, so the steps below count calls:
they write into preallocated scratch buffers with `out=` and fold scalar factors (learning rate,
bias corrections) into Python floats before touching arrays.

All state (moment vectors and the step count "t") lives in `Optimizer.state`, so `state_dict`
and `load_state_dict` can restore a run exactly, and `copy` gives a twin whose step on copies of
the parameters computes exactly the next step (Inspect shows it before it is taken; each update
rule is written once, in `step`). Scratch buffers are not state: their contents never survive a
step.

Each optimizer's registry entry says its rule in symbols (`equations`, one line per assignment,
in the order `step` computes them) and which symbol stands for each hyperparameter and state
slot (`symbols`), so the page can write the rule with one weight's numbers substituted.
"""

import math

import numpy as np

from .errors import ConfigError, check_number
from .hyperparams import check_params, param_specs
from .registry import Registry

OPTIMIZERS = Registry("optimizer")

# Accepted clip_norm values c; 0 (like None) means no clipping.
CLIP_NORM_RANGE = (0.0, 1e6)

# Fields in errors are prefixed like this so the server can point at the right control.
_FIELD = "optimizer_params"


class Optimizer:
    """Base class and plain gradient descent: w ← w − α·g."""

    name = "sgd"
    defaults = {}
    bounds = {}
    integers = ()
    # Names of the state arrays shaped like the parameters, allocated at the first step.
    slots = ()

    @classmethod
    def param_arrays(cls):
        """Arrays shaped like the parameters this optimizer keeps: its slots, and one scratch
        buffer beside them when it has any (a memory estimate asks before building one)."""
        return len(cls.slots) + (1 if cls.slots else 0)

    def __init__(self, **hyperparams):
        self.hyperparams = dict(self.defaults)
        self.state = {}
        self._slot_arrays = None
        self._tmp = None
        self.set_hyperparams(**hyperparams)

    def set_hyperparams(self, **hyperparams):
        """Validate and apply new hyperparameter values (all or nothing); the state is kept."""
        self.hyperparams = check_params(_FIELD, self.name, self, self.hyperparams, hyperparams)

    def reset(self):
        """Forget all state; the next step behaves like a first step."""
        self.state.clear()
        self._slot_arrays = None
        self._tmp = None

    def copy(self):
        """An independent twin: the same hyperparameters and a copy of the state. Its step on
        copies of the parameters and gradient gives bit for bit what this optimizer's next step
        would, and changes nothing here."""
        twin = type(self)(**self.hyperparams)
        twin.load_state_dict(self.state_dict())
        return twin

    def slot_values(self, size):
        """{slot: array} as the next step starts from (copies; zeros before the first step)."""
        return {key: np.array(self.state[key]) if key in self.state else np.zeros(size)
                for key in self.slots}

    def step(self, params, grads, lr):
        """w ← w − α·g (in place)."""
        params -= lr * grads
        state = self.state
        state["t"] = state.get("t", 0) + 1

    def step_sizes(self, lr):
        """η in the metric of the last step: the factor by which this optimizer scales a
        gradient into a step, per parameter. α for SGD and the momentum methods (a float); for the
        adaptive ones a vector (Adagrad α/(√G + ε), RMSprop α/(√E + ε), Adam α/(√v̂ + ε)) written
        into a scratch buffer that the next step overwrites.

        The trainer's L1 step soft-thresholds each weight by η·λ (the proximal step in this
        metric, as TensorFlow's ProximalAdagrad does), so L1 gives exact zeros with every optimizer.
        """
        return lr

    def state_dict(self):
        """{"name", "hyperparams", "state"} with copies of the state arrays."""
        state = {
            key: value.copy() if isinstance(value, np.ndarray) else value
            for key, value in self.state.items()
        }
        return {"name": self.name, "hyperparams": dict(self.hyperparams), "state": state}

    def load_state_dict(self, d):
        """Restore hyperparameters and state saved by `state_dict` (exact continuation)."""
        if not isinstance(d, dict):
            raise ConfigError("optimizer_state", "expected a dict from state_dict()")
        if d.get("name") != self.name:
            raise ConfigError(
                "optimizer_state.name",
                f"state of {d.get('name')!r} cannot be loaded into {self.name!r}",
                [self.name],
            )
        saved = d.get("state") or {}
        # State is all or nothing: {} before the first step, else "t" and every slot.
        expected = {"t", *self.slots}
        if saved and set(saved) != expected:
            raise ConfigError(
                "optimizer_state.state", f"unexpected keys {sorted(saved)}", sorted(expected)
            )
        arrays = {}
        shape = None
        for key in self.slots if saved else ():
            array = np.array(saved[key], dtype=np.float64, copy=True)
            if array.ndim != 1 or shape is not None and array.shape != shape:
                raise ConfigError(
                    f"optimizer_state.state.{key}", "state arrays must be 1-D and of equal size"
                )
            shape = array.shape
            arrays[key] = array
        t = check_number("optimizer_state.state.t", saved.get("t", 0), 0, 2**62, integer=True)
        # Start from the defaults so the restored values do not depend on this instance's.
        current = self.hyperparams
        self.hyperparams = dict(self.defaults)
        try:
            self.set_hyperparams(**d.get("hyperparams", {}))
        except ConfigError:
            self.hyperparams = current
            raise
        self.reset()
        if saved:
            self.state["t"] = t
            self.state.update(arrays)
            if shape is not None:
                self._slot_arrays = tuple(arrays[key] for key in self.slots)
                self._tmp = np.empty(shape)

    def _slots_for(self, params):
        """The state arrays named in `slots`, in that order: zeros at the first step, and again
        (with t = 0) when the parameter vector changed size. Also readies the scratch buffer."""
        arrays = self._slot_arrays
        if arrays is None or arrays[0].shape != params.shape:
            self.state.clear()
            self.state["t"] = 0
            for key in self.slots:
                self.state[key] = np.zeros_like(params, dtype=np.float64)
            arrays = self._slot_arrays = tuple(self.state[key] for key in self.slots)
            self._tmp = np.empty_like(params, dtype=np.float64)
        return arrays

    def _inverse_root(self, g2, lr, eps):
        """α/(√g2 + ε) into the scratch buffer: the per-parameter step of the adaptive methods."""
        if self._tmp is None:   # no step yet: no scaling known, fall back to α
            return lr
        tmp = self._tmp
        np.sqrt(g2, out=tmp)
        tmp += eps
        np.divide(lr, tmp, out=tmp)
        return tmp

    def _scaled_descent(self, params, grads, g2, lr):
        """w ← w − α·g / (√g2 + ε): the per-parameter scaled step Adagrad and RMSprop share."""
        tmp = self._tmp
        np.sqrt(g2, out=tmp)
        tmp += self.hyperparams["eps"]
        np.divide(grads, tmp, out=tmp)
        tmp *= lr
        params -= tmp


class SGD(Optimizer):
    """Stochastic gradient descent: w ← w − α·g (PyTorch's SGD with momentum 0: identical)."""


class Momentum(Optimizer):
    """Heavy-ball momentum: v ← μ·v − α·g; w ← w + v.

    The velocity stores steps (α inside it), so when the learning rate changes (a schedule, a
    live edit) the old velocity keeps moving at the old α and fades by μ each step. PyTorch's
    SGD(momentum=μ) keeps b ← μ·b + g and steps w ← w − α·b: the same updates while α is
    constant, but there a new α rescales the whole velocity at once. Default μ = 0.9
    (PyTorch: momentum=0, i.e. none until set).
    """

    name = "momentum"
    defaults = {"momentum": 0.9}
    bounds = {"momentum": (0.0, 0.999)}
    slots = ("v",)

    def step(self, params, grads, lr):
        """v ← μ·v − α·g; w ← w + v (in place)."""
        (v,) = self._slots_for(params)
        state = self.state
        tmp = self._tmp
        v *= self.hyperparams["momentum"]
        np.multiply(grads, lr, out=tmp)
        v -= tmp
        params += v
        state["t"] += 1


class Nesterov(Optimizer):
    """Nesterov momentum: v ← μ·v − α·g; w ← w + μ·v − α·g (= w + μ²·v_old − (1+μ)·α·g).

    Like `momentum`, the velocity stores steps: after α changes the old velocity moves at the
    old α. PyTorch's SGD(momentum=μ, nesterov=True) keeps b ← μ·b + g and steps
    w ← w − α·(g + μ·b): the same updates while α is constant. Default μ = 0.9.
    """

    name = "nesterov"
    defaults = {"momentum": 0.9}
    bounds = {"momentum": (0.0, 0.999)}
    slots = ("v",)

    def step(self, params, grads, lr):
        """v ← μ·v − α·g; w ← w + μ·v − α·g (in place).

        The classic look-ahead gradient ∇f(w + μ·v) is avoided by tracking the look-ahead point
        itself as the parameters (Sutskever et al. 2013), so one gradient per step suffices.
        """
        (v,) = self._slots_for(params)
        state = self.state
        tmp = self._tmp
        mu = self.hyperparams["momentum"]
        np.multiply(grads, lr, out=tmp)
        v *= mu
        v -= tmp
        params -= tmp
        np.multiply(v, mu, out=tmp)
        params += tmp
        state["t"] += 1


class Adagrad(Optimizer):
    """Adagrad: G ← G + g²; w ← w − α·g / (√G + ε).

    Default ε = 1e-8; PyTorch's Adagrad uses ε = 1e-10 (and G starts at 0 there too).
    """

    name = "adagrad"
    defaults = {"eps": 1e-8}
    bounds = {"eps": (1e-12, 1.0)}
    slots = ("g2",)

    def step(self, params, grads, lr):
        """G ← G + g²; w ← w − α·g / (√G + ε) (in place)."""
        (g2,) = self._slots_for(params)
        state = self.state
        tmp = self._tmp
        np.multiply(grads, grads, out=tmp)
        g2 += tmp
        self._scaled_descent(params, grads, g2, lr)
        state["t"] += 1


    def step_sizes(self, lr):
        """α/(√G + ε) per parameter."""
        return self._inverse_root(self.state.get("g2"), lr, self.hyperparams["eps"])


class RMSprop(Optimizer):
    """RMSprop: E ← ρ·E + (1−ρ)·g²; w ← w − α·g / (√E + ε).

    Default ρ = 0.9 (Hinton's lecture and Keras), ε = 1e-8; PyTorch's RMSprop uses
    alpha (its ρ) = 0.99 and the same ε outside the root.
    """

    name = "rmsprop"
    defaults = {"rho": 0.9, "eps": 1e-8}
    bounds = {"rho": (0.0, 0.999), "eps": (1e-12, 1.0)}
    slots = ("g2",)

    def step(self, params, grads, lr):
        """E ← ρ·E + (1−ρ)·g²; w ← w − α·g / (√E + ε) (in place)."""
        (g2,) = self._slots_for(params)
        state = self.state
        tmp = self._tmp
        rho = self.hyperparams["rho"]
        g2 *= rho
        np.multiply(grads, 1.0 - rho, out=tmp)
        tmp *= grads
        g2 += tmp
        self._scaled_descent(params, grads, g2, lr)
        state["t"] += 1


    def step_sizes(self, lr):
        """α/(√E + ε) per parameter."""
        return self._inverse_root(self.state.get("g2"), lr, self.hyperparams["eps"])


class Adam(Optimizer):
    """Adam: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − α·m̂ / (√v̂ + ε).

    Defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8: PyTorch's and Keras's (Kingma & Ba).
    """

    name = "adam"
    defaults = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    # β < 1 keeps the bias corrections 1 − βᵗ away from zero.
    bounds = {"beta1": (0.0, 0.999), "beta2": (0.0, 0.9999), "eps": (1e-12, 1.0)}
    slots = ("m", "v")

    def step(self, params, grads, lr):
        """m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ); w ← w − α·m̂ / (√v̂ + ε) (in place).

        Uses the identity α·m̂/(√v̂ + ε) = (α·√c₂/c₁)·m / (√v + ε·√c₂) with cᵢ = 1 − βᵢᵗ
        (Kingma & Ba, section 2), so the bias corrections are Python floats, not array passes.
        """
        m, v = self._slots_for(params)
        state = self.state
        tmp = self._tmp
        hp = self.hyperparams
        beta1, beta2 = hp["beta1"], hp["beta2"]
        t = state["t"] = state["t"] + 1
        m *= beta1
        np.multiply(grads, 1.0 - beta1, out=tmp)
        m += tmp
        v *= beta2
        np.multiply(grads, 1.0 - beta2, out=tmp)
        tmp *= grads
        v += tmp
        root_c2 = math.sqrt(1.0 - beta2**t)
        np.sqrt(v, out=tmp)
        tmp += hp["eps"] * root_c2
        np.divide(m, tmp, out=tmp)
        tmp *= lr * root_c2 / (1.0 - beta1**t)
        params -= tmp


    def step_sizes(self, lr):
        """α/(√v̂ + ε) = α·√c₂/(√v + ε·√c₂) per parameter, c₂ = 1 − β₂ᵗ."""
        t = self.state.get("t", 0)
        if not t:
            return lr
        root_c2 = math.sqrt(1.0 - self.hyperparams["beta2"] ** t)
        return self._inverse_root(self.state["v"], lr * root_c2, self.hyperparams["eps"] * root_c2)


def clip_by_global_norm(grads, max_norm):
    """g ← g·min(1, c/‖g‖₂) in place; returns ‖g‖₂ before clipping (c None or 0: no clipping).

    ‖g‖₂ is the norm of the whole flat vector, every layer's weights and biases together (PyTorch's
    `clip_grad_norm_` over all parameters); the trainer passes it the gradient the optimizer is
    about to use, L2's λ·w included.
    """
    # Plain floats in range skip check_number: this runs once per minibatch.
    if max_norm is not None and (
        type(max_norm) is not float or not 0.0 <= max_norm <= CLIP_NORM_RANGE[1]
    ):
        max_norm = check_number("clip_norm", max_norm, *CLIP_NORM_RANGE)
    # Huge gradients overflow the squared sum; the caller detects divergence from the inf.
    with np.errstate(over="ignore", invalid="ignore"):
        norm = math.sqrt(np.dot(grads, grads))
    # A non-finite norm would scale by 0 or nan and hide the divergence; leave grads as they are.
    if max_norm and math.isfinite(norm) and norm > max_norm:
        grads *= max_norm / norm
    return norm


def check_clip_norm(clip_norm, field="clip_norm"):
    """None (no clipping) for None or 0, else `clip_norm` as a float in CLIP_NORM_RANGE."""
    if clip_norm is None:
        return None
    return check_number(field, clip_norm, *CLIP_NORM_RANGE) or None


def describe():
    """Every optimizer for /api/options: name, label, formula and hyperparameter ranges."""
    return OPTIMIZERS.describe()


# The rules in symbols, one assignment per line in the order `step` computes them (g is the
# gradient the optimizer receives, α the learning rate in force), and the symbol of each
# hyperparameter and state slot in them.
_DESCRIPTIONS = (
    (SGD, "SGD", ["w ← w − α·g"], {}),
    (Momentum, "Momentum", ["v ← μ·v − α·g", "w ← w + v"], {"momentum": "μ", "v": "v"}),
    (Nesterov, "Nesterov momentum", ["v ← μ·v − α·g", "w ← w + μ·v − α·g"],
     {"momentum": "μ", "v": "v"}),
    (Adagrad, "Adagrad", ["G ← G + g²", "w ← w − α·g/(√G + ε)"], {"eps": "ε", "g2": "G"}),
    (RMSprop, "RMSprop", ["E ← ρ·E + (1−ρ)·g²", "w ← w − α·g/(√E + ε)"],
     {"rho": "ρ", "eps": "ε", "g2": "E"}),
    (Adam, "Adam",
     ["m ← β₁·m + (1−β₁)·g", "v ← β₂·v + (1−β₂)·g²", "m̂ = m/(1−β₁ᵗ)", "v̂ = v/(1−β₂ᵗ)",
      "w ← w − α·m̂/(√v̂ + ε)"],
     {"beta1": "β₁", "beta2": "β₂", "eps": "ε", "m": "m", "v": "v"}),
)

for _cls, _label, _equations, _symbols in _DESCRIPTIONS:
    OPTIMIZERS.register(
        _cls.name, _cls, label=_label, formula=";  ".join(_equations), equations=_equations,
        symbols=_symbols, slots=list(_cls.slots), params=param_specs(_cls)
    )
del _cls, _label, _equations, _symbols
