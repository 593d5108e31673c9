"""`python -m app --workers N`: N worker processes and nginx in front of them, for a class.

One Python process computes on one core (the GIL). A class on a machine with more cores runs
several single-process workers instead, each on its own loopback port, and nginx on the public
address. A session's network lives in its worker's memory, so nginx routes each session's
requests to the worker that owns it, by the worker name every session id starts with ("w2.…"),
and spreads everything else (creating a session, options, the page) across the workers
(`deploy/nginx.conf.template`, `serve/proxy.py`).

The launcher here starts the workers (`python -m app --worker-name wK --host 127.0.0.1 --port P`
plus every limit it was given: limits apply per worker), waits until each answers, starts
nginx from its own temporary prefix (no root needed), prints the URL, and supervises: a worker
that dies is started again on the same port under the same name (its sessions are lost; their
requests get the usual 404 JSON, and the page re-creates them). nginx that dies is started
again the same way, after ending what is left of its process group (its worker processes
outlive a master killed outright, holding the port): the workers and their sessions are
untouched, so learners carry on once it listens again. Ctrl+C (or SIGTERM) stops nginx first
(its whole process group), then the workers, and removes the temporary directory (one left by
a launcher that was killed outright is removed by the next launcher). Each child runs in its
own process group, so the terminal's Ctrl+C reaches the launcher only and nothing restarts
while stopping; and each ends when the launcher dies, even if it is killed outright
(`children.py`).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .. import ROOT
from .children import die_with
from .proxy import Nginx, ProxyError, Worker, connect_host, find_nginx, render

START_TIMEOUT = 60.0       # seconds for a worker to answer after starting
RESTART_BACKOFF = (0.5, 30.0)  # first and longest wait before restarting a crashing worker


PREFIX_NAME = "playground-classroom-"
PROXY_ADDRESS = "127.0.0.1"  # where the workers see nginx's connections come from
LAUNCHER_PID = "launcher.pid"  # in the prefix: whose directory it is


def remove_stale_prefixes(tmp=None):
    """Remove the temporary directories of launchers that are gone (killed outright: SIGKILL
    or the out-of-memory killer leave no chance to clean up; their workers and nginx died with
    them). A directory is kept unless its launcher.pid names a process that no longer exists.
    Returns the directories removed."""
    removed = []
    for path in Path(tmp or tempfile.gettempdir()).glob(PREFIX_NAME + "*"):
        try:
            if path.stat().st_uid != os.getuid():
                continue
            pid = int((path / LAUNCHER_PID).read_text())
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        except (OSError, ValueError):
            continue  # not ours, being created, or its launcher is alive
    return removed


def free_ports(count, host="127.0.0.1"):
    """`count` loopback ports nobody listens on now (the OS picks; each is re-checked at bind)."""
    sockets, ports = [], []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind((host, 0))
            sockets.append(sock)
            ports.append(sock.getsockname()[1])
    finally:
        for sock in sockets:
            sock.close()
    return ports


def port_free(host, port):
    """Whether `host:port` can be listened on now (nginx would otherwise fail to start)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host.strip("[]") or "0.0.0.0", port))
            return True
        except OSError:
            return False


def answers(host, port, timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class WorkerProcess:
    """One `python -m app` worker, restartable on its port under its name."""

    def __init__(self, worker, args, logs):
        self.worker = worker
        self.args = list(args)
        self.log_path = Path(logs) / f"{worker.name}.log"
        self.process = None
        self.started = 0.0
        self.restarts = 0
        self.backoff = RESTART_BACKOFF[0]
        self.next_start = 0.0

    def start(self):
        # nginx, on loopback, is the worker's only client: believe the address it passes on.
        command = [sys.executable, "-m", "app", "--host", self.worker.host,
                   "--port", str(self.worker.port), "--worker-name", self.worker.name,
                   *self.args, "--trusted-proxies", PROXY_ADDRESS]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True,
                                            preexec_fn=die_with())
        self.started = time.monotonic()

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def wait_until_answering(self, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise ProxyError(f"worker {self.worker.name} stopped while starting: "
                                 f"{self.last_lines()}")
            if answers(self.worker.host, self.worker.port):
                return
            time.sleep(0.05)
        raise ProxyError(f"worker {self.worker.name} did not answer within {timeout:g} s")

    def last_lines(self, n=3):
        try:
            lines = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no output)"
        return " | ".join(lines[-n:]) or "(no output)"

    def stop(self):
        """Ask it to stop (`python -m app` stops cleanly on SIGTERM as on Ctrl+C)."""
        if self.alive():
            self.process.terminate()

    def wait_stopped(self, timeout=10):
        if self.process is None:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Classroom:
    def __init__(self, count, host, port, worker_args, max_body, out=sys.stdout):
        self.count, self.host, self.port = count, host, port
        self.worker_args, self.max_body, self.out = worker_args, max_body, out
        self.prefix = None
        self.workers = []
        self.nginx = None
        self.listen_port = None
        self.nginx_backoff = RESTART_BACKOFF[0]
        self.nginx_next_start = 0.0
        self.stopping = False

    def say(self, text):
        print(text, file=self.out, flush=True)

    def start(self):
        find_nginx()  # before anything starts: one line saying how to install it
        port = self.port or free_ports(1, connect_host(self.host))[0]
        if not port_free(self.host, port):
            raise ProxyError(f"port {port} is already in use (another playground?): try "
                             f"--port {port + 1}")
        remove_stale_prefixes()
        self.prefix = Path(tempfile.mkdtemp(prefix=PREFIX_NAME)).resolve()
        (self.prefix / LAUNCHER_PID).write_text(str(os.getpid()))
        listen = f"[{self.host}]:{port}" if ":" in self.host else f"{self.host}:{port}"
        workers = [Worker(f"w{i + 1}", "127.0.0.1", p)
                   for i, p in enumerate(free_ports(self.count))]
        self.workers = [WorkerProcess(w, self.worker_args, self.prefix) for w in workers]
        config = render(workers, listen, self.prefix, self.max_body)
        self.nginx = Nginx(config, self.prefix)
        self.nginx.check()  # a valid configuration (the port is tried when nginx starts)
        for worker in self.workers:
            worker.start()
        for worker in self.workers:
            worker.wait_until_answering()
            self.say(f"worker {worker.worker.name}: http://{worker.worker.address}/ "
                     f"(pid {worker.process.pid})")
        self.nginx.start(self.host, port)
        self.listen_port = port
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.say(f"Neural Network Playground running at http://{shown}:{port}/ "
                 f"({self.count} workers behind nginx; logs in {self.prefix})")
        return port

    def supervise_once(self):
        """Restart nginx or any worker that died (with a growing pause if it keeps dying at
        once)."""
        now = time.monotonic()
        self._supervise_nginx(now)
        for worker in self.workers:
            if worker.alive() or self.stopping:
                continue
            if worker.next_start == 0.0:  # just noticed
                code = worker.process.returncode
                quick = now - worker.started < 10.0
                worker.backoff = min(worker.backoff * 2, RESTART_BACKOFF[1]) if quick \
                    else RESTART_BACKOFF[0]
                worker.next_start = now + worker.backoff
                self.say(f"worker {worker.worker.name} stopped (exit code {code}); its sessions "
                         f"are lost; restarting in {worker.backoff:g} s")
            elif now >= worker.next_start:
                worker.next_start = 0.0
                worker.restarts += 1
                worker.start()
                try:
                    worker.wait_until_answering()
                except ProxyError as exc:
                    self.say(f"{exc}; trying again")
                    continue
                # nginx may still count the worker as failed for a few seconds: a reload starts
                # its workers afresh, so new sessions reach the restarted one at once.
                self.nginx.reload()
                self.say(f"worker {worker.worker.name} restarted (pid {worker.process.pid})")

    def _supervise_nginx(self, now):
        nginx = self.nginx
        if nginx.alive() or self.stopping:
            return
        if self.nginx_next_start == 0.0:  # just noticed
            code = nginx.process.returncode
            nginx.end_group()   # its orphaned workers would keep the port
            quick = now - nginx.started < 10.0
            self.nginx_backoff = min(self.nginx_backoff * 2, RESTART_BACKOFF[1]) if quick \
                else RESTART_BACKOFF[0]
            self.nginx_next_start = now + self.nginx_backoff
            self.say(f"nginx stopped (exit code {code}); restarting it in "
                     f"{self.nginx_backoff:g} s (the workers and their sessions are untouched; "
                     f"see {nginx.log_path})")
        elif now >= self.nginx_next_start:
            self.nginx_next_start = 0.0
            try:
                nginx.start(self.host, self.listen_port)
            except ProxyError as exc:
                nginx.end_group()
                self.say(f"nginx did not start again ({exc}); trying again")
                return
            self.say(f"nginx restarted (pid {nginx.process.pid})")

    def run(self, poll=0.25):
        while True:
            self.supervise_once()
            time.sleep(poll)

    def stop(self):
        self.stopping = True
        if self.nginx is not None:
            self.nginx.stop()
        for worker in self.workers:  # all at once, then wait for each
            worker.stop()
        for worker in self.workers:
            worker.wait_stopped()
        if self.prefix is not None:
            shutil.rmtree(self.prefix, ignore_errors=True)


def run_classroom(count, host, port, worker_args, max_body):
    """The `--workers N` entry point: exit status 0 after Ctrl+C, 1 if something failed."""
    classroom = Classroom(count, host, port, worker_args, max_body)

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    status = 0
    try:
        classroom.start()
        classroom.say("Press Ctrl+C to stop.")
        classroom.run()
    except KeyboardInterrupt:
        pass
    except ProxyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        status = 1
    finally:
        classroom.stop()
    classroom.say("Stopped.")
    return status
