"""Classroom benchmark: several worker processes behind nginx (`python -m app --workers N`).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_classroom.py [--seconds 8] [--trials 3]

1. 20 learners stepping their own default sessions (one epoch and the page's default snapshot
   per request, from 4 client processes) against one plain `python -m app` process, then
   through nginx with 1, 2 and 4 workers: total epochs/s and latency (target: 2 workers ≥ 1.6×
   one worker on a 2-core machine; the ratio to the plain process is printed too). On 2 shared
   cores one 8-second run of a setup varies by ±10 %, so every setup runs `--trials` times,
   the setups taking turns (a slow minute then slows them all alike), and the table shows the
   trial with the median rate and the range;
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

from loadgen import (
    Client,
    conditions,
    new_session,
    percentile,
    run_learners,
    start_classroom,
    start_server,
    stop_server,
)

LEARNERS = 20


def twenty(host, port, seconds):
    result = run_learners(host, port, {"l": (LEARNERS, {}, {"epochs": 1})}, seconds)["l"]
    return {"epochs_per_s": result["epochs"] / seconds, "errors": result["errors"],
            "p50": percentile(result["latencies"], 50), "p95": percentile(result["latencies"], 95)}


def median_trial(results):
    """The trial with the median rate, with the range of all trials added."""
    ordered = sorted(results, key=lambda r: r["epochs_per_s"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["range"] = (ordered[0]["epochs_per_s"], ordered[-1]["epochs_per_s"])
    return chosen


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
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--latency-requests", type=int, default=1000)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args(argv)
    machine = conditions()
    counts = [int(x) for x in args.workers.split(",")]
    setups = ["plain"] + counts
    trials = {setup: [] for setup in setups}
    latency = None
    for _ in range(args.trials):
        for setup in setups:
            if setup == "plain":
                proc, host, port = start_server()
            else:
                proc, host, port, workers = start_classroom(setup)
            try:
                trials[setup].append(twenty(host, port, args.seconds))
                if setup != "plain" and latency is None:
                    latency = added_latency((host, port), next(iter(workers.values())),
                                            args.latency_requests)
            finally:
                stop_server(proc)
    rows = [("one process, no proxy (`make run`)", median_trial(trials["plain"]))]
    rows += [(f"{n} worker{'s' if n > 1 else ''} behind nginx", median_trial(trials[n]))
             for n in counts]
    plain = rows[0][1]
    base = plain["epochs_per_s"]
    lines = [f"Machine: {machine}. {LEARNERS} learners from 4 client processes on the same "
             f"machine; each setup {args.trials} × {args.seconds:g} s, taking turns; the "
             "median trial is shown.", "",
             "| server | total epochs/s (all trials) | vs one process | latency p50 / p95 | "
             "errors |", "|---|---|---|---|---|"]
    for name, r in rows:
        low, high = r["range"]
        lines.append(f"| {name} | {r['epochs_per_s']:.0f} ({low:.0f}–{high:.0f}) | "
                     f"{r['epochs_per_s'] / base:.2f}× | {r['p50']:.1f} / {r['p95']:.1f} ms | "
                     f"{r['errors']} |")
    one = next((r for name, r in rows if name.startswith("1 worker")), None)
    two = next((r for name, r in rows if name.startswith("2 workers")), None)
    if one and two:
        # The target compares 2 workers with one worker (both behind nginx); against a
        # plain process without the proxy is stricter and printed beside it.
        ratio, strict = two["epochs_per_s"] / one["epochs_per_s"], two["epochs_per_s"] / base
        paired = ", ".join(f"{b['epochs_per_s'] / a['epochs_per_s']:.2f}×"
                           for a, b in zip(trials[1], trials[2]))
        lines += ["", f"2 workers vs 1 worker: {ratio:.2f}× (target ≥ 1.6×: "
                      f"{'met' if ratio >= 1.6 else '**not met**'}; trial by trial {paired}); "
                      f"vs one plain process without nginx: {strict:.2f}×."]
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
