"""Shared pieces of the server benchmarks: start `python -m app`, talk to it like the page does,
and drive many learners at once from several client processes.

Clients run in their own processes (a few threads each) so the load generator's own GIL never
becomes the bottleneck being measured; every request keeps its connection alive, as a browser
does, and asks only for the history rows it does not have yet, as the page does.
"""

import json
import multiprocessing
import os
import platform
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SINGLE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
ALL_FEATURES = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2", "cos_x1", "cos_x2"]
# The largest session the default limits allow: 8 × 64 neurons, every feature, 5,000 points,
# six classes, Adam (the most optimizer state).
LARGEST = {"dataset": "spiral_k", "n_classes": 6, "n_points": 5000, "features": ALL_FEATURES,
           "hidden_layers": [64] * 8, "optimizer": "adam", "batch_size": 512}


class Client:
    """One keep-alive HTTP/1.1 connection speaking JSON, written lean on purpose.

    A real class's browsers run on other machines; here the load generator shares the server's
    cores, so its own cost per request is part of what a benchmark measures. `http.client`
    parses every answer's headers through the `email` package; this client writes the request
    bytes itself and reads the answer by its Content-Length (or chunks), as `wrk` does, which
    takes a quarter less CPU per request (1.0 → 0.75 ms for a default step's answer here). It
    still decodes every JSON body, as the page does.
    """

    def __init__(self, host, port, timeout=60, source=None):
        self.address, self.timeout = (host, port), timeout
        self.source = None if source is None else (source, 0)
        self.host = f"{host}:{port}".encode()
        self.sock, self.buffer = None, b""

    def call(self, method, path, body=None, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self.host,
                b"Content-Length: " + str(len(data)).encode()]
        if data:
            head.append(b"Content-Type: application/json")
        head += [f"{k}: {v}".encode() for k, v in (headers or {}).items()]
        request = b"\r\n".join(head) + b"\r\n\r\n" + data
        if self.sock is None:
            self._connect()
        try:
            self.sock.sendall(request)
            status, fields = self._read_head()
        except (ConnectionError, EOFError):
            # The server closed an idle keep-alive connection between two requests: one retry
            # on a new connection, as a browser does.
            self._connect()
            self.sock.sendall(request)
            status, fields = self._read_head()
        if fields.get(b"transfer-encoding", b"").lower() == b"chunked":
            raw = self._read_chunks()
        else:
            raw = self._read_exactly(int(fields.get(b"content-length", b"0")))
        if fields.get(b"connection", b"").lower() == b"close":
            self.close()
        return status, raw, json.loads(raw) if raw else None

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    def _connect(self):
        self.close()
        self.sock = socket.create_connection(self.address, timeout=self.timeout,
                                             source_address=self.source)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _fill(self):
        chunk = self.sock.recv(262144)
        if not chunk:
            raise EOFError("the server closed the connection")
        self.buffer += chunk

    def _read_line_block(self, marker):
        while (end := self.buffer.find(marker)) < 0:
            self._fill()
        block, self.buffer = self.buffer[:end], self.buffer[end + len(marker):]
        return block

    def _read_exactly(self, n):
        while len(self.buffer) < n:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _read_head(self):
        lines = self._read_line_block(b"\r\n\r\n").split(b"\r\n")
        status = int(lines[0].split(None, 2)[1])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            fields[name.strip().lower()] = value.strip()
        return status, fields

    def _read_chunks(self):
        parts = []
        while size := int(self._read_line_block(b"\r\n").split(b";")[0], 16):
            parts.append(self._read_exactly(size))
            self._read_exactly(2)
        self._read_line_block(b"\r\n")  # the empty trailer
        return b"".join(parts)


def start_server(*args, env=None, cwd=ROOT):
    """`python -m app --port 0 <args>` in its own process → (process, host, port)."""
    env = {**os.environ, **SINGLE_THREAD, "PYTHONUNBUFFERED": "1", **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "app", "--port", "0", *map(str, args)],
                            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    line = proc.stdout.readline()
    match = re.search(r"http://([\d.]+):(\d+)/", line)
    if not match:
        proc.kill()
        raise SystemExit(f"server did not start: {line!r}")
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep its pipe drained
    return proc, match.group(1), int(match.group(2))


def start_classroom(workers, *args, env=None):
    """`python -m app --workers N --port 0 <args>` → (launcher, proxy host, proxy port,
    {worker name: (host, port)})."""
    env = {**os.environ, **SINGLE_THREAD, "PYTHONUNBUFFERED": "1", **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "app", "--workers", str(workers), "--port", "0",
                             *map(str, args)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    found = {}
    for line in proc.stdout:
        if match := re.match(r"worker (\w+): http://([\d.]+):(\d+)/", line):
            found[match.group(1)] = (match.group(2), int(match.group(3)))
        elif match := re.search(r"running at http://([\d.]+):(\d+)/", line):
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            return proc, match.group(1), int(match.group(2)), found
    proc.wait()
    raise SystemExit(f"the classroom did not start (is nginx installed?); exit {proc.returncode}")


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_seconds(pid):
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid="self"):
    """Resident memory of a process (Linux /proc/<pid>/statm)."""
    pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def learner_address(host, index):
    """The address learner `index` connects from: its own loopback address (127.0.1.1, …) when
    the server is on loopback, as each learner of a class has its own machine (the server's
    quotas count per address); None (the default) otherwise."""
    if not host.startswith("127."):
        return None
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


def new_session(client, config=None):
    status, _, body = client.call("POST", "/api/sessions", {**(config or {}),
                                                           "snapshot": {"grid": False}})
    assert status == 201, body
    return body["id"]


def learner(host, port, index, config, step, seconds, start_at, out):
    """One learner: its own session, stepping like the page until `seconds` after `start_at`.

    `step` is the body of every step request; its snapshot asks for history since the last
    epoch seen unless `step` sets `history_since` itself. Appends (index, latencies in ms, epochs trained, errors) to `out`.
    """
    client = Client(host, port, source=learner_address(host, index))
    latencies, epochs, errors = [], 0, 0
    try:
        sid = new_session(client, config)
        path = f"/api/sessions/{sid}/step"
        since = 0
        time.sleep(max(0.0, start_at - time.time()))
        end = start_at + seconds
        while time.time() < end:
            body = {**step, "snapshot": {"history_since": since, **step.get("snapshot", {})}}
            t0 = time.perf_counter()
            status, _, answer = client.call("POST", path, body)
            latencies.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                errors += 1
                continue
            epochs += answer["snapshot"]["done"]["epochs"]
            since = answer["snapshot"]["epoch"] + 1
    except Exception as exc:  # noqa: BLE001 - a benchmark counts failures, it does not stop
        errors += 1
        print(f"learner: {exc!r}", file=sys.stderr)
    finally:
        client.close()
    out.append((index, latencies, epochs, errors))


def _process(host, port, jobs, seconds, start_at, queue):
    out = []
    threads = [threading.Thread(target=learner, args=(host, port, index, config, step, seconds,
                                                        start_at, out))
               for index, config, step in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(out)


def run_learners(host, port, groups, seconds, processes=4, warmup=1.5):
    """Run learners together for `seconds`; `groups` maps a name to (count, config, step).

    Returns {name: {"latencies": [...], "epochs": n, "errors": n, "requests": n}}; every
    learner starts at the same moment, after `warmup` seconds to create the sessions.
    """
    jobs = [(name, dict(config, seed=i + 1), step)
            for name, (count, config, step) in groups.items() for i in range(count)]
    processes = max(1, min(processes, len(jobs)))
    start_at = time.time() + warmup
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    indexed = [(i, config, step) for i, (_, config, step) in enumerate(jobs)]
    procs = [ctx.Process(target=_process, args=(host, port, indexed[k::processes], seconds,
                                                start_at, queue)) for k in range(processes)]
    for p in procs:
        p.start()
    results = [r for _ in procs for r in queue.get()]
    for p in procs:
        p.join()
    summary = {}
    for index, latencies, epochs, errors in results:
        entry = summary.setdefault(jobs[index][0], {"latencies": [], "epochs": 0, "errors": 0})
        entry["latencies"] += latencies
        entry["epochs"] += epochs
        entry["errors"] += errors
    for entry in summary.values():
        entry["requests"] = len(entry["latencies"])
    return summary


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def conditions():
    """The machine and how busy it was, for the report."""
    load = os.getloadavg()
    return (f"{cpu_name()}, {os.cpu_count()} cores; Python {platform.python_version()}; "
            f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1 / 5 / 15 min) "
            "when the run started")
