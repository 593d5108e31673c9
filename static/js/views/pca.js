// The PCA view (tables: iris, wine, breast cancer): their points drawn on the plane of the data's
// first two principal components, and the network's output over that plane through the data mean
// (the snapshot's grid, which the server lays on the set's principal plane). A slice: the network
// sees every measurement, the picture only two directions of them — a note under the plot says
// so, and how much of the data's variance the two directions hold.

import { gridResolution } from "../grid.js";
import { rangeScaling } from "../colors.js";
import { BoundaryPlot } from "../figures/boundary-plot.js";
import { renderLegend } from "../panels.js";
import { className, datasetInfo, kind, markKind } from "../realdata/sets.js";

const $ = (id) => document.getElementById(id);

export default function pcaView(page) {
  const { state } = page;
  const root = $("pca");
  const plot = new BoundaryPlot($("pca-plot"), $("pca-hover"), {
    titles: ["PC 1", "PC 2"], className: (c) => className(datasetInfo(state), c),
  });
  plot.showTest = true;   // (set, not drawn: the plot is laid out when first shown)
  let grid = null, takenAt = -1, drawn = "", data = null, legendKey = "";

  function legend(k) {
    const cfg = state.config, info = datasetInfo(state);
    const key = JSON.stringify([cfg.dataset, cfg.problem, cfg.output_activation, k]);
    if (key === legendKey) return;
    legendKey = key;
    renderLegend($("pca-legend"), { neuron: null, problem: cfg.problem, range: page.outputRange(cfg.output_activation), k, labelScale: state.labelScale });
    // the classes by name (the legend says "class c")
    $("pca-legend").querySelectorAll(".class-swatch").forEach((s, c) => { s.textContent = className(info, c); });
    $("pca-legend").querySelectorAll(".ticks span").forEach((t) => { t.textContent = t.textContent.replace(/class (\d)/, (_, c) => className(info, Number(c))); });
  }

  function field() {
    const out = grid?.output;
    if (!out) return null;
    const [h, w, k = 1] = out.shape, cfg = state.config;
    legend(k);
    if (k > 1) return { values: out.data, w, h, k, mode: "classes", discrete: false };
    const regression = cfg.problem === "regression";
    const sc = regression ? { offset: 0, scale: state.labelScale } : rangeScaling(page.outputRange(cfg.output_activation) || [-1, 1], out.data);
    return { values: out.data, w, h, k: 1, mode: "diverging", ...sc, discrete: false, label: regression ? "prediction" : "p(class 1)" };
  }

  function note(plane, info) {
    const [a, b] = plane.explained_variance_ratio.map((v) => `${(100 * v).toFixed(1)} %`);
    const n = info.inputs;
    $("pca-note").textContent = `A slice: the network's output on the plane of the data's first two principal components `
      + `(PC 1 holds ${a} of the variance, PC 2 ${b}), through the mean of the ${n} measurements. The network sees all ${n}; `
      + "each point is drawn where it projects onto this plane (test points with a dark rim), so a point may sit on a colour "
      + "its own values would not give it.";
  }

  return {
    name: "pca",
    el: $("pca-plot"),
    wants: (s) => (kind(s) === "table" ? { grid: true, resolution: gridResolution(s) } : {}),
    take(snap, s) {
      if (!snap.grid?.output || kind(s) !== "table") return;
      // (an answer asked for by other views alone may carry a coarser output: keep ours)
      if (snap.grid.output.shape[0] < gridResolution(s) && grid) return;
      grid = snap.grid;
      takenAt = s.version;
    },
    fresh: (s) => kind(s) !== "table" || takenAt === s.version,
    configure(s) {
      if (markKind(s) !== "table") return;
      if (s.data !== data && s.data?.plane) {
        data = s.data;
        plot.setPoints(data, data.problem || s.config.problem, s.labelScale);
        note(data.plane, datasetInfo(s));
        drawn = "";
      }
      root.dataset.dataset = s.config.dataset;
    },
    draw(s) {
      if (kind(s) !== "table") return;
      const key = `${takenAt}|${s.config.output_activation}`;
      plot.render(key === drawn ? null : field(), grid?.bounds);
      drawn = key;
    },
  };
}
