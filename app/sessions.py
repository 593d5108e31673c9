"""The session store: which training sessions exist, who used them last, and when they go.

One store lives on the app (`app.extensions["sessions"]`), never in a module global, so two
apps (two tests) never share sessions. The store has its own lock for the table; each session
has its own lock for its network (see `TrainingSession`), so different sessions train in
parallel while requests to one session are serialised.

Expiry and eviction, decided once here:
- a session unused for `idle_timeout` seconds is gone (404 afterwards);
- when the store is full, creating a session first drops expired ones, then evicts the
  least-recently-used session if it has been idle at least `evict_idle` seconds; if every
  session was used more recently than that, the request gets 429: an active learner is never
  thrown out by a newcomer.
"""

import secrets
import threading
import time
from collections import OrderedDict

from .errors import ApiError

ID_BYTES = 24  # 192 bits of randomness from `secrets`


def new_id():
    return secrets.token_urlsafe(ID_BYTES)


class SessionStore:
    """A bounded, thread-safe table id → session, in least-recently-used order."""

    def __init__(self, max_sessions=200, idle_timeout=1800.0, evict_idle=300.0,
                 clock=time.monotonic):
        self.max_sessions = int(max_sessions)
        self.idle_timeout = float(idle_timeout)
        self.evict_idle = float(evict_idle)
        self.clock = clock  # replaceable in tests, so expiry needs no sleeping
        self._lock = threading.Lock()
        self._sessions = OrderedDict()  # id -> session; last item = most recently used
        self._last_used = {}

    def __len__(self):
        with self._lock:
            return len(self._sessions)

    def ids(self):
        with self._lock:
            return list(self._sessions)

    def check_room(self):
        """Raise 429 now if a new session could not be added (before building one)."""
        with self._lock:
            self._make_room(dry_run=True)

    def add(self, session):
        """Store `session` under a fresh id and return the id (429 when full)."""
        with self._lock:
            self._make_room(dry_run=False)
            session_id = new_id()
            while session_id in self._sessions:  # never happens with 192 bits, but cheap
                session_id = new_id()
            session.id = session_id
            self._sessions[session_id] = session
            self._last_used[session_id] = self.clock()
            return session_id

    def get(self, session_id):
        """The session, marked as just used; 404 if unknown or expired."""
        with self._lock:
            session = self._sessions.get(session_id)
            now = self.clock()
            if session is not None and now - self._last_used[session_id] > self.idle_timeout:
                self._drop(session_id)
                session = None
            if session is None:
                raise ApiError(404, "no such session (it may have expired)", "id", None)
            self._sessions.move_to_end(session_id)
            self._last_used[session_id] = now
            return session

    def delete(self, session_id):
        """Remove the session; 404 if there was none."""
        with self._lock:
            if session_id not in self._sessions:
                raise ApiError(404, "no such session (it may have expired)", "id", None)
            self._drop(session_id)

    def expire(self):
        """Drop every session idle longer than `idle_timeout`; return how many went."""
        with self._lock:
            return self._expire(self.clock())

    def _expire(self, now):
        stale = [sid for sid, used in self._last_used.items()
                 if now - used > self.idle_timeout]
        for sid in stale:
            self._drop(sid)
        return len(stale)

    def _make_room(self, dry_run):
        now = self.clock()
        self._expire(now)
        if len(self._sessions) < self.max_sessions:
            return
        oldest = next(iter(self._sessions), None)
        if oldest is not None and now - self._last_used[oldest] >= self.evict_idle:
            if not dry_run:
                self._drop(oldest)
            return
        raise ApiError(429, f"too many sessions ({self.max_sessions}); try again later or "
                       "delete one", "sessions", [0, self.max_sessions])

    def _drop(self, session_id):
        self._sessions.pop(session_id, None)
        self._last_used.pop(session_id, None)
