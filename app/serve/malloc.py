"""Giving memory back to the system: glibc's allocator, told how a playground server uses it.

The memory budget (`capacity/store.py`) counts what sessions hold; it bounds the process only
if memory a session or a request freed can be used again, or is returned. glibc keeps it
instead, in two ways that a busy class makes large (issue 23 measured 2.85 GB resident with
almost no sessions after 25 s of mixed load, and 4.56 GB once the 2 GB budget was filled):

- **One arena per thread.** Each of waitress's 32 threads that allocates while another does
  gets an arena of its own (up to 8 per core), and memory freed in one arena serves only that
  arena's next allocations. `limit_arenas()` caps them (`mallopt(M_ARENA_MAX)`), the setting
  `MALLOC_ARENA_MAX` makes before the interpreter starts: glibc reads that variable into the
  same parameter, and computes its arena limit only when a ninth arena would be made, so the
  call works as long as it comes before the server's threads start. `python -m app` calls it
  first thing, for `make run`, classroom workers and service units alike; a `MALLOC_ARENA_MAX`
  given in the environment wins.
- **Freed memory kept in the heap.** A session's arrays are freed when it is deleted, evicted or
  expires, but glibc returns a heap's free pages only from its top, and only past a threshold
  that rises as large blocks are freed. `Trimmer` calls `malloc_trim(0)`, which returns every
  free page of every arena, shortly after sessions holding `threshold` bytes went, in a thread
  of its own (a request never waits for it).

Measured with `bench/bench_memory.py` (docs/performance.md): each helps, both are needed.
`PLAYGROUND_MALLOC` in the environment chooses them for such measurements: `arenas,trim` (the
default), `arenas`, `trim`, or `none` (glibc as it is). Elsewhere than glibc (macOS, musl) both
do nothing.
"""

import ctypes
import os
import sys
import threading
import time

M_ARENA_MAX = -8          # <malloc.h>
ARENAS = 2
MB = 1024 * 1024


def _glibc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim.argtypes, libc.mallopt.argtypes = [ctypes.c_size_t], [ctypes.c_int] * 2
    except (OSError, AttributeError):
        return None
    return libc


LIBC = _glibc()
CHOICES = ("arenas", "trim")


def chosen(environ=None):
    """What `PLAYGROUND_MALLOC` asks for: a set of CHOICES (both unless it says otherwise)."""
    environ = os.environ if environ is None else environ
    words = {w.strip() for w in environ.get("PLAYGROUND_MALLOC", ",".join(CHOICES)).split(",")}
    return {w for w in words if w in CHOICES}


def limit_arenas(count=ARENAS, environ=None):
    """Cap glibc's arenas at `count` unless the environment already chose (MALLOC_ARENA_MAX, a
    glibc.malloc.arena_max tunable, or PLAYGROUND_MALLOC without "arenas"). True if the limit
    was set here."""
    environ = os.environ if environ is None else environ
    if LIBC is None or "arenas" not in chosen(environ) or environ.get("MALLOC_ARENA_MAX") or \
            "arena_max" in environ.get("GLIBC_TUNABLES", ""):
        return False
    return LIBC.mallopt(M_ARENA_MAX, int(count)) == 1


def trim():
    """Return every free page of every arena to the system now. True if any was."""
    return LIBC is not None and LIBC.malloc_trim(0) == 1


class Trimmer:
    """`freed(n_bytes)` after sessions go: once `threshold` bytes have gone, `malloc_trim` runs
    `delay` seconds later (requests still holding the sessions finish first) in a short-lived
    thread; frees meanwhile join that trim, and trims are at least `gap` seconds apart. A trim
    takes tens of milliseconds when there is much to give back (measured: ~40–65 ms for
    ~300–600 MB), during which other threads' allocations wait: the gap keeps a client that
    forks and deletes the largest session again and again from making every request wait."""

    def __init__(self, threshold=16 * MB, delay=0.5, gap=3.0, release=None, environ=None):
        self.threshold, self.delay, self.gap = threshold, delay, gap
        self._release = release or trim   # tests pass a function that counts
        self.enabled = "trim" in chosen(environ) and (LIBC is not None or release is not None)
        self._lock = threading.Lock()
        self._pending = 0
        self._thread = None
        self._last = -float("inf")   # when the last trim ended (monotonic)
        self.trims = 0

    def freed(self, n_bytes):
        if not self.enabled:
            return
        with self._lock:
            self._pending += n_bytes
            if self._pending < self.threshold or self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="malloc-trim", daemon=True)
            self._thread.start()

    def _run(self):
        while True:
            time.sleep(max(self.delay, self._last + self.gap - time.monotonic()))
            with self._lock:
                self._pending = 0
            self._release()
            with self._lock:
                self.trims += 1
                self._last = time.monotonic()
                if self._pending < self.threshold:   # else more went meanwhile: again
                    self._thread = None
                    return
