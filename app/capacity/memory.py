"""How much memory a session will hold, estimated from its description before it is built.

The server checks every session against a per-session limit and all sessions together against
a process-wide budget (`capacity/limits.py`), so it must know the cost of a configuration before
allocating anything: a tampered import or a PATCH to the largest network is refused by
arithmetic, not by running out of memory. The estimate counts what nn_core and the session
keep between requests (8-byte floats throughout):

    network     P·(params + grads + weight mask + initial params: `trainer.PARAM_VECTORS`,
                + the optimizer's slots and scratch: `Optimizer.param_arrays()`)
    data        the points (2 coordinates, or a real set's columns) and labels, their features
                (plain, with a bias column, shuffled), the targets
    workspaces  per-batch buffers (`layers.Workspace.floats`) for the batch size, the epoch's
                last (shorter) batch and the whole training set (the full-batch gradient of a
                reset or an edited weight)
    history     `HISTORY_ROWS` rows of Python floats (a dict per epoch: ~760 B, + 36 B a layer,
                + 160 B for regression's extra metrics)
    trajectory  the recorded path: nn_core.trajectory's capacity of float32 parameter vectors
    log         the run log (nn_core.runlog): `log_capacity` numbers, and a checkpoint (the
                trainer's saved state: data, weights and optimizer slots in base64)
    fixed       Python objects of the session, the trainer, the layers (~64 KB)

P = Σ (n_in + 1)·n_out over the layers. The tests check the estimate against what tracemalloc
measures for many configurations (never below it, and not far above).
"""

from nn_core import trajectory
from nn_core.layers import Workspace
from nn_core.optimizers import OPTIMIZERS
from nn_core.runlog import ENTRY_COST
from nn_core.trainer import PARAM_VECTORS

from .limits import GB, MB

FLOAT = 8
# A NumPy array object's own bytes besides its data (a recorded path keeps one per vector).
ARRAY_OVERHEAD = 112
FIXED = 64 * 1024
HISTORY_ROW = 760
HISTORY_ROW_PER_LAYER = 36
HISTORY_ROW_REGRESSION = 160
# What a session's run log may hold before it starts again from a checkpoint: two copies of
# the data and the weights (new data, weights set by applied traces), and this many small
# changes (settings, typed weights).
LOG_COPIES = 2
LOG_CHANGES = 256
BASE64 = 4 / 3


def n_params(layer_sizes):
    return sum((a + 1) * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))


def workspace_bytes(layer_sizes, rows):
    """nn_core's per-batch-size buffers (`nn_core.layers.Workspace`) for `rows` rows."""
    return Workspace.floats(layer_sizes, rows) * FLOAT


def log_capacity(layer_sizes, n_train, n_test):
    """Numbers the run log of a session of this size may hold (`Trainer(log_capacity=...)`)."""
    n = n_train + n_test
    data = n * (layer_sizes[0] + layer_sizes[-1])
    return LOG_COPIES * (data + n_params(layer_sizes)) + LOG_CHANGES * ENTRY_COST


def estimate(layer_sizes, optimizer, n_train, n_test, batch_size, history_rows,
             regression=False, point_width=2):
    """{part: bytes} for a session with this network, optimizer, split, batch and history;
    `point_width` numbers per point (2 in the plane, a real set's columns)."""
    n_in, n_out, layers = layer_sizes[0], layer_sizes[-1], len(layer_sizes) - 1
    p = n_params(layer_sizes)
    network = p * FLOAT * (PARAM_VECTORS + OPTIMIZERS.get(optimizer).param_arrays())
    n = n_train + n_test
    data = FLOAT * (
        (point_width + 1) * n              # the session's points and labels
        + n                                # labels typed for the problem, kept by the trainer
        + n * n_in                         # features of every point
        + 2 * n_train * (n_in + 1)         # with the bias column, and shuffled
        + n * n_out + n_train * n_out      # targets, and shuffled
        + n_train)                         # the permutation
    batch = max(1, min(batch_size, n_train))
    last = n_train % batch
    workspaces = (workspace_bytes(layer_sizes, n_train) + workspace_bytes(layer_sizes, batch)
                  + workspace_bytes(layer_sizes, last))
    row = (HISTORY_ROW + HISTORY_ROW_PER_LAYER * layers
           + (HISTORY_ROW_REGRESSION if regression else 0))
    history = history_rows * row
    path = trajectory.capacity(p) * (p * 4 + ARRAY_OVERHEAD)
    checkpoint = BASE64 * FLOAT * (n * (n_in + 1) + n_train
                                   + p * (2 + len(OPTIMIZERS.get(optimizer).slots))) + row
    log = log_capacity(layer_sizes, n_train, n_test) * FLOAT + int(checkpoint)
    return {"network": network, "data": data, "workspaces": workspaces, "history": history,
            "trajectory": path, "log": log, "fixed": FIXED}


def total(parts):
    return sum(parts.values())


def describe(n_bytes):
    """Bytes as a person reads them: '1.5 MB', '2.0 GB'."""
    if n_bytes >= GB:
        return f"{n_bytes / GB:.1f} GB"
    return f"{n_bytes / MB:.1f} MB"


def biggest_field(parts):
    """The configuration field a learner would change to make the session smaller."""
    largest = max(parts, key=parts.get)
    return {"network": "hidden_layers", "data": "n_points", "workspaces": "n_points",
            "history": "hidden_layers", "trajectory": "hidden_layers", "log": "n_points",
            "fixed": "hidden_layers"}[largest]
