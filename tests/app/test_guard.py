"""The request guard (app/http/guard.py): Host allow-list, Origin, JSON content type,
OPTIONS, and the headers that keep pages from being framed. They hold for every blueprint, present and future."""

import pytest
from flask import Blueprint

from app import create_app
from app.http.guard import host_allowed, origin_matches, split_host


def post(client, path, body=b"{}", content_type="application/json", **headers):
    return client.post(path, data=body, content_type=content_type, headers=headers)


# --------------------------------------------------------------------------- Host
@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000",
                                  "127.0.0.7", "app.localhost:9000", "192.168.1.20:8000",
                                  "[2001:db8::1]:80", "LOCALHOST:8000"])
def test_loopback_names_and_ip_addresses_are_answered(client, host):
    assert client.get("/api/options", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "localhost.evil.example",
                                  "127.0.0.1.nip.io:8000", "playground"])
def test_other_host_names_are_refused_against_dns_rebinding(client, error_of, host):
    error = error_of(client.get("/api/options", headers={"Host": host}), 403)
    assert error["field"] == "Host" and "--allowed-hosts" in error["message"]
    # the page too, as JSON: a rebinding page must not even read the HTML
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 403 and response.mimetype == "application/json"


def test_allowed_hosts_open_named_hosts(error_of):
    client = create_app({"ALLOWED_HOSTS": ["playground.school.org", ".lab.example"]}).test_client()
    for host in ("playground.school.org", "playground.school.org:8000", "lab.example",
                 "pc1.lab.example:8000"):
        assert client.get("/api/options", headers={"Host": host}).status_code == 200, host
    for host in ("school.org", "evil-lab.example", "playground.school.org.evil.example"):
        error_of(client.get("/api/options", headers={"Host": host}), 403)
    anything = create_app({"ALLOWED_HOSTS": ["*"]}).test_client()
    assert anything.get("/api/options", headers={"Host": "whatever.example"}).status_code == 200


def test_host_helpers():
    assert split_host("[::1]:8000") == ("::1", "8000")
    assert split_host("Example.ORG") == ("example.org", None)
    assert host_allowed("a.b.localhost", []) and not host_allowed("localhostx", [])


# --------------------------------------------------------------------------- Origin
def test_same_origin_requests_are_answered(client):
    r = post(client, "/api/sessions", Origin="http://localhost", Host="localhost")
    assert r.status_code == 201
    r = post(client, "/api/sessions", Origin="http://127.0.0.1:8000", Host="127.0.0.1:8000")
    assert r.status_code == 201
    # behind a proxy that ends TLS: Origin https://name, Host name
    r = post(client, "/api/sessions", Origin="https://localhost", Host="localhost")
    assert r.status_code == 201


@pytest.mark.parametrize("origin", ["http://evil.example", "http://localhost:9999", "null",
                                    "http://127.0.0.1:8001", "file://", "not a url"])
def test_cross_site_requests_are_refused(client, error_of, make_session, origin):
    headers = {"Origin": origin, "Host": "127.0.0.1:8000"}
    error = error_of(post(client, "/api/sessions", **headers), 403)
    assert error["field"] == "Origin"
    sid = make_session()["id"]
    error_of(client.delete(f"/api/sessions/{sid}", headers=headers), 403)
    error_of(client.get(f"/api/sessions/{sid}", headers=headers), 403)
    assert client.get(f"/api/sessions/{sid}?grid=0").status_code == 200  # untouched


def test_origin_matching():
    assert origin_matches("http://localhost:8000", "localhost:8000")
    assert origin_matches("http://LOCALHOST:80", "localhost")
    assert origin_matches("http://[::1]:8000", "[::1]:8000")
    assert not origin_matches("http://localhost:8001", "localhost:8000")
    assert not origin_matches("ftp://localhost:8000", "localhost:8000")


# --------------------------------------------------------------------------- Content-Type
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", None])
def test_state_changing_requests_must_be_json(client, error_of, make_session, content_type):
    """What an HTML form or a no-cors fetch from another site can send is refused with 415."""
    sid = make_session()["id"]
    for method, path in (("post", "/api/sessions"), ("post", f"/api/sessions/{sid}/step"),
                         ("patch", f"/api/sessions/{sid}"), ("post", f"/api/sessions/{sid}/reset"),
                         ("post", f"/api/sessions/{sid}/data"),
                         ("patch", f"/api/sessions/{sid}/weights")):
        response = getattr(client, method)(path, data=b'{"epochs": 1}', content_type=content_type)
        error = error_of(response, 415)
        assert error["field"] == "Content-Type" and error["allowed"] == ["application/json"]
    snap = client.get(f"/api/sessions/{sid}?grid=0").get_json()["snapshot"]
    assert snap["epoch"] == 0  # nothing ran


def test_json_with_a_charset_is_json(client):
    r = client.post("/api/sessions", data=b"{}", content_type="application/json; charset=utf-8")
    assert r.status_code == 201


def test_delete_needs_no_body_but_a_body_must_be_json(client, error_of, make_session):
    sid = make_session()["id"]
    error_of(client.delete(f"/api/sessions/{sid}", data=b"x", content_type="text/plain"), 415)
    assert client.delete(f"/api/sessions/{sid}").status_code == 204


# --------------------------------------------------------------------------- OPTIONS
def test_options_answers_json_with_the_allowed_methods(client, error_of):
    response = client.options("/api/sessions/abc/step")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == {"allow": ["OPTIONS", "POST"]}
    assert response.headers["Allow"] == "OPTIONS, POST"
    assert "Access-Control-Allow-Origin" not in response.headers
    error_of(client.options("/api/nothing"), 404)


def test_cross_site_preflight_is_refused(client, error_of):
    response = client.options("/api/sessions", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    error_of(response, 403)
    assert "Access-Control-Allow-Origin" not in response.headers


# --------------------------------------------------------------------------- headers
def test_pages_and_answers_cannot_be_framed(client):
    for path in ("/", "/api/options", "/api/nothing"):
        response = client.get(path)
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


# --------------------------------------------------------------------------- every blueprint
def test_a_new_blueprint_gets_the_same_checks(error_of):
    """Endpoints added later (e.g. the textbook's trace and compare) need no work of their own."""
    extra = Blueprint("extra", __name__, url_prefix="/api/extra")

    @extra.post("/thing")
    def thing():
        return {"ok": True}

    app = create_app()
    app.register_blueprint(extra)
    client = app.test_client()
    assert client.post("/api/extra/thing", json={}).status_code == 200
    error_of(client.post("/api/extra/thing", data=b"{}", content_type="text/plain"), 415)
    error_of(client.post("/api/extra/thing", json={}, headers={"Origin": "http://evil.example"}), 403)
    error_of(client.post("/api/extra/thing", json={}, headers={"Host": "evil.example"}), 403)
    assert client.options("/api/extra/thing").get_json() == {"allow": ["OPTIONS", "POST"]}
