"""Serving: running the app for one learner or a class.

- `server.py` — the waitress server (and a background one for tests and benchmarks);
- `edge.py` — its connections: per-address limit, header deadline, room when full, JSON errors;
- `dispatcher.py` — waitress's task dispatcher, waking the thread that went idle last;
- `malloc.py` — memory given back to the system (glibc's arenas and `malloc_trim`);
- `classroom.py` — `python -m app --workers N`: workers behind nginx, supervised;
- `proxy.py` — nginx's configuration and process (`python -m app.serve.proxy`);
- `children.py` — child processes that end with their launcher.
"""
