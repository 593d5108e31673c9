"""Take a run home: the HTML report, the network as a NumPy script, the notebook that
reproduces the run, and Compare's report (docs/api.md, "Exports").

    GET  /api/sessions/<id>/report[?point=train:12]   one self-contained HTML file
    GET  /api/sessions/<id>/export.py                 the trained network, NumPy only
    GET  /api/sessions/<id>/export.ipynb              the run, rebuilt and checked by nn_core
    POST /api/sessions/<id>/landscape/report          every run of a Compare, and its landscape

Each is built from the session as it is, under its lock and in one turn at the CPU
(`request.session_endpoint`); the report pauses at a scheduler checkpoint between figures, so a
lighter learner is not held up. Nothing here computes: `app/exports/` does, without Flask.
"""

import re
import time

from flask import Blueprint, Response

from ..exports import report, script
from ..exports.notebook import notebook_text
from ..session.errors import ApiError
from ..session.validate import string
from .compare import landscape_answer
from .request import json_object, session_endpoint, store

bp = Blueprint("exports", __name__, url_prefix="/api")

POINT = re.compile(r"(train|test):(\d{1,9})")


def attachment(text, mimetype, filename):
    return Response(text, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def file_stem(session):
    """`<dataset>-epoch<N>`: what a download of this run is called."""
    return f"{session.config['dataset']}-epoch{session.trainer.epoch}"


@bp.get("/sessions/<session_id>/report")
@session_endpoint(keys=("point",), options="query", check=False)
def session_report(req):
    session = req.session
    point = None
    if "point" in req.body:
        point = _point(session, string("point", req.body["point"]))
    html = report.session_report(session, point=point)
    return attachment(html, "text/html", f"{file_stem(session)}.html")


@bp.get("/sessions/<session_id>/export.py")
@session_endpoint(keys=(), options="query", check=False)
def network_script(req):
    return attachment(script.network_script(req.session), "text/x-python", "export.py")


@bp.get("/sessions/<session_id>/export.ipynb")
@session_endpoint(keys=(), options="query", check=False)
def notebook(req):
    return attachment(notebook_text(req.session), "application/x-ipynb+json",
                      f"{file_stem(req.session)}.ipynb")


@bp.post("/sessions/<session_id>/landscape/report")
def landscape_report(session_id):
    started = time.perf_counter()
    body = json_object()
    ids = body.get("sessions")
    if isinstance(ids, list) and session_id not in ids:
        raise ApiError(422, "sessions: the session in the path must be one of the listed "
                       "sessions", "sessions", None)
    answer = landscape_answer(dict(body), started)   # checks the body as the landscape does
    parts = []
    for sid in ids:               # one lock at a time, as the landscape takes them
        session = store().get(sid)
        with session.lock:
            parts.append(report.compare_part(session))
    html = report.compare_report(parts, report.run_names(parts), answer)
    first = parts[0]
    return attachment(html, "text/html",
                      f"compare-{first['config']['dataset']}-epoch{first['epoch']}.html")


def _point(session, text):
    """("train" | "test", index) of `?point=train:12`, the index checked against the set."""
    match = POINT.fullmatch(text.strip())
    p = session.points
    sizes = {"train": len(p.train_points), "test": len(p.test_points)}
    if not match:
        raise ApiError(422, "point: expected train:<index> or test:<index>", "point",
                       ["train:<index>", "test:<index>"])
    which, index = match.group(1), int(match.group(2))
    if index >= sizes[which]:
        raise ApiError(422, f"point: the {which} set has {sizes[which]} points", "point",
                       [0, sizes[which] - 1])
    return which, index
