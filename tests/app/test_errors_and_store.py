"""Error format and statuses, security headers, limits on sessions, the store, the runner."""

import pytest

from app import create_app
from app.__main__ import is_loopback, parse_args
from app.capacity.store import SessionStore
from app.session.errors import ApiError

from .conftest import store_with_clock

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; form-action 'self'")


# --------------------------------------------------------------------------- malformed bodies
@pytest.mark.parametrize("data", [
    b"{", b"{'a': 1}", b"[1, 2]", b"3", b'"x"', b"null", b'{"a": NaN}', b'{"a": Infinity}',
    b"\xff\xfe", b"[" * 100000 + b"]" * 100000,
])
def test_malformed_json_is_400(client, error_of, data):
    error_of(client.post("/api/sessions", data=data, content_type="application/json"), 400)


def test_body_too_large_is_413(error_of):
    app = create_app({"MAX_CONTENT_LENGTH": 1000})
    client = app.test_client()
    error = error_of(client.post("/api/sessions", data=b" " * 2000,
                                 content_type="application/json"), 413)
    assert error["allowed"] == 1000
    assert client.get("/api/options").get_json()["limits"]["max_body_bytes"] == 1000


def test_default_body_limit_is_2_mb(client, error_of):
    error_of(client.post("/api/sessions", data=b" " * (2 * 1024 * 1024 + 1),
                         content_type="application/json"), 413)


def test_wrong_method_is_405_json(client, error_of):
    error = error_of(client.put("/api/sessions"), 405)
    assert "POST" in error["allowed"]
    error = error_of(client.get("/api/sessions/x/step"), 405)
    assert error["allowed"] == ["OPTIONS", "POST"]


def test_unknown_api_path_is_404_json(client, error_of):
    error_of(client.get("/api/nothing/here"), 404)
    error_of(client.get("/api"), 404)


def test_unexpected_exception_is_500_json_without_traceback(error_of, caplog):
    app = create_app()

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret detail")

    client = app.test_client()
    with caplog.at_level("ERROR"):
        response = client.get("/api/boom")
    error = error_of(response, 500)
    assert error["message"] == "internal error"
    assert b"secret" not in response.data and b"Traceback" not in response.data
    assert "secret detail" in caplog.text  # logged for the operator


def test_api_errors_raised_anywhere_keep_their_status(error_of):
    app = create_app()

    @app.get("/api/teapot")
    def teapot():
        raise ApiError(429, "slow down", "x", [1, 2])

    error = error_of(app.test_client().get("/api/teapot"), 429)
    assert error == {"message": "slow down", "field": "x", "allowed": [1, 2]}


def test_security_headers_on_every_response(client, make_session):
    sid = make_session()["id"]
    for response in (client.get("/api/options"), client.get(f"/api/sessions/{sid}?grid=0"),
                     client.get("/api/sessions/none"), client.get("/vendor/plotly.min.js"),
                     client.get(f"/api/sessions/{sid}/data.csv"), client.get("/nowhere")):
        response.close()  # send_file answers hold the file open until closed
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == CSP
        assert response.headers["X-Frame-Options"] == "DENY"


def test_json_answers_are_not_cached(client):
    assert client.get("/api/options").headers["Cache-Control"] == "no-store"


# --------------------------------------------------------------------------- session limits
def test_too_many_sessions_is_429_until_one_is_freed(error_of):
    app = create_app({"MAX_SESSIONS": 2})
    client = app.test_client()
    ids = [client.post("/api/sessions", json={}).get_json()["id"] for _ in range(2)]
    error = error_of(client.post("/api/sessions", json={}), 429)
    assert error["allowed"] == [0, 2]
    client.delete(f"/api/sessions/{ids[0]}")
    assert client.post("/api/sessions", json={}).status_code == 201


def test_full_store_evicts_the_least_recently_used_idle_session():
    store, clock, client = store_with_clock(create_app({"MAX_SESSIONS": 2}), 1000.0)
    a = client.post("/api/sessions", json={}).get_json()["id"]
    b = client.post("/api/sessions", json={}).get_json()["id"]
    clock.now += 400  # both idle for more than evict_idle (300 s) ...
    assert client.get(f"/api/sessions/{a}?grid=0").status_code == 200  # ... but a is used now
    c = client.post("/api/sessions", json={}).get_json()["id"]
    assert set(store.ids()) == {a, c}  # b, the least recently used, made room
    assert client.get(f"/api/sessions/{b}").status_code == 404


def test_idle_sessions_expire():
    store, clock, client = store_with_clock(create_app({"SESSION_IDLE_TIMEOUT": 60}))
    sid = client.post("/api/sessions", json={}).get_json()["id"]
    clock.now = 59
    assert client.get(f"/api/sessions/{sid}?grid=0").status_code == 200
    clock.now = 59 + 61
    assert client.get(f"/api/sessions/{sid}?grid=0").status_code == 404
    assert len(store) == 0


class Dummy:
    id = None


def test_store_unit_behaviour():
    now = [0.0]
    store = SessionStore(max_sessions=3, idle_timeout=100, evict_idle=10, clock=lambda: now[0])
    ids = [store.add(Dummy()) for _ in range(3)]
    assert len(set(ids)) == 3 and all(len(i) >= 32 for i in ids)
    with pytest.raises(ApiError) as info:
        store.add(Dummy())
    assert info.value.status == 429
    now[0] = 5
    store.get(ids[0])
    now[0] = 12  # ids[1] idle 12 s ≥ 10: the least recently used goes
    new = store.add(Dummy())
    assert store.ids() == [ids[2], ids[0], new]
    now[0] = 200
    assert store.expire() == 3 and len(store) == 0
    with pytest.raises(ApiError) as info:
        store.delete("missing")
    assert info.value.status == 404
    empty = SessionStore(max_sessions=0)
    with pytest.raises(ApiError):
        empty.check_room()


def test_two_apps_do_not_share_sessions():
    a, b = create_app(), create_app()
    sid = a.test_client().post("/api/sessions", json={}).get_json()["id"]
    assert b.test_client().get(f"/api/sessions/{sid}").status_code == 404


# --------------------------------------------------------------------------- pages and runner
def test_plotly_is_served_from_the_package_with_long_cache(client):
    with client.get("/vendor/plotly.min.js") as r:
        assert r.status_code == 200 and r.mimetype == "text/javascript"
        assert len(r.data) > 1_000_000 and b"plotly" in r.data[:2000].lower()
        assert r.cache_control.max_age == 365 * 24 * 3600 and r.cache_control.public
        etag = r.headers["ETag"]
    with client.get("/vendor/plotly.min.js", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304


def test_index_page_renders_when_the_template_exists(client, app):
    import os

    if not os.path.exists(os.path.join(app.template_folder, "index.html")):
        pytest.skip("templates/index.html is not written yet")
    r = client.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"


def test_runner_flags_and_environment(monkeypatch):
    monkeypatch.delenv("PLAYGROUND_HOST", raising=False)
    monkeypatch.delenv("PLAYGROUND_PORT", raising=False)
    args = parse_args([])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    monkeypatch.setenv("PLAYGROUND_HOST", "0.0.0.0")
    monkeypatch.setenv("PLAYGROUND_PORT", "9001")
    args = parse_args([])
    assert (args.host, args.port) == ("0.0.0.0", 9001)
    args = parse_args(["--host", "::1", "--port", "0"])
    assert (args.host, args.port) == ("::1", 0)


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
    ("0.0.0.0", False), ("192.168.1.5", False), ("example.com", False), ("::", False),
])
def test_loopback_detection(host, loopback):
    assert is_loopback(host) is loopback
