"""Fixtures for the server tests: a fresh app per test (its own session store), its client,
and small helpers that keep snapshots light where a test does not look at the grid."""

import pytest

from app import create_app

# Snapshot options for tests that do not look at the maps: keeps every request ~1 ms.
LIGHT = {"grid": False, "weights": False}
# ... nor at the history or the confusion matrices (trace, fork, landscape tests).
BARE = {"grid": False, "weights": False, "history": False, "confusion": False}
# The test apps lift the per-request training time limit (250 ms by default) to a minute, so that
# a step of a few epochs finishes on any machine however loaded: no test depends on its speed.
# Tests of the time limit itself ask for a few ms and far more epochs than could ever fit.
TEST_CONFIG = {"TESTING": True, "MAX_STEP_MS": 60_000}


def test_app(**overrides):
    return create_app({**TEST_CONFIG, **overrides})


test_app.__test__ = False  # a factory, not a test


@pytest.fixture
def make_app():
    """`make_app(MAX_SESSIONS=2, ...)`: a test app with these limits changed."""
    return test_app


@pytest.fixture
def app():
    return test_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_session(client):
    """POST /api/sessions with `config` (light snapshot unless given); returns the JSON."""

    def make(snapshot=None, **config):
        body = dict(config, snapshot=LIGHT if snapshot is None else snapshot)
        response = client.post("/api/sessions", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return make


@pytest.fixture
def error_of():
    """check(response, status) → the `error` object of a JSON error answer."""
    return check_error


def check_error(response, status):
    """The `error` object of a JSON error answer, after checking its status and shape."""
    assert response.status_code == status, (response.status_code, response.data[:300])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"message", "field", "allowed"} <= set(body["error"]), body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def post(client, path, body, status=200):
    """POST JSON, check the status, return the JSON answer."""
    r = client.post(path, json=body)
    assert r.status_code == status, r.get_json()
    return r.get_json()


def create(client, **config):
    """A new session with a bare snapshot; returns the JSON answer."""
    return post(client, "/api/sessions", {**config, "snapshot": BARE}, 201)


class Clock:
    """A hand-moved clock for a session store: `clock.now += 400` instead of sleeping."""

    def __init__(self, now=0.0):
        self.now = now

    def __call__(self):
        return self.now


def store_with_clock(app, now=0.0):
    """The app's session store, run by a new `Clock` at `now`: (store, clock, client)."""
    store = app.extensions["sessions"]
    store.clock = Clock(now)
    return store, store.clock, app.test_client()
