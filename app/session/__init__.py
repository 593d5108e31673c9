"""The session domain: one learner's training session and everything it is made of, with no web
framework in it (usable from a script or a notebook).

- `training_session.py` — `TrainingSession`: config + points + network + trainer behind a lock;
- `config.py` — the configuration: defaults, merging a change, validation;
- `points.py` — the session's points: generated, split, or given;
- `fork.py` — a fork: its source's data and, when they fit, its initial weights;
- `snapshot_options.py`, `snapshot.py` — what the page draws after each request, its cost, and
  the grid feature matrices snapshots share;
- `model_io.py` — export and import of a whole session, exactly;
- `arrays.py` — compact array encodings (base64 of raw bytes);
- `validate.py`, `errors.py` — reading untrusted values; the error a client causes.
"""
