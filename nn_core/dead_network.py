"""A dead network: no gradient reaches the weights, so training cannot change what it computes.

Backpropagation multiplies by every hidden layer's f′(z) on the way back:

    δ_{i−1} = (δ_i W_iᵀ) ⊙ f′(z_{i−1}),      ∂L/∂W_i = x_{i−1}ᵀ δ_i,   x_{i−1} = f(z_{i−1})

When every unit of one hidden layer is silent on every training row (a ReLU with z ≤ 0, so
f′(z) = 0 and f(z) = 0), δ is 0 from that layer back to the inputs, and the layers after it get
only zeros as input: every weight's gradient is exactly 0 and only the biases after the layer
still learn (the output settles on the class balance, a flat map). The same stall happens with
no silent layer when ‖∂L/∂W‖ over the training set is ~0 while the loss is not (every weight 0:
each unit passes back w·δ = 0).

`DeadNetworkCheck` looks at each recorded epoch: the largest z of every hidden unit over the
training rows (collected by the trainer's evaluation pass, `see`) and the weight-gradient norm.
Once the network has been dead for `PATIENCE` epochs, `hint` says so, names the silent layer,
and lists what to try. Biases are left out of the norm on purpose: they still learn, yet cannot
bring a silent layer back.
"""

import numpy as np

# Epochs the stall must last before it is reported: long enough that a momentum or Adam step
# still under way could have revived a unit, short enough to come before the learner gives up.
PATIENCE = 5
# ‖∂L/∂W‖ below this is "no gradient": float64 round-off of a real gradient is far above it.
GRADIENT_FLOOR = 1e-10
# A loss this small is a fit, not a stall (a perfect regression also has ‖∂L/∂W‖ ≈ 0).
LOSS_FLOOR = 1e-6


class DeadNetworkCheck:
    """Watches a network for a stall; `hint` is None or a JSON-safe dict (see `describe`)."""

    def __init__(self, network, patience=PATIENCE):
        self.net = network
        self.patience = patience
        self.floor = GRADIENT_FLOOR
        self.hint = None
        self.clear()

    def clear(self):
        """Forget the streak (new weights, data or hyperparameters start a new count)."""
        self.since = None
        self.hint = None
        self._peaks = None

    def start_pass(self):
        """Before a forward pass over the training rows."""
        self._peaks = [None] * (len(self.net.layers) - 1)

    def see(self, zs):
        """One chunk's pre-activations [z_1, …, z_L] (rows × units); keeps each unit's largest z."""
        peaks = self._peaks
        if peaks is None:
            return
        for i, layer in enumerate(self.net.layers[:-1]):
            if layer.activation.silent_below is None:
                continue
            top = zs[i].max(axis=0)
            peaks[i] = top if peaks[i] is None else np.maximum(peaks[i], top, out=peaks[i])

    def silent_layers(self):
        """Hidden layers (0-based) whose every unit stayed silent on every row of the last pass."""
        if not self._peaks:
            return []
        hidden = self.net.layers[:-1]
        return [i for i, (layer, top) in enumerate(zip(hidden, self._peaks))
                if top is not None and len(top) and (top <= layer.activation.silent_below).all()]

    def end_epoch(self, epoch, train_loss, weight_grad_norm, learning_rate, shrinking=False):
        """After the pass of a recorded epoch. `weight_grad_norm()` gives ‖∂L/∂W‖ over the
        training set (called only when no layer is silent); `shrinking`: a penalty pulls the
        weights towards 0. Returns `hint`."""
        silent = self.silent_layers()
        self._peaks = None
        dead = bool(silent) or (train_loss > LOSS_FLOOR and weight_grad_norm() <= self.floor)
        if not dead:
            self.since, self.hint = None, None
            return None
        if self.since is None or epoch < self.since:
            self.since = epoch
        self.hint = (describe(self.net, silent, self.since, epoch, learning_rate, shrinking)
                     if epoch - self.since >= self.patience else None)
        return self.hint


def describe(net, silent, since, epoch, learning_rate, shrinking=False):
    """The hint: what was found, in words a learner can act on, and the fixes to try.

    {"kind": "dead_network", "cause": "silent_layer" | "no_gradient", "since", "epochs",
     "layers": [hidden layer indices], "message", "fixes": [{"field", "value", "text"}]}
    A fix's `value` is what to set `field` to (None for a new seed: any other one).
    `shrinking`: a penalty (L1, L2) is pulling the weights towards 0.
    """
    epochs = epoch - since
    stalled = (f"for the last {epochs} epochs" if since else f"since the start ({epochs} epochs)")
    fixes = []
    zero = not np.any(net.params[net.weight_mask > 0])
    if silent:
        numbers = [str(i + 1) for i in silent]
        one = len(silent) == 1
        layer = (f"hidden layer {numbers[0]}" if one
                 else f"hidden layers {', '.join(numbers[:-1])} and {numbers[-1]}")
        act = net.layers[silent[-1]].activation
        them = "it" if one else "them"
        message = (f"No gradient has reached the weights {stalled}: every unit of {layer} "
                   f"({act.label}) outputs 0 for every training point (z ≤ 0, where its slope is "
                   f"0 too). Nothing before {them} can learn, the layers after {them} see only "
                   "zeros, and the output stays flat.")
        if zero and shrinking:
            message += (" With no gradient holding them, the regularization has shrunk every "
                        "weight to 0: that is the dead network, not the penalty, at work.")
        fixes.append({"field": "activation", "value": "leaky_relu",
                      "text": "Leaky ReLU: its units keep a small slope below 0, so they never go fully silent"})
    else:
        cause = ("every weight is 0, so each unit passes back w·δ = 0" if zero
                 else "‖∂L/∂W‖ is about 0 over the training set")
        message = (f"No gradient has reached the weights {stalled}: {cause}. "
                   "Training cannot change what the network computes.")
        if zero:
            fixes.append({"field": "init", "value": "xavier_uniform",
                          "text": "another initializer: weights that are not all 0"})
    fixes.append({"field": "seed", "value": None, "text": "another seed: new initial weights"})
    if since > 0:   # it died while training: a step too large may have done it
        smaller = float(f"{max(learning_rate / 3, 1e-5):.1g}")
        why = "can push every unit of a layer below 0" if silent else "can saturate every unit"
        fixes.append({"field": "learning_rate", "value": smaller,
                      "text": f"a smaller learning rate (now {learning_rate:g}): one large step {why}"})
    return {"kind": "dead_network", "cause": "silent_layer" if silent else "no_gradient",
            "since": since, "epochs": epochs, "layers": silent, "message": message, "fixes": fixes}
