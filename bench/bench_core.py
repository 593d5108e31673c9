"""Engine benchmark: training steps per second and grid-map milliseconds, one BLAS thread.

    make bench            # or: .venv/bin/python bench/bench_core.py [--seconds 2]

Workloads (issue 2):
  W1  2-8-8-1,        tanh hidden, sigmoid output, binary cross-entropy, batch 10
  W2  2-64-64-64-2,   ReLU, softmax cross-entropy, batch 256 (float64)
  W3  64-128-64-10,   ReLU, softmax cross-entropy, batch 128 (float64)
  W4  64-32-10,       ReLU, softmax cross-entropy, batch 32, on the handwritten digits (issue 21:
      the training half of `make_dataset("digits")`, 899 rows, so 28 minibatches of 32 and one
      of 3 per epoch in both libraries); W4 Adam is the same with Adam, the digits preset's
      optimizer (PyTorch: torch.optim.Adam with the same β₁, β₂, ε). Target: ≥ 1.0× PyTorch.
A step is forward + backward + plain SGD update on one minibatch, driven through
`Trainer.step` (shuffling and slicing included) on a training set of 100 minibatches (W4: the
digits), with the
per-epoch history evaluation switched off (`eval_every=0`) so that steps are measured alone, as in
the PyTorch loop; a second column keeps the evaluation on (one forward pass over the whole
training set per epoch). If PyTorch or scikit-learn is importable, the same workloads run
through them (PyTorch: eager CPU, one thread, same loop; scikit-learn: MLPClassifier.partial_fit)
and the ratios are printed. Grids: `evaluate_grid` of the W1 and W2 networks, output map plus
every hidden neuron's map, with the grid's feature matrix cached as the server caches it.

The public path (issue 7): `Network.loss_and_grads` and `Network.forward` called on the same
100 minibatches, in µs per minibatch, beside the trainer's internal step (`Trainer.step(500)`
per 500; target: both within 25 % of it) and beside PyTorch's forward + backward (zero_grad,
loss, backward; no optimizer step) and forward (under `no_grad`); targets for loss_and_grads vs
PyTorch's forward + backward: W1 ≥ 6×, W2 and W3 ≥ 1.0×.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"   # before NumPy loads: one BLAS thread, as the targets specify

import argparse  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from nn_core import GridInputs, Network, Trainer, evaluate_grid, make_dataset, train_test_split  # noqa: E402,E501

# `target`: steps/s nn_core must reach (None: only the ratio to PyTorch, `torch_target`, counts).
WORKLOADS = {
    "W1": dict(sizes=[2, 8, 8, 1], activation="tanh", problem="binary", batch=10, target=25000),
    "W2": dict(sizes=[2, 64, 64, 64, 2], activation="relu", problem="multiclass", batch=256, target=2000),
    "W3": dict(sizes=[64, 128, 64, 10], activation="relu", problem="multiclass", batch=128, target=2000),
    "W4": dict(sizes=[64, 32, 10], activation="relu", problem="multiclass", batch=32, target=None,
               torch_target=1.0, data="digits"),
    "W4 Adam": dict(sizes=[64, 32, 10], activation="relu", problem="multiclass", batch=32,
                    target=None, torch_target=1.0, data="digits", optimizer="adam"),
}


def make_data(spec, rng):
    if spec.get("data") == "digits":
        digits = make_dataset("digits")
        X, y, _, _ = train_test_split(digits.points, digits.labels, 0.5, seed=0)
        return X, y
    n = spec["batch"] * 100
    X = rng.normal(size=(n, spec["sizes"][0]))
    classes = 2 if spec["problem"] == "binary" else spec["sizes"][-1]
    y = rng.integers(0, classes, n)
    return X, y


def best_rate(run_once, seconds, repeats=3):
    """Best of `repeats` runs of about `seconds` each: steps per second."""
    best = 0.0
    for _ in range(repeats):
        steps, elapsed = 0, 0.0
        while elapsed < seconds / repeats:
            t0 = time.perf_counter()
            steps += run_once()
            elapsed += time.perf_counter() - t0
        best = max(best, steps / elapsed)
    return best


def bench_numpy(spec, X, y, seconds, eval_every=0):
    net = Network(spec["sizes"], activation=spec["activation"], problem=spec["problem"], seed=0)
    trainer = Trainer(net, X, y, batch_size=spec["batch"], learning_rate=0.01, eval_every=eval_every,
                      optimizer=spec.get("optimizer", "sgd"))
    trainer.step(300)  # warm up: workspaces allocated, caches hot
    return best_rate(lambda: trainer.step(500), seconds)


def bench_torch(spec, X, y, seconds):
    import torch

    model, loss_fn, batches = torch_setup(spec, X, y)
    if spec.get("optimizer") == "adam":   # nn_core's Adam defaults are PyTorch's (README table)
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def run_once():
        for xb, yb in batches:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
        return len(batches)

    run_once()
    return best_rate(run_once, seconds)


def batches_of(spec, X, y):
    bs = spec["batch"]
    return [(X[i:i + bs], y[i:i + bs]) for i in range(0, len(X), bs)]


def bench_public(spec, X, y, seconds):
    """µs per minibatch: (trainer's internal step, loss_and_grads, forward)."""
    net = Network(spec["sizes"], activation=spec["activation"], problem=spec["problem"], seed=0)
    trainer = Trainer(net, X, y, batch_size=spec["batch"], learning_rate=0.01, eval_every=0)
    trainer.step(300)
    step = 1e6 / best_rate(lambda: trainer.step(500), seconds)
    batches = batches_of(spec, X, y)

    def loss_and_grads():
        for xb, yb in batches:
            net.loss_and_grads(xb, yb)
        return len(batches)

    def forward():
        for xb, _ in batches:
            net.forward(xb)
        return len(batches)

    loss_and_grads()
    forward()
    return step, 1e6 / best_rate(loss_and_grads, seconds), 1e6 / best_rate(forward, seconds)


def torch_model(spec):
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    sizes, layers = spec["sizes"], []
    act = torch.nn.Tanh if spec["activation"] == "tanh" else torch.nn.ReLU
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b).double())
        if i < len(sizes) - 2:
            layers.append(act())
    return torch.nn.Sequential(*layers)


def torch_setup(spec, X, y):
    """PyTorch's copy of the benchmark network, its loss, and the minibatches as tensors."""
    import torch

    model = torch_model(spec)
    if spec["problem"] == "binary":
        loss_fn, target = torch.nn.BCEWithLogitsLoss(), torch.tensor(y, dtype=torch.float64)[:, None]
    else:
        loss_fn, target = torch.nn.CrossEntropyLoss(), torch.tensor(y)
    inputs, bs = torch.tensor(X), spec["batch"]
    return model, loss_fn, [(inputs[i:i + bs], target[i:i + bs]) for i in range(0, len(X), bs)]


def bench_torch_public(spec, X, y, seconds):
    """µs per minibatch of PyTorch's forward + backward (no optimizer) and forward (no_grad)."""
    import torch

    model, loss_fn, batches = torch_setup(spec, X, y)

    def forward_backward():
        for xb, yb in batches:
            model.zero_grad()
            loss_fn(model(xb), yb).backward()
        return len(batches)

    def forward():
        with torch.no_grad():
            for xb, _ in batches:
                model(xb)
        return len(batches)

    forward_backward()
    forward()
    return 1e6 / best_rate(forward_backward, seconds), 1e6 / best_rate(forward, seconds)


def bench_sklearn(spec, X, y, seconds):
    import warnings

    from sklearn.neural_network import MLPClassifier

    act = "tanh" if spec["activation"] == "tanh" else "relu"
    model = MLPClassifier(hidden_layer_sizes=spec["sizes"][1:-1], activation=act,
                          solver="adam" if spec.get("optimizer") == "adam" else "sgd",
                          learning_rate_init=0.01, momentum=0.0, batch_size=spec["batch"], random_state=0)
    classes = np.unique(y)
    bs = spec["batch"]

    def run_once():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i in range(0, 20 * bs, bs):
                model.partial_fit(X[i:i + bs], y[i:i + bs], classes=classes)
        return 20

    run_once()
    return best_rate(run_once, seconds)


def bench_grid(net, resolution, neuron_resolution, repeats=200):
    grid = GridInputs(["x1", "x2"], resolution=resolution, neuron_resolution=neuron_resolution)
    evaluate_grid(net, grid=grid)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        evaluate_grid(net, grid=grid)
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}"


def python_loop_seconds(n=10_000_000, repeats=3):
    """Best of `repeats` timings of a pure-Python `for` loop of n additions: how fast this
    machine runs Python (issue 21 asks for it beside the results; ~0.5 s on a current desktop)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        total = 0
        for i in range(n):
            total += i
        best = min(best, time.perf_counter() - t0)
    return best


def optional(name):
    try:
        module = __import__(name)
        return module.__version__
    except ImportError:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per workload and library")
    parser.add_argument("--only", nargs="+", choices=list(WORKLOADS), metavar="W",
                        help=f"run only these workloads ({', '.join(WORKLOADS)}), without grids")
    args = parser.parse_args()
    if args.only:
        for name in set(WORKLOADS) - set(args.only):
            del WORKLOADS[name]
    torch_version, sklearn_version = optional("torch"), optional("sklearn")
    print(f"machine: {machine()}; one BLAS thread")
    print(f"a Python loop of 10 million additions: {python_loop_seconds():.2f} s")
    print(f"PyTorch: {torch_version or 'not installed'}; scikit-learn: {sklearn_version or 'not installed'}\n")

    header = "| workload | nn_core steps/s | target | with per-epoch evaluation | PyTorch steps/s | nn_core / PyTorch | scikit-learn steps/s | nn_core / sklearn |"
    print(header)
    print("|" + "---|" * 8)
    rng = np.random.default_rng(0)
    for name, spec in WORKLOADS.items():
        X, y = make_data(spec, rng)
        ours = bench_numpy(spec, X, y, args.seconds)
        with_eval = bench_numpy(spec, X, y, args.seconds, eval_every=1)
        torch_rate = bench_torch(spec, X, y, args.seconds) if torch_version else None
        sk_rate = bench_sklearn(spec, X, y, args.seconds) if sklearn_version else None
        if spec["target"] is not None:
            target = f"≥ {spec['target']:,} ({'met' if ours >= spec['target'] else 'MISSED'})"
        else:
            target = f"≥ {spec['torch_target']:g}× PyTorch"
        ratio = "–"
        if torch_rate:
            ratio = f"{ours / torch_rate:.1f}×"
            if spec.get("torch_target"):
                ratio += f" ({'met' if ours / torch_rate >= spec['torch_target'] else 'MISSED'})"
        cells = [f"{name} {'-'.join(map(str, spec['sizes']))} batch {spec['batch']}", f"{ours:,.0f}",
                 target, f"{with_eval:,.0f}", f"{torch_rate:,.0f}" if torch_rate else "–", ratio,
                 f"{sk_rate:,.0f}" if sk_rate else "–", f"{ours / sk_rate:.1f}×" if sk_rate else "–"]
        print("| " + " | ".join(cells) + " |", flush=True)

    print("\n| workload | trainer step µs | loss_and_grads µs | ÷ step (≤ 1.25) | forward µs | "
          "÷ step (≤ 1.25) | PyTorch fwd + bwd µs | loss_and_grads vs PyTorch | PyTorch forward µs "
          "| forward vs PyTorch |")
    print("|" + "---|" * 10)
    public_targets = {"W1": 6.0, "W2": 1.0, "W3": 1.0, "W4": 1.0}
    rng = np.random.default_rng(0)
    for name, spec in WORKLOADS.items():
        if name not in public_targets:
            continue            # the optimizer plays no part in loss_and_grads and forward
        X, y = make_data(spec, rng)
        step, lg, fwd = bench_public(spec, X, y, args.seconds)
        t_fb, t_fwd = bench_torch_public(spec, X, y, args.seconds) if torch_version else (None, None)

        def verdict(ratio, target):
            return f"{ratio:.2f} ({'met' if ratio <= target else 'MISSED'})"

        cells = [f"{name} {'-'.join(map(str, spec['sizes']))} batch {spec['batch']}", f"{step:.1f}",
                 f"{lg:.1f}", verdict(lg / step, 1.25), f"{fwd:.1f}", verdict(fwd / step, 1.25)]
        if t_fb:
            speedup = t_fb / lg
            cells += [f"{t_fb:.1f}", f"{speedup:.1f}× (target ≥ {public_targets[name]:g}×: "
                      f"{'met' if speedup >= public_targets[name] else 'MISSED'})",
                      f"{t_fwd:.1f}", f"{t_fwd / fwd:.1f}×"]
        else:
            cells += ["–"] * 4
        print("| " + " | ".join(cells) + " |", flush=True)

    if args.only:
        return
    print("\n| grid | network | neuron maps | median ms |")
    print("|---|---|---|---|")
    for name in ("W1", "W2"):
        spec = WORKLOADS[name]
        net = Network(spec["sizes"], activation=spec["activation"], problem=spec["problem"], seed=0)
        for res in (100, 200):
            for nres, label in ((res, f"all, {res} × {res}"), (25, "all, 25 × 25")):
                ms = bench_grid(net, res, nres)
                print(f"| {res} × {res} | {name} | {label} | {ms:.3f} |", flush=True)


if __name__ == "__main__":
    main()
