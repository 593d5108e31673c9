"""Learning-rate schedules: `SCHEDULES.get(name)(**params)(base_lr, epoch) -> lr`.

A schedule is a small object holding its validated parameters; calling it maps the base
learning rate α and the epoch count (0 before training) to the rate used in that epoch.

Schedules count epochs, not minibatches: every minibatch of epoch e trains at lr(α, e), and the
rate changes only when an epoch ends (as TF Playground users expect, and as PyTorch's schedulers
behave when `scheduler.step()` is called once per epoch; Keras's decay schedules count steps).
"""

from .hyperparams import check_params, param_specs
from .registry import Registry

SCHEDULES = Registry("schedule")

_FIELD = "schedule_params"


class Schedule:
    """Base class and the constant schedule: lr = α."""

    name = "constant"
    defaults = {}
    bounds = {}
    # Parameters that must be whole numbers.
    integers = ()

    def __init__(self, **params):
        self.params = dict(self.defaults)
        self.set_params(**params)

    def set_params(self, **params):
        """Validate and apply new parameter values (all or nothing)."""
        self.params = check_params(_FIELD, self.name, self, self.params, params)

    def __call__(self, base_lr, epoch):
        """lr = α."""
        return float(base_lr)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """Constant: lr = α."""


class StepDecay(Schedule):
    """Step decay: lr = α·γ^⌊epoch / step_size⌋."""

    name = "step"
    defaults = {"gamma": 0.5, "step_size": 100}
    bounds = {"gamma": (0.01, 1.0), "step_size": (1, 100000)}
    integers = ("step_size",)

    def __call__(self, base_lr, epoch):
        """lr = α·γ^⌊epoch / step_size⌋."""
        return base_lr * self.params["gamma"] ** (epoch // self.params["step_size"])


class Exponential(Schedule):
    """Exponential decay: lr = α·γ^epoch."""

    name = "exponential"
    defaults = {"gamma": 0.99}
    bounds = {"gamma": (0.5, 1.0)}

    def __call__(self, base_lr, epoch):
        """lr = α·γ^epoch."""
        # Python floats underflow quietly to 0.0 for huge epochs, which is the right limit.
        return base_lr * self.params["gamma"] ** epoch


class InverseTime(Schedule):
    """Inverse-time decay: lr = α / (1 + k·epoch)."""

    name = "inverse_time"
    defaults = {"decay": 0.01}
    bounds = {"decay": (0.0, 10.0)}

    def __call__(self, base_lr, epoch):
        """lr = α / (1 + k·epoch)."""
        return base_lr / (1.0 + self.params["decay"] * epoch)


def describe():
    """Every schedule for /api/options: name, label, formula and parameter ranges."""
    return SCHEDULES.describe()


for _cls, _label, _formula in (
    (Constant, "Constant", "lr = α"),
    (StepDecay, "Step decay", "lr = α·γ^⌊epoch / step_size⌋"),
    (Exponential, "Exponential decay", "lr = α·γ^epoch"),
    (InverseTime, "Inverse time", "lr = α / (1 + k·epoch)"),
):
    SCHEDULES.register(_cls.name, _cls, label=_label, formula=_formula, params=param_specs(_cls))
del _cls, _label, _formula
