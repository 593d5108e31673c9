"""A Jupyter notebook that reproduces a session's run exactly, with nn_core alone (`export.ipynb`).

    text = notebook_text(session)           # nbformat 4 JSON, validated

Run in order from the project's folder, its cells rebuild the data (the dataset's generator
and seeded split, or the points embedded when they were the learner's own), the network with
its initial weights, and the trainer with the settings it started with; then they replay the
run log (nn_core.runlog): each change of settings, typed weight, applied trace or new data at
the minibatch it was made. They plot the curves and the output with the figures module, and
the last cell checks that the final training loss equals the session's, bit for bit.

A run whose log starts from a checkpoint (imported from a model saved without a log, or past
the log's bound) starts from that saved state instead, and says so.
"""

import json
import math

import nbformat
import numpy as np

from nn_core import runlog, transform
from nn_core.serialization import encode_array

from ..session.points import generate_points
from .figures import metrics, settings
from .run import run_of

# A log up to this long is written out as code, one line a change; a longer one is embedded
# and handed to nn_core.replay.
MAX_WRITTEN = 60
Q = "'''"     # embedded JSON goes in r'''...''' (base64, numbers and names: never three quotes)
IMPORTS = ("import json\n\nimport numpy as np\n\n"
           "from nn_core import Network, Trainer, make_dataset, train_test_split, transform\n"
           "from nn_core.runlog import RunLog, check_start, replay\n"
           "from nn_core.serialization import decode_array\n\n"
           "from app.exports import figures     # plots only: the run itself is nn_core's")


def notebook_text(session):
    """The notebook of `session` (call under its lock) as nbformat-validated JSON text."""
    nb = notebook(session)
    nbformat.validate(nb)
    return nbformat.writes(nb)


def notebook(session):
    run = run_of(session)
    t, log = run.trainer, run.trainer.log
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    cells = [md(_title(run)), code(IMPORTS)]
    if "state" in log.start:
        cells += [md("## Where the run starts\n\nThis run's log starts from a saved state at "
                     f"epoch {log.start['epoch']} (minibatch {log.start['step']}): it was imported "
                     "from a model saved without its log, or its log grew past its bound. The "
                     "state is loaded as it was; everything after it is replayed."),
                  code(f"CHECKPOINT = json.loads(r{Q}" + json.dumps(log.start["state"]) + f"{Q})\n"
                       "trainer = Trainer.from_state_dict(CHECKPOINT)\nnet = trainer.net")]
        start = {}
    else:
        start = _start_points(run)
        cells += [md("## The data\n\n" + start["words"]), code(start["code"])]
        cells += [md("## The network and its initial weights"), code(_network(run))]
        cells += [md("## The trainer, with the settings the run started with"),
                  code(_trainer(log.start["hyperparams"]))]
    cells += [md(_changes_table(log)), code(_replay(log, t))]
    if "state" in log.start or _data_changed(log) or start.get("inputs"):
        cells.append(code(_final_points(run)["code"]))
    figures_args = (f"features={run.features!r}, dataset={run.dataset!r},\n"
                    "                      points=(train_points, train_labels, test_points, test_labels)")
    cells += [md("## The curves and the output\n\nDrawn by the playground's figures module "
                 "(Plotly), from the trainer rebuilt here."),
              code(f"run = figures.run_of(trainer, {figures_args})\nfigures.curves(run)"),
              code("figures.output(run)"),
              md("## The check\n\nThe final training loss, compared with the session's own "
                 "number: equal means this notebook did exactly what the playground did."),
              code(_check(t))]
    return nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})


# --------------------------------------------------------------------------- cells
def _title(run):
    t = run.trainer
    facts = dict(settings(run) + metrics(run))
    return (f"# Reproduce the run: {run.dataset}, epoch {t.epoch}\n\n"
            f"A {facts['network']} network ({facts['hidden activations']}; {facts['output']}) "
            f"trained for {t.epoch} epochs ({t.steps} minibatches) in the Neural Network from "
            f"Scratch playground; final training loss {facts['train loss']}, test loss "
            f"{facts['test loss']}.\n\nRun the cells in order **from the project's folder** "
            "(where `nn_core/` is): they rebuild the run with `nn_core` alone and check that "
            "the final training loss is the session's own number.")


def _start_points(run):
    """The cell that makes the points the run started on: the dataset's own generator where
    it gives exactly them, else the points (or inputs) embedded."""
    start = run.trainer.log.start["data"]
    config = run.config
    if config["dataset"] != "custom":
        generated = generate_points(config).as_problem(config["problem"])
        if _fingerprint(run, generated) == start:
            return {"words": _generated_words(config), "code": _generated_code(config, "")}
    if _fingerprint(run, run) == start:
        return {"words": "The learner's own points (drawn, uploaded or edited), as they were.",
                "code": _embedded_points(run, "")}
    X_train, y_train, X_test, y_test = run.trainer.log.start_inputs()
    arrays = {"X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test}
    return {"words": "The network's inputs as the run started (its points changed since).",
            "code": "START = json.loads(r'''" + json.dumps(
                {k: encode_array(v) for k, v in arrays.items()}) + "''')\n"
            "X_train, train_labels, X_test, test_labels = (decode_array(START[k]) for k in "
            "('X_train', 'y_train', 'X_test', 'y_test'))",
            "inputs": True}


def _final_points(run):
    """The cell that makes the points the run ends with (for the figures)."""
    config = run.config
    if config["dataset"] != "custom":
        generated = generate_points(config).as_problem(config["problem"])
        if _fingerprint(run, generated) == _fingerprint(run, run):
            return {"code": _generated_code(config, "# the points the run ends with (for the figures)\n")}
    return {"code": _embedded_points(run, "# the points the run ends with (for the figures)\n")}


def _generated_words(config):
    return (f"Dataset `{config['dataset']}`: {config['n_points']} points, noise {config['noise']}, "
            f"generated with data seed {config['data_seed']}; {config['train_ratio']:.0%} of them "
            "for training, chosen by the same seed.")


def _generated_code(config, comment):
    classes = config["n_classes"] if config["problem"] == "multiclass" else None
    lines = [f"{comment}data = make_dataset({config['dataset']!r}, n_points={config['n_points']}, "
             f"noise={config['noise']!r}, seed={config['data_seed']}, n_classes={classes!r})",
             "train_points, train_labels, test_points, test_labels = train_test_split(\n"
             f"    data.points, data.labels, {config['train_ratio']!r}, seed={config['data_seed']})"]
    if config["problem"] == "regression":
        lines.append("train_labels, test_labels = train_labels.astype(float), test_labels.astype(float)")
    lines.append(f"features = {config['features']!r}")
    lines.append("X_train, X_test = transform(train_points, features), transform(test_points, features)")
    return "\n".join(lines)


def _embedded_points(run, comment):
    arrays = {"train_points": run.train_points, "train_labels": run.train_labels,
              "test_points": run.test_points, "test_labels": run.test_labels}
    return (f"{comment}POINTS = json.loads(r'''"
            + json.dumps({k: encode_array(v) for k, v in arrays.items()}) + "''')\n"
            "train_points, train_labels, test_points, test_labels = (decode_array(POINTS[k]) for k "
            "in ('train_points', 'train_labels', 'test_points', 'test_labels'))\n"
            f"features = {run.features!r}\n"
            "X_train, X_test = transform(train_points, features), transform(test_points, features)")


def _fingerprint(run, points):
    p = points
    return runlog.fingerprint(transform(p.train_points, run.features), p.train_labels,
                              transform(p.test_points, run.features), p.test_labels)


def _network(run):
    net, t = run.net, run.trainer
    text = (f"net = Network({list(net.layer_sizes)!r}, activation={net.hidden_activations!r},\n"
            f"              output_activation={net.output_activation!r}, loss={net.loss!r}, "
            f"init={net.init!r}, seed={net.seed}, problem={net.problem!r})")
    if not np.array_equal(net.__class__(**net.config()).params, t.initial_params):
        # a fork or an import may start from weights of their own: set exactly those
        text += ("\nnet.params[...] = decode_array(json.loads(r'''"
                 + json.dumps(encode_array(t.initial_params)) + "'''))   # the run's own start")
    return text


def _trainer(hyper):
    args = ",\n                  ".join(f"{key}={value!r}" for key, value in hyper.items())
    return (f"trainer = Trainer(net, X_train, train_labels, X_test, test_labels,\n"
            f"                  {args})")


def _data_changed(log):
    return any("data" in entry or "append" in entry for entry in log.entries)


def _changes_table(log):
    intro = ("## The run, change by change\n\nEvery change made during the run, at the minibatch "
             "it was made (minibatches count from the start; between changes the trainer simply "
             "trains on).")
    if not log.entries:
        return intro + "\n\nNo change was made: the run trained with its first settings throughout."
    rows = [f"| {e['epoch']} | {e['step']} | {runlog.describe(e)} |" for e in log.entries[:200]]
    more = [f"| … | … | and {len(log.entries) - 200} more |"] if len(log.entries) > 200 else []
    return intro + "\n\n| epoch | minibatch | change |\n|---|---|---|\n" + "\n".join(rows + more)


def _replay(log, trainer):
    """Code that replays the log: written out line by line when short, else nn_core.replay."""
    steps = trainer.steps
    saved = log.to_dict(trainer)
    saved["start"].pop("state", None)      # loaded above already
    if len(log.entries) > MAX_WRITTEN:
        return (f"LOG = RunLog.from_dict(json.loads(r{Q}" + json.dumps(saved)
                + f"{Q}), trainer)\nreplay(trainer, LOG, steps={steps})")
    start = {k: v for k, v in saved["start"].items() if k != "inputs"}   # digests suffice
    lines = [f"START = json.loads(r{Q}" + json.dumps(start) + f"{Q})",
             "check_start(trainer, START)        # same weights, data, settings and seed, by value"]
    at = log.start["step"]
    for entry in log.entries:
        if entry["step"] > at:
            lines.append(f"trainer.step({entry['step'] - at})"
                         f"{'':<12}# to minibatch {entry['step']} (epoch {entry['epoch']})")
            at = entry["step"]
        lines.append(_change_code(entry))
    if steps > at:
        lines.append(f"trainer.step({steps - at}){'':<12}# to the end: minibatch {steps}")
    return "\n".join(lines)


def _change_code(entry):
    kind = next(key for key in runlog.KINDS if key in entry)
    value = entry[kind]
    if kind == "hyperparams":
        args = ", ".join(f"{k}={v!r}" for k, v in value.items())
        return f"trainer.set_hyperparams({args})"
    if kind == "weight":
        layer, row, col, number = value
        return (f"trainer.set_weight({layer}, {row}, {col}, {_float(number)})"
                f"   # {runlog.describe(entry)}")
    if kind == "params":
        return ("trainer.set_params(decode_array(json.loads(r'''" + json.dumps(encode_array(value))
                + "''')))   # every weight, as an applied one-point step left them")
    if kind == "stop":
        return "trainer.check_drawable()   # the run stopped here: its numbers could not be drawn"
    arrays = json.dumps({k: encode_array(v) for k, v in value.items()})
    if kind == "append":
        split = "train" if "X_train" in value else "test"
        return ("added = {k: decode_array(v) for k, v in json.loads(r'''" + arrays + "''').items()}\n"
                "X_train, y_train, X_test, y_test = trainer.data()\n"
                + ("X_train, y_train = np.concatenate([X_train, added['X_train']]), "
                   "np.concatenate([y_train, added['y_train']])\n" if split == "train" else
                   "X_test, y_test = np.concatenate([X_test, added['X_test']]), "
                   "np.concatenate([y_test, added['y_test']])\n")
                + f"trainer.set_data(X_train, y_train, X_test, y_test)   # {runlog.describe(entry)}")
    return ("new = {k: decode_array(v) for k, v in json.loads(r'''" + arrays + "''').items()}\n"
            "trainer.set_data(new['X_train'], new['y_train'], new['X_test'], new['y_test'])"
            f"   # {runlog.describe(entry)}")


def _check(trainer):
    loss = trainer.metrics()["train_loss"]
    expected = _float(loss)
    same = ("final == EXPECTED" if math.isfinite(loss) else
            "str(final) == str(EXPECTED)")   # nan and ±inf compare as what they are
    return (f"EXPECTED = {expected}   # the session's final training loss (epoch {trainer.epoch}, "
            f"minibatch {trainer.steps})\n"
            "final = trainer.metrics()['train_loss']\n"
            "print(f'final training loss {final!r} at epoch {trainer.epoch}, minibatch "
            "{trainer.steps}')\n"
            f"assert {same}, f'the session ended at {{EXPECTED!r}}: this replay differs'\n"
            "print('equal to the session\\'s final training loss, exactly')")


def _float(value):
    value = float(value)
    return repr(value) if math.isfinite(value) else f"float({str(value)!r})"
