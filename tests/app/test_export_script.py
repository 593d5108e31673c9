"""GET /api/sessions/<id>/export.py: the trained network as a NumPy-only script whose
predictions are the server's (app/exports/script.py)."""

import json
import subprocess
import sys

import numpy as np
import pytest

from app.exports.script import ACTIVATION_CODE, FEATURE_CODE, network_script
from nn_core import ACTIVATIONS, FEATURES, trainer_for, transform

from .conftest import BARE, post

PROBE = np.array([[0.0, 0.0], [1.5, -2.25], [-4.0, 3.0], [5.5, 5.5], [-0.3, 0.7]])

SESSIONS = {
    "binary": {"dataset": "circle", "features": ["x1", "x2", "x1_sq", "sin_x2"],
               "hidden_layers": [5, 3], "layer_activations": ["relu", "swish"]},
    "multiclass": {"dataset": "spiral_k", "n_classes": 3, "hidden_layers": [6],
                   "activation": "elu", "features": ["x1", "x2", "x1x2", "cos_x1"]},
    "regression": {"dataset": "plane", "hidden_layers": [4, 4], "activation": "mish",
                   "features": ["x1", "x2", "x2_sq", "sin_x1", "cos_x2"]},
}

# Imports the downloaded file as a module, in a fresh interpreter with only NumPy at hand.
IMPORT_IT = r"""
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
import export
points = np.array(json.loads(sys.argv[2]))
answer = {"output": export.output(points).tolist(), "predict": np.asarray(export.predict(points)).tolist()}
try:
    answer["proba"] = np.asarray(export.predict_proba(points)).tolist()
except ValueError as exc:
    answer["proba"] = str(exc)
print(json.dumps(answer))
"""


def downloaded(client, tmp_path, problem):
    answer = post(client, "/api/sessions", {**SESSIONS[problem], "snapshot": BARE}, 201)
    sid = answer["id"]
    post(client, f"/api/sessions/{sid}/step", {"epochs": 15, "snapshot": BARE})
    response = client.get(f"/api/sessions/{sid}/export.py")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="export.py"'
    assert response.mimetype == "text/x-python"
    (tmp_path / "export.py").write_bytes(response.data)
    return sid


@pytest.mark.parametrize("problem", list(SESSIONS))
def test_the_script_run_alone_gives_the_servers_outputs_to_1e12(client, app, tmp_path, problem):
    sid = downloaded(client, tmp_path, problem)
    result = subprocess.run([sys.executable, "-I", "-c", IMPORT_IT, str(tmp_path),
                             json.dumps(PROBE.tolist())],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    # the server's numbers: the trace of each point (float64, its textbook path) ...
    for point, output in zip(PROBE, got["output"]):
        label = 0.0 if problem == "regression" else 0
        traced = post(client, f"/api/sessions/{sid}/trace",
                      {"x": point.tolist(), "label": label, "snapshot": BARE})
        np.testing.assert_allclose(output, traced["output"], rtol=0, atol=1e-12)
    # ... and its network's own probabilities and predictions
    session = app.extensions["sessions"].get(sid)
    net, X = session.network, transform(PROBE, session.config["features"])
    if problem == "regression":
        assert got["proba"].startswith("a regression network gives values")
        np.testing.assert_allclose(got["predict"], net.predict(X), rtol=0, atol=1e-12)
    else:
        np.testing.assert_allclose(got["proba"], net.predict_proba(X), rtol=0, atol=1e-12)
        assert got["predict"] == net.predict(X).tolist()


def test_run_from_the_command_line_it_prints_the_prediction_of_a_point(client, app, tmp_path):
    sid = downloaded(client, tmp_path, "binary")
    result = subprocess.run([sys.executable, "-I", "export.py", "1.5", "-2.25"],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    net = app.extensions["sessions"].get(sid).network
    p = net.predict_proba(transform([[1.5, -2.25]], SESSIONS["binary"]["features"]))[0]
    assert result.stdout.strip() == f"class {int(p > 0.5)} (P(class 1) = {p:.6f})"
    wrong = subprocess.run([sys.executable, "-I", "export.py", "1"], capture_output=True,
                           text=True, timeout=60, cwd=tmp_path)
    assert wrong.returncode != 0 and "usage: python export.py v1 v2" in wrong.stderr


def test_the_script_says_what_network_it_is_and_how_it_was_trained(client, tmp_path):
    downloaded(client, tmp_path, "multiclass")
    text = (tmp_path / "export.py").read_text()
    head = text.split('"""')[1]
    assert head.startswith("A 4 → 6 → 3 network (elu, softmax; multiclass, loss softmax_ce)")
    assert "on spiral_k" in head and "for 15 epochs" in head and "test accuracy" in head
    assert "z = a @ W + b" in text and "import numpy as np" in text
    assert "nn_core" not in text.replace("nn_core's", "")


def exec_script(text):
    namespace = {"__name__": "export"}
    exec(compile(text, "export.py", "exec"), namespace)
    return namespace


def test_a_real_set_takes_its_raw_inputs():
    trainer = trainer_for("iris")
    trainer.run(3)
    X = trainer.data()[2][:7]
    script = exec_script(network_script(trainer, dataset="iris"))
    assert script["N_INPUTS"] == 4
    np.testing.assert_allclose(script["predict_proba"](X), trainer.net.predict_proba(X),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_activation_is_written_as_the_engine_computes_it(name):
    z = np.linspace(-30, 30, 240).reshape(-1, 1 if name != "softmax" else 3)
    f = exec_script("import numpy as np\n" + ACTIVATION_CODE[name])[name]
    np.testing.assert_allclose(f(z), ACTIVATIONS.get(name)().forward(z), rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("name", list(FEATURES))
def test_each_feature_is_written_as_the_engine_computes_it(name):
    points = np.random.default_rng(0).uniform(-6, 6, (50, 2))
    x1, x2 = points[:, 0], points[:, 1]
    value = eval(FEATURE_CODE[name], {"np": np, "x1": x1, "x2": x2})
    assert np.array_equal(value, transform(points, [name])[:, 0])


def test_weights_are_written_exactly_even_when_not_finite():
    trainer = trainer_for("iris")
    trainer.net.layers[0].W[0, 0] = np.nan
    trainer.net.layers[0].W[1, 0] = -np.inf
    trainer.net.layers[1].b[0] = 1 / 3
    script = exec_script(network_script(trainer, dataset="iris"))
    W1, b2 = script["W1"], script["b2"]
    assert np.isnan(W1[0, 0]) and W1[1, 0] == -np.inf and b2[0] == 1 / 3
    assert np.array_equal(W1[2:], trainer.net.layers[0].W[2:])
