// The history of a run and the gradient-norm chart. The full history lives in History (appended
// from each snapshot's `history` delta); charts draw a thinned copy (≤ MAX_POINTS per line).
// (The loss curves: views/curves.js.)

export const FONT = { family: "Inter, system-ui, sans-serif", size: 10, color: "#666" };
const MAX_POINTS = 800;
const MAX_KEPT = 100000;  // beyond this the older half of the history keeps every other epoch
const LAYER_COLORS = ["#0877bd", "#f59322", "#2ea043", "#9452b5", "#d62728", "#17a3b8", "#8c564b", "#e377c2", "#7f7f7f"];

export class History {
  constructor() { this.clear(); }

  clear() {
    this.cols = {};
    this.lastEpoch = -1;
    this.version = (this.version || 0) + 1;  // never repeats, so "drawn at version v" stays true
  }

  get length() { return this.cols.epoch ? this.cols.epoch.length : 0; }

  /** Append a history delta {epoch: [...], train_loss: [...], ...}; epochs already held are skipped. */
  merge(delta) {
    if (!delta || !Array.isArray(delta.epoch)) return;
    const epochs = delta.epoch;
    for (let i = 0; i < epochs.length; i++) {
      if (epochs[i] <= this.lastEpoch) continue;
      for (const key of Object.keys(delta)) {
        const col = delta[key];
        if (!Array.isArray(col)) continue;
        (this.cols[key] ||= []).push(col[i]);
      }
      this.lastEpoch = epochs[i];
    }
    if (this.length > MAX_KEPT) this._compact();
    this.version++;
  }

  /** Long turbo runs: halve the density of the older half so memory stays bounded (charts are thinned anyway). */
  _compact() {
    const n = this.length;
    const half = Math.floor(n / 2);
    for (const key of Object.keys(this.cols)) {
      const col = this.cols[key];
      const older = [];
      for (let i = 0; i < half; i += 2) older.push(col[i]);
      this.cols[key] = older.concat(col.slice(half));
    }
    this.compacted = true;
  }

  /** Column `key` thinned to at most MAX_POINTS (always keeping the last value). */
  thin(key, stride) {
    const col = this.cols[key] || [];
    if (stride <= 1) return col.slice();
    const out = [];
    for (let i = 0; i < col.length; i += stride) out.push(col[i]);
    if ((col.length - 1) % stride) out.push(col[col.length - 1]);
    return out;
  }

  stride() { return Math.max(1, Math.ceil(this.length / MAX_POINTS)); }
}

const baseLayout = (ytitle, log) => ({
  margin: { l: 44, r: 8, t: 4, b: 26 },
  paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff",
  font: FONT, showlegend: true,
  legend: { orientation: "h", x: 1, xanchor: "right", y: 1.02, yanchor: "bottom", font: FONT, bgcolor: "rgba(0,0,0,0)" },
  hovermode: "x unified",
  xaxis: { title: { text: "epoch", font: FONT, standoff: 0 }, zeroline: false, gridcolor: "#eee", tickfont: FONT, rangemode: "tozero" },
  yaxis: { title: { text: ytitle, font: FONT, standoff: 2 }, type: log ? "log" : "linear", gridcolor: "#eee", tickfont: FONT, zeroline: false, exponentformat: "power", ...(log ? { dtick: 1 } : {}) },
});

export const CONFIG = { displayModeBar: false, responsive: true };

// Axis ranges move in coarse steps so that most frames redraw only the lines, not the axes and ticks.
export function niceCeil(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

export function lossRange(cols, log) {
  let lo = Infinity, hi = -Infinity;
  for (const c of cols) for (const v of c) if (v != null && Number.isFinite(v) && (!log || v > 0)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (!Number.isFinite(hi)) return log ? [-3, 0] : [0, 1];
  if (log) return [Math.floor(Math.log10(lo) * 2) / 2 - 0.05, Math.ceil(Math.log10(hi) * 2) / 2 + 0.05];
  return [0, niceCeil(hi * 1.05)];
}

const line = (x, y, name, color, extra = {}) => {
  const { line: lineExtra = {}, ...rest } = extra;
  return {
    type: "scatter", mode: "lines", x, y, name, line: { color, width: 2, ...lineExtra },
    hovertemplate: `${name} %{y:.4f}<extra></extra>`, ...rest,
  };
};

/** Gradient norm per layer (log scale): vanishing/exploding gradients become visible. */
export function drawGradNorms(el, hist) {
  const s = hist.stride();
  const x = hist.thin("epoch", s);
  const rows = hist.thin("grad_norms", s);
  const nLayers = rows.reduce((m, r) => Math.max(m, Array.isArray(r) ? r.length : 0), 0);
  const data = [];
  for (let l = 0; l < nLayers; l++) {
    const y = rows.map((r) => (Array.isArray(r) && r[l] > 0 ? r[l] : null));
    const name = l === nLayers - 1 ? "output" : `layer ${l + 1}`;
    data.push(line(x, y, name, LAYER_COLORS[l % LAYER_COLORS.length], { hovertemplate: `${name} %{y:.3e}<extra></extra>` }));
  }
  const layout = baseLayout("gradient norm", true);
  layout.yaxis.exponentformat = "e";
  layout.xaxis.range = [0, Math.max(10, niceCeil(x[x.length - 1] || 0))];
  layout.yaxis.range = lossRange(data.map((d) => d.y), true);
  layout.yaxis.dtick = Math.max(1, Math.ceil((layout.yaxis.range[1] - layout.yaxis.range[0]) / 5));
  Plotly.react(el, data, layout, CONFIG);
}
