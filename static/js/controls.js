// Controls built from GET /api/options: a new dataset, activation, optimizer... on the server shows up
// here with no front-end change. Controls only emit patches ({field: value}); main.js sends them and
// calls sync(config) with the server's normalised answer, which is the single source of truth.

const LR_VALUES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_RATES = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];

const named = (item) => (typeof item === "string" ? { name: item, label: item } : item);
const fmt = (v) => (typeof v === "number" ? String(+v.toPrecision(6)) : String(v));

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

function fillSelect(select, items, current) {
  select.replaceChildren(...items.map((it) => {
    const o = el("option", { value: it.name, text: it.label || it.name });
    if (it.formula) o.title = it.formula;
    return o;
  }));
  if (current != null) select.value = current;
}

export class Controls {
  /**
   * options: the /api/options answer. onPatch(patch, field) is called for every user change.
   * handlers: {regenerate, uploadCsv(text), exportCsv, drawDatasetThumbs}
   */
  constructor(options, onPatch, handlers) {
    this.o = options;
    this.onPatch = onPatch;
    this.h = handlers;
    this.config = null;
    this.limits = options.limits || {};
    this.datasets = (options.datasets || []).map(named);
    this.features = (options.features || []).map(named);
    this.activations = (options.activations || []).map(named);
    this.hiddenActivations = this.activations.filter((a) => a.hidden !== false);
    this.losses = (options.losses || []).map(named);
    this.optimizers = (options.optimizers || []).map(named);
    this.schedules = (options.schedules || []).map(named);
    this.regs = (options.regularizations || options.regularizers || []).map(named);
    this.inits = (options.initializers || []).map(named);
    this.problems = (options.problems || ["binary", "multiclass", "regression"]).map(named);
    this.live = new Set(options.live_fields || []);
    this._buildHyperbar();
    this._buildData();
    this._buildFeatures();
  }

  // ---------- top "hyperbar": training settings ----------
  _ctl(name, labelText, input, extraClass = "") {
    const id = `ctl-${name}`;
    input.id = input.id || id;
    const wrap = el("div", { class: `ctl ${extraClass}`, "data-control": name });
    wrap.append(el("label", { for: input.id, text: labelText }), input, el("p", { class: "field-error", role: "alert" }));
    return wrap;
  }

  _buildHyperbar() {
    const bar = document.getElementById("hyperbar");
    const s = (name) => el("select", { name });
    this.problemSel = s("problem");
    fillSelect(this.problemSel, this.problems.map((p) => ({ ...p, label: p.label || cap(p.name) })));
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
    fillSelect(this.regSel, this.regs.map((r) => ({ ...r, label: r.label || (r.name === "none" ? "None" : r.name.toUpperCase()) })));
    this.regRateSel = s("reg_rate");
    this.batchIn = el("input", { type: "number", min: 1, max: this.limits.max_batch || 512, step: 1, name: "batch_size", inputmode: "numeric" });
    this.initSel = s("init");
    fillSelect(this.initSel, this.inits);
    this.seedIn = el("input", { type: "number", min: 0, step: 1, name: "seed", inputmode: "numeric" });
    this.clipIn = el("input", { type: "number", min: 0, step: "any", name: "clip_norm", placeholder: "off" });

    this.optParams = el("div", { class: "param-group", "data-control": "optimizer_params" });
    this.schedParams = el("div", { class: "param-group", "data-control": "schedule_params" });

    const seedWrap = this._ctl("seed", "Seed", this.seedIn, "narrow");
    const dice = el("button", { type: "button", class: "mini-btn", title: "New random seed (new initial weights)", "aria-label": "New random seed", text: "⟳" });
    dice.addEventListener("click", () => this.onPatch({ seed: Math.floor(Math.random() * 1e6) }, "seed"));
    const seedRow = el("div", { class: "seed-row" });
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
    onSel(this.problemSel, "problem");
    onSel(this.lossSel, "loss");
    onSel(this.outSel, "output_activation");
    onSel(this.lrSel, "learning_rate", Number);
    // One activation for every hidden layer clears per-layer choices.
    this.actSel.addEventListener("change", () => this.onPatch({ activation: this.actSel.value, layer_activations: null }, "activation"));
    this.optSel.addEventListener("change", () => {
      // Switching optimizer: its own defaults (the server completes missing params).
      this.onPatch({ optimizer: this.optSel.value, optimizer_params: {} }, "optimizer");
    });
    this.schedSel.addEventListener("change", () => this.onPatch({ schedule: this.schedSel.value, schedule_params: {} }, "schedule"));
    onSel(this.regSel, "regularization");
    onSel(this.regRateSel, "reg_rate", Number);
    onSel(this.initSel, "init");
    this._numberInput(this.batchIn, "batch_size", true);
    this._numberInput(this.seedIn, "seed", true);
    this.clipIn.addEventListener("change", () => {
      const v = this.clipIn.value.trim();
      this.onPatch({ clip_norm: v === "" || Number(v) === 0 ? null : Number(v) }, "clip_norm");
    });
  }

  _numberInput(input, field, integer) {
    input.addEventListener("change", () => {
      const v = input.value.trim();
      if (v === "" || !Number.isFinite(Number(v))) {
        this.showError(field, "Please type a number.");
        return;
      }
      this.onPatch({ [field]: integer ? Math.round(Number(v)) : Number(v) }, field);
    });
  }

  _paramInputs(container, groupField, items, values) {
    // Rebuilt only when the set of parameters changes, so focus is not lost while typing.
    const key = items.map((p) => p.name).join(",");
    if (container.dataset.key !== key) {
      container.dataset.key = key;
      container.replaceChildren(...items.map((p) => {
        const input = el("input", {
          type: "number", step: p.integer ? 1 : "any", min: p.min, max: p.max, name: `${groupField}.${p.name}`,
          title: `${p.name}: ${p.min} … ${p.max} (default ${p.default})`,
        });
        input.addEventListener("change", () => {
          const v = Number(input.value);
          if (input.value.trim() === "" || !Number.isFinite(v)) { this.showError(`${groupField}.${p.name}`, "Please type a number."); return; }
          this.onPatch({ [groupField]: { ...(this.config?.[groupField] || {}), [p.name]: v } }, `${groupField}.${p.name}`);
        });
        return this._ctl(`${groupField}.${p.name}`, p.label || p.name, input, "narrow");
      }));
    }
    for (const p of items) {
      const input = container.querySelector(`[name="${groupField}.${p.name}"]`);
      const v = values?.[p.name] ?? p.default;
      if (input && (this.force || document.activeElement !== input)) input.value = fmt(v);
    }
  }

  // ---------- data column ----------
  _buildData() {
    const grid = document.getElementById("datasets");
    this.datasetTiles = new Map();
    const groups = [["binary", "Two classes"], ["multiclass", "Several classes"], ["regression", "Regression"]];
    for (const [problem, title] of groups) {
      const sets = this.datasets.filter((d) => d.problem === problem);
      if (!sets.length) continue;
      grid.append(el("div", { class: "dataset-group-title", text: title }));
      for (const d of sets) {
        const canvas = el("canvas", { width: 64, height: 64, "aria-hidden": "true" });
        const btn = el("button", {
          type: "button", class: "dataset-tile", role: "radio", "aria-checked": "false",
          "data-name": d.name, title: `${d.label}: ${d.description || ""}`, "aria-label": d.label,
        }, canvas, el("span", { text: d.label }));
        btn.addEventListener("click", () => this._pickDataset(d));
        grid.append(btn);
        this.datasetTiles.set(d.name, { btn, canvas, info: d });
      }
    }
    // Datasets the grouping missed still get a tile; "custom" (no problem: the learner's own points)
    // is shown only while it is the current dataset.
    for (const d of this.datasets) if (!this.datasetTiles.has(d.name)) {
      const canvas = el("canvas", { width: 64, height: 64 });
      const btn = el("button", { type: "button", class: "dataset-tile", role: "radio", "data-name": d.name, "aria-label": d.label }, canvas, el("span", { text: d.label }));
      btn.addEventListener("click", () => { if (d.problem) this._pickDataset(d); });
      if (!d.problem) { btn.hidden = true; btn.dataset.ownData = "1"; }
      grid.append(btn);
      this.datasetTiles.set(d.name, { btn, canvas, info: d });
    }

    const r = this.o.ranges || {};
    const setBounds = (input, range, k = 1) => { if (range) { input.min = Math.round(range[0] * k); input.max = Math.round(range[1] * k); } };
    this.ratioIn = document.getElementById("train_ratio");
    this.noiseIn = document.getElementById("noise");
    this.classesIn = document.getElementById("n_classes");
    this.pointsIn = document.getElementById("n_points");
    setBounds(this.ratioIn, r.train_ratio, 100);
    setBounds(this.noiseIn, r.noise, 100);
    setBounds(this.classesIn, r.n_classes);
    this.pointsIn.min = Math.max(10, r.n_points?.[0] ?? 10);
    this.pointsIn.max = Math.min(this.limits.max_points || 5000, 2000);
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

  _pickDataset(d) {
    // The server follows the dataset: its problem type (with that problem's loss and output), its
    // default number of points and classes. Multi-class → multi-class keeps the chosen class count.
    const patch = { dataset: d.name };
    const cur = this.config;
    if (cur && d.problem && d.problem !== cur.problem) patch.problem = d.problem;
    if (d.problem === "multiclass") {
      if (cur?.problem === "multiclass" && d.classes) patch.n_classes = Math.min(d.classes[1], Math.max(d.classes[0], cur.n_classes));
      else patch.n_classes = null;
    }
    this.onPatch(patch, "dataset");
  }

  datasetInfo(name) { return this.datasetTiles.get(name)?.info; }

  // ---------- features ----------
  _buildFeatures() {
    const box = document.getElementById("features");
    this.featureTiles = new Map();
    for (const f of this.features) {
      const canvas = el("canvas", { width: 25, height: 25, "aria-hidden": "true" });
      const btn = el("button", {
        type: "button", class: "feature-tile", "aria-pressed": "false", "data-name": f.name,
        title: f.formula ? `${f.label} = ${f.formula}` : f.label, "aria-label": `feature ${f.label}`,
      }, canvas, el("span", { text: f.label }));
      btn.addEventListener("click", () => {
        const cur = new Set(this.config.features);
        if (cur.has(f.name)) cur.delete(f.name); else cur.add(f.name);
        if (!cur.size) { this.showError("features", "Keep at least one feature."); return; }
        this.onPatch({ features: this.features.map((x) => x.name).filter((n) => cur.has(n)) }, "features");
      });
      box.append(btn);
      this.featureTiles.set(f.name, { btn, canvas });
    }
  }

  // ---------- sync from the server's config ----------
  sync(config, force = false) {
    this.config = config;
    this.force = force;
    const problem = config.problem;
    this.problemSel.value = problem;
    fillSelect(this.lossSel, this.losses.filter((l) => !l.problems || l.problems.includes(problem)), config.loss);
    const outs = this.activations.filter((a) => {
      const loss = this.losses.find((l) => l.name === config.loss);
      return !loss || !loss.outputs || !loss.outputs.length || loss.outputs.includes(a.name);
    });
    fillSelect(this.outSel, outs, config.output_activation);
    const lrs = LR_VALUES.includes(config.learning_rate) ? LR_VALUES : [...LR_VALUES, config.learning_rate].sort((a, b) => a - b);
    fillSelect(this.lrSel, lrs.map((v) => ({ name: String(v), label: fmt(v) })), String(config.learning_rate));
    const rates = REG_RATES.includes(config.reg_rate) ? REG_RATES : [...REG_RATES, config.reg_rate].sort((a, b) => a - b);
    fillSelect(this.regRateSel, rates.map((v) => ({ name: String(v), label: fmt(v) })), String(config.reg_rate));
    this.regRateSel.disabled = config.regularization === "none";
    const uniform = !config.layer_activations;
    this.actSel.value = uniform ? config.activation : config.activation;
    this.actSel.title = uniform ? "" : "Layers have their own activations (set below each layer)";
    this.optSel.value = config.optimizer;
    this.schedSel.value = config.schedule;
    this.regSel.value = config.regularization;
    this.initSel.value = config.init;
    const typing = (input) => !force && document.activeElement === input;
    if (!typing(this.batchIn)) this.batchIn.value = config.batch_size;
    if (!typing(this.seedIn)) this.seedIn.value = config.seed;
    if (!typing(this.clipIn)) this.clipIn.value = config.clip_norm == null ? "" : fmt(config.clip_norm);
    const opt = this.optimizers.find((o) => o.name === config.optimizer);
    this._paramInputs(this.optParams, "optimizer_params", opt?.params || [], config.optimizer_params);
    const sched = this.schedules.find((o) => o.name === config.schedule);
    this._paramInputs(this.schedParams, "schedule_params", sched?.params || [], config.schedule_params);

    // data
    for (const [name, t] of this.datasetTiles) {
      const on = name === config.dataset;
      if (t.btn.dataset.ownData) t.btn.hidden = !on;
      t.btn.classList.toggle("selected", on);
      t.btn.setAttribute("aria-checked", String(on));
    }
    const info = this.datasetInfo(config.dataset);
    const setRange = (input, out, value, text) => { input.value = value; document.getElementById(out).textContent = text; };
    setRange(this.ratioIn, "train_ratio-out", Math.round(config.train_ratio * 100), `${Math.round(config.train_ratio * 100)}%`);
    setRange(this.noiseIn, "noise-out", Math.round(config.noise * 100), `${Math.round(config.noise * 100)}`);
    setRange(this.pointsIn, "n_points-out", config.n_points, `${config.n_points}`);
    const classField = document.getElementById("field-classes");
    const range = info?.classes;
    const adjustable = config.problem === "multiclass" && range && range[1] > range[0];
    classField.classList.toggle("disabled", !adjustable);
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

  /** Show an API error next to its control (or return false if no control matches). */
  showError(field, message) {
    this.clearErrors();
    if (!field) return false;
    let node = document.querySelector(`[data-control="${CSS.escape(field)}"] .field-error`);
    if (!node) node = document.querySelector(`[data-control="${CSS.escape(field.split(".")[0])}"] .field-error`);
    if (!node && ["dataset", "noise", "train_ratio", "n_points", "n_classes", "data_seed", "points", "csv"].includes(field.split(".")[0])) node = document.getElementById("data-error");
    if (!node && field.startsWith("features")) node = document.getElementById("features-error");
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

function cap(s) { return s.charAt(0).toUpperCase() + s.slice(1).replace("multiclass", "multi-class"); }
