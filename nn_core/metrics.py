"""Metrics a learner reads beside the loss: accuracy and the confusion matrix for classes,
RMSE and R² for values.

With k regression outputs, RMSE and R² are computed per output column and then averaged with
equal weights: scikit-learn's `multioutput="uniform_average"` (its default). So the RMSE of k
outputs is the mean of k RMSEs, not √(mean squared error) over all outputs, and one output fitted
badly pulls R² down however well the others fit.
"""

import numpy as np

from .errors import ConfigError


def accuracy(y_true, y_pred):
    """Share of rows whose predicted class equals the true class (binary or multi-class)."""
    y_true = np.asarray(y_true).ravel()
    if y_true.size == 0:
        return float("nan")
    return float(np.mean(y_true == np.asarray(y_pred).ravel()))


def rmse(y_true, y_pred):
    """RMSE = √(mean_rows (ŷ − y)²) per output, averaged over the k outputs (uniform_average).

    Targets and predictions are shaped (n,) or (n, k); NaN when there are no rows.
    """
    y_true, y_pred = _columns(y_true, y_pred)
    if len(y_true) == 0:
        return float("nan")
    d = y_pred - y_true
    return float(np.mean(np.sqrt(np.mean(d * d, axis=0))))


def r2(y_true, y_pred):
    """R² = 1 − Σ(ŷ − y)² / Σ(y − ȳ)² per output, averaged over the k outputs (uniform_average);
    1 for a perfect fit, 0 for predicting the mean, negative for worse than that.

    For an output whose targets are constant the ratio is undefined: like scikit-learn
    (`force_finite=True`) it counts as 1.0 when fitted exactly and 0.0 otherwise, so the number
    stays finite for plotting. NaN when there are no rows.
    """
    y_true, y_pred = _columns(y_true, y_pred)
    if len(y_true) == 0:
        return float("nan")
    ss_res = np.sum((y_pred - y_true) ** 2, axis=0)
    ss_tot = np.sum((y_true - y_true.mean(axis=0)) ** 2, axis=0)
    constant = ss_tot == 0.0
    scores = np.where(constant, np.where(ss_res == 0.0, 1.0, 0.0),
                      1.0 - ss_res / np.where(constant, 1.0, ss_tot))
    return float(np.mean(scores))


def _columns(y_true, y_pred):
    """Both as float (n, k) arrays: a flat vector is one output column."""
    t, p = (np.asarray(v, dtype=float) for v in (y_true, y_pred))
    t, p = (v.reshape(len(v), -1) if v.ndim != 1 else v[:, None] for v in (t, p))
    if t.shape != p.shape:
        raise ConfigError("y_pred", f"has shape {p.shape} but y_true has {t.shape}",
                          f"shape {t.shape}")
    return t, p


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
