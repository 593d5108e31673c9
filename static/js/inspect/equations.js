// The equation panel of Inspect: the seed's equation for one neuron, link or the loss, with the
// trace's numbers substituted (POST /api/sessions/<id>/trace). Formulas come from the engine's
// registries (/api/options: an activation's formula and derivative, a loss's formula, gradient,
// fused output and gradient scale, a feature's formula), so every activation and loss is covered
// without naming it.
//
// explain(trace, focus, stage, ctx) → {title, rule, lines, notes, table}; render(box, it, opts)
// draws it. A line is a list of parts: text, or num(v, q) — a number shown to 4 significant figures
// (every digit with opts.allDigits) with its full value in data-v (and its role in data-q, e.g.
// "z", "a", "delta", "loss", "new-w"). ctx.conv is the convention the equations are written in
// (convention.js: the seed's column form or the engine's row form: indices, shapes and the order of
// each product follow it; the numbers do not).
// focus: {kind: "input", i} | {kind: "neuron", l, j} (l: the layer's index in trace.layers) |
//        {kind: "link", l, i, j} | {kind: "loss"} | null (the stage's default).

import { full, largest, sig, sub } from "./numbers.js";

export const STAGES = ["Forward", "Loss", "Backward", "Update"];
export const CIRCLED = ["①", "②", "③", "④"];
export const MAX_TERMS = 8;    // a sum over more terms than this shows its largest few ...
const SHOWN_TERMS = 4;  // ... this many, and adds up the rest

/** A number part. opts: {p: in parentheses when negative, s: with a sign, pp: always parenthesised}. */
export const num = (v, q = null, opts = {}) => ({ v, q, ...opts });

// ------------------------------------------------------------------ substitution
const TOKENS = /ŷ_k|y_k|ŷ|\bz\b|\by\b|\bk\b|x₁|x₂/g;

/** A registry formula with its symbols replaced by numbers ({z: 0.3}, {ŷ: 0.4, y: 1}, ...).
 * A negative number gets parentheses unless it opens a bracket or the formula. */
function substitute(formula, values, alwaysParen = false) {
  const parts = [];
  let last = 0;
  for (const m of formula.matchAll(TOKENS)) {
    if (!(m[0] in values)) continue;
    parts.push(formula.slice(last, m.index));
    const prev = formula.slice(0, m.index).trimEnd().slice(-1);
    const v = values[m[0]];
    parts.push(num(v, null, { p: alwaysParen || (prev !== "" && prev !== "(" && prev !== ",") }));
    last = m.index + m[0].length;
  }
  parts.push(formula.slice(last));
  return parts;
}

/** The right-hand side to substitute into: "σ(z) = 1 / (1 + e^(−z))" → "1 / (1 + e^(−z))". */
const rhs = (formula) => (formula.includes(", ") ? formula : formula.split(" = ").pop());

/** "a = f(z) = <f with the number> = a" without repeating itself ("a = z = 0.3"). */
function applied(sym, formula, values, result, q) {
  const right = rhs(formula);
  const line = [`${sym} = ${formula}`];
  if (right !== "z" && right !== "1") line.push(" = ", ...substitute(right, values));
  line.push(" = ", num(result, q));
  return line;
}

/** Σ of products a·b written out: all terms, or the largest few with the rest summed. */
export function products(as, bs) {
  const terms = as.map((a, i) => a * bs[i]);
  const shown = as.length > MAX_TERMS ? largest(terms, SHOWN_TERMS) : terms.map((_, i) => i);
  const parts = [];
  shown.forEach((i, n) => { if (n) parts.push(" + "); parts.push("(", num(as[i]), ")(", num(bs[i]), ")"); });
  let rest = null;
  if (shown.length < as.length) {
    const set = new Set(shown);
    rest = terms.reduce((s, v, i) => (set.has(i) ? s : s + v), 0);
    parts.push(" + ", num(rest, "rest", { p: true }));
  }
  return { parts, rest, hidden: as.length - shown.length };
}

export const restNote = (n, what) => `${n} more ${what}: the ${SHOWN_TERMS} largest are written out, the other ${n} are added up in the last term.`;

// ------------------------------------------------------------------ names
export function neuronName(t, l, j) {
  const L = t.layers.length;
  if (l === L - 1) return t.output.length > 1 ? `output ${j} (class ${j})` : "output";
  return `layer ${l + 1}, neuron ${j + 1}`;
}

function inputName(t, i, ctx) {
  const f = ctx.features.get(t.input.features[i]);
  return f?.label || t.input.features[i];
}

export const aPrev = (t, l) => (l === 0 ? t.input.values : t.layers[l - 1].a);
const col = (W, j) => W.map((row) => row[j]);
/** A product "w·x" in the convention's order: column W·x, row x·W. */
const times = (conv, w, x) => conv.order(w, x).join("·");

// ------------------------------------------------------------------ explanations
export function defaultFocus(t, stage) {
  if (stage === 1) return { kind: "loss" };
  const L = t.layers.length;
  // Multi-class: the output of the point's own class is the one the loss pulls up.
  const j = t.output.length > 1 ? Math.max(0, t.target.indexOf(Math.max(...t.target))) : 0;
  return { kind: "neuron", l: L - 1, j };
}

export function explain(t, focus, stage, ctx) {
  const f = focus || defaultFocus(t, stage);
  const L = t.layers.length;
  let it;
  if (f.kind === "input") it = inputExplained(t, f.i, ctx);
  else if (f.kind === "loss" || (stage === 1 && f.kind === "neuron" && f.l === L - 1)) it = lossExplained(t, ctx);
  else if (f.kind === "link") it = [linkForward, linkForward, linkBackward, linkUpdate][stage](t, f, ctx);
  else it = [neuronForward, neuronForward, neuronBackward, neuronUpdate][stage](t, f.l, f.j, ctx);
  it.stage = `${CIRCLED[stage]} ${STAGES[stage]}`;
  it.rule = it.rule || stageRule(t, stage, ctx);
  return it;
}

function stageRule(t, stage, ctx) {
  return [
    ctx.conv.forward,
    "Loss: the output ŷ compared with the target y.",
    ctx.conv.backward,
    `Update: every weight moves against its gradient, w ← w − α·∂L/∂w with α = ${sig(t.learning_rate)} (plain gradient descent on this one point).`,
  ][stage];
}

function inputExplained(t, i, ctx) {
  const name = inputName(t, i, ctx);
  if (!ctx.features.has(t.input.features[i])) {   // a real set's column: the point's own value
    return { title: `input ${name}`, lines: [[`${inSym(0, i)} = ${name}`, " = ", num(t.input.values[i], "x")]],
      notes: [`A real dataset's point goes in as it is: the network sees its ${t.input.values.length} values.`] };
  }
  const formula = ctx.features.get(t.input.features[i])?.formula || name;
  const [x1, x2] = t.input.point;
  const line = [`${ctx.conv.input(0, i)} = ${name}`];
  if (formula !== "x₁" && formula !== "x₂") line.push(" = ", ...substitute(formula, { "x₁": x1, "x₂": x2 }, true));
  line.push(" = ", num(t.input.values[i], "x"));
  return {
    title: `input ${name}`,
    lines: [line],
    notes: [`The point is (x₁, x₂) = (${sig(x1)}, ${sig(x2)}); the network sees its ${t.input.values.length} feature${t.input.values.length === 1 ? "" : "s"}.`],
  };
}

function neuronForward(t, l, j, ctx) {
  const layer = t.layers[l], L = t.layers.length, n = layer.W.length;
  const act = ctx.activations.get(layer.activation) || { formula: layer.activation };
  const conv = ctx.conv, out = l === L - 1, a = out ? "ŷ" : conv.act, zj = `z${sub(j + 1)}`;
  const symbolic = n > MAX_TERMS
    ? `${conv.sum(l)}  (i = 1 … ${n}, j = ${j + 1})`
    : `${zj} = ${Array.from({ length: n }, (_, i) => times(conv, conv.w(i, j), conv.input(l, i))).join(" + ")} + b${sub(j + 1)}`;
  const sum = products(...conv.order(col(layer.W, j), aPrev(t, l)));
  const lines = [[symbolic], [" = ", ...sum.parts, " + ", num(layer.b[j], "b", { p: true }), " = ", num(layer.z[j], "z")]];
  const notes = [];
  if (sum.hidden) notes.push(restNote(sum.hidden, "inputs"));
  if (layer.activation === "softmax") {
    lines.push(...softmaxLines(t, j));
  } else {
    lines.push(applied(a, act.formula, { z: layer.z[j] }, layer.a[j], "a"));
  }
  return {
    title: `${neuronName(t, l, j)} (${act.label || layer.activation})`,
    rule: `${conv.sum(l)} over the ${n} ${l === 0 ? "inputs" : "neurons of the layer before"} (W${sub(l + 1)} is ${conv.shape(n, layer.b.length)}), then ${a} = ${act.formula}.`,
    lines, notes,
  };
}

function softmaxLines(t, j) {
  const z = t.layers[t.layers.length - 1].z;
  const denom = [];
  z.forEach((v, k) => { if (k) denom.push(" + "); denom.push("e^", num(v, null, { pp: true })); });
  return [[`ŷ${sub(j)} = e^(z${sub(j)}) / Σₖ e^(zₖ) = e^`, num(z[j], null, { pp: true }), " / (", ...denom, ") = ", num(t.output[j], "a")]];
}

/** What the target means for this output. */
function targetNote(t, ctx) {
  const act = t.layers[t.layers.length - 1].activation;
  if (ctx.problem === "regression") return `y is this point's value, ${sig(t.label)}.`;
  if (t.output.length > 1) return `y is class ${t.label} written one-hot: 1 for class ${t.label}, 0 for the others.`;
  const range = ctx.activations.get(act)?.output_range;
  if (range && range[0] < 0) return `Class ${t.label}: a ${act} output aims at ${sig(range[0])} for class 0 and +${sig(range[1])} for class 1, so y = ${t.target[0] > 0 ? "+" : ""}${sig(t.target[0])}.`;
  return `Class ${t.label}: y = ${sig(t.target[0])}.`;
}

function lossExplained(t, ctx) {
  const loss = ctx.losses.get(t.loss_name) || { label: t.loss_name, formula: "" };
  const k = t.output.length;
  const lines = [];
  let table = null;
  if (k === 1) {
    lines.push(["ŷ = ", num(t.output[0], "yhat"), ",  y = ", num(t.target[0], "target")]);
  } else {
    const z = t.layers[t.layers.length - 1].z;
    table = { head: ["class", "z", "ŷ", "y"], rows: t.output.map((p, c) => [String(c), num(z[c]), num(p, "yhat"), num(t.target[c], "target")]), mark: t.label };
  }
  const formula = loss.formula.replace(/,\s*y = .*$/, "");
  lines.push([`L = ${formula}`]);
  const oneExample = formula.replace(/mean\s*/g, "");
  if (t.loss_name === "mse") {
    // The seed's mean squared error: the mean of (ŷ − y)² over this point's k outputs.
    const terms = [];
    t.output.forEach((p, c) => { if (c) terms.push(" + "); terms.push("(", num(p), " − ", num(t.target[c], null, { p: true }), ")²"); });
    lines.push([k === 1 ? " = " : ` = (1/${k})·[`, ...terms, k === 1 ? "" : "]", " = ", num(t.loss, "loss")]);
  } else if (k === 1 && formula) {
    lines.push([" = ", ...substitute(oneExample, { "ŷ": t.output[0], y: t.target[0] }), " = ", num(t.loss, "loss")]);
  } else if (loss.fused_with === "softmax" && t.target.some((v) => v === 1)) {
    const c = t.target.indexOf(1);
    lines.push([` = −ln ŷ${sub(c)} = −ln `, num(t.output[c]), " = ", num(t.loss, "loss")]);
  } else {
    lines.push([" = ", num(t.loss, "loss")]);
  }
  const notes = [targetNote(t, ctx), t.loss_name === "mse" && k > 1
    ? `The mean is over the examples and their ${k} outputs: here there is one example.`
    : "The mean is over the examples: here there is one."];
  if (ctx.problem === "regression" && k === 1) notes.push(`Squared error (ŷ − y)² = ${sig((t.output[0] - t.target[0]) ** 2)}: with one output, the loss is the squared error itself.`);
  if (t.regularization !== "none" && t.reg_rate > 0) notes.push(`Regularization (${t.regularization.toUpperCase()}, λ = ${sig(t.reg_rate)}) adds λ·R(W) = ${sig(t.reg_loss)}, kept apart from this data loss; its gradient joins at the update.`);
  return { title: `${loss.label} of this point`, lines, notes, table };
}

/** f′(z) as registered, substituted, and its value (δ / ∂L/∂a; unknown when ∂L/∂a is 0). */
function derivativeLine(act, z, dLda, delta) {
  const d = act.derivative || "f′(z)";
  const line = [`f′(z) = ${d}`];
  const right = rhs(d);
  if (right !== "1") line.push(" = ", ...substitute(right, { z }));
  const fp = dLda !== 0 ? delta / dLda : null;
  if (fp != null) line.push(" = ", num(fp, "fprime"));
  return { line, fp };
}

function neuronBackward(t, l, j, ctx) {
  const layer = t.layers[l], L = t.layers.length;
  const act = ctx.activations.get(layer.activation) || {};
  const loss = ctx.losses.get(t.loss_name) || {};
  const title = `${neuronName(t, l, j)}: its error δ`;
  const lines = [], notes = [];
  if (l === L - 1) {
    const k = t.output.length > 1 ? sub(j) : "";
    if (loss.fused_with === layer.activation) {
      // Fused pairs: δ = ŷ − y (sigmoid or softmax with cross-entropy), δ = c(ŷ − y)/k (a linear
      // output with mean squared error, k outputs; c is the loss's grad_scale, 2).
      const n = t.output.length, c = loss.grad_scale, scaled = c != null;
      const rule = scaled ? `${c}(ŷ − y)/${n}` : "ŷ − y";
      lines.push(scaled
        ? [`δ${k} = ${c}(ŷ${k} − y${k})/${n} = ${c}(`, num(t.output[j]), " − ", num(t.target[j], null, { p: true }), `)/${n} = `, num(layer.delta[j], "delta")]
        : [`δ${k} = ŷ${k} − y${k} = `, num(t.output[j]), " − ", num(t.target[j], null, { p: true }), " = ", num(layer.delta[j], "delta")]);
      notes.push(`With a ${layer.activation} output and ${loss.label?.toLowerCase() || t.loss_name}, ∂L/∂ŷ · f′(z) simplifies to ${rule}.`);
      if (n > 1) lines.push([`δ = ${rule} = (`, ...layer.delta.flatMap((v, c) => (c ? [", ", num(v)] : [num(v)])), ")"]);
    } else {
      const g = (loss.gradient || "∂L/∂ŷ").replace(/,\s*y = .*$/, "");
      const vals = { "ŷ": t.output[j], y: t.target[j], "ŷ_k": t.output[j], "y_k": t.target[j], k: t.output.length };
      lines.push([`∂L/∂ŷ = ${g} = `, ...substitute(g, vals), " = ", num(layer.dL_da[j], "dL_da")]);
      if (layer.activation === "softmax") {
        lines.push([`δ = ∂L/∂z through the softmax (${act.derivative}) = `, num(layer.delta[j], "delta")]);
      } else {
        const { line, fp } = derivativeLine(act, layer.z[j], layer.dL_da[j], layer.delta[j]);
        lines.push(line, ["δ = ∂L/∂ŷ · f′(z) = (", num(layer.dL_da[j]), ")(", fp == null ? "f′(z)" : num(fp), ") = ", num(layer.delta[j], "delta")]);
      }
    }
    return { title, lines, notes, rule: `The output's δ = ∂L/∂z comes straight from the loss (${loss.label || t.loss_name}).` };
  }
  const next = t.layers[l + 1], conv = ctx.conv;
  const sum = products(...conv.order(next.W[j], next.delta));
  const sigma = `Σₖ ${conv.backTerm(j)}`;
  lines.push([`${sigma} = `, ...sum.parts, " = ", num(layer.dL_da[j], "dL_da")]);
  if (sum.hidden) notes.push(restNote(sum.hidden, "neurons in the next layer"));
  const { line, fp } = derivativeLine(act, layer.z[j], layer.dL_da[j], layer.delta[j]);
  lines.push(line);
  lines.push([`δ = f′(z) · ${sigma} = (`, fp == null ? "f′(z)" : num(fp), ")(", num(layer.dL_da[j]), ") = ", num(layer.delta[j], "delta")]);
  lines.push(["∂L/∂b = δ = ", num(layer.db[j], "db")]);
  return {
    title, lines, notes,
    rule: `${conv.backSum}: the next layer's errors sent back along this neuron's ${next.W[j].length} outgoing weights, times the slope of ${layer.activation} at z.`,
  };
}

function neuronUpdate(t, l, j) {
  const layer = t.layers[l], alpha = t.learning_rate;
  return {
    title: `${neuronName(t, l, j)}: its bias`,
    lines: [
      ["Δb = −α·∂L/∂b = −", num(alpha), "·", num(layer.db[j], null, { p: true }), " = ", num(layer.update_b[j], "db-step", { s: true })],
      ["b ← b − α·∂L/∂b = ", num(layer.b[j]), " − ", num(alpha), "·", num(layer.db[j], null, { p: true }), " = ", num(layer.b[j] + layer.update_b[j], "new-b")],
    ],
    notes: ["Biases are never regularized."],
  };
}

export function linkTitle(t, f, ctx) {
  const from = f.l === 0 ? inputName(t, f.i, ctx) : neuronName(t, f.l - 1, f.i);
  return `${from} → ${neuronName(t, f.l, f.j)}`;
}

/** "W₂₁ (row 2, column 1 of W₁, a 2 × 4 matrix)": the weight's name and place in the convention. */
export function weightName(t, f, conv) {
  const layer = t.layers[f.l];
  return `${conv.w(f.i, f.j)}, ${conv.where(f.i, f.j)} of W${sub(f.l + 1)} (${conv.shape(layer.W.length, layer.b.length)})`;
}

function linkForward(t, f, ctx) {
  const layer = t.layers[f.l], w = layer.W[f.i][f.j], a = aPrev(t, f.l)[f.i], conv = ctx.conv;
  const sym = conv.w(f.i, f.j), x = conv.input(f.l, f.i);
  const [first, second] = conv.order(num(w), num(a));
  return {
    title: `weight ${linkTitle(t, f, ctx)}`,
    lines: [[`${sym} = `, num(w, "w")], [`${times(conv, sym, x)} = (`, first, ")(", second, ") = ", num(w * a, "wa")]],
    notes: [`${weightName(t, f, conv)}: one of the ${layer.W.length} terms of z = ${sig(layer.z[f.j])} of ${neuronName(t, f.l, f.j)}.`],
  };
}

function linkBackward(t, f, ctx) {
  const layer = t.layers[f.l], a = aPrev(t, f.l)[f.i], conv = ctx.conv;
  const x = conv.input(f.l, f.i), d = `δ${sub(f.j + 1)}`;
  const [first, second] = conv.order(num(layer.delta[f.j]), num(a));
  const lines = [[`∂L/∂${conv.w(f.i, f.j)} = ${conv.order(d, x).join("·")} = (`, first, ")(", second, ") = ", num(layer.dW[f.i][f.j], "dw")]];
  const notes = [`w = ${weightName(t, f, conv)}. Colour: the sign of ∂L/∂w; width: its size relative to the largest gradient.`];
  if (layer.reg_dW) {
    lines.push([`λ·∂R/∂w = `, num(layer.reg_dW[f.i][f.j], "reg-dw"), ` (${t.regularization.toUpperCase()}, λ = ${sig(t.reg_rate)})`]);
  }
  return { title: `gradient of ${linkTitle(t, f, ctx)}`, lines, notes };
}

function linkUpdate(t, f, ctx) {
  const layer = t.layers[f.l], alpha = t.learning_rate;
  const w = layer.W[f.i][f.j], g = layer.dW[f.i][f.j], r = layer.reg_dW ? layer.reg_dW[f.i][f.j] : null;
  const grad = r == null ? [num(g, null, { p: true })] : ["(", num(g), " + ", num(r, null, { p: true }), ")"];
  const sym = r == null ? "∂L/∂w" : "(∂L/∂w + λ·∂R/∂w)";
  return {
    title: `update of ${linkTitle(t, f, ctx)}`,
    lines: [
      [`Δw = −α·${sym} = −`, num(alpha), "·", ...grad, " = ", num(layer.update_W[f.i][f.j], "dw-step", { s: true })],
      [`w ← w − α·${sym} = `, num(w), " − ", num(alpha), "·", ...grad, " = ", num(w + layer.update_W[f.i][f.j], "new-w")],
    ],
    notes: [`w = ${weightName(t, f, ctx.conv)}. Colour: the sign of Δw (opposite to the gradient's); width: its size.`],
  };
}

// ------------------------------------------------------------------ drawing
function part(p, allDigits) {
  if (typeof p === "string") return document.createTextNode(p);
  const s = document.createElement("span");
  s.className = "num";
  let text = allDigits ? full(p.v) : sig(p.v);
  if (p.s && p.v > 0) text = `+${text}`;
  if (p.pp || (p.p && p.v < 0)) text = `(${text})`;
  s.textContent = text;
  s.dataset.v = String(p.v);
  s.title = full(p.v);     // hover: every digit
  if (p.q) s.dataset.q = p.q;
  return s;
}

/** Draw an explanation into the panel; opts.allDigits writes every number at full precision. */
export function render(box, it, { allDigits = false } = {}) {
  const el = (tag, cls, text) => { const n = document.createElement(tag); if (cls) n.className = cls; if (text != null) n.textContent = text; return n; };
  const head = el("div", "eq-head");
  head.append(el("span", "eq-stage", it.stage), el("strong", "eq-title", it.title));
  const nodes = [head];
  if (it.rule) nodes.push(el("p", "eq-rule", it.rule));
  if (it.table) {
    const table = el("table", "eq-table");
    const tr = el("tr");
    for (const h of it.table.head) tr.append(el("th", null, h));
    table.append(tr);
    it.table.rows.forEach((row, r) => {
      const line = el("tr", r === it.table.mark ? "mark" : null);
      for (const c of row) { const td = el("td"); td.append(part(c, allDigits)); line.append(td); }
      table.append(line);
    });
    nodes.push(table);
  }
  for (const line of it.lines) {
    const d = el("div", "eq");
    for (const p of line) d.append(part(p, allDigits));
    nodes.push(d);
  }
  for (const n of it.notes || []) nodes.push(el("p", "eq-note", n));
  box.replaceChildren(...nodes);
}
