"""Every convention in the README's tables, pinned: each test names the row it backs and fails if
the engine drifted from what the README says (by hand computations, not by re-running the code)."""

import math

import numpy as np
import pytest

from nn_core import OPTIMIZERS, ConfigError, Network, Trainer, make_dataset
from nn_core.activations import get_activation
from nn_core.losses import get_loss
from nn_core.optimizers import CLIP_NORM_RANGE
from nn_core.regularizers import REG_RATE_RANGE
from nn_core.seeds import SEED_MAX
from nn_core.trainer import FLOAT32_MAX, LEARNING_RATE_RANGE

# ---- losses --------------------------------------------------------------------------------------


def test_mse_row_mean_over_all_outputs_twice_the_tf_playground_gradient():
    a = np.array([[0.5, 2.0], [1.0, -1.0], [0.0, 0.0]])
    t = np.array([[0.0, 1.0], [1.0, 1.0], [1.0, 0.0]])
    mse, linear = get_loss("mse"), get_activation("linear")
    assert mse.value(a, a, t) == pytest.approx((0.25 + 1 + 0 + 4 + 1 + 0) / 6, rel=1e-15)
    ours = mse.grad_z(a, a, t, linear)
    tf_playground = (a - t) / len(a) / a.shape[1]       # d/dŷ of mean ½(ŷ − y)² per output
    np.testing.assert_allclose(ours, 2 * tf_playground, rtol=1e-15)


def test_cross_entropy_and_hinge_row_mean_over_rows():
    z = np.array([[0.0, 0.0], [math.log(3.0), 0.0]])
    t = np.array([[1.0, 0.0], [0.0, 1.0]])
    softmax = get_activation("softmax")
    # −ln ½ and −ln ¼, averaged over the two rows (not over the four numbers)
    expected = (math.log(2.0) + math.log(4.0)) / 2
    assert get_loss("softmax_ce").value(z, softmax.forward(z), t) == pytest.approx(expected, rel=1e-14)
    a, pm = np.array([[0.5], [-1.0]]), np.array([[1.0], [1.0]])
    assert get_loss("hinge").value(a, a, pm) == pytest.approx((0.5 + 2.0) / 2, rel=1e-15)


def test_hinge_row_subgradient_at_the_margin_is_zero():
    linear = get_activation("linear")
    a = np.array([[1.0], [-1.0], [0.999], [1.001]])
    t = np.array([[1.0], [-1.0], [1.0], [1.0]])       # margins 1, 1, 0.999, 1.001
    grad = get_loss("hinge").grad_z(a, a, t, linear)
    assert grad[:, 0].tolist() == [0.0, 0.0, -0.25, 0.0]


def test_labels_row_binary_is_0_1_and_tanh_trains_on_plus_minus_one():
    tanh = Network([2, 3, 1], output_activation="tanh", problem="binary")
    assert tanh.encode_targets([0, 1]).tolist() == [[-1.0], [1.0]]
    assert tanh.predict([[0.0, 0.0]]).dtype.kind == "i"
    with pytest.raises(ConfigError):
        tanh.encode_targets([-1, 1])                     # TF Playground's −1 is 0 here


# ---- optimizers ----------------------------------------------------------------------------------


def two_steps(name, lr1, lr2, g1, g2, **hyper):
    opt = OPTIMIZERS.get(name)(**hyper)
    w = np.zeros(2)
    opt.step(w, g1.copy(), lr1)
    opt.step(w, g2.copy(), lr2)
    return w


def test_momentum_row_velocity_keeps_the_old_learning_rate():
    g1, g2, mu = np.array([1.0, -2.0]), np.array([0.5, 0.5]), 0.9
    # ours: v1 = −α₁g₁, v2 = μv1 − α₂g₂, w = v1 + v2
    ours = two_steps("momentum", 0.1, 0.01, g1, g2, momentum=mu)
    np.testing.assert_allclose(ours, -0.1 * g1 + (-mu * 0.1 * g1 - 0.01 * g2), rtol=1e-15)
    # PyTorch: b1 = g₁, b2 = μg₁ + g₂, w = −α₁b1 − α₂b2: the old gradient moves at the new α
    torch_form = -0.1 * g1 - 0.01 * (mu * g1 + g2)
    assert not np.allclose(ours, torch_form)
    # while α is constant the two forms agree
    np.testing.assert_allclose(two_steps("momentum", 0.1, 0.1, g1, g2, momentum=mu),
                               -0.1 * g1 - 0.1 * (mu * g1 + g2), rtol=1e-15)


def test_nesterov_row_agrees_with_pytorch_at_constant_rate():
    g1, g2, mu, lr = np.array([1.0, -2.0]), np.array([0.5, 0.5]), 0.9, 0.1
    # PyTorch nesterov=True: b ← μb + g; w ← w − α(g + μb)
    b1 = g1
    w1 = -lr * (g1 + mu * b1)
    b2 = mu * b1 + g2
    w2 = w1 - lr * (g2 + mu * b2)
    np.testing.assert_allclose(two_steps("nesterov", lr, lr, g1, g2, momentum=mu), w2, rtol=1e-14)
    # and a changed α leaves the stored velocity at the old rate, as for momentum
    v1 = -lr * g1
    v2 = mu * v1 - 0.01 * g2
    expected = (-lr * g1 + mu * v1) + (mu * v2 - 0.01 * g2)
    np.testing.assert_allclose(two_steps("nesterov", lr, 0.01, g1, g2, momentum=mu), expected,
                               rtol=1e-14)


PYTORCH_DEFAULTS = {   # torch.optim 2.x signatures, for the README's comparison column
    "sgd": {}, "momentum": {"momentum": 0.0}, "nesterov": {"momentum": 0.0},
    "adagrad": {"eps": 1e-10}, "rmsprop": {"rho": 0.99, "eps": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}
OURS = {
    "sgd": {}, "momentum": {"momentum": 0.9}, "nesterov": {"momentum": 0.9},
    "adagrad": {"eps": 1e-8}, "rmsprop": {"rho": 0.9, "eps": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}


def test_optimizer_defaults_table():
    assert {name: OPTIMIZERS.get(name).defaults for name in OPTIMIZERS} == OURS
    differ = sorted(n for n in OURS if OURS[n] != PYTORCH_DEFAULTS[n])
    assert differ == ["adagrad", "momentum", "nesterov", "rmsprop"]


def test_clipping_row_clips_data_gradient_plus_l2_over_every_parameter(make_trainer):
    lr, rate, c = 0.5, 0.05, 0.01
    t = make_trainer("circle", (4,), optimizer="sgd", learning_rate=lr, batch_size=250,
                     regularization="l2", reg_rate=rate, clip_norm=c)
    net = t.net
    w0 = net.params.copy()
    net.loss_and_grads(t._X_train, t._y_train)
    g = net.grads + rate * w0 * net.weight_mask          # the penalty joins before clipping
    g *= c / np.linalg.norm(g)                            # one norm over weights and biases
    t.step(1)
    np.testing.assert_allclose(net.params, w0 - lr * g, rtol=1e-12, atol=1e-15)
    assert np.linalg.norm(net.params - w0) == pytest.approx(lr * c, rel=1e-12)


def test_l1_row_shrink_after_the_step_by_the_optimizers_step_size(make_trainer):
    t = make_trainer("circle", (4,), optimizer="adam", learning_rate=0.05, batch_size=250,
                     regularization="l1", reg_rate=0.02)
    net = t.net
    w0, mask = net.params.copy(), net.weight_mask == 1.0
    net.loss_and_grads(t._X_train, t._y_train)
    g = net.grads.copy()
    # Adam's first step: m̂ = g, v̂ = g², so u = w − α·g/(|g| + ε) and η = α/(|g| + ε)
    eta = 0.05 / (np.abs(g) + 1e-8)
    u = w0 - eta * g
    expected = np.where(mask, np.sign(u) * np.maximum(np.abs(u) - eta * 0.02, 0.0), u)
    t.step(1)
    np.testing.assert_allclose(net.params, expected, rtol=1e-9, atol=1e-12)


def test_schedule_row_rate_changes_per_epoch_not_per_minibatch(make_trainer):
    t = make_trainer(learning_rate=0.1, schedule="exponential", schedule_params={"gamma": 0.5},
                     batch_size=25)                    # 250 rows: 10 minibatches an epoch
    rates = []
    for _ in range(25):
        t.step(1)
        rates.append(t.learning_rate)
    # the rate for the minibatches after step k: epoch ⌊k/10⌋ ⇒ 0.1·0.5^epoch
    assert rates == [0.1 * 0.5 ** ((k + 1) // 10) for k in range(25)]
    assert t.history.since(0)["learning_rate"] == [0.1, 0.1, 0.05]


# ---- ranges --------------------------------------------------------------------------------------


def test_ranges_rows(split):
    assert LEARNING_RATE_RANGE == (1e-5, 10.0)              # TF Playground's menu
    assert REG_RATE_RANGE == (0.0, 10.0) and CLIP_NORM_RANGE == (0.0, 1e6)
    assert SEED_MAX == 2**53 - 1 == int(float(SEED_MAX))   # exact as a JavaScript number
    X, y, _, _, _ = split("circle")
    net = Network([2, 3, 1], problem="binary", seed=SEED_MAX)
    for lr in LEARNING_RATE_RANGE:
        Trainer(net, X, y, learning_rate=lr)
    for lr in (0.99e-5, 10.01):
        with pytest.raises(ConfigError) as err:
            Trainer(net, X, y, learning_rate=lr)
        assert err.value.allowed == [1e-5, 10.0]
    with pytest.raises(ConfigError) as err:
        Network([2, 3, 1], seed=SEED_MAX + 1)
    assert err.value.field == "seed" and err.value.allowed == [0, SEED_MAX]
    with pytest.raises(ConfigError) as err:
        make_dataset("circle", seed=SEED_MAX + 1)
    assert err.value.field == "data_seed"


def test_divergence_row_float32_limit():
    assert FLOAT32_MAX == float(np.finfo(np.float32).max)
    assert f"{FLOAT32_MAX:.1e}" == "3.4e+38"


# ---- datasets ------------------------------------------------------------------------------------


def test_gaussian_row_tf_variance_but_truncated_to_the_plane():
    d = make_dataset("gaussian", n_points=5000, noise=0.5, seed=3)
    assert np.abs(d.points).max() <= 6.0                     # TF would leave ~5 % of them off it
    ones = d.points[d.labels == 1]
    # variance 0.5 + 7·0.5 = 4 (std 2) around (2, 2), narrowed a little by the truncation
    assert np.allclose(ones.mean(axis=0), 2.0, atol=0.25)
    assert 1.6 < ones.std(axis=0).mean() < 2.0


def test_spiral_k_row_is_cs231n_not_nnfs():
    d = make_dataset("spiral_k", n_points=300, noise=0.0, seed=0, n_classes=3)
    for c in range(3):
        p = d.points[d.labels == c]
        r = np.hypot(p[:, 0], p[:, 1])
        np.testing.assert_allclose(r, 5.0 * np.linspace(0.0, 1.0, 100), atol=1e-12)
        angle = np.arctan2(p[1:, 0], p[1:, 1])                # sin on x, cos on y, as cs231n
        jitter = np.angle(np.exp(1j * (angle - np.linspace(4 * c, 4 * c + 4, 100)[1:])))
        assert 0.12 < jitter.std() < 0.28                     # cs231n's 0.2 rad, not nnfs's 2.5·0.2
