// Weights as images (image datasets): each first-layer neuron's incoming weights — one per pixel —
// drawn as a picture the size of the input image, blue positive, orange negative, each scaled by
// its own largest |w|: the classic view of what a hidden unit looks for. Live while training
// (one canvas, one putImageData a frame). Hover a picture for its neuron and range.

import { kind, markKind } from "../realdata/sets.js";
import { paintSigned } from "../figures/pixel-images.js";
import { fmtNum } from "../format.js";

const $ = (id) => document.getElementById(id);
const PER_ROW = 8;

export default function weightImagesView(page) {
  const { state } = page;
  const root = $("weight-images"), canvas = $("wi-canvas"), tip = $("wi-tip"), caption = $("wi-caption");
  const ctx = canvas.getContext("2d");
  let W = null, takenAt = -1, drawn = -1, grid = null;   // grid: {h, w, n, cols, rows}

  function geometry(n, [h, w]) {
    const cols = Math.min(PER_ROW, n), rows = Math.ceil(n / cols);
    const width = cols * (w + 1) - 1, height = rows * (h + 1) - 1;
    if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height; }
    return { h, w, n, cols, rows };
  }

  /** The neuron under the mouse, or -1. */
  function neuronAt(e) {
    if (!grid) return -1;
    const r = canvas.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * canvas.width, y = ((e.clientY - r.top) / r.height) * canvas.height;
    const c = Math.floor(x / (grid.w + 1)), row = Math.floor(y / (grid.h + 1));
    const j = row * grid.cols + c;
    return c < grid.cols && j < grid.n ? j : -1;
  }

  canvas.addEventListener("mousemove", (e) => {
    const j = neuronAt(e);
    if (j < 0 || !W) { tip.hidden = true; return; }
    const [nIn, nOut] = W.shape;
    let lo = Infinity, hi = -Infinity;
    for (let p = 0; p < nIn; p++) { const v = W.data[p * nOut + j]; lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const hidden = state.config.hidden_layers.length > 0;
    tip.replaceChildren(...[hidden ? `layer 1, neuron ${j + 1}` : `output ${j}`, `weights ${fmtNum(lo)} … ${fmtNum(hi)}`].map((t, i) => {
      const d = document.createElement(i ? "div" : "strong"); d.textContent = t; return d;
    }));
    const box = root.getBoundingClientRect();
    tip.style.left = `${Math.min(e.clientX - box.left + 12, box.width - 170)}px`;
    tip.style.top = `${e.clientY - box.top + 12}px`;
    tip.hidden = false;
  });
  canvas.addEventListener("mouseleave", () => { tip.hidden = true; });

  return {
    name: "weightimages",
    el: root,
    wants: (s) => (kind(s) === "image" ? { weights: true } : {}),
    take(snap, s) { if (snap.weights) { W = snap.weights[0].W; takenAt = s.version; } },
    fresh: (s) => kind(s) !== "image" || takenAt === s.version,
    configure(s) {
      markKind(s);
      const hidden = s.config.hidden_layers.length > 0;
      caption.textContent = hidden
        ? "Each picture: one first-layer neuron's 64 incoming weights, pixel by pixel (blue +, orange −, each scaled to its largest |w|): the pattern that makes the neuron fire."
        : "No hidden layer: each picture is one output's 64 weights, the template of its class (blue +, orange −, each scaled to its largest |w|).";
    },
    draw(s) {
      if (kind(s) !== "image" || !W || drawn === takenAt) return;
      drawn = takenAt;
      const shape = s.options.datasets.find((d) => d.name === s.config.dataset)?.image_shape;
      if (!shape) return;
      const [nIn, nOut] = W.shape;
      grid = geometry(nOut, shape);
      const { h, w, cols } = grid;
      const img = ctx.createImageData(canvas.width, canvas.height);
      img.data.fill(255);
      const tile = ctx.createImageData(w, h), values = new Float32Array(nIn);
      for (let j = 0; j < nOut; j++) {
        let m = 0;
        for (let p = 0; p < nIn; p++) { values[p] = W.data[p * nOut + j]; m = Math.max(m, Math.abs(values[p]) || 0); }
        paintSigned(tile, values, w, h, m || 1);
        const x0 = (j % cols) * (w + 1), y0 = Math.floor(j / cols) * (h + 1);
        for (let r = 0; r < h; r++) img.data.set(tile.data.subarray(r * w * 4, (r + 1) * w * 4), ((y0 + r) * canvas.width + x0) * 4);
      }
      ctx.putImageData(img, 0, 0);
      root.classList.toggle("is-stale", takenAt !== s.version);
    },
  };
}
