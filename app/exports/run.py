"""What the exports read from a run: a server session or a bare `nn_core.Trainer`, seen alike.

    run = run_of(session)                                   # the server's TrainingSession
    run = run_of(trainer, features=["x1", "x2"], points=(X_tr, y_tr, X_te, y_te))   # a script's
    run = run_of(trainer_for("digits"), dataset="digits")   # a real set: raw inputs

A trainer alone knows its network's inputs, not the points they came from: give `points` (and
`features`) when the inputs are features of plane points; without them its inputs are taken as
the points, and two inputs as (x₁, x₂). `kind` says what the output is drawn over: "plane" (the
input plane), "image" (a real set of images: the digits) or "table" (a real set's principal
plane, a 2-D slice through its inputs).
"""

from dataclasses import dataclass

import numpy as np

from nn_core import DATASETS, Trainer, fit_principal_plane, principal_plane, transform


@dataclass(eq=False)
class Run:
    trainer: Trainer
    features: list          # feature names, or None: the points are the inputs
    dataset: str            # a DATASETS name, "custom", or None
    train_points: np.ndarray
    train_labels: np.ndarray
    test_points: np.ndarray
    test_labels: np.ndarray
    config: dict = None     # the session's configuration (None for a bare trainer)
    name: str = ""

    @property
    def net(self):
        return self.trainer.net

    @property
    def problem(self):
        return self.trainer.net.problem

    @property
    def info(self):
        """The dataset's registry description (None for custom points or an unnamed set)."""
        return DATASETS.info(self.dataset) if self.dataset in DATASETS else None

    @property
    def kind(self):
        if self.features is not None:
            return "plane"
        info = self.info
        return "image" if info and info.get("image_shape") else "table"

    @property
    def n_classes(self):
        return {"binary": 2, "multiclass": self.net.n_outputs}.get(self.problem)

    def plane(self):
        """The principal plane a real set's output is drawn on (its own for a named set)."""
        if self.info and self.info.get("kind") == "real":
            return principal_plane(self.dataset)
        return fit_principal_plane(np.vstack([self.train_points, self.test_points]))

    def inputs(self, points):
        """The network's inputs for points of this run (features computed for plane sets)."""
        return transform(points, self.features)


def run_of(source, features=None, dataset=None, points=None, name=""):
    """A `Run` of a TrainingSession (anything with `trainer`, `config`, `points`), a `Trainer`
    (with optional `features`, `dataset`, `points` = (train_points, train_labels, test_points,
    test_labels)), or a `Run` (returned as it is)."""
    if isinstance(source, Run):
        return source
    if isinstance(source, Trainer):
        X_train, y_train, X_test, y_test = points if points is not None else source.data()
        if features is None and points is None and source.net.n_inputs == 2 and (
                dataset is None or DATASETS.info(dataset).get("kind") == "plane"):
            features = ["x1", "x2"]           # two raw inputs are the plane's coordinates
        return Run(source, features, dataset, X_train, y_train, X_test, y_test, None, name)
    config, p = source.config, source.points
    return Run(source.trainer, config.get("features"), config.get("dataset"),
               p.train_points, p.train_labels, p.test_points, p.test_labels, config, name)
