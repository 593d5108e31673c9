"""A small cache of grid feature matrices, so a snapshot only runs the forward pass.

Building the feature matrix of a 100 × 100 grid (sin x1 and friends over 10,000 points) costs
more than the forward pass of a playground network, and every request of a running page asks
for the same grid. `nn_core.grid.GridInputs` is that matrix; this keeps the few most recently
used ones per app, keyed by (features, bounds, resolution, neuron resolution).
"""

import threading
from collections import OrderedDict

from nn_core.grid import GridInputs, evaluate_grid

# Enough for several pages at different resolutions; one 400 × 400 entry with nine features
# is ~6 MB of float32, so the cache stays small.
CAPACITY = 16


class GridCache:
    def __init__(self, capacity=CAPACITY):
        self.capacity = capacity
        self._lock = threading.Lock()
        self._items = OrderedDict()
        self.hits = self.misses = 0

    def inputs(self, features, bounds, resolution, neuron_resolution):
        """The (shared, read-only) GridInputs for these settings, built on first use."""
        key = (tuple(features), tuple(bounds), resolution, neuron_resolution)
        with self._lock:
            grid = self._items.get(key)
            if grid is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return grid
            self.misses += 1
        # Built outside the lock: two threads may both build it; the last one stays. Harmless.
        grid = GridInputs(features, bounds, resolution, neuron_resolution)
        with self._lock:
            self._items[key] = grid
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return grid

    def evaluate(self, network, features, bounds, resolution, neuron_resolution=None):
        """nn_core's grid maps of `network`; without neuron maps the small grid is 2 × 2."""
        nres = neuron_resolution if neuron_resolution is not None else 2
        grid = self.inputs(features, bounds, resolution, nres)
        return evaluate_grid(network, grid=grid)
