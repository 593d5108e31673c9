"""The headers every answer carries, whichever layer makes it: the app (`guard.py`), waitress's
own errors (`app/serve/edge.py`) and nginx's (`deploy/nginx.conf.template`, filled in by
`app/serve/proxy.py`). Defined once here, without Flask, so every layer sends the same.

Pages are never framed (`frame-ancestors 'none'`, `X-Frame-Options: DENY`) or sniffed, and
JSON answers are never cached.
"""

import json

# Scripts only from this origin; Plotly sets inline styles and draws into data:/blob: images.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; form-action 'self'")
JSON_TYPE = "application/json"

# On every answer.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# On every JSON answer, besides the security headers.
JSON_HEADERS = {"Content-Type": JSON_TYPE, "Cache-Control": "no-store"}


def error_body(message, field=None, allowed=None):
    """An error answer's JSON text, in the one format of every layer (docs/api.md, Errors)."""
    return json.dumps({"error": {"message": message, "field": field, "allowed": allowed}},
                      separators=(",", ":"))
