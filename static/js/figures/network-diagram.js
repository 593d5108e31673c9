// The network diagram (views/network.js shows it): one column per layer — every input feature
// (the active ones lit, a click switches one on or off), the hidden layers, the output — each
// neuron showing its map over the input plane, and the links underneath: blue positive, orange
// negative, as wide as |w|; an exact zero (L1 pruned it) dotted grey; a non-finite weight solid
// grey. Wide layers get thinner, fainter links and neurons that shrink down to MIN_NODE px (the
// diagram then grows taller). While training runs, the links "flow" (their dashes advance with
// the epochs). Hover a link for its weight and gradient (live), click it to edit.
//
// Drawing is three layers: the links on one canvas, every neuron's map on a second one (painted
// into one atlas image, then scaled into place: one putImageData, not one per neuron), and
// transparent divs on top for hover, focus and clicks.

import { CLASS_COLORS, NEG, NONFINITE, POS, paintDiverging, rangeScaling, rgb } from "../colors.js";
import { channel } from "../codec.js";
import { fmtNum } from "../format.js";

export const GUTTER = 64;          // room on the left for the input labels
const MIN_NODE = 6;                // px: the smallest neuron
const MAX_LINKS_PER_LAYER = 512;   // beyond this a layer draws an even subset of its links (said below)
const BUSY_LINKS = 1500;           // with more links than this, they redraw at most every BUSY_MS while running
const BUSY_MS = 100;
const WIDTH_STEPS = 16;            // link widths are quantised: one stroke per (sign, width) bucket
const ZERO = "rgb(170, 178, 184)";
const FLOW_DASH = [5, 4];

export class NetworkDiagram {
  /** handlers: {onNeuronHover({layer, index} | {layer: -1, feature} | null), onToggleFeature(name),
   * openEditor(target, clientX, clientY), onNote(text)} */
  constructor(root, handlers) {
    this.root = root;
    this.canvas = root.querySelector("#net-links");
    this.ctx = this.canvas.getContext("2d");
    this.mapsCanvas = root.querySelector("#net-maps");
    this.mapsCtx = this.mapsCanvas.getContext("2d");
    this.atlas = document.createElement("canvas");     // every neuron's map, one tile each
    this.atlasCtx = this.atlas.getContext("2d");
    this.inputAtlas = document.createElement("canvas"); // the input features' maps (painted once)
    this.linksDrawnAt = 0;
    this.nodesBox = root.querySelector("#net-nodes");
    this.tip = root.querySelector("#net-tip");
    this.h = handlers;
    this.shapeKey = "";
    this.links = [];        // per weight layer: [{a, b, x0, y0, x1, y1}]
    this.nodes = [];        // per column: [{div, bias, x, y, size, tile}]
    this.weights = null;    // the newest decoded weights
    this.hoverLink = null;  // {l, a, b}
    this.flow = 0;          // dash offset while training runs
    this.flowing = false;
    this.flowEpoch = 0;
    this.canvas.addEventListener("mousemove", (e) => this._hover(e));
    this.canvas.addEventListener("mouseleave", () => this._linkLeave());
    this.canvas.addEventListener("click", (e) => { const k = this._linkAt(e); if (k) this._edit({ layer: k.l, param: "W", from: k.a, to: k.b }, e.clientX, e.clientY); });
    new ResizeObserver(() => { if (this.spec) this.build(this.spec, true); }).observe(root);
  }

  /**
   * spec: {inputs: [{name, label, active, map, shade}], features: [active labels], hidden: [sizes],
   * activations, ranges: [output range per hidden layer], nOut, outputRange, outputActivation,
   * regularization, fixedInputs, inputGrid}. A real dataset's inputs are fixed (`fixedInputs`:
   * its columns, always on, no click) and an image's are laid out as the image (`inputGrid`:
   * [rows, cols]; `shade` in [0, 1] paints each pixel). Rebuilds the DOM only when the shape
   * changes (or `force`).
   */
  build(spec, force = false) {
    // As tall as the stylesheet makes it (more on taller screens), and taller when a wide layer needs it.
    const grid = spec.inputGrid;
    const biggest = Math.max(grid ? grid[0] : spec.inputs.length, ...spec.hidden, spec.nOut);
    this.root.style.minHeight = `${16 + biggest * (MIN_NODE + 1)}px`;
    const key = JSON.stringify([spec.inputs.map((f) => f.name + f.active + (f.shade ?? "") + (f.map ? "m" : "")), spec.hidden, spec.nOut, grid, spec.outputNames, this.root.clientWidth, this.root.clientHeight]);
    this.spec = spec;
    if (!force && key === this.shapeKey) return;
    this.shapeKey = key;
    const sizes = [spec.inputs.length, ...spec.hidden, spec.nOut];
    const W = Math.max(200, this.root.clientWidth), H = this.root.clientHeight;
    const cols = sizes.length, colW = (W - GUTTER) / cols;
    const colX = (i) => GUTTER + (i + 0.5) * colW;
    // Each column sizes its own neurons: a 2-neuron layer keeps big maps next to a 64-neuron one.
    this.colLayout = sizes.map((n) => {
      const node = Math.max(MIN_NODE, Math.min(46, Math.floor((H - 16) / n) - 3, Math.floor(colW) - 18));
      const gap = n > 1 ? Math.min(node * 0.45 + 4, Math.max(1, (H - 16 - n * node) / (n - 1))) : 0;
      return { node, gap };
    });
    if (grid) this.colLayout[0] = { node: Math.max(3, Math.min(14, Math.floor((colW - 16) / grid[1]) - 1, Math.floor((H - 16) / grid[0]) - 1)), gap: 1 };
    this.pos = sizes.map((n, i) => {
      const { node, gap } = this.colLayout[i];
      if (i === 0 && grid) {   // the pixels as the image: row by row
        const [rows, cols] = grid, step = node + gap;
        const left = colX(0) - (cols * step - gap) / 2, top = (H - (rows * step - gap)) / 2;
        return Array.from({ length: n }, (_, j) => ({ x: left + (j % cols) * step + node / 2, y: top + Math.floor(j / cols) * step + node / 2 }));
      }
      const top = (H - (n * node + (n - 1) * gap)) / 2;
      return Array.from({ length: n }, (_, j) => ({ x: colX(i), y: top + j * (node + gap) + node / 2 }));
    });
    const dpr = window.devicePixelRatio || 1;
    for (const [c, ctx] of [[this.canvas, this.ctx], [this.mapsCanvas, this.mapsCtx]]) {
      c.width = Math.round(W * dpr);
      c.height = Math.round(H * dpr);
      Object.assign(c.style, { width: `${W}px`, height: `${H}px` });
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    }
    this._buildNodes(spec, sizes);
    this._buildLinks(spec, sizes);
    // Overlays (Inspect) draw on the diagram from this: its size and where each layer's neurons
    // are — the network's layers, so the input column holds the active features only — and every
    // input tile, switched off or not (`tiles`: what an overlay's labels must not cover).
    const layerPos = [this.pos[0].filter((_, i) => spec.inputs[i].active), ...this.pos.slice(1)];
    const tiles = this.pos[0].map((p) => [p.x, p.y]);
    this.root.dispatchEvent(new CustomEvent("diagram-built", { detail: { width: W, height: H, tiles: { node: this.colLayout[0].node, at: tiles }, columns: layerPos.map((col, c) => ({ node: this.colLayout[c].node, at: col.map((p) => [p.x, p.y]) })) } }));
    if (this.lastParts) this.update(this.lastParts, { running: this.flowing, epoch: this.flowEpoch });
    else this.drawLinks();
  }

  _buildNodes(spec, sizes) {
    const cols = sizes.length;
    this.nodesBox.replaceChildren();
    let tile = 0;
    this.nodes = sizes.map((n, c) => this.pos[c].map((p, j) => {
      const size = this.colLayout[c].node;
      const div = document.createElement("div");
      const input = c === 0 ? spec.inputs[j] : null;
      div.className = `neuron ${input ? `input${input.active ? "" : " off"}${spec.fixedInputs ? " fixed" : ""}` : c === cols - 1 ? "output" : "hidden"}${size < 12 ? " tiny" : ""}`;
      if (input?.shade != null) { const v = Math.round(255 * (1 - input.shade)); div.style.background = `rgb(${v},${v},${v})`; }
      Object.assign(div.style, { left: `${p.x - size / 2}px`, top: `${p.y - size / 2}px`, width: `${size}px`, height: `${size}px` });
      const node = { div, bias: null, x: p.x - size / 2, y: p.y - size / 2, size, tile: c === 0 ? j : tile++, off: input && !input.active };
      // The neuron's place in the network's layers (Inspect's keyboard focus reads it); an input
      // counts among the active features only.
      const idx = input ? spec.inputs.slice(0, j).filter((f) => f.active).length : j;
      if (!input || input.active) Object.assign(div.dataset, { col: String(c), idx: String(idx) });
      if (input && spec.fixedInputs) {   // a real set's column: named, always in, nothing to switch
        if (!spec.inputGrid) {
          const lab = document.createElement("span");
          lab.className = "input-label";
          lab.textContent = input.label;
          div.append(lab);
        }
        div.dataset.feature = input.name;
        div.setAttribute("aria-label", `input ${input.label}`);
        div.title = `input ${input.label}`;
      } else if (input) {
        const lab = document.createElement("span");
        lab.className = "input-label";
        lab.textContent = input.label;
        div.append(lab);
        div.dataset.feature = input.name;
        div.setAttribute("aria-pressed", String(input.active));
        div.setAttribute("aria-label", `input ${input.label}: ${input.active ? "on" : "off"}; click to switch it ${input.active ? "off" : "on"}`);
        div.title = `${input.label}: click to switch this input ${input.active ? "off" : "on"} (restarts training)`;
        div.addEventListener("click", () => this.h.onToggleFeature(input.name));
        div.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); this.h.onToggleFeature(input.name); } });
      } else {
        node.bias = document.createElement("span");
        node.bias.className = "bias";
        div.append(node.bias);
        div.setAttribute("aria-label", c === cols - 1 ? `output ${j}: click to edit its bias` : `layer ${c} neuron ${j + 1}: hover to see its map, click to edit its bias`);
        const name = c === cols - 1 && spec.outputNames?.[j];
        if (name) {   // a real set's class
          const lab = document.createElement("span");
          lab.className = "output-label";
          lab.textContent = name;
          div.append(lab);
        }
        const at = () => { const r = this.root.getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; };
        div.addEventListener("click", () => this._edit({ layer: c - 1, param: "b", to: j }, ...at()));
        div.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); this._edit({ layer: c - 1, param: "b", to: j }, ...at()); } });
      }
      div.tabIndex = 0;
      div.setAttribute("role", "button");
      div.addEventListener("mouseenter", () => this._nodeEnter(c, j));
      div.addEventListener("mouseleave", () => this._nodeLeave());
      div.addEventListener("focus", () => this._nodeEnter(c, j));
      div.addEventListener("blur", () => this._nodeLeave());
      this.nodesBox.append(div);
      return node;
    }));
    this.tiles = tile;
    this.tileSize = 0;   // the atlas is sized at the first maps
    this._paintInputs(spec.inputs);
  }

  /** The input features' maps: painted once per build into their own atlas. */
  _paintInputs(inputs) {
    const map = inputs.find((f) => f.map)?.map;
    this.inputTile = null;   // (a real set's inputs have no maps)
    if (!map) return;
    const [h, w] = map.shape;
    this.inputAtlas.width = w;
    this.inputAtlas.height = h * inputs.length;
    const ctx = this.inputAtlas.getContext("2d"), img = ctx.createImageData(w, h * inputs.length);
    inputs.forEach((f, j) => { if (f.map) paintDiverging(tileOf(img, j, w, h), f.map.data, w, h, rangeScaling(null, f.map.data)); });
    ctx.putImageData(img, 0, 0);
    this.inputTile = [w, h];
  }

  _buildLinks(spec, sizes) {
    // Inputs: only the active features have links; weight row a belongs to the a-th active one.
    const activeRows = spec.inputs.map((f, i) => (f.active ? i : -1)).filter((i) => i >= 0);
    this.links = [];
    const subsampled = [];
    for (let l = 0; l < sizes.length - 1; l++) {
      const nIn = l === 0 ? activeRows.length : sizes[l], nOut = sizes[l + 1];
      const stride = Math.ceil((nIn * nOut) / MAX_LINKS_PER_LAYER);
      if (stride > 1) subsampled.push([l + 1, stride]);
      const layer = [];
      for (let a = 0; a < nIn; a++) {
        const p0 = this.pos[l][l === 0 ? activeRows[a] : a];
        // (an image's links leave from its right edge, at the pixel's row)
        const x0 = l === 0 && spec.inputGrid ? this.pos[0][this.pos[0].length - 1].x + this.colLayout[0].node / 2 : p0.x + this.colLayout[l].node / 2;
        for (let b = 0; b < nOut; b++) {
          if ((a * nOut + b + a) % stride) continue;
          const p1 = this.pos[l + 1][b];
          layer.push({ a, b, x0, y0: p0.y, x1: p1.x - this.colLayout[l + 1].node / 2, y1: p1.y });
        }
      }
      // Wide layers: thinner, fainter links (1 for a few links, ~0.1 for 64 × 64).
      layer.thin = Math.min(1, 6 / Math.sqrt(nIn * nOut));
      this.links.push(layer);
    }
    this.linkCount = this.links.reduce((n, l) => n + l.length, 0);
    this.root.dataset.links = String(this.linkCount);
    if (this.h.onNote) this.h.onNote(subsampled.length ? `Wide layers draw an even subset of their links: ${summarise(subsampled)}. The weight heatmaps show every weight.` : "");
  }

  /** Links, biases and neuron maps from the newest parts: {weights, neurons, outputSmall};
   * run: {running, epoch} — while running the links flow, a little further each epoch. */
  update(parts, run = { running: false, epoch: this.flowEpoch }) {
    this.lastParts = parts;
    this.flowing = run.running;
    if (run.running) this.flow = (this.flow + 1.5 * Math.min(3, Math.max(0, run.epoch - this.flowEpoch))) % 9;
    this.flowEpoch = run.epoch;
    if (parts.weights) {
      this.weights = parts.weights;
      const col = (l) => this.nodes[l + 1];
      parts.weights.forEach((wl, l) => {
        const b = wl.b.data, nodes = col(l) || [];
        for (let k = 0; k < nodes.length && k < b.length; k++) {
          const n = nodes[k];
          if (n.size < 12) continue;          // too small to show a bias square
          const colour = biasColor(b[k]);
          if (colour !== n.biasColour) { n.biasColour = colour; n.bias.style.background = colour; }
        }
      });
    }
    if (parts.neurons || parts.outputSmall) {
      if (parts.neurons) parts.neurons.forEach((arr, l) => this._paintColumn(l + 1, arr, this.spec.ranges[l]));
      if (parts.outputSmall) this._paintOutput(parts.outputSmall);
      if (this.atlasImg) this.atlasCtx.putImageData(this.atlasImg, 0, 0);
    }
    this._drawMaps();
    // Many links cost several ms to stroke: while running they follow at most every BUSY_MS.
    const now = performance.now();
    if (!(run.running && this.linkCount > BUSY_LINKS && now - this.linksDrawnAt < BUSY_MS)) { this.linksDrawnAt = now; this.drawLinks(); }
    if (this.hoverLink) this._showLinkTip();
  }

  /** Every neuron's map, scaled from the atlases into its square. */
  _drawMaps() {
    const ctx = this.mapsCtx;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.mapsCanvas.width, this.mapsCanvas.height);
    ctx.restore();
    ctx.imageSmoothingEnabled = true;
    this.nodes.forEach((col, c) => {
      const [src, [w, h]] = c === 0 ? [this.inputAtlas, this.inputTile || [0, 0]] : [this.atlas, this.tileSize ? [this.tileSize, this.tileSize] : [0, 0]];
      if (!w) return;
      for (const n of col) {
        ctx.globalAlpha = n.off ? 0.35 : 1;
        ctx.drawImage(src, 0, n.tile * h, w, h, n.x, n.y, n.size, n.size);
      }
    });
    ctx.globalAlpha = 1;
  }

  /** The atlas holds one w × w tile per neuron (hidden and output), one above the other. */
  _atlasFor(w) {
    if (this.tileSize === w && this.atlasImg) return;
    this.tileSize = w;
    this.atlas.width = w;
    this.atlas.height = w * Math.max(1, this.tiles);
    this.atlasImg = this.atlasCtx.createImageData(w, w * Math.max(1, this.tiles));
  }

  /**
   * Paint every link: width ∝ |w| relative to the largest finite |w| (at least 1), so the picture
   * reads the same whether weights are 0.1 or 10; one stroke per (kind, width) bucket; dashed
   * (at the current flow offset) while training runs.
   */
  drawLinks() {
    const ctx = this.ctx, W = this.canvas.width, H = this.canvas.height;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.restore();
    const weights = this.weights;
    if (!weights) return;
    let maxW = 1;
    for (const wl of weights) { const d = wl.W.data; for (let i = 0; i < d.length; i++) { const a = Math.abs(d[i]); if (a > maxW && a !== Infinity) maxW = a; } }
    ctx.lineCap = "butt";
    for (let l = 0; l < this.links.length; l++) {
      const wl = weights[l];
      if (!wl || wl.W.shape[0] * wl.W.shape[1] === 0) continue;
      const layer = this.links[l], W_ = wl.W.data, nOut = wl.W.shape[1], thin = layer.thin;
      // buckets: 0..STEPS positive, STEPS+1.. negative, then zero, then non-finite
      const paths = new Map();
      for (const k of layer) {
        if (k.a >= wl.W.shape[0] || k.b >= nOut) continue;
        const key = linkKind(W_[k.a * nOut + k.b], maxW);
        let p = paths.get(key);
        if (!p) paths.set(key, (p = new Path2D()));
        const mx = (k.x0 + k.x1) / 2;
        p.moveTo(k.x0, k.y0);
        p.bezierCurveTo(mx, k.y0, mx, k.y1, k.x1, k.y1);
      }
      for (const [key, p] of paths) {
        if (key === "nan") { ctx.setLineDash([]); ctx.strokeStyle = rgb(NONFINITE); ctx.globalAlpha = 0.9; ctx.lineWidth = 1.2; }
        else if (key === "zero") { ctx.setLineDash([1.5, 3]); ctx.strokeStyle = ZERO; ctx.globalAlpha = 0.9; ctx.lineWidth = 1; }
        else {
          const r = Number(key.slice(1)) / WIDTH_STEPS;
          ctx.setLineDash(this.flowing ? FLOW_DASH : []);
          ctx.lineDashOffset = -this.flow;
          ctx.strokeStyle = rgb(key[0] === "+" ? POS : NEG);
          ctx.globalAlpha = (0.3 + 0.7 * r) * (0.35 + 0.65 * thin);
          ctx.lineWidth = 0.4 + 6.6 * r * thin;
        }
        ctx.stroke(p);
      }
    }
    ctx.globalAlpha = 1;
    ctx.setLineDash([]);
    if (this.hoverLink) this._strokeHover();
  }

  _strokeHover() {
    const { l, a, b } = this.hoverLink;
    const k = this.links[l]?.find((x) => x.a === a && x.b === b);
    if (!k) return;
    const ctx = this.ctx, mx = (k.x0 + k.x1) / 2;
    ctx.beginPath();
    ctx.moveTo(k.x0, k.y0);
    ctx.bezierCurveTo(mx, k.y0, mx, k.y1, k.x1, k.y1);
    ctx.strokeStyle = "rgba(20, 30, 36, .85)";
    ctx.lineWidth = 2.5;
    ctx.stroke();
  }

  /** How a link is drawn now: "nan", "zero", or "+q" / "−q" (sign and width step): for tests. */
  linkKind(l, a, b) {
    const wl = this.weights?.[l];
    if (!wl) return null;
    let maxW = 1;
    for (const x of this.weights) for (const v of x.W.data) if (Math.abs(v) > maxW && Math.abs(v) !== Infinity) maxW = Math.abs(v);
    return linkKind(wl.W.data[a * wl.W.shape[1] + b], maxW);
  }

  /** Where a link's curve is halfway (client coordinates), or null: for tests and tooltips. */
  linkMidpoint(l, a, b) {
    const k = this.links[l]?.find((x) => x.a === a && x.b === b);
    if (!k) return null;
    const r = this.canvas.getBoundingClientRect();
    return [r.left + (k.x0 + k.x1) / 2, r.top + (k.y0 + k.y1) / 2];
  }

  /** range: the layer's activation output range (null: unbounded, scaled by its largest |value|). */
  _paintColumn(c, arr, range) {
    const col = this.nodes[c];
    if (!col || !arr) return;
    const [h, w, k] = arr.shape;
    this._atlasFor(w);
    for (let j = 0; j < col.length && j < k; j++) {
      const vals = channel(arr, j);
      paintDiverging(tileOf(this.atlasImg, col[j].tile, w, h), vals, w, h, rangeScaling(range, vals));
    }
  }

  _paintOutput(arr) {
    const col = this.nodes[this.nodes.length - 1];
    const [h, w, k] = arr.shape;
    this._atlasFor(w);
    for (let j = 0; j < col.length && j < k; j++) {
      const vals = channel(arr, j), tile = tileOf(this.atlasImg, col[j].tile, w, h);
      const r = this.spec.outputRange;
      if (k > 1 && r && r[0] === 0 && r[1] === 1) {
        // Several outputs in [0, 1] (softmax): each class's probability in its own colour (white = 0).
        const img = tile.data, cc = CLASS_COLORS[j % CLASS_COLORS.length];
        for (let r = 0; r < h; r++) for (let x = 0; x < w; x++) {
          const p = vals[(h - 1 - r) * w + x], o = (r * w + x) * 4;
          img[o] = 255 + (cc[0] - 255) * p; img[o + 1] = 255 + (cc[1] - 255) * p; img[o + 2] = 255 + (cc[2] - 255) * p; img[o + 3] = 255;
        }
      } else {
        paintDiverging(tile, vals, w, h, rangeScaling(this.spec.outputRange || [-1, 1], vals));
      }
    }
  }

  /** The map resolution worth asking for: the largest hidden neuron's size in px (TensorFlow
   * Playground draws 10 × 10), at most `full`. */
  mapResolution(full) {
    if (!this.colLayout) return full;   // not laid out yet
    const drawn = this.colLayout.length > 2 ? this.colLayout.slice(1, -1) : this.colLayout.slice(-1);   // hidden, else the output
    return Math.min(full, Math.max(10, ...drawn.map((c) => c.node)));
  }

  // ----- hover & edit -----
  /** The link nearest the mouse, within a few pixels of its curve (sampled at 16 points). */
  _linkAt(e) {
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left, y = e.clientY - r.top;
    let best = null, bestD = 5;
    this.links.forEach((layer, l) => {
      for (const k of layer) {
        if (x < Math.min(k.x0, k.x1) - 5 || x > Math.max(k.x0, k.x1) + 5) continue;
        const mx = (k.x0 + k.x1) / 2;
        for (let i = 0; i <= 16; i++) {
          const t = i / 16, u = 1 - t;
          const px = u * u * u * k.x0 + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * k.x1;
          const py = u * u * u * k.y0 + 3 * u * u * t * k.y0 + 3 * u * t * t * k.y1 + t * t * t * k.y1;
          const d = Math.hypot(px - x, py - y);
          if (d < bestD) { bestD = d; best = { l, a: k.a, b: k.b }; }
        }
      }
    });
    return best;
  }

  _hover(e) {
    const k = this._linkAt(e);
    const same = k && this.hoverLink && k.l === this.hoverLink.l && k.a === this.hoverLink.a && k.b === this.hoverLink.b;
    if (!k) { if (this.hoverLink) this._linkLeave(); return; }
    this.canvas.style.cursor = "pointer";
    if (!same) { this.hoverLink = k; this.drawLinks(); this._showLinkTip(); }
    const r = this.root.getBoundingClientRect();
    this.tip.style.left = `${Math.min(e.clientX - r.left + 14, r.width - 180)}px`;
    this.tip.style.top = `${e.clientY - r.top + 12}px`;
  }

  _linkLeave() {
    this.canvas.style.cursor = "";
    if (!this.hoverLink) return;
    this.hoverLink = null;
    this.tip.hidden = true;
    this.drawLinks();
  }

  _showLinkTip() {
    const { l, a, b } = this.hoverLink;
    const wl = this.weights?.[l];
    if (!wl) return;
    const nOut = wl.W.shape[1];
    const w = wl.W.data[a * nOut + b];
    const g = wl.dW ? wl.dW.data[a * nOut + b] : NaN;
    const from = l === 0 ? this.spec.features[a] : `L${l} n${a + 1}`;
    const to = l === this.links.length - 1 ? `output${this.spec.nOut > 1 ? " " + b : ""}` : `L${l + 1} n${b + 1}`;
    const lines = [`${from} → ${to}`, `weight ${weightText(w, this.spec.regularization)}`, `gradient ∂L/∂w ${fmtNum(g)}`, "click to edit"];
    this.tip.replaceChildren(...lines.map((t, i) => { const s = document.createElement(i ? "div" : "strong"); s.textContent = t; if (i === 3) s.className = "muted"; return s; }));
    this.tip.hidden = false;
  }

  _nodeEnter(c, j) {
    if (c === 0) { this.h.onNeuronHover({ layer: -1, feature: this.spec.inputs[j].name }); return; }
    const last = c === this.nodes.length - 1;
    this.h.onNeuronHover(last ? null : { layer: c - 1, index: j });
    const wl = this.weights?.[c - 1];
    if (!wl) return;
    const b = wl.b.data[j], g = wl.db ? wl.db.data[j] : NaN;
    const title = document.createElement("strong");
    title.textContent = last ? `output ${j}` : `layer ${c}, neuron ${j + 1} (${this.spec.activations[c - 1]})`;
    const rows = [`bias ${fmtNum(b)}`, `gradient ∂L/∂b ${fmtNum(g)}`, last ? "click to edit the bias" : "its map is shown in the output; click to edit the bias"];
    this.tip.replaceChildren(title, ...rows.map((t, i) => { const d = document.createElement("div"); d.textContent = t; if (i === 2) d.className = "muted"; return d; }));
    this.tip.hidden = false;
    // Under the neuron (above it near the bottom), centred on its column but never reaching into
    // the next layer's column: the learner keeps seeing where this neuron's output goes.
    const p = this.pos[c][j], half = this.colLayout[c].node / 2;
    const w = this.tip.offsetWidth, h = this.tip.offsetHeight;
    const next = this.pos[c + 1]?.[0];
    const limit = next ? next.x - this.colLayout[c + 1].node / 2 - 4 : this.root.clientWidth;
    const left = Math.max(0, Math.min(p.x - w / 2, limit - w));
    const below = p.y + half + 6;
    this.tip.style.left = `${left}px`;
    this.tip.style.top = `${below + h <= this.root.clientHeight ? below : Math.max(0, p.y - half - 6 - h)}px`;
  }

  _nodeLeave() {
    this.tip.hidden = true;
    this.h.onNeuronHover(null);
  }

  _edit(target, clientX, clientY) {
    this._linkLeave();
    this.h.openEditor(target, clientX, clientY);
  }
}

/** [[layer, stride], ...] → "1 in 8 into layers 2–8" (runs of equal strides together). */
function summarise(list) {
  const runs = [];
  for (const [l, k] of list) {
    const last = runs[runs.length - 1];
    if (last && last.k === k && last.to === l - 1) last.to = l;
    else runs.push({ from: l, to: l, k });
  }
  return runs.map((r) => `1 in ${r.k} into ${r.from === r.to ? `layer ${r.from}` : `layers ${r.from}–${r.to}`}`).join(", ");
}

/** Tile j (w × h, the j-th from the top) of an atlas image, as something paintDiverging can fill. */
function tileOf(img, j, w, h) {
  return { data: img.data.subarray(j * w * h * 4, (j + 1) * w * h * 4) };
}

/** The bucket a weight is drawn in: non-finite (grey, never a sign), exactly zero, or its sign
 * and quantised width relative to the largest finite |w|. */
function linkKind(w, maxW) {
  if (w - w !== 0) return "nan";
  if (w === 0) return "zero";
  return `${w > 0 ? "+" : "-"}${Math.round((Math.abs(w) / maxW) * WIDTH_STEPS)}`;
}

/** A weight as the tooltips say it: an exact zero says L1 pruned it (when L1 is on). */
export function weightText(w, regularization) {
  if (w === 0) return regularization === "l1" ? "0 (pruned by L1)" : "0";
  if (w - w !== 0) return `${fmtNum(w)} (not a finite number)`;
  return fmtNum(w);
}

function biasColor(v) {
  if (v - v !== 0) return rgb(NONFINITE);
  const c = v >= 0 ? POS : NEG;
  return `rgba(${c[0]},${c[1]},${c[2]},${Math.min(1, 0.25 + Math.abs(v)).toFixed(2)})`;
}
