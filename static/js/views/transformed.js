// The "transformed space" panel (ConvNetJS's view): every data point drawn at the activations of two
// neurons (a, b) of one hidden layer, over the images of the input plane's grid lines pushed through
// the network up to that layer. The learner sees the layer bend and fold the plane until the classes
// can be split by a straight line — all the next layer can draw.
//
// One Plotly figure, updated with Plotly.react (never re-created): one trace holds all 26 grid lines
// (separated by nulls: one trace draws far faster than 26), then the training and the test points.
// The server sends points as train-then-test (see docs/api.md, snapshot `transformed`).

import { CLASS_COLORS, POINT_DIVERGING, rgb } from "../colors.js";

const FONT = { family: "Inter, system-ui, sans-serif", size: 11, color: "#555" };
const CONFIG = { displayModeBar: false, responsive: true };

/** Every (layer, a, b) the "next pair" button cycles through: pairs a < b, layer by layer; (0, 0) for one neuron. */
export function neuronPairs(hiddenLayers) {
  const pairs = [];
  hiddenLayers.forEach((width, layer) => {
    if (width < 2) { pairs.push({ layer, neurons: [0, 0] }); return; }
    for (let a = 0; a < width; a++) for (let b = a + 1; b < width; b++) pairs.push({ layer, neurons: [a, b] });
  });
  return pairs;
}

class TransformedView {
  constructor(el, labelEl, noteEl, button) {
    this.el = el;
    this.labelEl = labelEl;
    this.noteEl = noteEl;
    this.button = button;
    this.pairs = [];
    this.index = -1;
    this.shape = "";
    this.shown = null;
    this.markers = null;
    this.range = null;
  }

  /** The network's hidden layer sizes (maybe new): keeps the selection if it still exists; true if they changed. */
  setLayers(hiddenLayers) {
    const shape = hiddenLayers.join(",");
    if (shape === this.shape && this.index !== -1) return false;
    const old = this.selection();
    this.shape = shape;
    this.pairs = neuronPairs(hiddenLayers);
    // Start on the last hidden layer: its space is the one the output neuron(s) must separate.
    const last = hiddenLayers.length - 1;
    let i = old ? this.pairs.findIndex((p) => p.layer === old.layer && p.neurons[0] === old.neurons[0] && p.neurons[1] === old.neurons[1]) : -1;
    if (i < 0) i = this.pairs.findIndex((p) => p.layer === last);
    this.index = i;
    const none = !this.pairs.length;
    this.noteEl.hidden = !none;
    this.el.hidden = none;
    this.button.disabled = this.pairs.length < 2;
    this.shown = null;
    this.labelEl.textContent = none ? "" : describe(this.selection(), hiddenLayers);
    return true;
  }

  /** {layer, neurons: [a, b]} to ask the server for, or null (no hidden layer). */
  selection() { return this.index >= 0 ? this.pairs[this.index] : null; }

  /** Move to the next pair (wrapping round to the first layer); returns the new selection. */
  next() {
    if (!this.pairs.length) return null;
    this.index = (this.index + 1) % this.pairs.length;
    this.labelEl.textContent = describe(this.selection(), this.shape.split(",").map(Number));
    return this.selection();
  }

  /** Point colours follow the data (class colours, or the diverging scale for regression). */
  setData(data, problem, labelScale) {
    const mk = (set, isTest) => {
      const marker = { size: isTest ? 5 : 6, line: { width: isTest ? 0.7 : 0.8, color: isTest ? "#333" : "#fff" } };
      if (problem === "regression") Object.assign(marker, { color: set.label, colorscale: POINT_DIVERGING, cmin: -labelScale, cmax: labelScale });
      else marker.color = set.label.map((v) => rgb(CLASS_COLORS[v % CLASS_COLORS.length]));
      const text = set.label.map((v) => (problem === "regression" ? `label ${v.toFixed(3)}` : `class ${v}`));
      return { marker, text, n: set.label.length };
    };
    this.markers = { train: mk(data.train, false), test: mk(data.test, true) };
    this.shown = null;
  }

  /** Draw the snapshot's decoded `transformed` ({layer, neurons, points, lines}); a no-op if already shown. */
  update(t) {
    if (!window.Plotly || !t || t === this.shown || !this.markers) return false;
    const { train, test } = this.markers;
    const pts = t.points.data;
    if (t.points.shape[0] !== train.n + test.n) return false;   // answer from before a data change
    this.shown = t;
    const [nl, ns] = t.lines.shape;
    const lx = new Array(nl * (ns + 1) - 1), ly = new Array(nl * (ns + 1) - 1);
    const ld = t.lines.data;
    let lo = Infinity, hi = -Infinity, lo2 = Infinity, hi2 = -Infinity;
    const seen = (x, y) => {
      if (x === x && Math.abs(x) !== Infinity) { if (x < lo) lo = x; if (x > hi) hi = x; }
      if (y === y && Math.abs(y) !== Infinity) { if (y < lo2) lo2 = y; if (y > hi2) hi2 = y; }
    };
    for (let l = 0, k = 0; l < nl; l++) {
      if (l) { lx[k] = null; ly[k] = null; k++; }
      for (let s = 0; s < ns; s++, k++) {
        const x = ld[(l * ns + s) * 2], y = ld[(l * ns + s) * 2 + 1];
        lx[k] = x; ly[k] = y; seen(x, y);
      }
    }
    const split = (from, n) => {
      const x = new Array(n), y = new Array(n);
      for (let i = 0; i < n; i++) { x[i] = pts[(from + i) * 2]; y[i] = pts[(from + i) * 2 + 1]; seen(x[i], y[i]); }
      return [x, y];
    };
    const [trx, try_] = split(0, train.n);
    const [tex, tey] = split(train.n, test.n);
    const [a, b] = t.neurons;
    const name = (n) => `layer ${t.layer + 1} · neuron ${n + 1}`;
    const point = (set, x, y, label) => ({
      type: "scatter", mode: "markers", x, y, marker: set.marker, text: set.text, name: label, showlegend: false,
      hovertemplate: `${label} point<br>(%{x:.3f}, %{y:.3f})<br>%{text}<extra></extra>`,
    });
    const data = [
      { type: "scatter", mode: "lines", x: lx, y: ly, name: "grid", showlegend: false, hoverinfo: "skip",
        line: { color: "rgba(90, 100, 108, 0.45)", width: 1 }, connectgaps: false },
      point(train, trx, try_, "train"),
      point(test, tex, tey, "test"),
    ];
    const axis = (title, l, h) => ({
      range: niceRange(l, h), fixedrange: true, zeroline: true, zerolinecolor: "#ccc", showgrid: false,
      ticks: "outside", ticklen: 3, nticks: 6, tickfont: FONT, title: { text: title, font: FONT, standoff: 2 },
      mirror: true, showline: true, linecolor: "#bbb",
    });
    const layout = {
      margin: { l: 44, r: 8, t: 6, b: 34 },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff",
      xaxis: axis(name(a), lo, hi), yaxis: axis(name(b), lo2, hi2),
      hovermode: "closest", dragmode: false, showlegend: false,
    };
    // (The label names the chosen pair from the click on; the axis titles name the pair drawn.)
    Plotly.react(this.el, data, layout, CONFIG);
    return true;
  }
}

function describe(sel, hiddenLayers) {
  if (!sel) return "";
  const width = hiddenLayers[sel.layer];
  const [a, b] = sel.neurons;
  return `layer ${sel.layer + 1} (${width} neuron${width === 1 ? "" : "s"}) · neurons ${a + 1} and ${b + 1}`;
}

// Axis ranges snap outwards to steps of a tenth of a power of ten (with a little padding), so a
// tanh layer keeps its [−1, 1] box frame after frame and Plotly redraws only the traces.
function niceRange(lo, hi) {
  if (!(hi >= lo)) return [-1, 1];
  let span = hi - lo;
  if (span < 1e-6) { lo -= 0.5; hi += 0.5; span = 1; }
  const step = 10 ** Math.floor(Math.log10(span)) / 4;
  return [Math.floor((lo - span * 0.03) / step) * step, Math.ceil((hi + span * 0.03) / step) * step];
}

const RUNNING_INTERVAL_MS = 100;   // a secondary view: at most ~10 Plotly redraws a second while running

/** The view: asks for the chosen pair while shown; "Next pair" walks through pairs and layers. */
export default function transformedView(page) {
  const $ = (id) => document.getElementById(id);
  const plot = new TransformedView($("transformed-plot"), $("tr-label"), $("tr-note"), $("btn-tr-next"));
  let latest = null, takenAt = -1, drawnAt = 0, data = null;
  const matches = (t, sel) => t && sel && t.layer === sel.layer && t.neurons[0] === sel.neurons[0] && t.neurons[1] === sel.neurons[1];
  $("btn-tr-next").addEventListener("click", () => { plot.next(); page.wantsChanged(); });
  return {
    name: "transformed",
    el: $("transformed-plot"),
    // A request that may change the network asks for nothing: the pair might not exist in it.
    wants: (s, rebuilding) => {
      const sel = plot.selection();
      return sel && !rebuilding ? { transformed: { layer: sel.layer, neurons: [...sel.neurons] } } : null;
    },
    take(snap, s) { if (snap.transformed) { latest = snap.transformed; takenAt = s.version; } },
    fresh: (s) => !plot.selection() || (takenAt === s.version && matches(latest, plot.selection())),
    configure(s) {
      if (plot.setLayers(s.config.hidden_layers)) latest = null;   // of the old network
      if (s.data !== data) { data = s.data; plot.setData(data, data.problem || s.config.problem, s.labelScale); }
    },
    draw(s) {
      if (!latest) return;
      const now = performance.now();
      if (s.running && now - drawnAt < RUNNING_INTERVAL_MS) return;   // the next answer brings a newer one
      if (plot.update(latest)) drawnAt = now;
    },
  };
}
