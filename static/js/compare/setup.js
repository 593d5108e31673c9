// The "Compare…" setup: one-click presets, or one setting to vary and its value for each of two or
// three runs (prefilled from the current configuration), and Start. It only builds a spec
// (compare/spec.js); the view starts the race.

import { DEFAULT_REG_RATE, MAX_RUNS, PRESETS, VARIABLES, checkSpec, choices, presetAvailable } from "./spec.js";
import { RUN_COLORS, RUN_KEYS } from "./race.js";
import { el } from "../dom.js";

const NONE = "";   // the third run's "no third run"

/** Values to start from: the current setting first, then the usual contrasts. */
function defaultValues(options, vary, cfg) {
  const names = new Set(choices(options, vary).map((c) => c.name));
  const pick = (list) => [...new Set(list)].filter((v) => names.has(v)).slice(0, MAX_RUNS);
  const nice = (v) => Number(v.toPrecision(2));
  const [lo, hi] = options.ranges?.[VARIABLES[vary].range] || [];
  switch (vary) {
    case "optimizer": return pick([cfg.optimizer, "sgd", "momentum", "adam"]);
    case "activation": return pick([cfg.layer_activations?.[0] ?? cfg.activation, "tanh", "relu", "sigmoid"]);
    case "init": return pick([cfg.init, "xavier_uniform", "zeros"]).slice(0, 2);
    case "regularization": return pick(["none", "l1", "l2"]);
    case "learning_rate": return [...new Set([cfg.learning_rate / 10, cfg.learning_rate, cfg.learning_rate * 10].map((v) => Math.min(hi, Math.max(lo, nice(v)))))];
    case "batch_size": return [...new Set([1, cfg.batch_size, cfg.batch_size * 10].map((v) => Math.min(hi, Math.max(lo, Math.round(v)))))];
    default: return [];
  }
}

export class RaceSetup {
  /** form: the setup <form>; onStart(spec) starts a race. */
  constructor(form, options, onStart) {
    this.form = form;
    this.options = options;
    this.onStart = onStart;
    this.build();
  }

  build() {
    const o = this.options;
    const presets = el("div", "cmp-presets");
    presets.append(el("span", "cmp-label", "Race"));
    for (const p of PRESETS) {
      if (!presetAvailable(o, p)) continue;
      const b = el("button", "btn cmp-preset", p.label);
      b.type = "button";
      b.dataset.vary = p.vary;
      b.title = `Start a race: ${p.label}`;
      b.addEventListener("click", () => this.start({ vary: p.vary, values: [...p.values], ...(p.reg_rate != null ? { reg_rate: p.reg_rate } : {}) }));
      presets.append(b);
    }
    const custom = el("div", "cmp-custom");
    const varyLabel = el("label", "cmp-field");
    varyLabel.append(el("span", "cmp-label", "or vary"));
    this.vary = el("select");
    this.vary.id = "cmp-vary";
    this.vary.setAttribute("aria-label", "The setting the runs differ in");
    for (const [name, v] of Object.entries(VARIABLES)) { const opt = el("option", null, v.label); opt.value = name; this.vary.append(opt); }
    this.vary.addEventListener("change", () => this.fill(this.vary.value, defaultValues(o, this.vary.value, this.config)));
    varyLabel.append(this.vary);
    custom.append(varyLabel);
    this.slots = [];
    for (let i = 0; i < MAX_RUNS; i++) {
      const slot = el("label", "cmp-field cmp-slot");
      slot.style.setProperty("--run", RUN_COLORS[i]);
      slot.append(el("span", "cmp-key", RUN_KEYS[i]));
      custom.append(slot);
      this.slots.push(slot);
    }
    this.rate = el("input");
    this.rate.type = "number";
    this.rate.min = "0";
    this.rate.step = "any";
    this.rate.id = "cmp-rate";
    this.rateLabel = el("label", "cmp-field");
    this.rateLabel.append(el("span", "cmp-label", "penalty rate"), this.rate);
    custom.append(this.rateLabel);
    const start = el("button", "btn cmp-start", "Start race");
    start.type = "submit";
    start.id = "cmp-start";
    custom.append(start);
    this.error = el("p", "field-error");
    this.error.id = "cmp-error";
    this.error.setAttribute("role", "alert");
    const hint = el("p", "hint", "Each run is a copy of your current network on the same points and the same train/test split, "
      + "starting from the same initial weights (unless the initializer is what you vary). One setting differs; play, step and reset drive all runs, "
      + "and every run gets exactly the same epochs.");
    this.form.replaceChildren(presets, custom, this.error, hint);
    this.form.noValidate = true;   // our message names the field and the range, as the server's do
    this.form.addEventListener("submit", (e) => { e.preventDefault(); this.start(this.read()); });
  }

  /** Prefill from the current configuration (or show a given spec). */
  open(config, spec = null) {
    this.config = config;
    this.showError("");
    const vary = spec?.vary ?? this.vary.value ?? "optimizer";
    this.vary.value = vary;
    this.fill(vary, spec?.values ?? defaultValues(this.options, vary, config), spec?.reg_rate);
  }

  fill(vary, values, regRate) {
    const v = VARIABLES[vary];
    this.slots.forEach((slot, i) => {
      let input;
      if (v.kind === "name") {
        input = el("select");
        if (i === MAX_RUNS - 1) { const none = el("option", null, "— (two runs)"); none.value = NONE; input.append(none); }
        for (const c of choices(this.options, vary)) { const opt = el("option", null, c.label); opt.value = c.name; input.append(opt); }
        input.value = values[i] ?? NONE;
      } else {
        input = el("input");
        input.type = "number";
        input.step = v.integer ? "1" : "any";
        const [lo, hi] = this.options.ranges?.[v.range] || [];
        if (lo != null) { input.min = String(lo); input.max = String(hi); }
        input.value = values[i] != null ? String(values[i]) : "";
        if (i === MAX_RUNS - 1) input.placeholder = "none";
      }
      input.setAttribute("aria-label", `Run ${RUN_KEYS[i]}: ${v.label.toLowerCase()}`);
      input.className = "cmp-value";
      slot.replaceChildren(slot.firstChild, input);
    });
    this.rateLabel.hidden = vary !== "regularization";
    const current = this.config?.reg_rate > 0 ? this.config.reg_rate : DEFAULT_REG_RATE;
    this.rate.value = String(regRate ?? current);
  }

  read() {
    const vary = this.vary.value, numeric = VARIABLES[vary].kind === "number";
    const values = [];
    for (const slot of this.slots) {
      const t = slot.querySelector(".cmp-value").value.trim();
      if (t !== NONE) values.push(numeric ? Number(t) : t);
    }
    const spec = { vary, values };
    if (vary === "regularization") spec.reg_rate = Number(this.rate.value);
    return spec;
  }

  start(spec) {
    let problem = checkSpec(this.options, spec);
    if (!problem && spec.vary === "regularization" && !(spec.reg_rate > 0)) problem = "give a penalty rate above 0 (at 0 every penalty does nothing)";
    if (problem) return this.showError(`Cannot start: ${problem}.`);
    this.showError("");
    this.onStart(spec);
  }

  showError(text) { this.error.textContent = text; }
}
