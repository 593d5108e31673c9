"""A small cache of grid feature matrices, so a snapshot only runs the forward pass.

Building the feature matrix of a 100 × 100 grid (sin x1 and friends over 10,000 points) costs
more than the forward pass of a playground network, and every request of a running page asks
for the same grid. `nn_core.grid.GridInputs` is that matrix; this keeps the most recently used
ones per app, keyed by (features, bounds, resolution, neuron resolution), within `CAPACITY`
entries and `CAPACITY_BYTES` (a 400 × 400 grid with nine features is ~6 MB of float32). The
input-feature thumbnails a snapshot sends never change for a grid, so their encodings are kept
with it too.
"""

import threading
from collections import OrderedDict

from nn_core.grid import GridInputs, evaluate_grid

CAPACITY = 16
CAPACITY_BYTES = 32 * 1024 * 1024


class _Entry:
    def __init__(self, grid):
        self.grid = grid
        self.encoded = {}  # encoding name -> the encoded input-feature maps
        self.nbytes = grid.X.nbytes


class GridCache:
    def __init__(self, capacity=CAPACITY, capacity_bytes=CAPACITY_BYTES):
        self.capacity = capacity
        self.capacity_bytes = capacity_bytes
        self._lock = threading.Lock()
        self._items = OrderedDict()

    @property
    def nbytes(self):
        with self._lock:
            return sum(entry.nbytes for entry in self._items.values())

    def _entry(self, features, bounds, resolution, neuron_resolution):
        key = (tuple(features), tuple(bounds), resolution, neuron_resolution)
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
                return entry
        # Built outside the lock: two threads may both build it; the last one stays. Harmless.
        entry = _Entry(GridInputs(features, bounds, resolution, neuron_resolution))
        with self._lock:
            self._items[key] = entry
            while len(self._items) > 1 and (
                    len(self._items) > self.capacity
                    or sum(e.nbytes for e in self._items.values()) > self.capacity_bytes):
                self._items.popitem(last=False)
        return entry

    def inputs(self, features, bounds, resolution, neuron_resolution):
        """The (shared, read-only) GridInputs for these settings, built on first use."""
        return self._entry(features, bounds, resolution, neuron_resolution).grid

    def evaluate(self, network, features, bounds, resolution, neuron_resolution=None):
        """nn_core's grid maps of `network`; without neuron maps the small grid is 2 × 2."""
        nres = neuron_resolution if neuron_resolution is not None else 2
        return evaluate_grid(network, grid=self.inputs(features, bounds, resolution, nres))

    def encoded_inputs(self, features, bounds, resolution, neuron_resolution, encoding, encode):
        """`encode(grid.inputs, encoding)`, computed once per grid and encoding."""
        entry = self._entry(features, bounds, resolution, neuron_resolution)
        encoded = entry.encoded.get(encoding)
        if encoded is None:
            encoded = entry.encoded[encoding] = encode(entry.grid.inputs, encoding)
        return encoded
