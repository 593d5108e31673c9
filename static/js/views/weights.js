// Weights view: one heatmap per layer of W (rows: from-neuron, columns: to-neuron) with b as a
// separate last row, painted on canvas on a fixed symmetric colour scale (±range) so colours mean the
// same value in every frame. Hover a cell for its exact value and gradient; click it (or Tab to a
// heatmap, move with the arrow keys, press Enter) to type a new value.

import { paintDiverging } from "../colors.js";
import { fmtNum } from "../format.js";
import { weightText } from "../figures/network-diagram.js";

const ZERO_CELL = [255, 255, 255];   // an exact zero (L1 pruned it): white, apart from the grey of small weights
import { renderWeightLegend } from "../panels.js";

class WeightsView {
  constructor(box, tip, onEdit) {
    this.onEdit = onEdit;  // (target {layer, param, from?, to}, clientX, clientY)
    this.box = box;
    this.tip = tip;
    this.range = 2;
    this.key = "";
    this.layers = [];
    this.weights = null;
    this.hover = null;
  }

  setRange(r) { this.range = r; if (this.weights) this.update(this.weights, true); }

  _build(weights, names) {
    this.box.replaceChildren();
    this.layers = weights.map((wl, l) => {
      const [nIn, nOut] = wl.W.shape;
      const cell = Math.max(3, Math.min(14, Math.floor(120 / Math.max(nIn, nOut))));
      const fig = document.createElement("figure");
      fig.className = "wfig";
      const cap = document.createElement("figcaption");
      cap.textContent = `${names[l]} → ${names[l + 1]}  (${nIn}×${nOut})`;
      const canvas = document.createElement("canvas");
      canvas.width = nOut; canvas.height = nIn + 2;  // W rows, a blank separator row, b row
      canvas.style.width = `${nOut * cell}px`;
      canvas.style.height = `${(nIn + 2) * cell}px`;
      canvas.tabIndex = 0;
      canvas.setAttribute("role", "grid");
      canvas.setAttribute("aria-label", `weights of ${names[l]} to ${names[l + 1]}; last row: biases. Arrow keys choose a cell, Enter edits it.`);
      fig.append(cap, canvas);
      this.box.append(fig);
      const ctx = canvas.getContext("2d");
      const entry = { canvas, ctx, img: ctx.createImageData(nOut, nIn + 2), nIn, nOut, cell, l };
      canvas.addEventListener("mousemove", (e) => this._hover(e, entry));
      canvas.addEventListener("mouseleave", () => { this.tip.hidden = true; this.hover = null; });
      canvas.addEventListener("click", (e) => { const c = this._cellAt(e, entry); if (c) this._edit(entry, c.row, c.col, e.clientX, e.clientY); });
      canvas.addEventListener("keydown", (e) => this._key(e, entry));
      canvas.addEventListener("blur", () => { this.tip.hidden = true; this.hover = null; });
      return entry;
    });
  }

  /** weights: decoded snapshot weights; names: layer names (inputs, L1..., output). */
  update(weights, force = false, names = this.names) {
    this.weights = weights;
    this.names = names;
    const key = weights.map((w) => w.W.shape.join("x")).join("|");
    if (key !== this.key || force) { if (key !== this.key) this._build(weights, names); this.key = key; }
    for (const e of this.layers) {
      const wl = weights[e.l];
      const { nIn, nOut } = e;
      // Paint W (row j = from-neuron j, top to bottom): paintDiverging flips rows, so hand it rows bottom-up.
      const vals = new Float32Array(nOut * (nIn + 2));
      for (let j = 0; j < nIn; j++) vals.set(wl.W.data.subarray(j * nOut, (j + 1) * nOut), (nIn + 1 - j) * nOut);
      vals.set(wl.b.data.subarray(0, nOut), 0);
      paintDiverging(e.img, vals, nOut, nIn + 2, { scale: this.range, zero: ZERO_CELL });
      // separator row: page background
      const px = e.img.data;
      for (let i = nIn * nOut * 4; i < (nIn + 1) * nOut * 4; i += 4) { px[i] = 255; px[i + 1] = 255; px[i + 2] = 255; px[i + 3] = 0; }
      e.ctx.putImageData(e.img, 0, 0);
    }
    if (this.hover) this._tipText(this.hover);
  }

  _cellAt(ev, e) {
    const r = e.canvas.getBoundingClientRect();
    const col = Math.floor(((ev.clientX - r.left) / r.width) * e.nOut);
    const row = Math.floor(((ev.clientY - r.top) / r.height) * (e.nIn + 2));
    if (row === e.nIn || row < 0 || row > e.nIn + 1 || col < 0 || col >= e.nOut) return null;
    return { row, col };
  }

  _hover(ev, e) {
    const c = this._cellAt(ev, e);
    if (!c) { this.tip.hidden = true; this.hover = null; return; }
    this._showTip(e, c.row, c.col, ev.clientX, ev.clientY);
  }

  _showTip(e, row, col, clientX, clientY) {
    this.hover = { e, row, col };
    this._tipText(this.hover);
    this.tip.hidden = false;
    const host = this.tip.offsetParent || document.body;
    const hr = host.getBoundingClientRect();
    this.tip.style.left = `${clientX - hr.left + 12}px`;
    this.tip.style.top = `${clientY - hr.top + 12}px`;
  }

  _cellCentre(e, row, col) {
    const r = e.canvas.getBoundingClientRect();
    return [r.left + ((col + 0.5) / e.nOut) * r.width, r.top + ((row + 0.5) / (e.nIn + 2)) * r.height];
  }

  _key(ev, e) {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const cur = this.hover && this.hover.e === e ? this.hover : { row: 0, col: 0 };
    if (ev.key === "Enter") {
      ev.preventDefault();
      this._edit(e, cur.row, cur.col, ...this._cellCentre(e, cur.row, cur.col));
      return;
    }
    const m = moves[ev.key];
    if (!m) return;
    ev.preventDefault();
    let row = cur.row + m[0];
    const col = Math.max(0, Math.min(e.nOut - 1, cur.col + m[1]));
    if (row === e.nIn) row += m[0];  // skip the blank separator row
    row = Math.max(0, Math.min(e.nIn + 1, row));
    if (row === e.nIn) row = e.nIn - 1;
    this._showTip(e, row, col, ...this._cellCentre(e, row, col));
  }

  _edit(e, row, col, clientX, clientY) {
    if (!this.onEdit) return;
    const target = row < e.nIn ? { layer: e.l, param: "W", from: row, to: col } : { layer: e.l, param: "b", to: col };
    this.tip.hidden = true;
    this.onEdit(target, clientX, clientY);
  }

  _tipText({ e, row, col }) {
    const wl = this.weights[e.l];
    let text;
    if (row < e.nIn) {
      const i = row * e.nOut + col;
      text = `W[${row + 1}→${col + 1}] = ${weightText(wl.W.data[i], this.regularization)}, ∂L/∂w = ${fmtNum(wl.dW?.data[i])}`;
    } else {
      text = `b[${col + 1}] = ${fmtNum(wl.b.data[col])}, ∂L/∂b = ${fmtNum(wl.db?.data[col])}`;
    }
    this.tip.textContent = text;
  }
}

/** The view: heatmaps of the newest weights on the chosen colour scale (±0.5 … ±10). */
export default function weightsView(page) {
  const range = document.getElementById("w-range");
  const heatmaps = new WeightsView(document.getElementById("weights"), document.getElementById("w-tip"), page.openEditor);
  let weights = null, drawn = null, takenAt = -1;
  const legend = () => renderWeightLegend(document.getElementById("w-legend"), Number(range.value));
  range.addEventListener("change", () => { heatmaps.setRange(Number(range.value)); legend(); });
  legend();
  return {
    name: "weights",
    el: document.getElementById("weights"),
    wants: () => ({ weights: true }),
    take(snap, s) { if (snap.weights) { weights = snap.weights; takenAt = s.version; } },
    fresh: (s) => takenAt === s.version,
    draw(s) {
      if (!weights || weights === drawn) return;
      drawn = weights;
      heatmaps.regularization = s.config.regularization;
      heatmaps.update(weights, false, ["inputs", ...s.config.hidden_layers.map((_, i) => `layer ${i + 1}`), "output"]);
    },
  };
}
