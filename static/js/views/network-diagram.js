// The network diagram: one column per layer (inputs, hidden layers, output), each neuron a small
// canvas showing its own activation map over the input plane, links as SVG paths coloured by the sign
// of the weight and as wide as |w|. Built once per network shape; each frame only updates attributes
// and pixels. Hovering a link shows its exact weight and gradient (live), clicking it edits the weight.

import { CLASS_COLORS, NEG, POS, paintDiverging, rangeScaling } from "../colors.js";
import { channel } from "../codec.js";
import { fmtNum } from "../format.js";

const SVGNS = "http://www.w3.org/2000/svg";
const MAX_LINKS_PER_LAYER = 1500;  // beyond this a layer shows an even subset of its links (said below the diagram)

export class NetworkDiagram {
  /** handlers: {onNeuronHover({layer, index} | null), openEditor(target, clientX, clientY), onNote(text)} */
  constructor(root, handlers) {
    this.root = root;
    this.svg = root.querySelector("#net-svg");
    this.nodesBox = root.querySelector("#net-nodes");
    this.tip = root.querySelector("#net-tip");
    this.h = handlers;
    this.shapeKey = "";
    this.links = [];      // per weight layer: array of {path, from, to}
    this.nodes = [];      // per column: array of {div, canvas, ctx, img}
    this.weights = null;  // decoded weights of the latest snapshot
    this.hoverLink = null;
    this.hoverNode = null;
    this.svg.addEventListener("mouseover", (e) => this._linkEnter(e));
    this.svg.addEventListener("mouseout", (e) => { if (e.target.dataset?.l != null) this._linkLeave(); });
    this.svg.addEventListener("click", (e) => this._linkClick(e));
    this.svg.addEventListener("mousemove", (e) => this._placeTip(e));
    new ResizeObserver(() => { if (this.spec) this.build(this.spec, true); }).observe(root);
  }

  /**
   * spec: {features: [labels], hidden: [sizes], activations: [names], ranges: [output range per
   * hidden layer], nOut, outputActivation, outputRange, problem}
   * Rebuilds the DOM only when the shape changes (or `force`).
   */
  build(spec, force = false) {
    const key = JSON.stringify([spec.features, spec.hidden, spec.nOut, this.root.clientWidth, this.root.clientHeight]);
    this.spec = spec;
    if (!force && key === this.shapeKey) return;
    this.shapeKey = key;
    const sizes = [spec.features.length, ...spec.hidden, spec.nOut];
    const W = Math.max(200, this.root.clientWidth);
    const H = Math.max(200, this.root.clientHeight);
    const cols = sizes.length;
    const colX = (i) => ((i + 0.5) / cols) * W;
    // Each column sizes its own neurons: a 2-neuron layer keeps big maps next to a 64-neuron one.
    const colW = W / cols;
    const layoutCol = (n) => {
      const node = Math.max(5, Math.min(38, Math.floor((H - 16) / n) - 4, Math.floor(colW) - 34));
      const gap = n > 1 ? Math.min(node * 0.45 + 4, Math.max(0, (H - 16 - n * node) / (n - 1))) : 0;
      return { node, gap };
    };
    const colLayout = sizes.map(layoutCol);
    this.colLayout = colLayout;
    this.nodeSize = Math.max(...colLayout.map((c) => c.node));
    const pos = sizes.map((n, i) => {
      const { node, gap } = colLayout[i];
      const total = n * node + (n - 1) * gap;
      const top = (H - total) / 2;
      return Array.from({ length: n }, (_, j) => ({ x: colX(i), y: top + j * (node + gap) + node / 2 }));
    });
    this.pos = pos;

    // nodes
    this.nodesBox.replaceChildren();
    this.nodes = sizes.map((n, c) => pos[c].map((p, j) => {
      const node = colLayout[c].node;
      const div = document.createElement("div");
      div.className = `neuron ${c === 0 ? "input" : c === cols - 1 ? "output" : "hidden"}`;
      Object.assign(div.style, { left: `${p.x - node / 2}px`, top: `${p.y - node / 2}px`, width: `${node}px`, height: `${node}px` });
      div.dataset.col = c;
      div.dataset.idx = j;
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 1;
      div.append(canvas);
      if (c === 0) {
        const lab = document.createElement("span");
        lab.className = "input-label";
        lab.textContent = spec.features[j];
        div.append(lab);
      }
      if (c > 0) {
        const bias = document.createElement("span");
        bias.className = "bias";
        bias.title = "bias";
        div.append(bias);
      }
      div.tabIndex = c > 0 ? 0 : -1;
      div.setAttribute("role", "button");
      div.setAttribute("aria-label", c === 0 ? `input ${spec.features[j]}` : c === cols - 1 ? `output ${j}` : `layer ${c} neuron ${j + 1}: hover to see its map, click to edit its bias`);
      div.addEventListener("mouseenter", () => this._nodeEnter(c, j));
      div.addEventListener("mouseleave", () => this._nodeLeave());
      div.addEventListener("focus", () => this._nodeEnter(c, j));
      div.addEventListener("blur", () => this._nodeLeave());
      if (c > 0) {
        const at = () => { const r = this.root.getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; };
        div.addEventListener("click", () => this._edit({ layer: c - 1, param: "b", to: j }, ...at()));
        div.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); this._edit({ layer: c - 1, param: "b", to: j }, ...at()); } });
      }
      this.nodesBox.append(div);
      return { div, canvas, ctx: canvas.getContext("2d"), img: null, bias: div.querySelector(".bias") };
    }));

    // links (drawn under the nodes)
    this.svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    this.svg.setAttribute("width", W);
    this.svg.setAttribute("height", H);
    this.svg.replaceChildren();
    this.links = [];
    this.subsampled = [];
    for (let l = 0; l < cols - 1; l++) {
      const group = document.createElementNS(SVGNS, "g");
      const layer = [];
      const stride = Math.ceil((sizes[l] * sizes[l + 1]) / MAX_LINKS_PER_LAYER);
      if (stride > 1) this.subsampled.push(`layer ${l + 1}: 1 in ${stride}`);
      for (let a = 0; a < sizes[l]; a++) {
        for (let b = 0; b < sizes[l + 1]; b++) {
          if ((a * sizes[l + 1] + b + a) % stride) continue;
          const p0 = pos[l][a], p1 = pos[l + 1][b];
          const x0 = p0.x + colLayout[l].node / 2, x1 = p1.x - colLayout[l + 1].node / 2, mx = (x0 + x1) / 2;
          const path = document.createElementNS(SVGNS, "path");
          path.setAttribute("d", `M${x0.toFixed(1)},${p0.y.toFixed(1)} C${mx.toFixed(1)},${p0.y.toFixed(1)} ${mx.toFixed(1)},${p1.y.toFixed(1)} ${x1.toFixed(1)},${p1.y.toFixed(1)}`);
          path.setAttribute("class", "link");
          path.dataset.l = l;
          path.dataset.a = a;
          path.dataset.b = b;
          group.append(path);
          layer.push({ path, a, b, lastW: NaN });
        }
      }
      this.svg.append(group);
      this.links.push(layer);
    }
    if (this.h.onNote) this.h.onNote(this.subsampled.length ? `Large layers show an even subset of their links (${this.subsampled.join(", ")}).` : "");
    // Overlays (Inspect) draw on the diagram from this: its size and each neuron's centre and size.
    this.root.dispatchEvent(new CustomEvent("diagram-built", { detail: { width: W, height: H, columns: pos.map((col, c) => ({ node: colLayout[c].node, at: col.map((p) => [p.x, p.y]) })) } }));
    if (this.lastSnapshot) this.update(this.lastSnapshot);
  }

  /** Update links and thumbnails from a decoded snapshot: {weights, neurons, outputSmall, inputs, nres}. */
  update(s) {
    this.lastSnapshot = s;
    if (s.weights) {
      this.weights = s.weights;
      // Width ∝ |w|, 0.5–7 px, relative to the largest |w| in the network (at least 1), so the picture
      // stays readable whether weights are 0.1 or 10; the hover gives the exact value.
      let maxW = 1;
      for (const wl of s.weights) { const d = wl.W.data; for (let i = 0; i < d.length; i++) { const a = Math.abs(d[i]); if (a > maxW) maxW = a; } }
      this.maxW = maxW;
      for (let l = 0; l < this.links.length; l++) {
        const wl = s.weights[l];
        if (!wl) continue;
        const W = wl.W.data, nOut = wl.W.shape[1];
        for (const link of this.links[l]) {
          const w = W[link.a * nOut + link.b];
          const r = Math.abs(w) / maxW;
          const q = Math.round(r * 64);  // skip DOM writes when nothing visible changed
          const key = w >= 0 ? q : -q - 1;
          if (key === link.lastW) continue;
          link.lastW = key;
          link.path.setAttribute("stroke-width", (0.5 + 6.5 * r).toFixed(2));
          link.path.setAttribute("stroke", w >= 0 ? "rgb(8,119,189)" : "rgb(245,147,34)");
          link.path.setAttribute("stroke-opacity", (0.3 + 0.7 * r).toFixed(2));
        }
        const b = wl.b.data;
        const col = this.nodes[l + 1];
        if (col) for (let k = 0; k < col.length; k++) {
          const v = b[k];
          const c = v >= 0 ? POS : NEG;
          col[k].bias.style.background = `rgba(${c[0]},${c[1]},${c[2]},${Math.min(1, 0.25 + Math.abs(v)).toFixed(2)})`;
        }
      }
    }
    if (s.inputs) this._paintColumn(0, s.inputs, null);
    if (s.neurons) s.neurons.forEach((arr, l) => this._paintColumn(l + 1, arr, this.spec.ranges[l]));
    if (s.outputSmall) this._paintOutput(s.outputSmall);
    if (this.hoverLink) this._showLinkTip();
  }

  /** range: the layer's activation output range (null: unbounded, scaled by its largest |value|). */
  _paintColumn(c, arr, range) {
    const col = this.nodes[c];
    if (!col || !arr) return;
    const [h, w, k] = arr.shape;
    for (let j = 0; j < col.length && j < k; j++) {
      const n = col[j];
      const vals = channel(arr, j);
      this._ensure(n, w, h);
      paintDiverging(n.img, vals, w, h, rangeScaling(range, vals));
      n.ctx.putImageData(n.img, 0, 0);
    }
  }

  _paintOutput(arr) {
    const col = this.nodes[this.nodes.length - 1];
    const [h, w, k] = arr.shape;
    if (k > 1 && this.spec.outputActivation === "softmax") {
      // One multi-class map, shown in the first output node; the others show each class' probability.
      for (let j = 0; j < col.length && j < k; j++) {
        const n = col[j];
        this._ensure(n, w, h);
        const vals = channel(arr, j);
        const img = n.img.data;
        const cc = CLASS_COLORS[j % CLASS_COLORS.length];
        for (let r = 0; r < h; r++) for (let x = 0; x < w; x++) {
          const p = vals[(h - 1 - r) * w + x];
          const o = (r * w + x) * 4;
          img[o] = 255 + (cc[0] - 255) * p; img[o + 1] = 255 + (cc[1] - 255) * p; img[o + 2] = 255 + (cc[2] - 255) * p; img[o + 3] = 255;
        }
        n.ctx.putImageData(n.img, 0, 0);
      }
      return;
    }
    for (let j = 0; j < col.length && j < k; j++) {
      const n = col[j];
      this._ensure(n, w, h);
      const vals = channel(arr, j);
      paintDiverging(n.img, vals, w, h, rangeScaling(this.spec.outputRange || [-1, 1], vals));
      n.ctx.putImageData(n.img, 0, 0);
    }
  }

  _ensure(n, w, h) {
    if (n.canvas.width !== w || n.canvas.height !== h) {
      n.canvas.width = w; n.canvas.height = h;
      n.img = n.ctx.createImageData(w, h);
    }
  }

  // ----- hover & edit -----
  _linkEnter(e) {
    const d = e.target.dataset;
    if (d?.l == null) return;
    this.hoverLink = { l: +d.l, a: +d.a, b: +d.b, path: e.target };
    e.target.classList.add("hover");
    this._showLinkTip();
  }

  _linkLeave() {
    if (this.hoverLink) this.hoverLink.path.classList.remove("hover");
    this.hoverLink = null;
    this.tip.hidden = true;
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
    this.tip.innerHTML = "";
    const lines = [`${from} → ${to}`, `weight ${fmtNum(w)}`, `gradient ∂L/∂w ${fmtNum(g)}`, "click to edit"];
    lines.forEach((t, i) => { const s = document.createElement(i ? "div" : "strong"); s.textContent = t; if (i === 3) s.className = "muted"; this.tip.append(s); });
    this.tip.hidden = false;
  }

  _placeTip(e) {
    if (this.tip.hidden) return;
    const r = this.root.getBoundingClientRect();
    const x = e.clientX - r.left + 14, y = e.clientY - r.top + 12;
    this.tip.style.left = `${Math.min(x, r.width - 170)}px`;
    this.tip.style.top = `${y}px`;
  }

  _nodeEnter(c, j) {
    if (c === 0) { this.h.onNeuronHover({ layer: -1, index: j }); return; }
    const last = c === this.nodes.length - 1;
    this.hoverNode = { c, j };
    this.h.onNeuronHover(last ? null : { layer: c - 1, index: j });
    const wl = this.weights?.[c - 1];
    if (wl) {
      const b = wl.b.data[j], g = wl.db ? wl.db.data[j] : NaN;
      this.tip.replaceChildren();
      const title = document.createElement("strong");
      title.textContent = last ? `output ${j}` : `layer ${c}, neuron ${j + 1} (${this.spec.activations[c - 1]})`;
      const l1 = document.createElement("div"); l1.textContent = `bias ${fmtNum(b)}`;
      const l2 = document.createElement("div"); l2.textContent = `gradient ∂L/∂b ${fmtNum(g)}`;
      const l3 = document.createElement("div"); l3.className = "muted"; l3.textContent = last ? "click to edit the bias" : "its map is shown in the output; click to edit the bias";
      this.tip.append(title, l1, l2, l3);
      const p = this.pos[c][j];
      this.tip.style.left = `${Math.min(p.x + this.colLayout[c].node / 2 + 6, this.root.clientWidth - 180)}px`;
      this.tip.style.top = `${p.y + 8}px`;
      this.tip.hidden = false;
    }
  }

  _nodeLeave() {
    this.hoverNode = null;
    this.tip.hidden = true;
    this.h.onNeuronHover(null);
  }

  _edit(target, clientX, clientY) {
    this._linkLeave();
    this.h.openEditor(target, clientX, clientY);
  }

  _linkClick(e) {
    const d = e.target.dataset;
    if (d?.l == null) return;
    this._edit({ layer: +d.l, param: "W", from: +d.a, to: +d.b }, e.clientX, e.clientY);
  }
}
