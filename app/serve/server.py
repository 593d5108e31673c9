"""Building the waitress server, and running it in a background thread (tests, benchmark).

`python -m app` runs the server in the main thread until Ctrl+C. Tests and the benchmark need
the real server on a free port inside their own process, and a clean stop: waitress has no
`stop()`, so `BackgroundServer` asks the server's own event-loop thread (through waitress's
trigger) to close the listening socket; the loop ends once the last connection is gone.

The settings, chosen for a classroom on one machine (`python -m app --help` sets each):
- `threads` 32: threads mostly wait (for a turn at the CPU, see `app/capacity/scheduler.py`, or for the
  network). Every request that has a thread reaches the fair scheduler, which decides who
  computes next; a request without one waits in waitress's queue, first come first served,
  where a learner's one-epoch step would sit behind turbo requests. Computing happens one
  request at a time whatever the count, so threads cost only memory for answers in flight
  (a default answer is ~60 KB). A class of 30 keeps every request at the scheduler. A new
  request goes to the thread that went idle last (`dispatcher.py`), so only as many
  threads stay warm as requests are in flight.
- `connection_limit` 1000 (waitress: 100) with `poll()` (select() stops at 1024 descriptors):
  a browser opens up to six connections, and connections that send nothing (half-open, or a
  slow client) must not lock learners out; they take no thread, only a descriptor.
- `channel_timeout` 30 s (waitress: 120 s), checked every `cleanup_interval` 1 s: an idle or
  half-open connection is closed after at most ~31 s; a browser simply reconnects.
- `client_connections` 64 and `header_timeout` 10 s: one client address holds at most 64
  connections, and a request's headers must arrive within 10 s of its first byte, so slow
  clients cannot take every connection (`edge.py`, which also makes waitress's own errors JSON).
- Request bodies past the app's `MAX_CONTENT_LENGTH` (plus a little, so the app's own 413
  answers first) are refused by waitress before it buffers them (its own limit is 1 GB).
"""

import threading

from waitress import create_server

from .dispatcher import HotThreadDispatcher
from .edge import Edge

SETTINGS = {"threads": 32, "connection_limit": 1000, "channel_timeout": 30,
            "client_connections": 64, "header_timeout": 10}
EDGE_SETTINGS = ("client_connections", "header_timeout")
CLEANUP_INTERVAL = 1
BODY_SLACK = 64 * 1024   # bytes past the app's body limit that still reach the app


def make_server(app, host="127.0.0.1", port=8000, threads=None, connection_limit=None,
                channel_timeout=None, client_connections=None, header_timeout=None):
    """A waitress server for `app` (port 0: a free port, see `server.effective_port`)."""
    given = {"threads": threads, "connection_limit": connection_limit,
             "channel_timeout": channel_timeout, "client_connections": client_connections,
             "header_timeout": header_timeout}
    settings = {k: v if given[k] is None else given[k] for k, v in SETTINGS.items()}
    edge_settings = {k: settings.pop(k) for k in EDGE_SETTINGS}
    config = getattr(app, "config", {})
    if config.get("MAX_CONTENT_LENGTH"):
        settings["max_request_body_size"] = config["MAX_CONTENT_LENGTH"] + BODY_SLACK
    edge = Edge(**edge_settings, trusted_proxies=config.get("TRUSTED_PROXIES", ()))
    # `_dispatcher` is waitress's way in for another dispatcher (it starts no threads for one
    # given; waitress is pinned, so the private name is safe to rely on).
    dispatcher = HotThreadDispatcher()
    dispatcher.set_thread_count(settings["threads"])
    try:
        server = create_server(app, host=host, port=port, ident="playground",
                               clear_untrusted_proxy_headers=True, asyncore_use_poll=True,
                               cleanup_interval=CLEANUP_INTERVAL, _dispatcher=dispatcher,
                               **settings)
    except BaseException:
        dispatcher.shutdown()  # e.g. the port is taken: no idle threads left behind
        raise
    edge.install(server)
    server.edge = edge
    return server


class BackgroundServer:
    """`with BackgroundServer(app) as url:` serves `app` on a free loopback port."""

    def __init__(self, app, host="127.0.0.1", port=0, **settings):
        self.server = make_server(app, host, port, **settings)
        self.thread = threading.Thread(target=self.server.run, name="waitress", daemon=True)
        self.url = f"http://{host}:{self.server.effective_port}"

    def __enter__(self):
        self.thread.start()
        return self.url

    def stop(self, timeout=10.0):
        # Closing runs inside the loop thread, so the loop never polls a closed descriptor.
        self.server.trigger.pull_trigger(self.server.close)
        self.thread.join(timeout)
        self.server.task_dispatcher.shutdown()
        return not self.thread.is_alive()

    def __exit__(self, *exc):
        self.stop()
