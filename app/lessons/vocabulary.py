"""The words a lesson may use, defined once: `/api/options` serves them, the lesson validator
checks against them and the page reads them (docs/lessons.md).

- `CONTROLS`: the page's controls by name — the `data-control` names of templates/index.html,
  which the link's `?hide=a,b` and a lesson's `hide`/`lock` take — each with its area and the
  configuration fields it changes (what a lock refuses on the page, whichever way it is asked).
- `REGIONS`: areas of the page a step may `highlight` (a control's name also works).
- `GOAL_METRICS`: what a goal may compare from the newest history row (the engine's fields).
- `GOAL_CONFIG`: every configuration field, plus `hidden_neurons` (total) and
  `hidden_layer_count`; `NUMERIC_CONFIG` those `at_most`/`at_least` can compare.
- `EVENTS`: what the learner does on the page that a goal may wait for.
"""

from nn_core.evaluation import CLASSIFICATION_FIELDS, HISTORY_FIELDS, REGRESSION_FIELDS

from ..session.config import FIELDS

# name → (area, configuration fields it changes). The areas follow the page: run controls, the
# training bar, the data column, the network, the output column.
CONTROLS = {
    "play": ("run", ()), "step": ("run", ()), "step_batch": ("run", ()), "reset": ("run", ()),
    "epoch": ("run", ()), "speed": ("run", ()), "stop_at": ("run", ()), "level": ("run", ()),
    "copy_link": ("run", ()), "export_model": ("run", ()), "report": ("run", ()),
    "compare": ("run", ()),
    "lessons": ("run", ()), "projector": ("run", ()),
    "learning_rate": ("training", ("learning_rate",)),
    "activation": ("training", ("activation", "layer_activations")),
    "regularization": ("training", ("regularization",)),
    "reg_rate": ("training", ("reg_rate",)),
    "problem": ("training", ("problem",)),
    "loss": ("training", ("loss",)),
    "output_activation": ("training", ("output_activation",)),
    "batch_size": ("training", ("batch_size",)),
    "optimizer": ("training", ("optimizer", "optimizer_params")),
    "optimizer_params": ("training", ("optimizer_params",)),
    "schedule": ("training", ("schedule", "schedule_params")),
    "schedule_params": ("training", ("schedule_params",)),
    "init": ("training", ("init",)),
    "seed": ("training", ("seed",)),
    "clip_norm": ("training", ("clip_norm",)),
    "restart_rule": ("training", ()),
    "dataset": ("data", ("dataset",)),
    "n_classes": ("data", ("n_classes",)),
    "train_ratio": ("data", ("train_ratio",)),
    "noise": ("data", ("noise",)),
    "n_points": ("data", ("n_points",)),
    "regenerate": ("data", ()), "csv": ("data", ()), "model": ("data", ()), "draw": ("data", ()),
    "features": ("network", ("features",)),
    "layers": ("network", ("hidden_layers", "layer_activations")),
    "weight_images": ("network", ()),
    "test_data": ("output", ()), "discretize": ("output", ()), "surface": ("output", ()),
    "log_scale": ("output", ()), "weights_panel": ("output", ()), "transformed": ("output", ()),
    "confusion": ("output", ()), "inspect": ("output", ()), "practice": ("output", ()),
    "gallery": ("output", ()), "drawing_pad": ("output", ()), "pca": ("output", ()),
}

# Areas of the page (`data-region` in templates/index.html) a step may outline; a control's
# name works too (the two lists share no name). "race" is Compare's area, "compare" its button.
REGIONS = ("run", "settings", "data", "network", "stats", "boundary", "curves", "race")

GOAL_METRICS = ("epoch",) + HISTORY_FIELDS + CLASSIFICATION_FIELDS + REGRESSION_FIELDS
CLASSIFICATION_METRICS = CLASSIFICATION_FIELDS
REGRESSION_METRICS = REGRESSION_FIELDS
METRIC_TESTS = ("below", "above", "at_most", "at_least")

DERIVED_CONFIG = ("hidden_neurons", "hidden_layer_count")
GOAL_CONFIG = FIELDS + DERIVED_CONFIG
NUMERIC_CONFIG = ("n_points", "noise", "n_classes", "train_ratio", "data_seed", "seed",
                  "learning_rate", "reg_rate", "batch_size", "clip_norm") + DERIVED_CONFIG
CONFIG_TESTS = ("equals", "at_most", "at_least")

# name → what the learner does, in the words the page shows under a goal.
EVENTS = {
    "played": "press Play",
    "stepped": "train one epoch with Step",
    "reset": "press Reset",
    "inspected": "inspect a point",
    "practice_correct": "answer a Practice question right",
    "compared": "start a Compare race",
    "diverged": "see training diverge",
}

# Goals combine leaves with these; nesting deeper than this is refused (a goal a person reads).
COMBINATIONS = ("all", "any")
MAX_GOAL_DEPTH = 4


def describe():
    """The vocabulary as `/api/options` serves it (`controls` and `lessons`)."""
    return {
        "controls": [{"name": name, "area": area, "fields": list(fields)}
                     for name, (area, fields) in CONTROLS.items()],
        "lessons": {
            "regions": list(REGIONS),
            "metrics": list(GOAL_METRICS),
            "metric_tests": list(METRIC_TESTS),
            "config": list(GOAL_CONFIG),
            "numeric_config": list(NUMERIC_CONFIG),
            "config_tests": list(CONFIG_TESTS),
            "events": [{"name": name, "label": label} for name, label in EVENTS.items()],
            "combinations": list(COMBINATIONS),
        },
    }
