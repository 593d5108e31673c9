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

Reports the default client's latency (median, p95, max; target: p95 ≤ 150 ms), the same
client alone beforehand for comparison, and what the heavy clients got. Prints Markdown.
"""

import argparse
import statistics
import sys

from loadgen import (LARGEST, Client, conditions, cpu_seconds, new_session, percentile,
                     run_learners, start_server, stop_server)

TARGET_P95_MS = 150.0


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
    args = parser.parse_args(argv)

    machine = conditions()
    proc, host, port = start_server(*args.server_args.split())
    try:
        heavy = heaviest_step(host, port)
        default = {"epochs": 1}
        alone = run_learners(host, port, {"default": (1, {}, default)}, args.seconds / 2,
                             processes=1)["default"]
        cpu0 = cpu_seconds(proc.pid)
        mixed = run_learners(host, port, {"heavy": (args.heavy, LARGEST, heavy),
                                          "default": (1, {}, default)}, args.seconds,
                             processes=3, warmup=20.0)  # time to build 8 large sessions
        cpu = cpu_seconds(proc.pid) - cpu0
    finally:
        stop_server(proc)

    light, big = mixed["default"], mixed["heavy"]
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
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
