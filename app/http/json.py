"""The app's JSON encoder: compact, and always valid JSON (NaN and ±inf become null)."""

import json

import numpy as np
from flask.json.provider import DefaultJSONProvider

from ..session.arrays import finite_or_none


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, compact, and valid: NaN/inf become null instead of the invalid `NaN`.

    The fast path dumps with `allow_nan=False`; only when that fails (a diverged network's
    metrics) is the whole value walked and cleaned.
    """

    sort_keys = False
    compact = True

    def dumps(self, obj, **kwargs):
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        kwargs.setdefault("separators", (",", ":"))
        try:
            return json.dumps(obj, allow_nan=False, **kwargs)
        except ValueError:
            return json.dumps(finite_or_none(obj), allow_nan=False, **kwargs)

    @staticmethod
    def default(o):
        if isinstance(o, np.generic):
            return o.item()
        if isinstance(o, np.ndarray):
            return o.tolist()
        return DefaultJSONProvider.default(o)
