"""The routes: one blueprint module per area, registered in this order.

- `sessions.py` — create, read, change, delete, step, reset, edit a weight, export;
- `data.py` — a session's points;
- `inspect.py` — one point, or the next minibatch, through the network (trace);
- `slice.py` — the loss along one weight, and its slope;
- `practice.py` — exercises the learner computes by hand, and their answers marked;
- `predict.py` — the network's answer for up to 256 points (the drawing pad's digits);
- `compare.py` — fork, and the loss landscape of several runs;
- `lessons.py` — the lessons (built-in and a teacher's), loaded once when the app starts;
- `exports.py` — take a run home: the HTML report, the network as a script, the notebook;
- `options.py` — every name, range, limit and default the page builds its controls from;
- `pages.py` — the page itself and plotly.js;
- `request.py` — the one path every session request takes (not a blueprint).

A new area is a new module with a `bp` and one line in `BLUEPRINTS`.
"""

from . import compare, data, exports, inspect, lessons, options, pages, practice, predict, sessions, slice

BLUEPRINTS = [sessions.bp, data.bp, inspect.bp, slice.bp, predict.bp, practice.bp, compare.bp,
              lessons.bp, exports.bp, options.bp, pages.bp]


def register(app):
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
