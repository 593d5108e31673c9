"""Drive the real page in headless Chromium and measure what a learner sees: redraws/s and epochs/s.

    .venv/bin/python bench/bench_page.py [--seconds 6] [--write FILE] [--only digits,default]

Starts the production server (`python -m app --port 0`, waitress) in a subprocess, opens `/` in
Debian's Chromium (no GPU, like CI), presses play at the default configuration and counts, over a
fixed wall-clock window after a warm-up:
- redraws/s: frames in which the page drew a fresh snapshot (boundary + loss/accuracy curves +
  network diagram with its neuron maps, and the weights panel when on screen);
- epochs/s: the server's epoch counter as shown by the page.
- round trip: from sending a step to its answer reaching the page (network, worker, decoding);
  not measured in turbo, where the worker sends the next request itself.
Scenarios (issue 8's targets beside each):
- default configuration, 1 epoch per frame, 1440×1000: ≥ 55 redraws/s, page draw median ≤ 10 ms;
- default configuration, "max" (turbo), 1440×1000: ≥ 1,500 epochs/s while ≥ 30 redraws/s;
- 8 hidden layers × 64 neurons, 1 epoch per frame, 1440×1000: ≥ 20 redraws/s;
- every view on screen (Advanced: weights and gradient norms too), 1440×1700, at both speeds;
- the digits (64-32-10), 1 epoch per frame, 1440×1000 with the gallery of test digits and the
  weight pictures on screen (the run fails if either is not): ≥ 30 redraws/s (issue 21) on a
  machine where a 10-million-iteration Python `for` loop of additions takes ≤ 0.5 s — that loop
  is timed in the same run and printed beside the results (bench_core's `python_loop_seconds`).
The machine's load changes everything here: run it on a quiet machine for numbers to record.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def start_server():
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-m", "app", "--port", "0"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 20
    while time.time() < deadline:
        line = proc.stdout.readline()
        m = re.search(r"http://[\d.]+:(\d+)/", line)
        if m:
            return proc, f"http://127.0.0.1:{m.group(1)}"
    proc.kill()
    raise SystemExit("the server did not start")


SCENARIOS = [
    # label, URL hash, viewport, speed, target
    ("default (1440×1000)", "", {"width": 1440, "height": 1000}, "1", "≥ 55 redraws/s, draw ≤ 10 ms"),
    ("default (1440×1000)", "", {"width": 1440, "height": 1000}, "max", "≥ 1,500 epochs/s at ≥ 30 redraws/s"),
    ("8 × 64 (1440×1000)", "#hidden_layers=64,64,64,64,64,64,64,64", {"width": 1440, "height": 1000}, "1", "≥ 20 redraws/s"),
    ("every view (1440×1700)", "#view.level=advanced", {"width": 1440, "height": 1700}, "1", ""),
    ("every view (1440×1700)", "#view.level=advanced", {"width": 1440, "height": 1700}, "max", ""),
    ("digits: gallery + weight pictures (1440×1000)", "#dataset=digits", {"width": 1440, "height": 1000}, "1", "≥ 30 redraws/s"),
]
# Views a scenario must have on screen while it is measured (else it measures something else).
MUST_SHOW = {"#dataset=digits": ["gallery", "weightimages"]}


def measure(browser, base, fragment, speed, viewport, seconds, warmup=1.5):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/" + fragment)
    page.wait_for_function("() => window.playground && window.playground.ready", timeout=60_000)
    page.select_option("#speed", speed)
    page.click("#btn-play")
    page.wait_for_function("() => window.playground.epoch > 0")
    time.sleep(warmup)
    missing = [v for v in MUST_SHOW.get(fragment, []) if not page.evaluate(f"() => window.playground.state.visible.{v}")]
    if missing:
        raise SystemExit(f"{fragment}: not on screen while measured: {missing}")
    probe = "() => [performance.now(), window.playground.redraws, window.playground.epoch]"
    # (views drawn each frame, and what each cost in the last frame: state.perf.parts)
    t0, r0, e0 = page.evaluate(probe)
    draw_ms, trip_ms = [], []
    end = time.time() + seconds
    while time.time() < end:
        time.sleep(0.2)
        draw, trip = page.evaluate("() => [window.playground.state.perf.lastDrawMs, window.playground.state.perf.lastRoundTripMs]")
        draw_ms.append(draw)
        trip_ms.append(trip)
    t1, r1, e1 = page.evaluate(probe)
    timing = page.evaluate("() => window.playground.state.lastTiming")
    parts = page.evaluate("() => ({...window.playground.state.perf.parts})")
    page.click("#btn-play")
    context.close()
    if errors:
        raise SystemExit(f"page errors: {errors}")
    dt = (t1 - t0) / 1000
    return {"redraws": (r1 - r0) / dt, "epochs": (e1 - e0) / dt, "draw_ms": statistics.median(draw_ms),
            "trip_ms": statistics.median(trip_ms) if speed != "max" else float("nan"),   # turbo: the worker sends
            "server_ms": (timing or {}).get("total_ms"), "parts": parts}


def trip(r):
    """The median round trip, or a dash in turbo (the worker sends the next request itself)."""
    return "–" if r["trip_ms"] != r["trip_ms"] else f"{r['trip_ms']:.1f}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--write", help="write the markdown table to this file")
    ap.add_argument("--only", help="run only the scenarios whose label contains one of these "
                    "comma-separated texts (e.g. digits,default)")
    args = ap.parse_args(argv)
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise SystemExit("chromium is not installed")
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_core import python_loop_seconds

    loop = python_loop_seconds()
    print(f"this machine: a 10-million-iteration Python for loop of additions takes {loop:.2f} s "
          "(the digits target assumes ≤ 0.5 s)", flush=True)
    proc, base = start_server()
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, headless=True, args=ARGS)
            for label, fragment, viewport, speed, target in SCENARIOS:
                if args.only and not any(t in label for t in args.only.split(",")):
                    continue
                r = measure(browser, base, fragment, speed, viewport, args.seconds)
                rows.append((label, "1 epoch/frame" if speed == "1" else "max (turbo)", r, target))
                print(f"{label:24} {speed:>4}: {r['redraws']:6.1f} redraws/s {r['epochs']:7.1f} epochs/s "
                      f"(page draw {r['draw_ms']:.1f} ms, server {r['server_ms']} ms, round trip {trip(r)} ms)  target: {target or '–'}", flush=True)
                print("    last frame, ms per view:", {k: round(v, 1) for k, v in (r["parts"] or {}).items()}, flush=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    table = ["| configuration | speed | redraws/s | epochs/s | page draw (median ms) | server per request (ms) | round trip (median ms) | target |",
             "|---|---|---|---|---|---|---|---|"]
    for label, speed, r, target in rows:
        table.append(f"| {label} | {speed} | {r['redraws']:.1f} | {r['epochs']:.0f} | {r['draw_ms']:.1f} | {r['server_ms']} | {trip(r)} | {target} |")
    table.append(f"\nPython loop of 10 million additions in this run: {loop:.2f} s.")
    text = "\n".join(table)
    print(text)
    if args.write:
        Path(args.write).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
