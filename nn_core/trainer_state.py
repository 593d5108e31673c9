"""A trainer saved and loaded: everything needed to continue exactly where training is, as JSON.

    state = save(trainer)           Trainer.state_dict()
    trainer = restore(Trainer, state)   Trainer.from_state_dict(state)

A restored trainer continues bit for bit: the same weights, optimizer state, position in the
epoch's shuffle and shuffling stream, so its next minibatches and updates are the saved
trainer's. The format ("nn_core.trainer/1"):

    {"format", "network" (Network.to_dict), "initial_params", "hyperparams" (Trainer.hyperparams),
     "optimizer_state" ({slot: array, "t": steps}), "data" ({X_train, y_train, X_test, y_test}),
     "epoch", "steps", "pos", "eval_every", "perm" (this epoch's order, null at its start),
     "rng" (the shuffling stream), "status", "status_reason", "history", "trajectory",
     "log" (optional: the run log, runlog.py)}

Arrays are encoded by serialization.py (base64 of the exact bytes). Part of `Trainer`, kept
apart because it is long and changes with the format, not with training.
"""

import numpy as np

from .errors import ConfigError
from .history import History
from .network import Network
from .runlog import RunLog
from .serialization import decode_array, decode_rng_state, encode_array, encode_rng_state
from .trajectory import Trajectory

FORMAT = "nn_core.trainer/1"


def save(trainer, log=True):
    """The trainer's state as JSON-safe data; with `log`, its run log too (how training got here)."""
    optimizer = trainer.optimizer.state_dict()
    X_train, y_train, X_test, y_test = trainer.data()
    perm = trainer._perm
    state = {
        "format": FORMAT,
        "network": trainer.net.to_dict(),
        "initial_params": encode_array(trainer.initial_params),
        "hyperparams": trainer.hyperparams(),
        "optimizer_state": {k: encode_array(v) if isinstance(v, np.ndarray) else v
                            for k, v in optimizer["state"].items()},
        "data": {"X_train": encode_array(X_train), "y_train": encode_array(y_train),
                 "X_test": encode_array(X_test), "y_test": encode_array(y_test)},
        "epoch": trainer.epoch, "steps": trainer.steps, "pos": trainer.position,
        "eval_every": trainer.eval_every,
        "perm": None if perm is None else encode_array(perm.astype(np.int64)),
        "rng": encode_rng_state(trainer._rng),
        "status": trainer.status, "status_reason": trainer.status_reason,
        "history": trainer.history.to_dict(),
        "trajectory": trainer.trajectory.to_dict(),
    }
    if log:
        state["log"] = trainer.log.to_dict(trainer)
    return state


def restore(cls, state):
    """A `cls` (Trainer) that continues bit-identically from `save`'s output; a state that is not
    one, or is incomplete or inconsistent, raises ConfigError naming the field."""
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ConfigError("trainer", "not a saved trainer", f'{{"format": "{FORMAT}", ...}}')
    try:
        net = Network.from_dict(state["network"])
        data = {k: decode_array(v, f"data.{k}") for k, v in state["data"].items()}
        hyper = dict(state["hyperparams"])
        trainer = cls(net, data["X_train"], data["y_train"], data["X_test"], data["y_test"],
                      eval_every=state.get("eval_every", 1), **hyper)
        trainer.initial_params = decode_array(state["initial_params"], "initial_params")
        if trainer.initial_params.shape != net.params.shape:
            raise ConfigError("initial_params", "does not fit the network", f"{net.n_params} values")
        opt_state = {k: decode_array(v, f"optimizer_state.{k}") if isinstance(v, dict) else v
                     for k, v in state["optimizer_state"].items()}
        trainer.optimizer.load_state_dict({"name": hyper["optimizer"],
                                           "hyperparams": hyper["optimizer_params"], "state": opt_state})
        trainer.epoch, trainer.steps = int(state["epoch"]), int(state["steps"])
        trainer._pos = int(state["pos"])
        trainer._rng = decode_rng_state(state["rng"])
        if state["perm"] is not None:
            perm = decode_array(state["perm"], "perm")
            if not np.array_equal(np.sort(perm), np.arange(trainer.n_train)):
                raise ConfigError("perm", "is not an ordering of the training rows",
                                  f"a permutation of 0..{trainer.n_train - 1}")
            trainer._use_order(perm)
        elif trainer._pos:
            raise ConfigError("pos", "a partial epoch needs its permutation", "perm")
        trainer.status, trainer.status_reason = state["status"], state["status_reason"]
        trainer.history = History.from_dict(state["history"])
        trainer.trajectory = Trajectory.restore(state.get("trajectory"), net.n_params,
                                                trainer.epoch, net.params)
        trainer._lr = trainer.schedule(trainer.base_learning_rate, trainer.epoch)
        if state.get("log") is None:   # saved without one: the run starts here
            trainer.log.resume(trainer, state)
        else:
            trainer.log = RunLog.from_dict(state["log"], trainer)
    except (KeyError, TypeError, IndexError) as exc:
        raise ConfigError("trainer", f"incomplete saved state ({exc!r})") from None
    return trainer
