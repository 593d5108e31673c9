// The layers' controls: how many hidden layers (−, a number field, +) above the diagram, and per
// hidden layer its neurons (−, a number field, +) and its activation, aligned with the diagram's
// columns. A size is typed (64, Enter) or stepped; either sends one change. Text that is not a
// whole number is refused with a message and the field shows the session's value again; a number
// out of range goes to the server, whose error names the control ("Neurons in layer 2: 100 is
// out of range (1 … 64)").

import { el } from "./dom.js";

/** A whole number typed into `input`, or null (not a number, or not whole). */
function typedCount(input) {
  const text = input.value.trim();
  if (input.validity.badInput || text === "") return null;
  const v = Number(text);
  return Number.isInteger(v) ? v : null;
}

/** A number field for a count: Enter or leaving it sends `send(n)`; bad text calls `refuse()`. */
function countInput(value, { min, max, label, send, refuse }) {
  const input = el("input", "count-input");
  Object.assign(input, { type: "number", min, max, step: 1, value: String(value), inputMode: "numeric" });
  input.setAttribute("aria-label", label);
  input.title = `${label}: type ${min} … ${max} and press Enter`;
  input.addEventListener("change", () => {
    const n = typedCount(input);
    if (n === null) { input.value = String(value); refuse(`${label}: please type a whole number (${min} … ${max}). It stays ${value}.`); return; }
    if (n !== value) send(n);
  });
  return input;
}

/** The config patch that gives `n` hidden layers: new layers repeat the last one (or 4 neurons);
 * per-layer activations, when set, grow and shrink with them. */
export function layersPatch(cfg, n) {
  const hl = cfg.hidden_layers, acts = cfg.layer_activations;
  const sizes = n <= hl.length ? hl.slice(0, n) : [...hl, ...Array(n - hl.length).fill(hl.length ? hl[hl.length - 1] : 4)];
  const patch = { hidden_layers: sizes };
  if (acts) {
    const last = acts[acts.length - 1] || cfg.activation;
    patch.layer_activations = n === 0 ? null : n <= acts.length ? acts.slice(0, n) : [...acts, ...Array(n - acts.length).fill(last)];
  }
  return patch;
}

/**
 * The heading's layer count: −/+ buttons and the number field between them (`els`: {add, remove,
 * count}); +/− are disabled at the limits. Returns update(cfg) to call when the config changes.
 */
export function wireLayerCount(els, { maxLayers, onPatch, refuse }) {
  let cfg = null;
  const go = (n) => onPatch(layersPatch(cfg, n), "hidden_layers");
  els.add.addEventListener("click", () => { if (cfg.hidden_layers.length < maxLayers) go(cfg.hidden_layers.length + 1); });
  els.remove.addEventListener("click", () => { if (cfg.hidden_layers.length > 0) go(cfg.hidden_layers.length - 1); });
  els.count.addEventListener("change", () => {
    const n = typedCount(els.count), have = cfg.hidden_layers.length;
    if (n === null) { els.count.value = String(have); refuse(`Hidden layers: please type a whole number (0 … ${maxLayers}). It stays ${have}.`); return; }
    if (n !== have) go(n);
  });
  Object.assign(els.count, { min: 0, max: maxLayers, step: 1 });
  return (config) => {
    cfg = config;
    const n = config.hidden_layers.length;
    if (document.activeElement !== els.count) els.count.value = String(n);
    els.add.disabled = n >= maxLayers;
    els.remove.disabled = n <= 0;
    els.add.title = n >= maxLayers ? `At most ${maxLayers} hidden layers` : "Add a hidden layer";
  };
}

/**
 * The row above the diagram: per hidden layer −/number/+ for its neurons and its activation,
 * aligned with the diagram's columns. onPatch(patch, field) sends a change; refuse(message) shows
 * a message about text that is not a number.
 */
export function buildLayerControls(box, cfg, { activations, maxNeurons, onPatch, refuse }) {
  const hl = cfg.hidden_layers;
  const acts = cfg.layer_activations || hl.map(() => cfg.activation);
  // a rebuild keeps the keyboard where it was (a size typed and Enter: the field keeps the focus)
  const focused = box.contains(document.activeElement) ? document.activeElement.getAttribute("aria-label") : null;
  box.replaceChildren();
  const cell = (cls) => { const d = el("div", `layer-cell ${cls}`); box.append(d); return d; };
  // Narrow columns (8 layers at 1024 px) show the short forms (a CSS container query picks).
  const words = (long, short) => [el("span", "long", long), el("span", "short", short)];
  const resize = (i, n) => { const next = [...hl]; next[i] = n; onPatch({ hidden_layers: next }, "hidden_layers"); };
  cell("io").append(...words("Inputs", "In"));
  hl.forEach((n, i) => {
    const c = cell("hidden");
    const row = el("div", "row tight neuron-row");
    const mk = (txt, label, delta) => {
      const b = el("button", "round-btn small", txt);
      b.type = "button";
      b.setAttribute("aria-label", label);
      b.title = label;
      b.disabled = n + delta < 1 || n + delta > maxNeurons;
      b.addEventListener("click", () => resize(i, n + delta));
      return b;
    };
    const count = countInput(n, { min: 1, max: maxNeurons, label: `Neurons in layer ${i + 1}`, send: (v) => resize(i, v), refuse });
    row.append(mk("−", `Remove a neuron from layer ${i + 1}`, -1), count, mk("+", `Add a neuron to layer ${i + 1}`, +1));
    const sel = el("select", "layer-act");
    sel.setAttribute("aria-label", `Activation of layer ${i + 1}`);
    for (const a of activations) { const o = el("option", null, a.label || a.name); o.value = a.name; sel.append(o); }
    sel.value = acts[i];
    sel.addEventListener("change", () => { const next = [...acts]; next[i] = sel.value; onPatch({ layer_activations: next }, "layer_activations"); });
    const unit = el("div", "neuron-count long", `neuron${n === 1 ? "" : "s"}`);
    c.append(row, unit, sel);
  });
  cell("io").append(...words("Output", "Out"));
  box.style.setProperty("--cols", hl.length + 2);
  if (focused) box.querySelector(`[aria-label="${CSS.escape(focused)}"]`)?.focus();
}
