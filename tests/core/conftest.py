"""Shared helpers of the engine tests, as fixtures: the playground's datasets split in two, and
trainers built on them the way the page builds them (500 points, half for testing, seeds fixed).

    def test_something(make_trainer):
        t = make_trainer("spiral", (8, 8), optimizer="adam", learning_rate=0.01)
"""

import numpy as np
import pytest

from nn_core import (
    ACTIVATIONS,
    LOSSES,
    ConfigError,
    Network,
    Trainer,
    make_dataset,
    train_test_split,
    transform,
)


def output_pairings():
    """Every (problem, output activation, loss) the engine builds a network for."""
    found = []
    for loss in LOSSES:
        for problem in LOSSES.get(loss).problems:
            for output in ACTIVATIONS:
                k = 3 if problem == "multiclass" else 1
                try:
                    Network([2, k], output_activation=output, loss=loss, problem=problem)
                except ConfigError:
                    continue
                found.append((problem, output, loss))
    return found


def split_dataset(name, seed=1, n_classes=None, features=("x1", "x2"), **kw):
    """(X_train, y_train, X_test, y_test, dataset): `name` generated with `seed`, split 50/50,
    features applied."""
    d = make_dataset(name, seed=seed, n_classes=n_classes, **kw)
    X_train, y_train, X_test, y_test = train_test_split(d.points, d.labels, 0.5, seed=seed)
    return (transform(X_train, list(features)), y_train, transform(X_test, list(features)), y_test,
            d)


def build_trainer(name="circle", hidden=(8, 8), activation="tanh", seed=0, features=("x1", "x2"),
                  n_classes=None, **trainer_kw):
    """A Trainer on dataset `name` with a network of the given hidden widths, problem from the
    data (one output per class for multi-class)."""
    X_train, y_train, X_test, y_test, d = split_dataset(name, n_classes=n_classes, features=features)
    k = d.n_classes if d.problem == "multiclass" else 1
    net = Network([len(features), *hidden, k], activation=activation, problem=d.problem, seed=seed)
    return Trainer(net, X_train, y_train, X_test, y_test, **trainer_kw)


def random_rows(n=7, width=2, seed=0):
    """n rows of `width` normal inputs (std 1.5), reproducible."""
    return np.random.default_rng(seed).normal(0.0, 1.5, size=(n, width))


@pytest.fixture
def split():
    return split_dataset


@pytest.fixture
def make_trainer():
    return build_trainer


@pytest.fixture
def rows():
    return random_rows
