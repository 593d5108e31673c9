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
  turn has run `SLICE_MS` and someone waits, it goes back in the queue. Short requests never
  queue twice.
- The next turn goes to the waiting key (a session) that used the least CPU lately; each key's
  use decays with a half-life of `HALF_LIFE` seconds. A learner stepping one epoch at a time
  thus runs right after the current slice, however many turbo clients are busy, and sessions
  that all want everything share the CPU equally (a waiting key's use decays until it is the
  lightest, so no one starves). Ties go to the earliest arrival.
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
FORGET_AFTER = 120.0  # seconds without a turn before a key's record is dropped


class FairScheduler:
    def __init__(self, slots=1, half_life=HALF_LIFE, slice_ms=SLICE_MS, clock=time.perf_counter):
        self.slots = max(1, int(slots))
        self.half_life = float(half_life)
        self.slice = slice_ms / 1000.0
        self.clock = clock
        self._lock = threading.Lock()
        self._busy = 0
        self._waiting = []           # heap of (priority, arrival, Event)
        self._arrivals = itertools.count()
        self._use = {}               # key -> (decayed seconds of CPU, when last updated)
        self._last_sweep = clock()
        self._held = threading.local()  # this thread's turn: key, start, depth

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
        self._acquire(key)
        held.key, held.start, held.depth = key, self.clock(), 1
        try:
            yield
        finally:
            held.depth = 0
            self._release(key, self.clock() - held.start)

    def checkpoint(self):
        """Between two pieces of long work: give the turn to a lighter waiter once this turn
        has run a slice, then wait for it again. A no-op outside a turn or with no one waiting."""
        held = self._held
        if not getattr(held, "depth", 0) or not self._waiting:
            return
        if self.clock() - held.start < self.slice:
            return
        self._release(held.key, self.clock() - held.start)
        self._acquire(held.key)
        held.start = self.clock()

    def _priority(self, key):
        # Uses decay alike while keys wait, so compare them at one common time: log2 of the
        # use now plus now / half-life is exactly that, and never overflows.
        now = self.clock()
        used = self.usage(key, now)
        return (math.log2(used) if used > 0 else -math.inf) + now / self.half_life

    def _acquire(self, key):
        with self._lock:
            if self._busy < self.slots and not self._waiting:
                self._busy += 1
                return
            event = threading.Event()
            heapq.heappush(self._waiting, (self._priority(key), next(self._arrivals), event))
        event.wait()  # the releasing thread hands its slot over (busy count unchanged)

    def _release(self, key, seconds):
        with self._lock:
            now = self.clock()
            self._use[key] = (self.usage(key, now) + seconds, now)
            if now - self._last_sweep > FORGET_AFTER:
                self._sweep(now)
            if self._waiting:
                heapq.heappop(self._waiting)[2].set()  # the slot passes to the lightest waiter
            else:
                self._busy -= 1

    def _sweep(self, now):
        self._last_sweep = now
        stale = [k for k, (_, when) in self._use.items() if now - when > FORGET_AFTER]
        for key in stale:
            del self._use[key]


class NoScheduler:
    """What a session uses before it is stored (and in scripts): no waiting, no accounting."""

    @contextmanager
    def turn(self, key=None):
        yield

    def checkpoint(self):
        pass
