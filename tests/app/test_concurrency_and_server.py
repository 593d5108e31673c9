"""Threads against one session and many sessions; the real WSGI server over plain HTTP."""

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from app.serve.server import BackgroundServer
from app.session.arrays import decode

LIGHT = {"grid": True, "resolution": 10, "neuron_resolution": 5}


def consistent(snapshot, config):
    """The snapshot describes one network: weight shapes match the config it came with."""
    sizes = [len(config["features"]), *config["hidden_layers"], 1]
    shapes = [layer["W"]["shape"] for layer in snapshot["weights"]]
    assert shapes == [[a, b] for a, b in zip(sizes[:-1], sizes[1:])]
    assert snapshot["grid"]["output"]["shape"] == [10, 10, 1]
    assert [n["shape"][2] for n in snapshot["grid"]["neurons"]] == config["hidden_layers"]
    assert len(snapshot["history"]["epoch"]) == len(set(snapshot["history"]["epoch"]))
    for layer in snapshot["weights"]:
        assert np.isfinite(decode(layer["W"])).all()


def test_threads_stepping_patching_and_resetting_one_session(app):
    client = app.test_client()
    sid = client.post("/api/sessions", json={"snapshot": LIGHT}).get_json()["id"]
    shapes = ([4, 2], [3], [5, 5, 2])
    barrier = threading.Barrier(6)

    def worker(kind, n):
        local = app.test_client()
        barrier.wait()  # start together, so the requests really overlap
        results = []
        for i in range(n):
            if kind == "step":
                r = local.post(f"/api/sessions/{sid}/step", json={"epochs": 2, "snapshot": LIGHT})
            elif kind == "patch":
                r = local.patch(f"/api/sessions/{sid}", json={
                    "hidden_layers": shapes[i % 3], "snapshot": LIGHT})
            elif kind == "live":
                r = local.patch(f"/api/sessions/{sid}", json={
                    "learning_rate": 0.01 * (1 + i % 5), "batch_size": 5 + i % 7, "snapshot": LIGHT})
            elif kind == "weights":
                r = local.patch(f"/api/sessions/{sid}/weights", json={
                    "layer": 0, "from": 0, "to": 0, "value": 0.1, "snapshot": LIGHT})
            else:
                r = local.post(f"/api/sessions/{sid}/reset", json={"snapshot": LIGHT})
            results.append((kind, r.status_code, r.get_json()))
        return results

    kinds = ["step", "step", "patch", "live", "weights", "reset"]
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(worker, kind, 15) for kind in kinds]
        results = [item for f in futures for item in f.result(timeout=120)]
    assert len(results) == 90
    for kind, status, body in results:
        assert status == 200, (kind, body)
        if "config" in body:
            consistent(body["snapshot"], body["config"])
        else:  # step and weight answers: shapes match one of the configurations in play
            sizes = [layer["W"]["shape"][1] for layer in body["snapshot"]["weights"]][:-1]
            assert sizes in [list(s) for s in shapes]
    final = client.get(f"/api/sessions/{sid}?resolution=10&neuron_resolution=5").get_json()
    consistent(final["snapshot"], final["config"])


def test_many_sessions_in_parallel(app):
    def run(i):
        # Sixteen learners, each at its own address (one address holds a bounded number).
        local = app.test_client()
        local.environ_base["REMOTE_ADDR"] = f"127.0.0.{10 + i}"
        body = local.post("/api/sessions", json={"seed": i, "snapshot": LIGHT}).get_json()
        sid = body["id"]
        for _ in range(5):
            r = local.post(f"/api/sessions/{sid}/step", json={"epochs": 1, "snapshot": LIGHT})
            assert r.status_code == 200
        return sid, r.get_json()["snapshot"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(16), timeout=120))
    assert len({sid for sid, _ in results}) == 16
    for _, snap in results:
        assert snap["epoch"] == 5 and snap["steps"] == 125 and snap["status"] == "ok"
    # each session trained exactly as if alone: same seed → same weights as a fresh run
    client = app.test_client()
    sid = client.post("/api/sessions", json={"seed": 3, "snapshot": LIGHT}).get_json()["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 5})
    alone = client.get(f"/api/sessions/{sid}?resolution=10&neuron_resolution=5").get_json()["snapshot"]
    assert alone["weights"] == results[3][1]["weights"]


# --------------------------------------------------------------------------- real server
@pytest.fixture
def server(make_app):
    """The app behind waitress on a free loopback port, in a thread."""
    background = BackgroundServer(make_app(), threads=4)
    with background as url:
        yield url
    assert not background.thread.is_alive()  # stopped cleanly


def http(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers), exc.read()


def test_real_server_over_plain_http(server):
    status, headers, raw = http("GET", f"{server}/api/options")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, _, raw = http("POST", f"{server}/api/sessions", {})
    assert status == 201
    sid = json.loads(raw)["id"]
    status, _, raw = http("POST", f"{server}/api/sessions/{sid}/step", {"epochs": 2})
    snap = json.loads(raw)["snapshot"]
    assert status == 200 and snap["epoch"] == 2 and len(raw) <= 80 * 1024
    assert decode(snap["grid"]["output"]).shape == (100, 100, 1)
    status, _, raw = http("POST", f"{server}/api/sessions/{sid}/step", {"epochs": "x"})
    assert status == 400 and json.loads(raw)["error"]["field"] == "epochs"
    status, _, raw = http("GET", f"{server}/api/sessions/{sid}/data.csv")
    assert status == 200 and raw.startswith(b"x1,x2,label\n")
    status, _, _ = http("DELETE", f"{server}/api/sessions/{sid}")
    assert status == 204
    status, _, raw = http("GET", f"{server}/api/sessions/{sid}")
    assert status == 404 and json.loads(raw)["error"]["field"] == "id"
    status, _, raw = http("POST", f"{server}/api/sessions", None)
    assert status == 201


def test_python_m_app_serves_and_stops_cleanly_on_ctrl_c():
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PLAYGROUND_PORT": "0", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "app"], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("Neural Network Playground running at http://127.0.0.1:")
        url = line.split(" at ")[1].strip().rstrip("/")
        status, _, raw = http("GET", f"{url}/api/options")
        assert status == 200 and json.loads(raw)["defaults"]["dataset"] == "circle"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert "Stopped." in out and "Traceback" not in err and "warning" not in err
