"""An export's description, checked without decoding anything: objects, whole numbers, and
encoded arrays (`{"dtype", "shape", "data"}`, nn_core's serialization) whose declared dtype and
shape fit what the configuration implies and whose base64 text is exactly that long. Every
failure is a 422 naming the field (model_io.py and log_import.py prefix it with "model.").
"""

import math

from .errors import ApiError

ITEMSIZE = {"float64": 8, "int64": 8, "float32": 4}


def obj(value, field):
    """`value`, which must be a JSON object."""
    if not isinstance(value, dict):
        raise ApiError(422, "expected an object", field, None)
    return value


def whole(value, field, low, high):
    """`value`, which must be a whole number (not a bool) in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ApiError(422, f"expected a whole number in [{low}, {high}]", field, [low, high])
    return value


def array_spec(value, field, dtype, shape):
    """Check an encoded array's description without decoding it: its dtype, its declared shape
    (None: any length, still bounded by the data), and that its base64 text is exactly as long
    as that shape needs. Returns the shape."""
    value = obj(value, field)
    if value.get("dtype") != dtype:
        raise ApiError(422, f"expected a {dtype} array", f"{field}.dtype", [dtype])
    declared = value.get("shape")
    if not isinstance(declared, list) or len(declared) != len(shape):
        raise ApiError(422, f"expected {len(shape)} dimensions", f"{field}.shape", shape)
    for i, (got, want) in enumerate(zip(declared, shape)):
        whole(got, f"{field}.shape[{i}]", 0, 10**9)
        if want is not None and got != want:
            raise ApiError(422, f"{got} does not fit this model ({want} expected)",
                           f"{field}.shape[{i}]", [want, want])
    data = value.get("data")
    count = math.prod(declared)
    if not isinstance(data, str) or len(data) != 4 * math.ceil(count * ITEMSIZE[dtype] / 3):
        raise ApiError(422, f"the data does not hold {count} {dtype} values", f"{field}.data",
                       None)
    return declared
