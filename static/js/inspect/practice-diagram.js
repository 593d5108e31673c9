// Practice's small diagram: the exercise's network as an SVG, every number the stage needs written
// beside its neuron or on its link (the inputs, weights, biases and target always; the learner's
// answers where given; "?" where a question waits), and the element the current question is
// about outlined. What each neuron and link shows at each stage is `stageLabels`; `draw` lays it
// out: link labels are placed along their links where they collide with nothing, and a layer
// whose labels do not all fit lists its weights in a table under the diagram instead.
//
// draw(ex, {neuron(c, j) → rows, link(l, i, j) → rows, loss() → rows | null, focus})
//   rows: [{text, key, cls}] (cls: "given" | "ask" | "right" | "wrong" | "revealed");
//   focus: {kind: "input", i} | {kind: "neuron", l, j} | {kind: "link", l, i, j} | {kind: "loss"}
//          with its question key (focus.key), whose row is outlined, and `near`: the links its
//          equation reads ([[l, i, j], …]: a z its incoming weights, a hidden δ its outgoing ones).
// Hovering a link or its label lights the link, so a label is never mistaken for its neighbour's.
// onPick(focus) is called when the learner clicks a neuron, a link or the loss.

import { sig, sub } from "./numbers.js";

const NS = "http://www.w3.org/2000/svg";
const FONT = "11px system-ui, sans-serif";
const R = 12;                 // neuron radius
const ROW = 13;               // a row of numbers
const PAD = 3;                // around a label
const MARGIN = { left: 8, right: 8, top: 10, bottom: 6 };
// Where along its link a label may sit (0: the link's start, 1: its end), nearest the middle first.
const DIAGRAM_LAYERS = 3, DIAGRAM_NEURONS = 4;   // larger networks are not written out
const LINK_SPOTS = Array.from({ length: 21 }, (_, k) => 0.5 + (k % 2 ? 1 : -1) * Math.ceil(k / 2) * 0.04);

export class PracticeDiagram {
  constructor(box, { onPick }) {
    this.box = box;
    this.onPick = onPick;
    this.svg = document.createElementNS(NS, "svg");
    this.svg.setAttribute("class", "pd");
    this.svg.setAttribute("role", "img");
    this.tables = document.createElement("div");
    this.tables.className = "pd-tables";
    box.append(this.svg, this.tables);
    this.measure = document.createElement("canvas").getContext("2d");
    this.measure.font = FONT;
    this.svg.addEventListener("click", (e) => {
      const hit = e.target.closest("[data-pick]");
      if (hit) this.onPick(JSON.parse(hit.dataset.pick));
    });
    this.svg.addEventListener("mouseover", (e) => this.hover(e.target.closest("[data-link]")?.dataset.link));
    this.svg.addEventListener("mouseleave", () => this.hover(null));
  }

  width(text) { return Math.ceil(this.measure.measureText(text).width); }

  draw(ex, how) {
    const sizes = ex.layer_sizes, cols = sizes.length;
    const el = (tag, attrs = {}, parent = null) => {
      const n = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
      if (parent) parent.append(n);
      return n;
    };
    // Rows of every neuron, their widths: the inputs' go left of the circle, the outputs' right of
    // it (the links converging on an output keep the room under it), the others below.
    const rows = sizes.map((n, c) => Array.from({ length: n }, (_, j) => how.neuron(c, j)));
    const blockW = rows.map((col) => Math.max(0, ...col.flat().map((r) => this.width(r.text) + 2 * PAD)));
    const blockH = rows.map((col, c) => (c === 0 || c === cols - 1 ? 0 : Math.max(0, ...col.map((r) => r.length)) * ROW));
    const lossRows = how.loss() || [];
    const lossW = Math.max(0, ...lossRows.map((r) => this.width(r.text) + 2 * PAD));
    // One slot height for every column, so links fan out as widely from the inputs as elsewhere.
    const outH = Math.max(0, ...rows[cols - 1].map((r) => r.length)) * ROW;
    const slotH = Math.max(2 * R + 10 + Math.max(...blockH), outH + 6), slot = () => slotH;
    const lossH = lossRows.length ? lossRows.length * ROW + 4 : 0;   // under the last output
    const height = Math.max(...sizes) * slotH + lossH + MARGIN.top + MARGIN.bottom;
    const width = Math.max(300, this.box.clientWidth || 300);
    const left = MARGIN.left + blockW[0] + R + 4;
    const right = width - MARGIN.right - Math.max(R + 4 + blockW[cols - 1], lossW / 2);
    const xs = sizes.map((_, c) => (cols === 1 ? left : left + ((right - left) * c) / (cols - 1)));
    const ys = sizes.map((n, c) => {
      const top = MARGIN.top + (height - lossH - MARGIN.top - MARGIN.bottom - n * slot(c)) / 2;
      return Array.from({ length: n }, (_, j) => top + j * slot(c) + R + 2);
    });
    this.svg.replaceChildren();
    this.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.svg.setAttribute("width", width);
    this.svg.setAttribute("height", height);
    this.svg.setAttribute("aria-label", `The exercise's network, ${sizes.join("–")}, with its numbers`);
    const focus = how.focus;
    const near = new Set((focus?.near || []).map((n) => n.join(".")));
    const taken = [];   // rectangles labels may not cover
    const free = (r) => r[0] >= 0 && r[0] + r[2] <= width && r[1] >= 0 && r[1] + r[3] <= height
      && taken.every((p) => r[0] >= p[0] + p[2] || p[0] >= r[0] + r[2] || r[1] >= p[1] + p[3] || p[1] >= r[1] + r[3]);
    const links = el("g", { class: "pd-links" }, this.svg);
    const labels = el("g", { class: "pd-labels" });
    const nodes = el("g", { class: "pd-nodes" });
    // Rows stacked from (x, y), aligned by `anchor`; `inline`: side by side on one line instead.
    const rowsAt = (list, x, y, anchor, parent, inline = false) => {
      const widths = list.map((r) => this.width(r.text) + 2 * PAD), all = widths.reduce((a, b) => a + b, 0);
      let at = anchor === "end" ? x - all : anchor === "middle" ? x - all / 2 : x;
      list.forEach((r, n) => {
        const w = widths[n];
        const x0 = inline ? at : anchor === "end" ? x - w : anchor === "middle" ? x - w / 2 : x;
        const y0 = inline ? y : y + n * ROW;
        at += w;
        taken.push([x0, y0, w, ROW]);
        const g = el("g", { class: `pd-row ${r.cls || "given"}${focus && r.key && r.key === focus.key ? " focus" : ""}` }, parent);
        if (r.key) g.dataset.key = r.key;
        el("rect", { x: x0, y: y0, width: w, height: ROW - 1, rx: 3 }, g);
        el("text", { x: x0 + PAD, y: y0 + ROW - 3.5 }, g).textContent = r.text;
      });
    };
    // Neurons and their rows first: link labels go around them.
    sizes.forEach((n, c) => ys[c].forEach((y, j) => {
      const x = xs[c];
      taken.push([x - R - 2, y - R - 2, 2 * R + 4, 2 * R + 4]);
      const pick = c === 0 ? { kind: "input", i: j } : { kind: "neuron", l: c - 1, j };
      const on = focus && ((focus.kind === "input" && c === 0 && focus.i === j) || (focus.kind === "neuron" && focus.l === c - 1 && focus.j === j)
        || (focus.kind === "loss" && c === cols - 1));
      const circle = el("circle", { cx: x, cy: y, r: R, class: `pd-node${c === 0 ? " input" : ""}${on ? " focus" : ""}` }, nodes);
      circle.dataset.pick = JSON.stringify(pick);
      el("text", { x, y: y + 4, class: "pd-node-name", "text-anchor": "middle" }, nodes).textContent = c === 0 ? `x${sub(j + 1)}` : c === cols - 1 && n === 1 ? "ŷ" : `${sub(j + 1)}`;
      if (c === 0) rowsAt(rows[c][j], x - R - 4, y - (rows[c][j].length * ROW) / 2, "end", labels);
      else if (c === cols - 1) rowsAt(rows[c][j], x + R + 4, y - (rows[c][j].length * ROW) / 2, "start", labels);
      else rowsAt(rows[c][j], x, y + R + 4, "middle", labels);
    }));
    if (lossRows.length) {
      const c = cols - 1, below = ys[c][ys[c].length - 1] + Math.max(R + 4, (rows[c][ys[c].length - 1].length * ROW) / 2 + 2);
      const g = el("g", { class: "pd-loss" }, labels);
      g.dataset.pick = JSON.stringify({ kind: "loss" });
      rowsAt(lossRows, xs[c], below, "middle", g);
    }
    // Links, and their labels where a whole layer's fit.
    const fallbacks = [];
    for (let l = 0; l < cols - 1; l++) {
      const x0 = xs[l] + R, x1 = xs[l + 1] - R, mark = taken.length, placed = [];
      let fits = true;
      ys[l].forEach((y0, i) => ys[l + 1].forEach((y1, j) => {
        const on = focus && focus.kind === "link" && focus.l === l && focus.i === i && focus.j === j;
        const lit = near.has(`${l}.${i}.${j}`) ? " near" : "";
        const line = el("line", { x1: x0, y1: y0, x2: x1, y2: y1, class: `pd-link${on ? " focus" : lit}` }, links);
        const hit = el("line", { x1: x0, y1: y0, x2: x1, y2: y1, class: "pd-hit" }, links);
        hit.dataset.pick = JSON.stringify({ kind: "link", l, i, j });
        line.dataset.link = hit.dataset.link = `${l}.${i}.${j}`;
        if (!fits) return;
        // Its rows stacked, or else side by side on one line, at the first free spot along it.
        const list = how.link(l, i, j), widths = list.map((r) => this.width(r.text) + 2 * PAD);
        let found = null;
        for (const inline of list.length > 1 ? [false, true] : [false]) {
          const w = inline ? widths.reduce((a, b) => a + b, 0) : Math.max(...widths), h = inline ? ROW : list.length * ROW;
          const spot = LINK_SPOTS.map((t) => [x0 + (x1 - x0) * t, y0 + (y1 - y0) * t]).find(([x, y]) => free([x - w / 2, y - h / 2, w, h]));
          if (spot) { found = { list, inline, at: spot, w, h }; break; }
        }
        if (!found) { fits = false; return; }
        taken.push([found.at[0] - found.w / 2, found.at[1] - found.h / 2, found.w, found.h]);
        placed.push({ ...found, on, lit, pick: { kind: "link", l, i, j } });
      }));
      if (!fits) { taken.length = mark; fallbacks.push(l); continue; }
      taken.length = mark;   // rowsAt records them again
      for (const p of placed) {
        const g = el("g", { class: `pd-link-label${p.on ? " focus" : p.lit}` }, labels);
        g.dataset.pick = JSON.stringify(p.pick);
        g.dataset.link = `${p.pick.l}.${p.pick.i}.${p.pick.j}`;
        rowsAt(p.list, p.at[0], p.at[1] - p.h / 2, "middle", g, p.inline);
      }
    }
    this.svg.append(labels, nodes);
    this.drawTables(ex, fallbacks, how);
  }

  /** Light the link `id` ("l.i.j") and its label while the pointer is on either. */
  hover(id) {
    if (id === this.hovered) return;
    this.hovered = id;
    for (const n of this.svg.querySelectorAll(".hover")) n.classList.remove("hover");
    if (id) for (const n of this.svg.querySelectorAll(`[data-link="${id}"]`)) n.classList.add("hover");
  }

  /** Weights of the layers whose labels did not fit on their links: rows = inputs, columns = neurons. */
  drawTables(ex, layers, how) {
    this.tables.replaceChildren(...layers.map((l) => {
      const t = document.createElement("table");
      t.className = "pd-table";
      const title = Object.assign(document.createElement("div"), { className: "pd-table-title" });
      title.textContent = `Weights into ${l === ex.layer_sizes.length - 2 ? "the output" : `layer ${l + 1}`} (row: from, column: to)`;
      const head = t.insertRow();
      head.append(document.createElement("th"));
      for (let j = 0; j < ex.layer_sizes[l + 1]; j++) head.append(Object.assign(document.createElement("th"), { textContent: `→ ${j + 1}` }));
      for (let i = 0; i < ex.layer_sizes[l]; i++) {
        const row = t.insertRow();
        row.append(Object.assign(document.createElement("th"), { textContent: l === 0 ? `x${sub(i + 1)}` : `${i + 1}` }));
        for (let j = 0; j < ex.layer_sizes[l + 1]; j++) {
          const cell = row.insertCell();
          const on = how.focus && how.focus.kind === "link" && how.focus.l === l && how.focus.i === i && how.focus.j === j;
          cell.className = on ? "focus" : (how.focus?.near || []).some((n) => n.join(".") === `${l}.${i}.${j}`) ? "near" : "";
          cell.dataset.pick = JSON.stringify({ kind: "link", l, i, j });
          for (const r of how.link(l, i, j)) {
            const s = document.createElement("span");
            s.className = `pd-cell ${r.cls || "given"}${how.focus && r.key && r.key === how.focus.key ? " focus" : ""}`;
            s.textContent = r.text;
            cell.append(s);
          }
        }
      }
      t.addEventListener("click", (e) => { const c = e.target.closest("[data-pick]"); if (c) this.onPick(JSON.parse(c.dataset.pick)); });
      const box = document.createElement("div");
      box.className = "pd-weights";
      box.append(title, t);
      return box;
    }));
  }
}

/** Whether the exercise is small enough to write out. */
export function fitsDiagram(ex) {
  return !!ex && ex.layer_sizes.length - 1 <= DIAGRAM_LAYERS && Math.max(...ex.layer_sizes) <= DIAGRAM_NEURONS;
}

/**
 * What each neuron and link shows at stage `now` (0 Forward, 1 Loss, 2 Backward, 3 Update): the
 * given numbers (inputs, biases, weights, target) the stage reads, and each question's number —
 * "?" or the learner's answer in its own stage, known (the learner's, else the true value) once
 * its stage is past, nothing before. `known`: {stageOf(key), answer(key), result(key),
 * revealed(key), value(key)}. Returns {neuron(c, j), link(l, i, j), loss()} for draw().
 */
export function stageLabels(ex, now, known) {
  const L = ex.layer_sizes.length - 1;
  const cell = (label, key) => {
    const at = known.stageOf(key);
    if (at > now) return null;
    const r = known.result(key), mine = known.answer(key);
    if (mine != null) return { text: `${label} ${sig(mine)}`, key, cls: r ? (r.correct ? "right" : "wrong") : "ask" };
    if (at < now || known.revealed(key)) return { text: `${label} ${sig(known.value(key))}`, key, cls: at < now ? "given" : "revealed" };
    return { text: `${label} ?`, key, cls: "ask" };
  };
  const given = (text) => ({ text, cls: "given" });
  const rows = (list) => list.filter(Boolean);
  return {
    neuron: (c, j) => {
      if (c === 0) return [given(sig(ex.x[j]))];
      const i = c - 1, out = i === L - 1, a = out ? "ŷ" : "a";
      const y = out && now >= 1 && now <= 2 ? given(`y ${sig(ex.target[j])}`) : null;
      if (now === 3) return rows([given(`b ${sig(ex.b[i][j])}`), cell("∂b", `db.${i}.${j}`)]);
      if (now === 2) return rows([cell("z", `z.${i}.${j}`), cell(a, `a.${i}.${j}`), y, cell("δ", `delta.${i}.${j}`)]);
      return rows([given(`b ${sig(ex.b[i][j])}`), cell("z", `z.${i}.${j}`), cell(a, `a.${i}.${j}`), y]);
    },
    // Backward reads the weights after the first layer (a hidden δ sends the next δ back through them).
    link: (l, i, j) => rows([now === 2 && l === 0 ? null : given(`w ${sig(ex.W[l][i][j])}`), now >= 2 ? cell("∂", `dW.${l}.${i}.${j}`) : null]),
    loss: () => (now >= 1 ? [cell("L", "loss")] : null),
  };
}
