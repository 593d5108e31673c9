"""Fixtures for the real-browser tests: the app on a free loopback port, and a page on it
(the browser itself, Debian's Chromium, is tests/conftest.py's `browser`)."""

import contextlib
import json
import logging
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUTPUT_DIR = ROOT / "test-output"
# Not running, no step in flight, no change queued, nothing left to draw.
SETTLED = "() => { const s = window.playground.state; return !s.running && !s.inFlight && !s.busy && !s.dirty; }"
SIZES = [(1024, 768), (1280, 720), (1440, 900), (1920, 1080)]
# Every page of the run comes from one address and the test pages seldom say goodbye: the test
# servers lift that client's quotas (tests/app/test_quotas.py tests them).
APP_CONFIG = {"CLIENT_SESSIONS": 100_000, "CLIENT_MEMORY": 1 << 50}


@contextlib.contextmanager
def served(config=None):
    """The playground (`create_app(APP_CONFIG + config)`) on 127.0.0.1:<free port>, served by
    werkzeug in a daemon thread; yields its base URL."""
    from werkzeug.serving import make_server

    from app import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log per request
    srv = make_server("127.0.0.1", 0, create_app({**APP_CONFIG, **(config or {})}), threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()
        thread.join(timeout=5)
        srv.server_close()


@pytest.fixture(scope="session")
def server():
    """The playground every browser test shares."""
    with served() as base:
        yield base


class Page:
    """A Playwright page plus the console errors and failed requests it saw."""

    def __init__(self, page, base):
        self.page = page
        self.base = base
        self.errors = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

    def open(self, path="/"):
        self.page.goto(self.base + path)
        self.wait("() => window.playground && window.playground.ready", timeout=30_000)
        return self

    # Generous timeouts: the machine may be busy. A wait only decides how long to give up after;
    # what each test checks never depends on the speed.
    def wait(self, predicate, arg=None, timeout=30_000):
        # Predicates are function expressions: the page's CSP forbids eval of plain strings.
        return self.page.wait_for_function(predicate, arg=arg, timeout=timeout)

    def js(self, expression, arg=None):
        return self.page.evaluate(expression, arg)

    def play(self):
        if not self.js("() => window.playground.running"):
            self.page.click("#btn-play")
        # (a run that diverges at once stops by itself, so "diverged" also counts as started)
        self.wait("() => window.playground.running || window.playground.status.status === 'diverged'")

    def pause(self):
        if self.js("() => window.playground.running"):
            self.page.click("#btn-play")
        # Settled: not running, no step in flight, no mutation queued.
        self.wait(SETTLED)

    def api(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    p = context.new_page()
    p.set_default_timeout(30_000)
    yield Page(p, server)
    context.close()


@pytest.fixture
def sized_page(browser, server):
    """open_at(width, height, path) → a Page in a fresh context of that viewport (closed after)."""
    contexts = []

    def open_at(width, height, path="/"):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        p = context.new_page()
        p.set_default_timeout(30_000)
        return Page(p, server).open(path)

    yield open_at
    for c in contexts:
        c.close()


@pytest.fixture
def output_dir():
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR
