"""Ready-made trainers: a real dataset with the network and settings it is known to learn with.

Each real set's registry info carries `defaults` (named as the server's configuration fields:
hidden_layers, activation, init, optimizer, learning_rate, batch_size). `trainer_for` builds
exactly that, so a script, a test and a benchmark train what the page starts with:

    trainer = trainer_for("digits")
    trainer.run(30)
    trainer.metrics()["test_accuracy"]        # ≥ 0.93
"""

from .datasets import DATASETS, make_dataset, train_test_split
from .errors import ConfigError
from .network import Network
from .trainer import Trainer


def trainer_for(name, train_ratio=0.5, data_seed=0, seed=0, **changes):
    """A `Trainer` on real set `name`, split by `train_test_split(train_ratio, data_seed)`, its
    network initialised with `seed`; `changes` replace any of the set's `defaults`."""
    DATASETS.get(name, field="dataset")
    info = DATASETS.info(name)
    if info["defaults"] is None:
        raise ConfigError("dataset", f"{name!r} has no preset (its network is yours to choose)",
                          [n for n in DATASETS if DATASETS.info(n)["defaults"] is not None])
    unknown = set(changes) - set(info["defaults"])
    if unknown:
        raise ConfigError(sorted(unknown)[0], "is not a preset setting", list(info["defaults"]))
    settings = {**info["defaults"], **changes}
    data = make_dataset(name)
    X_train, y_train, X_test, y_test = train_test_split(data.points, data.labels, train_ratio,
                                                        data_seed)
    outputs = data.n_classes if data.problem == "multiclass" else 1
    net = Network([info["inputs"], *settings["hidden_layers"], outputs],
                  activation=settings["activation"], init=settings["init"], seed=seed,
                  problem=data.problem)
    return Trainer(net, X_train, y_train, X_test, y_test, optimizer=settings["optimizer"],
                   learning_rate=settings["learning_rate"], batch_size=settings["batch_size"])
