"""Building the waitress server, and running it in a background thread (tests, benchmark).

`python -m app` runs the server in the main thread until Ctrl+C. Tests and the benchmark need
the real server on a free port inside their own process, and a clean stop: waitress has no
`stop()`, so `BackgroundServer` asks the server's own event-loop thread (through waitress's
trigger) to close the listening socket; the loop ends once the last connection is gone.
"""

import threading

from waitress import create_server


def make_server(app, host="127.0.0.1", port=8000, threads=8):
    """A waitress server for `app` (port 0: a free port, see `server.effective_port`)."""
    return create_server(app, host=host, port=port, threads=threads, ident="playground",
                         clear_untrusted_proxy_headers=True)


class BackgroundServer:
    """`with BackgroundServer(app) as url:` serves `app` on a free loopback port."""

    def __init__(self, app, host="127.0.0.1", port=0, threads=8):
        self.server = make_server(app, host, port, threads)
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
