"""Model export and import: a session as one JSON document, restored exactly.

The export holds the configuration, the points (float64, lossless), and nn_core's own trainer
state (network, initial weights, optimizer state, shuffling generator, position in the epoch,
history). Importing rebuilds the trainer with `Trainer.from_state_dict`, so training on after
an import gives bit-identical weights to never having exported. Nothing is pickled: every
array is base64 of raw little-endian bytes.

An import is untrusted input: anything malformed becomes a 422 naming "model", and the restored
session is checked against the server's limits and against itself before it is accepted.
"""

import json

import numpy as np

from nn_core import Trainer
from nn_core.errors import ConfigError
from nn_core.serialization import decode_array, encode_array

from . import config as cfg
from .encoding import finite_or_none
from .errors import ApiError
from .training_session import Points, TrainingSession

FORMAT = "nn-playground-model"
VERSION = 1


def export_session(session):
    """The JSON-safe export of `session` (call under its lock)."""
    p = session.points
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": dict(session.config),
        "custom_problem": session.custom_problem,
        "points": {"train_points": encode_array(p.train_points),
                   "train_labels": encode_array(p.train_labels),
                   "test_points": encode_array(p.test_points),
                   "test_labels": encode_array(p.test_labels)},
        "trainer": session.trainer.state_dict(),
    }


def import_session(model, limits):
    """A new TrainingSession restored from an export (422 "model" if it is not one)."""
    if not isinstance(model, dict):
        raise ApiError(400, "model: expected an exported model object", "model", None)
    if model.get("format") != FORMAT or model.get("version") != VERSION:
        raise ApiError(422, f"model: not a {FORMAT} version {VERSION} export", "model",
                       {"format": FORMAT, "version": VERSION})
    try:
        return _restore(model, limits)
    except (ApiError, ConfigError) as exc:
        field = exc.field if isinstance(exc, ApiError) else exc.field
        message = exc.message if isinstance(exc, ApiError) else str(exc)
        raise ApiError(422, f"model: {message}", f"model.{field}" if field else "model",
                       exc.allowed) from None
    except Exception as exc:  # noqa: BLE001 - any malformed export is the client's error
        raise ApiError(422, f"model: not a valid export ({type(exc).__name__})", "model",
                       None) from None


def _restore(model, limits):
    raw_points = model["points"]
    p = Points(*(decode_array(raw_points[k], f"points.{k}") for k in
                 ("train_points", "train_labels", "test_points", "test_labels")))
    for name, points, labels in (("train", p.train_points, p.train_labels),
                                 ("test", p.test_points, p.test_labels)):
        if points.ndim != 2 or points.shape[1] != 2 or labels.shape != (len(points),):
            raise ApiError(422, f"{name} points and labels do not match", f"points.{name}")
        if not (np.isfinite(points).all() and np.isfinite(labels).all()):
            raise ApiError(422, f"{name} points must be finite", f"points.{name}")
    if len(p.train_points) < 1 or len(p) > limits["MAX_POINTS"]:
        raise ApiError(422, "wrong number of points", "points", [1, limits["MAX_POINTS"]])

    custom_problem = model.get("custom_problem")
    if custom_problem not in (None, *cfg.PROBLEMS):
        raise ApiError(422, "unknown custom_problem", "custom_problem", cfg.PROBLEMS)
    config = cfg.normalize(model["config"], limits, custom_problem=custom_problem,
                           custom_points=len(p))
    trainer = Trainer.from_state_dict(model["trainer"])
    net = trainer.net
    # The trainer is the truth for the live settings; the config must agree with its network.
    config = cfg.normalize({**config, **trainer.hyperparams()}, limits,
                           custom_problem=custom_problem, custom_points=len(p))
    expected = {"layer_sizes": cfg.layer_sizes(config), "problem": config["problem"],
                "output_activation": config["output_activation"], "loss": config["loss"]}
    actual = {"layer_sizes": list(net.layer_sizes), "problem": net.problem,
              "output_activation": net.output_activation, "loss": net.loss}
    if expected != actual:
        raise ApiError(422, "the network does not match the configuration", "trainer.network",
                       expected)
    if trainer.n_train != len(p.train_points):
        raise ApiError(422, "the trainer's data does not match the points", "trainer.data")
    _check_history(trainer, limits["HISTORY_ROWS"])
    if trainer.status not in ("ok", "diverged"):
        raise ApiError(422, "unknown status", "trainer.status", ["ok", "diverged"])
    session = TrainingSession(config, p.as_problem(config["problem"]), trainer, limits,
                              custom_problem if config["dataset"] == cfg.CUSTOM else None)
    return session


def _check_history(trainer, max_rows):
    """Read the whole history once, as every later snapshot will, so junk fails now; and keep
    its memory bounded like a history grown here."""
    history = trainer.history
    if not isinstance(history.stride, int) or history.stride < 1:
        raise ApiError(422, "bad history stride", "trainer.history.stride", [1, None])
    if len(history.rows) >= max_rows:
        raise ApiError(422, f"{len(history.rows)} history rows is too many",
                       "trainer.history.rows", [0, max_rows - 1])
    history.capacity = min(history.capacity, max_rows)
    if not all(isinstance(f, str) for f in history.fields):
        raise ApiError(422, "bad history fields", "trainer.history.fields")
    columns = history.since(0)
    if any(not isinstance(e, int) or isinstance(e, bool) for e in columns["epoch"]):
        raise ApiError(422, "history epochs must be integers", "trainer.history.rows")
    json.dumps(finite_or_none(columns), allow_nan=False)
    json.dumps(finite_or_none(trainer.metrics()), allow_nan=False)
