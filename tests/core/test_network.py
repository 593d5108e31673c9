"""Network: shapes, forward/backward, defaults derived from the problem, prediction, exact
save/load, and every bad input rejected with a ConfigError naming the field and what is allowed."""

import json

import numpy as np
import pytest

from nn_core import ACTIVATIONS, INITIALIZERS, LOSSES, ConfigError, Dense, Network
from nn_core.activations import OUTPUT_ONLY, get_activation
from nn_core.gradcheck import numeric_gradient

HIDDEN = [name for name in ACTIVATIONS if name not in OUTPUT_ONLY]


def binary_net(**kw):
    args = dict(activation="tanh", output_activation="sigmoid", loss="bce", init="xavier_uniform",
                seed=0)
    args.update(kw)
    return Network([2, 5, 3, 1], **args)


# ---- structure ---------------------------------------------------------------------------------


def test_shapes_and_parameter_count():
    net = Network([3, 5, 4, 2], activation="relu", problem="multiclass", seed=0)
    assert net.layer_sizes == [3, 5, 4, 2]
    assert len(net.layers) == 3 and all(isinstance(layer, Dense) for layer in net.layers)
    for layer, (n_in, n_out) in zip(net.layers, [(3, 5), (5, 4), (4, 2)]):
        assert layer.W.shape == (n_in, n_out) and layer.b.shape == (n_out,)
        assert (layer.n_in, layer.n_out) == (n_in, n_out)
    assert net.n_params == (3 + 1) * 5 + (5 + 1) * 4 + (4 + 1) * 2 == 54
    assert net.params.shape == net.grads.shape == net.weight_mask.shape == (54,)
    assert net.weight_mask.sum() == 3 * 5 + 5 * 4 + 4 * 2              # biases are not weights
    assert (net.n_inputs, net.n_outputs) == (3, 2)


def test_layers_are_views_of_the_flat_vector():
    net = binary_net()
    net.params[:] = np.arange(net.n_params, dtype=float)
    W0, b0 = net.layers[0].W, net.layers[0].b
    assert np.array_equal(W0, [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]])
    assert np.array_equal(b0, [10, 11, 12, 13, 14])
    assert np.array_equal(net.weight_mask[:15], [1.0] * 10 + [0.0] * 5)


def test_get_set_params_round_trip():
    net, other = binary_net(seed=1), binary_net(seed=2)
    params = net.get_params()
    assert len(params) == 3
    params[0][0][0, 0] = 99.0                 # copies: editing them leaves the network alone
    assert net.layers[0].W[0, 0] != 99.0
    other.set_params(net.get_params())
    assert np.array_equal(other.params, net.params)
    for (W, b), layer in zip(other.get_params(), other.layers):
        assert np.array_equal(W, layer.W) and np.array_equal(b, layer.b)


def test_set_params_rejects_wrong_shapes():
    net = binary_net()
    params = net.get_params()
    with pytest.raises(ConfigError) as err:
        net.set_params(params[:2])
    assert err.value.field == "params"
    bad = list(params)
    bad[1] = (np.zeros((3, 5)), bad[1][1])
    before = net.params.copy()
    with pytest.raises(ConfigError) as err:
        net.set_params(bad)
    assert err.value.field == "params[1]" and "(5, 3)" in str(err.value)
    assert np.array_equal(net.params[:15], before[:15])


def test_same_seed_same_weights_different_seed_different():
    assert np.array_equal(binary_net(seed=5).params, binary_net(seed=5).params)
    assert not np.array_equal(binary_net(seed=5).params, binary_net(seed=6).params)
    net = binary_net(seed=5)
    start = net.params.copy()
    net.params += 1.0
    net.reinitialize()
    assert np.array_equal(net.params, start)


@pytest.mark.parametrize("init", INITIALIZERS.names())
def test_every_initializer_builds(init):
    net = binary_net(init=init)
    assert np.isfinite(net.params).all()
    assert net.init == init


# ---- forward -----------------------------------------------------------------------------------


def test_forward_keeps_z_and_a_of_every_layer(rows):
    net = Network([2, 4, 3, 1], activation=["relu", "sine"], output_activation="sigmoid", seed=3)
    X = rows()
    fwd = net.forward(X)
    assert len(fwd.z) == len(fwd.a) == 3
    x = X
    for layer, z, a, name in zip(net.layers, fwd.z, fwd.a, ["relu", "sine", "sigmoid"]):
        assert layer.activation.name == name
        np.testing.assert_allclose(z, x @ layer.W + layer.b, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(a, get_activation(name).forward(z), rtol=1e-15)
        assert z.shape == a.shape == (len(X), layer.n_out)
        x = a
    assert fwd.output is fwd.a[-1]
    np.testing.assert_array_equal(net.output(X), fwd.output)


def test_per_layer_activation_list():
    net = Network([2, 3, 3, 3, 1], activation=["relu", "tanh", "elu"], problem="binary")
    assert net.hidden_activations == ["relu", "tanh", "elu"]
    assert [layer.activation.name for layer in net.layers] == ["relu", "tanh", "elu", "sigmoid"]
    assert net.config()["activation"] == ["relu", "tanh", "elu"]


def test_forward_does_not_change_weights_and_accepts_ints_and_float32():
    net = binary_net()
    before = net.params.copy()
    out64 = net.output(np.array([[1, 2], [3, -4]]))
    out32 = net.output(np.array([[1, 2], [3, -4]], dtype=np.float32))
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32, out64, rtol=1e-5)
    assert np.array_equal(net.params, before)


# ---- loss and gradients ------------------------------------------------------------------------


def test_loss_and_grads_is_a_batch_mean_and_leaves_weights_alone(rows):
    net = binary_net(activation="swish")
    X, y = rows(8), np.array([0, 1, 1, 0, 0, 1, 1, 1])
    before = net.params.copy()
    loss, grads = net.loss_and_grads(X, y)
    assert np.array_equal(net.params, before)
    assert isinstance(loss, float)
    shapes = [(dW.shape, db.shape) for dW, db in grads]
    assert shapes == [((2, 5), (5,)), ((5, 3), (3,)), ((3, 1), (1,))]
    # grads are copies of what `net.grads` holds
    flat = np.concatenate([np.vstack([dW, db]).ravel() for dW, db in grads])
    assert np.array_equal(flat, net.grads)
    # mean over rows: the average of the one-row losses and gradients
    singles = [net.loss_and_grads(X[i:i + 1], y[i:i + 1]) for i in range(8)]
    assert loss == pytest.approx(np.mean([s[0] for s in singles]), rel=1e-13)
    for layer in range(3):
        for part in range(2):
            mean = np.mean([s[1][layer][part] for s in singles], axis=0)
            np.testing.assert_allclose(grads[layer][part], mean, rtol=1e-12, atol=1e-15)
    # The loss by the definition: −mean[y ln p + (1 − y) ln(1 − p)]
    p = net.output(X)[:, 0]
    assert loss == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), rel=1e-12)


@pytest.mark.parametrize("problem", ["binary", "multiclass", "regression"])
def test_loss_and_grads_matches_finite_differences(problem, rows):
    k = 3 if problem == "multiclass" else 1
    net = Network([2, 6, 4, k], activation="tanh", problem=problem, seed=4)
    X = rows(9)
    y = {"binary": np.arange(9) % 2, "multiclass": np.arange(9) % 3,
         "regression": np.linspace(-1, 1, 9)}[problem]
    loss, grads = net.loss_and_grads(X, y)
    analytic = net.grads.copy()
    numeric = numeric_gradient(lambda: net.loss_and_grads(X, y)[0], net.params)
    err = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-4)
    assert err.max() <= 1e-6
    assert net.loss_and_grads(X, y)[0] == loss


def test_encode_targets():
    sig = binary_net()
    assert np.array_equal(sig.encode_targets([0, 1, 1, 0]), [[0.0], [1.0], [1.0], [0.0]])
    tanh = Network([2, 3, 1], output_activation="tanh", problem="binary")
    assert np.array_equal(tanh.encode_targets(np.array([0, 1])), [[-1.0], [1.0]])
    assert np.array_equal(tanh.encode_targets(np.array([[1], [0]])), [[1.0], [-1.0]])   # (n, 1) ok
    multi = Network([2, 3, 3], seed=0)
    assert np.array_equal(multi.encode_targets([2, 0]), [[0, 0, 1], [1, 0, 0]])
    assert np.array_equal(multi.encode_targets(np.array([2.0, 1.0])), [[0, 0, 1], [0, 1, 0]])
    reg = Network([2, 3, 1], problem="regression")
    assert np.array_equal(reg.encode_targets([0.5, -1.25]), [[0.5], [-1.25]])


@pytest.mark.parametrize("labels", [np.array([0, 1, 1]), np.array([0, 1, 1], dtype=np.int8),
                                    np.array([0, 1, 1], dtype=np.uint16), np.array([False, True, True]),
                                    np.array([0.0, 1.0, 1.0]), [0, 1, 1]])
def test_any_integer_like_labels_encode_alike(labels):
    assert binary_net().encode_targets(labels).tolist() == [[0.0], [1.0], [1.0]]
    tanh = Network([2, 3, 1], output_activation="tanh", problem="binary")
    assert tanh.encode_targets(labels).tolist() == [[-1.0], [1.0], [1.0]]
    multi = Network([2, 3, 3], seed=0)
    assert multi.encode_targets(labels).tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 0]]


def test_loss_and_grads_returns_its_own_arrays(rows):
    # A notebook loop may keep every answer: the next call must not overwrite the last one's.
    net, X = binary_net(), rows(6)
    first_loss, first = net.loss_and_grads(X, [0, 1, 1, 0, 1, 0])
    kept = [(dW.copy(), db.copy()) for dW, db in first]
    second_loss, second = net.loss_and_grads(X[::-1] * 2, [1, 1, 1, 0, 0, 0])
    assert second_loss != first_loss
    for (dW, db), (kW, kb), (sW, sb) in zip(first, kept, second):
        assert np.array_equal(dW, kW) and np.array_equal(db, kb)
        assert not np.array_equal(dW, sW)
        sW[...] = 0.0                                    # writing into an answer changes nothing else
    assert np.array_equal(first[0][0], kept[0][0]) and np.abs(net.grads).sum() > 0
    with pytest.raises(ConfigError) as err:
        net.loss_and_grads(np.zeros((0, 2)), np.zeros(0, dtype=int))
    assert err.value.field == "X"


# ---- problem, output and loss defaults -----------------------------------------------------


@pytest.mark.parametrize("problem, n_out, output, loss", [
    ("binary", 1, "sigmoid", "bce"),
    ("multiclass", 4, "softmax", "softmax_ce"),
    ("regression", 1, "linear", "mse"),
])
def test_problem_implies_output_and_loss(problem, n_out, output, loss):
    net = Network([2, 4, n_out], problem=problem)
    assert (net.problem, net.output_activation, net.loss) == (problem, output, loss)
    assert net.layers[-1].activation.name == output


@pytest.mark.parametrize("kwargs, expected", [
    (dict(layer_sizes=[2, 4, 3]), ("multiclass", "softmax", "softmax_ce")),
    (dict(layer_sizes=[2, 4, 1]), ("regression", "linear", "mse")),
    (dict(layer_sizes=[2, 4, 1], output_activation="sigmoid"), ("binary", "sigmoid", "bce")),
    (dict(layer_sizes=[2, 4, 1], output_activation="tanh"), ("binary", "tanh", "mse")),
    (dict(layer_sizes=[2, 4, 1], loss="bce"), ("binary", "sigmoid", "bce")),
    (dict(layer_sizes=[2, 4, 1], loss="hinge"), ("binary", "linear", "hinge")),
    (dict(layer_sizes=[2, 4, 1], problem="binary", output_activation="linear"),
     ("binary", "linear", "hinge")),
    (dict(layer_sizes=[2, 4, 1], problem="binary", output_activation="tanh", loss="hinge"),
     ("binary", "tanh", "hinge")),
    (dict(layer_sizes=[2, 4, 1], output_activation="sigmoid", loss="mse"),
     ("regression", "sigmoid", "mse")),
])
def test_defaults_fill_each_other_in(kwargs, expected):
    net = Network(**kwargs)
    assert (net.problem, net.output_activation, net.loss) == expected


# ---- predictions ------------------------------------------------------------------------------


def test_predict_binary_sigmoid():
    net = Network([1, 1], output_activation="sigmoid", seed=0)
    net.set_params([(np.array([[1.0]]), np.array([0.0]))])
    X = np.array([[-2.0], [-0.001], [0.001], [3.0]])
    assert np.array_equal(net.predict(X), [0, 0, 1, 1])
    assert net.predict(X).dtype == np.int64
    p = net.predict_proba(X)
    assert p.shape == (4,)
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-X[:, 0])), rtol=1e-14)


def test_predict_binary_tanh_threshold_is_zero_and_proba_rescaled():
    net = Network([1, 1], output_activation="tanh", problem="binary", seed=0)
    net.set_params([(np.array([[2.0]]), np.array([0.0]))])
    X = np.array([[-0.5], [-0.01], [0.01], [0.5]])
    assert np.array_equal(net.predict(X), [0, 0, 1, 1])
    np.testing.assert_allclose(net.predict_proba(X), (np.tanh(2 * X[:, 0]) + 1) / 2, rtol=1e-14)


def test_predict_binary_linear_hinge():
    net = Network([1, 1], output_activation="linear", problem="binary", seed=0)
    net.set_params([(np.array([[1.0]]), np.array([-0.5]))])
    X = np.array([[0.0], [0.49], [0.51], [5.0]])
    assert np.array_equal(net.predict(X), [0, 0, 1, 1])
    assert np.array_equal(net.predict_proba(X), [0.25, 0.495, 0.505, 1.0])   # clipped to [0, 1]


def test_predict_multiclass_and_regression():
    multi = Network([2, 3], seed=0)
    multi.set_params([(np.array([[1.0, 0.0, -1.0], [0.0, 1.0, 0.0]]), np.zeros(3))])
    X = np.array([[2.0, 0.0], [0.0, 2.0], [-2.0, 0.0]])
    assert np.array_equal(multi.predict(X), [0, 1, 2])
    proba = multi.predict_proba(X)
    assert proba.shape == (3, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-15)
    reg = Network([2, 1], problem="regression", seed=0)
    reg.set_params([(np.array([[2.0], [-1.0]]), np.array([0.5]))])
    assert np.array_equal(reg.predict(X), [4.5, -1.5, -3.5])
    with pytest.raises(ConfigError) as err:
        reg.predict_proba(X)
    assert err.value.field == "problem"
    assert np.array_equal(reg.decide(np.array([[1.5]])), [1.5])


def test_set_weight():
    net = binary_net()
    net.set_weight(0, 1, 2, 0.75)
    assert net.layers[0].W[1, 2] == 0.75
    net.set_weight(1, 5, 0, -2.5)            # row n_in is the bias
    assert net.layers[1].b[0] == -2.5
    before = net.params.copy()
    for args, field in [((3, 0, 0, 1.0), "layer"), ((0, 3, 0, 1.0), "from"), ((0, 0, 5, 1.0), "to"),
                        ((0, 0, 0, float("nan")), "value"), ((0, 0, 0, 1e7), "value")]:
        with pytest.raises(ConfigError) as err:
            net.set_weight(*args)
        assert err.value.field == field
    assert np.array_equal(net.params, before)


# ---- save and load -----------------------------------------------------------------------------


def trained_like(net):
    """Weights with full float64 detail (not just the initializer's)."""
    net.params[:] = np.random.default_rng(9).normal(size=net.n_params) * np.pi
    return net


def test_to_dict_json_from_dict_is_bit_identical(rows):
    net = trained_like(Network([3, 6, 4, 3], activation=["relu", "mish"], init="he_normal",
                               seed=11))
    text = json.dumps(net.to_dict())
    copy = Network.from_dict(json.loads(text))
    assert copy.params.tobytes() == net.params.tobytes()
    assert copy.config() == net.config()
    X = rows(5, 3)
    assert np.array_equal(copy.output(X), net.output(X))


def test_npz_round_trip_is_exact_and_pickle_free(tmp_path):
    net = trained_like(Network([2, 5, 1], activation="elu", output_activation="tanh",
                               problem="binary", seed=3))
    path = tmp_path / "net.npz"
    net.save(path)
    copy = Network.load(path)
    assert copy.params.tobytes() == net.params.tobytes()
    assert copy.config() == net.config()
    with np.load(path, allow_pickle=False) as data:
        assert set(data.files) == {"config", "params"}
        assert data["params"].dtype == np.float64
        assert json.loads(str(data["config"]))["output_activation"] == "tanh"


def test_from_dict_rejects_garbage():
    for bad in [None, {}, {"format": "other"}, {"format": "nn_core.network/1"}]:
        with pytest.raises(ConfigError):
            Network.from_dict(bad)
    d = binary_net().to_dict()
    d["params"]["data"] = "not base64!"
    with pytest.raises(ConfigError) as err:
        Network.from_dict(d)
    assert err.value.field == "network.params"
    d = Network([2, 4, 1], problem="binary").to_dict()
    d["config"]["layer_sizes"] = [2, 5, 1]
    with pytest.raises(ConfigError) as err:
        Network.from_dict(d)
    assert err.value.field == "network.params"


# ---- bad inputs ---------------------------------------------------------------------------------


def expect_error(field, allowed_fragments, fn, *args, **kwargs):
    with pytest.raises(ValueError) as err:
        fn(*args, **kwargs)
    assert isinstance(err.value, ConfigError)
    assert err.value.field == field
    text = str(err.value)
    assert text.startswith(f"{field}: ")
    for fragment in allowed_fragments:
        assert fragment in text, f"{fragment!r} missing from {text!r}"
    return err.value


def test_unknown_activation():
    e = expect_error("activation", ["'swoosh'", "tanh", "relu", "sigmoid"], Network, [2, 3, 1],
                     activation="swoosh")
    assert e.allowed == ACTIVATIONS.names()
    expect_error("activation[1]", ["'swoosh'", "tanh"], Network, [2, 3, 3, 1],
                 activation=["tanh", "swoosh"])
    expect_error("output_activation", ["'swoosh'", "sigmoid"], Network, [2, 3, 1],
                 output_activation="swoosh")


def test_unknown_loss_and_init():
    e = expect_error("loss", ["'l2'", "mse", "bce", "softmax_ce", "hinge"], Network, [2, 3, 1],
                     loss="l2")
    assert e.allowed == LOSSES.names()
    e = expect_error("init", ["'glorot'", "xavier_uniform", "he_normal"], Network, [2, 3, 1],
                     init="glorot")
    assert e.allowed == INITIALIZERS.names()
    expect_error("problem", ["binary", "multiclass", "regression"], Network, [2, 3, 1],
                 problem="ranking")


@pytest.mark.parametrize("size", [-3, 0, 2.5, "4", None, 5000])
def test_bad_layer_size(size):
    e = expect_error("layer_sizes[1]", ["1 to 4096"], Network, [2, size, 1])
    assert e.allowed == [1, 4096]


def test_bad_layer_list():
    expect_error("layer_sizes", ["e.g. [2, 8, 8, 1]"], Network, "2,8,1")
    expect_error("layer_sizes", ["e.g. [2, 1]"], Network, [2])
    expect_error("layer_sizes[0]", ["1 to 4096"], Network, [0, 3, 1])
    expect_error("activation", ["tanh"], Network, [2, 3, 3, 1], activation=["tanh"])   # wrong count


def test_softmax_is_not_a_hidden_activation():
    e = expect_error("activation", ["output layers only", "tanh", "relu"], Network, [2, 3, 3],
                     activation="softmax")
    assert "softmax" not in e.allowed and set(e.allowed) == set(HIDDEN)


def test_bce_with_tanh_output():
    expect_error("output_activation", ["'bce'", "sigmoid"], Network, [2, 3, 1],
                 output_activation="tanh", loss="bce")


def test_output_size_must_fit_the_problem():
    expect_error("layer_sizes[-1]", ["1 to 1"], Network, [2, 3, 2], problem="binary")
    expect_error("layer_sizes[-1]", ["2 to 4096"], Network, [2, 3, 1], problem="multiclass")


def test_wrong_label_shape(rows):
    net = binary_net()
    X = rows(5)
    expect_error("y", ["(n,)", "(5, 3)"], net.loss_and_grads, X, np.zeros((5, 3), dtype=int))
    expect_error("y", ["5 labels"], net.loss_and_grads, X, np.zeros(4, dtype=int))
    expect_error("y", ["labels must be numbers", "str"], net.loss_and_grads, X,
                 np.array(["a"] * 5))
    reg = Network([2, 3, 1], problem="regression")
    expect_error("y", ["(n, 1) numbers"], reg.loss_and_grads, X, np.zeros((5, 2)))
    expect_error("y", ["finite numbers"], reg.loss_and_grads, X, np.array([0, 1, np.nan, 0, 0]))


def test_labels_out_of_range(rows):
    X = rows(5)
    e = expect_error("y", ["0 to 1"], binary_net().loss_and_grads, X, np.array([0, 1, 2, 0, 1]))
    assert e.allowed == [0, 1]
    expect_error("y", ["0 to 1"], binary_net().loss_and_grads, X, np.array([0, 1, -1, 0, 1]))
    expect_error("y", ["0 to 1"], binary_net().loss_and_grads, X, np.array([0, 1, 0.5, 0, 1]))
    expect_error("y", ["0 to 1"], binary_net().loss_and_grads, X, np.array([0, 1, np.nan, 0, 1]))
    expect_error("y", ["0 to 1"], binary_net().loss_and_grads, X, np.array([0, 1, 1e300, 0, 1]))
    expect_error("y", ["0 to 1"], binary_net().loss_and_grads, X, np.array([0, 1, -1, 0, 1], np.int8))
    expect_error("y", ["one label per row"], binary_net().loss_and_grads, X, np.int64(1))
    multi = Network([2, 4, 3], seed=0)
    e = expect_error("y", ["0, 1, 2"], multi.loss_and_grads, X, np.array([0, 1, 5, 0, 1]))
    assert e.allowed == [0, 1, 2]


def test_x_with_wrong_width(rows):
    net = binary_net()
    for X in [rows(5, 3), np.zeros(5), np.zeros((5, 2, 1)), np.array([["a", "b"]])]:
        expect_error("X", ["(n, 2)"], net.forward, X)
    expect_error("X", ["(n, 2)"], net.loss_and_grads, rows(5, 3), np.zeros(5, dtype=int))
    expect_error("X", ["(n, 2)"], net.predict, rows(5, 1))


def test_bad_seed():
    expect_error("seed", ["0 to"], Network, [2, 3, 1], seed=-1)
    expect_error("seed", ["0 to"], Network, [2, 3, 1], seed=1.5)


@pytest.mark.parametrize("sizes", [[2, 1], [2, 8, 3], [5, 4, 4, 2], [9, 64, 64, 6]])
def test_workspace_floats_counts_every_buffer(sizes):
    """`Workspace.floats` (the server's estimate, asked before building) equals the floats the
    buffers really hold (views counted once)."""
    from nn_core.layers import Workspace

    ws = Workspace(sizes, 13)
    arrays = [ws.x_in, *ws.x_aug, *ws.z, *ws.dz, *ws.da, ws.out]
    assert all(a.base is None for a in arrays)              # none is a view of another
    assert sum(a.size for a in arrays) == Workspace.floats(sizes, 13)
