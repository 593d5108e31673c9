// What a Compare race varies, its presets, and how a race is written in the URL hash.
// A spec is {vary, values: [2 or 3 names or numbers], reg_rate?}: every run is a fork of the
// page's session with `overrides(spec, value)`; nothing else differs between the runs.
// In the hash: compare=<vary>&compare.values=v1,v2,v3[&compare.reg_rate=r].

export const MAX_RUNS = 3;
export const DEFAULT_REG_RATE = 0.01;

// The settings a race may vary. list: where /api/options names the choices (kind "name");
// range: /api/options ranges key (kind "number").
export const VARIABLES = {
  optimizer: { label: "Optimizer", kind: "name", list: "optimizers" },
  learning_rate: { label: "Learning rate", kind: "number", range: "learning_rate" },
  activation: { label: "Hidden activation", kind: "name", list: "activations" },
  init: { label: "Initializer", kind: "name", list: "initializers" },
  batch_size: { label: "Batch size", kind: "number", range: "batch_size", integer: true },
  regularization: { label: "Regularization", kind: "name", list: "regularizations" },
};

export const PRESETS = [
  { label: "SGD vs momentum vs Adam", vary: "optimizer", values: ["sgd", "momentum", "adam"] },
  { label: "Learning rate 0.003 · 0.03 · 0.3", vary: "learning_rate", values: [0.003, 0.03, 0.3] },
  { label: "tanh vs ReLU vs sigmoid", vary: "activation", values: ["tanh", "relu", "sigmoid"] },
  { label: "Xavier vs zeros", vary: "init", values: ["xavier_uniform", "zeros"] },
  { label: "Xavier vs He vs N(0, 1)", vary: "init", values: ["xavier_uniform", "he_uniform", "normal"] },
  { label: "Batch 1 vs 10 vs 100", vary: "batch_size", values: [1, 10, 100] },
  { label: "None vs L1 vs L2", vary: "regularization", values: ["none", "l1", "l2"], reg_rate: DEFAULT_REG_RATE },
];

/** The choices for a name-valued setting: [{name, label}] from /api/options. */
export function choices(options, vary) {
  const v = VARIABLES[vary];
  if (v.kind !== "name") return [];
  let list = options[v.list] || [];
  if (vary === "activation") list = list.filter((a) => a.hidden !== false);
  return list.map((c) => ({ name: c.name, label: c.label || c.name }));
}

/** A preset is offered only when the server knows every name it uses. */
export function presetAvailable(options, preset) {
  if (VARIABLES[preset.vary].kind !== "name") return true;
  const names = new Set(choices(options, preset.vary).map((c) => c.name));
  return preset.values.every((v) => names.has(v));
}

/** The configuration fields one run changes. */
export function overrides(spec, value) {
  switch (spec.vary) {
    case "activation": return { activation: value, layer_activations: null };
    case "regularization": return { regularization: value, reg_rate: spec.reg_rate ?? DEFAULT_REG_RATE };
    default: return { [spec.vary]: value };
  }
}

/** A run's name: the value's label ("Adam", "rate 0.3", "batch 10", "L2 0.01"). */
export function runName(options, spec, value) {
  if (spec.vary === "learning_rate") return `rate ${value}`;
  if (spec.vary === "batch_size") return `batch ${value}`;
  const label = choices(options, spec.vary).find((c) => c.name === value)?.label ?? String(value);
  if (spec.vary === "regularization" && value !== "none") return `${label} ${spec.reg_rate ?? DEFAULT_REG_RATE}`;
  return label;
}

/** "Optimizer: SGD vs Momentum vs Adam". */
export function describeSpec(options, spec) {
  const v = VARIABLES[spec.vary];
  return `${v.label}: ${spec.values.map((x) => (v.kind === "number" ? String(x) : runName(options, spec, x))).join(" vs ")}`;
}

/** A spec's problems in words, or null: 2–3 distinct values of a known setting. */
export function checkSpec(options, spec) {
  const v = VARIABLES[spec?.vary];
  if (!v) return `choose what to vary (${Object.keys(VARIABLES).join(", ")})`;
  const values = spec.values || [];
  if (values.length < 2 || values.length > MAX_RUNS) return `give 2 to ${MAX_RUNS} values`;
  if (new Set(values.map(String)).size !== values.length) return "give different values: equal runs would race identically";
  if (v.kind === "name") {
    const names = new Set(choices(options, spec.vary).map((c) => c.name));
    const bad = values.find((x) => !names.has(x));
    if (bad != null) return `${spec.vary}: unknown name ${bad}`;
  } else {
    const [lo, hi] = options.ranges?.[v.range] || [-Infinity, Infinity];
    const bad = values.find((x) => typeof x !== "number" || !Number.isFinite(x) || x < lo || x > hi || (v.integer && !Number.isInteger(x)));
    if (bad !== undefined) return `${spec.vary}: ${bad} is not ${v.integer ? "a whole number" : "a number"} in ${lo} … ${hi}`;
  }
  return null;
}

// ------------------------------------------------------------------ the URL hash
/** The race's hash parameters ([key, text] pairs; commas stay readable). */
export function specParams(spec) {
  if (!spec) return [];
  const out = [["compare", spec.vary], ["compare.values", spec.values.join(",")]];
  if (spec.vary === "regularization") out.push(["compare.reg_rate", String(spec.reg_rate ?? DEFAULT_REG_RATE)]);
  return out;
}

/** The race a hash describes, or null (a spec still to be checked with checkSpec). */
export function specFromHash(hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  const vary = p.get("compare");
  if (!vary || !VARIABLES[vary]) return null;
  const numeric = VARIABLES[vary].kind === "number";
  const values = (p.get("compare.values") || "").split(",").filter((t) => t !== "").map((t) => (numeric ? Number(t) : t));
  const spec = { vary, values };
  if (vary === "regularization") {
    const r = Number(p.get("compare.reg_rate"));
    spec.reg_rate = p.has("compare.reg_rate") && Number.isFinite(r) ? r : DEFAULT_REG_RATE;
  }
  return spec;
}
