"""The connection edge of the waitress server: what a client gets before any request reaches
the app.

A playground listening beyond loopback without nginx in front is reachable by anyone on the
network, and waitress serves at most `connection_limit` connections: slow clients that keep
connections open ("slowloris": a header byte every few seconds, or nothing at all) used to lock
every learner out once they held them all. Three rules bound that here, for every connection:

- **Connections per client** (`client_connections`, 64): a client address holds at most this
  many connections at once; one more is closed as soon as it is accepted. A browser opens six.
  The addresses of trusted proxies (`TRUSTED_PROXIES`: nginx in classroom mode) are exempt:
  every learner's requests come through them. IPv6 clients count by /64, as for quotas
  (`app/http/client.py`).
- **Header time** (`header_timeout`, 10 s): once a request's first byte has arrived, its headers
  must be complete within this many seconds, or the connection is closed. A browser sends them
  at once; a client trickling a byte every few seconds is cut off. (An idle connection, between
  requests or before the first, is closed after `channel_timeout` as before.)
- **Room for a newcomer** (`connection_limit`, 1,000): waitress stops accepting once it holds
  that many connections, so clients at many addresses could still fill it. Instead, a new
  connection that finds every place taken closes connections that are doing nothing for
  anyone — no request being served, nothing left to send — from the client addresses holding
  the most connections, those quiet longest first (a twentieth of the places at once, so a
  flood of connections does not sort the table for each). A browser whose idle connection goes
  simply opens another.

The header check runs every second (waitress's maintenance pass, `cleanup_interval` 1 s). So
one address holds at most 64 connections, each at most ~11 s while it dawdles over its headers,
and a learner is answered at once whatever the others send (`bench/bench_hardening.py` attacks
a real server). Behind nginx the same holds at nginx, which holds thousands of connections and
times out slow headers itself.

Errors waitress answers on its own (a malformed request, a body past the limit, a header too
large, an unsupported transfer coding) are JSON in the app's format with the app's headers
(`app/http/headers.py`), never waitress's plain text.
"""

import threading
import time

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer
from waitress.task import ErrorTask

from ..http.client import client_key, is_trusted, parse_networks
from ..http.headers import JSON_HEADERS, SECURITY_HEADERS, error_body

# When every place is taken, one twentieth of them (the idlest) is freed at once.
EVICT_SHARE = 20
# Waiting connections accepted per turn of the event loop.
ACCEPT_BATCH = 64
MESSAGES = {400: "malformed request", 413: "request body too large",
            431: "request headers too large", 500: "internal error",
            501: "not implemented"}


class JSONErrorTask(ErrorTask):
    """waitress's error answer, as the app's JSON error with the app's headers."""

    def execute(self):
        error = self.request.error
        message = MESSAGES.get(error.code, error.reason.lower())
        detail = str(error.body or "").strip()
        allowed = None
        if error.code == 413:
            allowed = self.channel.adj.max_request_body_size
            message += f" (at most {allowed} bytes)"
        elif detail and error.code != 500:   # waitress's detail names what was wrong
            message = f"{message}: {detail[:200]}"
        body = error_body(message, None, allowed).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([*JSON_HEADERS.items(), *SECURITY_HEADERS.items()])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class EdgeChannel(HTTPChannel):
    """A connection with a client key, a deadline for its request headers, and JSON errors."""

    error_task_class = JSONErrorTask

    def __init__(self, edge, key, trusted, server, sock, addr, adj, map=None):
        self.edge, self.key, self.trusted = edge, key, trusted
        self.header_deadline = None
        self._timed = None         # the request whose headers the deadline is for
        self._counted = True
        super().__init__(server, sock, addr, adj, map=map)

    def received(self, data):
        done = super().received(data)
        request = self.request
        if request is None or request.headers_finished:
            self.header_deadline = None
        elif request is not self._timed:
            # A new request began with these bytes: its headers are due within the timeout.
            self._timed = request
            self.header_deadline = time.monotonic() + self.edge.header_timeout
        return done

    def del_channel(self, map=None):
        super().del_channel(map)
        if self._counted:
            self._counted = False
            self.edge.closed(self.key)


class Edge:
    """The rules above for one server; `install(server)` puts them in place."""

    def __init__(self, client_connections, header_timeout, trusted_proxies=()):
        self.client_connections = int(client_connections)
        self.header_timeout = float(header_timeout)
        self.trusted = parse_networks(trusted_proxies)
        self.counts = {}          # client key → open connections
        self.refused = 0          # connections closed at once (over the per-client limit)
        self.timed_out = 0        # connections closed for slow headers
        self.evicted = 0          # idle connections closed to make room for a new one
        self._lock = threading.Lock()

    def install(self, server):
        for listener in listeners(server):
            listener.channel_class = self.accept
            listener.maintenance = self._maintenance_of(listener)
            listener.readable = self._readable_of(listener)
            listener.handle_accept = self._accept_many_of(listener)

    def accept(self, server, sock, addr, adj, map=None):
        """Called by waitress for each accepted connection (as its `channel_class`), in its
        event-loop thread."""
        host = addr[0] if isinstance(addr, tuple) and addr else str(addr)
        key = client_key(host)
        trusted = is_trusted(host, self.trusted)
        with self._lock:
            refuse = not trusted and self.counts.get(key, 0) >= self.client_connections
            if refuse:
                self.refused += 1
        if not refuse and len(server._map) >= adj.connection_limit:
            victims = self._victims(server, max(1, adj.connection_limit // EVICT_SHARE))
            if not victims:
                refuse = True     # every connection is busy being served: the newcomer waits
            for victim in victims:
                victim.handle_close()
                self.evicted += 1
        if refuse:
            sock.close()
            return None
        with self._lock:
            self.counts[key] = self.counts.get(key, 0) + 1
        try:
            return EdgeChannel(self, key, trusted, server, sock, addr, adj, map=map)
        except BaseException:
            self.closed(key)
            raise

    def closed(self, key):
        with self._lock:
            left = self.counts.get(key, 0) - 1
            if left > 0:
                self.counts[key] = left
            else:
                self.counts.pop(key, None)

    def _victims(self, listener, count):
        """Up to `count` connections to close for newcomers: ones serving nothing and sending
        nothing, of the (untrusted) clients holding the most connections, quiet longest first.
        A batch, so that a flood of new connections does not sort the table for each."""
        idle = [c for c in listener.active_channels.values()
                if isinstance(c, EdgeChannel) and not c.trusted and not c.requests
                and not c.total_outbufs_len and not c.will_close]
        with self._lock:
            counts = dict(self.counts)
        idle.sort(key=lambda c: (-counts.get(c.key, 0), c.last_activity))
        return idle[:count]

    def _accept_many_of(self, listener):
        """waitress's `handle_accept`, taking up to ACCEPT_BATCH waiting connections at a time
        instead of one: each turn of its event loop walks every open connection, so with a
        thousand open, one accept a turn left a newcomer seconds behind a flood of others."""
        def handle_accept():
            for _ in range(ACCEPT_BATCH):
                try:
                    accepted = listener.accept()
                    if accepted is None:
                        return          # none waiting
                    conn, addr = accepted
                    listener.set_socket_options(conn)
                except OSError:
                    return              # gone before it was accepted, as waitress ignores it
                listener.channel_class(listener, conn, listener.fix_addr(addr), listener.adj,
                                       map=listener._map)
        return handle_accept

    def _readable_of(self, listener):
        """waitress's `readable` of the listener without its stop at the connection limit
        (`accept` makes room instead); the maintenance pass runs as before."""
        def readable():
            now = time.time()
            if now >= listener.next_channel_cleanup:
                listener.next_channel_cleanup = now + listener.adj.cleanup_interval
                listener.maintenance(now)
            return listener.accepting
        return readable

    def _maintenance_of(self, listener):
        original = listener.maintenance

        def maintenance(now):
            original(now)   # waitress's own: idle connections past channel_timeout
            clock = time.monotonic()
            for channel in list(listener.active_channels.values()):
                deadline = getattr(channel, "header_deadline", None)
                if deadline is not None and clock > deadline and not channel.requests:
                    channel.header_deadline = None
                    channel.will_close = True
                    self.timed_out += 1
        return maintenance


def listeners(server):
    """The listening sockets' servers of what `waitress.create_server` returned (one, or one per
    address a host name resolves to)."""
    if isinstance(server, BaseWSGIServer):
        return [server]
    return [d for d in server.map.values() if isinstance(d, BaseWSGIServer)]
