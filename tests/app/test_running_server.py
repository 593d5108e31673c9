"""The real waitress server and `python -m app`: connections that never finish a request, a
port already in use, and the limits given as flags and environment variables."""

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from app.__main__ import app_config, parse_args, server_settings
from app.capacity.limits import GB, MB
from app.serve.server import SETTINGS, BackgroundServer

ROOT = Path(__file__).resolve().parents[2]


def still_open(sock):
    """True if the server has not closed this connection (nothing to read, no EOF)."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


def test_half_open_connections_do_not_lock_learners_out(make_app):
    """120 connections from four addresses that send half a request and wait (waitress used to
    stop accepting at 100) while a learner's request is answered; the half-open ones are still
    open when it is, so it did not wait for the server to time them out."""
    with BackgroundServer(make_app(), threads=4) as url:
        host, port = url.removeprefix("http://").split(":")
        stalled = []
        try:
            for i in range(120):
                sock = socket.create_connection((host, int(port)), timeout=30,
                                                source_address=(f"127.0.0.{2 + i % 4}", 0))
                sock.sendall(b"POST /api/sessions HTTP/1.1\r\nHost: localhost\r\nContent-")
                stalled.append(sock)
            with urllib.request.urlopen(f"{url}/api/options", timeout=30) as response:
                assert response.status == 200
                assert json.loads(response.read())["defaults"]["dataset"] == "circle"
            assert all(still_open(sock) for sock in stalled)
        finally:
            for sock in stalled:
                sock.close()


def test_the_waitress_settings_are_chosen_and_settable():
    assert SETTINGS == {"threads": 32, "connection_limit": 1000, "channel_timeout": 30,
                        "client_connections": 64, "header_timeout": 10}
    args = parse_args(["--threads", "6", "--connection-limit", "300", "--channel-timeout", "9",
                       "--client-connections", "5", "--header-timeout", "2.5"])
    assert server_settings(args) == {"threads": 6, "connection_limit": 300, "channel_timeout": 9,
                                     "client_connections": 5, "header_timeout": 2.5}
    server = BackgroundServer(object(), **server_settings(args)).server
    try:
        adj = server.adj
        assert (adj.threads, adj.connection_limit, adj.channel_timeout) == (6, 300, 9)
        assert adj.asyncore_use_poll and adj.cleanup_interval <= 1
        assert (server.edge.client_connections, server.edge.header_timeout) == (5, 2.5)
    finally:
        server.close()


def test_limits_come_from_flags_then_the_environment_then_the_defaults():
    env = {"PLAYGROUND_MEMORY_BUDGET": "512M", "PLAYGROUND_MAX_SESSIONS": "40",
           "PLAYGROUND_ALLOWED_HOSTS": "playground.school.org, .lab.example",
           "PLAYGROUND_LIMITS": "MAX_NEURONS=128,MAX_WEIGHT=50"}
    config = app_config(parse_args(["--max-sessions", "12", "--session-memory", "64M"], env))
    assert config["MEMORY_BUDGET"] == 512 * MB and config["SESSION_MEMORY"] == 64 * MB
    assert config["MAX_SESSIONS"] == 12  # the flag wins over the environment
    assert config["ALLOWED_HOSTS"] == ["playground.school.org", ".lab.example"]
    assert config["MAX_NEURONS"] == 128 and config["MAX_WEIGHT"] == 50.0
    defaults = app_config(parse_args([], {}))
    assert defaults["MEMORY_BUDGET"] == 2 * GB and defaults["ALLOWED_HOSTS"] == []
    config = app_config(parse_args(["--limit", "max_points=1000", "--memory-budget", "1.5G"], {}))
    assert config["MAX_POINTS"] == 1000 and config["MEMORY_BUDGET"] == int(1.5 * GB)


def run_app(*args, env=None, timeout=30):
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("args, env, words", [
    (["--memory-budget", "lots"], {}, "not a size"),
    (["--threads", "0"], {}, "must be more than 0"),
    ([], {"PLAYGROUND_THREADS": "many"}, "PLAYGROUND_THREADS"),
    (["--limit", "MAX_GPUS=3"], {}, "KEY=VALUE"),
])
def test_bad_settings_are_one_clear_error(args, env, words):
    result = run_app(*args, env=env)
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr


def test_a_port_in_use_is_one_friendly_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run_app("--port", str(port))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "already in use" in lines[0]
    assert f"--port {port + 1}" in lines[0] and "Traceback" not in result.stderr
