"""Learning-rate schedules: exact values at given epochs, parameters and validation."""

import pytest

from nn_core.errors import ConfigError
from nn_core.schedules import SCHEDULES, describe

NAMES = SCHEDULES.names()


def test_registry():
    assert NAMES == ["constant", "step", "exponential", "inverse_time"]
    for name in NAMES:
        cls = SCHEDULES.get(name)
        assert cls.name == name
        assert set(cls.defaults) == set(cls.bounds)
        info = SCHEDULES.info(name)
        assert info["label"] and info["formula"].startswith("lr = ")


@pytest.mark.parametrize("name", NAMES)
def test_epoch_zero_is_base_rate(name):
    assert SCHEDULES.get(name)()(0.03, 0) == 0.03


@pytest.mark.parametrize("epoch", [0, 1, 99, 12345])
def test_constant(epoch):
    assert SCHEDULES.get("constant")()(0.1, epoch) == 0.1


@pytest.mark.parametrize(
    "epoch, expected",
    [(0, 0.2), (99, 0.2), (100, 0.1), (199, 0.1), (200, 0.05), (350, 0.025)],
)
def test_step_defaults(epoch, expected):
    assert SCHEDULES.get("step")()(0.2, epoch) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("epoch, expected", [(0, 1.0), (2, 1.0), (3, 0.1), (5, 0.1), (6, 0.01)])
def test_step_custom(epoch, expected):
    schedule = SCHEDULES.get("step")(gamma=0.1, step_size=3)
    assert schedule(1.0, epoch) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("epoch", [0, 1, 10, 250])
def test_exponential(epoch):
    expected = 0.5 * 0.99**epoch
    assert SCHEDULES.get("exponential")()(0.5, epoch) == pytest.approx(expected, rel=1e-15)
    assert SCHEDULES.get("exponential")(gamma=0.9)(2.0, 3) == pytest.approx(1.458, rel=1e-15)


def test_exponential_far_epoch_underflows_quietly():
    assert SCHEDULES.get("exponential")(gamma=0.5)(1.0, 10**6) == 0.0


@pytest.mark.parametrize("epoch, expected", [(0, 0.3), (1, 0.3 / 1.01), (100, 0.15), (300, 0.075)])
def test_inverse_time_defaults(epoch, expected):
    assert SCHEDULES.get("inverse_time")()(0.3, epoch) == pytest.approx(expected, rel=1e-15)


def test_inverse_time_custom_decay():
    assert SCHEDULES.get("inverse_time")(decay=2)(1.0, 4) == pytest.approx(1 / 9, rel=1e-15)
    assert SCHEDULES.get("inverse_time")(decay=0)(1.0, 1000) == 1.0


def test_params_and_set_params():
    schedule = SCHEDULES.get("step")()
    assert schedule.params == {"gamma": 0.5, "step_size": 100}
    schedule.set_params(step_size=10.0)
    assert schedule.params["step_size"] == 10 and isinstance(schedule.params["step_size"], int)
    assert schedule(1.0, 25) == 0.25
    schedule.set_params(gamma=0.1)
    assert schedule.params == {"gamma": 0.1, "step_size": 10}


@pytest.mark.parametrize(
    "name, key, value",
    [
        ("step", "gamma", 0.0),
        ("step", "gamma", 1.5),
        ("step", "step_size", 0),
        ("step", "step_size", 100001),
        ("step", "step_size", 2.5),
        ("exponential", "gamma", 0.4),
        ("exponential", "gamma", 1.01),
        ("inverse_time", "decay", -0.1),
        ("inverse_time", "decay", 11),
        ("inverse_time", "decay", "fast"),
        ("inverse_time", "decay", float("inf")),
    ],
)
def test_bounds_errors(name, key, value):
    cls = SCHEDULES.get(name)
    with pytest.raises(ConfigError) as info:
        cls(**{key: value})
    assert info.value.field == f"schedule_params.{key}"
    assert info.value.allowed == list(cls.bounds[key])


@pytest.mark.parametrize("name", NAMES)
def test_unknown_param(name):
    cls = SCHEDULES.get(name)
    with pytest.raises(ConfigError) as info:
        cls(warmup=5)
    assert info.value.field == "schedule_params.warmup"
    assert info.value.allowed == list(cls.bounds)


def test_failed_set_params_changes_nothing():
    schedule = SCHEDULES.get("step")(gamma=0.2)
    with pytest.raises(ConfigError):
        schedule.set_params(gamma=0.3, step_size=-1)
    assert schedule.params == {"gamma": 0.2, "step_size": 100}


def test_documented_bounds():
    assert SCHEDULES.get("step").bounds == {"gamma": (0.01, 1.0), "step_size": (1, 100000)}
    assert SCHEDULES.get("exponential").bounds == {"gamma": (0.5, 1.0)}
    assert SCHEDULES.get("inverse_time").bounds == {"decay": (0.0, 10.0)}
    assert SCHEDULES.get("exponential").defaults == {"gamma": 0.99}
    assert SCHEDULES.get("inverse_time").defaults == {"decay": 0.01}


def test_unknown_schedule():
    with pytest.raises(ConfigError) as info:
        SCHEDULES.get("cosine", field="schedule")
    assert info.value.field == "schedule"
    assert info.value.allowed == NAMES


def test_describe():
    options = describe()
    assert [o["name"] for o in options] == NAMES
    step = options[1]
    assert step["formula"] == SCHEDULES.info("step")["formula"]
    assert step["params"] == [
        {"name": "gamma", "default": 0.5, "min": 0.01, "max": 1.0, "integer": False},
        {"name": "step_size", "default": 100, "min": 1, "max": 100000, "integer": True},
    ]
    assert options[0]["params"] == []
