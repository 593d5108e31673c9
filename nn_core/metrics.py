"""Metrics a learner reads beside the loss: accuracy and the confusion matrix for classes,
RMSE and R² for values."""

import numpy as np

from .errors import ConfigError


def accuracy(y_true, y_pred):
    """Share of rows whose predicted class equals the true class (binary or multi-class)."""
    y_true = np.asarray(y_true).ravel()
    if y_true.size == 0:
        return float("nan")
    return float(np.mean(y_true == np.asarray(y_pred).ravel()))


def rmse(y_true, y_pred):
    """√(mean (ŷ − y)²)."""
    d = np.asarray(y_pred, dtype=float).ravel() - np.asarray(y_true, dtype=float).ravel()
    return float(np.sqrt(np.mean(d * d))) if d.size else float("nan")


def r2(y_true, y_pred):
    """R² = 1 − Σ(ŷ − y)² / Σ(y − ȳ)²; 1 for a perfect fit, 0 for predicting the mean.

    With constant targets the ratio is undefined: we report 1.0 for a perfect fit and 0.0
    otherwise, so the number stays finite for plotting.
    """
    y_true = np.asarray(y_true, dtype=float).ravel()
    y_pred = np.asarray(y_pred, dtype=float).ravel()
    if y_true.size == 0:
        return float("nan")
    ss_res = float(np.sum((y_pred - y_true) ** 2))
    ss_tot = float(np.sum((y_true - y_true.mean()) ** 2))
    if ss_tot == 0.0:
        return 1.0 if ss_res == 0.0 else 0.0
    return 1.0 - ss_res / ss_tot


def confusion_matrix(y_true, y_pred, n_classes):
    """(K, K) int64 counts: C[i, j] is the number of rows of true class i predicted as class j.

    Rows are true classes, columns predicted ones (the usual convention), so the diagonal holds
    the correct predictions: trace(C) / C.sum() is `accuracy`, row i sums to the number of rows
    of class i, column j to the number predicted as j. Labels are class ids 0..K-1 (binary: 0/1).
    """
    k = int(n_classes)
    if k != n_classes or k < 1:
        raise ConfigError("n_classes", f"expected a whole number ≥ 1, got {n_classes!r}", "≥ 1")
    t, p = _class_ids(y_true, k, "y_true"), _class_ids(y_pred, k, "y_pred")
    if t.size != p.size:
        raise ConfigError("y_pred", f"has {p.size} rows but y_true has {t.size}", f"{t.size} rows")
    # Each (true, predicted) pair becomes one cell index t·K + p; one bincount counts them all.
    counts = np.bincount(t * k + p, minlength=k * k)
    return counts.reshape(k, k).astype(np.int64, copy=False)


def _class_ids(y, k, field):
    """`y` as a flat int64 vector of ids in [0, k), refusing anything else (bincount would
    silently count a wrong id in some other cell)."""
    y = np.asarray(y).ravel()
    if y.size == 0:
        return np.zeros(0, np.int64)
    ok = y.dtype.kind in "biu" or (y.dtype.kind == "f" and np.isfinite(y).all())
    ids = y.astype(np.int64) if ok else None
    if not ok or not (np.array_equal(ids, y) and ids.min() >= 0 and ids.max() < k):
        raise ConfigError(field, f"class ids must be whole numbers in 0..{k - 1}", [0, k - 1])
    return ids
