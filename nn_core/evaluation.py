"""Measuring a network on a set of rows: the numbers each history row records.

    loss      L = 1/n Σ_rows ℓ(ŷ, y)            (the network's loss function, mean over the rows)
    accuracy  share of rows whose decided class equals the label (classification)
    RMSE, R²  per output, then their mean (regression: scikit-learn's uniform_average)
    ‖∂L/∂W_i‖ the L2 norm of each layer's weight-and-bias gradient (the history's grad_norms)

Rows are taken `EVAL_CHUNK` at a time, so an evaluation over many rows keeps its temporaries
small; predictions use the same chunks as the loss, so they are bit for bit the outputs the
recorded accuracy was computed from.
"""

import math

import numpy as np

from .metrics import accuracy, r2, rmse

# What each history row records beside `epoch` and `grad_norms` (reg_loss apart from the losses).
HISTORY_FIELDS = ("train_loss", "test_loss", "reg_loss", "learning_rate")
CLASSIFICATION_FIELDS = ("train_accuracy", "test_accuracy")
REGRESSION_FIELDS = ("train_rmse", "test_rmse", "train_r2", "test_r2")
# Rows one evaluation forward pass takes at once (metrics, confusion matrices, the server's
# memory estimate of them): small temporaries stay in cache.
EVAL_CHUNK = 2048


def loss_and_outputs(net, X, T, watch=None, chunk=EVAL_CHUNK):
    """(mean loss, outputs) of `net` over the rows X with encoded targets T, a chunk at a time:
    small temporaries stay in cache instead of faulting in tens of megabytes of fresh pages every
    epoch. `watch` (a DeadNetworkCheck) sees each chunk's pre-activations."""
    total, outputs = 0.0, []
    if watch is not None:
        watch.start_pass()
    for i in range(0, len(X), chunk):
        fwd = net.forward(X[i:i + chunk])
        if watch is not None:
            watch.see(fwd.z)
        total += net.loss_fn.value(fwd.z[-1], fwd.output, T[i:i + chunk]) * len(fwd.output)
        outputs.append(fwd.output)
    return total / len(X), np.concatenate(outputs)


def predict(net, X, chunk=EVAL_CHUNK):
    """Class ids (values for regression) over all rows, in the same chunks as `loss_and_outputs`
    (so bit for bit the same outputs, and the same predictions, as the recorded accuracy)."""
    with np.errstate(all="ignore"):   # a diverged network's NaN outputs still decide
        return np.concatenate([net.decide(net.forward(X[i:i + chunk]).output)
                               for i in range(0, len(X), chunk)] or [np.zeros(0, np.int64)])


def add_metrics(row, split, net, output, y):
    """Put the split's accuracy (classification) or RMSE and R² (regression) into `row`, from
    the network's `output` for labels `y`; NaN when the split has no rows (`output` None)."""
    if net.problem == "regression":
        # k outputs: each metric per output, then their mean (scikit-learn's uniform_average)
        row[f"{split}_rmse"] = math.nan if output is None else rmse(y, output)
        row[f"{split}_r2"] = math.nan if output is None else r2(y, output)
    else:
        row[f"{split}_accuracy"] = math.nan if output is None else accuracy(y, net.decide(output))


def grad_norms(net):
    """‖∂L/∂W_i‖ per layer (weights and bias together) of the gradient in `net.grads`."""
    return [float(np.linalg.norm(layer.dW_aug)) for layer in net.layers]
