"""A fork: a new session on exactly its source's points and split, with some configuration
fields changed (Compare races such runs).

When the weight shapes, `init` and `seed` are unchanged, the fork starts from exactly the
source's initial weights (whatever produced them: a reseed, an import), so the runs differ only
in what was changed.
"""

from nn_core.errors import ConfigError

from . import config as cfg
from .errors import ApiError, bad_type
from .training_session import TrainingSession


def plan_fork(source, overrides, limits):
    """(plan, same initial weights?) for a fork of `source` (call under its lock) with
    `overrides`, checked and costed; errors name their field under "overrides"."""
    if not isinstance(overrides, dict):
        raise bad_type("overrides", "an object of configuration fields", overrides)
    base, points, custom = dict(source.config), source.points, source.custom_problem
    for key in cfg.DATA_FIELDS:
        if key in overrides and overrides[key] != base[key]:
            raise ApiError(422, f"overrides.{key}: a fork shares its source's data",
                           f"overrides.{key}", [base[key]])
    try:
        config = cfg.normalize(cfg.merge(base, overrides), limits, custom_problem=custom,
                               custom_points=len(points))
    except (ApiError, ConfigError) as exc:
        raise _under("overrides", exc) from None
    plan = TrainingSession.plan_on_points(config, points, limits, custom)
    same = (cfg.layer_sizes(config) == list(source.network.layer_sizes)
            and config["init"] == base["init"] and config["seed"] == base["seed"])
    if same:
        plan.initial_params = source.trainer.initial_params.copy()
    return plan, same


def _under(prefix, exc):
    """The same error with its field named inside `prefix` ("learning_rate" → "overrides.learning_rate")."""
    field = f"{prefix}.{exc.field}" if exc.field else prefix
    if isinstance(exc, ApiError):
        return ApiError(exc.status, f"{prefix}.{exc.message}", field, exc.allowed, **exc.extra)
    return ApiError(422, f"{prefix}.{exc}", field, exc.allowed)
