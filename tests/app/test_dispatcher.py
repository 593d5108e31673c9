"""The server's task dispatcher: a request goes to the thread that went idle last, every task
runs exactly once, and stopping ends every thread (idle ones included)."""

import threading

import pytest

from app.serve import server
from app.serve.dispatcher import HotThreadDispatcher

WAIT = 30  # seconds; a bound for a broken dispatcher, never reached by a working one


class Task:
    """What waitress hands a dispatcher: `service()` (and `cancel()` at shutdown)."""

    def __init__(self, record, gate=None):
        self.record, self.gate = record, gate
        self.started, self.done = threading.Event(), threading.Event()
        self.cancelled = False

    def service(self):
        self.record.append(threading.current_thread().name)
        self.started.set()
        if self.gate is not None:
            assert self.gate.wait(WAIT)
        self.done.set()

    def cancel(self):
        self.cancelled = True


def wait_idle(dispatcher, n):
    with dispatcher.lock:
        assert dispatcher.went_idle.wait_for(lambda: len(dispatcher.idle) == n, WAIT)


@pytest.fixture
def dispatcher():
    d = HotThreadDispatcher()
    d.set_thread_count(4)
    yield d
    d.shutdown()


def test_the_thread_idle_last_takes_the_next_task(dispatcher):
    """One request at a time stays on one warm thread; waitress's own dispatcher would hand
    twelve such requests to its threads in turn (all four of them)."""
    wait_idle(dispatcher, 4)
    names = []
    for _ in range(12):
        task = Task(names)
        dispatcher.add_task(task)
        assert task.done.wait(WAIT)
        wait_idle(dispatcher, 4)
    assert len(names) == 12 and len(set(names)) == 1


def test_busy_threads_are_not_woken_and_the_next_idle_one_is(dispatcher):
    """With the warm thread held by a long task, the next task goes to the thread idle last
    among the others, and a third to the one before it."""
    wait_idle(dispatcher, 4)
    with dispatcher.lock:
        stack = list(dispatcher.idle)  # conditions, most recently idle last
    gate, names = threading.Event(), []
    first, second, third = Task(names, gate), Task(names, gate), Task(names, gate)
    for task in (first, second, third):
        dispatcher.add_task(task)
    with dispatcher.lock:
        assert dispatcher.idle == stack[:1]  # three popped from the top, the oldest left
    for task in (first, second, third):
        assert task.started.wait(WAIT)  # each holds its thread until the gate opens
    gate.set()
    for task in (first, second, third):
        assert task.done.wait(WAIT)
    assert len(set(names)) == 3


def test_every_task_runs_once_under_concurrent_submission(dispatcher):
    names, tasks = [], [Task([]) for _ in range(400)]

    def submit(part):
        for task in part:
            dispatcher.add_task(task)

    submitters = [threading.Thread(target=submit, args=(tasks[k::4],)) for k in range(4)]
    for t in submitters:
        t.start()
    for t in submitters:
        t.join()
    for task in tasks:
        assert task.done.wait(WAIT)
        names += task.record
    assert len(names) == 400  # each ran exactly once


def test_shutdown_ends_idle_and_busy_threads_and_cancels_the_queue():
    d = HotThreadDispatcher()
    d.set_thread_count(3)
    wait_idle(d, 3)
    gate = threading.Event()
    busy = Task([], gate)
    d.add_task(busy)
    assert busy.started.wait(WAIT)
    d.set_thread_count(1)  # the two idle threads stop: they must be woken for it
    with d.lock:
        assert d.thread_exit_cv.wait_for(lambda: len(d.threads) == 1, WAIT)
    queued = Task([])
    d.add_task(queued)  # waits: the one thread left is busy
    gate.set()
    assert d.shutdown(cancel_pending=True, timeout=WAIT)
    assert d.threads == set()
    assert busy.done.is_set()  # a running task finishes
    assert queued.cancelled or queued.done.is_set()  # a queued one runs or is cancelled


def test_a_server_that_cannot_start_leaves_no_threads(make_app, monkeypatch):
    """If waitress cannot build the server (say the port is taken), the dispatcher's threads,
    started beforehand, are stopped again."""
    made = []

    class Recorded(HotThreadDispatcher):
        def __init__(self):
            super().__init__()
            made.append(self)

    def refuse(*args, **kwargs):
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(server, "HotThreadDispatcher", Recorded)
    monkeypatch.setattr(server, "create_server", refuse)
    with pytest.raises(OSError):
        server.make_server(make_app(), "127.0.0.1", 8000, threads=8)
    assert len(made) == 1 and made[0].threads == set()
