"""Exports benchmark: the HTML report of the default session at epoch 500, one BLAS thread.

    make bench            # or: .venv/bin/python bench/bench_exports.py [--repeats 10]

The default session (circle, 500 points, 250 for training; 2 → 4 → 2 → 1 tanh, sigmoid +
cross-entropy, SGD at 0.03, batch 10) trains 500 epochs, then, in process through Flask's test
client (request, lock and turn, every figure, plotly.js inlined, the answer's bytes):

1. `GET /api/sessions/<id>/report` (target: ≤ 2 s and ≤ 8 MB, issue 22);
2. the same with `?point=train:0` (the inspected point's trace added);
3. `GET /api/sessions/<id>/export.py` and `GET /api/sessions/<id>/export.ipynb`;
4. Compare's report of three runs (`POST /api/sessions/<id>/landscape/report`, 41 × 41).

Reports the median and the best of `--repeats` runs after one warm-up, the size of each answer,
and the machine's speed as a pure-Python loop of 10 million additions (the machine may be
shared: read the numbers beside it). Prints a Markdown table.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"   # before NumPy loads: one BLAS thread

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from app import create_app  # noqa: E402
from bench.bench_core import machine, python_loop_seconds  # noqa: E402

EPOCHS = 500
TARGET_S, TARGET_BYTES = 2.0, 8 * 1024 * 1024
LIGHT = {"grid": False, "weights": False, "history": False, "confusion": False}


def timed(run, repeats):
    """(median s, best s, the last answer's bytes) of `repeats` calls after one warm-up."""
    size = len(run())
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        size = len(run())
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), size


def call(client, method, path, body=None, status=200):
    response = getattr(client, method)(path, json=body)
    assert response.status_code == status, response.get_data()[:300]
    return response


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="timed runs per row")
    args = parser.parse_args()
    print(f"machine: {machine()}; one BLAS thread")
    print(f"a Python loop of 10 million additions: {python_loop_seconds():.2f} s\n")

    app = create_app({"TESTING": True, "MAX_STEP_MS": 600_000})
    client = app.test_client()
    source = call(client, "post", "/api/sessions", {"snapshot": LIGHT}, 201).get_json()["id"]
    ids = [source] + [call(client, "post", f"/api/sessions/{source}/fork",
                           {"overrides": {"optimizer": name}, "snapshot": LIGHT},
                           201).get_json()["id"] for name in ("momentum", "adam")]
    for sid in ids:
        done = call(client, "post", f"/api/sessions/{sid}/step",
                    {"epochs": EPOCHS, "snapshot": LIGHT}).get_json()["snapshot"]["epoch"]
        assert done == EPOCHS, done

    rows = [("`GET …/report` (default, epoch 500)", "get", f"/api/sessions/{source}/report", None, True),
            ("`GET …/report?point=train:0`", "get", f"/api/sessions/{source}/report?point=train:0", None, False),
            ("`GET …/export.py`", "get", f"/api/sessions/{source}/export.py", None, False),
            ("`GET …/export.ipynb`", "get", f"/api/sessions/{source}/export.ipynb", None, False),
            ("`POST …/landscape/report`, 3 runs, 41 × 41", "post",
             f"/api/sessions/{source}/landscape/report", {"sessions": ids, "resolution": 41}, False)]
    print("| what | median s | best s | bytes | target |")
    print("|---|---|---|---|---|")
    for name, method, path, body, target in rows:
        median, best, size = timed(lambda: call(client, method, path, body).get_data(),
                                   args.repeats)
        goal = "–"
        if target:
            met = median <= TARGET_S and size <= TARGET_BYTES
            goal = f"≤ {TARGET_S:g} s, ≤ 8 MB ({'met' if met else 'MISSED'})"
        print(f"| {name} | {median:.3f} | {best:.3f} | {size:,} | {goal} |", flush=True)


if __name__ == "__main__":
    main()
