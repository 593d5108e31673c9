"""Fairness benchmark: does one learner stay responsive while others ask for the most expensive
work the server allows?

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_fairness.py [--seconds 10]

Starts `python -m app --port 0` (default settings) and runs, from separate client processes:

- 8 "heavy" clients, each on the largest session the limits allow (8 × 64 neurons, all nine
  features, 5,000 points, six classes, Adam, batch 512), each request asking for the most the
  server accepts: `{"epochs": 100000, "max_ms": 250}` (the default step limit) with the largest
  snapshot that fits `MAX_SNAPSHOT_BYTES` (the server says which resolution that is), every
  neuron map at the largest neuron resolution in float32, the whole history every time, the
  confusion matrices and the transformed view;
- 1 "default" client stepping a default session one epoch per request with the page's
  default snapshot, like the page at its default speed.

Then the same default client beside a mix of the heavy work the page can ask for (issue 23):
4 of the turbo clients above, 2 clients that race three runs and ask for the finest loss
landscape the work limit allows after every round, and 2 that compare on the largest session
again and again: two forks (each building ~60 MB), a round of training each, both deleted
(the memory given back to the system: `app/serve/malloc.py`).

Reports the default client's latency (median, p95, max; target: p95 ≤ 150 ms), the same
client alone beforehand for comparison, and what the heavy clients got. Every client connects
from its own loopback address, as learners at their own machines (the server's quotas count
per address). Prints Markdown.
"""

import argparse
import statistics
import sys
import threading
import time

from loadgen import (
    LARGEST,
    Client,
    conditions,
    cpu_seconds,
    new_session,
    percentile,
    run_learners,
    start_server,
    stop_server,
)

TARGET_P95_MS = 150.0
BARE = {"grid": False, "neurons": False, "weights": False, "history": False, "confusion": False}
# A race whose landscape is heavy: many points, so the finest grid the work limit allows is
# about a second of computing.
RACE = {"n_points": 5000, "hidden_layers": [8, 8], "features": ["x1", "x2", "x1_sq", "x2_sq"]}


def landscape_client(host, port, index, stop, out):
    """Races three runs a few epochs a round, and asks for the finest landscape after each."""
    client = Client(host, port, timeout=120, source=f"127.0.5.{1 + index}")
    sid = new_session(client, RACE)
    runs = [sid] + [client.call("POST", f"/api/sessions/{sid}/fork",
                                {"overrides": {"optimizer": name}, "snapshot": BARE})[2]["id"]
                    for name in ("adam", "momentum")]
    resolution, done = 101, 0
    while not stop.is_set():
        for run in runs:
            client.call("POST", f"/api/sessions/{run}/step", {"epochs": 5, "snapshot": BARE})
        status, _, body = client.call("POST", f"/api/sessions/{sid}/landscape",
                                      {"sessions": runs, "resolution": resolution})
        if status == 422 and body["error"]["field"] == "resolution":
            resolution = body["error"]["allowed"][1]
        elif status == 200:
            done += 1
    client.close()
    out.append(("landscape", done, resolution))


def fork_client(host, port, index, stop, out):
    """Compare on the largest session, again and again: two forks, a round of training each
    (as much as the step limit allows), both deleted."""
    client = Client(host, port, timeout=120, source=f"127.0.6.{1 + index}")
    sid = new_session(client, LARGEST)
    done = 0
    while not stop.is_set():
        forks = []
        for rate in (0.01, 0.1):
            status, _, body = client.call("POST", f"/api/sessions/{sid}/fork",
                                          {"overrides": {"learning_rate": rate}, "snapshot": BARE})
            if status == 201:
                forks.append(body["id"])
                done += 1
        for fork in forks:
            client.call("POST", f"/api/sessions/{fork}/step",
                        {"epochs": 100, "max_ms": 250, "snapshot": BARE})
        for fork in forks:
            client.call("DELETE", f"/api/sessions/{fork}")
    client.close()
    out.append(("fork", done, None))


def heaviest_step(host, port):
    """The most expensive step body the server accepts for the largest session."""
    client = Client(host, port)
    sid = new_session(client, LARGEST)
    snapshot = {"grid": True, "resolution": 400, "neurons": True, "neuron_resolution": 50,
                "encoding": "f32", "neuron_encoding": "f32", "weights": True, "history": True,
                "history_since": 0, "confusion": True,
                "transformed": {"layer": 0, "neurons": [0, 1]}}
    # Shrink what the server refuses, least important first, until it accepts.
    for _ in range(20):
        status, _, body = client.call("POST", f"/api/sessions/{sid}/step",
                                      {"epochs": 0, "snapshot": snapshot})
        if status == 200:
            break
        error = body["error"]
        if error["field"] == "snapshot.resolution" and error["allowed"]:
            snapshot["resolution"] = error["allowed"][1]
        elif snapshot["neuron_encoding"] == "f32":
            snapshot["neuron_encoding"] = "u8"
        elif snapshot["neuron_resolution"] > 25:
            snapshot["neuron_resolution"] -= 5
        else:
            raise SystemExit(f"unexpected answer: {body}")
    client.call("DELETE", f"/api/sessions/{sid}")
    client.close()
    _, _, options = Client(host, port).call("GET", "/api/options")
    return {"epochs": 100000, "max_ms": options["limits"]["max_step_ms"], "snapshot": snapshot}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--heavy", type=int, default=8)
    parser.add_argument("--server-args", default="", help="extra `python -m app` arguments")
    parser.add_argument("--mix", default="4,2,2", help="the mix: turbo, landscape, fork clients")
    parser.add_argument("--skip-first", action="store_true", help="only the mix")
    args = parser.parse_args(argv)

    machine = conditions()
    proc, host, port = start_server(*args.server_args.split())
    try:
        heavy = heaviest_step(host, port)
        default = {"epochs": 1}
        alone = run_learners(host, port, {"default": (1, {}, default)}, args.seconds / 2,
                             processes=1)["default"]
        cpu0 = cpu_seconds(proc.pid)
        mixed = run_learners(host, port, {"heavy": (0 if args.skip_first else args.heavy,
                                                    LARGEST, heavy),
                                          "default": (1, {}, default)},
                             1 if args.skip_first else args.seconds,
                             processes=3, warmup=20.0)  # time to build 8 large sessions
        cpu = cpu_seconds(proc.pid) - cpu0
        stop, others = threading.Event(), []
        turbo, n_landscape, n_fork = (int(n) for n in args.mix.split(","))
        threads = [threading.Thread(target=target, args=(host, port, i, stop, others))
                   for target, count in ((landscape_client, n_landscape), (fork_client, n_fork))
                   for i in range(count)]
        for t in threads:
            t.start()
        time.sleep(5.0)   # the races and the largest sessions are built
        mix = run_learners(host, port, {"heavy": (turbo, LARGEST, heavy),
                                        "default": (1, {}, default)}, args.seconds,
                           processes=3, warmup=15.0)
        stop.set()
        for t in threads:
            t.join()
    finally:
        stop_server(proc)

    nobody = {"latencies": [], "epochs": 0, "errors": 0, "requests": 0}
    light, big = mixed["default"], mixed.get("heavy", nobody)
    lat, solo = light["latencies"], alone["latencies"]
    p95 = percentile(lat, 95)
    snap = heavy["snapshot"]
    lines = [
        f"Machine: {machine}. Server: `python -m app` with default settings{' ' + args.server_args if args.server_args else ''}, "
        f"its own process; clients in 3 other processes, keep-alive connections; "
        f"{args.seconds:g} s of load.",
        "",
        f"Heavy request ({args.heavy} clients, largest session): `epochs` 100000, `max_ms` "
        f"{heavy['max_ms']:g}, snapshot {snap['resolution']}×{snap['resolution']} grid (f32), "
        f"{snap['neuron_resolution']}×{snap['neuron_resolution']} neuron maps "
        f"({snap['neuron_encoding']}), weights, whole history, confusion, transformed view.",
        "",
        "| measurement | result | target | met |",
        "|---|---|---|---|",
        f"| default client alone: 1-epoch step, median / p95 | "
        f"{statistics.median(solo):.1f} / {percentile(solo, 95):.1f} ms ({len(solo)} requests) | | |",
        f"| with {args.heavy} heavy clients: median / p95 / max | "
        f"{percentile(lat, 50):.1f} / {p95:.1f} / {max(lat, default=float('nan')):.1f} ms "
        f"({len(lat)} requests) | "
        f"p95 ≤ {TARGET_P95_MS:g} ms | {'yes' if p95 <= TARGET_P95_MS else '**no**'} |",
        f"| heavy clients: requests, epochs, median latency | {big['requests']} requests, "
        f"{big['epochs']} epochs, {percentile(big['latencies'], 50):.0f} ms | | |",
        f"| server CPU during the mixed run | {cpu:.1f} s in {args.seconds:g} s | | |",
        f"| errors | {light['errors'] + big['errors']} | 0 | "
        f"{'yes' if light['errors'] + big['errors'] == 0 else '**no**'} |",
    ]
    mixed_lat = mix["default"]["latencies"]
    mixed_p95 = percentile(mixed_lat, 95)
    landscapes = [o for o in others if o[0] == "landscape"]
    forks = sum(o[1] for o in others if o[0] == "fork")
    mix.setdefault("heavy", nobody)
    errors = mix["default"]["errors"] + mix["heavy"]["errors"]
    lines += [
        "",
        "Beside a mix: 4 turbo clients as above, 2 landscape races, 2 clients comparing on the "
        "largest session (two forks, a round each, both deleted, again and again).",
        "",
        "| measurement | result | target | met |",
        "|---|---|---|---|",
        f"| default client: median / p95 / max | {percentile(mixed_lat, 50):.1f} / "
        f"{mixed_p95:.1f} / {max(mixed_lat, default=float('nan')):.1f} ms "
        f"({len(mixed_lat)} requests) | p95 ≤ {TARGET_P95_MS:g} ms | "
        f"{'yes' if mixed_p95 <= TARGET_P95_MS else '**no**'} |",
        f"| landscapes ({landscapes[0][2] if landscapes else '–'} × "
        f"{landscapes[0][2] if landscapes else '–'}), forks of the largest session | "
        f"{sum(o[1] for o in landscapes)}, {forks} | | |",
        f"| turbo clients: requests, epochs | {mix['heavy']['requests']}, "
        f"{mix['heavy']['epochs']} | | |",
        f"| errors | {errors} | 0 | {'yes' if errors == 0 else '**no**'} |",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
