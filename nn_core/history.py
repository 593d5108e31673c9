"""Per-epoch training history with bounded memory.

One row per finished epoch (epoch 0 is the untrained network). A long run would grow without
end, so when `capacity` rows are stored every other row is dropped and from then on only every
`stride`-th epoch is kept: curves keep their shape, memory stays bounded, and the latest row is
always at hand for the status line.
"""

import math


class History:
    def __init__(self, fields, capacity=20000):
        self.fields = list(fields)
        self.capacity = max(2, int(capacity))
        self.clear()

    def bound(self, capacity):
        """Keep at most `capacity` rows from now on (a loaded history keeps to a caller's limit)."""
        self.capacity = max(2, min(self.capacity, int(capacity)))

    def clear(self):
        self.rows = []
        self.stride = 1
        self.latest = None

    def append(self, row):
        """Add a dict holding `epoch`, every field and `grad_norms` (a list per layer)."""
        self.latest = row
        if row["epoch"] % self.stride:
            return
        self.rows.append(row)
        if len(self.rows) >= self.capacity:
            self.rows = self.rows[::2]
            self.stride *= 2

    def since(self, epoch=0):
        """Columns of every kept row with epoch ≥ `epoch` (NaN and ±inf become None for JSON)."""
        rows = [r for r in self.rows if r["epoch"] >= epoch]
        latest = self.latest
        # The newest row is always shown, and it wins over a kept row of the same epoch (a
        # refresh after an edited weight or new data re-measures the current epoch).
        if latest is not None and latest["epoch"] >= epoch:
            if rows and rows[-1]["epoch"] == latest["epoch"]:
                rows[-1] = latest
            else:
                rows.append(latest)
        columns = {"epoch": [r["epoch"] for r in rows]}
        for name in self.fields:
            columns[name] = [_finite(r.get(name)) for r in rows]
        columns["grad_norms"] = [[_finite(v) for v in r["grad_norms"]] for r in rows]
        return columns

    def __len__(self):
        return len(self.rows)

    def to_dict(self):
        return {"fields": self.fields, "capacity": self.capacity, "stride": self.stride,
                "rows": [_json_row(r) for r in self.rows],
                "latest": None if self.latest is None else _json_row(self.latest)}

    @classmethod
    def from_dict(cls, data):
        history = cls(data["fields"], data["capacity"])
        history.stride = int(data["stride"])
        history.rows = [_python_row(r) for r in data["rows"]]
        latest = data.get("latest")
        history.latest = None if latest is None else _python_row(latest)
        if history.rows and latest is not None and history.rows[-1] == history.latest:
            history.latest = history.rows[-1]
        return history


def _finite(value):
    return value if value is None or math.isfinite(value) else None


# Non-finite numbers are stored as strings so an exported history stays valid JSON.
def _json_row(row):
    return {k: _json_value(v) for k, v in row.items()}


def _json_value(v):
    if isinstance(v, list):
        return [_json_value(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)
    return v


def _python_row(row):
    return {k: _python_value(v) for k, v in row.items()}


def _python_value(v):
    if isinstance(v, list):
        return [_python_value(x) for x in v]
    if isinstance(v, str):
        return float(v)
    return v
