"""Optimizers: exact formulas against plain reference code, convergence, state handling."""

import numpy as np
import pytest

from nn_core.errors import ConfigError
from nn_core.optimizers import (
    CLIP_NORM_RANGE,
    OPTIMIZERS,
    Optimizer,
    clip_by_global_norm,
    describe,
)

NAMES = OPTIMIZERS.names()
STATEFUL = [name for name in NAMES if name != "sgd"]


def test_registry_has_every_optimizer():
    assert NAMES == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    for name in NAMES:
        cls = OPTIMIZERS.get(name)
        assert issubclass(cls, Optimizer)
        assert cls.name == name
        assert set(cls.defaults) == set(cls.bounds)
        info = OPTIMIZERS.info(name)
        assert info["label"] and info["formula"]
        assert "←" in cls.__doc__.splitlines()[0]             # the first line is the update rule


# ---- reference implementations, written the obvious way -------------------------------------


def ref_momentum(w, grads, lr, momentum):
    v = np.zeros_like(w)
    for g in grads:
        v = momentum * v - lr * g
        w = w + v
    return w


def ref_nesterov(w, grads, lr, momentum):
    v = np.zeros_like(w)
    for g in grads:
        v_old = v
        v = momentum * v - lr * g
        w = w - momentum * v_old + (1 + momentum) * v
    return w


def ref_adagrad(w, grads, lr, eps):
    cache = np.zeros_like(w)
    for g in grads:
        cache = cache + g**2
        w = w - lr * g / (np.sqrt(cache) + eps)
    return w


def ref_rmsprop(w, grads, lr, rho, eps):
    cache = np.zeros_like(w)
    for g in grads:
        cache = rho * cache + (1 - rho) * g**2
        w = w - lr * g / (np.sqrt(cache) + eps)
    return w


def ref_adam(w, grads, lr, beta1, beta2, eps):
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w


REFERENCES = {
    "momentum": (ref_momentum, {"momentum": 0.8}),
    "nesterov": (ref_nesterov, {"momentum": 0.7}),
    "adagrad": (ref_adagrad, {"eps": 1e-6}),
    "rmsprop": (ref_rmsprop, {"rho": 0.85, "eps": 1e-7}),
    "adam": (ref_adam, {"beta1": 0.8, "beta2": 0.99, "eps": 1e-7}),
}


def random_grads(seed, n_steps=20, size=37):
    rng = np.random.default_rng(seed)
    return rng.normal(size=size), [rng.normal(size=size) * 0.5 for _ in range(n_steps)]


def run(opt, w, grads, lr):
    w = w.copy()
    for g in grads:
        opt.step(w, g.copy(), lr)
    return w


def test_sgd_is_exactly_w_minus_lr_g():
    w0, grads = random_grads(1, n_steps=1)
    w = w0.copy()
    OPTIMIZERS.get("sgd")().step(w, grads[0], 0.037)
    assert np.array_equal(w, w0 - 0.037 * grads[0])


def test_sgd_many_steps_bit_identical():
    w0, grads = random_grads(2)
    expected = w0.copy()
    for g in grads:
        expected = expected - 0.1 * g
    assert np.array_equal(run(OPTIMIZERS.get("sgd")(), w0, grads, 0.1), expected)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_matches_reference(name):
    ref, hyperparams = REFERENCES[name]
    w0, grads = random_grads(3)
    got = run(OPTIMIZERS.get(name)(**hyperparams), w0, grads, 0.05)
    expected = ref(w0.copy(), grads, 0.05, **hyperparams)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    # Guard against a vacuous pass: the parameters really moved.
    assert np.abs(got - w0).min() > 1e-4


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_default_hyperparams_match_reference(name):
    ref, hyperparams = REFERENCES[name]
    cls = OPTIMIZERS.get(name)
    w0, grads = random_grads(4)
    got = run(cls(), w0, grads, 0.01)
    expected = ref(w0.copy(), grads, 0.01, **cls.defaults)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


def test_documented_defaults():
    assert OPTIMIZERS.get("sgd").defaults == {}
    assert OPTIMIZERS.get("momentum").defaults == {"momentum": 0.9}
    assert OPTIMIZERS.get("momentum").bounds == {"momentum": (0.0, 0.999)}
    assert OPTIMIZERS.get("nesterov").defaults == {"momentum": 0.9}
    assert OPTIMIZERS.get("adagrad").defaults == {"eps": 1e-8}
    assert OPTIMIZERS.get("rmsprop").defaults == {"rho": 0.9, "eps": 1e-8}
    assert OPTIMIZERS.get("adam").defaults == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


def test_nesterov_differs_from_momentum():
    w0, grads = random_grads(5)
    a = run(OPTIMIZERS.get("momentum")(), w0, grads, 0.05)
    b = run(OPTIMIZERS.get("nesterov")(), w0, grads, 0.05)
    assert np.abs(a - b).max() > 1e-3


def test_momentum_zero_is_sgd():
    w0, grads = random_grads(6)
    for name in ("momentum", "nesterov"):
        got = run(OPTIMIZERS.get(name)(momentum=0.0), w0, grads, 0.1)
        np.testing.assert_allclose(got, run(OPTIMIZERS.get("sgd")(), w0, grads, 0.1), rtol=1e-14)


def test_adam_first_step_is_lr_times_sign():
    rng = np.random.default_rng(7)
    w0 = rng.normal(size=50)
    # Gradients of very different magnitudes: Adam's first step ignores the magnitude.
    g = rng.normal(size=50) * 10.0 ** rng.uniform(-3, 3, size=50)
    w = w0.copy()
    OPTIMIZERS.get("adam")().step(w, g, 0.01)
    np.testing.assert_allclose(w - w0, -0.01 * np.sign(g), rtol=1e-4)


def test_adagrad_first_step_is_lr_times_sign():
    rng = np.random.default_rng(8)
    w0 = rng.normal(size=40)
    g = rng.choice([-1.0, 1.0], size=40) * rng.uniform(0.01, 100.0, size=40)
    w = w0.copy()
    OPTIMIZERS.get("adagrad")().step(w, g, 0.3)
    np.testing.assert_allclose(w - w0, -0.3 * np.sign(g), rtol=1e-6)


# ---- convergence on f(w) = ½‖A w − b‖² -------------------------------------------------------

# name -> (learning rate, steps, required factor by which the loss must fall)
CONVERGENCE = {
    "sgd": (0.05, 300, 1e-10),
    "momentum": (0.01, 300, 1e-10),
    "nesterov": (0.01, 300, 1e-12),
    "adagrad": (0.5, 300, 1e-20),
    # RMSprop with a constant rate ends up hovering near the minimum instead of settling.
    "rmsprop": (0.01, 300, 1e-3),
    "adam": (0.05, 300, 1e-10),
}


def quadratic(seed=0, n=10):
    rng = np.random.default_rng(seed)
    # Well conditioned (singular values in [1, 3]) so every optimizer can converge quickly.
    q1, _ = np.linalg.qr(rng.normal(size=(n, n)))
    q2, _ = np.linalg.qr(rng.normal(size=(n, n)))
    a = q1 @ np.diag(np.linspace(1.0, 3.0, n)) @ q2
    b = rng.normal(size=n)
    return a, b


@pytest.mark.parametrize("name", NAMES)
def test_minimises_quadratic(name):
    assert set(CONVERGENCE) == set(NAMES)
    lr, steps, factor = CONVERGENCE[name]
    a, b = quadratic()
    w_star = np.linalg.solve(a, b)  # f(w*) = 0
    w = np.zeros(len(b))

    def loss(w):
        r = a @ w - b
        return 0.5 * float(r @ r)

    start = loss(w)
    opt = OPTIMIZERS.get(name)()
    for _ in range(steps):
        opt.step(w, a.T @ (a @ w - b), lr)
    assert loss(w) < factor * start
    assert np.abs(w - w_star).max() < 0.1
    assert opt.state["t"] == steps


# ---- state: reset, state_dict, set_hyperparams, size changes --------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_reset_clears_state(name):
    w0, grads = random_grads(9, n_steps=5)
    opt = OPTIMIZERS.get(name)()
    run(opt, w0, grads, 0.05)
    assert opt.state["t"] == 5
    opt.reset()
    assert opt.state == {}
    fresh = run(OPTIMIZERS.get(name)(), w0, grads[:1], 0.05)
    assert np.array_equal(run(opt, w0, grads[:1], 0.05), fresh)


@pytest.mark.parametrize("name", STATEFUL)
def test_state_arrays_shaped_like_params(name):
    w0, grads = random_grads(10, n_steps=2)
    opt = OPTIMIZERS.get(name)()
    run(opt, w0, grads, 0.05)
    arrays = {k: v for k, v in opt.state.items() if k != "t"}
    assert arrays
    for value in arrays.values():
        assert value.shape == w0.shape and value.dtype == np.float64
        assert np.abs(value).max() > 0


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_round_trip_is_bit_identical(name):
    w0, grads = random_grads(11, n_steps=20)
    lr = 0.03
    hp = REFERENCES.get(name, (None, {}))[1]
    straight = OPTIMIZERS.get(name)(**hp)
    w_straight = run(straight, w0, grads, lr)

    first = OPTIMIZERS.get(name)(**hp)
    w_half = run(first, w0, grads[:10], lr)
    saved = first.state_dict()
    assert saved["name"] == name
    assert saved["hyperparams"] == first.hyperparams
    assert saved["state"]["t"] == 10
    # The saved arrays are copies: stepping the original must not change them.
    snapshot = {k: np.copy(v) for k, v in saved["state"].items()}
    run(first, w_half, grads[10:11], lr)
    for key, value in snapshot.items():
        assert np.array_equal(saved["state"][key], value)

    second = OPTIMIZERS.get(name)()  # default hyperparams: load must restore the saved ones
    second.load_state_dict(saved)
    assert second.hyperparams == first.hyperparams
    w_resumed = run(second, w_half, grads[10:], lr)
    assert np.array_equal(w_resumed, w_straight)


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_of_fresh_optimizer(name):
    opt = OPTIMIZERS.get(name)()
    saved = opt.state_dict()
    assert saved == {"name": name, "hyperparams": opt.defaults, "state": {}}
    other = OPTIMIZERS.get(name)()
    other.load_state_dict(saved)
    assert other.state == {}


def test_load_state_dict_rejects_other_optimizer():
    saved = OPTIMIZERS.get("momentum")().state_dict()
    with pytest.raises(ConfigError) as info:
        OPTIMIZERS.get("adam")().load_state_dict(saved)
    assert info.value.field == "optimizer_state.name"
    assert info.value.allowed == ["adam"]


def test_load_state_dict_rejects_missing_slot():
    opt = OPTIMIZERS.get("adam")()
    w0, grads = random_grads(12, n_steps=1)
    run(opt, w0, grads, 0.1)
    saved = opt.state_dict()
    del saved["state"]["v"]
    with pytest.raises(ConfigError) as info:
        OPTIMIZERS.get("adam")().load_state_dict(saved)
    assert info.value.field == "optimizer_state.state"


def test_set_hyperparams_keeps_state():
    w0, grads = random_grads(13, n_steps=6)
    opt = OPTIMIZERS.get("momentum")(momentum=0.5)
    w = run(opt, w0, grads[:3], 0.05)
    v_before = opt.state["v"].copy()
    opt.set_hyperparams(momentum=0.95)
    assert opt.hyperparams == {"momentum": 0.95}
    assert np.array_equal(opt.state["v"], v_before) and opt.state["t"] == 3
    # Continuing matches a hand-computed continuation with the new momentum.
    expected, v = w.copy(), v_before.copy()
    for g in grads[3:]:
        v = 0.95 * v - 0.05 * g
        expected = expected + v
    np.testing.assert_allclose(run(opt, w, grads[3:], 0.05), expected, rtol=1e-12)


def test_adam_set_hyperparams_keeps_step_count():
    w0, grads = random_grads(14, n_steps=4)
    opt = OPTIMIZERS.get("adam")()
    run(opt, w0, grads, 0.01)
    opt.set_hyperparams(beta1=0.5)
    assert opt.state["t"] == 4 and opt.hyperparams["beta1"] == 0.5
    assert opt.hyperparams["beta2"] == 0.999


@pytest.mark.parametrize("name", STATEFUL)
def test_state_reallocated_when_size_changes(name):
    opt = OPTIMIZERS.get(name)()
    w_big, g_big = random_grads(15, n_steps=3, size=20)
    run(opt, w_big, g_big, 0.05)
    w_small, g_small = random_grads(16, n_steps=1, size=7)
    got = run(opt, w_small, g_small, 0.05)
    assert opt.state["t"] == 1
    assert np.array_equal(got, run(OPTIMIZERS.get(name)(), w_small, g_small, 0.05))


def test_step_keeps_params_object_and_grads():
    opt = OPTIMIZERS.get("adam")()
    w0, grads = random_grads(17, n_steps=1)
    w, g = w0.copy(), grads[0].copy()
    # The network's layers are views into this vector, so it must be updated in place.
    view = w[:5]
    opt.step(w, g, 0.1)
    assert np.array_equal(view, w[:5]) and not np.array_equal(view, w0[:5])
    assert np.array_equal(g, grads[0])


# ---- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_unknown_hyperparameter(name):
    cls = OPTIMIZERS.get(name)
    with pytest.raises(ConfigError) as info:
        cls(learning_rate=0.1)
    assert info.value.field == "optimizer_params.learning_rate"
    assert info.value.allowed == list(cls.bounds)
    opt = cls()
    with pytest.raises(ConfigError):
        opt.set_hyperparams(bogus=1.0)
    assert opt.hyperparams == cls.defaults


@pytest.mark.parametrize(
    "name, key, value",
    [
        ("momentum", "momentum", 1.0),
        ("momentum", "momentum", -0.1),
        ("nesterov", "momentum", 2),
        ("adagrad", "eps", 0.0),
        ("rmsprop", "rho", 1.5),
        ("adam", "beta1", 1.0),
        ("adam", "beta2", -1e-3),
        ("adam", "eps", float("nan")),
        ("adam", "beta1", "0.9"),
        ("adam", "beta1", None),
        ("adam", "beta1", True),
    ],
)
def test_out_of_range_hyperparameter(name, key, value):
    cls = OPTIMIZERS.get(name)
    with pytest.raises(ConfigError) as info:
        cls(**{key: value})
    assert info.value.field == f"optimizer_params.{key}"
    assert info.value.allowed == list(cls.bounds[key])


def test_failed_set_hyperparams_changes_nothing():
    opt = OPTIMIZERS.get("adam")(beta1=0.8)
    with pytest.raises(ConfigError):
        opt.set_hyperparams(beta2=0.5, eps=-1.0)
    assert opt.hyperparams == {"beta1": 0.8, "beta2": 0.999, "eps": 1e-8}


def test_bounds_edges_accepted_and_ints_become_floats():
    opt = OPTIMIZERS.get("momentum")(momentum=0)
    assert opt.hyperparams["momentum"] == 0.0 and isinstance(opt.hyperparams["momentum"], float)
    OPTIMIZERS.get("momentum")(momentum=0.999)
    OPTIMIZERS.get("adam")(beta1=np.float64(0.5))


def test_unknown_optimizer_name():
    with pytest.raises(ConfigError) as info:
        OPTIMIZERS.get("lbfgs", field="optimizer")
    assert info.value.field == "optimizer"
    assert info.value.allowed == NAMES


def test_describe():
    options = describe()
    assert [o["name"] for o in options] == NAMES
    adam = options[-1]
    assert adam["label"] == "Adam" and "β₁" in adam["formula"]
    assert adam["params"][0] == {
        "name": "beta1",
        "default": 0.9,
        "min": 0.0,
        "max": 0.999,
        "integer": False,
    }
    assert [p["name"] for p in adam["params"]] == ["beta1", "beta2", "eps"]
    assert options[0]["params"] == []
    # describe() hands out copies: editing them must not change the registry.
    adam["params"][0]["default"] = 123
    assert describe()[-1]["params"][0]["default"] == 0.9


# ---- clip_by_global_norm ---------------------------------------------------------------------


def test_clip_scales_to_max_norm():
    g = np.array([3.0, 4.0, 0.0, -12.0])  # norm 13
    norm = clip_by_global_norm(g, 6.5)
    assert norm == 13.0
    np.testing.assert_allclose(g, [1.5, 2.0, 0.0, -6.0], rtol=1e-15)
    assert np.linalg.norm(g) == pytest.approx(6.5, rel=1e-15)


@pytest.mark.parametrize("max_norm", [None, 0, 0.0, 13.0, 100.0])
def test_clip_leaves_small_or_disabled(max_norm):
    g = np.array([3.0, 4.0, 0.0, -12.0])
    assert clip_by_global_norm(g, max_norm) == 13.0
    assert np.array_equal(g, [3.0, 4.0, 0.0, -12.0])


def test_clip_int_max_norm_and_zero_grads():
    g = np.array([3.0, 4.0])
    assert clip_by_global_norm(g, 1) == 5.0
    np.testing.assert_allclose(g, [0.6, 0.8], rtol=1e-15)
    z = np.zeros(3)
    assert clip_by_global_norm(z, 1.0) == 0.0
    assert np.array_equal(z, np.zeros(3))


def test_clip_non_finite_leaves_grads():
    g = np.array([1e200, 1e200, 1.0])
    assert clip_by_global_norm(g, 1.0) == float("inf")
    assert np.array_equal(g, [1e200, 1e200, 1.0])
    n = np.array([np.nan, 1.0])
    assert np.isnan(clip_by_global_norm(n, 1.0))
    assert n[1] == 1.0


@pytest.mark.parametrize("max_norm", [-1.0, "5", float("nan"), 1e7])
def test_clip_rejects_bad_max_norm(max_norm):
    with pytest.raises(ConfigError) as info:
        clip_by_global_norm(np.ones(3), max_norm)
    assert info.value.field == "clip_norm"
    assert info.value.allowed == list(CLIP_NORM_RANGE)


@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_param_arrays_counts_what_an_optimizer_really_keeps(name):
    """The server's memory estimate asks `param_arrays()` before building anything: it must be
    the number of parameter-sized arrays a step leaves behind (slots and scratch)."""
    opt = OPTIMIZERS.get(name)()
    params, grads = np.ones(7), np.full(7, 0.1)
    opt.step(params, grads, 0.01)
    opt.step_sizes(0.01)
    kept = [v for v in opt.state.values() if isinstance(v, np.ndarray)]
    scratch = [opt._tmp] if opt._tmp is not None else []
    assert all(a.shape == params.shape for a in kept + scratch)
    assert len(kept) + len(scratch) == opt.param_arrays()
