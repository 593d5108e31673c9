// The decision-boundary figure (views/boundary.js shows it): a Plotly figure holds the axes and the
// train/test points; the network output over the input plane is painted from the decoded grid
// straight into a <canvas> laid exactly under Plotly's (transparent) plot area. A frame therefore
// costs one putImageData (< 1 ms); Plotly.react runs only when the points, the test-data toggle or
// the size change (measured: a react per frame cost 20–60 ms in headless Chromium, far too slow for
// 30 redraws/s).

import { CLASS_COLORS, POINT_DIVERGING, paintClasses, paintDiverging, rgb } from "../colors.js";

const FONT = { family: "Inter, system-ui, sans-serif", size: 11, color: "#555" };
const MAX_COVER = 0.25;   // the share of the plot area the point markers may cover

export class BoundaryPlot {
  /** titles: the axes' names (the plane's x1, x2; a real set's principal components);
   * className(c): a class's name in the points' hover text. */
  constructor(el, readout, { titles = ["x1", "x2"], className = (c) => `class ${c}` } = {}) {
    this.el = el;
    this.readout = readout;
    this.titles = titles;
    this.className = className;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "boundary-canvas";
    this.canvas.setAttribute("aria-hidden", "true");
    el.parentElement.insertBefore(this.canvas, el);
    this.ctx = this.canvas.getContext("2d");
    this.plotKey = null;
    this.img = null;
    this.bounds = [-6, 6, -6, 6];
    this.pointTraces = [];
    this.showTest = false;
    this.last = null;      // the last painted field, for the hover readout
    this.source = "";
    this.ready = false;
    el.addEventListener("mousemove", (e) => this._hover(e));
    el.addEventListener("mouseleave", () => { this.readout.hidden = true; });
  }

  /** Points: {train: {x, y, label}, test: {...}}; problem: binary | multiclass | regression. */
  setPoints(points, problem, labelScale = 1) {
    const mk = (set, isTest) => {
      if (!set || !set.x.length) return null;
      // Full-strength fills on the paler background: a point stays visible over its own class's
      // region. Training points have a white rim, test points a dark one (TensorFlow Playground's).
      const marker = { size: 6, line: { width: isTest ? 1.2 : 1, color: isTest ? "#1f2a30" : "#fff" } };
      let text;
      if (problem === "regression") {
        Object.assign(marker, { color: set.label, colorscale: POINT_DIVERGING, cmin: -labelScale, cmax: labelScale });
        text = Array.from(set.label, (v) => `label ${v.toFixed(3)}`);
      } else {
        marker.color = Array.from(set.label, (v) => rgb(CLASS_COLORS[v % CLASS_COLORS.length]));
        text = Array.from(set.label, (v) => this.className(v));
      }
      return {
        type: "scatter", mode: "markers", x: set.x, y: set.y, marker, text,
        name: isTest ? "test" : "train", showlegend: false,
        hovertemplate: `${isTest ? "test" : "train"} point<br>${this.titles[0]} %{x:.2f}, ${this.titles[1]} %{y:.2f}<br>%{text}<extra></extra>`,
      };
    };
    this.trainTrace = mk(points.train, false);
    this.testTrace = mk(points.test, true);
    this.plotKey = null;
  }

  /**
   * Paint a field and redraw. field: {values: Float32Array, w, h, k, mode: "diverging"|"classes",
   * offset, scale, discrete, describe(v...) optional}.
   */
  render(field, bounds) {
    if (bounds) this.bounds = bounds;
    if (field) {
      const { w, h } = field;
      if (this.canvas.width !== w || this.canvas.height !== h) {
        this.canvas.width = w; this.canvas.height = h;
        this.img = this.ctx.createImageData(w, h);
      }
      if (field.mode === "classes") paintClasses(this.img, field.values, w, h, field.k, { ...field, pale: true });
      else paintDiverging(this.img, field.values, w, h, { ...field, pale: true });
      this.ctx.putImageData(this.img, 0, 0);
      this.last = field;
    }
    const key = `${this.showTest}|${this.bounds}|${this.el.clientWidth}x${this.el.clientHeight}`;
    if (key !== this.plotKey) { this.plotKey = key; this._react(); }
  }

  setShowTest(on) {
    this.showTest = on;
    this.plotKey = null;
    this.render(null);
  }

  /** The plot area in px within the Plotly div: {l, t, w, h} (the square the axes span). */
  _area() {
    const fl = this.el._fullLayout;
    if (!fl || !fl.xaxis?._length) return null;
    return { l: fl.xaxis._offset, t: fl.yaxis._offset, w: fl.xaxis._length, h: fl.yaxis._length };
  }

  /** Lay the canvas exactly over Plotly's plot area (after every react). */
  _place() {
    const size = this._area();
    if (!size) return;
    Object.assign(this.canvas.style, {
      left: `${this.el.offsetLeft + size.l}px`, top: `${this.el.offsetTop + size.t}px`,
      width: `${size.w}px`, height: `${size.h}px`,
    });
  }

  _react() {
    if (!window.Plotly) return;
    const [x0, x1, y0, y1] = this.bounds;
    const data = [];
    if (this.trainTrace) data.push(this.trainTrace);
    if (this.showTest && this.testTrace) data.push(this.testTrace);
    if (!data.length) data.push({ type: "scatter", x: [], y: [], mode: "markers", showlegend: false });
    const axis = (title) => ({
      range: [x0, x1], constrain: "domain", fixedrange: true, zeroline: false, showgrid: false, ticks: "outside", ticklen: 3,
      dtick: x1 - x0 > 16 ? 5 : 2, tickfont: FONT, title: { text: title, font: FONT, standoff: 2 }, mirror: true, showline: true, linecolor: "#bbb",
    });
    // Markers shrink as points crowd the plot, so together they never cover more than about a
    // quarter of it: the map under them stays visible (1,200 points of Multi Gaussian with test).
    const side = Math.max(50, Math.min(this.el.clientWidth - 44, this.el.clientHeight - 38));
    const n = data.reduce((k, t) => k + t.x.length, 0);
    const size = Math.max(3, Math.min(6, 2 * Math.sqrt((MAX_COVER * side * side) / (Math.max(1, n) * Math.PI))));
    for (const t of data) if (t.marker) t.marker = { ...t.marker, size, line: { ...t.marker.line, width: size < 5 ? 0.6 : t.marker.line.width } };
    const layout = {
      margin: { l: 36, r: 8, t: 6, b: 32 },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      xaxis: axis(this.titles[0]), yaxis: { ...axis(this.titles[1]), range: [y0, y1], scaleanchor: "x", scaleratio: 1 },
      hovermode: "closest", dragmode: false, showlegend: false,
    };
    Plotly.react(this.el, data, layout, { displayModeBar: false, responsive: true, staticPlot: false });
    this._place();
    this.ready = true;
    if (!this._resizeHooked) {
      this._resizeHooked = true;
      this.el.on("plotly_afterplot", () => this._place());
    }
  }

  /** Plane coordinates of a mouse event, or null outside the plot area. */
  planeAt(e) {
    const size = this._area();
    if (!size) return null;
    const rect = this.el.getBoundingClientRect();
    const px = e.clientX - rect.left - size.l;
    const py = e.clientY - rect.top - size.t;
    if (px < 0 || py < 0 || px > size.w || py > size.h) return null;
    const [x0, x1, y0, y1] = this.bounds;
    return [x0 + (px / size.w) * (x1 - x0), y1 - (py / size.h) * (y1 - y0)];
  }

  _hover(e) {
    const size = this._area();
    const f = this.last;
    if (!size || !f) return;
    const rect = this.el.getBoundingClientRect();
    const px = e.clientX - rect.left - size.l;
    const py = e.clientY - rect.top - size.t;
    if (px < 0 || py < 0 || px > size.w || py > size.h) { this.readout.hidden = true; return; }
    const [x0, x1, y0, y1] = this.bounds;
    const x = x0 + (px / size.w) * (x1 - x0);
    const y = y1 - (py / size.h) * (y1 - y0);
    const col = Math.min(f.w - 1, Math.max(0, Math.floor((px / size.w) * f.w)));
    const row = Math.min(f.h - 1, Math.max(0, Math.floor(((y - y0) / (y1 - y0)) * f.h)));
    const idx = row * f.w + col;
    let text;
    if (f.mode === "classes") {
      const ps = Array.from(f.values.subarray(idx * f.k, idx * f.k + f.k));
      const best = ps.indexOf(Math.max(...ps));
      text = `${this.className(best)} · p = ${ps[best].toFixed(3)}`;
    } else {
      text = `${f.label || "output"} = ${f.values[idx].toFixed(4)}`;
    }
    this.readout.textContent = `${this.titles[0]} ${x.toFixed(2)}, ${this.titles[1]} ${y.toFixed(2)} → ${text}`;
    this.readout.hidden = false;
  }
}
