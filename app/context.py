"""What every API endpoint shares: the app's session store, CPU scheduler and limits, storing a
newly built session, and building a snapshot (timed, its cost remembered for the next step).

The blueprints (`api`, `inspect_api`, `compare_api`) call these so that a session created by a
fork is stored, scheduled and budgeted exactly like one created by `POST /api/sessions`.
"""

import functools
import time

from flask import current_app, g

from . import snapshot


def session_store():
    return current_app.extensions["sessions"]


def app_limits():
    return current_app.config


def cpu_scheduler():
    return current_app.extensions["scheduler"]


def find_session(session_id):
    """The session, marked as just used (404 JSON if unknown or expired)."""
    return session_store().get(session_id)


def start_clock():
    """Registered app-wide before each request: `timing.total_ms` counts from here."""
    g.started = time.perf_counter()


def store_session(session, reservation=None):
    """Put a built session in the store; from now on it uses the app's scheduler and budget."""
    store = session_store()
    session_id = store.add(session, reservation)
    session.scheduler = cpu_scheduler()
    session.resize = functools.partial(store.resize, session_id)
    return session_id


def build_and_store(plan, build):
    """Build a planned session and store it: its memory reserved first (429 past the budget),
    `build(plan, limits)` run in a CPU turn, the reservation given back if building fails.
    Returns (session_id, session)."""
    reservation = session_store().reserve(plan.memory)
    try:
        with cpu_scheduler().turn():
            session = build(plan, app_limits())
    except BaseException:
        reservation.release()
        raise
    return store_session(session, reservation), session


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
    costs[snapshot.options_key(options)] = (time.thread_time() - cpu) * 1000
    return snap


def snapshot_options(body):
    """The body's "snapshot" options (removed from the body), complete and checked."""
    return snapshot.parse_options(body.pop("snapshot", None), app_limits())


def check_view(options, session, layer_sizes=None, n_points=None):
    """422 before any work if the snapshot options do not fit the session's network (or the one
    given), or the snapshot would cost more than MAX_SNAPSHOT_BYTES."""
    snapshot.check_view(options, layer_sizes or session.network.layer_sizes,
                        len(session.points) if n_points is None else n_points, app_limits())
