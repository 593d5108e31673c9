"""The request guard: which requests the app answers at all, checked before any view runs.

A playground on a learner's laptop is reachable by every web page that learner opens, so the
app refuses what only another site would send (app-wide `before_request` hooks, so every
blueprint gets them without per-endpoint work):

- `Host` must be a loopback name (`localhost`, `*.localhost`), an IP address, or a name the
  operator allowed (`ALLOWED_HOSTS`, `--allowed-hosts`). A DNS-rebinding attack reaches the
  server under the attacker's own name, never under one of these. `*` allows any name.
- `Origin`, when a browser sends one, must be this server itself (its host and port equal to
  the `Host` header): a cross-site page cannot drive a session, even one it guessed.
- `POST`, `PUT` and `PATCH` must say `Content-Type: application/json` (415 otherwise), and so
  must a `DELETE` that carries a body: an HTML form or a `text/plain` "simple request" from
  another site can then never change anything, and a browser always preflights JSON.
- `OPTIONS` (a preflight or a curious client) gets a JSON answer listing the methods, never an
  empty HTML body; no CORS headers are ever sent, so cross-site preflights fail.

Every answer carries the headers of `headers.py` (never framed, never sniffed; JSON never
cached). Errors raised here are JSON on every path, pages included.
"""

import ipaddress
from urllib.parse import urlsplit

from flask import current_app, request

from .errors import error_response
from .headers import JSON_HEADERS, JSON_TYPE, SECURITY_HEADERS

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


def split_host(value):
    """'Name:port' or '[v6]:port' → (lowercased name without brackets, port or None)."""
    value = value.strip().lower()
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else None
        return name, port or None
    name, _, port = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
    return name, port or None


def is_ip(name):
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


def is_loopback_name(name):
    """localhost, anything under .localhost (RFC 6761), or a loopback address."""
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_allowed(name, allowed):
    """Whether a `Host` name may be answered: loopback, any IP literal, or allowed by name
    (exact, or `.example.org` for it and every name under it; `*` for any)."""
    name = name.rstrip(".")
    if is_loopback_name(name) or is_ip(name):
        return True
    for entry in allowed:
        entry = entry.strip().lower().rstrip(".")
        if entry == "*" or entry == name:
            return True
        if entry.startswith(".") and (name == entry[1:] or name.endswith(entry)):
            return True
    return False


def _netloc(scheme, name, port):
    """host[:port] with the scheme's default port left out (as browsers write `Origin`)."""
    default = {"http": "80", "https": "443"}.get(scheme)
    shown = f"[{name}]" if ":" in name else name
    return shown if port in (None, default) else f"{shown}:{port}"


def origin_matches(origin, host_header):
    """Whether the `Origin` header names this server: same host and port as `Host`."""
    try:
        parts = urlsplit(origin.strip())
        name, port = parts.hostname, parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not name:
        return False
    origin_loc = _netloc(parts.scheme, name.lower(), None if port is None else str(port))
    host_name, host_port = split_host(host_header)
    # The Host header leaves out a default port too; compare without it on both sides.
    return origin_loc in (_netloc("http", host_name, host_port),
                          _netloc("https", host_name, host_port))


def _refuse(status, message, field, allowed=None):
    return error_response(status, message, field, allowed)


def check_request():
    """The `before_request` hook: a JSON error answer for a refused request, else None."""
    host_header = request.environ.get("HTTP_HOST")
    allowed = current_app.config["ALLOWED_HOSTS"]
    if host_header is not None:
        name, _ = split_host(host_header)
        if not host_allowed(name, allowed):
            return _refuse(
                403, f"Host {name[:60]!r} is not allowed: this server answers loopback names "
                "and IP addresses; allow other names with --allowed-hosts (PLAYGROUND_ALLOWED_HOSTS)",
                "Host", ["localhost", "an IP address", *allowed])
    origin = request.headers.get("Origin")
    if origin is not None and not origin_matches(origin, host_header or ""):
        return _refuse(403, f"requests from other sites are refused (Origin {origin[:60]!r})",
                       "Origin", [f"{request.scheme}://{host_header}"])
    if request.method == "OPTIONS":
        return _options()
    # An unknown path or method answers 404/405 first: the type matters only to a real route.
    if (request.method in STATE_CHANGING and request.routing_exception is None
            and _needs_json(request)):
        if request.mimetype != JSON_TYPE:
            got = request.mimetype or "none"
            return _refuse(415, f"Content-Type must be {JSON_TYPE} (got {got[:60]})",
                           "Content-Type", [JSON_TYPE])
    return None


def _needs_json(req):
    if req.method != "DELETE":
        return True
    # A DELETE needs no body; one that carries a body must still say what it is.
    return bool(req.content_length) or "chunked" in req.headers.get("Transfer-Encoding", "")


def _options():
    adapter = current_app.create_url_adapter(request)
    try:
        methods = sorted(adapter.allowed_methods())
    except Exception:  # noqa: BLE001 - a malformed path has no methods
        methods = []
    if not methods:
        return _refuse(404, "no such endpoint", None)
    response = current_app.json.response({"allow": methods})
    response.headers["Allow"] = ", ".join(methods)
    return response


def add_headers(response):
    """The `after_request` hook: security headers on every answer."""
    headers = response.headers
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    if response.mimetype == JSON_TYPE:
        headers.setdefault("Cache-Control", JSON_HEADERS["Cache-Control"])
    worker = current_app.config["WORKER_NAME"]
    if worker:  # which worker answered, behind a proxy (docs/deploy.md)
        headers["X-Playground-Worker"] = worker
    return response


def register_guard(app):
    app.before_request(check_request)
    app.after_request(add_headers)
