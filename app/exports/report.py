"""The run as one self-contained HTML file: opens offline, anywhere, years from now.

    html = session_report(session, point=("train", 12))       # a str; the server sends it
    parts = [compare_part(s) for s in sessions]                # each under its own lock
    html = compare_report(parts, run_names(parts), landscape)  # Compare: every run together

plotly.js (from the installed plotly package) is inlined once in the head; each figure
(figures.py) follows as a `<div>` and the script that draws it (`plotly.io.to_html` without
plotly.js). Nothing refers to another file or host: no `src=` or `href=` at all, no fonts, no
MathJax. Sections: the settings and final metrics with the seeds and how to reproduce the run,
the curves, the output (and its animation over training), the weights, the confusion matrices
(classification) and, when a point was inspected, its trace written as equations with numbers.
"""

import datetime
import html

import numpy as np
import plotly.io as pio
from plotly.offline import get_plotlyjs

from nn_core import textbook

from . import figures
from .run import run_of

CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]}
MAX_MATRIX = 64    # a trace shows a layer's W, ∂L/∂W and ΔW in full up to this many entries
STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2a30;
       margin: 0 auto; max-width: 1100px; padding: 0 20px 60px; }
header { border-bottom: 1px solid #dde3e7; margin-bottom: 10px; }
h1 { font-size: 24px; margin: 24px 0 4px; } h2 { font-size: 19px; margin: 32px 0 6px; }
.note { color: #5b6770; margin: 4px 0 12px; } code { background: #f2f5f7; padding: 1px 4px; }
.figure { margin: 8px 0 16px; } table.eq { border-collapse: collapse; margin: 4px 0 12px; }
table.eq td { border: 1px solid #dde3e7; padding: 2px 6px; font: 13px ui-monospace, monospace;
              text-align: right; }
.eqn { font: 14px ui-monospace, "DejaVu Sans Mono", monospace; margin: 6px 0; white-space: pre-wrap; }
"""


def session_report(source, point=None, made=None):
    """The HTML report of a session (or `run_of` of a trainer); `point` = ("train" | "test",
    index) adds that point's trace."""
    run = run_of(source)
    t = run.trainer
    title = f"{run.dataset or 'a network'} — epoch {t.epoch}"
    scheduler = getattr(source, "scheduler", None)
    parts = [_intro_text(title, made),
             _section("Settings and results", figures.summary(run), _reproduce(run)),
             _section("Training", figures.curves(run),
                      "The loss is the data loss (the penalty of regularization is apart); "
                      "one point per epoch, thinned evenly on long runs.")]
    _pause(scheduler)
    if run.kind == "image":
        parts.append(_section("What the network answers", figures.digit_gallery(run)))
    parts.append(_section("The output", figures.output_map(run), _output_note(run)))
    _pause(scheduler)
    parts.append(_section("Over training", figures.animation(run),
                          "Press play, or drag the slider: the output at the epochs the run "
                          "recorded (its weights kept as float32: a drawing, not a checkpoint)."))
    _pause(scheduler)
    parts.append(_section("Weights", figures.weights(run),
                          "Each layer's weights W (one row per input, the last row its biases b), "
                          "one column per neuron; blue positive, orange negative."))
    if run.kind == "image":
        parts.append(_section("First-layer weights as images", figures.first_layer_images(run)))
    if run.problem != "regression":
        parts.append(_section("Confusion matrices", figures.confusion(run)))
    if point is not None:
        parts.append(trace_section(run, *point))
    return _page(title, parts)


def compare_part(session):
    """What Compare's report takes from one run (call under its lock): its settings and
    results, its curves' numbers and its configuration (to name it)."""
    return {"rows": figures.settings(session) + figures.metrics(session),
            "history": session.trainer.history.since(0), "config": dict(session.config),
            "epoch": session.trainer.epoch}


def run_names(parts):
    """Each run named by the settings in which the runs differ ("optimizer sgd", "optimizer
    adam"); "run i" when they differ in nothing."""
    configs = [part["config"] for part in parts]
    differs = [key for key in configs[0] if any(c.get(key) != configs[0][key] for c in configs)]
    # a new optimizer or schedule brings its own parameters: its name says enough
    shown = [key for key in differs
             if not (key.endswith("_params") and key[:-len("_params")] in differs)]
    return [", ".join(f"{key.replace('_', ' ')} {_value(c[key])}" for key in shown) or f"run {i + 1}"
            for i, c in enumerate(configs)]


def _value(value):
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def compare_report(parts, names, landscape, made=None):
    """The HTML report of Compare: the runs' settings and results side by side, their curves
    together, and the landscape (the server's answer to the landscape request) with every
    run's path."""
    dataset = parts[0]["config"]["dataset"]
    title = f"Compare: {len(parts)} runs on {dataset}"
    sections = [_intro_text(title, made),
                _section("Settings and results",
                         figures.table([(name, part["rows"]) for name, part in zip(names, parts)])),
                _section("Training, every run",
                         figures.compare_curves([(n, p["history"]) for n, p in zip(names, parts)]),
                         "Solid: training points, dotted: test points."),
                _section("The loss landscape", figures.landscape(landscape, names),
                         "The data loss on a plane through the first run's weights; each line "
                         "is a run's path (its recorded weights projected onto that plane).")]
    return _page(title, sections)


def _output_note(run):
    if run.kind == "plane":
        return ("Background: the network's output at every point of the plane; dots: the "
                "training points (white rim) and the test points (black rim).")
    return ("The inputs are more than two numbers, so the output is drawn on a slice: the plane "
            "of the data's first two principal components (the directions it varies most), "
            "with every point projected onto it. Off that plane the network may do otherwise.")


# --------------------------------------------------------------------------- pieces
def _pause(scheduler):
    """A checkpoint between figures: a lighter learner may take the CPU for a while."""
    if scheduler is not None:
        scheduler.checkpoint()


def _page(title, parts):
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style>"
            f"<script>{get_plotlyjs()}</script></head>\n<body>\n" + "\n".join(parts)
            + "\n</body></html>\n")


def _intro_text(title, made):
    made = made or datetime.datetime.now().astimezone()
    return (f"<header><h1>{html.escape(title)}</h1><p class=\"note\">A report of Neural Network "
            f"from Scratch — Playground, made {made:%Y-%m-%d %H:%M %Z}. It needs no network: "
            "every figure is in this file (hover, zoom and play them).</p></header>")


def _section(heading, figure=None, note=""):
    body = f"<section><h2>{html.escape(heading)}</h2>"
    if note:
        body += f"<p class=\"note\">{html.escape(note)}</p>"
    if figure is not None:
        body += ("<div class=\"figure\">" + pio.to_html(figure, include_plotlyjs=False,
                                                         full_html=False, config=CONFIG,
                                                         auto_play=False)
                 + "</div>")
    return body + "</section>"


def _reproduce(run):
    net, config = run.net, run.config or {}
    seeds = f"network seed {net.seed} (its initial weights and the minibatch order)"
    if config.get("data_seed") is not None:
        seeds += f", data seed {config['data_seed']} (the points and the split)"
    return (f"Seeds: {seeds}. To reproduce this run exactly, download the notebook (Export ▸ "
            "notebook) and run it from the project's folder: it rebuilds the data, the network "
            "and every change of settings at the minibatch it was made, and checks that the "
            "final training loss is the same number. To go on training in the playground, "
            "import the model (Export ▸ model).")


# --------------------------------------------------------------------------- the trace
def trace_section(source, which, index):
    """One point through the network (nn_core.textbook.trace), written as equations with the
    numbers filled in: forward pass, loss, backpropagation and the update it implies."""
    run = run_of(source)
    points, labels = ((run.train_points, run.train_labels) if which == "train"
                      else (run.test_points, run.test_labels))
    x, label = points[index], labels[index].item()
    t = run.trainer
    traced = textbook.trace(run.net, run.inputs(x[None, :])[0], label, t.learning_rate,
                            t.regularizer.name, t.reg_rate)
    lines = [f"<section><h2>Inspected point: {which} point {index}</h2>",
             f"<p class=\"note\">x = {_vector(x)} (label {label!r}), inputs a₀ = "
             f"{_vector(traced['x'])}; learning rate α = {traced['learning_rate']:.6g}. Row "
             "vectors, W of shape (inputs, neurons): z = a W + b.</p>"]
    for i, step in enumerate(traced["layers"], start=1):
        lines.append(_eqn(f"z{_sub(i)} = a{_sub(i - 1)} W{_sub(i)} + b{_sub(i)} = {_vector(step['z'])}"))
        lines.append(_eqn(f"a{_sub(i)} = {step['activation']}(z{_sub(i)}) = {_vector(step['a'])}"))
    lines.append(_eqn(f"L = {traced['loss_name']}(ŷ, y) = {traced['loss']:.6g}    "
                      f"(y encoded as {_vector(traced['target'])})"))
    for i in range(len(traced["layers"]), 0, -1):
        step = traced["layers"][i - 1]
        lines.append(_eqn(f"δ{_sub(i)} = ∂L/∂z{_sub(i)} = {_vector(step['delta'])}"))
        lines.append(_eqn(f"∂L/∂b{_sub(i)} = δ{_sub(i)} = {_vector(step['db'])};   "
                          f"∂L/∂W{_sub(i)} = a{_sub(i - 1)}ᵀ δ{_sub(i)}:"))
        lines.append(_matrix(step["dW"]))
        lines.append(_eqn(f"W{_sub(i)} ← W{_sub(i)} − α ∂L/∂W{_sub(i)}"
                          + (" − α λ ∂R/∂W" if step["reg_dW"] is not None else "") + ":"))
        lines.append(_matrix(step["W"] + step["update_W"]))
    lines.append("</section>")
    return "\n".join(lines)


def _sub(i):
    return str(i).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _vector(values):
    values = np.atleast_1d(np.asarray(values, dtype=float))
    shown = ", ".join(f"{v:.4g}" for v in values[:12])
    return f"[{shown}{', …' if len(values) > 12 else ''}]"


def _eqn(text):
    return f"<p class=\"eqn\">{html.escape(text)}</p>"


def _matrix(values):
    if values.size > MAX_MATRIX:
        return (f"<p class=\"note\">({values.shape[0]} × {values.shape[1]}; largest |entry| "
                f"{np.abs(values).max():.4g})</p>")
    rows = "".join("<tr>" + "".join(f"<td>{v:.4g}</td>" for v in row) + "</tr>"
                   for row in values)
    return f"<table class=\"eq\">{rows}</table>"
