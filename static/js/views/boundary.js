// The decision boundary: the network's output over the input plane with the data points
// (figures/boundary-plot.js draws it), its colour legend, "show test data", "discretize output",
// what a click on the plot does, and — while a neuron is hovered in the diagram — that neuron's map.

import { decode } from "../codec.js";
import { gridResolution } from "../grid.js";
import { rangeScaling } from "../colors.js";
import { buildDrawModes, renderLegend } from "../panels.js";
import { BoundaryPlot } from "../figures/boundary-plot.js";

const $ = (id) => document.getElementById(id);

export default function boundaryView(page) {
  const { state } = page;
  const plot = new BoundaryPlot($("boundary"), $("boundary-hover"));
  let grid = null;          // newest {bounds, output, neurons, inputs}
  let takenAt = -1;         // state.version of the newest output
  let neuronsAt = -1;       // ... of the newest neuron maps
  let drawn = "";           // what the canvas shows (skip repainting the same thing)
  let data = null, legendKey = "";
  const inputMaps = new Map();
  const inputMap = (f) => { if (!inputMaps.has(f.name)) inputMaps.set(f.name, f.preview ? decode(f.preview) : null); return inputMaps.get(f.name); };

  $("show-test").addEventListener("change", (e) => { state.view.showTest = e.target.checked; plot.setShowTest(state.view.showTest); page.saveView(); });
  $("discretize").addEventListener("change", (e) => { state.view.discretize = e.target.checked; page.saveView(); page.redraw(); });
  $("boundary").addEventListener("click", (e) => {
    const mode = $("draw-mode").value;
    if (!mode || state.hoverNeuron) return;
    const at = plot.planeAt(e);
    if (!at) return;
    const [x, y] = at.map((v) => Math.round(v * 100) / 100);
    if (mode === "remove") page.dataAction({ action: "remove", near: [x, y] }, (res) => (res.removed ? "Removed the nearest point" : "No point close enough to remove"));
    else page.dataAction({ action: "append", points: [[x, y, Number(mode)]] }, `Added a point at (${x}, ${y})`);
  });

  function legend(neuron) {
    const cfg = state.config;
    const what = { neuron, problem: cfg.problem, range: page.outputRange(cfg.output_activation), k: grid?.output?.shape?.[2] || 1, labelScale: state.labelScale };
    const key = JSON.stringify(what);
    if (key !== legendKey) { legendKey = key; renderLegend($("legend"), what); }
  }

  /** The field to paint: the hovered neuron's map, or the output. */
  function field() {
    const cfg = state.config, hn = state.hoverNeuron;
    if (hn?.layer === -1) {   // an input feature: its map is the same at every epoch (from /api/options)
      const f = state.options.features.find((x) => x.name === hn.feature);
      const map = f && inputMap(f);
      if (map) {
        const [h, w] = map.shape, label = `input ${f.label || f.name}`;
        legend(label);
        return { values: map.data, w, h, k: 1, mode: "diverging", ...rangeScaling(null, map.data), discrete: false, label };
      }
    }
    if (hn && hn.layer >= 0 && grid?.neurons) {
      let arr = null, range = null, label = "";
      if (grid.neurons[hn.layer]) {
        arr = grid.neurons[hn.layer];
        range = page.outputRange((cfg.layer_activations || [])[hn.layer] || cfg.activation);
        label = `layer ${hn.layer + 1} neuron ${hn.index + 1}`;
      }
      if (arr && hn.index < arr.shape[2]) {
        const [h, w, k] = arr.shape;
        const vals = new Float32Array(h * w);
        for (let i = 0; i < h * w; i++) vals[i] = arr.data[i * k + hn.index];
        legend(label);
        return { values: vals, w, h, k: 1, mode: "diverging", ...rangeScaling(range, vals), discrete: false, label };
      }
    }
    const out = grid?.output;
    if (!out) return null;
    const [h, w, k = 1] = out.shape;
    legend(null);
    if (k > 1) return { values: out.data, w, h, k, mode: "classes", discrete: state.view.discretize };
    const regression = cfg.problem === "regression";
    const sc = regression ? { offset: 0, scale: state.labelScale } : rangeScaling(page.outputRange(cfg.output_activation) || [-1, 1], out.data);
    return { values: out.data, w, h, k: 1, mode: "diverging", ...sc, discrete: state.view.discretize && !regression,
      label: regression ? "prediction" : sc.offset === 0.5 && sc.scale === 0.5 ? "p(class 1)" : "output" };
  }

  return {
    name: "boundary",
    el: $("boundary"),
    link: {
      test: { key: "showTest", default: false, type: "bool", input: $("show-test") },
      disc: { key: "discretize", default: false, type: "bool", input: $("discretize") },
    },
    wants: (s) => ({ grid: true, resolution: gridResolution(s), neurons: s.hoverNeuron?.layer >= 0 }),
    take(snap, s) {
      const g = snap.grid;
      if (!g) return;
      // (an answer asked for by other views alone may carry a coarser output: keep ours)
      const coarse = g.output && g.output.shape[0] < gridResolution(s);
      grid = { ...grid, ...g, output: coarse ? grid?.output : g.output };
      if (g.output && !coarse) takenAt = s.version;
      if (g.neurons) neuronsAt = s.version;
    },
    fresh: (s) => takenAt === s.version && !(s.hoverNeuron?.layer >= 0 && neuronsAt !== s.version),
    configure(s) {
      buildDrawModes($("draw-mode"), s.config);
      if (s.data !== data) { data = s.data; plot.setPoints(data, data.problem || s.config.problem, s.labelScale); drawn = ""; }
    },
    draw(s) {
      if (plot.showTest !== s.view.showTest) plot.setShowTest(s.view.showTest);   // (a link sets it before the first draw)
      const key = [takenAt, neuronsAt, JSON.stringify(s.hoverNeuron), s.view.discretize, s.config.output_activation, s.labelScale].join("|");
      plot.render(key === drawn ? null : field(), grid?.bounds);
      drawn = key;
    },
  };
}
