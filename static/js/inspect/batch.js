// Inspect's minibatch mode: the step training takes next (POST /api/sessions/<id>/trace with
// {"batch": "next"}), before it is taken. Four stages, as for one point, but the last is the
// Optimizer's: ① Forward and ② Loss follow one point of the minibatch (any, chosen from the list of
// its points) and end with the minibatch's mean loss; ③ Backward shows that point's δ and its own
// gradient, and the minibatch's mean gradient; ④ Optimizer writes the selected optimizer's rule
// (from the engine's registry: /api/options → optimizers[].equations) with the selected weight's
// numbers: the gradient it receives (L2 and clipping included), its state before → after, the
// step, L1's shrink. Every number is the server's; the only arithmetic here is display (m̂, v̂).
//
// explainBatch(trace, focus, stage, ctx) → an explanation for equations.js's render();
// BatchPoints: the list of the minibatch's points and their losses; BatchMarkers: rings on the
// boundary plot at each point of the minibatch.

import { CIRCLED, MAX_TERMS, defaultFocus, explain, linkTitle, neuronName, num, weightName } from "./equations.js";
import { plotPixel } from "./marker.js";
import { largest, sig, sup } from "./numbers.js";

export const BATCH_STAGES = ["Forward", "Loss", "Backward", "Optimizer"];
const NS = "http://www.w3.org/2000/svg";

/** The trace as a one-point trace of its shown point (that point's own gradient as dW, db). */
function pointView(t) {
  return { ...t, loss: t.point_loss, layers: t.layers.map((L) => ({ ...L, dW: L.point_dW, db: L.point_db })) };
}

const B = (t) => t.batch.size;
const shownName = (t) => `point ${t.batch.shown + 1} of the minibatch (training point ${t.input.index})`;

export function explainBatch(t, focus, stage, ctx) {
  const f = focus || defaultFocus(t, stage);
  const L = t.layers.length;
  let it;
  if (stage === 3 && (f.kind === "link" || f.kind === "neuron")) it = optimizerExplained(t, f, ctx);
  else if (stage === 3) it = { title: "the optimizer's step", lines: [], notes: ["Hover a link (a weight) or a neuron (its bias) for its step."] };
  else {
    it = explain(pointView(t), f, stage, ctx);
    const isLoss = f.kind === "loss" || (stage === 1 && f.kind === "neuron" && f.l === L - 1);
    if (stage === 1 && isLoss) batchLoss(t, it);
    else if (stage === 2 && f.kind === "link") batchGradient(t, it, t.layers[f.l].dW[f.i][f.j], t.layers[f.l].point_dW[f.i][f.j], "w");
    else if (stage === 2 && f.kind === "neuron") batchGradient(t, it, t.layers[f.l].db[f.j], t.layers[f.l].point_db[f.j], "b");
    if (f.kind !== "input") it.title = `${it.title} · ${shownName(t)}`;
  }
  it.stage = `${CIRCLED[stage]} ${BATCH_STAGES[stage]}`;
  it.rule = stageRule(t, stage, ctx);
  return it;
}

function stageRule(t, stage, ctx) {
  const n = B(t);
  return [
    `${ctx.conv.forward} Each of the ${n} points of the minibatch goes through alone; shown: ${shownName(t)}.`,
    `Loss: each point's loss, and the minibatch's: their mean L_B = (1/${n}) Σₚ Lₚ.`,
    `Backward: each point's δ and gradient as for one point; the minibatch's gradient is their mean, ∂L_B/∂w = (1/${n}) Σₚ ∂Lₚ/∂w.`,
    `Optimizer (${t.optimizer.label}): ${t.optimizer.equations.join(";  ")} — with g the minibatch's gradient${t.regularization === "l2" && t.reg_rate > 0 ? " + λ·w" : ""}${t.clip.max_norm ? `, clipped to ‖g‖ ≤ ${sig(t.clip.max_norm)}` : ""} and α = ${sig(t.optimizer.learning_rate)}${t.regularization === "l1" && t.reg_rate > 0 ? "; then L1 shrinks each weight towards 0" : ""}. This is the step training takes.`,
  ][stage];
}

/** Σ of a list written out, or its largest few and the rest summed (as equations.js's products). */
function sumParts(values, q) {
  const shown = values.length > MAX_TERMS ? largest(values, 4) : values.map((_, i) => i);
  const parts = [];
  shown.forEach((i, n) => { if (n) parts.push(" + "); parts.push(num(values[i], null, { p: n > 0 })); });
  if (shown.length < values.length) {
    const set = new Set(shown);
    parts.push(" + ", num(values.reduce((s, v, i) => (set.has(i) ? s : s + v), 0), q, { p: true }));
  }
  return parts;
}

function batchLoss(t, it) {
  const losses = t.batch.points.map((p) => p.loss), n = losses.length;
  it.lines.push([`L_B = (1/${n})·(`, ...sumParts(losses, "rest"), ") = ", num(t.loss, "batch-loss")]);
  it.notes.push(`The minibatch's loss is the mean of its ${n} points' losses${n > MAX_TERMS ? " (the 4 largest written out, the others added up in the last term)" : ""}; the list under the panel shows each.`);
}

function batchGradient(t, it, mean, own, what) {
  const n = B(t);
  it.lines.push([`∂L_B/∂${what} = (1/${n}) Σₚ ∂Lₚ/∂${what} = `, num(mean, what === "w" ? "batch-dw" : "batch-db")]);
  it.notes.push(`This point's own ∂L/∂${what} = ${sig(own)} is one of the ${n} terms of the mean.`);
}

// ------------------------------------------------------------------ the optimizer stage
const TOKENS = /m̂|v̂|β₁ᵗ|β₂ᵗ|β₁|β₂|[αμρεgmvGEw]/gu;

/** One weight's (or bias's) optimizer step: the rule with its numbers, state before → after. */
function optimizerExplained(t, f, ctx) {
  const weight = f.kind === "link", layer = t.layers[f.l], opt = t.optimizer;
  const at = (M) => (weight ? M[f.i][f.j] : M[f.j]);
  const state = opt.layers[f.l];
  const wBefore = at(weight ? layer.W : layer.b), data = at(weight ? layer.dW : layer.db);
  const g = at(weight ? layer.grad_W : layer.grad_b), stepped = wBefore + at(weight ? layer.step_W : layer.step_b);
  const update = at(weight ? layer.update_W : layer.update_b);
  const sym = weight ? "w" : "b";
  const lines = [], notes = [];
  // The gradient the optimizer receives.
  const l2 = weight && t.regularization === "l2" && t.reg_rate > 0;
  const raw = l2 ? data + at(layer.reg_dW) : data;
  if (l2) lines.push(["g = ∂L_B/∂w + λ·w = ", num(data), " + ", num(at(layer.reg_dW), null, { p: true }), " = ", num(raw, "g-raw")]);
  else lines.push([`g = ∂L_B/∂${sym} = `, num(raw, "g-raw")]);
  if (t.clip.max_norm && t.clip.norm > t.clip.max_norm) {
    lines.push(["‖g‖ = ", num(t.clip.norm), ` > c = ${sig(t.clip.max_norm)}:  g ← g·c/‖g‖ = `, num(raw), "·", num(t.clip.max_norm / t.clip.norm), " = ", num(g, "g")]);
    notes.push(`Clipping: the whole gradient (every weight and bias) had norm ${sig(t.clip.norm)}, more than ${sig(t.clip.max_norm)}, so every component is scaled by the same factor.`);
  } else if (t.clip.max_norm) {
    notes.push(`Clipping at ‖g‖ ≤ ${sig(t.clip.max_norm)}: the gradient's norm ${sig(t.clip.norm)} is within it, nothing is scaled.`);
  }
  // The rule, line by line, each symbol replaced by its value (a slot's value is updated by its line).
  const values = { α: opt.learning_rate, g, w: wBefore, t: opt.t };   // (a bias is "w" in the rule)
  for (const [name, symbol] of Object.entries(opt.symbols)) {
    if (name in opt.params) values[symbol] = opt.params[name];
    else if (state.state_before[name]) values[symbol] = at(weight ? state.state_before[name].W : state.state_before[name].b);
  }
  const slotOf = Object.fromEntries(opt.slots.map((s) => [opt.symbols[s], s]));
  const table = { head: ["", "before", "after"], rows: [] };
  for (const eq of opt.equations) {
    const [lhs, rhs] = eq.split(/ ← | = /);
    let result;
    if (slotOf[lhs]) {
      const slot = slotOf[lhs];
      result = at(weight ? state.state_after[slot].W : state.state_after[slot].b);
      table.rows.push([lhs, num(values[lhs]), num(result, `state-${slot}`)]);
    } else if (lhs === "m̂" || lhs === "v̂") {
      const beta = lhs === "m̂" ? values["β₁"] : values["β₂"];
      result = values[lhs[0]] / (1 - beta ** opt.t);
    } else result = stepped;                           // w ← …: the optimizer's own step
    lines.push([weight ? eq : eq.replace(/w/g, "b")]);
    lines.push([" = ", ...substituteRule(rhs, values), " = ", num(result, lhs === "w" ? "stepped" : null)]);
    values[lhs] = result;
  }
  if (weight && t.regularization === "l1" && t.reg_rate > 0) {
    const shrink = at(layer.shrink_W);
    lines.push(["L1: w ← sign(w)·max(|w| − η·λ, 0) = sign(", num(stepped), ")·max(|", num(stepped), "| − ", num(shrink), ", 0) = ", num(wBefore + update)]);
    notes.push(`L1 acts after the optimizer: η·λ = ${sig(shrink)} (η the optimizer's step size for this weight); a weight it would carry across 0 stops at exactly 0.`);
  }
  lines.push([`Δ${sym} = `, num(update, "update", { s: true }), `: the whole change, ${sym} `, num(wBefore), " → ", num(wBefore + update, "new-w")]);
  table.rows.push([sym, num(wBefore), num(wBefore + update)]);
  notes.push(`Step ${opt.t} of this optimizer${opt.slots.length ? "; its state per weight is in the table" : ""}. Δ${sym} is exactly the change “Apply this step” (or Step one minibatch) makes.`);
  return {
    title: weight ? `${opt.label} step of ${linkTitle(t, f, ctx)}` : `${opt.label} step of the bias of ${neuronName(t, f.l, f.j)}`,
    lines, notes: weight ? [`w = ${weightName(t, f, ctx.conv)}.`, ...notes] : notes, table,
  };
}

/** A rule's right-hand side with every symbol replaced by its number (βᵗ as β to the power t). */
function substituteRule(rhs, values) {
  const parts = [];
  let last = 0;
  for (const m of rhs.matchAll(TOKENS)) {
    const key = m[0].endsWith("ᵗ") ? m[0].slice(0, -1) : m[0];
    if (!(key in values)) continue;
    parts.push(rhs.slice(last, m.index));
    const prev = rhs.slice(0, m.index).trimEnd().slice(-1);
    parts.push(num(values[key], null, { p: prev !== "" && prev !== "(" }));
    if (m[0].endsWith("ᵗ")) parts.push(sup(values.t));
    last = m.index + m[0].length;
  }
  parts.push(rhs.slice(last));
  return parts;
}

// ------------------------------------------------------------------ the list of points
/** The minibatch's points under the summary: each one's loss, the shown one marked; a click
 * shows that point. */
export class BatchPoints {
  constructor(after, onPick) {
    this.el = document.createElement("div");
    this.el.className = "inspect-batch-points";
    this.el.setAttribute("role", "group");
    this.el.setAttribute("aria-label", "The points of the minibatch and their losses");
    this.el.hidden = true;
    after.after(this.el);
    this.el.addEventListener("click", (e) => {
      const b = e.target.closest("button[data-k]");
      if (b) onPick(Number(b.dataset.k));
    });
  }

  show(t) {
    this.el.hidden = !t;
    if (!t) { this.el.replaceChildren(); return; }
    const head = document.createElement("span");
    head.className = "hint";
    head.textContent = "each point's loss (click one to follow it):";
    const max = Math.max(...t.batch.points.map((p) => p.loss)) || 1;
    const chips = t.batch.points.map((p, k) => {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.k = String(k);
      b.className = `batch-point${k === t.batch.shown ? " shown" : ""}`;
      b.setAttribute("aria-pressed", String(k === t.batch.shown));
      b.title = `training point ${p.index}: loss ${p.loss}`;
      b.style.setProperty("--share", String(Math.max(0.04, p.loss / max)));
      b.textContent = `#${p.index} ${sig(p.loss, 3)}`;
      return b;
    });
    this.el.replaceChildren(head, ...chips);
  }
}

// ------------------------------------------------------------------ rings on the plot
/** Small rings on the boundary plot at every point of the minibatch. */
export class BatchMarkers {
  constructor(plotEl) {
    this.plot = plotEl;
    this.points = [];
    this.svg = document.createElementNS(NS, "svg");
    this.svg.classList.add("inspect-batch-marks");
    this.svg.setAttribute("aria-hidden", "true");
    plotEl.parentElement.append(this.svg);
    window.addEventListener("resize", () => this.place());
  }

  /** Mark these plane points ([[x1, x2], …]); [] hides them. */
  show(points) {
    this.points = points;
    if (points.length && !this.hooked && this.plot.on) {
      this.hooked = true;
      this.plot.on("plotly_afterplot", () => this.place());
    }
    this.place();
  }

  place() {
    const box = this.plot.parentElement;
    this.svg.setAttribute("width", box.clientWidth);
    this.svg.setAttribute("height", box.clientHeight);
    const rings = [];
    for (const p of this.points) {
      const at = plotPixel(this.plot, p);
      if (!at || !at.inside) continue;
      const c = document.createElementNS(NS, "circle");
      c.setAttribute("cx", at.x);
      c.setAttribute("cy", at.y);
      c.setAttribute("r", 7);
      rings.push(c);
    }
    this.svg.replaceChildren(...rings);
  }
}

/** One line about the minibatch: which rows of which epoch, the mean loss, the optimizer. */
export function batchSummary(t) {
  const b = t.batch;
  return `Next minibatch: ${b.size} training point${b.size === 1 ? "" : "s"}, rows ${b.start + 1}–${b.start + b.size} of ${b.of} in this epoch's shuffle · mean loss ${sig(t.loss)} · ${t.optimizer.label}, α = ${sig(t.optimizer.learning_rate)}, step ${t.optimizer.t} · epoch ${t.epoch}`;
}
