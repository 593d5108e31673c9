"""Take a run home, without Flask (a script or a notebook can use all of it):

- `run.py` — a session or a bare nn_core Trainer, seen alike (`run_of`);
- `figures.py` — the run's figures as Plotly figures;
- `report.py` — the self-contained HTML report (a session's, or Compare's);
- `script.py` — the trained network as a standalone NumPy file (export.py);
- `notebook.py` — the notebook that rebuilds the run with nn_core and checks it is the same.
"""
