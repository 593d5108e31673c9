"""GET /api/sessions/<id>/export.ipynb: a valid notebook whose code cells, run in order in a
fresh interpreter from the project's folder, rebuild the session's run with nn_core and end
with its final training loss, exactly (app/exports/notebook.py)."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from .conftest import BARE, post

ROOT = Path(__file__).resolve().parents[2]

# No Jupyter kernel: the code cells, in order, in one namespace of a fresh interpreter.
RUN_CELLS = r"""
import sys
import nbformat
notebook = nbformat.read(sys.argv[1], as_version=4)
nbformat.validate(notebook)
namespace = {"__name__": "__main__"}
for i, cell in enumerate(notebook.cells):
    if cell.cell_type == "code":
        exec(compile(cell.source, f"<cell {i}>", "exec"), namespace)
trainer = namespace["trainer"]
print("FINAL", repr(trainer.metrics()["train_loss"]), trainer.epoch, trainer.steps)
"""


def step(client, sid, **body):
    post(client, f"/api/sessions/{sid}/step", {**body, "snapshot": BARE})


def patch(client, sid, **change):
    response = client.patch(f"/api/sessions/{sid}", json={**change, "snapshot": BARE})
    assert response.status_code == 200, response.get_json()


def typed_weight(client, sid, **where):
    response = client.patch(f"/api/sessions/{sid}/weights", json={**where, "snapshot": BARE})
    assert response.status_code == 200, response.get_json()


def executed(client, sid, tmp_path, app):
    """Download the notebook, run its cells; returns (stdout's FINAL fields, the session)."""
    response = client.get(f"/api/sessions/{sid}/export.ipynb")
    assert response.status_code == 200 and response.mimetype == "application/x-ipynb+json"
    path = tmp_path / "run.ipynb"
    path.write_bytes(response.data)
    nbformat.validate(nbformat.reads(response.data.decode(), as_version=4))
    result = subprocess.run([sys.executable, "-c", RUN_CELLS, str(path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("FINAL")]
    _, loss, epoch, steps = lines[-1].split()
    session = app.extensions["sessions"].get(sid)
    return (loss, int(epoch), int(steps)), session, result.stdout


def expect_same(client, sid, tmp_path, app):
    (loss, epoch, steps), session, stdout = executed(client, sid, tmp_path, app)
    t = session.trainer
    assert loss == repr(t.metrics()["train_loss"])        # the same float, bit for bit
    assert (epoch, steps) == (t.epoch, t.steps)
    assert "equal to the session's final training loss, exactly" in stdout
    return session


def test_the_notebook_replays_learning_rate_and_optimizer_changes_and_a_typed_weight(
        client, app, tmp_path):
    sid = post(client, "/api/sessions", {"snapshot": BARE}, 201)["id"]
    step(client, sid, epochs=3)
    patch(client, sid, learning_rate=0.1)                 # first learning-rate change
    step(client, sid, batches=37)                         # 25 minibatches an epoch: mid-epoch
    patch(client, sid, optimizer="adam")                  # the optimizer, mid-epoch
    step(client, sid, batches=6)
    typed_weight(client, sid, layer=0, **{"from": 1}, to=2, value=0.75)
    step(client, sid, epochs=2)
    patch(client, sid, learning_rate=0.01)                # second learning-rate change
    step(client, sid, epochs=2)
    step(client, sid, batches=3)
    session = expect_same(client, sid, tmp_path, app)
    kinds = [next(k for k in e if k not in ("step", "epoch")) for e in session.trainer.log.entries]
    assert kinds == ["hyperparams", "hyperparams", "weight", "hyperparams"]


def test_the_notebook_is_a_valid_nbformat_4_notebook_that_reads_as_the_run(client):
    sid = post(client, "/api/sessions", {"dataset": "xor", "snapshot": BARE}, 201)["id"]
    step(client, sid, epochs=2)
    patch(client, sid, learning_rate=0.3)
    response = client.get(f"/api/sessions/{sid}/export.ipynb")
    assert response.headers["Content-Disposition"] == 'attachment; filename="xor-epoch2.ipynb"'
    notebook = nbformat.reads(response.data.decode(), as_version=4)
    nbformat.validate(notebook)
    assert notebook.nbformat == 4 and notebook.metadata.kernelspec.name == "python3"
    text = "\n".join(cell.source for cell in notebook.cells)
    assert "make_dataset('xor', n_points=500, noise=0.0, seed=1, n_classes=None)" in text
    assert "| 2 | 50 | learning_rate 0.3 |" in text         # the change, in the table
    assert "trainer.set_hyperparams(learning_rate=0.3)" in text
    assert notebook.cells[-1].source.startswith("EXPECTED = ")
    assert json.loads(response.data)["cells"][0]["cell_type"] == "markdown"


@pytest.mark.slow
def test_new_points_an_applied_trace_and_a_multiclass_network_replay_exactly(client, app,
                                                                             tmp_path):
    sid = post(client, "/api/sessions", {"dataset": "spiral_k", "n_classes": 3,
                                         "hidden_layers": [6], "snapshot": BARE}, 201)["id"]
    step(client, sid, batches=40)
    post(client, f"/api/sessions/{sid}/trace",
         {"point": {"set": "train", "index": 5}, "apply": True, "snapshot": BARE})
    post(client, f"/api/sessions/{sid}/data",
         {"action": "append", "points": [[1.0, 2.0, 2], [-3.0, 1.0, 0]], "snapshot": BARE})
    step(client, sid, batches=30)
    post(client, f"/api/sessions/{sid}/data", {"action": "regenerate", "data_seed": 9,
                                               "snapshot": BARE})
    patch(client, sid, batch_size=7, regularization="l2", reg_rate=0.01)
    step(client, sid, epochs=2)
    post(client, f"/api/sessions/{sid}/data", {"action": "remove", "indices": [0, 3],
                                               "snapshot": BARE})
    step(client, sid, batches=11)
    expect_same(client, sid, tmp_path, app)


@pytest.mark.slow
def test_a_long_log_an_import_without_a_log_and_a_regression_replay_exactly(client, app,
                                                                            tmp_path):
    sid = post(client, "/api/sessions", {"dataset": "plane", "snapshot": BARE}, 201)["id"]
    for i in range(70):                                   # past what is written out line by line
        patch(client, sid, learning_rate=0.01 + i / 1000)
        step(client, sid, batches=3)
    session = expect_same(client, sid, tmp_path, app)
    assert len(session.trainer.log.entries) == 70
    model = client.get(f"/api/sessions/{sid}/model").get_json()
    del model["trainer"]["log"]                           # an export from before the log
    copy = post(client, "/api/sessions", {"model": model, "snapshot": BARE}, 201)["id"]
    patch(client, copy, optimizer="rmsprop")
    step(client, copy, batches=20)
    expect_same(client, copy, tmp_path, app)


@pytest.mark.slow
def test_custom_points_a_reseeded_reset_and_a_fork_replay_exactly(client, app, tmp_path):
    rows = [[x / 3 - 4, (x * 7 % 11) - 5, x % 2] for x in range(30)]
    sid = post(client, "/api/sessions", {"points": {"train": rows[:20], "test": rows[20:]},
                                         "snapshot": BARE}, 201)["id"]
    step(client, sid, epochs=4)
    post(client, f"/api/sessions/{sid}/reset", {"reseed": True, "snapshot": BARE})
    step(client, sid, epochs=3)
    expect_same(client, sid, tmp_path, app)
    fork = post(client, f"/api/sessions/{sid}/fork",
                {"overrides": {"learning_rate": 0.3}, "snapshot": BARE}, 201)["id"]
    step(client, fork, epochs=5)
    expect_same(client, fork, tmp_path, app)
