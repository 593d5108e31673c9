"""The playground's web server: `create_app(config=None)` builds the Flask app.

    from app import create_app
    app = create_app({"MAX_SESSIONS": 5})

The app holds no math: its API blueprint translates HTTP to nn_core calls and back. Shared
state hangs off the app object (`app.extensions["sessions"]`, the session store, and
`app.extensions["grid_cache"]`), never module globals, so every app (every test) is separate.
"""

from pathlib import Path

from flask import Flask

from . import api, compare_api, inspect_api, pages
from .encoding import StrictJSONProvider
from .errors import register_error_handlers
from .grids import GridCache
from .limits import DEFAULTS
from .sessions import SessionStore

ROOT = Path(__file__).resolve().parent.parent

# Scripts only from this origin; Plotly sets inline styles and draws into data:/blob: images.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; connect-src 'self'")


def create_app(config=None):
    """A new app; `config` overrides Flask settings and the limits in `app/limits.py`."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), static_url_path="/static")
    app.json_provider_class = StrictJSONProvider
    app.json = StrictJSONProvider(app)
    app.config.update(DEFAULTS)
    if config:
        app.config.update(config)

    app.extensions["sessions"] = SessionStore(
        max_sessions=app.config["MAX_SESSIONS"],
        idle_timeout=app.config["SESSION_IDLE_TIMEOUT"],
        evict_idle=app.config["SESSION_EVICT_IDLE"])
    app.extensions["grid_cache"] = GridCache()

    app.register_blueprint(api.bp)
    app.register_blueprint(inspect_api.bp)
    app.register_blueprint(compare_api.bp)
    app.register_blueprint(pages.bp)
    register_error_handlers(app)

    @app.after_request
    def _security_headers(response):
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = CSP
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if response.mimetype == "application/json":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
