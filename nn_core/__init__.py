"""nn_core: a neural network from first principles, in NumPy only.

    from nn_core import Network, Trainer, make_dataset, train_test_split

A neuron computes y = f(w · x + b); a `Dense` layer does that for a whole batch of rows at
once; a `Network` stacks layers and backpropagates; a `Trainer` runs minibatch gradient descent.
Every component the page can choose is registered by name (see `REGISTRIES`).
"""

from . import practice
from .activations import ACTIVATIONS
from .datasets import DATASETS, check_points, make_dataset, train_test_split
from .digit_drawing import digit_from_drawing
from .errors import ConfigError
from .features import FEATURES, transform
from .gradcheck import gradcheck
from .grading import grade, grade_forward
from .grid import GridInputs, evaluate_grid
from .initializers import INITIALIZERS
from .landscape import loss_landscape
from .layers import Dense
from .loss_slice import loss_along
from .losses import LOSSES
from .minibatch import trace_batch
from .network import Network
from .optimizers import OPTIMIZERS
from .presets import trainer_for
from .principal_plane import PrincipalPlane, fit_principal_plane, principal_plane
from .regularizers import REGULARIZERS
from .runlog import RunLog, replay
from .schedules import SCHEDULES
from .textbook import trace
from .trainer import Trainer
from .transformed import transformed_space
from .userdata import load_points, to_csv

REGISTRIES = {
    "activation": ACTIVATIONS,
    "loss": LOSSES,
    "init": INITIALIZERS,
    "optimizer": OPTIMIZERS,
    "schedule": SCHEDULES,
    "regularization": REGULARIZERS,
    "dataset": DATASETS,
    "feature": FEATURES,
}

__all__ = [
    "ConfigError", "Dense", "Network", "Trainer", "gradcheck", "evaluate_grid", "GridInputs",
    "make_dataset", "train_test_split", "transform", "transformed_space", "load_points", "to_csv",
    "trace", "trace_batch", "loss_along", "loss_landscape", "practice", "grade", "grade_forward",
    "check_points", "digit_from_drawing", "trainer_for", "RunLog", "replay",
    "PrincipalPlane", "fit_principal_plane", "principal_plane",
    "REGISTRIES",
    "ACTIVATIONS", "LOSSES", "INITIALIZERS", "OPTIMIZERS", "SCHEDULES", "REGULARIZERS",
    "DATASETS", "FEATURES",
]
