"""Hardening benchmark: what the attacks of issue 10 cost the server now.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_hardening.py

Against `python -m app --port 0` in its own process (its memory read from /proc):

1. a tampered ~35 KB model import whose network claims sixteen 4096-wide layers: time to the
   422 and the server's memory growth (targets: < 100 ms, < 50 MB);
2. sessions of the largest size the limits allow (8 × 64 neurons, nine features, 5,000 points,
   Adam, batch 512), each stepped once, created until the memory budget refuses one: how
   many, and the server's resident memory against the budget (default 2 GB; `--budget`);
3. 120 connections that send half a request and stall, then one normal request: its latency
   (target: answered within 1 s, while the 120 stay open).

Prints Markdown.
"""

import argparse
import copy
import socket
import statistics
import sys
import time

from loadgen import LARGEST, Client, conditions, rss_bytes, start_server, stop_server

MB = 1024 * 1024
LIGHT = {"grid": False, "confusion": False, "weights": False, "history": False}


def tampered_import(host, port, pid, repeats=20):
    client = Client(host, port)
    status, _, body = client.call("POST", "/api/sessions", {"snapshot": LIGHT})
    _, _, export = client.call("GET", f"/api/sessions/{body['id']}/model")
    model = copy.deepcopy(export)
    model["trainer"]["network"]["config"]["layer_sizes"] = [2] + [4096] * 16 + [1]
    model["trainer"]["network"]["config"]["activation"] = ["tanh"] * 16
    size = len(str(model))
    before = rss_bytes(pid)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        status, _, answer = client.call("POST", "/api/sessions", {"model": model})
        times.append((time.perf_counter() - t0) * 1000)
        assert status == 422, answer
    grown = rss_bytes(pid) - before
    client.close()
    return {"ms": statistics.median(times), "max_ms": max(times), "grown": grown,
            "bytes": size, "field": answer["error"]["field"]}


def largest_until_refused(host, port, pid, limit=200):
    client = Client(host, port, timeout=120)
    before = rss_bytes(pid)
    made, refused, peak = 0, None, before
    t0 = time.perf_counter()
    for _ in range(limit):
        status, _, body = client.call("POST", "/api/sessions", {**LARGEST, "snapshot": LIGHT})
        if status != 201:
            refused = body["error"]
            break
        made += 1
        client.call("POST", f"/api/sessions/{body['id']}/step", {"epochs": 1, "snapshot": LIGHT})
        peak = max(peak, rss_bytes(pid))
    _, _, options = client.call("GET", "/api/options")
    client.close()
    return {"made": made, "refused": refused, "before": before, "after": rss_bytes(pid),
            "peak": peak, "seconds": time.perf_counter() - t0,
            "budget": options["limits"]["memory_budget_bytes"]}


def half_open(host, port, count=120):
    stalled = []
    try:
        for _ in range(count):
            sock = socket.create_connection((host, port), timeout=30)
            sock.sendall(b"POST /api/sessions HTTP/1.1\r\nHost: localhost\r\nContent-")
            stalled.append(sock)
        client = Client(host, port, timeout=30)
        t0 = time.perf_counter()
        status, _, _ = client.call("GET", "/api/options")
        ms = (time.perf_counter() - t0) * 1000
        client.close()
        return {"status": status, "ms": ms}
    finally:
        for sock in stalled:
            sock.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", default=None, help="--memory-budget for the server (2G)")
    args = parser.parse_args(argv)
    machine = conditions()
    extra = ["--memory-budget", args.budget] if args.budget else []
    proc, host, port = start_server(*extra)
    try:
        tampered = tampered_import(host, port, proc.pid)
        opened = half_open(host, port)
        largest = largest_until_refused(host, port, proc.pid)
    finally:
        stop_server(proc)

    ok = lambda cond: "yes" if cond else "**no**"  # noqa: E731
    grown = largest["peak"] - largest["before"]
    margin = grown - largest["budget"]
    lines = [
        f"Machine: {machine}. Server: `python -m app` {' '.join(extra)} in its own process.",
        "",
        "| measurement | result | target | met |",
        "|---|---|---|---|",
        f"| tampered import ({tampered['bytes'] // 1024} KB, 16 × 4096 layers): time to 422 "
        f"(median / max of 20) | {tampered['ms']:.1f} / {tampered['max_ms']:.1f} ms "
        f"(`{tampered['field']}`) | < 100 ms | {ok(tampered['max_ms'] < 100)} |",
        f"| same, server memory growth | {tampered['grown'] / MB:.1f} MB | < 50 MB | "
        f"{ok(tampered['grown'] < 50 * MB)} |",
        f"| largest sessions until the budget refuses | {largest['made']} sessions in "
        f"{largest['seconds']:.0f} s, then {largest['refused'] and largest['refused']['field']} "
        f"| refused before the budget | {ok(largest['refused'] is not None)} |",
        f"| same, server resident memory growth (peak) vs budget | {grown / MB:.0f} MB vs "
        f"{largest['budget'] / MB:.0f} MB ({margin / MB:+.0f} MB) | ≤ budget + 128 MB | "
        f"{ok(margin <= 128 * MB)} |",
        f"| 120 half-open connections, then a normal request | {opened['ms']:.1f} ms "
        f"(status {opened['status']}) | ≤ 1 s | {ok(opened['status'] == 200 and opened['ms'] <= 1000)} |",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
