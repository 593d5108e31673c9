"""A run's figures as Plotly figures (`plotly.graph_objects.Figure`), from a session or a trainer.

    from app.exports import figures
    figures.curves(session).show()              # or figures.curves(trainer), in a notebook
    figures.output(trainer_for("digits"), dataset="digits")

Every function takes what `run.run_of` takes (a TrainingSession, a Trainer with optional
`features`, `dataset` and `points`, or a `Run`) and returns a figure; the HTML report
(report.py) and the notebook (notebook.py) draw these same figures. Colours are the page's
(static/js/colors.js): orange for class 0 and −1, blue for class 1 and +1, one colour a class.
Nothing here changes the run: the animation evaluates a copy of the network.
"""

import functools
import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nn_core import Network
from nn_core.grid import DEFAULT_BOUNDS, GridInputs, evaluate_grid

from .run import run_of

NEG, MID, POS = (245, 147, 34), (232, 234, 235), (8, 119, 189)
CLASS_COLORS = [(245, 147, 34), (8, 119, 189), (46, 160, 67), (148, 82, 181), (214, 39, 40),
                (23, 163, 184), (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34)]
PALE = 0.5           # the output's background reaches half way to a class colour (the page's)
TRAIN, TEST = "#555", "#0877bd"
# Compare's runs (static/js/compare/race.js), then more for longer lists.
RUN_COLORS = ["#e4572e", "#7b2cbf", "#0f9d8a", "#0877bd", "#f59322", "#2ea043"]
LANDSCAPE_SCALE = [[0, "#fbfcf3"], [0.2, "#e3ecec"], [0.45, "#b4c6d0"], [0.7, "#7890a3"],
                   [0.88, "#4a5f74"], [1, "#273444"]]
RESOLUTION = 100     # the output map's cells a side (the page's default)
ANIMATION_RESOLUTION = 50
FRAMES = 20          # the animation's frames at most (every recorded epoch when fewer)
GALLERY = 40         # test digits shown


def rgb(c, alpha=None):
    return f"rgb({c[0]},{c[1]},{c[2]})" if alpha is None else f"rgba({c[0]},{c[1]},{c[2]},{alpha})"


def _blend(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


DIVERGING = [[0, rgb(NEG)], [0.5, rgb(MID)], [1, rgb(POS)]]
PALE_DIVERGING = [[0, rgb(_blend(MID, NEG, PALE))], [0.5, rgb(MID)],
                  [1, rgb(_blend(MID, POS, PALE))]]


# A light template of our own: the page's look, and a few hundred bytes a figure in a report
# instead of Plotly's default template (~7 KB each).
TEMPLATE = go.layout.Template(layout={
    "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13,
             "color": "#1f2a30"},
    "paper_bgcolor": "white", "plot_bgcolor": "white", "hovermode": "closest",
    "xaxis": {"gridcolor": "#e4e8eb", "zerolinecolor": "#cfd6db", "automargin": True},
    "yaxis": {"gridcolor": "#e4e8eb", "zerolinecolor": "#cfd6db", "automargin": True}})


def figure(build):
    """Each figure function: its figure in this module's template."""
    @functools.wraps(build)
    def styled(*args, **kwargs):
        fig = build(*args, **kwargs)
        fig.update_layout(template=TEMPLATE)
        return fig
    return styled


def class_color(c):
    return rgb(CLASS_COLORS[c % len(CLASS_COLORS)])


# --------------------------------------------------------------------------- summary
def settings(source, **given):
    """[(setting, value)]: the data, the network and how it was trained, as a person reads it."""
    run = run_of(source, **given)
    net, t = run.net, run.trainer
    hyper = t.hyperparams()
    config = run.config or {}
    rows = [("dataset", run.dataset or "(given inputs)")]
    if config:
        rows += [("points", f"{config['n_points']} (noise {config['noise']}, data seed "
                            f"{config['data_seed']}, {config['train_ratio']:.0%} for training)")]
    rows += [("split", f"{len(run.train_points)} training, {len(run.test_points)} test"),
             ("inputs", ", ".join(run.features) if run.features else f"{net.n_inputs} raw inputs"),
             ("network", " → ".join(map(str, net.layer_sizes))),
             ("hidden activations", ", ".join(net.hidden_activations) or "(none)"),
             ("output", f"{net.output_activation}, loss {net.loss} ({net.problem})"),
             ("initial weights", f"{net.init}, seed {net.seed}"),
             ("optimizer", _with_params(hyper["optimizer"], hyper["optimizer_params"])),
             ("learning rate", _with_params(f"{hyper['learning_rate']:g} ({hyper['schedule']})",
                                            hyper["schedule_params"])),
             ("regularization", "none" if hyper["regularization"] == "none" or not hyper["reg_rate"]
              else f"{hyper['regularization']}, rate {hyper['reg_rate']:g}"),
             ("batch size", str(hyper["batch_size"])),
             ("gradient clipping", "off" if not hyper["clip_norm"] else f"global norm {hyper['clip_norm']:g}")]
    return rows


def metrics(source, **given):
    """[(metric, value)] of the run now: epoch, minibatches, losses and accuracy or RMSE/R²."""
    run = run_of(source, **given)
    t = run.trainer
    m = t.metrics()
    rows = [("epoch", str(t.epoch)), ("minibatches", str(t.steps)), ("status", t.status)]
    for key in ("train_loss", "test_loss", "reg_loss", "train_accuracy", "test_accuracy",
                "train_rmse", "test_rmse", "train_r2", "test_r2"):
        if key in m:
            value = m[key]
            shown = ("—" if value is None or not math.isfinite(value) else
                     f"{value:.2%}" if key.endswith("accuracy") else f"{value:.6g}")
            rows.append((key.replace("_", " "), shown))
    return rows


def _with_params(name, params):
    return name + (f" ({', '.join(f'{k} {v:g}' for k, v in params.items())})" if params else "")


@figure
def summary(source, **given):
    """A table of the settings and the final metrics."""
    return table([("value", settings(source, **given) + metrics(source, **given))])


@figure
def table(columns):
    """A table of [(heading, [(row name, value), ...]), ...] columns with the same row names
    (Compare's runs side by side)."""
    names = [name for name, _ in columns[0][1]]
    values = [[dict(rows).get(name, "") for name in names] for _, rows in columns]
    fig = go.Figure(go.Table(
        columnwidth=[1] + [3 / len(columns)] * len(columns),
        header={"values": [""] + [heading for heading, _ in columns], "fill_color": "#eef2f5",
                "align": "left"},
        cells={"values": [names, *values], "align": "left", "height": 24}))
    fig.update_layout(height=24 * len(names) + 60, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig


# --------------------------------------------------------------------------- curves
@figure
def curves(source, **given):
    """Loss (train and test, log scale) and accuracy or RMSE and R² per epoch."""
    run = run_of(source, **given)
    h = run.trainer.history.since(0)
    regression = run.problem == "regression"
    fig = make_subplots(rows=1, cols=2, subplot_titles=(
        f"loss ({run.net.loss}, data only)", "RMSE and R²" if regression else "accuracy"))
    for split, colour in (("train", TRAIN), ("test", TEST)):
        fig.add_trace(go.Scatter(x=h["epoch"], y=h[f"{split}_loss"], name=f"{split} loss",
                                 line={"color": colour}), 1, 1)
        for metric, dash in ((("rmse", "solid"), ("r2", "dot")) if regression
                             else (("accuracy", "solid"),)):
            fig.add_trace(go.Scatter(x=h["epoch"], y=h[f"{split}_{metric}"],
                                     name=f"{split} {metric.upper() if metric != 'accuracy' else metric}",
                                     line={"color": colour, "dash": dash}), 1, 2)
    return _curve_axes(fig, regression, height=380, top=40)


# --------------------------------------------------------------------------- the output
def output(source, resolution=RESOLUTION, **given):
    """What the network does: over the input plane with the data points (plane sets), a gallery
    of test predictions (images), or over the principal plane (tables)."""
    run = run_of(source, **given)
    if run.kind == "image":
        return digit_gallery(run)
    return output_map(run, resolution)


@figure
def output_map(source, resolution=RESOLUTION, **given):
    """The output over the input plane (plane sets) or over the data's principal plane (real
    sets: a 2-D slice through their inputs), with the data points."""
    run = run_of(source, **given)
    grid = _Grid(run, resolution)
    fig = go.Figure([grid.heatmap(run.net), *_points(run, grid)])
    return _square(fig, grid, _output_title(run, grid))


@figure
def animation(source, frames=FRAMES, resolution=ANIMATION_RESOLUTION, **given):
    """The output map over training (a slider and a play button): one frame per recorded epoch,
    at most `frames`, from the weights the trajectory recorded (float32) to the weights now."""
    run = run_of(source, **given)
    t = run.trainer
    epochs, path = t.trajectory.path(t.epoch, t.net.params)
    chosen = sorted(set(np.linspace(0, len(epochs) - 1, min(frames, len(epochs))).round()
                        .astype(int).tolist()))
    grid = _Grid(run, resolution)
    scratch = Network(**run.net.config())
    maps = []
    for i in chosen:
        scratch.params[...] = path[i]
        maps.append(grid.values(scratch))
    # Each frame changes only the map's values (trace 0); colours and points stay.
    fig = go.Figure([grid.heatmap(run.net, maps[-1]), *_points(run, grid)],
                    frames=[go.Frame(data=[{"type": "heatmap", "z": z}], traces=[0],
                                     name=str(epochs[i])) for z, i in zip(maps, chosen)])
    steps = [{"label": str(epochs[i]), "method": "animate",
              "args": [[str(epochs[i])], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                                          "transition": {"duration": 0}}]} for i in chosen]
    fig.update_layout(
        sliders=[{"steps": steps, "active": len(steps) - 1,
                  "currentvalue": {"prefix": "epoch ", "xanchor": "right"},
                  "x": 0.22, "len": 0.78, "y": 0, "yanchor": "top", "pad": {"t": 60}}],
        updatemenus=[{"type": "buttons", "showactive": False, "x": 0, "y": 0, "pad": {"t": 70},
                      "xanchor": "left", "yanchor": "top", "direction": "left",
                      "buttons": [{"label": "▶ play", "method": "animate",
                                   "args": [None, {"frame": {"duration": 250, "redraw": True},
                                                   "fromcurrent": False, "transition": {"duration": 0}}]},
                                  {"label": "❚❚ pause", "method": "animate",
                                   "args": [[None], {"mode": "immediate", "frame": {"duration": 0}}]}]}])
    return _square(fig, grid, f"the output over training ({len(chosen)} frames)", extra=110)


class _Grid:
    """Cells over the input plane (plane sets) or a real set's principal plane, evaluated as the
    page's output map is: nn_core's float32 grid pass (`evaluate_grid`)."""

    def __init__(self, run, resolution):
        self.run = run
        self.plane = None if run.kind == "plane" else run.plane()
        bounds = DEFAULT_BOUNDS if self.plane is None else self.plane.bounds
        # the neuron maps are not drawn here: the smallest grid of them
        self.inputs = GridInputs(run.features, bounds, resolution, 2, self.plane)
        self.xs = np.linspace(bounds[0], bounds[1], resolution)
        self.ys = np.linspace(bounds[2], bounds[3], resolution)
        self.shape = (resolution, resolution)

    def coords(self, points):
        """Where points are drawn: themselves, or their projection onto the plane."""
        return points if self.plane is None else self.plane.project(points)

    def values(self, net):
        """What each cell shows for `net` (the run's network or a copy with other weights):
        P(class 1), class + its probability (in [c, c + 1)), or the output value."""
        out = evaluate_grid(net, grid=self.inputs).output.reshape(-1, net.n_outputs)
        if net.problem == "binary":
            low, high = net.output_range or (-1.0, 1.0)
            z = np.clip((out[:, 0] - low) / (high - low), 0, 1)
        elif net.problem == "multiclass":
            with np.errstate(invalid="ignore"):   # a diverged network's NaN stays NaN
                z = out.argmax(axis=1) + 0.999 * out.max(axis=1)
        else:
            z = out[:, 0]
        return z.reshape(self.shape).astype(np.float32)

    def heatmap(self, net, z=None):
        z = self.values(net) if z is None else z
        common = {"x": self.xs, "y": self.ys, "z": z, "hoverinfo": "skip"}
        if net.problem == "binary":
            return go.Heatmap(zmin=0, zmax=1, colorscale=PALE_DIVERGING,
                              colorbar={"title": {"text": "P(class 1)"}}, **common)
        if net.problem == "multiclass":
            k = net.n_outputs   # K bands, each from grey to its class's (pale) colour
            scale = []
            for c in range(k):
                full = _blend(MID, CLASS_COLORS[c % len(CLASS_COLORS)], PALE)
                scale += [[c / k, rgb(MID)], [(c + 1) / k - 1e-9, rgb(full)]]
            scale[-1][0] = 1.0
            return go.Heatmap(zmin=0, zmax=k, colorscale=scale, showscale=False, **common)
        scale = _label_scale(self.run)
        return go.Heatmap(zmin=-scale, zmax=scale, colorscale=PALE_DIVERGING,
                          colorbar={"title": {"text": "output"}}, **common)


def _label_scale(run):
    labels = np.concatenate([np.ravel(run.train_labels), np.ravel(run.test_labels)])
    return float(np.abs(labels).max()) or 1.0


def _points(run, grid):
    traces = []
    for split, points, labels, line in (("train", run.train_points, run.train_labels, "white"),
                                        ("test", run.test_points, run.test_labels, "black")):
        if not len(points):
            continue
        xy = grid.coords(points)
        marker = {"size": 6, "line": {"width": 1, "color": line}}
        if run.problem == "regression":
            s = _label_scale(run)
            marker.update(color=np.ravel(labels).astype(np.float32), colorscale=DIVERGING,
                          cmin=-s, cmax=s)
        else:                   # class ids on a colour scale of one step a class
            k = run.n_classes
            marker.update(color=np.asarray(labels, np.int32), cmin=-0.5, cmax=k - 0.5,
                          colorscale=_class_steps(k))
        traces.append(go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="markers", name=f"{split} points",
                                 marker=marker, showlegend=False))
    return traces


def _class_steps(k):
    scale = []
    for c in range(k):
        scale += [[c / k, class_color(c)], [(c + 1) / k, class_color(c)]]
    return scale


def _output_title(run, grid):
    if grid.plane is None:
        return "the output over the input plane"
    share = float(np.sum(grid.plane.explained_variance_ratio))
    return f"the output on the principal plane ({share:.0%} of the variance)"


def _square(fig, grid, title, extra=0):
    axis = "u" if grid.plane is not None else "x"
    fig.update_layout(title={"text": title, "x": 0, "xanchor": "left"}, height=560 + extra,
                      width=640,
                      xaxis={"title": {"text": f"{axis}₁"}, "range": [grid.xs[0], grid.xs[-1]]},
                      yaxis={"title": {"text": f"{axis}₂"}, "range": [grid.ys[0], grid.ys[-1]],
                             "scaleanchor": "x"},
                      legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right",
                              "yanchor": "bottom"})
    return fig


# --------------------------------------------------------------------------- images
def _mosaic(images, columns, gap=1, gap_y=1):
    """Images (n, h, w) tiled `columns` a row, NaN between them (`gap_y` rows between rows)."""
    n, h, w = images.shape
    rows = math.ceil(n / columns)
    out = np.full((rows * (h + gap_y), columns * (w + gap) - gap), np.nan, np.float32)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        top = r * (h + gap_y) + gap_y
        out[top:top + h, c * (w + gap):c * (w + gap) + w] = image
    return out


@figure
def digit_gallery(source, count=GALLERY, columns=10, **given):
    """The first `count` test images, each titled with the network's answer (red when wrong)."""
    run = run_of(source, **given)
    h, w = run.info["image_shape"]
    points, labels = run.test_points[:count], run.test_labels[:count]
    predicted = run.net.predict(run.inputs(points))
    label_rows = 4          # room above each image for its answer
    mosaic = _mosaic(points.reshape(-1, h, w), columns, gap=2, gap_y=label_rows)
    fig = go.Figure(go.Heatmap(z=mosaic, colorscale="Greys", zmin=0, zmax=1, showscale=False,
                               hoverinfo="skip"))
    for i, (p, y) in enumerate(zip(predicted, labels)):
        r, c = divmod(i, columns)
        fig.add_annotation(x=c * (w + 2) + (w - 1) / 2, y=r * (h + label_rows) + label_rows / 2 - 0.5,
                           text=f"{p}" if p == y else f"{p} (is {y})", showarrow=False,
                           font={"color": "#2e7d32" if p == y else "#c62828", "size": 13})
    right = int(np.sum(predicted == labels))
    fig.update_layout(title={"text": f"{right} of {len(labels)} test digits right (red: wrong)",
                             "x": 0, "xanchor": "left"},
                      height=100 + 95 * math.ceil(len(points) / columns), width=760,
                      margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      xaxis={"visible": False},
                      yaxis={"visible": False, "range": [mosaic.shape[0] - 0.5, -0.5],
                             "scaleanchor": "x"})
    return fig


@figure
def first_layer_images(source, columns=8, **given):
    """Each first-layer neuron's incoming weights drawn as an image (the digits' 8 × 8)."""
    run = run_of(source, **given)
    shape = tuple(run.info["image_shape"])
    W = run.net.layers[0].W
    scale = float(np.abs(W).max()) or 1.0
    fig = go.Figure(go.Heatmap(z=_mosaic(W.T.reshape(-1, *shape), columns), zmin=-scale,
                               zmax=scale, colorscale=DIVERGING, hoverinfo="skip"))
    fig.update_layout(title={"text": "each first-layer neuron's incoming weights",
                             "x": 0, "xanchor": "left"},
                      height=140 + 80 * math.ceil(W.shape[1] / columns), width=760,
                      xaxis={"visible": False},
                      yaxis={"visible": False, "autorange": "reversed", "scaleanchor": "x"})
    return fig


# --------------------------------------------------------------------------- weights, confusion
@figure
def weights(source, **given):
    """A heatmap of each layer's weights and biases ([W; b], one column per neuron)."""
    run = run_of(source, **given)
    layers = run.net.layers
    fig = make_subplots(rows=1, cols=len(layers), horizontal_spacing=0.06,
                        subplot_titles=[f"layer {i + 1}: {layer.n_in} → {layer.n_out}"
                                        for i, layer in enumerate(layers)])
    names = run.features or [f"x{i + 1}" for i in range(run.net.n_inputs)]
    for i, layer in enumerate(layers):
        values = np.vstack([layer.W, layer.b[None, :]])
        scale = float(np.abs(values[np.isfinite(values)]).max(initial=0)) or 1.0
        inputs = (names if i == 0 else [f"h{i}.{j + 1}" for j in range(layer.n_in)]) + ["bias"]
        fig.add_trace(go.Heatmap(z=values, zmin=-scale, zmax=scale, colorscale=DIVERGING,
                                 x=[f"n{j + 1}" for j in range(layer.n_out)], y=inputs,
                                 showscale=i == len(layers) - 1,
                                 hovertemplate="from %{y} to %{x}: %{z:.4g}<extra></extra>"),
                      1, i + 1)
        fig.update_yaxes(autorange="reversed", showticklabels=layer.n_in <= 16, row=1, col=i + 1)
    fig.update_layout(height=420, margin={"t": 50})
    return fig


@figure
def confusion(source, **given):
    """The training and test confusion matrices (row: true class, column: predicted)."""
    run = run_of(source, **given)
    matrices = run.trainer.confusion()
    names = (run.info or {}).get("class_names") or [str(c) for c in range(run.n_classes)]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("training points", "test points"))
    for col, split in ((1, "train"), (2, "test")):
        counts = matrices[split]
        fig.add_trace(go.Heatmap(z=counts, x=names, y=names, colorscale="Blues",
                                 showscale=False, text=counts, texttemplate="%{text}",
                                 hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"),
                      1, col)
        fig.update_yaxes(autorange="reversed", title_text="true class", type="category",
                         row=1, col=col)
        fig.update_xaxes(title_text="predicted", type="category", row=1, col=col)
    fig.update_layout(height=420, margin={"t": 50})
    return fig


# --------------------------------------------------------------------------- compare
@figure
def compare_curves(runs):
    """Every run's loss and accuracy (or RMSE) per epoch in one figure. `runs`: (name, source)
    pairs, each source a session, a trainer, a `Run` or a history's columns
    (`trainer.history.since(0)`)."""
    histories = [(name, h if isinstance(h, dict) else run_of(h).trainer.history.since(0))
                 for name, h in runs]
    regression = "train_rmse" in histories[0][1]
    metric = "rmse" if regression else "accuracy"
    fig = make_subplots(rows=1, cols=2, subplot_titles=("loss", "RMSE" if regression else metric))
    for i, (name, h) in enumerate(histories):
        colour = RUN_COLORS[i % len(RUN_COLORS)]
        for split, dash in (("train", "solid"), ("test", "dot")):
            fig.add_trace(go.Scatter(x=h["epoch"], y=h[f"{split}_loss"], name=f"{name}, {split}",
                                     line={"color": colour, "dash": dash}, legendgroup=str(i)),
                          1, 1)
            fig.add_trace(go.Scatter(x=h["epoch"], y=h[f"{split}_{metric}"], showlegend=False,
                                     line={"color": colour, "dash": dash}, legendgroup=str(i)),
                          1, 2)
    return _curve_axes(fig, regression, height=420, top=50)


@figure
def landscape(result, names):
    """A loss landscape with each run's path: `result` is nn_core's `loss_landscape` result or
    the server's answer to POST /api/sessions/<id>/landscape (alphas, betas, loss, trajectories)."""
    if isinstance(result, dict):
        alphas, betas, loss = result["alphas"], result["betas"], np.asarray(result["loss"], float)
        paths = [(t["alpha"], t["beta"]) for t in result["trajectories"]]
        directions = result["directions"]
    else:
        alphas, betas, loss = result.alphas, result.betas, result.loss
        paths, directions = result.paths, result.directions
    with np.errstate(divide="ignore"):
        z = np.log10(loss)
    fig = go.Figure(go.Contour(x=alphas, y=betas, z=z, colorscale=LANDSCAPE_SCALE, ncontours=30,
                               colorbar={"title": {"text": "log₁₀ loss"}},
                               hovertemplate="α %{x:.3g}, β %{y:.3g}<extra></extra>"))
    for i, ((alpha, beta), name) in enumerate(zip(paths, names)):
        colour = RUN_COLORS[i % len(RUN_COLORS)]
        if not len(alpha):
            continue
        fig.add_trace(go.Scatter(x=alpha, y=beta, mode="lines+markers", name=name,
                                 line={"color": colour, "width": 2}, marker={"size": 3}))
        fig.add_trace(go.Scatter(x=[alpha[-1]], y=[beta[-1]], mode="markers", showlegend=False,
                                 marker={"color": colour, "size": 12, "symbol": "star",
                                         "line": {"color": "white", "width": 1}}))
    fig.update_layout(title={"text": f"the loss around the first run's weights ({directions} "
                                     "directions); ★ each run now", "x": 0, "xanchor": "left"},
                      xaxis={"title": {"text": "α"}}, yaxis={"title": {"text": "β"}},
                      legend={"orientation": "h", "y": -0.15, "x": 0, "yanchor": "top"},
                      height=620)
    return fig


def _curve_axes(fig, regression, height, top):
    """The loss | metric curves' axes: loss on a log scale, accuracy as a percentage."""
    fig.update_yaxes(type="log", row=1, col=1)
    if not regression:
        fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_xaxes(title_text="epoch")
    fig.update_layout(height=height, margin={"t": top})
    return fig
