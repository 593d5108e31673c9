"""The page: `/` renders templates/index.html; `/vendor/plotly.min.js` serves Plotly.

Plotly comes from the installed `plotly` Python package (its bundled plotly.min.js), so the
page needs no CDN and works offline; the CSP allows scripts from this origin only. The file
never changes for a given package version, so it is cached for a year, keyed by that version.
"""

import importlib.metadata
import importlib.util
from pathlib import Path

from flask import Blueprint, abort, render_template, send_file

bp = Blueprint("pages", __name__)

YEAR = 365 * 24 * 3600


def plotly_js_path():
    """Path of plotly.min.js inside the installed plotly package (None if absent)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


def plotly_version():
    try:
        return importlib.metadata.version("plotly")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - plotly is pinned
        return "unknown"


@bp.get("/")
def index():
    return render_template("index.html", plotly_version=plotly_version())


@bp.get("/vendor/plotly.min.js")
def plotly_js():
    path = plotly_js_path()
    if path is None:
        abort(404)
    response = send_file(path, mimetype="text/javascript", max_age=YEAR, conditional=True,
                         etag=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
