"""Exact, JSON-safe encoding of NumPy arrays.

An array travels as `{"dtype": "float64", "shape": [..], "data": "<base64 of the raw bytes>"}`
(little-endian, C order). Unlike a list of decimal floats this is lossless (NaN and ±inf
included), compact, and fast to encode; the browser decodes it with typed arrays.
"""

import base64

import numpy as np

from .errors import ConfigError

_DTYPES = {"float64": "<f8", "float32": "<f4", "int64": "<i8", "int32": "<i4", "uint8": "u1"}


def encode_array(array, dtype=None):
    """`array` as a JSON-safe dict; `dtype` (e.g. "float32") converts it first."""
    array = np.asarray(array)
    name = dtype or array.dtype.name
    if name not in _DTYPES:
        raise ConfigError("dtype", f"cannot encode {name!r}", list(_DTYPES))
    raw = np.ascontiguousarray(array, dtype=_DTYPES[name]).tobytes()
    return {"dtype": name, "shape": list(array.shape), "data": base64.b64encode(raw).decode("ascii")}


def decode_array(obj, field="array"):
    """The NumPy array encoded by `encode_array` (ConfigError if malformed)."""
    try:
        name, shape = obj["dtype"], [int(n) for n in obj["shape"]]
        raw = base64.b64decode(obj["data"].encode("ascii"), validate=True)
        array = np.frombuffer(raw, dtype=_DTYPES[name]).reshape(shape)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(field, f"not an encoded array ({exc})",
                          '{"dtype", "shape", "data" (base64)}') from None
    return array.astype(np.dtype(_DTYPES[name]).newbyteorder("="), copy=True)


def encode_rng_state(rng):
    """A Generator's state with its big integers as strings (JavaScript numbers would round them)."""
    state = rng.bit_generator.state
    return {
        "bit_generator": state["bit_generator"],
        "state": {k: str(v) for k, v in state["state"].items()},
        "has_uint32": state["has_uint32"],
        "uinteger": str(state["uinteger"]),
    }


def decode_rng_state(obj, field="rng"):
    """A numpy Generator restored from `encode_rng_state`'s output."""
    try:
        if obj["bit_generator"] != "PCG64":
            raise ValueError("only PCG64 generators are stored")
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {k: int(v) for k, v in obj["state"].items()},
            "has_uint32": int(obj["has_uint32"]),
            "uinteger": int(obj["uinteger"]),
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(field, f"not a stored random generator ({exc})") from None
    return rng
