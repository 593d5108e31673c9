// Controls built from GET /api/options: a new dataset, activation, optimizer... on the server shows
// up here with no front-end change. Controls only emit patches ({field: value}); the session sends
// them and calls sync(config) with the server's normalised answer, the single source of truth.
//
// Rules kept here:
// - which fields restart training comes from /api/options `fields` (data and network restart,
//   live fields apply live); such controls carry the ↺ mark before they are used;
// - dependent fields are changed together, so the page never sends a combination the server
//   refuses: a loss brings an output it can train, a problem type a dataset that has it;
// - a number field refuses text that is not a number and shows the server's value afterwards.

import { fieldLabel, setLabel } from "./field-labels.js";
import { element } from "./dom.js";

// The menus' steps (TensorFlow Playground's); only those within /api/options `ranges` are offered.
const LR_VALUES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_RATES = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
// What "Basic" hides (TensorFlow Playground has everything else); the weights panel says so itself.
export const ADVANCED_FIELDS = ["loss", "output_activation", "optimizer", "optimizer_params", "schedule", "schedule_params", "init", "seed", "clip_norm"];

/** The steps of a menu within the served range [lo, hi], and `current` (the server's value, so
 * within it) in its place when it is not one of them. */
function menuValues(steps, [lo, hi], current) {
  const shown = steps.filter((v) => v >= lo && v <= hi);
  return shown.includes(current) ? shown : [...shown, current].sort((a, b) => a - b);
}

const named = (item) => (typeof item === "string" ? { name: item, label: item } : item);
const fmt = (v) => (typeof v === "number" ? String(+v.toPrecision(6)) : String(v));

function fillSelect(select, items, current) {
  const key = items.map((it) => `${it.name}:${it.label}`).join("|");
  if (select.dataset.items !== key) {
    select.dataset.items = key;
    select.replaceChildren(...items.map((it) => {
      const o = element("option", { value: it.name, text: it.label || it.name });
      if (it.formula) o.title = it.formula;
      return o;
    }));
  }
  if (current != null) select.value = String(current);
}

/** A number typed into an <input type=number>: {value} or {error}. Empty is `empty` (off / not set). */
function readNumber(input, { integer = false, empty = undefined } = {}) {
  const text = input.value.trim();
  if (input.validity.badInput || (text === "" && empty === undefined)) return { error: "Please type a number." };
  if (text === "") return { value: empty };
  const v = Number(text);
  if (!Number.isFinite(v)) return { error: "Please type a number." };
  return { value: integer ? Math.round(v) : v };
}

export class Controls {
  /**
   * options: the /api/options answer. onPatch(patch, field) is called for every user change.
   * handlers: {regenerate, uploadCsv(text), exportCsv}
   */
  constructor(options, onPatch, handlers) {
    this.o = options;
    this.onPatch = onPatch;
    this.h = handlers;
    this.config = null;
    this.data = null;   // {problem, n_classes} of the session's points
    this.limits = options.limits;
    this.datasets = options.datasets.map(named);
    this.features = options.features.map(named);
    this.activations = options.activations.map(named);
    this.hiddenActivations = this.activations.filter((a) => a.hidden !== false);
    this.losses = options.losses.map(named);
    this.optimizers = options.optimizers.map(named);
    this.schedules = options.schedules.map(named);
    this.regs = options.regularizations.map(named);
    this.inits = options.initializers.map(named);
    this.problems = options.problems.map(named);
    this.live = new Set(options.fields.live);
    this.restarting = new Set([...options.fields.data, ...options.fields.network]);
    this._buildHyperbar();
    this._buildData();
    this._buildFeatures();
    this._markRestarts();
  }

  /** The words for a field in messages ("Learning rate", "Noise"): its control's label. */
  label(field) { return fieldLabel(field); }

  /** "Noise → 10 %", "Hidden layers → 4, 2, 2": a change in the learner's words, with the
   * server's value; `before` (the config before it): what changed with it, said too ("Problem
   * type → Regression, and with it Dataset → Plane, Points 500 → 1,200"). */
  describe(patch, field, config, before = null) {
    const main = this._describeOne(patch, field, config);
    const key = field in patch ? field : Object.keys(patch)[0];
    if (!before || !config) return main;
    const along = [];
    const named = (list, name) => list.find((x) => x.name === name)?.label || name;
    if (key !== "dataset" && config.dataset !== before.dataset) along.push(`${this.label("dataset")} → ${named(this.datasets, config.dataset)}`);
    if (key !== "problem" && config.problem !== before.problem) along.push(`${this.label("problem")} → ${named(this.problems, config.problem)}`);
    if (key !== "n_classes" && config.n_classes !== before.n_classes && config.n_classes != null && before.n_classes != null) along.push(`${this.label("n_classes")} ${before.n_classes} → ${config.n_classes}`);
    if (key !== "n_points" && config.n_points !== before.n_points) along.push(`${this.label("n_points")} ${before.n_points.toLocaleString("en-US")} → ${config.n_points.toLocaleString("en-US")}`);
    return along.length ? `${main}, and with it ${along.join(", ")}` : main;
  }

  _describeOne(patch, field, config) {
    const key = field in patch ? field : Object.keys(patch)[0];
    const v = config?.[key] ?? patch[key];
    const named = (list, name) => list.find((x) => x.name === name)?.label || name;
    let text;
    if (key === "dataset") text = named(this.datasets, v);
    else if (key === "features") text = v.map((n) => named(this.features, n)).join(", ");
    else if (key === "problem") text = named(this.problems, v);
    else if (["activation", "output_activation"].includes(key)) text = named(this.activations, v);
    else if (key === "loss") text = named(this.losses, v);
    else if (key === "noise" || key === "train_ratio") text = `${Math.round(v * 100)}%`;
    else if (Array.isArray(v)) text = v.length ? v.join(", ") : "none";
    else if (v && typeof v === "object") text = Object.entries(v).map(([k, x]) => `${k} ${fmt(x)}`).join(", ") || "defaults";
    else text = v == null ? "off" : fmt(v);
    if (key === "optimizer") text = named(this.optimizers, v);
    if (key === "schedule") text = named(this.schedules, v);
    if (key === "regularization") text = named(this.regs, v);
    if (key === "init") text = named(this.inits, v);
    return `${this.label(field)} → ${text}`;
  }

  // ---------- top bar: training settings ----------
  _ctl(name, labelText, input, extraClass = "") {
    input.id = input.id || `ctl-${name}`;
    setLabel(name, labelText);
    const wrap = element("div", { class: `ctl ${extraClass}`, "data-control": name });
    if (ADVANCED_FIELDS.includes(name.split(".")[0])) wrap.dataset.level = "advanced";
    wrap.append(element("label", { for: input.id, text: labelText }), input, element("p", { class: "field-error", role: "alert" }));
    return wrap;
  }

  _buildHyperbar() {
    const bar = document.getElementById("hyperbar");
    const s = (name) => element("select", { name });
    this.problemSel = s("problem");
    fillSelect(this.problemSel, this.problems.map((p) => ({ ...p, label: p.label || p.name })));
    this.lossSel = s("loss");
    this.outSel = s("output_activation");
    this.lrSel = s("learning_rate");
    this.actSel = s("activation");
    fillSelect(this.actSel, this.hiddenActivations);
    this.optSel = s("optimizer");
    fillSelect(this.optSel, this.optimizers);
    this.schedSel = s("schedule");
    fillSelect(this.schedSel, this.schedules);
    this.regSel = s("regularization");
    fillSelect(this.regSel, this.regs);
    this.regRateSel = s("reg_rate");
    this.batchIn = element("input", { type: "number", min: 1, max: this.limits.max_batch, step: 1, name: "batch_size", inputmode: "numeric" });
    this.initSel = s("init");
    fillSelect(this.initSel, this.inits);
    this.seedIn = element("input", { type: "number", min: 0, step: 1, name: "seed", inputmode: "numeric" });
    this.clipIn = element("input", { type: "number", min: 0, step: "any", name: "clip_norm", placeholder: "off", title: "Leave empty (or 0) for no clipping" });
    this.optParams = element("div", { class: "param-group", "data-control": "optimizer_params", "data-level": "advanced" });
    this.schedParams = element("div", { class: "param-group", "data-control": "schedule_params", "data-level": "advanced" });

    const seedWrap = this._ctl("seed", "Seed", this.seedIn, "narrow");
    const dice = element("button", { type: "button", class: "mini-btn", title: "New random seed (new initial weights)", "aria-label": "New random seed", text: "⟳" });
    dice.addEventListener("click", () => this.onPatch({ seed: Math.floor(Math.random() * 1e6) }, "seed"));
    const seedRow = element("div", { class: "seed-row" });
    seedWrap.querySelector("input").replaceWith(seedRow);
    seedRow.append(this.seedIn, dice);

    bar.append(
      this._ctl("learning_rate", "Learning rate", this.lrSel),
      this._ctl("activation", "Activation", this.actSel),
      this._ctl("regularization", "Regularization", this.regSel),
      this._ctl("reg_rate", "Reg. rate", this.regRateSel, "narrow"),
      this._ctl("problem", "Problem type", this.problemSel),
      this._ctl("loss", "Loss", this.lossSel),
      this._ctl("output_activation", "Output", this.outSel),
      this._ctl("batch_size", "Batch size", this.batchIn, "narrow"),
      this._ctl("optimizer", "Optimizer", this.optSel),
      this.optParams,
      this._ctl("schedule", "LR schedule", this.schedSel),
      this.schedParams,
      this._ctl("init", "Initializer", this.initSel),
      seedWrap,
      this._ctl("clip_norm", "Clip grad norm", this.clipIn, "narrow"),
    );

    const onSel = (sel, field, conv = (v) => v) => sel.addEventListener("change", () => this.onPatch({ [field]: conv(sel.value) }, field));
    this.problemSel.addEventListener("change", () => this._pickProblem(this.problemSel.value));
    this.lossSel.addEventListener("change", () => this._pickLoss(this.lossSel.value));
    onSel(this.outSel, "output_activation");
    onSel(this.lrSel, "learning_rate", Number);
    // One activation for every hidden layer clears per-layer choices.
    this.actSel.addEventListener("change", () => this.onPatch({ activation: this.actSel.value, layer_activations: null }, "activation"));
    // A new optimizer or schedule starts from its own defaults (the server completes them).
    this.optSel.addEventListener("change", () => this.onPatch({ optimizer: this.optSel.value, optimizer_params: {} }, "optimizer"));
    this.schedSel.addEventListener("change", () => this.onPatch({ schedule: this.schedSel.value, schedule_params: {} }, "schedule"));
    onSel(this.regSel, "regularization");
    onSel(this.regRateSel, "reg_rate", Number);
    onSel(this.initSel, "init");
    this._numberInput(this.batchIn, "batch_size", { integer: true });
    this._numberInput(this.seedIn, "seed", { integer: true });
    this._numberInput(this.clipIn, "clip_norm", { empty: null });
  }

  /** Send the typed number, or refuse it (message, and the server's value back) — never guess. */
  _numberInput(input, field, opts) {
    input.addEventListener("change", () => {
      const r = readNumber(input, opts);
      if (r.error) {
        this.sync(this.config, field);
        this.showError(field, `${r.error} ${this.label(field)} stays ${this._shown(field)}.`);
        return;
      }
      this.onPatch({ [field]: r.value === 0 && field === "clip_norm" ? null : r.value }, field);
    });
  }

  _shown(field) {
    const v = field.includes(".") ? this.config[field.split(".")[0]][field.split(".")[1]] : this.config[field];
    return v == null ? "off" : fmt(v);
  }

  _paramInputs(container, groupField, items, values, force) {
    // Rebuilt only when the set of parameters changes, so focus is not lost while typing.
    const key = items.map((p) => p.name).join(",");
    if (container.dataset.key !== key) {
      container.dataset.key = key;
      container.replaceChildren(...items.map((p) => {
        const field = `${groupField}.${p.name}`;
        const input = element("input", { type: "number", step: p.integer ? 1 : "any", min: p.min, max: p.max, name: field, title: `${p.name}: ${p.min} … ${p.max} (default ${p.default})` });
        input.addEventListener("change", () => {
          const r = readNumber(input, { integer: p.integer });
          if (r.error) {
            this.sync(this.config, field);
            this.showError(field, `${r.error} ${p.label || p.name} stays ${this._shown(field)}.`);
            return;
          }
          this.onPatch({ [groupField]: { ...this.config[groupField], [p.name]: r.value } }, field);
        });
        return this._ctl(field, p.label || p.name, input, "narrow");
      }));
    }
    for (const p of items) {
      const input = container.querySelector(`[name="${groupField}.${p.name}"]`);
      const v = values?.[p.name] ?? p.default;
      if (input && (force === true || force === `${groupField}.${p.name}` || document.activeElement !== input)) input.value = fmt(v);
    }
  }

  // ---------- data column ----------
  _buildData() {
    const grid = document.getElementById("datasets");
    this.datasetTiles = new Map();
    // The plane sets by problem type, then the real ones (measured data: digits, tables).
    const groups = [["binary", "Two classes"], ["multiclass", "Several classes"], ["regression", "Regression"], ["real", "Real data"]];
    for (const [group, title] of groups) {
      const sets = this.datasets.filter((d) => (group === "real" ? d.kind === "real" : d.problem === group && d.kind !== "real"));
      if (!sets.length) continue;
      grid.append(element("div", { class: "dataset-group-title", text: title }));
      for (const d of sets) this._datasetTile(grid, d);
    }
    // Datasets the grouping missed still get a tile; "custom" (no problem: the learner's own
    // points) is shown only while it is the current dataset.
    for (const d of this.datasets) if (!this.datasetTiles.has(d.name)) this._datasetTile(grid, d);

    const r = this.o.ranges;
    const setBounds = (input, range, k = 1) => { if (range) { input.min = Math.round(range[0] * k); input.max = Math.round(range[1] * k); } };
    this.ratioIn = document.getElementById("train_ratio");
    this.noiseIn = document.getElementById("noise");
    this.classesIn = document.getElementById("n_classes");
    this.pointsIn = document.getElementById("n_points");
    setBounds(this.ratioIn, r.train_ratio, 100);
    setBounds(this.noiseIn, r.noise, 100);
    setBounds(this.classesIn, r.n_classes);
    this.pointsIn.min = Math.max(10, r.n_points[0]);
    this.pointsIn.max = Math.min(this.limits.max_points, 2000);
    const live = (input, out, show) => input.addEventListener("input", () => { document.getElementById(out).textContent = show(Number(input.value)); });
    live(this.ratioIn, "train_ratio-out", (v) => `${v}%`);
    live(this.noiseIn, "noise-out", (v) => `${v}`);
    live(this.classesIn, "n_classes-out", (v) => `${v}`);
    live(this.pointsIn, "n_points-out", (v) => `${v}`);
    this.ratioIn.addEventListener("change", () => this.onPatch({ train_ratio: Number(this.ratioIn.value) / 100 }, "train_ratio"));
    this.noiseIn.addEventListener("change", () => this.onPatch({ noise: Number(this.noiseIn.value) / 100 }, "noise"));
    this.classesIn.addEventListener("change", () => this.onPatch({ n_classes: Number(this.classesIn.value) }, "n_classes"));
    this.pointsIn.addEventListener("change", () => this.onPatch({ n_points: Number(this.pointsIn.value) }, "n_points"));
    document.getElementById("btn-regen").addEventListener("click", () => this.h.regenerate());
    document.getElementById("csv-file").addEventListener("change", async (e) => {
      const file = e.target.files[0];
      if (!file) return;
      const text = await file.text();
      e.target.value = "";
      this.h.uploadCsv(text);
    });
    document.getElementById("btn-export-csv").addEventListener("click", () => this.h.exportCsv());
  }

  _datasetTile(grid, d) {
    const canvas = element("canvas", { width: 64, height: 64, "aria-hidden": "true" });
    const btn = element("button", {
      type: "button", class: "dataset-tile", role: "radio", "aria-checked": "false",
      "data-name": d.name, title: `${d.label}: ${d.description || ""}`, "aria-label": d.label,
    }, canvas, element("span", { text: d.label }));
    // the dataset already chosen: nothing to change, nothing to say
    btn.addEventListener("click", () => { if (d.problem && d.name !== this.config?.dataset) this._pickDataset(d); });
    if (!d.problem) { btn.hidden = true; btn.dataset.ownData = "1"; }
    grid.append(btn);
    this.datasetTiles.set(d.name, { btn, canvas, info: d });
  }

  _pickDataset(d) {
    // The server follows the dataset: its problem type (with that problem's loss and output), its
    // default number of points and classes. Multi-class → multi-class keeps the chosen class count.
    const patch = { dataset: d.name };
    const cur = this.config;
    if (d.problem !== cur.problem) patch.problem = d.problem;
    if (d.problem === "multiclass") {
      patch.n_classes = cur.problem === "multiclass" && d.classes ? Math.min(d.classes[1], Math.max(d.classes[0], cur.n_classes)) : null;
    }
    if (patch.n_classes === null) delete patch.n_classes;
    this.onPatch(patch, "dataset");
  }

  /** A problem type comes with data that has it: the first such dataset (regression → plane),
   * unless the current data already is of that type; your own points stay (see problemChoices). */
  _pickProblem(problem) {
    const cur = this.config;
    const kind = this.datasetInfo(cur.dataset)?.problem;
    if (cur.dataset === "custom" || kind === problem) return this.onPatch({ problem }, "problem");
    const d = this.datasets.find((x) => x.problem === problem);
    this.onPatch({ dataset: d.name, problem }, "problem");
  }

  /** A loss comes with an output it can train (hinge: linear or tanh, not the sigmoid). */
  _pickLoss(loss) {
    const patch = { loss };
    const outs = this.outputChoices(this.config.problem, loss);
    if (!outs.some((a) => a.name === this.config.output_activation)) patch.output_activation = outs[0].name;
    this.onPatch(patch, "loss");
  }

  /** Outputs a loss can train for a problem type: the loss's own list; softmax only for several
   * classes (the server's rule; /api/options does not list problems per activation). */
  outputChoices(problem, lossName) {
    const loss = this.losses.find((l) => l.name === lossName);
    return this.activations.filter((a) => (!loss?.outputs?.length || loss.outputs.includes(a.name)) && (a.name !== "softmax" || problem === "multiclass"));
  }

  /** Problem types your own points allow (labels 0/1 can be anything; class ids only classes;
   * values only regression); built-in datasets allow every type (the dataset follows). */
  problemChoices() {
    if (this.config?.dataset !== "custom" || !this.data) return this.problems.map((p) => p.name);
    const k = this.data.problem;
    if (k === "regression") return ["regression"];
    if (k === "multiclass") return this.data.n_classes === 2 ? ["multiclass", "binary"] : ["multiclass"];
    return this.problems.map((p) => p.name);
  }

  datasetInfo(name) { return this.datasetTiles.get(name)?.info; }

  // ---------- features ----------
  _buildFeatures() {
    const box = document.getElementById("features");
    this.featureTiles = new Map();
    for (const f of this.features) {
      const canvas = element("canvas", { width: 25, height: 25, "aria-hidden": "true" });
      const btn = element("button", {
        type: "button", class: "feature-tile", "aria-pressed": "false", "data-name": f.name,
        title: f.formula ? `${f.label} = ${f.formula}` : f.label, "aria-label": `feature ${f.label}`,
      }, canvas, element("span", { text: f.label }));
      btn.addEventListener("click", () => this.toggleFeature(f.name));
      box.append(btn);
      this.featureTiles.set(f.name, { btn, canvas });
    }
  }

  /** Switch one input feature on or off (the tiles and the diagram's input column). */
  toggleFeature(name) {
    const cur = new Set(this.config.features);
    if (cur.has(name)) cur.delete(name); else cur.add(name);
    if (!cur.size) { this.showError("features", "Keep at least one feature."); return; }
    this.onPatch({ features: this.features.map((x) => x.name).filter((n) => cur.has(n)) }, "features");
  }

  /** ↺ on every control whose field restarts training (from /api/options `fields`). */
  _markRestarts() {
    for (const node of document.querySelectorAll("[data-control]")) {
      const field = node.dataset.control.split(".")[0];
      if (this.restarting.has(field)) node.classList.add("restarts");
    }
    document.querySelector(".net-head")?.classList.add("restarts");
    document.querySelector("#features")?.closest(".panel")?.querySelector(".hint")?.classList.add("feed");
  }

  // ---------- sync from the server's config ----------
  /** Show `config`. force: true (every field) or a field name: that field shows the server's
   * value even while it has the focus (after the learner changed it). */
  sync(config, force = false, data = this.data) {
    this.config = config;
    this.data = data;
    const typing = (input, field) => force !== true && force !== field && document.activeElement === input;
    const problem = config.problem;
    fillSelect(this.problemSel, this.problems.map((p) => ({ ...p, label: p.label || p.name })), problem);
    const allowed = new Set(this.problemChoices());
    for (const o of this.problemSel.options) o.disabled = !allowed.has(o.value);
    fillSelect(this.lossSel, this.losses.filter((l) => !l.problems || l.problems.includes(problem)), config.loss);
    fillSelect(this.outSel, this.outputChoices(problem, config.loss), config.output_activation);
    const lrs = menuValues(LR_VALUES, this.o.ranges.learning_rate, config.learning_rate);
    fillSelect(this.lrSel, lrs.map((v) => ({ name: String(v), label: fmt(v) })), config.learning_rate);
    const rates = menuValues(REG_RATES, this.o.ranges.reg_rate, config.reg_rate);
    fillSelect(this.regRateSel, rates.map((v) => ({ name: String(v), label: fmt(v) })), config.reg_rate);
    this.regRateSel.disabled = config.regularization === "none";
    this.actSel.value = config.activation;
    this.actSel.title = config.layer_activations ? "Layers have their own activations (set below each layer)" : "";
    this.optSel.value = config.optimizer;
    this.schedSel.value = config.schedule;
    this.regSel.value = config.regularization;
    this.initSel.value = config.init;
    if (!typing(this.batchIn, "batch_size")) this.batchIn.value = config.batch_size;
    if (!typing(this.seedIn, "seed")) this.seedIn.value = config.seed;
    if (!typing(this.clipIn, "clip_norm")) this.clipIn.value = config.clip_norm == null ? "" : fmt(config.clip_norm);
    const opt = this.optimizers.find((o) => o.name === config.optimizer);
    this._paramInputs(this.optParams, "optimizer_params", opt?.params || [], config.optimizer_params, force);
    const sched = this.schedules.find((o) => o.name === config.schedule);
    this._paramInputs(this.schedParams, "schedule_params", sched?.params || [], config.schedule_params, force);

    // data
    for (const [name, t] of this.datasetTiles) {
      const on = name === config.dataset;
      if (t.btn.dataset.ownData) t.btn.hidden = !on;
      t.btn.classList.toggle("selected", on);
      t.btn.setAttribute("aria-checked", String(on));
    }
    const info = this.datasetInfo(config.dataset);
    const custom = config.dataset === "custom";
    const setRange = (input, out, value, text) => { input.value = value; document.getElementById(out).textContent = text; };
    setRange(this.ratioIn, "train_ratio-out", Math.round(config.train_ratio * 100), `${Math.round(config.train_ratio * 100)}%`);
    setRange(this.noiseIn, "noise-out", Math.round(config.noise * 100), `${Math.round(config.noise * 100)}`);
    setRange(this.pointsIn, "n_points-out", config.n_points, `${config.n_points}`);
    // Your own points, or a real set's: their count and noise are what they are (your points are
    // added and removed by clicks; a real set's are measured).
    const fixed = custom || info?.kind === "real";
    for (const input of [this.noiseIn, this.pointsIn]) { input.disabled = fixed; input.closest(".field").classList.toggle("disabled", fixed); }
    const range = info?.classes;
    const adjustable = config.problem === "multiclass" && range && range[1] > range[0];
    document.getElementById("field-classes").classList.toggle("disabled", !adjustable);
    this.classesIn.disabled = !adjustable;
    if (range) { this.classesIn.min = range[0]; this.classesIn.max = range[1]; }
    setRange(this.classesIn, "n_classes-out", config.n_classes ?? 0, config.n_classes == null ? "–" : `${config.n_classes}`);

    // features
    const active = new Set(config.features);
    for (const [name, t] of this.featureTiles) {
      t.btn.classList.toggle("active", active.has(name));
      t.btn.setAttribute("aria-pressed", String(active.has(name)));
    }
  }

  /** Show an error next to its control (or return false if no control matches). */
  showError(field, message) {
    this.clearErrors();
    if (!field) return false;
    const top = field.split(".")[0].replace(/\[\d+\]$/, "");
    let node = document.querySelector(`[data-control="${CSS.escape(field)}"] .field-error`)
      || document.querySelector(`[data-control="${CSS.escape(top)}"] .field-error`);
    if (!node && ["dataset", "noise", "train_ratio", "n_points", "n_classes", "data_seed", "points", "csv"].includes(top)) node = document.getElementById("data-error");
    if (!node && top === "features") node = document.getElementById("features-error");
    if (!node && ["hidden_layers", "layer_activations"].includes(top)) node = document.getElementById("net-error");
    if (!node) return false;
    node.textContent = message;
    node.closest("[data-control]")?.classList.add("has-error");
    return true;
  }

  clearErrors() {
    for (const n of document.querySelectorAll(".field-error")) n.textContent = "";
    for (const n of document.querySelectorAll(".has-error")) n.classList.remove("has-error");
  }
}
