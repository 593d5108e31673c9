"""Named numeric hyperparameters with ranges: the one rule optimizers and schedules share.

A component declares `defaults` (name → value), `bounds` (name → inclusive (low, high)) and
`integers` (the names that must be whole numbers). `check_params` validates a change against
them; `param_specs` describes them for /api/options, so the page's controls and the engine's
checks come from the same table.
"""

from .errors import ConfigError, check_number


def check_params(field, owner, component, current, given):
    """`current` with `given` applied, every value checked against `component`'s bounds.

    All or nothing: a bad name or value raises ConfigError("<field>.<name>") naming the allowed
    names or range, and nothing is returned, so the caller's values stay as they were.
    """
    updated = dict(current)
    bounds, integers = component.bounds, component.integers
    for key, value in given.items():
        name = f"{field}.{key}"
        if key not in bounds:
            message = f"{owner} has no parameter {key!r}"
            if not bounds:
                message += f" ({owner} takes none)"
            raise ConfigError(name, message, list(bounds))
        low, high = bounds[key]
        updated[key] = check_number(name, value, low, high, integer=key in integers)
    return updated


def param_specs(component):
    """[{"name", "default", "min", "max", "integer"}, ...] of `component`, in declaration order."""
    return [{"name": key, "default": component.defaults[key], "min": low, "max": high,
             "integer": key in component.integers}
            for key, (low, high) in component.bounds.items()]
