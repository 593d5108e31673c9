// How Inspect writes its equations: the convention and the digits.
//
// Two ways to write one dense layer ℓ, with the same numbers:
// - column (the seed's, the default): x_ℓ = f(W_ℓ x_{ℓ−1} + b_ℓ) — vectors are columns, W_ℓ is
//   n_out × n_in, and the weight from neuron i to neuron j is W_ℓ[j, i] (row j holds neuron j's
//   incoming weights); activations are x.
// - row (the engine's, nn_core): a_ℓ = f(a_{ℓ−1} W_ℓ + b_ℓ) — one example is a row, W_ℓ is
//   n_in × n_out, and that weight is W_ℓ[i, j] (column j holds neuron j's incoming weights);
//   activations are a, the inputs x.
// The choice changes the indices, the shapes and the order of every product; the numbers stay.
// All digits: every number at full float64 precision instead of 4 significant figures.

import { sub } from "./numbers.js";

/** Subscript of a pair of 0-based indices, 1-based, with a comma once either has two digits. */
const pair = (a, b) => `${sub(a + 1)}${a >= 9 || b >= 9 ? "," : ""}${sub(b + 1)}`;

export const CONVENTIONS = {
  column: {
    name: "column",
    label: "column form: x = f(W x + b)",
    /** The i-th value feeding weight layer l (0-based): the inputs and activations alike. */
    input: (l, i) => `x${sub(i + 1)}`,
    /** A neuron's activation symbol (hidden layers). */
    act: "x",
    /** The weight from neuron i (layer before) to neuron j of weight layer l. */
    w: (i, j) => `W${pair(j, i)}`,
    /** A product of a weight and what it multiplies, in this convention's order. */
    order: (w, x) => [w, x],
    /** A term of neuron j's error sum over the next layer's neurons k: W_next[k, j]·δₖ. */
    backTerm: (j) => `Wₖ${sub(j + 1)}·δₖ`,
    shape: (nIn, nOut) => `${nOut} × ${nIn}`,
    where: (i, j) => `row ${j + 1}, column ${i + 1}`,
    layer: "x_ℓ = f(W_ℓ x_{ℓ−1} + b_ℓ)",
    forward: "Forward: each layer computes z = W x + b from the layer before (W is n_out × n_in, x a column), then x = f(z); the inputs are the point's features.",
    backward: "Backward: δ = ∂L/∂z from the output back to the first layer, δ_{ℓ−1} = (W_ℓᵀ δ_ℓ) ⊙ f′(z_{ℓ−1}); each weight's gradient is ∂L/∂W_ℓ = δ_ℓ x_{ℓ−1}ᵀ, i.e. ∂L/∂Wⱼᵢ = δⱼ·xᵢ.",
    sum: () => "zⱼ = Σᵢ Wⱼᵢ·xᵢ + bⱼ",
    backSum: "δⱼ = f′(zⱼ) · Σₖ Wₖⱼ·δₖ",
  },
  row: {
    name: "row",
    label: "row form: a = f(a W + b)",
    input: (l, i) => `${l === 0 ? "x" : "a"}${sub(i + 1)}`,
    act: "a",
    w: (i, j) => `W${pair(i, j)}`,
    order: (w, x) => [x, w],
    backTerm: (j) => `δₖ·W${sub(j + 1)}ₖ`,
    shape: (nIn, nOut) => `${nIn} × ${nOut}`,
    where: (i, j) => `row ${i + 1}, column ${j + 1}`,
    layer: "a_ℓ = f(a_{ℓ−1} W_ℓ + b_ℓ)",
    forward: "Forward: each layer computes z = a W + b from the layer before (W is n_in × n_out, a a row), then a = f(z); the inputs are the point's features.",
    backward: "Backward: δ = ∂L/∂z from the output back to the first layer, δ_{ℓ−1} = (δ_ℓ W_ℓᵀ) ⊙ f′(z_{ℓ−1}); each weight's gradient is ∂L/∂W_ℓ = a_{ℓ−1}ᵀ δ_ℓ, i.e. ∂L/∂Wᵢⱼ = aᵢ·δⱼ.",
    sum: (l) => `zⱼ = Σᵢ ${l === 0 ? "xᵢ" : "aᵢ"}·Wᵢⱼ + bⱼ`,
    backSum: "δⱼ = f′(zⱼ) · Σₖ δₖ·Wⱼₖ",
  },
};

export const DEFAULT_CONVENTION = "column";

/** The convention and digits controls above the equation panel, kept in state.view (the inspect
 * view declares them in its link). onChange() redraws. */
export class NotationBar {
  constructor(panel, view, onChange) {
    this.view = view;
    const bar = document.createElement("div");
    bar.className = "inspect-notation";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "How the equations are written");
    this.select = document.createElement("select");
    this.select.id = "inspect-convention";
    this.select.setAttribute("aria-label", "Convention");
    this.select.title = "The seed's column form (W is n_out × n_in) or the engine's row form (W is n_in × n_out): same numbers, other indices";
    for (const c of Object.values(CONVENTIONS)) this.select.append(new Option(c.label, c.name));
    const digits = document.createElement("label");
    digits.className = "small-toggle";
    this.digits = document.createElement("input");
    this.digits.type = "checkbox";
    this.digits.id = "inspect-digits";
    digits.append(this.digits, " all digits");
    digits.title = "Every number at full precision (hover one for its digits either way)";
    this.note = document.createElement("span");
    this.note.className = "inspect-rounded hint";
    bar.append(this.select, digits, this.note);
    panel.before(bar);
    this.select.addEventListener("change", () => { view.state.view.convention = this.select.value; view.save(); onChange(); });
    this.digits.addEventListener("change", () => { view.state.view.allDigits = this.digits.checked; view.save(); onChange(); });
    this.sync();
  }

  /** The settings as the equations use them: {conv, allDigits}. */
  get settings() {
    const v = this.view.state.view;
    return { conv: CONVENTIONS[v.convention] || CONVENTIONS[DEFAULT_CONVENTION], allDigits: !!v.allDigits };
  }

  sync() {
    const { conv, allDigits } = this.settings;
    this.select.value = conv.name;
    this.digits.checked = allDigits;
    this.note.textContent = allDigits ? "" : "numbers rounded to 4 significant figures; hover one for all its digits";
  }
}
