"""The next minibatch step, laid out: what `Trainer.step(batches=1)` is about to do.

    B = the next |B| rows of the epoch's shuffle,        L_B = (1/|B|) Σ_{p∈B} L_p
    g = ∂L_B/∂θ (+ λ·w on weights for L2),               g ← g·min(1, c/‖g‖₂)  (clipping at c)
    θ ← optimizer(θ, g, α_epoch),                         L1: then w ← sign(w)·max(|w| − η·λ, 0)

`trace_batch` gives, per layer, what `textbook.trace` gives for one example, but for the step
training takes: its numbers are `Trainer.preview_step`'s (the trainer's own code run on copies),
so `update_W` is the change `step(batches=1)` makes, bit for bit. One point of the minibatch is
followed through the forward pass and backpropagation on the textbook path (its z, a, δ and its
own gradient), which shows how the minibatch's mean gradient is made of each point's.

Nothing changes; taking the step is `trainer.step(batches=1)` itself, so a trace applied is
exactly a one-minibatch step (the tests hold them bit-identical for every optimizer).
"""

import numpy as np

from . import textbook
from .errors import check_number


def trace_batch(trainer, shown=0):
    """The next minibatch step of `trainer`, per layer; `shown` (0 … |B| − 1) picks the point
    of the minibatch whose forward pass and δ are given. Nothing changes.

    Returns a dict: `indices` (training rows), `losses` (each point's data loss), `loss` (their
    mean), `shown`; the shown point's `x`, `target`, `output`, `point_loss`; `reg_loss`,
    `loss_name`, `learning_rate` (the schedule applied), `regularization`, `reg_rate`,
    `clip_norm`, `grad_norm` (‖g‖ before clipping, None without clipping); `optimizer`
    ({"name", "hyperparams", "slots", "t"}: t counts this step); and `layers`, one dict each:
    `activation`, `W`, `b` (before the step), the shown point's `z`, `a`, `dL_da`, `delta`,
    `point_dW`, `point_db`; the minibatch's `dW`, `db` (mean data-loss gradients), `reg_dW`
    (λ ∂R/∂W, None without regularization), `grad_W`, `grad_b` (what the optimizer receives),
    `step_W`, `step_b` (the optimizer's step alone), `update_W`, `update_b` (the whole change,
    L1's shrink included), `shrink_W` (L1's threshold η·λ per weight, None without L1), and
    `state_before`, `state_after` ({slot: {"W", "b"}}).
    """
    net = trainer.net
    preview = trainer.preview_step()
    indices = preview["indices"]
    shown = check_number("shown", shown, 0, len(indices) - 1, integer=True)
    X, y = trainer.data()[:2]
    lr, regularizer, rate = preview["learning_rate"], trainer.regularizer, trainer.reg_rate
    # The shown point on the textbook path (plain lists and a loop over layers).
    point = textbook.trace(net, X[indices[shown]], y[indices[shown]], lr, regularizer.name, rate)
    # Each point's loss: one textbook forward pass over the minibatch's rows.
    W, b, f = textbook.parameters(net)
    with np.errstate(all="ignore"):
        z, a = textbook.forward(W, b, f, X[indices])
        losses = net.loss_fn.rows(z[-1], a[-1], net.encode_targets(y[indices], n=len(indices)))
    layer_parts = {key: net.unflatten(preview[key])
                   for key in ("before", "data_grads", "grads", "stepped", "after")}
    shrink = None if preview["shrink"] is None else net.unflatten(preview["shrink"])
    states = {when: {slot: net.unflatten(vector) for slot, vector in preview[when].items()}
              for when in ("state_before", "state_after")}
    layers = []
    for i, one in enumerate(point["layers"]):
        (W_i, b_i), (dW, db), (gW, gb) = (layer_parts[k][i] for k in ("before", "data_grads", "grads"))
        (sW, sb), (aW, ab) = layer_parts["stepped"][i], layer_parts["after"][i]
        layers.append({
            "activation": one["activation"], "W": W_i.copy(), "b": b_i.copy(),
            "z": one["z"], "a": one["a"], "dL_da": one["dL_da"], "delta": one["delta"],
            "point_dW": one["dW"], "point_db": one["db"],
            "dW": dW.copy(), "db": db.copy(), "reg_dW": one["reg_dW"],
            "grad_W": gW.copy(), "grad_b": gb.copy(),
            "step_W": sW - W_i, "step_b": sb - b_i,          # the optimizer's step alone
            "update_W": aW - W_i, "update_b": ab - b_i,      # ΔW: exactly what the step changes
            "shrink_W": None if shrink is None else shrink[i][0].copy(),
            **{when: {slot: {"W": parts[i][0].copy(), "b": parts[i][1].copy()}
                      for slot, parts in states[when].items()} for when in states},
        })
    optimizer = trainer.optimizer
    return {"indices": indices, "losses": losses, "loss": preview["loss"], "shown": shown,
            "x": point["x"], "target": point["target"], "output": point["output"],
            "point_loss": point["loss"], "reg_loss": point["reg_loss"],
            "loss_name": point["loss_name"], "learning_rate": lr,
            "regularization": regularizer.name, "reg_rate": rate,
            "clip_norm": trainer.clip_norm, "grad_norm": preview["grad_norm"],
            "optimizer": {"name": optimizer.name, "hyperparams": dict(optimizer.hyperparams),
                          "slots": list(optimizer.slots), "t": preview["t"]},
            "layers": layers}
