// Loss, accuracy/RMSE and gradient-norm charts. The full history lives in History (appended from each
// snapshot's `history` delta); the charts draw a thinned copy (≤ MAX_POINTS per line) with Plotly.react.

const FONT = { family: "Inter, system-ui, sans-serif", size: 10, color: "#666" };
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

const CONFIG = { displayModeBar: false, responsive: true };

// Axis ranges move in coarse steps so that most frames redraw only the lines, not the axes and ticks.
function niceCeil(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function lossRange(cols, log) {
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

/**
 * Loss (top: train, test and — dashed, apart — the regularization penalty) and accuracy or RMSE
 * (bottom) in ONE Plotly figure with a shared epoch axis: one Plotly.react per frame instead of two.
 */
export function drawCurves(el, hist, problem, { log = false } = {}) {
  const s = hist.stride();
  const x = hist.thin("epoch", s);
  const data = [
    line(x, hist.thin("train_loss", s), "train loss", "#555"),
    line(x, hist.thin("test_loss", s), "test loss", "#0877bd"),
  ];
  const regCol = hist.cols.reg_loss;
  if (regCol && regCol.some((v) => v > 0)) data.push(line(x, hist.thin("reg_loss", s), "reg. penalty (not in loss)", "#c0392b", { line: { dash: "dot", width: 1.5 } }));
  const yLoss = lossRange(data.map((d) => d.y), log);
  const reg = problem === "regression";
  const tk = reg ? "train_rmse" : "train_accuracy";
  const vk = reg ? "test_rmse" : "test_accuracy";
  const m1 = line(x, hist.thin(tk, s), reg ? "train RMSE" : "train acc.", "#555", { xaxis: "x", yaxis: "y2", showlegend: false, line: { width: 1.5 } });
  const m2 = line(x, hist.thin(vk, s), reg ? "test RMSE" : "test acc.", "#0877bd", { xaxis: "x", yaxis: "y2", showlegend: false, line: { width: 1.5 } });
  if (!reg) for (const d of [m1, m2]) d.hovertemplate = `${d.name} %{y:.1%}<extra></extra>`;
  data.push(m1, m2);
  const layout = baseLayout("loss", log);
  layout.margin = { l: 46, r: 8, t: 18, b: 28 };
  layout.height = undefined;
  layout.xaxis.range = [0, Math.max(10, niceCeil(x[x.length - 1] || 0))];
  layout.xaxis.anchor = "y2";
  layout.yaxis.domain = [0.42, 1];
  layout.yaxis.range = yLoss;
  layout.yaxis2 = {
    domain: [0, 0.3], anchor: "x", gridcolor: "#eee", tickfont: FONT, zeroline: false,
    title: { text: reg ? "RMSE" : "accuracy", font: FONT, standoff: 2 },
    range: reg ? lossRange([m1.y, m2.y], false) : [0, 1.02], tickformat: reg ? undefined : ".0%",
    nticks: 3,
  };
  Plotly.react(el, data, layout, CONFIG);
}

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
