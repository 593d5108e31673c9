"""Reading request bodies and query strings into plain, type-checked Python values.

JSON is parsed here (not by Flask) so that every way a body can be wrong gets the same JSON
400: invalid syntax, NaN/Infinity literals (not JSON), nesting deep enough to exhaust the
parser, or a top-level value that is not an object. Type checks here give 400; range checks
(in config.py and nn_core) give 422.
"""

import json
import math

from flask import request

from .errors import ApiError, bad_type


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def json_object():
    """The request body as a dict; an empty body counts as `{}`."""
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    if not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ApiError(400, f"malformed JSON: {exc}") from None
    if not isinstance(value, dict):
        raise bad_type("body", "a JSON object", value)
    return value


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number(field, value, low, high, integer=False):
    """A finite number in [low, high] (400 if not a number, 422 if out of range)."""
    if not is_number(value):
        raise bad_type(field, "an integer" if integer else "a number", value)
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


def query_value(text):
    """A query-string value as JSON-ish: "1"/"true" → True, "0"/"false" → False, numbers."""
    lowered = text.strip().lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return text
    return value
