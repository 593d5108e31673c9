"""The error a client causes: `ApiError(status, message, field, allowed)`, raised anywhere in
the server (the session domain, the store, the routes) and answered as JSON by `app/http/errors.py`.

Statuses: 400 a wrong JSON type or malformed JSON, 404 an unknown or expired session, 422 a
value out of range or an unknown name, 429 no room (sessions, memory). nn_core's own
`ConfigError` (a value the engine refuses) is answered as a 422 the same way. Flask-free, so
the session domain can raise it from a script too.
"""


class ApiError(Exception):
    """An error the client caused (or may retry): status, message, and the field at fault."""

    def __init__(self, status, message, field=None, allowed=None, **extra):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.allowed = allowed
        self.extra = extra


def bad_type(field, expected, value):
    """400 for a value of the wrong JSON type (a string where a number belongs, ...)."""
    got = "null" if value is None else type(value).__name__
    got = {"str": "string", "dict": "object", "list": "array", "bool": "boolean",
           "int": "number", "float": "number"}.get(got, got)
    return ApiError(400, f"{field}: expected {expected}, got {got}", field, expected)
