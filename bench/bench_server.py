"""Server benchmark over real HTTP on loopback: is the playground fast enough to feel alive?

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_server.py [--seconds 4] [--write FILE]

Starts `python -m app --port 0` as a subprocess (a separate process, like a real browser and
server) and measures, with the default configuration:

1. one `step` of 1 epoch answered with a 100 × 100 float32 output grid and every neuron map:
   median and p95 end-to-end latency (request sent → JSON parsed) and payload bytes
   (targets: median ≤ 8 ms, payload ≤ 80 KB);
2. "turbo": one session asking for as many epochs as fit in `max_ms` per request, each answer
   still carrying a fresh 100 × 100 snapshot: epochs per second (target ≥ 600);
3. 20 learners stepping their own default sessions at once, one epoch and the page's default
   snapshot per request, from 4 client processes: total epochs/s (target ≥ 500), p50/p95
   latency, errors, and the server's CPU time per request (what one core's worth of
   throughput is made of).

Connections are kept alive, as a browser does. Prints a Markdown table.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from loadgen import Client, conditions, cpu_seconds, new_session, percentile, run_learners, start_server, stop_server


def bench_single(host, port, n):
    client = Client(host, port)
    sid = new_session(client)
    path = f"/api/sessions/{sid}/step"
    since = 0
    for _ in range(20):  # warm up: grid cache, workspaces, connection
        _, _, body = client.call("POST", path, {"epochs": 1})
        since = body["snapshot"]["epoch"] + 1
    latencies, sizes, server_ms = [], [], []
    for _ in range(n):
        # Like the page: ask only for history rows it does not have yet.
        t0 = time.perf_counter()
        status, raw, body = client.call("POST", path, {"epochs": 1,
                                                       "snapshot": {"history_since": since}})
        latencies.append((time.perf_counter() - t0) * 1000)
        assert status == 200 and body["snapshot"]["done"]["epochs"] == 1
        sizes.append(len(raw))
        since = body["snapshot"]["epoch"] + 1
        server_ms.append(body["snapshot"]["timing"]["total_ms"])
    client.close()
    return {"median_ms": statistics.median(latencies), "p95_ms": percentile(latencies, 95),
            "payload_bytes": int(statistics.median(sizes)),
            "server_ms": statistics.median(server_ms)}


def bench_turbo(host, port, seconds, max_ms):
    client = Client(host, port)
    sid = new_session(client)
    path = f"/api/sessions/{sid}/step"
    client.call("POST", path, {"epochs": 1})
    _, _, first = client.call("GET", f"/api/sessions/{sid}?grid=0&weights=0&history=0")
    epoch0, steps0 = first["snapshot"]["epoch"], first["snapshot"]["steps"]
    requests, latencies, since = 0, [], epoch0 + 1
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        status, raw, body = client.call("POST", path, {
            "epochs": 100000, "max_ms": max_ms, "snapshot": {"history_since": since}})
        since = body["snapshot"]["epoch"] + 1
        latencies.append((time.perf_counter() - t0) * 1000)
        assert status == 200 and body["snapshot"]["grid"]["output"]["shape"] == [100, 100, 1]
        requests += 1
    wall = time.perf_counter() - start
    snap = body["snapshot"]
    batches_per_epoch = 25  # 250 training points, batch 10
    epochs = (snap["steps"] - steps0) / batches_per_epoch
    client.close()
    return {"epochs_per_s": epochs / wall, "requests_per_s": requests / wall,
            "mean_ms": statistics.mean(latencies), "max_ms": max_ms,
            "epochs_per_request": epochs / requests}


def bench_many(proc, host, port, seconds, n_clients):
    cpu0 = cpu_seconds(proc.pid)
    result = run_learners(host, port, {"learner": (n_clients, {}, {"epochs": 1})}, seconds)
    cpu = cpu_seconds(proc.pid) - cpu0
    many = result["learner"]
    latencies = many["latencies"]
    return {"epochs_per_s": many["epochs"] / seconds,
            "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
            "errors": many["errors"], "requests": many["requests"],
            "cpu_ms": cpu * 1000 / max(1, many["requests"])}


REPORT = """# Server performance

Measured with `OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_server.py` (the server runs as `python -m app` in its own process; the clients
talk plain HTTP/1.1 over loopback with keep-alive connections, and ask, like the page, only
for the history rows they do not have yet).

{table}

Notes:
- "Latency" is end to end at the client: request sent → answer read and JSON-parsed. "server"
  is the snapshot's own `timing.total_ms` (training + grid + encoding), the rest is HTTP,
  Flask and JSON.
- The payload is dominated by the 100 × 100 float32 output map (40 KB raw, 53 KB base64);
  the neuron maps travel as uint8 (25 × 25 × 6 neurons: 3.75 KB raw).
- Turbo asks `{{"epochs": 100000, "max_ms": 12}}`: 12 ms of training, then a fresh snapshot,
  so each request takes about 16 ms, i.e. one animation frame.
- With 20 learners at once the server is one Python process: requests take turns at the CPU
  (app/capacity/scheduler.py) instead of thrashing the GIL, so total throughput is what one core gives,
  1 ÷ (server CPU per request), and each learner's latency is mostly its wait for the other 19
  (latency ≈ 20 ÷ requests per second). More cores: several worker processes (docs/deploy.md).
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="duration of runs 2 and 3")
    parser.add_argument("--steps", type=int, default=300, help="requests in run 1")
    parser.add_argument("--turbo-ms", type=float, default=12.0,
                        help="max_ms per turbo request (training time; the rest is the snapshot)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--threads", type=int, default=32, help="server worker threads")
    parser.add_argument("--server-args", default="", help="extra `python -m app` arguments")
    parser.add_argument("--only-many", action="store_true", help="run only measurement 3")
    parser.add_argument("--write", help="also write the table to this Markdown file")
    args = parser.parse_args(argv)

    machine = conditions()
    proc, host, port = start_server("--threads", args.threads, *args.server_args.split())
    try:
        if args.only_many:
            many = bench_many(proc, host, port, args.seconds, args.clients)
            print(f"{args.clients} learners: {many['epochs_per_s']:.0f} epochs/s, p50 "
                  f"{many['p50_ms']:.1f} ms, p95 {many['p95_ms']:.1f} ms, server CPU "
                  f"{many['cpu_ms']:.2f} ms/request, errors {many['errors']} ({machine})")
            return 0
        single = bench_single(host, port, args.steps)
        turbo = bench_turbo(host, port, args.seconds, args.turbo_ms)
        many = bench_many(proc, host, port, args.seconds, args.clients)
    finally:
        stop_server(proc)

    ok = lambda cond: "yes" if cond else "**no**"  # noqa: E731
    lines = [
        f"Machine: {machine}; OpenBLAS 1 thread; waitress {args.threads} threads, clients in "
        "separate processes, keep-alive connections, default configuration (circle, 2-4-2-1 "
        "tanh, batch 10).",
        "",
        "| measurement | result | target | met |",
        "|---|---|---|---|",
        f"| 1-epoch step + 100×100 grid + all neuron maps: median latency | "
        f"{single['median_ms']:.2f} ms (server {single['server_ms']:.2f} ms) | ≤ 8 ms | "
        f"{ok(single['median_ms'] <= 8)} |",
        f"| same, p95 latency | {single['p95_ms']:.2f} ms | | |",
        f"| same, payload | {single['payload_bytes'] / 1024:.1f} KB ({single['payload_bytes']} B) "
        f"| ≤ 80 KB | {ok(single['payload_bytes'] <= 80 * 1024)} |",
        f"| turbo: epochs/s, fresh 100×100 snapshot per request (max_ms {turbo['max_ms']:g}) | "
        f"{turbo['epochs_per_s']:.0f} epochs/s ({turbo['requests_per_s']:.0f} requests/s, "
        f"{turbo['mean_ms']:.1f} ms each, {turbo['epochs_per_request']:.1f} epochs each) | "
        f"≥ 600 | {ok(turbo['epochs_per_s'] >= 600)} |",
        f"| {args.clients} learners at once (4 client processes): total epochs/s | "
        f"{many['epochs_per_s']:.0f} epochs/s ({many['requests']} requests) | ≥ 500 | "
        f"{ok(many['epochs_per_s'] >= 500)} |",
        f"| same, latency p50 / p95 | {many['p50_ms']:.1f} / {many['p95_ms']:.1f} ms | | |",
        f"| same, server CPU per request | {many['cpu_ms']:.2f} ms | | |",
        f"| same, errors | {many['errors']} | 0 | {ok(many['errors'] == 0)} |",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        Path(args.write).write_text(REPORT.format(table=text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
