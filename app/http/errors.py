"""Every error under /api/ becomes JSON: `{"error": {"message", "field", "allowed"}}`.

Statuses: 400 malformed JSON or a wrong type, 404 unknown or expired session (or path),
405 wrong method, 413 body too large, 422 a value out of range or an unknown name, 429 too many
sessions. Anything unexpected is logged with its stack trace and answered with a bare 500 JSON:
the client never sees a traceback or an HTML page.
"""

from flask import current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from nn_core.errors import ConfigError

from ..session.errors import ApiError


def error_response(status, message, field=None, allowed=None, **extra):
    body = {"error": {"message": message, "field": field, "allowed": _jsonable(allowed), **extra}}
    response = jsonify(body)
    response.status_code = status
    return response


def _jsonable(allowed):
    """`allowed` as JSON: lists and tuples become lists, anything exotic its string."""
    if allowed is None or isinstance(allowed, (str, int, float, bool)):
        return allowed
    if isinstance(allowed, (list, tuple)):
        return [_jsonable(v) for v in allowed]
    if isinstance(allowed, dict):
        return {str(k): _jsonable(v) for k, v in allowed.items()}
    return str(allowed)


def _is_api():
    return request.path.startswith("/api/") or request.path == "/api"


def register_error_handlers(app):
    """JSON errors for /api/; the page routes keep Flask's defaults (HTML for a browser)."""

    @app.errorhandler(ApiError)
    def _api_error(exc):
        return error_response(exc.status, exc.message, exc.field, exc.allowed, **exc.extra)

    @app.errorhandler(ConfigError)
    def _config_error(exc):
        # nn_core's errors name the field and what is allowed; that is all the client needs.
        extra = {}
        errors = getattr(exc, "errors", None)
        if errors:  # userdata.UserDataError lists every bad row
            extra["errors"] = _jsonable(list(errors))
        return error_response(422, str(exc), exc.field, exc.allowed, **extra)

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        if not _is_api():
            return exc
        messages = {
            400: "malformed request",
            404: "no such endpoint",
            405: f"method {request.method} is not allowed here",
            413: "request body too large",
        }
        message = messages.get(exc.code, exc.name)
        allowed = None
        if exc.code == 413:
            allowed = current_app.config.get("MAX_CONTENT_LENGTH")
            message += f" (at most {allowed} bytes)"
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            allowed = sorted(exc.valid_methods)
        response = error_response(exc.code, message, None, allowed)
        if exc.code == 405 and allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc):
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal error")
