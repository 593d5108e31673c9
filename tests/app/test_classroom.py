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
import socket
import subprocess
import sys
import threading
import time
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
def test_the_page_recovers_a_lost_session_through_the_proxy(browser):
    launcher = Launcher(2)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
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
    finally:
        context.close()
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


# --------------------------------------------------------------------------- issue 23
def call_from(url, source, method="GET", body=None, headers=None, as_json=True):
    """Like `call`, from the local address `source` (a learner of its own), with `headers`:
    (status, worker, JSON body (the raw bytes unless `as_json`), response headers)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60,
                                            source_address=(source, 0))
    data = None if body is None else json.dumps(body)
    sent = {"Content-Type": "application/json"} if data else {}
    connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), data,
                       {**sent, **(headers or {})})
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    if not as_json:
        return response.status, response.headers.get("X-Playground-Worker"), raw, response.headers
    assert response.headers.get_content_type() == "application/json", raw[:200]
    return (response.status, response.headers.get("X-Playground-Worker"), json.loads(raw),
            response.headers)


@pytest.fixture(scope="module")
def two_workers():
    if not NGINX:
        pytest.fail("nginx is not installed (apt-get install nginx)")
    launcher = Launcher(2)
    yield launcher
    launcher.stop()


def sessions_on_each_worker(base, source="127.0.0.1"):
    """{worker: session id} for both workers (creating is spread across them)."""
    found = {}
    for _ in range(10):
        status, worker, body, _ = call_from(f"{base}/api/sessions", source, "POST",
                                            {"n_points": 60, "snapshot": LIGHT})
        assert status == 201
        found.setdefault(worker, body["id"])
        if len(found) == 2:
            return found
    pytest.fail(f"sessions landed on {set(found)} only")


@needs_nginx
def test_compare_works_through_the_proxy(two_workers):
    """The landscape names its session in its path, so every request reaches the owner (the
    first path reached a random worker: with 2 workers 10 of 20 were a 404)."""
    base = two_workers.url
    owners = sessions_on_each_worker(base)
    for worker, sid in owners.items():
        forks = []
        for optimizer in ("adam", "momentum"):
            status, answered, body, _ = call_from(f"{base}/api/sessions/{sid}/fork", "127.0.0.1",
                                                  "POST", {"overrides": {"optimizer": optimizer},
                                                           "snapshot": LIGHT})
            assert status == 201 and answered == worker and body["id"].startswith(worker + ".")
            forks.append(body["id"])
        race = [sid, *forks]
        for i in range(10):
            status, answered, body, _ = call_from(
                f"{base}/api/sessions/{race[i % 3]}/landscape", "127.0.0.1", "POST",
                {"sessions": race, "resolution": 5})
            assert (status, answered) == (200, worker), body
            assert [t["id"] for t in body["trajectories"]] == race
        # The first path reaches any worker; one that does not hold the runs sends it on.
        status, answered, body, headers = call_from(f"{base}/api/landscape", "127.0.0.1", "POST",
                                                    {"sessions": race, "resolution": 5})
        if status == 307:
            assert headers["Location"] == f"/api/sessions/{sid}/landscape"
            status, answered, body, _ = call_from(base + headers["Location"], "127.0.0.1", "POST",
                                                  {"sessions": race, "resolution": 5})
        assert (status, answered) == (200, worker)
    (w1, s1), (w2, s2) = sorted(owners.items())
    status, answered, body, _ = call_from(f"{base}/api/sessions/{s1}/landscape", "127.0.0.1",
                                          "POST", {"sessions": [s1, s2]})
    assert status == 422 and answered == w1 and body["error"]["field"] == "sessions"
    assert f"'{w2}'" in body["error"]["message"]
    # Any path under a session's prefix goes to its owner: the report of a Compare, say.
    status, answered, page, _ = call_from(f"{base}/api/sessions/{s2}/landscape/report",
                                          "127.0.0.1", "POST", {"sessions": [s2], "resolution": 5},
                                          as_json=False)
    assert (status, answered) == (200, w2) and page.startswith(b"<!DOCTYPE html>")


@needs_nginx
@pytest.mark.parametrize("data, status", [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n", 414),
    (b"GET / HTTP/3.0\r\nHost: localhost\r\n\r\n", 505),
    (b"TRACE / HTTP/1.1\r\nHost: localhost\r\n\r\n", 405),
    (b"POST /api/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999\r\n\r\n", 413),
    (b"POST /api/sessions/w1.x/step HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999"
     b"\r\n\r\n", 413),
    (b"POST /api/sessions HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: foo\r\n\r\n", 501),
    (b"GET /api/sessions/zz.abc HTTP/1.1\r\nHost: localhost\r\n\r\n", 404),
    (b"GET /api/sessions/ HTTP/1.1\r\nHost: localhost\r\n\r\n", 404),
    (b"GET /.error HTTP/1.1\r\nHost: localhost\r\n\r\n", 404),
])
def test_nginx_s_own_answers_are_json_with_the_workers_headers(two_workers, data, status):
    from app.http.headers import CSP

    host, port = two_workers.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(data)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
            if b"\r\n\r\n" in out and out.endswith(b"}\n"):
                break
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
    assert int(lines[0].split()[1]) == status, out[:300]
    assert "x-playground-worker" not in headers          # nginx answered, not a worker
    assert headers["content-type"] == "application/json"
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store" and headers["content-security-policy"] == CSP
    error = json.loads(body)["error"]
    assert set(error) == {"message", "field", "allowed"} and error["message"]


@needs_nginx
def test_quotas_count_each_learner_s_own_address_through_the_proxy(two_workers):
    """Every connection to a worker comes from nginx; the quota still counts the learner, by the
    address nginx passes on (a client's own X-Real-IP is overwritten). Real defaults: 16
    sessions per address per worker."""
    base = two_workers.url
    flooder, made = "127.0.0.2", {}
    for _ in range(60):
        status, worker, body, _ = call_from(f"{base}/api/sessions", flooder, "POST",
                                            {"n_points": 20, "snapshot": LIGHT},
                                            {"X-Real-IP": "10.9.9.9"})
        if status == 429:
            assert body["error"]["field"] == "client_sessions"
            made.setdefault(worker, 0)
            if len([w for w in made if made[w] == 16]) == 2:
                break
            continue
        assert status == 201
        made[worker] = made.get(worker, 0) + 1
    assert made == {"w1": 16, "w2": 16}
    for i in range(6):    # learners at other addresses are not refused
        status, _, _, _ = call_from(f"{base}/api/sessions", f"127.0.2.{i}", "POST",
                                    {"n_points": 20, "snapshot": LIGHT})
        assert status == 201


def nginx_processes(prefix):
    """The pids of the running nginx's master and its workers (Linux /proc)."""
    master = int((prefix / "nginx.pid").read_text())
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return master, [int(pid) for pid in children]


@needs_nginx
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_nginx_that_dies_is_restarted_and_the_sessions_carry_on():
    """kill -9 of nginx's master used to stop every worker (every session lost) while an
    orphaned nginx worker kept the port, answering 503."""
    launcher = Launcher(2)
    try:
        prefix = Path(re.search(r"logs in (\S+)\)", "\n".join(launcher.seen))[1])
        sessions = sessions_on_each_worker(launcher.url)
        for sid in sessions.values():
            assert call(f"{launcher.url}/api/sessions/{sid}/step", "POST",
                        {"epochs": 3, "snapshot": LIGHT})[0] == 200
        master, workers = nginx_processes(prefix)
        assert workers
        os.kill(master, signal.SIGKILL)
        launcher.wait_for(r"nginx stopped .* restarting it")
        launcher.wait_for(r"nginx restarted")
        assert all(gone(pid, 10) for pid in workers)          # no orphan holds the port
        for worker, sid in sessions.items():                   # nothing was lost
            status, answered, body = call(f"{launcher.url}/api/sessions/{sid}/step", "POST",
                                          {"epochs": 1, "snapshot": LIGHT})
            assert (status, answered, body["snapshot"]["epoch"]) == (200, worker, 4)
        master, workers = nginx_processes(prefix)
        launcher.stop()
        assert launcher.process.returncode == 0
        assert all(gone(pid, 10) for pid in [master, *workers])   # the whole group ended
    finally:
        launcher.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_stopping_nginx_ends_its_whole_process_group():
    """A master that goes leaves its workers behind (as nginx's do when it is killed): stop()
    ends every process of the group, not only the master."""
    master = subprocess.Popen(["sh", "-c", "sleep 300 & sleep 300 & wait"], start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while len(children := Path(f"/proc/{master.pid}/task/{master.pid}/children")
                  .read_text().split()) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        orphans = [int(pid) for pid in children]
        assert len(orphans) == 2
        nginx = object.__new__(proxy.Nginx)      # only its process matters here
        nginx.process = master
        nginx.stop()
        assert master.poll() is not None
        assert all(gone(pid, 10) for pid in orphans)
    finally:
        if master.poll() is None:
            os.killpg(master.pid, signal.SIGKILL)
            master.wait()
