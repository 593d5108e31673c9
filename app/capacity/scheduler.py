"""Fair turns at the CPU: one request computes at a time, the lightest user goes first.

Python runs one thread at a time (the GIL), so eight threads training at once do not train
faster than one: they thrash, handing the interpreter back and forth, and a learner's 2 ms step
waits behind other learners' 250 ms of turbo. So every piece of work on a network (building
it, training, a snapshot) runs inside a *turn*:

    with scheduler.turn(session_id):
        trainer.run(...)              # in slices, with scheduler.checkpoint() between them

- One turn at a time (`slots`, default 1; more only pays when NumPy releases the GIL for long,
  i.e. large networks). Threads waiting for a turn sleep, so the interpreter is shared by the
  one thread computing and the server's I/O, not by twenty threads.
- A turn is held for a whole request (its training and its snapshot), but long work calls
  `checkpoint()` between short pieces (training slices of `SLICE_MS`, snapshot parts): once the
  turn has run `SLICE_MS` and a lighter key waits, it goes back in the queue. Short requests
  never queue twice, and a light request is never sent back behind heavier ones.
- The next turn goes to the waiting key (a session) that used the least CPU lately; each key's
  use decays with a half-life of `HALF_LIFE` seconds. A learner stepping one epoch at a time
  thus runs right after the current slice, however many turbo clients are busy, and sessions
  that all want everything share the CPU equally (a waiting key's use decays until it is the
  lightest, so no one starves). Ties go to the earliest arrival.
- One more turn, the *express* turn, is kept for short work while long work runs: a key takes
  it when every normal turn has already run longer than a slice and `EXPRESS_RATIO` times the
  key's own turns (on average). A learner stepping one epoch at a time then runs at once, on
  the second core, while a large network's grid pass (NumPy, which mostly releases the GIL)
  goes on; learners that all do short steps never use it, and still take turns one at a time.
- Turns nest: a thread that holds one and asks again just carries on. A turn must never wait
  for anything else (a session lock, the network): take the session's lock first.
"""

import heapq
import itertools
import math
import threading
import time
from contextlib import contextmanager

SLICE_MS = 10.0
HALF_LIFE = 2.0
EXPRESS_RATIO = 4.0
FORGET_AFTER = 120.0  # seconds without a turn before a key's record is dropped


class FairScheduler:
    def __init__(self, slots=1, half_life=HALF_LIFE, slice_ms=SLICE_MS, express=True,
                 clock=time.perf_counter):
        self.slots = max(1, int(slots))
        self.half_life = float(half_life)
        self.slice = slice_ms / 1000.0
        self.express = bool(express)
        self.clock = clock
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # an arrival or a release
        self._watcher = None         # the thread that hands out the express turn, while needed
        self._busy = 0               # normal turns in use
        self._express_busy = False
        self._holders = {}           # key -> [normal turns it holds, when it took the latest]
        self._turn_length = {}       # key -> moving average of its turns' length (seconds)
        self._waiting = []           # heap of [priority, arrival, key, Event, kind granted]
        self._arrivals = itertools.count()
        self._use = {}               # key -> (decayed seconds of CPU, when last updated)
        self._last_sweep = clock()
        self._held = threading.local()  # this thread's turn: key, kind, start, depth

    @property
    def waiting(self):
        return len(self._waiting)

    def usage(self, key, now=None):
        """The key's recent CPU use in seconds, decayed to `now`."""
        used, when = self._use.get(key, (0.0, None))
        if when is None:
            return 0.0
        now = self.clock() if now is None else now
        return used * 0.5 ** ((now - when) / self.half_life)

    @contextmanager
    def turn(self, key=None):
        """Run the block in `key`'s turn (at once if this thread already holds one)."""
        held = self._held
        if getattr(held, "depth", 0):
            held.depth += 1
            try:
                yield
            finally:
                held.depth -= 1
            return
        held.kind = self._acquire(key)
        held.key, held.start, held.depth = key, self.clock(), 1
        try:
            yield
        finally:
            held.depth = 0
            self._release(key, held.kind, self.clock() - held.start)

    def checkpoint(self):
        """Between two pieces of long work: once this turn has run a slice, give it to a waiting
        key that used less CPU (counting this turn so far), then wait for it again. A no-op
        outside a turn, or when no lighter key waits."""
        held = self._held
        if not getattr(held, "depth", 0) or not self._waiting:
            return
        now = self.clock()
        ran = now - held.start
        if ran < self.slice:
            return
        with self._lock:
            lighter = self._waiting and self._waiting[0][0] < self._priority(held.key, ran, now)
        if not lighter:
            return
        self._release(held.key, held.kind, ran)
        held.kind = self._acquire(held.key)
        held.start = self.clock()

    def _priority(self, key, extra=0.0, now=None):
        # Uses decay alike while keys wait, so compare them at one common time: log2 of the
        # use now plus now / half-life is exactly that, and never overflows.
        now = self.clock() if now is None else now
        used = self.usage(key, now) + extra
        return (math.log2(used) if used > 0 else -math.inf) + now / self.half_life

    def _express_for(self, key, now):
        """Whether `key` may take the express turn: it is free, and every normal turn has run
        longer than a slice and than EXPRESS_RATIO times the key's usual turn."""
        if not self.express or self._express_busy or not self._holders:
            return False
        long = max(self.slice, EXPRESS_RATIO * self._turn_length.get(key, 0.0))
        return all(now - started >= long for _, started in self._holders.values())

    def _take(self, key, kind):
        if kind == "express":
            self._express_busy = True
        else:
            held = self._holders.setdefault(key, [0, 0.0])
            held[0] += 1
            held[1] = self.clock()

    def _acquire(self, key):
        """Wait for a turn; → "normal" or "express"."""
        with self._lock:
            now = self.clock()
            if self._busy < self.slots and not self._waiting:
                self._busy += 1
                self._take(key, "normal")
                return "normal"
            if self._express_for(key, now):
                self._take(key, "express")
                return "express"
            entry = [self._priority(key, now=now), next(self._arrivals), key, threading.Event(),
                     None]
            heapq.heappush(self._waiting, entry)
            self._watch()
        entry[3].wait()  # a releasing thread (or the watcher) hands over a turn and its kind
        return entry[4]

    def _watch(self):
        """Make sure the watcher runs (under the lock): while someone waits, it hands the
        express turn to the waiter for whom the running turns have become long."""
        if not self.express:
            return
        self._changed.notify()
        if self._watcher is None:
            self._watcher = threading.Thread(target=self._watcher_loop, name="express-turns",
                                             daemon=True)
            self._watcher.start()

    def _watcher_loop(self):
        # One thread for all waiters: it sleeps until the next moment a waiter could qualify
        # (or until something changes), and leaves when no one waits.
        with self._lock:
            while self._waiting:
                wake = self._express_due(self.clock())
                self._changed.wait(wake)
            self._watcher = None

    def _express_due(self, now):
        """Grant the express turn if a waiter qualifies now; else seconds until one could (None:
        not while the holders stay as they are)."""
        if self._express_busy or not self._holders or not self._waiting:
            return None
        youngest = max(started for _, started in self._holders.values())
        best = None
        for entry in sorted(self._waiting):
            long = max(self.slice, EXPRESS_RATIO * self._turn_length.get(entry[2], 0.0))
            due = youngest + long - now
            if due <= 0:
                self._waiting.remove(entry)
                heapq.heapify(self._waiting)
                self._grant(entry, "express")
                return None
            best = due if best is None else min(best, due)
        return best

    def _release(self, key, kind, seconds):
        with self._lock:
            now = self.clock()
            self._use[key] = (self.usage(key, now) + seconds, now)
            self._turn_length[key] = 0.7 * self._turn_length.get(key, seconds) + 0.3 * seconds
            if now - self._last_sweep > FORGET_AFTER:
                self._sweep(now)
            if kind == "express":
                self._express_busy = False
            else:
                self._holders[key][0] -= 1
                if not self._holders[key][0]:
                    del self._holders[key]
                if self._waiting:
                    self._grant(heapq.heappop(self._waiting), "normal")  # the slot passes on
                else:
                    self._busy -= 1
            if self._waiting and self._express_for(self._waiting[0][2], now):
                self._grant(heapq.heappop(self._waiting), "express")
            if self._watcher is not None:
                self._changed.notify()  # holders changed; with no one waiting, it leaves

    def _grant(self, entry, kind):
        self._take(entry[2], kind)
        entry[4] = kind
        entry[3].set()

    def _sweep(self, now):
        self._last_sweep = now
        stale = [k for k, (_, when) in self._use.items()
                 if now - when > FORGET_AFTER and k not in self._holders]
        for key in stale:
            del self._use[key]
            self._turn_length.pop(key, None)


class NoScheduler:
    """What a session uses before it is stored (and in scripts): no waiting, no accounting."""

    @contextmanager
    def turn(self, key=None):
        yield

    def checkpoint(self):
        pass
