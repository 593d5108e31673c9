"""The fair CPU scheduler (app/capacity/scheduler.py): who computes next, the express turn, checkpoints.

A fake clock makes "how long a turn has run" a number the test sets, so nothing here depends
on how fast the machine is; threads wait on the scheduler itself and on events."""

import threading

import pytest

from app.capacity.scheduler import FairScheduler


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def until(condition, timeout=30.0):
    """Wait (without spinning) until `condition()` holds; fail after `timeout` seconds."""
    event = threading.Event()
    for _ in range(int(timeout / 0.002)):
        if condition():
            return
        event.wait(0.002)
    pytest.fail("condition never held")


def queue_up(scheduler, key, order):
    """A thread that takes `key`'s turn, notes it, and leaves; returns once it waits."""
    before = scheduler.waiting

    def run():
        with scheduler.turn(key):
            order.append(key)

    thread = threading.Thread(target=run)
    thread.start()
    until(lambda: scheduler.waiting == before + 1)
    return thread


def test_the_lightest_waiting_key_goes_first_whatever_the_arrival_order():
    clock = Clock()
    scheduler = FairScheduler(clock=clock, express=False)
    scheduler._use = {"heavy": (5.0, clock.now), "medium": (0.5, clock.now),
                      "light": (0.01, clock.now)}
    order = []
    with scheduler.turn("holder"):
        threads = [queue_up(scheduler, key, order) for key in ("heavy", "medium", "light")]
    for thread in threads:
        thread.join(30)
    assert order == ["light", "medium", "heavy"]


def test_use_decays_so_a_heavy_key_is_served_once_it_has_waited():
    clock = Clock()
    scheduler = FairScheduler(clock=clock, half_life=2.0, express=False)
    scheduler._use = {"heavy": (8.0, clock.now), "light": (0.5, clock.now - 20.0)}
    # 20 s ago 0.5 s of use is ~0.0005 s now: the light key is still lighter ...
    assert scheduler.usage("light") < scheduler.usage("heavy")
    clock.now += 20.0  # ... but after 10 half-lives the heavy key's 8 s are ~0.008 s
    assert scheduler.usage("heavy") == pytest.approx(8.0 / 1024)


def test_ties_go_to_the_earliest_arrival():
    clock = Clock()
    scheduler = FairScheduler(clock=clock, express=False)
    order = []
    with scheduler.turn("holder"):
        threads = [queue_up(scheduler, key, order) for key in ("a", "b", "c")]
    for thread in threads:
        thread.join(30)
    assert order == ["a", "b", "c"]


def test_turns_nest_and_are_charged_to_their_key():
    clock = Clock()
    scheduler = FairScheduler(clock=clock)
    with scheduler.turn("k"):
        with scheduler.turn("k"):  # a nested turn does not wait for itself
            clock.now += 0.25
    assert scheduler.usage("k") == pytest.approx(0.25)
    assert scheduler._busy == 0 and not scheduler._holders


def test_short_work_takes_the_express_turn_once_a_long_turn_has_run_a_while():
    clock = Clock()
    scheduler = FairScheduler(clock=clock)
    scheduler._turn_length = {"light": 0.002, "heavy": 0.4}
    order = []
    with scheduler.turn("heavy-holder"):
        # Just started: nobody may overtake yet; the light key waits like anyone.
        assert not scheduler._express_for("light", clock.now)
        clock.now += 0.05  # 50 ms into a long turn: 5 slices, 25 × the light key's turns
        assert scheduler._express_for("light", clock.now)
        assert not scheduler._express_for("heavy", clock.now)  # its own turns are as long

        def light():
            with scheduler.turn("light"):  # runs now, beside the long turn
                order.append(scheduler._held.kind)

        thread = threading.Thread(target=light)
        thread.start()
        thread.join(30)  # it never waited for the holder, which is still inside its turn
        assert order == ["express"]
    assert not scheduler._express_busy


def test_a_waiting_light_key_is_promoted_to_express_when_the_running_turn_grows_long():
    clock = Clock()
    scheduler = FairScheduler(clock=clock)
    scheduler._turn_length = {"light": 0.002}
    order = []
    with scheduler.turn("heavy"):
        thread = queue_up(scheduler, "light", order)  # the heavy turn is young: it waits
        clock.now += 1.0  # the heavy turn has now run long; the waiter re-checks each slice
        until(lambda: order == ["light"])
    thread.join(30)


def test_equal_short_turns_never_use_the_express_turn():
    clock = Clock()
    scheduler = FairScheduler(clock=clock)
    scheduler._turn_length = {"a": 0.002, "b": 0.002}
    with scheduler.turn("a"):
        clock.now += 0.004  # a's turn is as short as b's
        assert not scheduler._express_for("b", clock.now)


def test_a_checkpoint_yields_only_to_a_lighter_waiter_and_only_after_a_slice():
    clock = Clock()
    scheduler = FairScheduler(clock=clock, express=False)
    scheduler._use = {"heavy": (5.0, clock.now), "light": (0.001, clock.now)}
    order = []
    with scheduler.turn("light"):
        thread = queue_up(scheduler, "heavy", order)
        clock.now += 1.0
        scheduler.checkpoint()  # the waiter is heavier: carry on
        order.append("light still")
    thread.join(30)
    assert order == ["light still", "heavy"]
    order.clear()
    with scheduler.turn("heavy"):
        thread = queue_up(scheduler, "light", order)
        scheduler.checkpoint()  # not a slice yet: carry on
        order.append("heavy before")
        clock.now += 1.0
        scheduler.checkpoint()  # a lighter key waits: it goes first, then we carry on
        order.append("heavy after")
    thread.join(30)
    assert order == ["heavy before", "light", "heavy after"]


def test_with_two_slots_two_keys_compute_at_once_and_a_third_waits():
    scheduler = FairScheduler(slots=2, clock=Clock(), express=False)
    order, b_in, b_may_leave = [], threading.Event(), threading.Event()

    def hold_b():
        with scheduler.turn("b"):
            b_in.set()
            b_may_leave.wait(30)

    with scheduler.turn("a"):
        b = threading.Thread(target=hold_b)
        b.start()
        assert b_in.wait(30) and scheduler.waiting == 0   # b computes while a does
        c = queue_up(scheduler, "c", order)                # both slots taken: c waits
        assert order == []
        b_may_leave.set()
        c.join(30)
        assert order == ["c"]                              # b's slot went to c, a still holds its own
    b.join(30)


def test_the_app_s_scheduler_has_the_configured_slots(make_app):
    assert make_app().extensions["scheduler"].slots == 1
    assert make_app(COMPUTE_SLOTS=2).extensions["scheduler"].slots == 2


@pytest.mark.parametrize("work", ["fork", "landscape"])
def test_long_builds_and_landscapes_offer_their_turn_between_their_parts(make_app, monkeypatch,
                                                                        work):
    """A fork of a large network builds for long and a landscape computes for long: each
    offers its turn to a lighter learner between its parts (checkpoint), as training does."""
    app = make_app()
    client = app.test_client()
    bare = {"grid": False, "weights": False, "history": False, "confusion": False}
    sid = client.post("/api/sessions", json={"snapshot": bare}).get_json()["id"]
    offered = []
    monkeypatch.setattr(app.extensions["scheduler"], "checkpoint", lambda: offered.append(1))
    if work == "fork":
        r = client.post(f"/api/sessions/{sid}/fork", json={"overrides": {"learning_rate": 0.1},
                                                           "snapshot": bare})
        assert r.status_code == 201 and r.get_json()["same_initial_weights"]
        assert len(offered) >= 2    # before taking the source's weights, and after building
    else:
        r = client.post(f"/api/sessions/{sid}/landscape", json={"sessions": [sid],
                                                                "resolution": 5})
        assert r.status_code == 200
        assert len(offered) >= 1    # after every piece of the grid
