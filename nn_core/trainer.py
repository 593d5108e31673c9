"""Minibatch training: the loop the page watches.

    for each epoch: shuffle the training rows; for each minibatch B:
        g = ∂L_B/∂θ (+ λ·w on weights for L2),  g ← clip(g),  θ ← optimizer(θ, g, α_epoch)
        (L1: then w ← sign(w)·max(|w| − α_epoch·λ, 0) on weights; see regularizers.py)

A `Trainer` owns the network, the optimizer, the learning-rate schedule, the data and the
history. It can be stepped a few minibatches or a few epochs at a time, its hyperparameters
changed between steps without losing progress, and it never raises when training blows up:
it stops with `status == "diverged"` and a reason a learner can act on, checked at every epoch's
end and after every `step`/`run` call, when the loss or a weight becomes NaN or infinite or a
weight grows beyond FLOAT32_MAX (≈ 3.4e38, the largest number a snapshot can carry).
"""

import copy
import math
import time

import numpy as np

from . import evaluation, trainer_state
from .dead_network import DeadNetworkCheck
from .drawable import FLOAT32_MAX, beyond_float32
from .errors import ConfigError, check_number
from .evaluation import CLASSIFICATION_FIELDS, HISTORY_FIELDS, REGRESSION_FIELDS
from .history import History
from .metrics import confusion_matrix
from .network import Network
from .optimizers import OPTIMIZERS, check_clip_norm, clip_by_global_norm
from .regularizers import REG_RATE_RANGE, REGULARIZERS
from .runlog import DEFAULT_CAPACITY, RunLog, data_change
from .schedules import SCHEDULES
from .seeds import random_seed
from .trajectory import Trajectory

# The base learning rates α a trainer accepts: TensorFlow Playground's range (its menu runs from
# 0.00001 to 10). The server and the page use the same range.
LEARNING_RATE_RANGE = (1e-5, 10.0)
BATCH_SIZE_RANGE = (1, 100000)
# Vectors as long as the parameters that a network and its trainer keep besides the optimizer's
# (`Optimizer.param_arrays`): the parameters, their gradient, the weight mask, the initial weights.
PARAM_VECTORS = 4
# Why a run stopped, said one way wherever the numbers broke (the trainer, a snapshot's maps,
# an imported model): what broke, how, when, and what to do.
DIVERGED = ("the {what} {became} at epoch {epoch}: each step overshot and made things worse, "
            "until the numbers were too large for float32 (what the page draws); try a smaller "
            "learning rate (now {learning_rate:g}) and press reset")


class Trainer:
    """Trainer(network, X_train, y_train, X_test, y_test, optimizer=..., learning_rate=..., ...).

    Conventions (the README's table says the same):
    - the learning rate is scheduled per epoch: epoch e trains every minibatch at
      schedule(α, e), and the history row recorded when it ends carries that rate;
    - the gradient an optimizer receives is the minibatch's data-loss gradient (a mean over its
      rows) plus, for L2, λ·w on weights, clipped by its global L2 norm over every weight and
      bias when `clip_norm` is set; L1 is applied after the optimizer's step as a proximal
      (soft-threshold) step that gives exact zeros (see regularizers.py);
    - history rows report the data loss and the penalty (`reg_loss`) apart; with k regression
      outputs RMSE and R² are the means of the per-output values (scikit-learn's uniform_average);
    - training stops with `status == "diverged"` when the loss or a weight becomes NaN or
      infinite, or a weight grows beyond FLOAT32_MAX (what a snapshot can carry);
    - every change made between minibatches (settings, weights set, new data, a stop) goes
      into `log` at the step it was made, so `runlog.replay` can rebuild the run exactly;
    - `hints` lists what keeps training from getting anywhere without stopping it: a dead
      network (no gradient reaching the weights for a few epochs; dead_network.py).
    """

    def __init__(self, network, X_train, y_train, X_test=None, y_test=None, *, optimizer="sgd",
                 optimizer_params=None, learning_rate=0.03, schedule="constant", schedule_params=None,
                 regularization="none", reg_rate=0.0, batch_size=10, clip_norm=None,
                 eval_every=1, history_capacity=20000, log_capacity=DEFAULT_CAPACITY):
        if not isinstance(network, Network):
            raise ConfigError("network", "expected an nn_core.Network", "Network")
        self.net = network
        self.initial_params = network.params.copy()
        self.optimizer = OPTIMIZERS.get(optimizer, "optimizer")(**(optimizer_params or {}))
        self.schedule = SCHEDULES.get(schedule, "schedule")(**(schedule_params or {}))
        self.regularizer = REGULARIZERS.get(regularization, "regularization")()
        self.base_learning_rate = check_number("learning_rate", learning_rate, *LEARNING_RATE_RANGE)
        self.reg_rate = check_number("reg_rate", reg_rate, *REG_RATE_RANGE)
        self.batch_size = check_number("batch_size", batch_size, *BATCH_SIZE_RANGE, integer=True)
        self.clip_norm = check_clip_norm(clip_norm)
        # Epochs between history rows; 0 records none during training (pure speed, e.g. in a
        # script or a benchmark). Divergence is still caught at every epoch end.
        self.eval_every = check_number("eval_every", eval_every, 0, 10**9, integer=True)
        fields = HISTORY_FIELDS + (REGRESSION_FIELDS if network.problem == "regression"
                                   else CLASSIFICATION_FIELDS)
        self.history = History(fields, history_capacity)
        self.trajectory = Trajectory(network.n_params)   # the weights at each recorded epoch
        self.log = RunLog(log_capacity)   # every change between minibatches (runlog.py)
        self.dead_check = DeadNetworkCheck(network)
        self._set_data(X_train, y_train, X_test, y_test)
        self._restart()

    # ----------------------------------------------------------------- public state
    @property
    def seed(self):
        return self.net.seed

    @property
    def learning_rate(self):
        """The learning rate in force this epoch (the schedule applied to the base rate)."""
        return self._lr

    @property
    def n_train(self):
        return len(self._y_train)

    @property
    def last_grads(self):
        """[(dW, db), ...] (copies): the gradient of the newest update as the optimizer received
        it: the last minibatch's data-loss gradient, plus L2's λ·w, after clipping (L1's shrink
        is a separate step and not part of it). Before the first update (epoch 0, after
        `reset`, `refresh` or `set_data`) it is the data-loss gradient over the whole training
        set. The history's `grad_norms` are the per-layer norms of this same gradient.
        """
        return [(layer.dW.copy(), layer.db.copy()) for layer in self.net.layers]

    @property
    def position(self):
        """Training rows of this epoch's shuffle already trained on (0 at an epoch's start)."""
        return self._pos

    def metrics(self):
        """The newest history row: losses, accuracy or RMSE/R², learning rate, gradient norms."""
        return dict(self.history.latest)

    @property
    def hints(self):
        """What keeps training from getting anywhere, as of the newest recorded epoch: a list of
        JSON-safe dicts (`dead_network.describe`), empty for a healthy run."""
        hint = self.dead_check.hint
        return [] if hint is None else [hint]

    # ----------------------------------------------------------------- training
    def step(self, batches=1, time_limit=None):
        """Train up to `batches` minibatches; returns how many were done (fewer on divergence/time)."""
        batches = check_number("batches", batches, 0, 10**9, integer=True)
        return self._train(batches, None, time_limit)[0]

    def run(self, epochs=1, time_limit=None):
        """Train up to `epochs` whole epochs; returns how many finished (fewer on divergence/time)."""
        epochs = check_number("epochs", epochs, 0, 10**9, integer=True)
        return self._train(None, epochs, time_limit)[1]

    def _train(self, max_batches, max_epochs, time_limit):
        """The hot loop. Returns (batches done, epochs finished)."""
        if time_limit is not None:
            time_limit = check_number("time_limit", time_limit, 0.0, 3600.0)
        if self.status != "ok" or max_batches == 0 or max_epochs == 0:
            return 0, 0
        net, optimizer = self.net, self.optimizer
        params, grads = net.params, net.grads
        clock = time.perf_counter
        deadline = None if time_limit is None else clock() + time_limit
        n, batches, epochs = self.n_train, 0, 0
        # Overflow to inf/NaN is an outcome we detect and explain, not a warning to print.
        with np.errstate(all="ignore"):
            while True:
                pos = self._pos
                if pos == 0:
                    self._shuffle()
                end = min(pos + self.batch_size, n)
                net.backprop(self._X_perm[pos:end], self._T_perm[pos:end], net.workspace(end - pos))
                self._update(params, grads, optimizer)
                self.steps += 1
                batches += 1
                self._pos = end
                if end == n:
                    self._pos = 0
                    self.epoch += 1
                    epochs += 1
                    if self.eval_every and self.epoch % self.eval_every == 0:
                        self._record(evaluation.grad_norms(net))   # of the epoch's last minibatch
                    elif beyond_float32(params):
                        self.mark_diverged("weights", params)
                    if self.status != "ok":
                        break
                    self._lr = self.schedule(self.base_learning_rate, self.epoch)
                    if epochs == max_epochs:
                        break
                if batches == max_batches or (deadline is not None and clock() >= deadline):
                    break
            if self.status == "ok" and beyond_float32(params):
                self.mark_diverged("weights", params)
        return batches, epochs

    def _update(self, params, grads, optimizer, trace=None):
        """One minibatch's update from its data-loss gradient (`params` and `grads` change in
        place): g ← g + λ·w (L2), g ← clip(g), θ ← optimizer(θ, g, α), then L1's shrink.

        The training loop passes the network's own vectors and optimizer; `preview_step` passes
        copies and a `trace` dict, which receives the gradient the optimizer gets ("grads"), its
        norm before clipping ("grad_norm", None without clipping) and the parameters after the
        optimizer's step alone ("stepped").
        """
        regularizer, rate, mask = self.regularizer, self.reg_rate, self.net.weight_mask
        regularize = rate > 0 and regularizer.name != "none"
        if regularize and not regularizer.proximal:     # L2: λ·w joins the gradient
            regularizer.add_grad(params, mask, rate, grads)
        norm = clip_by_global_norm(grads, self.clip_norm) if self.clip_norm else None
        if trace is not None:
            trace["grads"], trace["grad_norm"] = grads.copy(), norm
        optimizer.step(params, grads, self._lr)
        if trace is not None:
            trace["stepped"] = params.copy()
        if regularize and regularizer.proximal:         # L1: soft-threshold by η·λ after the step
            regularizer.prox(params, mask, rate, optimizer.step_sizes(self._lr))

    def next_batch(self):
        """The training-row indices of the minibatch the next `step` trains on: the current
        shuffle at the current position or, at an epoch's start, the shuffle that step will
        draw (from a copy of the shuffling stream: nothing advances)."""
        pos, n = self._pos, self.n_train
        perm = self._perm if pos else copy.deepcopy(self._rng).permutation(n)
        return perm[pos:min(pos + self.batch_size, n)].copy()

    def preview_step(self):
        """What the next `step(batches=1)` will do, computed on copies: the weights, gradients,
        optimizer state, position and shuffling stream stay exactly as they are.

        Returns a dict: `indices` (the minibatch's training rows, `next_batch`), `loss` (its
        mean data loss), `learning_rate` (α in force), `grad_norm` (‖g‖ before clipping, None
        without clipping), `t` (the optimizer's step count after this step), and flat vectors
        laid out like `network.params`: `data_grads` (∂L_B/∂θ, the minibatch mean), `grads`
        (what the optimizer receives: L2's λ·w added, clipped), `before`, `stepped` (after the
        optimizer's step alone), `after` (L1's shrink included), `shrink` (L1's threshold η·λ
        per parameter, None without L1), and `state_before` / `state_after` ({slot: vector}).
        `step(batches=1)` then produces `after` and the optimizer's `state_after` bit for bit.
        """
        net = self.net
        indices = self.next_batch()
        X, T = self._X_train_aug[indices], self._T_train[indices]
        saved = net.grads.copy()
        with np.errstate(all="ignore"):
            ws = net.workspace(len(indices))
            net.backprop(X, T, ws)
            loss = float(net.loss_fn.value(ws.z[-1], ws.out, T))
            data_grads = net.grads.copy()
            net.grads[...] = saved                        # last_grads stays the last update's
            optimizer = self.optimizer.copy()
            state_before = optimizer.slot_values(net.n_params)
            found = {"before": net.params.copy(), "after": net.params.copy()}
            self._update(found["after"], data_grads.copy(), optimizer, found)
            shrink = None
            if self.regularizer.proximal and self.reg_rate > 0:
                shrink = self.reg_rate * optimizer.step_sizes(self._lr) * net.weight_mask
        return {**found, "indices": indices, "loss": loss, "learning_rate": self._lr,
                "data_grads": data_grads, "shrink": shrink, "t": optimizer.state["t"],
                "state_before": state_before,
                "state_after": {key: optimizer.state[key].copy() for key in optimizer.slots}}

    def _shuffle(self):
        self._use_order(self._rng.permutation(self.n_train))

    def _use_order(self, perm):
        """Train this epoch's minibatches in `perm`'s order of the training rows."""
        self._perm = perm
        self._X_perm = self._X_train_aug[perm]
        self._T_perm = self._T_train[perm]

    # ----------------------------------------------------------------- evaluation
    def evaluate(self, grad_norms=None):
        """Losses and metrics of the current weights on every training and test row.

        `grad_norms` (one per layer) are taken as given; without them the full training-set
        gradient is computed, which leaves it in `network.grads`. Weights are never changed.
        """
        net = self.net
        with np.errstate(all="ignore"):
            if grad_norms is None:
                ws = net.workspace(self.n_train)
                net.backprop(self._X_train_aug, self._T_train, ws)
                grad_norms = evaluation.grad_norms(net)
            row = {"epoch": self.epoch, "learning_rate": self._lr,
                   "reg_loss": self.regularizer.loss(net.params, net.weight_mask, self.reg_rate),
                   "grad_norms": grad_norms}
            for split, X, y, T in (("train", self._X_train, self._y_train, self._T_train),
                                   ("test", self._X_test, self._y_test, self._T_test)):
                if len(X):
                    # the training rows' pass also tells which hidden units ever speak
                    watch = self.dead_check if split == "train" else None
                    row[f"{split}_loss"], output = evaluation.loss_and_outputs(net, X, T, watch)
                    evaluation.add_metrics(row, split, net, output, y)
                else:
                    row[f"{split}_loss"] = math.nan
                    evaluation.add_metrics(row, split, net, None, None)
        return row

    def confusion(self):
        """{"train": C, "test": C}: confusion matrices (row = true class, column = predicted) of
        the current weights on the training and test rows; classification only.

        They count the predictions `evaluate` scores, so right after an epoch is recorded the
        diagonal share equals that row's accuracy. Weights are never changed.
        """
        net = self.net
        if net.problem == "regression":
            raise ConfigError("problem", "a confusion matrix exists only for classification",
                              ["binary", "multiclass"])
        k = net.n_outputs if net.problem == "multiclass" else 2
        predicted = self.predictions()
        return {split: confusion_matrix(y, predicted[split], k)
                for split, y in (("train", self._y_train), ("test", self._y_test))}

    def predictions(self, splits=("train", "test")):
        """{"train": ŷ, "test": ŷ}: what the current weights predict for the training and test
        rows (class ids; values for regression), exactly the predictions `evaluate` scores;
        `splits` chooses which (each costs a forward pass over its rows)."""
        rows = {"train": self._X_train, "test": self._X_test}
        for split in splits:
            if split not in rows:
                raise ConfigError("splits", f"unknown split {split!r}", list(rows))
        return {split: evaluation.predict(self.net, rows[split]) for split in splits}

    def _weight_grad_norm(self):
        """‖∂L/∂W‖ (weights, not biases) of the data loss over the whole training set.

        The newest gradient (`grads`: a minibatch's, or the whole set's at epoch 0) answers when
        it is clearly not 0; only a ~0 one is measured again over every row, with `grads` kept
        as it was (`last_grads` still shows the newest update)."""
        net = self.net
        g = net.grads * net.weight_mask
        norm = float(np.sqrt(np.dot(g, g)))
        if norm > self.dead_check.floor:
            return norm
        kept = net.grads.copy()
        with np.errstate(all="ignore"):
            net.backprop(self._X_train_aug, self._T_train, net.workspace(self.n_train))
            g = net.grads * net.weight_mask
            norm = float(np.sqrt(np.dot(g, g)))
        net.grads[...] = kept
        return norm

    def _record(self, grad_norms=None):
        row = self.evaluate(grad_norms)
        self.dead_check.end_epoch(self.epoch, row["train_loss"], self._weight_grad_norm,
                                  self.base_learning_rate,
                                  shrinking=self.regularizer.name != "none" and self.reg_rate > 0)
        self.history.append(row)
        self.trajectory.append(self.epoch, self.net.params)
        if not math.isfinite(row["train_loss"]):
            self.mark_diverged("loss", row["train_loss"])
        elif beyond_float32(self.net.params):
            self.mark_diverged("weights", self.net.params)

    def mark_diverged(self, what, value=None):
        """Stop training, saying why: status "diverged" and the one reason template below.

        `what` names the numbers that broke ("loss", "weights", "gradients", "outputs",
        "optimizer state", ...) and `value` (optional) shows how: NaN, infinite, or beyond
        FLOAT32_MAX. The first reason stays: a trainer already diverged keeps its own.
        """
        if self.status != "ok":
            return
        value = np.asarray(np.nan if value is None else value)
        with np.errstate(invalid="ignore"):
            if np.isnan(value).any():
                became = "became NaN (not a number)"
            elif np.isinf(value).any():
                became = "became infinite"
            else:
                became = f"grew beyond what can be drawn (> {FLOAT32_MAX:.1e})".replace("e+", "e")
        self.status = "diverged"
        self.status_reason = DIVERGED.format(what=what, became=became, epoch=self.epoch,
                                             learning_rate=self.base_learning_rate)

    def check_drawable(self):
        """Mark the run diverged if a weight or a gradient is not a finite float32 number (what
        a snapshot carries); returns whether the trainer is still "ok"."""
        if self.status == "ok":
            for what, values in (("weights", self.net.params), ("gradients", self.net.grads)):
                if values.size and beyond_float32(values):
                    self.mark_diverged(what, values)
                    self.log.record(self, stop=what)   # outside training: a replay must stop here
                    break
        return self.status == "ok"

    # ----------------------------------------------------------------- changes
    def set_hyperparams(self, *, learning_rate=None, schedule=None, schedule_params=None,
                        regularization=None, reg_rate=None, batch_size=None, optimizer=None,
                        optimizer_params=None, clip_norm=False):
        """Change hyperparameters between steps; weights, history and optimizer state are kept
        (a different optimizer starts with fresh state). Everything is validated before anything
        changes, so a bad value leaves the trainer exactly as it was."""
        new = {}
        if learning_rate is not None:
            new["base_learning_rate"] = check_number("learning_rate", learning_rate, *LEARNING_RATE_RANGE)
        if reg_rate is not None:
            new["reg_rate"] = check_number("reg_rate", reg_rate, *REG_RATE_RANGE)
        if batch_size is not None:
            new["batch_size"] = check_number("batch_size", batch_size, *BATCH_SIZE_RANGE, integer=True)
        if clip_norm is not False:
            new["clip_norm"] = check_clip_norm(clip_norm)
        if regularization is not None:
            new["regularizer"] = REGULARIZERS.get(regularization, "regularization")()
        if schedule is not None and schedule != self.schedule.name:
            new["schedule"] = SCHEDULES.get(schedule, "schedule")(**(schedule_params or {}))
        elif schedule_params is not None:
            probe = SCHEDULES.get(self.schedule.name)(**self.schedule.params)
            probe.set_params(**schedule_params)
            new["schedule"] = probe
        if optimizer is not None and optimizer != self.optimizer.name:
            new["optimizer"] = OPTIMIZERS.get(optimizer, "optimizer")(**(optimizer_params or {}))
        elif optimizer_params is not None:
            OPTIMIZERS.get(self.optimizer.name)(**{**self.optimizer.hyperparams, **optimizer_params})
            new["optimizer_params"] = optimizer_params
        params = new.pop("optimizer_params", None)
        for name, value in new.items():
            setattr(self, name, value)
        if params is not None:
            self.optimizer.set_hyperparams(**params)
        self._lr = self.schedule(self.base_learning_rate, self.epoch)
        given = {"learning_rate": learning_rate, "schedule": schedule,
                 "schedule_params": schedule_params, "regularization": regularization,
                 "reg_rate": reg_rate, "batch_size": batch_size, "optimizer": optimizer,
                 "optimizer_params": optimizer_params}
        given = {key: dict(value) if isinstance(value, dict) else value
                 for key, value in given.items() if value is not None}
        if clip_norm is not False:
            given["clip_norm"] = self.clip_norm
        if given:
            self.log.record(self, hyperparams=given)
        if "regularizer" in new or "reg_rate" in new:
            with np.errstate(all="ignore"):   # a diverged network has inf weights: inf·0 is NaN
                reg_loss = self.regularizer.loss(self.net.params, self.net.weight_mask, self.reg_rate)
            self.history.latest = {**self.history.latest, "reg_loss": reg_loss}

    def hyperparams(self):
        """The current hyperparameters, as `set_hyperparams` takes them."""
        return {"learning_rate": self.base_learning_rate, "schedule": self.schedule.name,
                "schedule_params": dict(self.schedule.params), "regularization": self.regularizer.name,
                "reg_rate": self.reg_rate, "batch_size": self.batch_size,
                "optimizer": self.optimizer.name, "optimizer_params": dict(self.optimizer.hyperparams),
                "clip_norm": self.clip_norm}

    def data(self):
        """(X_train, y_train, X_test, y_test): the trainer's own arrays (read, never write)."""
        return self._X_train, self._y_train, self._X_test, self._y_test

    def set_data(self, X_train, y_train, X_test=None, y_test=None):
        """Train on new data from the next minibatch on; weights and history are kept."""
        old = self.data()
        self._set_data(X_train, y_train, X_test, y_test)
        self._pos, self._perm = 0, None   # the old epoch's order indexes the old rows
        self.log.record(self, **data_change(old, self.data()))
        self._remeasure()

    def set_weight(self, layer, row, col, value):
        """Set W[row, col] of a layer (row n_in: the bias b[col]) between steps, and re-measure."""
        self.net.set_weight(layer, row, col, value)
        self.log.record(self, weight=[int(layer), int(row), int(col), float(value)])
        self._remeasure()

    def set_params(self, params):
        """Set every weight and bias (a flat vector laid out like `net.params`), and re-measure."""
        params = np.asarray(params, dtype=np.float64)
        if params.shape != self.net.params.shape:
            raise ConfigError("params", "does not fit the network", f"{self.net.n_params} values")
        self.net.params[...] = params
        self.refresh()

    def refresh(self):
        """Re-measure after the weights changed outside training (e.g. an applied trace); the
        run log keeps the new weights, so a replay sets them exactly."""
        self.log.record(self, params=self.net.params.copy())
        self._remeasure()

    def _remeasure(self):
        """Evaluate again after the weights or data changed outside training; a dead network's
        count starts again."""
        self.dead_check.clear()
        self.history.latest = self.evaluate()
        if self.status == "ok" and beyond_float32(self.net.params):
            self.mark_diverged("weights", self.net.params)

    def reset(self, reseed=False):
        """Back to the initial weights (bit-identical), epoch 0 and an empty history.

        `reseed=True` draws a new seed and new initial weights instead.
        """
        if reseed:
            self.net.reinitialize(random_seed())
            self.initial_params = self.net.params.copy()
        self._restart()

    def restart_from(self, initial_params):
        """Back to epoch 0 from the given initial weights (copied), as `reset` does from the
        trainer's own: a fork starts exactly where its source started."""
        initial = np.array(initial_params, dtype=np.float64)
        if initial.shape != self.net.params.shape:
            raise ConfigError("initial_params", "does not fit the network",
                              f"{self.net.n_params} values")
        self.initial_params = initial
        self._restart()

    def _restart(self):
        self.net.params[...] = self.initial_params
        self.optimizer.reset()
        self._rng = np.random.default_rng([self.net.seed, 1])  # shuffling stream, apart from init's
        self._pos, self._perm = 0, None
        self.epoch = self.steps = 0
        self.status, self.status_reason = "ok", None
        self._lr = self.schedule(self.base_learning_rate, 0)
        self.dead_check.clear()
        self.history.clear()
        self.trajectory.clear()
        self._record()
        self.log.begin(self)

    def _set_data(self, X_train, y_train, X_test, y_test):
        net = self.net
        X_train = net.check_inputs(X_train, "X_train")
        if len(X_train) == 0:
            raise ConfigError("X_train", "needs at least one training row", "≥ 1 row")
        T_train = net.encode_targets(y_train, n=len(X_train), field="y_train")
        if X_test is None:
            X_test = np.empty((0, net.n_inputs))
            y_test = np.empty((0,) if net.problem != "regression" or net.n_outputs == 1 else (0, net.n_outputs))
        X_test = net.check_inputs(X_test, "X_test")
        T_test = net.encode_targets(y_test, n=len(X_test), field="y_test")
        self._X_train, self._y_train = X_train.astype(float), np.asarray(y_train).copy()
        self._X_train_aug = np.hstack([self._X_train, np.ones((len(X_train), 1))])
        self._T_train = T_train
        self._X_test, self._y_test, self._T_test = X_test.astype(float), np.asarray(y_test).copy(), T_test
        self._pos = 0

    # ----------------------------------------------------------------- saving
    def state_dict(self, log=True):
        """Everything needed to continue exactly where training is now (JSON-safe); with `log`,
        the run log too (how training got here). See trainer_state.py."""
        return trainer_state.save(self, log)

    @classmethod
    def from_state_dict(cls, state):
        """A trainer that continues bit-identically from `state_dict()`'s output."""
        return trainer_state.restore(cls, state)
