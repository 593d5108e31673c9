"""Where training went: the parameter vector at recorded epochs, with bounded memory.

A `Trainer` appends its flat parameter vector each time it records a history row (epoch 0, then
every `eval_every` epochs), so the loss landscape can draw the path an optimizer took. Like
`History`, once `capacity` vectors are stored every other one is dropped and from then on only
every `stride`-th epoch is kept: the path keeps its shape over any number of epochs. The
capacity is counted in numbers, not rows: at most `MAX_VALUES` parameters in all (and between
`MIN_ROWS` and `MAX_ROWS` vectors), so a big network keeps fewer points and a session's memory
and its model export stay small. Vectors are stored as float32: a drawing, not a checkpoint
(the trainer's own weights stay float64). A vector with NaN, ±inf or a value beyond float32's
range (a diverged step) is not recorded: it cannot be drawn.
"""

import numpy as np

from .drawable import beyond_float32
from .errors import ConfigError
from .serialization import decode_array, encode_array

MAX_ROWS = 128
MIN_ROWS = 2
MAX_VALUES = 2**16          # 256 KB of float32 per trainer, ~350 KB in a model export


def capacity(n_params, max_rows=MAX_ROWS, max_values=MAX_VALUES):
    """How many vectors a trajectory of `n_params` parameters keeps at most."""
    return max(MIN_ROWS, min(int(max_rows), int(max_values) // max(1, int(n_params))))


class Trajectory:
    """Trajectory(n_params): `append(epoch, params)`, then `epochs` and `params` (rows, n_params)."""

    def __init__(self, n_params, max_rows=MAX_ROWS, max_values=MAX_VALUES):
        self.n_params = int(n_params)
        self.capacity = capacity(self.n_params, max_rows, max_values)
        self.clear()

    def clear(self):
        self._epochs, self._rows = [], []
        self.stride = 1

    def append(self, epoch, params):
        """Record `params` (a copy, as float32) at `epoch` when the stride keeps that epoch."""
        params = np.asarray(params)
        if params.shape != (self.n_params,) or beyond_float32(params):
            return
        if self._epochs and self._epochs[-1] == epoch:   # the same epoch measured again
            self._rows[-1] = params.astype(np.float32)
            return
        if epoch % self.stride:
            return
        self._epochs.append(int(epoch))
        self._rows.append(params.astype(np.float32))
        if len(self._rows) >= self.capacity:
            self._epochs, self._rows = self._epochs[::2], self._rows[::2]
            self.stride *= 2

    @property
    def epochs(self):
        return list(self._epochs)

    @property
    def params(self):
        """(rows, n_params) float64 array of the recorded vectors, oldest first."""
        if not self._rows:
            return np.empty((0, self.n_params))
        return np.stack(self._rows).astype(np.float64)

    def path(self, epoch, params):
        """(epochs, (rows, n_params) float64): the recorded path ending at the current weights
        `params` (float64, exact) at `epoch`, which replace a record of the same epoch (the
        weights may have been edited since) or are added after the last one."""
        epochs, rows = self.epochs, self.params
        params = np.asarray(params, dtype=float)
        if params.shape != (self.n_params,) or not np.isfinite(params).all():
            return epochs, rows
        if epochs and epochs[-1] == epoch:
            epochs, rows = epochs[:-1], rows[:-1]
        return epochs + [int(epoch)], np.concatenate([rows, params[None, :]])

    def __len__(self):
        return len(self._rows)

    def to_dict(self):
        return {"stride": self.stride, "epochs": list(self._epochs),
                "params": encode_array(np.stack(self._rows) if self._rows
                                       else np.empty((0, self.n_params), np.float32), "float32")}

    @classmethod
    def from_dict(cls, data, n_params, field="trajectory"):
        """The trajectory `to_dict` saved, checked against the network's parameter count."""
        try:
            rows = decode_array(data["params"], f"{field}.params")
            epochs = [int(e) for e in data["epochs"]]
            stride = int(data["stride"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(field, f"not a saved trajectory ({exc!r})") from None
        if rows.ndim != 2 or rows.shape != (len(epochs), n_params) or rows.dtype != np.float32:
            raise ConfigError(f"{field}.params", f"shape {rows.shape} does not fit",
                              f"(len(epochs), {n_params}) float32")
        trajectory = cls(n_params)
        if len(rows) >= trajectory.capacity or stride < 1 or epochs != sorted(set(epochs)):
            raise ConfigError(field, "too many rows, a bad stride or unordered epochs",
                              f"at most {trajectory.capacity - 1} rows in epoch order")
        trajectory._epochs, trajectory._rows, trajectory.stride = epochs, list(rows), stride
        return trajectory

    @classmethod
    def restore(cls, data, n_params, epoch, params):
        """From `to_dict`'s output, or (an export made before trajectories were recorded) a
        trajectory that starts at the current epoch and weights."""
        if data is not None:
            return cls.from_dict(data, n_params)
        trajectory = cls(n_params)
        trajectory.append(epoch, params)
        return trajectory
