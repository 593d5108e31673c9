"""Classroom benchmark: several worker processes behind nginx (`python -m app --workers N`).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_classroom.py [--seconds 8]

1. 20 learners stepping their own default sessions (one epoch and the page's default snapshot
   per request, from 4 client processes) against one plain `python -m app` process, then
   through nginx with 1, 2 and 4 workers: total epochs/s and latency (target: 2 workers ≥ 1.6×
   one worker on a 2-core machine; the ratio to the plain process is printed too);
2. the proxy's added latency: one client alternating the same small request (a session's
   snapshot without grid, weights, history or confusion) directly to its worker and through
   nginx, median of each (target: ≤ 0.5 ms added).

The load generator runs on the same machine and takes CPU too (on 2 cores that is part of
what is measured). Prints Markdown.
"""

import argparse
import statistics
import sys
import time

from loadgen import (Client, conditions, new_session, percentile, run_learners,
                     start_classroom, start_server, stop_server)

LEARNERS = 20


def twenty(host, port, seconds):
    result = run_learners(host, port, {"l": (LEARNERS, {}, {"epochs": 1})}, seconds)["l"]
    return {"epochs_per_s": result["epochs"] / seconds, "errors": result["errors"],
            "p50": percentile(result["latencies"], 50), "p95": percentile(result["latencies"], 95)}


def added_latency(proxy, worker, n):
    direct, through = Client(*worker), Client(*proxy)
    sid = new_session(direct)
    path = f"/api/sessions/{sid}?grid=0&weights=0&history=0&confusion=0"
    times = {"direct": [], "proxy": []}
    for i in range(n + 50):
        for name, client in (("direct", direct), ("proxy", through)):
            t0 = time.perf_counter()
            status, _, _ = client.call("GET", path)
            if i >= 50:  # after warming up both paths
                times[name].append((time.perf_counter() - t0) * 1000)
            assert status == 200
    direct.close()
    through.close()
    return {k: statistics.median(v) for k, v in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--latency-requests", type=int, default=1000)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args(argv)
    machine = conditions()
    rows = []
    proc, host, port = start_server()
    try:
        plain = twenty(host, port, args.seconds)
    finally:
        stop_server(proc)
    rows.append(("one process, no proxy (`make run`)", plain))
    latency = None
    for n in [int(x) for x in args.workers.split(",")]:
        proc, host, port, workers = start_classroom(n)
        try:
            rows.append((f"{n} worker{'s' if n > 1 else ''} behind nginx", twenty(host, port,
                                                                                 args.seconds)))
            if latency is None:
                latency = added_latency((host, port), next(iter(workers.values())),
                                        args.latency_requests)
        finally:
            stop_server(proc)

    base = plain["epochs_per_s"]
    lines = [f"Machine: {machine}. {LEARNERS} learners from 4 client processes on the same "
             f"machine, {args.seconds:g} s each.", "",
             "| server | total epochs/s | vs one process | latency p50 / p95 | errors |",
             "|---|---|---|---|---|"]
    for name, r in rows:
        lines.append(f"| {name} | {r['epochs_per_s']:.0f} | {r['epochs_per_s'] / base:.2f}× | "
                     f"{r['p50']:.1f} / {r['p95']:.1f} ms | {r['errors']} |")
    one = next((r for name, r in rows if name.startswith("1 worker")), None)
    two = next((r for name, r in rows if name.startswith("2 workers")), None)
    if one and two:
        # The target compares 2 workers with one worker (both behind nginx); against a
        # plain process without the proxy is stricter and printed beside it.
        ratio, strict = two["epochs_per_s"] / one["epochs_per_s"], two["epochs_per_s"] / base
        lines += ["", f"2 workers vs 1 worker: {ratio:.2f}× (target ≥ 1.6×: "
                      f"{'met' if ratio >= 1.6 else '**not met**'}); vs one plain process "
                      f"without nginx: {strict:.2f}×."]
    if latency:
        added = latency["proxy"] - latency["direct"]
        lines += [f"Proxy's added latency (median of {args.latency_requests} alternating small "
                  f"requests): {latency['direct']:.2f} ms direct, {latency['proxy']:.2f} ms "
                  f"through nginx, **{added:+.2f} ms** (target ≤ 0.5 ms: "
                  f"{'met' if added <= 0.5 else '**not met**'})."]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
