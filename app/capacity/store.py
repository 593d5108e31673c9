"""The session store: which training sessions exist, who used them last, when they go, and
how much memory they may hold together.

One store lives on the app (`app.extensions["sessions"]`), never in a module global, so two
apps (two tests) never share sessions. The store has its own lock for the table; each session
has its own lock for its network (see `TrainingSession`), so requests to one session are
serialised.

Expiry and eviction, decided once here:
- a session unused for `idle_timeout` seconds is gone (404 afterwards);
- room is made the same way for a new session (`max_sessions`) and for memory (`memory_budget`,
  bytes, against each session's estimate from `capacity/memory.py`): expired sessions go first,
  then the least-recently-used sessions idle at least `evict_idle` seconds; if that is not
  enough the request gets 429: an active learner is never thrown out by a newcomer.
- Memory is *reserved* before a session is built or grown and given back if building fails,
  so concurrent requests can never together overshoot the budget.
- Each client (the address a request comes from, `app/http/client.py`) may hold at most
  `client_sessions` sessions and `client_memory` bytes of them: one client cannot take every
  seat or the whole budget from a class. Room for a client past its quota is made from its own
  sessions idle at least `evict_idle` (a tab closed without saying so), else it gets a 429
  naming the quota (`client_sessions`, `client_memory`). Requests without a client (scripts,
  tests of the store) have no quota.

Ids are `secrets.token_urlsafe(24)` (192 bits), after the store's `id_prefix` (a worker's
name and a dot when several worker processes share a proxy, see docs/deploy.md).
"""

import secrets
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager

from ..session.errors import ApiError
from .memory import describe

ID_BYTES = 24  # 192 bits of randomness from `secrets`


def new_id(prefix=""):
    return prefix + secrets.token_urlsafe(ID_BYTES)


def owner_of(session_id):
    """The worker whose store made `session_id` (the name before its dot; "" without one)."""
    name, dot, _ = session_id.partition(".")
    return name if dot else ""


class Reservation:
    """Bytes held for a session being built; `add` takes them over, `release` gives them back."""

    def __init__(self, store, n_bytes, client=None):
        self.store, self.n_bytes, self.client, self.open = store, n_bytes, client, True

    def release(self):
        if self.open:
            self.open = False
            self.store._unreserve(self)


class SessionStore:
    """A bounded, thread-safe table id → session, in least-recently-used order."""

    def __init__(self, max_sessions=200, idle_timeout=1800.0, evict_idle=300.0,
                 clock=time.monotonic, memory_budget=None, id_prefix="", client_sessions=None,
                 client_memory=None, on_drop=None):
        self.max_sessions = int(max_sessions)
        self.idle_timeout = float(idle_timeout)
        self.evict_idle = float(evict_idle)
        self.memory_budget = None if memory_budget is None else int(memory_budget)
        self.client_sessions = None if client_sessions is None else int(client_sessions)
        self.client_memory = None if client_memory is None else int(client_memory)
        self.id_prefix = id_prefix
        self.clock = clock  # replaceable in tests, so expiry needs no sleeping
        self._lock = threading.Lock()
        self._sessions = OrderedDict()  # id -> session; last item = most recently used
        self._last_used = {}
        self._bytes = {}                # id -> the session's memory estimate
        self._owner = {}                # id -> the client that created it (None: no client)
        self._reserved = 0              # bytes held for sessions being built ...
        self._places = 0                # ... and their places among max_sessions
        self._client_reserved = {}      # client -> [places, bytes] of its reservations
        # Called with the estimated bytes of the sessions that went (deleted, expired, evicted),
        # outside the lock: the server gives freed memory back (serve/malloc.py).
        self.on_drop = on_drop
        self._dropped = 0

    @contextmanager
    def _table(self):
        """The table's lock; sessions dropped meanwhile are reported once it is released."""
        dropped = 0
        try:
            with self._lock:
                try:
                    yield
                finally:
                    dropped, self._dropped = self._dropped, 0
        finally:
            if dropped and self.on_drop is not None:
                self.on_drop(dropped)

    @property
    def memory_used(self):
        """Estimated bytes of every session, plus those reserved for sessions being built."""
        with self._lock:
            return sum(self._bytes.values()) + self._reserved

    def __len__(self):
        with self._lock:
            return len(self._sessions)

    def ids(self):
        with self._lock:
            return list(self._sessions)

    def check_room(self, client=None):
        """Raise 429 now if a new session (of `client`) could not be added (before building
        one)."""
        with self._table():
            self._make_room(dry_run=True, client=client)

    def reserve(self, n_bytes, client=None):
        """Hold `n_bytes` of the budget, and a place, for a session `client` is about to build
        (429 if neither idle sessions nor expired ones can make room). → a `Reservation`."""
        with self._table():
            self._make_room(dry_run=False, n_bytes=n_bytes, client=client)
            self._hold(client, 1, n_bytes)
            return Reservation(self, n_bytes, client)

    def _hold(self, client, places, n_bytes):
        """Count (or, negative, give back) reserved places and bytes, in all and `client`'s."""
        self._reserved += n_bytes
        self._places += places
        if client is not None:
            held = self._client_reserved.setdefault(client, [0, 0])
            held[0] += places
            held[1] += n_bytes
            if held == [0, 0]:
                del self._client_reserved[client]

    def _unreserve(self, reservation):
        with self._lock:
            self._hold(reservation.client, -1, -reservation.n_bytes)

    def add(self, session, reservation=None, client=None):
        """Store `session` under a fresh id for `client` (the reservation's, if given) and
        return the id (429 when full).

        With a `reservation` its bytes become the session's; without one the session's
        `memory` (0 if it has none) is checked against the budget now.
        """
        with self._table():
            n_bytes = getattr(session, "memory", 0) or 0
            if reservation is not None:
                client = reservation.client
            if reservation is not None and reservation.open:
                # The reserved place and bytes become the session's: with an estimate no
                # larger than the reservation, the check below cannot fail.
                reservation.open = False
                self._hold(client, -1, -reservation.n_bytes)
            self._make_room(dry_run=False, n_bytes=n_bytes, client=client)
            session_id = new_id(self.id_prefix)  # 192 random bits: never one already taken
            session.id = session_id
            self._sessions[session_id] = session
            self._last_used[session_id] = self.clock()
            self._bytes[session_id] = n_bytes
            self._owner[session_id] = client
            return session_id

    def owner(self, session_id):
        """The client that created the session (None: created without one)."""
        with self._lock:
            return self._owner.get(session_id)

    def client_usage(self, client):
        """(sessions, bytes) `client` holds now, its reservations included."""
        with self._lock:
            return self._client_usage(client)

    def _client_usage(self, client):
        mine = [sid for sid, owner in self._owner.items() if owner == client]
        places, n_bytes = self._client_reserved.get(client, (0, 0))
        return len(mine) + places, sum(self._bytes[sid] for sid in mine) + n_bytes

    def resize(self, session_id, n_bytes):
        """The session now needs `n_bytes`: growing it may evict idle sessions, or give 429
        (the session keeps its old size then); shrinking always succeeds."""
        with self._table():
            old = self._bytes.get(session_id)
            if old is None:  # deleted or expired meanwhile: nothing to account
                return
            if n_bytes > old:
                self._make_room(dry_run=False, n_bytes=n_bytes - old, room=False,
                                keep=session_id, client=self._owner.get(session_id))
            self._bytes[session_id] = n_bytes

    def get(self, session_id):
        """The session, marked as just used; 404 if unknown or expired."""
        with self._table():
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
        with self._table():
            if session_id not in self._sessions:
                raise ApiError(404, "no such session (it may have expired)", "id", None)
            self._drop(session_id)

    def expire(self):
        """Drop every session idle longer than `idle_timeout`; return how many went."""
        with self._table():
            return self._expire(self.clock())

    def _expire(self, now):
        stale = [sid for sid, used in self._last_used.items()
                 if now - used > self.idle_timeout]
        for sid in stale:
            self._drop(sid)
        return len(stale)

    def _make_room(self, dry_run, n_bytes=0, room=True, keep=None, client=None):
        """Expire, then evict idle sessions (least recently used first) until a new session
        (`room`) and `n_bytes` more fit `client`'s quota and the store's limits; else 429.
        `dry_run` only checks."""
        now = self.clock()
        self._expire(now)
        evictable = [sid for sid in self._sessions
                     if sid != keep and now - self._last_used[sid] >= self.evict_idle]
        victims = self._room_for_client(client, evictable, n_bytes, room)
        count = len(self._sessions) + self._places - len(victims)
        used = sum(self._bytes.values()) + self._reserved - sum(self._bytes[v] for v in victims)
        budget = self.memory_budget
        for sid in evictable:
            too_many = room and count >= self.max_sessions
            too_big = budget is not None and used + n_bytes > budget
            if not (too_many or too_big):
                break
            if sid in victims:
                continue
            victims.append(sid)
            count -= 1
            used -= self._bytes.get(sid, 0)
        if room and count >= self.max_sessions:
            raise ApiError(429, f"too many sessions ({self.max_sessions}); try again later or "
                           "delete one", "sessions", [0, self.max_sessions])
        if budget is not None and used + n_bytes > budget:
            raise ApiError(
                429, f"the server's memory budget ({describe(budget)}) is taken by other "
                f"sessions: this needs {describe(n_bytes)} more and {describe(max(0, budget - used))} "
                "is free; try again later, or a smaller network or fewer points", "memory",
                [0, budget])
        if not dry_run:
            for sid in victims:
                self._drop(sid)

    def _room_for_client(self, client, evictable, n_bytes, room):
        """The client's own idle sessions to evict so that a new session (`room`) and `n_bytes`
        more fit its quotas (429 naming the quota if they cannot)."""
        if client is None or (self.client_sessions is None and self.client_memory is None):
            return []
        count, used = self._client_usage(client)
        most, share = self.client_sessions, self.client_memory
        victims = []
        for sid in (sid for sid in evictable if self._owner.get(sid) == client):
            too_many = room and most is not None and count >= most
            too_big = share is not None and used + n_bytes > share
            if not (too_many or too_big):
                break
            victims.append(sid)
            count -= 1
            used -= self._bytes[sid]
        if room and most is not None and count >= most:
            raise ApiError(
                429, f"this client already has {count} sessions, the most one client may have "
                f"({most}): close a tab or a comparison you no longer use, or try again once "
                "one has been unused for a few minutes", "client_sessions", [0, most])
        if share is not None and used + n_bytes > share:
            raise ApiError(
                429, f"this client's sessions already take {describe(used)} of the "
                f"{describe(share)} one client may use, and this needs {describe(n_bytes)} more: "
                "close a session you no longer use, or use a smaller network or fewer points",
                "client_memory", [0, share])
        return victims

    def _drop(self, session_id):
        self._dropped += self._bytes.get(session_id, 0)
        self._sessions.pop(session_id, None)
        self._last_used.pop(session_id, None)
        self._bytes.pop(session_id, None)
        self._owner.pop(session_id, None)
