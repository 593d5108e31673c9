"""The playground's web server: `create_app(config=None)` builds the Flask app.

    from app import create_app
    app = create_app({"MAX_SESSIONS": 5})

The app holds no math: its routes (`app/api/`) translate HTTP to the session domain
(`app/session/`, no Flask in it) and nn_core, and back. Shared state hangs off the app object
(`app.extensions["sessions"]`, the session store, `app.extensions["scheduler"]`, the fair CPU
scheduler, `app.extensions["grid_cache"]` and `app.extensions["lessons"]`, the lessons loaded
and validated once from `LESSON_DIRS`), never module globals, so every app (every test)
is separate. The request guard (`app/http/guard.py`: Host, Origin, Content-Type, OPTIONS,
security headers) runs before every route. docs/design.md shows the layout and one request's
path through it.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """A new app; `config` overrides Flask settings and the limits in `app/capacity/limits.py`.

    Raises `app.lessons.LessonError` (naming the file, the step and the field) when a lesson in
    `LESSON_DIRS` does not validate: a bad lesson stops the start.
    """
    # Imported here, not above: `import app.session` (a notebook, a script) then needs no Flask.
    from flask import Flask

    from . import api
    from .api.request import start_clock
    from .capacity.limits import DEFAULTS
    from .capacity.scheduler import FairScheduler
    from .capacity.store import SessionStore
    from .http.errors import register_error_handlers
    from .http.guard import register_guard
    from .http.json import StrictJSONProvider
    from .lessons import load_library
    from .serve.malloc import Trimmer
    from .session.snapshot import GridCache

    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), static_url_path="/static")
    app.json_provider_class = StrictJSONProvider
    app.json = StrictJSONProvider(app)
    app.config.update(DEFAULTS)
    if config:
        app.config.update(config)

    worker = app.config["WORKER_NAME"]
    # Memory of sessions that went is given back to the system (serve/malloc.py).
    app.extensions["trimmer"] = Trimmer()
    app.extensions["sessions"] = SessionStore(
        max_sessions=app.config["MAX_SESSIONS"],
        idle_timeout=app.config["SESSION_IDLE_TIMEOUT"],
        evict_idle=app.config["SESSION_EVICT_IDLE"],
        memory_budget=app.config["MEMORY_BUDGET"],
        client_sessions=app.config["CLIENT_SESSIONS"],
        client_memory=app.config["CLIENT_MEMORY"],
        id_prefix=f"{worker}." if worker else "",
        on_drop=app.extensions["trimmer"].freed)
    app.extensions["scheduler"] = FairScheduler(slots=app.config["COMPUTE_SLOTS"])
    app.extensions["grid_cache"] = GridCache()
    app.extensions["lessons"] = load_library(app.config["LESSON_DIRS"], app.config)

    register_guard(app)
    app.before_request(start_clock)
    api.register(app)
    register_error_handlers(app)
    return app
