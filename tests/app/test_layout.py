"""The layout of `app/` keeps its promises: sub-packages by role at the top, and a session
domain, the lessons' validator and the exports, which work without Flask (from a script or a
notebook)."""

import subprocess
import sys
from pathlib import Path

import app

APP = Path(app.__file__).parent

# Runs in a fresh interpreter where importing Flask or Werkzeug fails.
WITHOUT_FLASK = r"""
import importlib, pkgutil, sys

class NoWeb:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("flask", "werkzeug"):
            raise ImportError(f"{name} is blocked in this test")
        return None

sys.meta_path.insert(0, NoWeb())
import app.capacity, app.exports, app.lessons, app.session
for package in (app.session, app.capacity, app.lessons, app.exports):
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")

from app.capacity.limits import DEFAULTS
from app.session import model_io, snapshot, snapshot_options
from app.session.training_session import TrainingSession

session = TrainingSession.create({"dataset": "xor", "hidden_layers": [3]}, DEFAULTS)
done = session.step(epochs=3)
snap = snapshot.build(session, snapshot_options.parse_options({}, DEFAULTS))
copy = model_io.build_import(model_io.plan_import(model_io.export_session(session), DEFAULTS),
                             DEFAULTS)
same = (copy.network.params == session.network.params).all()
print(done["epochs"], snap["epoch"], snap["grid"]["resolution"], bool(same),
      "flask" in sys.modules)
"""


def test_app_keeps_only_its_entry_points_at_the_top():
    top = sorted(p.name for p in APP.glob("*.py"))
    assert top == ["__init__.py", "__main__.py"]
    packages = sorted(p.name for p in APP.iterdir() if (p / "__init__.py").is_file())
    assert packages == ["api", "capacity", "exports", "http", "lessons", "serve", "session"]


def test_the_session_domain_capacity_lessons_and_exports_work_without_flask():
    result = subprocess.run([sys.executable, "-c", WITHOUT_FLASK], capture_output=True,
                            text=True, cwd=APP.parent, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3", "3", "100", "True", "False"]
