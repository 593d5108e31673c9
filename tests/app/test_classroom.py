"""Several workers behind nginx (`python -m app --workers N`): every session's requests reach
the worker that owns it, a worker that dies loses only its sessions (404 JSON, then a restart),
and the page recovers through the proxy. Loopback only, bounded in count and time."""

import json
import os
import queue
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app.serve import classroom, proxy
from app.serve.proxy import ProxyError, Worker, render

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
needs_nginx = pytest.mark.skipif(
    not NGINX and not os.environ.get("CI"),
    reason="nginx is not installed (apt-get install nginx; .ci/run installs it)")


# --------------------------------------------------------------------------- configuration
def test_the_configuration_routes_each_worker_s_prefix_to_it(tmp_path):
    workers = [Worker("w1", "127.0.0.1", 9001), Worker("w2", "127.0.0.1", 9002),
               Worker("lab3", "10.0.0.7", 8101)]
    text = render(workers, "0.0.0.0:8000", tmp_path, 2 * 1024 * 1024)
    assert "{{" not in text
    for w in workers:
        assert f"~^/api/sessions/{w.name}\\.  {w.name};" in text
        assert f"upstream {w.name} {{ server {w.address} max_fails=0;" in text
        assert f"server {w.address} max_fails=1" in text  # spread across all of them
    assert "listen 0.0.0.0:8000;" in text and f"pid {tmp_path}/nginx.pid;" in text
    assert "proxy_set_header Host $http_host;" in text


@needs_nginx
def test_nginx_accepts_the_configuration(tmp_path):
    workers = [Worker("w1", "127.0.0.1", 9001), Worker("w2", "127.0.0.1", 9002)]
    port = classroom.free_ports(1)[0]
    nginx = proxy.Nginx(render(workers, f"127.0.0.1:{port}", tmp_path, 1024), tmp_path)
    nginx.check()


@needs_nginx
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_reload_returns_once_fresh_nginx_workers_have_taken_over(tmp_path):
    """The launcher announces a restarted worker after the reload: by then no old nginx worker
    (one that may still count the worker as failed) accepts connections."""
    port = classroom.free_ports(1)[0]
    nginx = proxy.Nginx(render([Worker("w1", "127.0.0.1", 9001)], f"127.0.0.1:{port}",
                               tmp_path, 1024), tmp_path)
    nginx.start("127.0.0.1", port)
    try:
        before = nginx.worker_pids()
        assert len(before) == 1
        nginx.reload()
        after = nginx.worker_pids()
        assert len(after) == 1 and not before & after
    finally:
        nginx.stop()


@pytest.mark.parametrize("text", ["w1", "a=1", "W1=host:1", "w1=host", "1w=host:2",
                                  "w1=:80", "toolongworkername1=h:1"])
def test_bad_worker_descriptions_are_refused(text):
    with pytest.raises(ProxyError):
        proxy.parse_worker(text)


def test_without_nginx_it_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setattr(proxy.shutil, "which", lambda *a, **k: None)
    assert classroom.run_classroom(2, "127.0.0.1", 0, [], 1024) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "apt-get install nginx" in err[0]


# --------------------------------------------------------------------------- the real thing
class Launcher:
    """`python -m app --workers N --port 0` in the background, its output read line by line."""

    def __init__(self, workers, *args):
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "OPENBLAS_NUM_THREADS": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "--workers", str(workers), "--port", "0",
             "--max-step-ms", "60000", *args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        self.lines = queue.Queue()
        self.seen = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.workers, self.url = {}, None
        while self.url is None:
            line = self.next_line(120)
            if match := re.match(r"worker (\w+): http://([\d.]+):(\d+)/ \(pid (\d+)\)", line):
                self.workers[match[1]] = int(match[4])
            elif match := re.search(r"running at (http://[\d.]+:\d+)/", line):
                self.url = match[1]

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self, timeout=60):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"the launcher said nothing more; so far: {self.seen}")
        self.seen.append(line)
        return line

    def wait_for(self, pattern, timeout=60):
        while True:
            line = self.next_line(timeout)
            if re.search(pattern, line):
                return line

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.reader.join(10)
        self.process.stdout.close()


def call(url, method="GET", body=None):
    """(status, worker that answered, JSON body)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            return response.status, response.headers.get("X-Playground-Worker"), (
                json.loads(raw) if raw else None)
    except urllib.error.HTTPError as exc:
        with exc:
            raw = exc.read()
            assert exc.headers.get_content_type() == "application/json", raw[:200]
            return exc.code, exc.headers.get("X-Playground-Worker"), json.loads(raw)


@pytest.fixture
def three_workers():
    if not NGINX:
        pytest.fail("nginx is not installed (apt-get install nginx)")
    launcher = Launcher(3)
    yield launcher
    launcher.stop()


LIGHT = {"grid": False, "weights": False, "confusion": False, "history": False}


@needs_nginx
def test_every_request_reaches_the_worker_that_owns_its_session(three_workers):
    base = three_workers.url
    assert set(three_workers.workers) == {"w1", "w2", "w3"}
    sessions = []
    for i in range(12):
        status, worker, body = call(f"{base}/api/sessions", "POST",
                                    {"seed": i, "n_points": 40, "snapshot": LIGHT})
        assert status == 201 and body["id"].startswith(f"{worker}.")
        sessions.append(body["id"])
    owners = {sid.split(".")[0] for sid in sessions}
    assert owners == {"w1", "w2", "w3"}  # creating is spread across the workers

    rng = random.Random(7)
    misrouted, answered = [], 0
    for _ in range(1000):
        sid = rng.choice(sessions)
        kind = rng.randrange(6)
        if kind == 0:
            status, worker, _ = call(f"{base}/api/sessions/{sid}/step", "POST",
                                     {"epochs": 1, "snapshot": LIGHT})
        elif kind == 1:
            status, worker, _ = call(f"{base}/api/sessions/{sid}?grid=0&weights=0")
        elif kind == 2:
            status, worker, _ = call(f"{base}/api/sessions/{sid}", "PATCH",
                                     {"learning_rate": rng.choice([0.01, 0.03]),
                                      "snapshot": LIGHT})
        elif kind == 3:
            status, worker, _ = call(f"{base}/api/sessions/{sid}/data")
        elif kind == 4:
            status, worker, _ = call(f"{base}/api/sessions/{sid}/model")
        else:
            status, worker, _ = call(f"{base}/api/options")
            answered += status == 200
            continue
        answered += status == 200
        if worker != sid.split(".")[0]:
            misrouted.append((sid, worker, status))
    assert misrouted == [] and answered == 1000


@needs_nginx
def test_a_dead_worker_loses_only_its_sessions_and_is_restarted(three_workers):
    base = three_workers.url
    sessions = {}
    for i in range(6):
        _, worker, body = call(f"{base}/api/sessions", "POST", {"n_points": 40, "snapshot": LIGHT})
        sessions.setdefault(worker, []).append(body["id"])
    os.kill(three_workers.workers["w2"], signal.SIGKILL)
    for sid in sessions["w2"]:  # lost: the usual 404 JSON, at once
        status, _, body = call(f"{base}/api/sessions/{sid}/step", "POST", {"epochs": 1})
        assert status == 404 and body["error"]["field"] == "id"
    for worker in ("w1", "w3"):  # untouched
        for sid in sessions[worker]:
            status, answered_by, body = call(f"{base}/api/sessions/{sid}/step", "POST",
                                             {"epochs": 2, "snapshot": LIGHT})
            assert status == 200 and answered_by == worker and body["snapshot"]["epoch"] == 2
    # while w2 is down or restarting, new sessions still open on the others
    for _ in range(4):
        status, worker, _ = call(f"{base}/api/sessions", "POST", {"snapshot": LIGHT})
        assert status == 201 and worker in ("w1", "w2", "w3")
    three_workers.wait_for(r"worker w2 restarted")
    for sid in sessions["w2"]:  # the restarted worker never knew them
        status, worker, body = call(f"{base}/api/sessions/{sid}?grid=0")
        assert status == 404 and body["error"]["field"] == "id"
    landed = set()
    for _ in range(9):  # and it takes new sessions again
        status, worker, body = call(f"{base}/api/sessions", "POST", {"snapshot": LIGHT})
        assert status == 201
        landed.add(worker)
    assert "w2" in landed


@needs_nginx
def test_the_launcher_stops_everything_cleanly(three_workers):
    prefix = re.search(r"logs in (\S+)\)", "\n".join(three_workers.seen))[1]
    assert Path(prefix).is_dir()
    pids = list(three_workers.workers.values())
    three_workers.stop()
    assert three_workers.process.returncode == 0
    assert "Stopped." in "\n".join(list(three_workers.lines.queue) + three_workers.seen)
    assert not Path(prefix).exists()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def gone(pid, timeout=60.0):
    """Whether process `pid` has ended within `timeout` seconds (a pidfd is readable then)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], timeout)[0])
    finally:
        os.close(fd)


@needs_nginx
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_and_nginx_end_when_the_launcher_is_killed_outright():
    launcher, prefix, pids = Launcher(2), None, []
    try:
        prefix = Path(re.search(r"logs in (\S+)\)", "\n".join(launcher.seen))[1])
        nginx_pid = int((prefix / "nginx.pid").read_text())
        pids = [*launcher.workers.values(), nginx_pid]
        assert not any(gone(pid, 0) for pid in pids)
        launcher.process.send_signal(signal.SIGKILL)    # no handler runs: only the kernel can tell them
        launcher.process.wait(60)
        assert all(gone(pid) for pid in pids), [pid for pid in pids if not gone(pid, 0)]
        # Its temporary directory stayed behind; the next launcher removes it (in a parallel
        # test run, another launcher may already have).
        existed = prefix.exists()
        removed = classroom.remove_stale_prefixes(prefix.parent)
        assert not prefix.exists()
        assert (prefix in removed) == existed
    finally:
        launcher.stop()
        for pid in pids:   # whatever outlived it (only when this test fails)
            if not gone(pid, 0):
                os.kill(pid, signal.SIGKILL)
        if prefix:   # the launcher had no chance to remove its temporary directory
            shutil.rmtree(prefix, ignore_errors=True)


def test_only_directories_of_launchers_that_are_gone_are_removed(tmp_path):
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()  # a pid that was a launcher's and is no longer anyone's (reaped)
    dirs = {name: tmp_path / f"{classroom.PREFIX_NAME}{name}"
            for name in ("dead", "alive", "starting", "garbled")}
    for path in dirs.values():
        path.mkdir()
        (path / "nginx.log").write_text("...")
    (dirs["dead"] / classroom.LAUNCHER_PID).write_text(str(ended.pid))
    (dirs["alive"] / classroom.LAUNCHER_PID).write_text(str(os.getpid()))
    (dirs["garbled"] / classroom.LAUNCHER_PID).write_text("not a pid")
    other = tmp_path / "somebody-else"
    other.mkdir()
    assert classroom.remove_stale_prefixes(tmp_path) == [dirs["dead"]]
    assert not dirs["dead"].exists()
    assert all(dirs[name].exists() for name in ("alive", "starting", "garbled"))
    assert other.exists()


# --------------------------------------------------------------------------- the page
@pytest.mark.browser
@needs_nginx
def test_the_page_recovers_a_lost_session_through_the_proxy():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    launcher = Launcher(2)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(launcher.url + "/")
            page.wait_for_function("() => window.playground && window.playground.ready",
                                   timeout=60_000)
            lost = page.evaluate("() => window.playground.sessionId")
            owner = lost.split(".")[0]
            assert owner in launcher.workers
            os.kill(launcher.workers[owner], signal.SIGKILL)
            page.click("#btn-play")  # the next step meets the lost session: 404, re-created
            page.wait_for_function("old => window.playground.sessionId !== old", arg=lost,
                                   timeout=60_000)
            recovered = page.evaluate("() => window.playground.sessionId")
            status, _, body = call(f"{launcher.url}/api/sessions/{recovered}?grid=0")
            assert status == 200 and body["config"]["dataset"] == "circle"
            if not page.evaluate("() => window.playground.running"):
                page.click("#btn-play")
            page.wait_for_function("() => window.playground.state.epoch >= 3", timeout=60_000)
            assert errors == []
            browser.close()
    finally:
        launcher.stop()


def test_python_m_app_proxy_prints_the_configuration_for_workers_on_other_machines(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "app.serve.proxy", "--print", "--prefix", str(tmp_path),
         "--listen", "0.0.0.0:8080", "--worker", "a1=10.0.0.5:8101",
         "--worker", "b1=10.0.0.6:8101"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "~^/api/sessions/a1\\.  a1;" in result.stdout
    assert "upstream b1 { server 10.0.0.6:8101 max_fails=0;" in result.stdout
    assert "listen 0.0.0.0:8080;" in result.stdout
    bad = subprocess.run([sys.executable, "-m", "app.serve.proxy", "--print", "--prefix", str(tmp_path),
                          "--worker", "A1=10.0.0.5"], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr
