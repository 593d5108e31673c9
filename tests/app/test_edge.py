"""The connection edge of the real waitress server (app/serve/edge.py): a client address holds a
bounded number of connections, slow request headers are cut off, and waitress's own errors are
JSON with the app's headers. Attacks come from 127.0.0.x only, bounded in count and time."""

import json
import select
import socket
import time

import pytest

from app.http.headers import CSP
from app.serve.server import SETTINGS, BackgroundServer


def connect(url, source="127.0.0.1", timeout=30):
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=timeout, source_address=(source, 0))
    return sock


def raw(url, data, source="127.0.0.1"):
    """Send raw bytes, read until the server closes: (status, headers dict, body bytes)."""
    with connect(url, source) as sock:
        sock.sendall(data)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def get_options(url, source="127.0.0.1", timeout=30):
    """GET /api/options on a fresh connection from `source` → status."""
    with connect(url, source, timeout) as sock:
        sock.sendall(b"GET /api/options HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    return int(out.split()[1])


def wait_closed(socks, count, timeout=20.0):
    """The sockets the server has closed, once at least `count` are (or `timeout` passed)."""
    closed, deadline = set(), time.monotonic() + timeout
    while len(closed) < count and time.monotonic() < deadline:
        readable, _, _ = select.select([s for s in socks if s not in closed], [], [], 0.5)
        for sock in readable:
            try:
                if sock.recv(1) == b"":
                    closed.add(sock)
            except OSError:
                closed.add(sock)
    return closed


# --------------------------------------------------------------------------- JSON errors
@pytest.mark.parametrize("data, status, words", [
    (b"GARBAGE\r\n\r\n", 400, "malformed request"),
    (b"POST /api/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999\r\n\r\n",
     413, "request body too large"),
    (b"POST /api/sessions HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: foo\r\n\r\n", 501,
     "not implemented"),
    (b"POST /api/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Length: x1\r\n\r\n", 400,
     "malformed request"),
])
def test_waitress_s_own_errors_are_json_with_the_app_s_headers(make_app, data, status, words):
    with BackgroundServer(make_app(), threads=2) as url:
        got, headers, body = raw(url, data)
    assert got == status
    assert headers["content-type"] == "application/json"
    assert headers["cache-control"] == "no-store" and headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"] == CSP
    error = json.loads(body)["error"]
    assert words in error["message"] and set(error) == {"message", "field", "allowed"}
    if status == 413:  # refused before waitress buffers it: a little past the app's limit
        assert 2 * 1024 * 1024 < error["allowed"] < 3 * 1024 * 1024


# --------------------------------------------------------------------------- connections per client
def test_one_address_holds_at_most_its_connections_and_others_are_served(make_app):
    """The real default (64): 80 connections from 127.0.0.2, the last 16 closed as soon as they
    are accepted; a learner at another address is answered while the 64 stay open."""
    limit = SETTINGS["client_connections"]
    assert limit == 64
    with BackgroundServer(make_app(), threads=2) as url:
        socks = [connect(url, "127.0.0.2") for _ in range(limit + 16)]
        try:
            assert get_options(url, "127.0.0.3") == 200   # accepted after the 80 (FIFO)
            closed = wait_closed(socks, 16)
            assert len(closed) == 16 and closed == set(socks[limit:])
        finally:
            for sock in socks:
                sock.close()


def test_trusted_proxies_are_exempt_from_the_connection_limit(make_app):
    app = make_app(TRUSTED_PROXIES=["127.0.0.5"])
    server = BackgroundServer(app, threads=2, client_connections=3)
    with server as url:
        proxy = [connect(url, "127.0.0.5") for _ in range(6)]
        other = [connect(url, "127.0.0.6") for _ in range(6)]
        try:
            assert get_options(url, "127.0.0.7") == 200
            closed = wait_closed(proxy + other, 3)
            assert closed == set(other[3:])
            assert server.server.edge.counts["127.0.0.5"] == 6
            assert server.server.edge.refused == 3
        finally:
            for sock in proxy + other:
                sock.close()


# --------------------------------------------------------------------------- slow headers
def test_headers_that_trickle_in_are_cut_off_and_idle_connections_are_not(make_app):
    """A request whose headers are not complete `header_timeout` after its first byte is closed
    however steadily it trickles; a connection that sends nothing waits for channel_timeout."""
    with BackgroundServer(make_app(), threads=2, header_timeout=1) as url:
        idle = connect(url, "127.0.0.2")
        slow = connect(url, "127.0.0.3")
        slow.sendall(b"GET /api/options HTTP/1.1\r\n")
        started, cut = time.monotonic(), None
        try:
            while time.monotonic() - started < 20:     # the trickle would go on for ever
                try:
                    slow.sendall(b"X")
                except OSError:
                    cut = time.monotonic() - started
                    break
                if select.select([slow], [], [], 0.2)[0]:
                    if slow.recv(1) == b"":
                        cut = time.monotonic() - started
                        break
            assert cut is not None and cut >= 1.0      # closed, and not before its time
            assert not select.select([idle], [], [], 0)[0]   # the idle one is still open
            assert get_options(url, "127.0.0.2") == 200
        finally:
            idle.close()
            slow.close()


def test_a_fresh_client_is_answered_while_slow_clients_fill_every_connection(make_app):
    """Both attacks of the issue at once, scaled to a server of 100 connections and spread over
    ten addresses (each under its own limit): 150 connections that sent part of their headers
    and 150 that sent nothing. They hold every place; a learner at another address is answered
    at once all the same (an idle one makes room), while the attack goes on."""
    server = BackgroundServer(make_app(), threads=4, connection_limit=100)
    with server as url:
        attack = []
        try:
            for i in range(300):
                sock = connect(url, f"127.0.0.{10 + i % 10}")
                if i % 2:
                    sock.sendall(b"POST /api/sessions HTTP/1.1\r\nHost: localhost\r\nX-")
                attack.append(sock)
            assert get_options(url, "127.0.0.4", timeout=15) == 200
            edge = server.server.edge     # room was made by closing idle ones, none refused
            assert edge.evicted > 0 and edge.refused == 0
        finally:
            for sock in attack:
                sock.close()
