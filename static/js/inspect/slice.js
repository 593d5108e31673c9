// The gradient as a slope: the loss along one weight (POST /api/sessions/<id>/slice), drawn.
//
// Clicking a link (a weight) or a neuron (its bias) in Inspect opens a small Plotly chart of the
// objective — data loss + penalty over this point, the minibatch or the training set — as that one
// weight moves and everything else stays: the curve, the tangent at the current value (its slope
// is the gradient of the backward stage), a marker where one gradient-descent step w − α·g lands
// and, in minibatch mode, where the optimizer's own step w + Δw lands. Dragging the current
// value's marker edits the weight live (PATCH …/weights, one request at a time, as the weight
// editor does): the boundary, the trace and the numbers follow; released, the curve is fetched
// again around the new value. Every number is the server's (the marker's loss while dragging is
// read off the curve).

import { api, ApiError } from "../api.js";
import { applySnapshot, exclusive, nextSince, snapshotOptions } from "../frame-loop.js";
import { FONT } from "../charts.js";
import { sig } from "./numbers.js";

const SPANS = [0.5, 1, 2, 5, 10];   // ± around the current value (the engine's SPAN_RANGE holds them)
const CURVE = "#1d3557", TANGENT = "#e76f51", STEP = "#2a9d8f", OPT = "#8d5fd3";

export class SliceChart {
  /** after: the element the chart follows; page: {state, toast}; onLost(): the session is gone. */
  constructor(after, page, onLost) {
    this.page = page;
    this.onLost = onLost;
    this.target = null;        // {param, label, on, source, step}: what the chart shows
    this.data = null;          // the last answer
    this.takenAt = -1;         // state.version it was fetched at
    this.seq = 0;
    this.span = 2;
    this.drag = null;          // {value, sentValue, inFlight} while the marker is dragged
    this.released = null;      // a released drag's value, until the curve around it arrives
    const el = (tag, cls, text) => { const n = document.createElement(tag); if (cls) n.className = cls; if (text) n.textContent = text; return n; };
    this.el = el("section", "inspect-slice");
    this.el.id = "inspect-slice";
    this.el.hidden = true;
    this.el.setAttribute("aria-label", "The loss along the chosen weight");
    const head = el("div", "slice-head");
    this.title = el("strong", "slice-title");
    this.on = el("select");
    this.on.id = "slice-on";
    this.on.setAttribute("aria-label", "Loss over");
    this.zoom = el("select");
    this.zoom.id = "slice-span";
    this.zoom.setAttribute("aria-label", "Range around the current value");
    for (const s of SPANS) this.zoom.append(new Option(`± ${s}`, String(s)));
    this.zoom.value = "2";
    const close = el("button", "round-btn small", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Close the chart");
    close.title = "Close (click the weight again)";
    head.append(this.title, el("span", "hint", "over"), this.on, this.zoom, close);
    this.box = el("div", "slice-box");
    this.plot = el("div", "plot slice-plot");
    this.plot.id = "slice-plot";
    this.handle = el("div", "slice-handle");
    this.handle.tabIndex = 0;
    this.handle.setAttribute("role", "slider");
    this.handle.setAttribute("aria-label", "Drag to change the weight");
    this.handle.title = "Drag along the curve to change this weight (← → step it)";
    this.box.append(this.plot, this.handle);
    this.readout = el("p", "slice-readout");
    this.readout.setAttribute("aria-live", "polite");
    this.el.append(head, this.box, this.readout);
    after.after(this.el);
    this.on.addEventListener("change", () => { if (this.target) { this.target.on = this.on.value; this.reload(); } });
    this.zoom.addEventListener("change", () => { this.span = Number(this.zoom.value); this.reload(); });
    close.addEventListener("click", () => this.close());
    this.handle.addEventListener("pointerdown", (e) => this.startDrag(e));
    this.handle.addEventListener("keydown", (e) => this.onKey(e));
    window.addEventListener("resize", () => this.placeHandle());
  }

  get open() { return !!this.target; }

  /** Show the loss along `param` ({layer, kind, row, col}); `label` names it; `sources`: the
   * choices of rows [{on, text, body}] (the first is the default), `step` the optimizer's own
   * step (null outside minibatch mode). */
  show(param, label, sources, step) {
    const same = this.target && JSON.stringify(this.target.param) === JSON.stringify(param);
    const on = same && sources.some((s) => s.on === this.target.on) ? this.target.on : sources[0].on;
    const before = this.key();
    this.target = { param, label, sources, on, step };
    this.on.replaceChildren(...sources.map((s) => new Option(s.text, s.on)));
    this.on.value = on;
    this.title.textContent = label;
    this.el.hidden = false;
    if (!same) this.data = null;
    if (this.key() !== before) this.reload();
    else if (this.data) { this.draw(); this.stale(); }
  }

  /** What the chart asks the server for: the weight, and over which rows. */
  key() {
    const t = this.target;
    if (!t) return "";
    const source = t.sources.find((s) => s.on === t.on) || t.sources[0];
    return JSON.stringify([t.param, source.on, source.body, this.span]);
  }

  close() {
    this.target = null;
    this.data = null;
    this.released = null;
    this.seq++;
    this.el.hidden = true;
    if (this.plot.data) Plotly.purge(this.plot);
  }

  /** The session changed (a step, an edited weight): fetch again, unless a drag is under way. */
  stale() { if (this.open && !this.drag && this.released == null && this.takenAt !== this.page.state.version) this.reload(); }

  /** The weight the marker shows: the dragged value, then (released) that value until the curve
   * around it arrives, so the marker never jumps back to where the drag began. */
  get shown() { return this.drag ? this.drag.value : this.released ?? this.data.current; }

  /** Whether the marker sits off the fetched curve's own point (read off the curve instead). */
  get moving() { return !!this.drag || this.released != null; }

  reload() {
    if (!this.target || this.drag) return;
    const state = this.page.state, target = this.target, seq = ++this.seq;
    const source = target.sources.find((s) => s.on === target.on) || target.sources[0];
    this.el.classList.add("loading");
    exclusive(async () => {
      if (seq !== this.seq) return;
      this.takenAt = state.version;
      let res = null;
      const body = { param: target.param, span: this.span, on: source.on, ...source.body };
      try {
        res = await api.slice(state.id, body);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) { this.onLost(); return; }
        // Too much work for this network and data: take the finest resolution the server allows.
        if (err instanceof ApiError && err.field === "resolution" && Array.isArray(err.allowed)) {
          try { res = await api.slice(state.id, { ...body, resolution: err.allowed[1] }); } catch (again) { err = again; }
        }
        if (!res) {
          if (seq !== this.seq) return;
          this.el.classList.remove("loading");
          this.data = null;
          this.released = null;
          this.readout.textContent = `Could not draw the loss along this weight: ${err instanceof ApiError ? err.describe() : err.message}`;
          return;
        }
      }
      if (seq !== this.seq) return;
      this.el.classList.remove("loading");
      this.data = res;
      this.released = null;
      this.draw();
    });
  }

  /** The loss at v read off the curve (linear between its values). */
  curveAt(v) {
    const { values, loss } = this.data;
    if (v <= values[0]) return loss[0];
    for (let k = 1; k < values.length; k++) {
      if (v <= values[k]) { const u = (v - values[k - 1]) / (values[k] - values[k - 1]); return loss[k - 1] + u * (loss[k] - loss[k - 1]); }
    }
    return loss[loss.length - 1];
  }

  draw() {
    const s = this.data;
    if (!s) return;
    const w = this.shown;
    const lo = s.values[0], hi = s.values[s.values.length - 1];
    const half = (hi - lo) / 4;
    const gd = s.current - s.learning_rate * s.gradient;     // one gradient-descent step on this objective
    const traces = [
      { x: s.values, y: s.loss, mode: "lines", line: { color: CURVE, width: 2 }, name: "loss", hoverinfo: "skip" },
      { x: [s.current - half, s.current + half], y: [s.current_loss - half * s.gradient, s.current_loss + half * s.gradient], mode: "lines", line: { color: TANGENT, width: 1.5, dash: "dash" }, name: "tangent", hoverinfo: "skip" },
    ];
    if (this.target?.step != null && this.target.on === "batch") {
      const v = s.current + this.target.step.value;
      traces.push({ x: [v], y: [this.curveAt(v)], mode: "markers", marker: { color: OPT, size: 9, symbol: "triangle-up" }, name: this.target.step.name, hoverinfo: "skip" });
    }
    traces.push({ x: [w], y: [this.moving ? this.curveAt(w) : s.current_loss], mode: "markers", marker: { color: TANGENT, size: 12, line: { color: "#fff", width: 2 } }, name: "w", hoverinfo: "skip" });
    // On top: a tiny step lands on the current value's marker and must still show.
    traces.push({ x: [gd], y: [this.curveAt(gd)], mode: "markers", marker: { color: STEP, size: 8, symbol: "diamond", line: { color: "#fff", width: 1 } }, name: "w − α·g", hoverinfo: "skip" });
    const finite = s.loss.filter(Number.isFinite);
    const yLo = Math.min(...finite), yHi = Math.max(...finite), pad = (yHi - yLo) * 0.08 || Math.abs(yHi) * 0.05 || 0.1;
    const layout = {
      margin: { l: 48, r: 8, t: 6, b: 30 }, height: 170, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff", font: FONT,
      showlegend: false, hovermode: false, dragmode: false,
      xaxis: { title: { text: this.target?.label.split(" ")[0] || "w", font: FONT, standoff: 2 }, range: [lo, hi], fixedrange: true, zeroline: true, zerolinecolor: "#ccc", gridcolor: "#eee", tickfont: FONT },
      yaxis: { title: { text: s.reg_rate > 0 && s.regularization !== "none" ? "loss + penalty" : "loss", font: FONT, standoff: 2 }, range: [yLo - pad, yHi + pad], fixedrange: true, gridcolor: "#eee", tickfont: FONT },
    };
    Plotly.react(this.plot, traces, layout, { displayModeBar: false, responsive: true, staticPlot: true });
    this.placeHandle();
    this.readout.replaceChildren(...this.describe(w, gd));
  }

  describe(w, gd) {
    const s = this.data, span = (text, cls) => { const e = document.createElement("span"); e.textContent = text; if (cls) e.className = cls; return e; };
    const over = { train: `the ${s.n_rows} training points`, batch: `the ${s.n_rows} points of the next minibatch`, point: "this point" }[s.on];
    if (this.moving) {
      const how = this.drag ? "the weight follows as you drag" : "the curve around it is on its way";
      return [span(`w = ${sig(w)}`, "slice-w"), span(` · loss ≈ ${sig(this.curveAt(w))} (read off the curve; ${how})`)];
    }
    const parts = [
      span(`w = ${sig(s.current)}`, "slice-w"), span(` · loss over ${over} `), span(sig(s.current_loss), "slice-loss"),
      span(" · slope ∂(loss)/∂w = "), span(sig(s.gradient), "slice-slope"),
      span(` (the dashed tangent; the backward stage's gradient${s.reg_gradient ? ` ${sig(s.data_gradient)} + λ·∂R/∂w ${sig(s.reg_gradient)}` : ""})`),
      span(` · ◆ one gradient-descent step: w − α·g = ${sig(gd)} (α = ${sig(s.learning_rate)})`, "slice-gd"),
    ];
    if (this.target?.step != null && s.on === "batch") parts.push(span(` · ▲ ${this.target.step.name}: ${sig(s.current + this.target.step.value)}`, "slice-opt"));
    parts.push(span(". Drag the round marker to move the weight."));
    return parts;
  }

  // ---------------------------------------------------------------- dragging
  /** Data ↔ pixels (within the plot element) along the chart's axes, from Plotly's layout. */
  axis() {
    const lay = this.plot._fullLayout, xa = lay?.xaxis, ya = lay?.yaxis;
    if (!xa || xa._length == null || !this.data) return null;
    const [x0, x1] = xa.range, [y0, y1] = ya.range;
    return {
      px: (v) => xa._offset + ((v - x0) / (x1 - x0)) * xa._length,
      py: (v) => ya._offset + ((y1 - v) / (y1 - y0)) * ya._length,
      value: (px) => x0 + ((px - xa._offset) / xa._length) * (x1 - x0),
      lo: x0, hi: x1,
    };
  }

  placeHandle() {
    const a = this.axis();
    if (!a) { this.handle.hidden = true; return; }
    const w = this.shown;
    const y = this.moving ? this.curveAt(w) : this.data.current_loss;
    this.handle.hidden = false;
    this.handle.style.left = `${a.px(w) - 9}px`;
    this.handle.style.top = `${a.py(y) - 9}px`;
    this.handle.setAttribute("aria-valuenow", String(w));
  }

  startDrag(e) {
    const a = this.axis();
    if (!a || !this.target) return;
    e.preventDefault();
    this.handle.setPointerCapture(e.pointerId);
    this.drag = { value: this.data.current, sent: this.data.current, inFlight: false };
    const box = this.plot.getBoundingClientRect();
    const move = (ev) => {
      const most = this.page.state.options.limits.max_weight;
      this.drag.value = Math.max(-most, Math.min(most, Math.max(a.lo, Math.min(a.hi, a.value(ev.clientX - box.left)))));
      this.draw();
      this.send();
    };
    const up = () => {
      this.handle.removeEventListener("pointermove", move);
      this.handle.removeEventListener("pointerup", up);
      this.handle.removeEventListener("pointercancel", up);
      this.finish();
    };
    this.handle.addEventListener("pointermove", move);
    this.handle.addEventListener("pointerup", up);
    this.handle.addEventListener("pointercancel", up);
  }

  onKey(e) {
    if (!this.data || (e.key !== "ArrowLeft" && e.key !== "ArrowRight")) return;
    e.preventDefault();
    e.stopPropagation();
    const step = (this.data.values[1] - this.data.values[0]) * (e.key === "ArrowRight" ? 1 : -1);
    this.drag = { value: this.data.current + step, sent: this.data.current, inFlight: false };
    this.finish();
  }

  /** One PATCH at a time while dragging; the newest value goes when the last answer is in. */
  send() {
    const d = this.drag;
    if (!d || d.inFlight || d.value === d.sent) return;
    d.inFlight = true;
    const value = d.value;
    this.patch(value).finally(() => {
      d.sent = value;
      d.inFlight = false;
      if (this.drag === d) this.send();
      else if (d.done) d.done();
    });
  }

  patch(value) {
    const { state } = this.page, p = this.target.param;
    const body = p.kind === "W" ? { layer: p.layer, param: "W", from: p.row, to: p.col, value } : { layer: p.layer, param: "b", to: p.col, value };
    return exclusive(async () => {
      try {
        const res = await api.weights(state.id, { ...body, snapshot: snapshotOptions(nextSince()) });
        applySnapshot(res.snapshot);   // the boundary, the metrics and Inspect's trace follow
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) { this.onLost(); return; }
        this.page.toast(`Could not set the weight: ${err instanceof ApiError ? err.describe() : err.message}`, "error", 5000);
      }
    });
  }

  /** The drag is over: send the last value (if it was not), then fetch the curve around it. */
  finish() {
    const d = this.drag;
    if (!d) return;
    this.drag = null;
    this.released = d.value;
    this.el.classList.add("loading");   // the curve around the new value is on its way
    const last = () => { this.takenAt = -1; this.reload(); };
    if (d.inFlight) { d.done = () => (d.value !== d.sent ? this.patch(d.value).then(last) : last()); return; }
    if (d.value !== d.sent) this.patch(d.value).then(last);
    else last();
  }
}
