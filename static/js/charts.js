// The history of a run, and the line charts drawn from it. The full history lives in History
// (appended from each snapshot's `history` delta); charts draw a thinned copy (≤ MAX_POINTS per line).

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

export const CONFIG = { displayModeBar: false, responsive: true };

// Axis ranges move in coarse steps so that most frames redraw only the lines, not the axes and ticks.
export function niceCeil(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

/** A y range for these columns: [0, a nice ceiling], or in log10 units in half-decade steps. */
export function lossRange(cols, log) {
  let lo = Infinity, hi = -Infinity;
  for (const c of cols) for (const v of c) if (v != null && Number.isFinite(v) && (!log || v > 0)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (!Number.isFinite(hi)) return log ? [-3, 0] : [0, 1];
  if (log) return [Math.floor(Math.log10(lo) * 2) / 2 - 0.05, Math.ceil(Math.log10(hi) * 2) / 2 + 0.05];
  return [0, niceCeil(hi * 1.05)];
}

/**
 * A line chart drawn in two layers: Plotly draws only the axes (re-rendered when a range, the
 * scale or the size changes — rarely, as ranges move in coarse steps), and the lines are stroked
 * on a canvas laid over Plotly's plot area (~1 ms; a Plotly.react of the lines cost most of a
 * frame). Hovering shows every line's value at the nearest x in `readout` and a vertical rule.
 */
export class LineChart {
  /** el: the Plotly div (its parent is position: relative); readout: an element for the hover text. */
  constructor(el, readout) {
    this.el = el;
    this.readout = readout;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "chart-canvas";
    el.parentElement.insertBefore(this.canvas, el.nextSibling);
    this.axesKey = "";
    this.axes = null;
    this.series = null;
    this.hoverX = null;
    this.canvas.addEventListener("mousemove", (e) => { this.hoverX = e.offsetX; this.paint(); });
    this.canvas.addEventListener("mouseleave", () => { this.hoverX = null; this.readout.hidden = true; this.paint(); });
    new ResizeObserver(() => { this.axesKey = ""; if (this.series) this.draw(this.series, this.layout, this.format); }).observe(el);
  }

  /**
   * series: [{name, x, y, colour, axis: "yaxis" | "yaxis2", dotted, width}];
   * layout: Plotly layout for the axes (each y axis with range, domain and maybe type "log");
   * format(series, value): the hover text of a value.
   */
  draw(series, layout, format = (s, v) => String(v)) {
    if (!window.Plotly) return;
    this.series = series;
    this.layout = layout;
    this.format = format;
    const key = JSON.stringify([layout, this.el.clientWidth, this.el.clientHeight]);
    if (key !== this.axesKey) {
      this.axesKey = key;
      // one empty trace per y axis, so Plotly lays each axis out
      const traces = Object.keys(layout).filter((k) => /^yaxis\d*$/.test(k)).map((k) => ({ type: "scatter", x: [], y: [], xaxis: "x", yaxis: k.replace("axis", "") }));
      Plotly.react(this.el, traces, { ...layout, showlegend: false, hovermode: false, dragmode: false }, CONFIG);
    }
    this.paint();
  }

  paint() {
    const size = this.el._fullLayout?._size;
    if (!size || !this.series) return;
    const dpr = window.devicePixelRatio || 1;
    const c = this.canvas, W = Math.round(size.w * dpr), H = Math.round(size.h * dpr);
    if (c.width !== W || c.height !== H) { c.width = W; c.height = H; }
    Object.assign(c.style, { left: `${this.el.offsetLeft + size.l}px`, top: `${this.el.offsetTop + size.t}px`, width: `${size.w}px`, height: `${size.h}px` });
    const ctx = c.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size.w, size.h);
    const [x0, x1] = this.layout.xaxis.range;
    const px = (v) => ((v - x0) / (x1 - x0)) * size.w;
    const py = (v, ax) => {
      const [r0, r1] = ax.range, [d0, d1] = ax.domain || [0, 1];
      const t = ax.type === "log" ? (v > 0 ? Math.log10(v) : NaN) : v;
      return size.h * (1 - (d0 + ((t - r0) / (r1 - r0)) * (d1 - d0)));
    };
    for (const sr of this.series) {
      const ax = this.layout[sr.axis || "yaxis"], [d0, d1] = ax.domain || [0, 1];
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, size.h * (1 - d1), size.w, size.h * (d1 - d0));   // each chart keeps to its own band
      ctx.clip();
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < sr.y.length; i++) {
        const y = sr.y[i] == null ? NaN : py(sr.y[i], ax);
        if (!Number.isFinite(y)) { pen = false; continue; }
        if (pen) ctx.lineTo(px(sr.x[i]), y); else ctx.moveTo(px(sr.x[i]), y);
        pen = true;
      }
      ctx.setLineDash(sr.dotted ? [2, 3] : []);
      ctx.strokeStyle = sr.colour;
      ctx.lineWidth = sr.width || 2;
      ctx.stroke();
      ctx.restore();
    }
    if (this.hoverX != null) this._hover(ctx, size, px);
  }

  _hover(ctx, size, px) {
    const x = this.series[0]?.x || [];
    if (!x.length) return;
    let i = 0;
    for (let j = 1; j < x.length; j++) if (Math.abs(px(x[j]) - this.hoverX) < Math.abs(px(x[i]) - this.hoverX)) i = j;
    ctx.strokeStyle = "rgba(20, 30, 36, .35)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(px(x[i]), 0);
    ctx.lineTo(px(x[i]), size.h);
    ctx.stroke();
    this.readout.textContent = `epoch ${x[i]} · ${this.series.map((sr) => `${sr.name} ${sr.y[i] == null ? "–" : this.format(sr, sr.y[i])}`).join(" · ")}`;
    this.readout.hidden = false;
  }
}

/** An HTML legend: one coloured line per series (dotted ones dotted). */
export function renderChartLegend(box, series) {
  const key = series.map((s) => s.name + s.colour).join("|");
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren(...series.map((s) => {
    const item = document.createElement("span");
    item.className = `curve-key${s.dotted ? " dotted" : ""}`;
    item.style.setProperty("--c", s.colour);
    item.textContent = s.name;
    return item;
  }));
}

/** Layer colours for the gradient-norm chart. */
export { LAYER_COLORS };
