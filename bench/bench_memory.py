"""Memory benchmark: does the memory budget bound the process after a busy class?

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_memory.py [--seconds 25] [--threads 32]

Against `python -m app --port 0` in its own process (its resident memory read from /proc), the
sequence of issue 23:

1. `--seconds` of mixed load from `--threads` threads, each a learner at its own loopback
   address: sessions of every size up to the largest the limits allow, created, stepped with
   large snapshots, forked and compared on a loss landscape, exported and imported, changed,
   and deleted again;
2. every session deleted, a few seconds idle: the resident memory (target: under 300 MB);
3. sessions of the largest size, each from its own address (one address has a quota), created
   and stepped once until the budget refuses one: the peak resident memory (target: at most the
   budget + 256 MB).

`--server-env NAME=VALUE` sets the server's environment (repeatable), e.g. `MALLOC_ARENA_MAX=8`
or `PLAYGROUND_MALLOC=off` to measure the allocator settings of `app/serve/memory.py` one by one.
Prints Markdown.
"""

import argparse
import random
import sys
import threading
import time

from loadgen import LARGEST, Client, conditions, rss_bytes, start_server, stop_server

MB = 1024 * 1024
BARE = {"grid": False, "neurons": False, "weights": False, "history": False, "confusion": False}
IDLE_TARGET = 300 * MB
MARGIN = 256 * MB
SIZES = [  # what the learners of a busy class ask for: mostly small, some of the largest
    {},
    {"hidden_layers": [8, 8]},
    {"dataset": "spiral", "hidden_layers": [16, 16, 16], "features": ["x1", "x2", "x1_sq", "x2_sq"]},
    {"dataset": "spiral_k", "n_classes": 5, "n_points": 2000, "hidden_layers": [32, 32, 32],
     "optimizer": "adam"},
    {**LARGEST, "n_points": 3000, "hidden_layers": [64] * 6},
    LARGEST,
]
BIG_SNAPSHOT = {"grid": True, "resolution": 150, "neurons": True, "neuron_resolution": 40,
                "weights": True, "history": True, "confusion": True}


def learner(host, port, index, deadline, out):
    """One learner of the mixed load: sessions of every size, everything the page does."""
    rng = random.Random(index)
    client = Client(host, port, timeout=120, source=f"127.0.3.{1 + index}")
    counts = {"requests": 0, "refused": 0, "errors": 0}

    def call(method, path, body=None):
        status, _, answer = client.call(method, path, body)
        counts["requests"] += 1
        if status in (413, 422, 429):
            counts["refused"] += 1
        elif status >= 400:
            counts["errors"] += 1
            print(f"{method} {path.split('/')[-1]}: {status} {answer}"[:300], file=sys.stderr)
        return status, answer

    try:
        while time.time() < deadline:
            config = rng.choice(SIZES)
            status, body = call("POST", "/api/sessions", {**config, "seed": rng.randrange(100),
                                                          "snapshot": BARE})
            if status != 201:
                continue
            sid, made = body["id"], [body["id"]]
            call("POST", f"/api/sessions/{sid}/step",
                 {"epochs": rng.randrange(1, 40), "max_ms": 250, "snapshot": BIG_SNAPSHOT})
            if rng.random() < 0.5:      # Compare: two forks, a few rounds, a landscape
                for optimizer in ("adam", "momentum"):
                    status, body = call("POST", f"/api/sessions/{sid}/fork",
                                        {"overrides": {"optimizer": optimizer}, "snapshot": BARE})
                    if status == 201:
                        made.append(body["id"])
                for other in made:
                    call("POST", f"/api/sessions/{other}/step",
                         {"epochs": 5, "max_ms": 250, "snapshot": {**BIG_SNAPSHOT, "resolution": 60}})
                call("POST", f"/api/sessions/{sid}/landscape", {"sessions": made, "resolution": 41})
            if rng.random() < 0.3:      # export and import
                status, model = call("GET", f"/api/sessions/{sid}/model")
                if status == 200:
                    status, body = call("POST", "/api/sessions", {"model": model, "snapshot": BARE})
                    if status == 201:
                        made.append(body["id"])
            if rng.random() < 0.3:      # a change that rebuilds the network
                call("PATCH", f"/api/sessions/{sid}", {"hidden_layers": [rng.randrange(2, 9)] * 2,
                                                       "snapshot": BIG_SNAPSHOT})
            for other in made:
                call("DELETE", f"/api/sessions/{other}")
    except Exception as exc:  # noqa: BLE001 - a benchmark counts failures, it does not stop
        counts["errors"] += 1
        print(f"learner {index}: {exc!r}", file=sys.stderr)
    finally:
        client.close()
    out.append(counts)


def mixed_load(host, port, pid, threads, seconds):
    deadline = time.time() + seconds
    out, peak = [], 0
    workers = [threading.Thread(target=learner, args=(host, port, i, deadline, out))
               for i in range(threads)]
    for w in workers:
        w.start()
    while any(w.is_alive() for w in workers):
        peak = max(peak, rss_bytes(pid))
        time.sleep(0.2)
    for w in workers:
        w.join()
    return {key: sum(c[key] for c in out) for key in ("requests", "refused", "errors")} | \
        {"peak": peak}


def fill_budget(host, port, pid, limit=200):
    """Largest sessions, each from its own address, until the budget refuses one."""
    made, refused, peak = 0, None, rss_bytes(pid)
    t0 = time.perf_counter()
    ids = []
    for i in range(limit):
        client = Client(host, port, timeout=120, source=f"127.0.4.{1 + i}")
        status, _, body = client.call("POST", "/api/sessions", {**LARGEST, "snapshot": BARE})
        if status != 201:
            refused = body["error"]
            client.close()
            break
        made += 1
        ids.append(body["id"])
        client.call("POST", f"/api/sessions/{body['id']}/step", {"epochs": 1, "snapshot": BARE})
        client.close()
        peak = max(peak, rss_bytes(pid))
    return {"made": made, "refused": refused, "peak": peak, "after": rss_bytes(pid),
            "seconds": time.perf_counter() - t0, "ids": ids}


def idle_rss(pid, seconds=5.0):
    """Resident memory after `seconds` without requests."""
    time.sleep(seconds)
    return rss_bytes(pid)


def python_loop_seconds():
    """The machine's speed in one number: a pure-Python loop of 10 million additions."""
    t0 = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=25.0)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    env = dict(item.split("=", 1) for item in args.server_env)
    machine = conditions()
    loop = python_loop_seconds()
    proc, host, port = start_server(env=env)
    try:
        _, _, options = Client(host, port).call("GET", "/api/options")
        budget = options["limits"]["memory_budget_bytes"]
        started = idle_rss(proc.pid, 1.0)
        load = mixed_load(host, port, proc.pid, args.threads, args.seconds)
        after_load = idle_rss(proc.pid)
        fill = fill_budget(host, port, proc.pid)
        cleaner = Client(host, port, source="127.0.4.250")
        for sid in fill["ids"]:
            cleaner.call("DELETE", f"/api/sessions/{sid}")
        cleaner.close()
        after_fill = idle_rss(proc.pid)
    finally:
        stop_server(proc)

    ok = lambda cond: "yes" if cond else "**no**"  # noqa: E731
    shown = " ".join(args.server_env) or "none"
    lines = [
        f"Machine: {machine}; a pure-Python loop of 10 million additions: {loop:.2f} s. Server: "
        f"`python -m app` (budget {budget / MB:.0f} MB), environment: {shown}.",
        "",
        "| measurement | result | target | met |",
        "|---|---|---|---|",
        f"| idle at start | {started / MB:.0f} MB | | |",
        f"| mixed load: {args.threads} threads, {args.seconds:g} s | {load['requests']} requests "
        f"({load['refused']} refused by a limit, {load['errors']} errors), peak "
        f"{load['peak'] / MB:.0f} MB | | |",
        f"| idle after the load, every session deleted | {after_load / MB:.0f} MB | "
        f"< {IDLE_TARGET / MB:.0f} MB | {ok(after_load < IDLE_TARGET)} |",
        f"| then the largest sessions until refused | {fill['made']} sessions in "
        f"{fill['seconds']:.0f} s, then `{fill['refused'] and fill['refused']['field']}`; peak "
        f"{fill['peak'] / MB:.0f} MB | ≤ budget + {MARGIN / MB:.0f} MB = "
        f"{(budget + MARGIN) / MB:.0f} MB | {ok(fill['peak'] <= budget + MARGIN)} |",
        f"| idle after deleting them | {after_fill / MB:.0f} MB | | |",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
