"""Loss-landscape benchmark: a 41 × 41 slice of the default network's loss, one BLAS thread.

    make bench            # or: .venv/bin/python bench/bench_landscape.py [--repeats 30]

The default session (circle, 500 points, half of them for training: 250; 2 → 4 → 2 → 1 tanh,
sigmoid + cross-entropy) trains 30 epochs, then:

1. engine: `nn_core.loss_landscape` over 41 × 41 cells on the 250 training points, with PCA
   directions from its recorded path and with filter-normalised random directions
   (target: ≤ 100 ms);
2. server: `POST /api/sessions/<id>/landscape` for a three-optimizer race (the session and two forks, 30
   epochs each), in process through Flask's test client: request parsing, copying the three
   sessions, the landscape, and JSON encoding of the 1,681 float64 losses.

Reports the median and the best of `--repeats` runs. Prints a Markdown table.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"   # before NumPy loads: one BLAS thread

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from app import create_app  # noqa: E402
from nn_core import features, loss_landscape  # noqa: E402

RESOLUTION = 41
TARGET_MS = 100.0
LIGHT = {"grid": False, "weights": False, "history": False, "confusion": False}


def timed(run, repeats):
    """(median ms, best ms) of `repeats` calls after one warm-up call."""
    run()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times)


def call(client, method, path, body=None, status=200):
    response = getattr(client, method)(path, json=body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed runs per row")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"Python {platform.python_version()}, NumPy {np.__version__}; one BLAS thread\n")

    app = create_app({"TESTING": True})
    client = app.test_client()
    source = call(client, "post", "/api/sessions", {"snapshot": LIGHT}, 201)["id"]
    ids = [source] + [call(client, "post", f"/api/sessions/{source}/fork",
                           {"overrides": {"optimizer": name}, "snapshot": LIGHT}, 201)["id"]
                      for name in ("momentum", "adam")]
    for sid in ids:
        call(client, "post", f"/api/sessions/{sid}/step", {"epochs": 30, "snapshot": LIGHT})

    session = app.extensions["sessions"].get(source)
    net, trainer = session.network, session.trainer
    X = features.transform(session.points.train_points, session.config["features"])
    y = session.points.train_labels
    path = trainer.trajectory.path(trainer.epoch, net.params)[1]
    origin = net.params.copy()
    layers = "-".join(map(str, net.layer_sizes))

    print("| what | network | training points | grid | median ms | best ms | target |")
    print("|---|---|---|---|---|---|---|")
    for directions in ("pca", "random"):
        median, best = timed(lambda: loss_landscape(net, origin, X, y, [path], RESOLUTION,
                                                    directions=directions), args.repeats)
        status = "met" if median <= TARGET_MS else "MISSED"
        print(f"| engine, {directions} directions | {layers} | {len(X)} | {RESOLUTION} × "
              f"{RESOLUTION} | {median:.1f} | {best:.1f} | ≤ {TARGET_MS:.0f} ms ({status}) |",
              flush=True)
    body = {"sessions": ids, "resolution": RESOLUTION}
    median, best = timed(lambda: client.post(f"/api/sessions/{ids[0]}/landscape", json=body).get_data(),
                         args.repeats)
    print(f"| `POST /api/sessions/<id>/landscape`, 3 runs | {layers} | {len(X)} | {RESOLUTION} × {RESOLUTION} "
          f"| {median:.1f} | {best:.1f} | – |", flush=True)


if __name__ == "__main__":
    main()
