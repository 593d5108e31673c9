"""Reading untrusted values (request bodies, query strings, imported models) into plain,
type-checked Python values.

JSON is parsed here (not by Flask) so that every way a body can be wrong gets the same JSON
400: invalid syntax, NaN/Infinity literals (not JSON), nesting deep enough to exhaust the
parser, or a top-level value that is not an object. Type checks here give 400; range checks
(in config.py and nn_core) give 422.

A JSON number too large for a float (`1e400`, or an integer of 400 digits) is valid JSON but
no field can take it; it is read as `OutOfRange`, an infinite float that remembers its text,
so the field's own range check refuses it with a 422 naming that field and its range (an
infinite float is refused everywhere), and nothing downstream ever meets an `OverflowError`.
"""

import json
import math
import re

from .errors import ApiError, bad_type


class OutOfRange(float):
    """A JSON number beyond the float range: ±inf for every check, its text for messages."""

    def __new__(cls, text):
        value = super().__new__(cls, "-inf" if text.lstrip().startswith("-") else "inf")
        value.text = text if len(text) <= 24 else f"{text[:12]}…({len(text)} characters)"
        return value


def _parse_float(text):
    value = float(text)
    return OutOfRange(text) if math.isinf(value) else value


def _parse_int(text):
    try:
        value = int(text)
        float(value)  # an int beyond ~1.8e308 cannot be any field's value
        return value
    except (ValueError, OverflowError):  # ValueError: more digits than Python converts
        return OutOfRange(text)


# Only a body holding a long run of digits or a three-digit exponent can hold such a number;
# others take json's fast C path (the hooks cost ~0.3 µs per number).
_MAYBE_HUGE = re.compile(r"\d{300}|[eE][-+]?\d{3}")


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text):
    """`json.loads` that refuses NaN/Infinity literals and reads overflowing numbers as
    `OutOfRange` (ValueError/RecursionError on malformed text)."""
    if _MAYBE_HUGE.search(text):
        return json.loads(text, parse_constant=_reject_constant, parse_float=_parse_float,
                          parse_int=_parse_int)
    return json.loads(text, parse_constant=_reject_constant)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number(field, value, low, high, integer=False):
    """A finite number in [low, high] (400 if not a number, 422 if out of range)."""
    if not is_number(value):
        raise bad_type(field, "an integer" if integer else "a number", value)
    if isinstance(value, OutOfRange):
        raise ApiError(422, f"{field}: {value.text} is out of range", field, [low, high])
    if isinstance(value, float) and not math.isfinite(value):
        raise ApiError(422, f"{field}: expected a finite number", field, [low, high])
    if integer and value != int(value):
        raise ApiError(422, f"{field}: expected a whole number, got {value}", field, [low, high])
    if not low <= value <= high:
        raise ApiError(422, f"{field}: {value} is out of range", field, [low, high])
    return int(value) if integer else float(value)


def boolean(field, value):
    if not isinstance(value, bool):
        raise bad_type(field, "true or false", value)
    return value


def string(field, value, allowed=None):
    if not isinstance(value, str):
        raise bad_type(field, "a string", value)
    if allowed is not None and value not in allowed:
        raise ApiError(422, f"{field}: {value[:40]!r} is not one of the allowed values",
                       field, list(allowed))
    return value


def check_keys(field, obj, allowed):
    """422 naming the first key of `obj` that is not in `allowed`."""
    for key in obj:
        if key not in allowed:
            name = f"{field}.{key}" if field else key
            raise ApiError(422, f"unknown field {key[:40]!r}", name, sorted(allowed))


# The only words a query string may use for a yes/no value (any case).
QUERY_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def query_boolean(field, text):
    """A yes/no query-string value: one of QUERY_BOOLEANS' words, else 400 naming `field`."""
    value = QUERY_BOOLEANS.get(text.strip().lower()) if isinstance(text, str) else None
    if value is None:
        raise ApiError(400, f"{field}: expected true, false, 1 or 0, got {str(text)[:40]!r}",
                       field, list(QUERY_BOOLEANS))
    return value


def query_value(text):
    """A query-string value as JSON-ish: "true" → True, "false" → False, numbers (a yes/no
    option reads "1"/"0" as True/False itself)."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return QUERY_BOOLEANS[lowered]
    try:
        return parse_json(text)
    except (ValueError, RecursionError):
        return text
