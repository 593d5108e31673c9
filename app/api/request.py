"""The one path every session request takes, and what the routes share.

    @bp.post("/sessions/<session_id>/step")
    @session_endpoint(keys=("epochs", "batches", "max_ms"))
    def step(req):
        done = req.session.step(...)
        return req.answer(done=done)

`session_endpoint` does what every session endpoint repeats, once: find the session (404 if
unknown or expired), read the JSON body (or the query string) and its snapshot options, refuse
unknown keys, take the session's lock and then **one** turn at the CPU for the whole request
(`capacity/scheduler.py`: the lock first, so a turn never waits for anything), and check that
the snapshot asked for fits the network (`session/snapshot_options.py`) before any work. The
view says only what is special about it; `req.answer(...)` builds `{"id", …, "snapshot"}`
from the state the view left, inside the same lock, so an answer always describes one
consistent state.

The app's shared objects hang off the app (`store()`, `scheduler()`, `limits()`), never
module globals; a session created by `POST /api/sessions` or by a fork goes through
`build_and_store` alike: its memory reserved, built in a turn, stored, and answered in that turn.
"""

import contextlib
import functools
import time

from flask import current_app, g, request

from ..http.client import request_client
from ..session import snapshot, snapshot_options
from ..session.errors import ApiError, bad_type
from ..session.validate import check_keys, parse_json


def store():
    return current_app.extensions["sessions"]


def scheduler():
    return current_app.extensions["scheduler"]


def limits():
    return current_app.config


def start_clock():
    """Registered app-wide before each request: `timing.total_ms` counts from here."""
    g.started = time.perf_counter()


def json_object():
    """The request body as a dict; an empty body counts as `{}`."""
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    if not raw.strip():
        return {}
    try:
        value = parse_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ApiError(400, f"malformed JSON: {exc}") from None
    if not isinstance(value, dict):
        raise bad_type("body", "a JSON object", value)
    return value


def options_from_body(body):
    """The body's "snapshot" options (removed from the body), complete and checked."""
    return snapshot_options.parse_options(body.pop("snapshot", None), limits())


def check_view(options, layer_sizes, n_points):
    """422 before any work if the snapshot options do not fit a network of these layer sizes
    on `n_points` points, or would cost more than MAX_SNAPSHOT_BYTES."""
    snapshot_options.check_view(options, layer_sizes, n_points, limits())


class SessionRequest:
    """One request to one session, inside its lock and turn: what the view works with."""

    def __init__(self, session_id, session, body, options):
        self.id, self.session, self.body, self.options = session_id, session, body, options

    def check_view(self, layer_sizes=None, n_points=None):
        """The snapshot options against the network and points the request leads to (by
        default the session's own)."""
        session = self.session
        check_view(self.options, layer_sizes or session.network.layer_sizes,
                   len(session.points) if n_points is None else n_points)

    def answer(self, done=None, train_ms=0.0, **fields):
        """`{"id", **fields, "snapshot"}` of the session as it is now."""
        return {"id": self.id, **fields,
                "snapshot": build_snapshot(self.session, self.options, done, train_ms)}


def session_endpoint(keys=None, options="body", check=True, turn=True):
    """Decorate a view `view(req: SessionRequest)` of a route with `<session_id>`.

    keys     the body keys the view takes besides "snapshot" (others: 422 naming the key);
             None: the view checks its own (they depend on the body). With options="query",
             the query-string keys the view reads itself (the rest are snapshot options).
    options  where the snapshot options come from: "body", "query", or None (no snapshot).
    check    check the options against the session's network before the view runs (a view
             that changes the network checks against the one it leads to itself).
    turn     take a turn at the CPU (False only for a view that computes nothing).
    """
    def decorate(view):
        @functools.wraps(view)
        def endpoint(session_id):
            session = store().get(session_id)
            chosen = None
            if options == "query":
                query = request.args.to_dict()
                body = {key: query.pop(key) for key in keys or () if key in query}
                chosen = snapshot_options.parse_options(query, limits(), from_query=True)
            else:
                body = json_object() if request.method in ("POST", "PUT", "PATCH") else {}
                if keys is not None:   # "snapshot" only where there is one to shape
                    check_keys("", body, (*keys, "snapshot") if options == "body" else keys)
                if options == "body":
                    chosen = options_from_body(body)
            req = SessionRequest(session_id, session, body, chosen)
            with session.lock, (scheduler().turn(session_id) if turn
                                else contextlib.nullcontext()):
                if check and chosen is not None:
                    req.check_view()
                return view(req)
        return endpoint
    return decorate


def build_and_store(plan, build, options, **extra):
    """A planned session built, stored and answered in one turn: its memory reserved first
    (429 past the budget, given back if building fails), `build(plan, limits)` run, the new
    session stored, and `{"id", "config", "data", **extra, "snapshot"}` built under its lock.
    Returns (session id, answer)."""
    reservation = store().reserve(plan.memory, client=request_client())
    try:
        with scheduler().turn():
            # Building a large network is long: a lighter learner may go between its parts.
            plan.between = scheduler().checkpoint
            session = build(plan, limits())
            scheduler().checkpoint()
            session_id = store_session(session, reservation)
            # Nobody knows the new id yet: its lock is free, so taking it in a turn never waits.
            with session.lock:
                req = SessionRequest(session_id, session, {}, options)
                return session_id, req.answer(config=session.config, data=session.data_json(),
                                              **extra)
    except BaseException:
        reservation.release()  # a no-op once the session holds it
        raise


def store_session(session, reservation=None):
    """Put a built session in the store; from now on it uses the app's scheduler and budget."""
    session_id = store().add(session, reservation)
    session.scheduler = scheduler()
    session.resize = functools.partial(store().resize, session_id)
    return session_id


def build_snapshot(session, options, done=None, train_ms=0.0):
    """The session's snapshot (call under its lock and turn), with the request's total time."""
    cpu = time.thread_time()
    snap = snapshot.build(session, options, current_app.extensions["grid_cache"], done=done,
                          timing={"train_ms": round(train_ms, 3)})
    snap["timing"]["total_ms"] = round((time.perf_counter() - g.started) * 1000, 3)
    # What the next step with these options keeps for its snapshot: this one's CPU time (its
    # wall time would count waiting behind other learners too).
    costs = session.snapshot_ms
    if len(costs) > 8:
        costs.clear()
    costs[snapshot_options.options_key(options)] = (time.thread_time() - cpu) * 1000
    return snap
