"""Metrics a learner reads beside the loss: accuracy for classes, RMSE and R² for values."""

import numpy as np


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
