"""The one exception type of nn_core: a bad value, named by its field, with what is allowed.

`ConfigError` is a `ValueError`, so plain scripts can catch `ValueError`; the server reads
`field` and `allowed` to build its JSON error without parsing the message.
"""


class ConfigError(ValueError):
    """A value that nn_core cannot accept.

    `field` names the offending input ("activation", "layer_sizes[1]", "y", "csv row 7");
    `allowed` describes what would be accepted: a list of names, a `[low, high]` range, or a
    short phrase ("integer class ids in [0, 3)").
    """

    def __init__(self, field, message, allowed=None):
        self.field = field
        self.allowed = allowed
        self.reason = message
        text = f"{field}: {message}"
        if allowed is not None:
            text += f" (allowed: {_describe(allowed)})"
        super().__init__(text)


def _describe(allowed):
    if isinstance(allowed, (list, tuple)) and len(allowed) == 2 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in allowed
    ):
        return f"{allowed[0]} to {allowed[1]}"
    if isinstance(allowed, (list, tuple)):
        return ", ".join(str(v) for v in allowed)
    return str(allowed)


def check_number(field, value, low, high, integer=False):
    """Return `value` as a float (or int) if it is a finite number in [low, high], else raise."""
    allowed = [low, high]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            import numpy as np  # numpy scalars are fine; strings and None are not

            if isinstance(value, np.generic) and np.isreal(value):
                value = value.item()
            else:
                raise TypeError
        except TypeError:
            raise ConfigError(field, f"expected a number, got {type(value).__name__}", allowed)
    if value != value or value in (float("inf"), float("-inf")):
        raise ConfigError(field, f"expected a finite number, got {value}", allowed)
    if integer:
        if float(value) != int(value):
            raise ConfigError(field, f"expected a whole number, got {value}", allowed)
        value = int(value)
    if not low <= value <= high:
        raise ConfigError(field, f"{value} is out of range", allowed)
    return value if integer else float(value)
