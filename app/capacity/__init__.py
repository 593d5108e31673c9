"""Capacity: what the server may hold and spend, decided before any work.

- `limits.py` — every server limit (configurable per app) and the fixed bounds of request values;
- `memory.py` — a session's memory, estimated from its description (nn_core's own layout);
- `store.py` — the session store: which sessions exist, expiry, eviction, the memory budget,
  per-client quotas;
- `scheduler.py` — fair turns at the CPU.
"""
