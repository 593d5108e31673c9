"""Memory given back to the system (app/serve/malloc.py): the store reports the sessions that
go, the trimmer returns free memory once enough has gone, and `python -m app` caps glibc's
arenas before its threads start. (What it does to the process's memory is measured by
bench/bench_memory.py: docs/performance.md.)"""

import sys

import pytest

from app.__main__ import main
from app.capacity.store import SessionStore
from app.serve import malloc

from .conftest import BARE, Clock


class Sized:
    def __init__(self, n_bytes):
        self.memory = n_bytes


def test_the_store_reports_every_session_that_goes_with_its_bytes():
    dropped, clock = [], Clock()
    store = SessionStore(max_sessions=2, idle_timeout=100, evict_idle=10, clock=clock,
                         on_drop=dropped.append)
    a = store.add(Sized(1000))
    b = store.add(Sized(2000))
    store.delete(a)
    assert dropped == [1000]
    store.add(Sized(10))
    clock.now += 11
    store.add(Sized(10))              # full: the idle one used least recently is evicted
    assert dropped == [1000, 2000] and b not in store.ids()
    clock.now += 101
    assert store.expire() == 2        # expired
    assert dropped == [1000, 2000, 20] and len(store) == 0   # one report per operation


def test_a_refused_request_that_expired_sessions_still_reports_them():
    dropped, clock = [], Clock()
    store = SessionStore(max_sessions=1, idle_timeout=100, evict_idle=1000, clock=clock,
                         memory_budget=100, on_drop=dropped.append)
    store.add(Sized(60))
    clock.now += 101                  # expires; then the request asks for too much anyway
    with pytest.raises(Exception):
        store.reserve(200)
    assert dropped == [60]


def run_trim(trimmer, n_bytes):
    trimmer.freed(n_bytes)
    thread = trimmer._thread
    if thread is not None:
        thread.join(10)
    return trimmer.trims


def test_the_trimmer_gives_memory_back_once_enough_has_gone():
    released = []
    trimmer = malloc.Trimmer(threshold=100, delay=0, gap=0, release=lambda: released.append(1),
                             environ={})
    assert run_trim(trimmer, 60) == 0 and released == []
    assert run_trim(trimmer, 60) == 1 and released == [1]       # 120 ≥ 100 in all
    assert run_trim(trimmer, 99) == 1                            # counted afresh
    assert run_trim(trimmer, 1) == 2


def test_playground_malloc_chooses_what_is_done():
    off = malloc.Trimmer(threshold=1, delay=0, gap=0, release=lambda: None,
                         environ={"PLAYGROUND_MALLOC": "arenas"})
    assert not off.enabled and run_trim(off, 10) == 0
    assert malloc.chosen({}) == {"arenas", "trim"}
    assert malloc.chosen({"PLAYGROUND_MALLOC": "none"}) == set()
    assert not malloc.limit_arenas(environ={"PLAYGROUND_MALLOC": "trim"})
    assert not malloc.limit_arenas(environ={"MALLOC_ARENA_MAX": "4"})   # the user's choice wins


@pytest.mark.skipif(malloc.LIBC is None, reason="glibc only")
def test_on_glibc_both_calls_are_made():
    assert malloc.limit_arenas(environ={}) is True
    assert malloc.trim() in (True, False)     # it ran (True: it returned some memory)


def test_deleting_sessions_trims_in_the_app(make_app, monkeypatch):
    released = []
    app = make_app()
    trimmer = app.extensions["trimmer"]
    monkeypatch.setattr(trimmer, "_release", lambda: released.append(1))
    monkeypatch.setattr(trimmer, "delay", 0)
    monkeypatch.setattr(trimmer, "gap", 0)
    monkeypatch.setattr(trimmer, "enabled", True)
    client = app.test_client()
    ids = [client.post("/api/sessions", json={"hidden_layers": [32], "n_points": 5000,
                                              "snapshot": BARE}).get_json()["id"]
           for _ in range(4)]
    assert app.extensions["sessions"].memory_used >= trimmer.threshold
    for sid in ids:
        assert client.delete(f"/api/sessions/{sid}").status_code == 204
    if trimmer._thread is not None:
        trimmer._thread.join(10)
    assert released == [1]


def test_python_m_app_caps_the_arenas_before_anything_else(monkeypatch):
    calls = []
    monkeypatch.setattr(sys.modules["app.__main__"], "limit_arenas", lambda: calls.append(1))
    assert main(["--port", "70000"]) == 2        # refused after the cap, before any thread
    assert calls == [1]


def test_trims_are_at_least_a_gap_apart(monkeypatch):
    waits = []
    monkeypatch.setattr(malloc.time, "sleep", waits.append)     # record, do not wait
    trimmer = malloc.Trimmer(threshold=10, delay=0.5, gap=3.0, release=lambda: None, environ={})
    assert run_trim(trimmer, 10) == 1 and waits == [0.5]       # the first: after the delay
    assert run_trim(trimmer, 10) == 2
    assert 2.9 < waits[1] <= 3.0                               # the next: a gap after it
