// What Inspect draws on the network diagram: the links on a canvas (by weight in Forward and Loss,
// by ∂L/∂w in Backward, by Δw in Update: colour = sign, width = size), the numbers beside the
// neurons where they fit (3 significant figures), and the hovered or chosen neuron or link.
// It only needs where the diagram put its neurons: the diagram announces that with a
// "diagram-built" event ({width, height, columns: [{node, at: [[x, y], ...]}]}).
//
// Links are cubic Béziers from a neuron's right edge to the next one's left edge with both control
// points at the middle x (as the diagram draws them), so along a layer every link has the same
// x(t) and hit-testing is one division per link.

import { CLASS_COLORS, NEG, POS, rgb } from "../colors.js";
import { short } from "./numbers.js";

const BUCKETS = 12;        // stroke widths: links are batched into one path per width and sign
const CHIP_FONT = "500 10.5px system-ui, sans-serif";
const CHIP_H = 15, CHIP_PAD = 8;
const LINK_LABELS_MAX = 12;  // a layer with more links never labels them (hover and the panel do)
const STAGGER_MS = 90;       // the diagram lights up one column after another

export class InspectOverlay {
  /** root: the diagram's element (#network). handlers: {onHover(focus | null), onPick(focus | null)} */
  constructor(root, handlers) {
    this.root = root;
    this.h = handlers;
    this.geo = null;
    this.trace = null;
    this.stage = 0;
    this.on = false;
    const nodes = root.querySelector("#net-nodes");
    this.canvas = document.createElement("canvas");
    this.canvas.className = "inspect-links";
    this.canvas.setAttribute("aria-hidden", "true");
    this.svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    this.svg.classList.add("inspect-marks");
    this.svg.setAttribute("aria-hidden", "true");
    root.insertBefore(this.canvas, nodes);       // under the neurons, over the diagram's own links
    root.insertBefore(this.svg, nodes);
    this.labels = document.createElement("div");
    this.labels.className = "inspect-labels";
    this.labels.setAttribute("aria-hidden", "true");
    root.append(this.labels);
    this.measure = document.createElement("canvas").getContext("2d");
    this.measure.font = CHIP_FONT;
    root.addEventListener("diagram-built", (e) => { this.geo = e.detail; if (this.on) this.draw(true); });
    root.addEventListener("mousemove", (e) => { if (this.on) this.h.onHover(this.hit(e.clientX, e.clientY)); });
    root.addEventListener("mouseleave", () => { if (this.on) this.h.onHover(null); });
    // Capture: while inspecting, a click chooses what the panel explains instead of opening the
    // weight editor.
    root.addEventListener("click", (e) => {
      if (!this.on) return;
      e.stopPropagation();
      e.preventDefault();
      this.h.onPick(this.hit(e.clientX, e.clientY));
    }, true);
    // Keyboard focus (Tab to a neuron) chooses it too; a mouse click's focus is the click's business.
    root.addEventListener("focusin", (e) => {
      const d = e.target.dataset;
      if (!this.on || d?.col == null || !e.target.matches(":focus-visible")) return;
      const c = +d.col;
      this.h.onPick(c === 0 ? { kind: "input", i: +d.idx } : { kind: "neuron", l: c - 1, j: +d.idx });
    });
  }

  setOn(on) {
    this.on = on;
    this.root.classList.toggle("inspecting", on);
    if (!on) { this.trace = null; this.clear(); }
  }

  clear() {
    const ctx = this.canvas.getContext("2d");
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.svg.replaceChildren();
    this.labels.replaceChildren();
  }

  /** Show a trace at a stage; `animate` lights the columns up in turn; `act` is the symbol of a
   * hidden neuron's activation (the convention's: x or a). */
  show(trace, stage, { animate = false, classes = false, act = "a" } = {}) {
    this.trace = trace;
    this.stage = stage;
    this.classes = classes;
    this.act = act;
    this.draw(animate);
  }

  draw(animate = false) {
    const g = this.geo, t = this.trace;
    if (!g || !t || !this.on) return;
    if (g.columns.length !== t.layers.length + 1 || g.columns.some((c, i) => c.at.length !== this.width(t, i))) {
      this.clear();   // the diagram shows another shape than the trace (a rebuild on its way)
      return;
    }
    this.drawLinks();
    this.drawLabels(animate);
    this.mark(this.focus);
  }

  width(t, c) { return c === 0 ? t.input.values.length : t.layers[c - 1].b.length; }

  /** Per weight layer: the (n_in, n_out) values the links show at this stage. */
  linkValues() {
    const t = this.trace;
    if (this.stage === 2) return t.layers.map((L) => L.dW.map((row, i) => row.map((v, j) => v + (L.reg_dW ? L.reg_dW[i][j] : 0))));
    if (this.stage === 3) return t.layers.map((L) => L.update_W);
    return t.layers.map((L) => L.W);
  }

  drawLinks() {
    const g = this.geo, dpr = window.devicePixelRatio || 1;
    const cv = this.canvas;
    if (cv.width !== Math.round(g.width * dpr) || cv.height !== Math.round(g.height * dpr)) {
      cv.width = Math.round(g.width * dpr); cv.height = Math.round(g.height * dpr);
      cv.style.width = `${g.width}px`; cv.style.height = `${g.height}px`;
    }
    const ctx = cv.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, g.width, g.height);
    const values = this.linkValues();
    // Weights: relative to the largest |w| (at least 1, like the diagram); gradients and steps:
    // relative to the largest, so the biggest one is always the widest.
    let max = this.stage < 2 ? 1 : 0;
    for (const W of values) for (const row of W) for (const v of row) max = Math.max(max, Math.abs(v));
    this.max = max || 1;
    const buckets = new Map();
    let links = 0;
    values.forEach((W, l) => {
      links += W.length * W[0].length;
      const { x0, x1, from, to } = this.span(l);
      W.forEach((row, i) => row.forEach((v, j) => {
        const q = Math.min(BUCKETS, Math.round((Math.abs(v) / this.max) * BUCKETS));
        const key = (v >= 0 ? 1 : -1) * (q + 1);
        if (!buckets.has(key)) buckets.set(key, []);
        buckets.get(key).push([x0, from[i][1], x1, to[j][1]]);
      }));
    });
    // Dense layers: faint small links, so the large ones stand out; the largest are drawn last.
    const faint = links > 500 ? 0.06 : 0.25;
    for (const key of [...buckets.keys()].sort((a, b) => Math.abs(a) - Math.abs(b))) {
      const segs = buckets.get(key), r = (Math.abs(key) - 1) / BUCKETS;
      ctx.beginPath();
      for (const [x0, y0, x1, y1] of segs) {
        const mx = (x0 + x1) / 2;
        ctx.moveTo(x0, y0);
        ctx.bezierCurveTo(mx, y0, mx, y1, x1, y1);
      }
      ctx.lineWidth = 0.5 + 6.5 * r;
      ctx.strokeStyle = rgb(key > 0 ? POS : NEG);
      ctx.globalAlpha = faint + (1 - faint) * r;
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }

  /** Weight layer l runs from column l's right edges to column l + 1's left edges. */
  span(l) {
    const a = this.geo.columns[l], b = this.geo.columns[l + 1];
    return { x0: a.at[0][0] + a.node / 2, x1: b.at[0][0] - b.node / 2, from: a.at, to: b.at };
  }

  // ---------------------------------------------------------------- numbers on the diagram
  /** The numbers for each neuron at this stage, most important first (they are placed greedily),
   * in groups that show whole or not at all (a column's z values, its a values ...), so a column
   * never shows some numbers and hides others: {chips: [{c: column, j, text, cls, spots}]}. */
  chips() {
    const t = this.trace, st = this.stage, L = t.layers.length, groups = [];
    const group = (c, n, text, spots, cls = "") => groups.push({ chips: Array.from({ length: n }, (_, j) => ({ c, j, text: text(j), spots, cls })) });
    const one = (c, j, text, spots, cls) => groups.push({ chips: [{ c, j, text, spots, cls }] });
    const outCol = L, yhat = t.layers[L - 1].a;
    if (st === 1) {
      // Loss: the output, its target and the loss come first.
      yhat.forEach((v, j) => one(outCol, j, `ŷ ${short(v)}`, ["right", "below", "above"], "strong"));
      t.target.forEach((v, j) => one(outCol, j, `y ${short(v)}`, ["below", "right2", "above"], "strong"));
      one(outCol, yhat.length - 1, `L = ${short(t.loss)}`, ["below2", "below", "right2", "above"], "loss");
    }
    if (st < 2) group(0, t.input.values.length, (i) => short(t.input.values[i]), ["right", "tight", "below"]);
    const layers = t.layers.map((layer, l) => [layer, l]);
    if (st >= 2) layers.reverse();    // backward: the output's numbers win the room
    for (const [layer, l] of layers) {
      const c = l + 1, last = l === L - 1, n = layer.z.length, dim = st === 1 && !last ? "dim" : "";
      if (st <= 1) {
        group(c, n, (j) => `z ${short(layer.z[j])}`, ["left", "above"], dim);
        if (st === 0 || !last) group(c, n, (j) => `${last ? "ŷ" : this.act} ${short(layer.a[j])}`, ["right", "below"], dim);
      } else if (st === 2) group(c, n, (j) => `δ ${short(layer.delta[j])}`, ["left", "above", "below"]);
      else group(c, n, (j) => `Δb ${layer.update_b[j] > 0 ? "+" : ""}${short(layer.update_b[j])}`, ["left", "above", "below"]);
    }
    return groups;
  }

  drawLabels(animate) {
    const g = this.geo, cols = g.columns.length;
    const placed = [];
    // Neurons are obstacles: a number never covers one; nor an input tile switched off.
    for (const col of [...g.columns, g.tiles || { node: 0, at: [] }]) for (const [x, y] of col.at) placed.push([x - col.node / 2 - 1, y - col.node / 2 - 1, col.node + 2, col.node + 2]);
    const free = (r) => r[0] >= 0 && r[1] >= 0 && r[0] + r[2] <= g.width && r[1] + r[3] <= g.height
      && placed.every((p) => r[0] >= p[0] + p[2] || p[0] >= r[0] + r[2] || r[1] >= p[1] + p[3] || p[1] >= r[1] + r[3]);
    const nodes = [];
    const chip = (text, x, y, cls, delay) => {
      const w = Math.ceil(this.measure.measureText(text).width) + CHIP_PAD;
      const r = [x, y - CHIP_H / 2, w, CHIP_H];
      return { r, text, cls, delay };
    };
    const order = (c) => (this.stage === 2 ? cols - 1 - c : c);
    const H = CHIP_H, gap = 3;
    for (const grp of this.chips()) {
      const mark = placed.length, count = nodes.length;
      for (const k of grp.chips) {
        const col = g.columns[k.c];
        const [x, y] = col.at[k.j];
        const probe = chip(k.text, 0, y, k.cls, order(k.c) * STAGGER_MS);
        const w = probe.r[2], half = col.node / 2;
        const at = {
          right: [x + half + gap, y - H / 2], right2: [x + half + gap, y + 1], left: [x - half - gap - w, y - H / 2],
          tight: [x + half, y - H / 2],   // touching the neuron: a narrow gap between columns
          below: [x - w / 2, y + half + 2], below2: [x - w / 2, y + half + H + 4], above: [x - w / 2, y - half - 2 - H],
        };
        const spot = k.spots.map((name) => at[name]).find(([sx, sy]) => free([sx, sy, w, H]));
        if (!spot) { placed.length = mark; nodes.length = count; break; }   // the whole group or nothing
        probe.r[0] = spot[0]; probe.r[1] = spot[1];
        placed.push(probe.r);
        nodes.push(probe);
      }
    }
    // Links: only in small layers, at the middle of the curve, a whole layer where they all fit.
    if (this.stage >= 2) {
      this.linkValues().forEach((W, l) => {
        if (W.length * W[0].length > LINK_LABELS_MAX) return;
        const { x0, x1, from, to } = this.span(l);
        const mx = (x0 + x1) / 2, mark = placed.length, count = nodes.length;
        const fits = W.every((row, i) => row.every((v, j) => {
          const text = this.stage === 3 ? `Δw ${v > 0 ? "+" : ""}${short(v)}` : short(v);
          const c = chip(text, 0, (from[i][1] + to[j][1]) / 2, "link", order(l + 1) * STAGGER_MS);
          c.r[0] = mx - c.r[2] / 2;
          if (!free(c.r)) return false;
          placed.push(c.r);
          nodes.push(c);
          return true;
        }));
        if (!fits) { placed.length = mark; nodes.length = count; }
      });
    }
    this.labels.replaceChildren(...nodes.map((n) => {
      const d = document.createElement("span");
      d.className = `inspect-chip ${n.cls}`;
      d.textContent = n.text;
      Object.assign(d.style, { left: `${n.r[0]}px`, top: `${n.r[1]}px`, transitionDelay: animate ? `${n.delay}ms` : "0ms" });
      if (!animate) d.classList.add("lit");
      return d;
    }));
    if (animate) requestAnimationFrame(() => requestAnimationFrame(() => { for (const d of this.labels.children) d.classList.add("lit"); }));
  }

  // ---------------------------------------------------------------- hover, choice
  /** The neuron or link under a client point, or null. */
  hit(clientX, clientY) {
    const g = this.geo, t = this.trace;
    if (!g || !t) return null;
    const box = this.root.getBoundingClientRect();
    const px = clientX - box.left, py = clientY - box.top;
    for (let c = 0; c < g.columns.length; c++) {
      const col = g.columns[c], half = col.node / 2 + 2;
      if (Math.abs(px - col.at[0][0]) > half) continue;
      for (let j = 0; j < col.at.length; j++) {
        if (Math.abs(py - col.at[j][1]) <= half) return c === 0 ? { kind: "input", i: j } : { kind: "neuron", l: c - 1, j };
      }
    }
    for (let l = 0; l < g.columns.length - 1; l++) {
      const { x0, x1, from, to } = this.span(l);
      if (px <= x0 || px >= x1) continue;
      // x(t) = x0 + (x1 − x0)(1.5t(1 − t) + t³) rises with t: bisect; then y = y0 + (y1 − y0)(3t² − 2t³).
      const u = (px - x0) / (x1 - x0);
      let lo = 0, hi = 1;
      for (let k = 0; k < 24; k++) { const m = (lo + hi) / 2; if (1.5 * m * (1 - m) + m ** 3 < u) lo = m; else hi = m; }
      const s = 3 * lo * lo - 2 * lo ** 3;
      let best = null, bestD = 5;
      for (let i = 0; i < from.length; i++) for (let j = 0; j < to.length; j++) {
        const d = Math.abs(from[i][1] + (to[j][1] - from[i][1]) * s - py);
        if (d < bestD) { bestD = d; best = { kind: "link", l, i, j }; }
      }
      return best;
    }
    return null;
  }

  /** Outline the focused neuron or link (null: nothing). */
  mark(focus) {
    this.focus = focus;
    const g = this.geo;
    this.svg.replaceChildren();
    if (!g || !focus || !this.trace) return;
    this.svg.setAttribute("viewBox", `0 0 ${g.width} ${g.height}`);
    this.svg.setAttribute("width", g.width);
    this.svg.setAttribute("height", g.height);
    const NS = "http://www.w3.org/2000/svg";
    if (focus.kind === "link") {
      const { x0, x1, from, to } = this.span(focus.l);
      const y0 = from[focus.i]?.[1], y1 = to[focus.j]?.[1], mx = (x0 + x1) / 2;
      if (y0 == null || y1 == null) return;
      const p = document.createElementNS(NS, "path");
      p.setAttribute("d", `M${x0},${y0} C${mx},${y0} ${mx},${y1} ${x1},${y1}`);
      p.setAttribute("class", "inspect-focus-link");
      this.svg.append(p);
      return;
    }
    const c = focus.kind === "input" ? 0 : focus.kind === "loss" ? g.columns.length - 1 : focus.l + 1;
    const col = g.columns[c];
    const js = focus.kind === "loss" ? col.at.map((_, j) => j) : [focus.kind === "input" ? focus.i : focus.j];
    for (const j of js) {
      const at = col.at[j];
      if (!at) continue;
      const r = document.createElementNS(NS, "rect");
      const s = col.node + 8;
      Object.entries({ x: at[0] - s / 2, y: at[1] - s / 2, width: s, height: s, rx: 6, class: "inspect-focus-node" }).forEach(([k, v]) => r.setAttribute(k, v));
      if (this.classes && c === g.columns.length - 1 && col.at.length > 1) r.style.stroke = rgb(CLASS_COLORS[j % CLASS_COLORS.length]);
      this.svg.append(r);
    }
  }
}

export const focusKey = (f) => (f ? `${f.kind}:${f.l ?? ""}:${f.i ?? ""}:${f.j ?? ""}` : "");
