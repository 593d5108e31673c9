"""The playground's web server: `create_app(config=None)` builds the Flask app.

    from app import create_app
    app = create_app({"MAX_SESSIONS": 5})

The app holds no math: its API blueprint translates HTTP to nn_core calls and back. Shared
state hangs off the app object (`app.extensions["sessions"]`, the session store,
`app.extensions["scheduler"]`, the fair CPU scheduler, and `app.extensions["grid_cache"]`),
never module globals, so every app (every test) is separate. The checks at the network edge
(`app/edge.py`: Host, Origin, Content-Type, OPTIONS, security headers) run before every
blueprint's views.
"""

from pathlib import Path

from flask import Flask

from . import api, compare_api, inspect_api, pages
from .compute import FairScheduler
from .context import start_clock
from .edge import register_edge
from .encoding import StrictJSONProvider
from .errors import register_error_handlers
from .grids import GridCache
from .limits import DEFAULTS
from .sessions import SessionStore

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """A new app; `config` overrides Flask settings and the limits in `app/limits.py`."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), static_url_path="/static")
    app.json_provider_class = StrictJSONProvider
    app.json = StrictJSONProvider(app)
    app.config.update(DEFAULTS)
    if config:
        app.config.update(config)

    worker = app.config["WORKER_NAME"]
    app.extensions["sessions"] = SessionStore(
        max_sessions=app.config["MAX_SESSIONS"],
        idle_timeout=app.config["SESSION_IDLE_TIMEOUT"],
        evict_idle=app.config["SESSION_EVICT_IDLE"],
        memory_budget=app.config["MEMORY_BUDGET"],
        id_prefix=f"{worker}." if worker else "")
    app.extensions["scheduler"] = FairScheduler(slots=app.config["COMPUTE_SLOTS"])
    app.extensions["grid_cache"] = GridCache()

    register_edge(app)
    app.before_request(start_clock)
    app.register_blueprint(api.bp)
    app.register_blueprint(inspect_api.bp)
    app.register_blueprint(compare_api.bp)
    app.register_blueprint(pages.bp)
    register_error_handlers(app)
    return app
