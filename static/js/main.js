// The playground page: boots from /api/options, keeps one server session, and runs the live loop.
//
// Loop: requestAnimationFrame drives everything. At most ONE step request is in flight; its answer is
// decoded when it arrives and drawn at the next animation frame (Plotly.react, never new plots).
// Pausing stops sending at once; a slow frame never queues more work behind it. In turbo ("max") the
// next request leaves as soon as the previous answer arrives (the server trains while we draw).
// Mutations (PATCH, reset, data) wait for the in-flight step, so answers are never applied out of order.

import { api, ApiError } from "./api.js";
import { decode } from "./codec.js";
import { paintDiverging } from "./colors.js";
import { Controls } from "./controls.js";
import { BoundaryPlot } from "./boundary.js";
import { History, drawCurves, drawGradNorms } from "./charts.js";
import { NetworkDiagram, mapScaling, outputScaling } from "./network.js";
import { WeightsView } from "./weights.js";
import { ConfusionView } from "./confusion.js";
import { TransformedView } from "./transformed.js";
import { encodeHash, decodeHash, hiddenControls } from "./share.js";
import { drawPointsThumb } from "./thumbs.js";
import { Stepper } from "./stepper.js";
import { buildDrawModes, buildLayerControls, download, fmtEpoch, renderLegend, renderWeightLegend, toast } from "./panels.js";

const SPEEDS = [1, 2, 5, 10, 25, 50, 100, 250, "max"];
const TURBO = { epochs: 100000, max_ms: 18 };  // ~18 ms of training per answer: > 30 redraws/s and ≥ 600 epochs/s
const NEURON_RES = 25;
const $ = (id) => document.getElementById(id);

const state = {
  options: null, config: null, id: null, data: null, labelScale: 1,
  running: false, inFlight: null, busy: 0, chain: Promise.resolve(),
  epoch: 0, steps: 0, status: "ok", reason: null, metrics: {},
  frame: null, dirty: false, history: new History(), historyDrawn: -1,
  speed: 1, stopAt: null, showTest: false, discretize: false, logLoss: false, hoverNeuron: null,
  visible: { boundary: true, network: true, weights: true, charts: true, confusion: true, transformed: false },
  trOnScreen: false, trDrawnAt: 0,  // transformed-space panel: section in view; last Plotly redraw
  snapSeq: 0,  // counts applied snapshots: a confusion matrix from an older one is shown faded
  perf: { redraws: 0, requests: 0, epochSamples: [], drawSamples: [], lastDrawMs: 0 },
  ready: false, errors: [],
};

// A read-only window onto the page for tests and the benchmark.
window.playground = {
  get state() { return state; },
  get ready() { return state.ready; },
  get epoch() { return state.epoch; },
  get running() { return state.running; },
  get config() { return state.config; },
  get sessionId() { return state.id; },
  get metrics() { return state.metrics; },
  get status() { return { status: state.status, reason: state.reason }; },
  get redraws() { return state.perf.redraws; },
  get frame() { return state.frame; },
};

let controls, boundary, diagram, weightsView, confusionView, transformedView, stepper;

// ---------------------------------------------------------------- boot
async function boot() {
  try {
    state.options = await api.options();
  } catch (err) {
    toast(`Could not load the playground options: ${err.describe ? err.describe() : err.message}`, "error", 0);
    return;
  }
  const o = state.options;
  controls = new Controls(o, (patch, field) => patchConfig(patch, field), {
    regenerate: () => dataAction({ action: "regenerate" }, "Regenerated the data (network kept)."),
    uploadCsv: (csv) => dataAction({ action: "replace", csv }, "Your points are loaded."),
    exportCsv: () => download(`/api/sessions/${state.id}/data.csv`, "points.csv"),
  });
  stepper = new Stepper(onStepAnswer, onStepError);
  boundary = new BoundaryPlot($("boundary"), $("boundary-hover"));
  diagram = new NetworkDiagram($("network"), {
    onNeuronHover: (n) => { state.hoverNeuron = n; state.dirty = true; if (!state.running) render(); },
    onEdit: editWeight,
    onNote: (text) => { $("net-note").textContent = text; },
  });
  weightsView = new WeightsView($("weights"), $("w-tip"), (target, x, y) => diagram.openEditor(target, x, y));
  confusionView = new ConfusionView($("confusion"));
  transformedView = new TransformedView($("transformed-plot"), $("tr-label"), $("tr-note"), $("btn-tr-next"));
  buildRunControls();
  applyHidden();
  watchVisibility();

  const { config: fromUrl, view } = decodeHash(location.hash, o.defaults || {});
  if (view.show_test != null) state.showTest = !!view.show_test;
  if (view.discretize != null) state.discretize = !!view.discretize;
  if (view.log_loss != null) state.logLoss = !!view.log_loss;
  if (view.speed != null) state.speed = view.speed === "max" ? "max" : Number(view.speed) || 1;
  $("show-test").checked = state.showTest;
  $("discretize").checked = state.discretize;
  $("log-loss").checked = state.logLoss;
  $("speed").value = String(state.speed);
  if (view.stop_at > 0) { state.stopAt = Math.floor(view.stop_at); $("stop-at").value = state.stopAt; }
  boundary.showTest = state.showTest;

  let created;
  try {
    created = await api.create({ ...fromUrl, snapshot: snapOpts(0) });
  } catch (err) {
    if (Object.keys(fromUrl).length) {
      toast(`The link's settings were not accepted (${describe(err)}); starting from the defaults.`, "error", 8000);
      created = await api.create({ snapshot: snapOpts(0) });
    } else {
      toast(`Could not start a session: ${describe(err)}`, "error", 0);
      return;
    }
  }
  state.id = created.id;
  applyConfig(created.config, true);
  applyData(created.data);
  applySnapshot(created.snapshot);
  render();
  state.ready = true;
  document.body.classList.add("ready");
  requestAnimationFrame(tick);
  loadDatasetPreviews();
  drawFeaturePreviews();
  // Free the server's session when the learner leaves (keepalive lets the request outlive the page).
  window.addEventListener("pagehide", () => { if (state.id) fetch(`/api/sessions/${state.id}`, { method: "DELETE", keepalive: true }).catch(() => {}); });
}

// ---------------------------------------------------------------- snapshot options
/** view: false for requests that may change the network (a new session, a rebuilding PATCH), whose
 * answer a transformed-space selection of the old network might not fit. */
function snapOpts(since, { view = true } = {}) {
  const v = state.visible;
  const opts = {
    grid: v.boundary || v.network,
    resolution: 100,
    neurons: v.network || state.hoverNeuron != null,
    neuron_resolution: NEURON_RES,
    weights: v.network || v.weights,
    history: true,
    history_since: since,
    // Asked for while the panel is on screen; also under regression, where the panel is hidden but
    // the server sends none anyway, so the answer that switches to classes already brings it.
    confusion: !state.hidden?.has("confusion") && (v.confusion || state.config?.problem === "regression"),
  };
  // The transformed space only while its panel is open and on screen (absent otherwise: the
  // default step body stays as it was).
  const sel = transformedView?.selection();
  if (view && v.transformed && sel && !state.hidden?.has("transformed")) opts.transformed = { layer: sel.layer, neurons: [...sel.neurons] };
  return opts;
}

const nextSince = () => state.history.lastEpoch + 1;

// ---------------------------------------------------------------- the loop
function tick() {
  requestAnimationFrame(tick);
  if (state.running && !state.inFlight && !state.busy) sendStep();
  if (state.dirty) render();
}

function sendStep(epochs) {
  // "Stop at epoch N": never train past N, and pause on reaching it.
  const left = state.stopAt ? state.stopAt - state.epoch : Infinity;
  if (epochs == null && left <= 0) { setRunning(false); toast(`Stopped at epoch ${state.stopAt}.`, "info", 2000); return Promise.resolve(); }
  const turbo = epochs == null && state.speed === "max";
  const body = turbo ? { ...TURBO } : { epochs: epochs ?? state.speed, max_ms: 100 };
  if (epochs == null && Number.isFinite(left)) body.epochs = Math.min(body.epochs, left);
  body.snapshot = snapOpts(nextSince());
  state.perf.requests++;
  // Turbo chains: the loop (in a worker) sends the next request as soon as an answer lands, so the
  // server keeps training while the page draws; pause or any change stops the chain.
  stepper.request(state.id, body, turbo, turbo ? state.stopAt : null);
  state.inFlight = true;
  return stepper.idle();
}

function onStepAnswer(id, res) {
  state.inFlight = stepper.pending;
  if (id !== state.id) return;
  applySnapshot(res.snapshot);
  if (state.stopAt && state.epoch >= state.stopAt && state.running) { setRunning(false); toast(`Stopped at epoch ${state.stopAt}.`, "info", 2000); }
}

function onStepError(id, err) {
  state.inFlight = stepper.pending;
  if (state.running) setRunning(false);
  if (id !== state.id && id != null) return;
  if (err instanceof ApiError && err.status === 404) { recoverSession(); return; }
  toast(`Training step failed: ${describe(err)}`, "error");
}

function setRunning(on) {
  if (on && state.status === "diverged") { toast("Training diverged: reset first.", "error"); on = false; }
  state.running = on;
  if (!on && stepper) stepper.stopChain();
  const btn = $("btn-play");
  btn.classList.toggle("playing", on);
  btn.setAttribute("aria-pressed", String(on));
  btn.setAttribute("aria-label", on ? "Pause" : "Play");
  if (!on) state.perf.epochSamples = [];
}

/** Run fn after the in-flight step has landed, one mutation at a time. */
function exclusive(fn) {
  state.busy++;
  const run = async () => {
    try {
      stepper.stopChain();
      await stepper.idle();
      return await fn();
    } finally {
      state.busy--;
    }
  };
  const p = state.chain.then(run, run);
  state.chain = p.catch(() => {});
  return p;
}

// ---------------------------------------------------------------- applying server answers
function applyConfig(config, rebuild) {
  state.config = config;
  controls.sync(config);
  controls.clearErrors();
  const n = config.hidden_layers.length;
  $("n-hidden").textContent = n === 1 ? "1" : String(n);
  $("h-net").lastChild.textContent = n === 1 ? " hidden layer" : " hidden layers";
  buildLayers(config);
  buildDrawModes($("draw-mode"), config);
  $("confusion").classList.toggle("no-classes", config.problem === "regression");
  if (transformedView.setLayers(config.hidden_layers) && state.frame) state.frame.transformed = null;  // of the old network
  updateUrl();
  if (rebuild) diagram.closeEditor();
}

function applyData(data) {
  if (!data) return;
  const split = (rows) => {
    const x = new Float64Array(rows.length), y = new Float64Array(rows.length);
    const label = new Float64Array(rows.length);
    rows.forEach((r, i) => { x[i] = r[0]; y[i] = r[1]; label[i] = r[2]; });
    return { x: Array.from(x), y: Array.from(y), label: Array.from(label) };
  };
  state.data = { train: split(data.train || []), test: split(data.test || []), problem: data.problem, n_classes: data.n_classes };
  const problem = data.problem || state.config.problem;
  let m = 0;
  if (problem === "regression") for (const v of state.data.train.label) m = Math.max(m, Math.abs(v));
  state.labelScale = m > 0 ? m : 1;
  boundary.setPoints(state.data, problem, state.labelScale);
  transformedView.setData(state.data, problem, state.labelScale);
  const tile = controls.datasetTiles.get(state.config.dataset);
  if (tile && state.config.dataset !== "custom") drawPointsThumb(tile.canvas, data, problem);
  state.dirty = true;
}

function applySnapshot(s) {
  if (!s) return;
  state.epoch = s.epoch;
  state.steps = s.steps;
  state.metrics = s.metrics || {};
  state.lastTiming = s.timing;
  if (s.history) state.history.merge(s.history);
  const prevStatus = state.status;
  state.status = s.status;
  state.reason = s.reason;
  if (s.status === "diverged" && state.running) setRunning(false);
  const f = state.frame || {};
  if (s.decoded) {
    // Decoded in the step worker (typed arrays transferred, not copied).
    const d = s.decoded;
    if (d.bounds) f.bounds = d.bounds;
    for (const k of ["output", "neurons", "outputSmall", "inputs", "weights"]) if (d[k]) f[k] = d[k];
    if (d.transformed) f.transformed = d.transformed;
  } else if (s.grid) {
    const g = s.grid;
    f.bounds = g.bounds;
    if (g.output) f.output = decode(g.output);
    if (g.neurons) f.neurons = g.neurons.map(decode);
    if (g.output_small) f.outputSmall = decode(g.output_small);
    if (g.inputs) f.inputs = decode(g.inputs);
  }
  state.snapSeq++;
  if (s.confusion) { f.confusion = s.confusion; f.confusionSeq = state.snapSeq; }
  if (s.transformed && !s.decoded) {
    const t = s.transformed;
    f.transformed = { layer: t.layer, neurons: t.neurons, points: decode(t.points), lines: decode(t.lines) };
  }
  if (s.transformed) f.transformedSeq = state.snapSeq;
  if (s.weights && !s.decoded) f.weights = s.weights.map((w) => ({ W: decode(w.W), b: decode(w.b), dW: decode(w.dW), db: decode(w.db), grad_norm: w.grad_norm }));
  state.frame = f;
  const now = performance.now();
  const samples = state.perf.epochSamples;
  samples.push([now, s.epoch, s.steps]);
  while (samples.length > 2 && now - samples[0][0] > 1500) samples.shift();
  state.dirty = true;
  if (prevStatus !== s.status) renderStatus();
}

// ---------------------------------------------------------------- drawing
function render() {
  state.dirty = false;
  if (!state.config) return;
  const t0 = performance.now();
  const f = state.frame;
  if (!f) return;
  const cfg = state.config;
  const v = state.visible;
  const parts = (state.perf.parts ||= {});
  let tp = performance.now();
  const mark = (name) => { const t = performance.now(); parts[name] = t - tp; tp = t; };
  if (v.boundary && (f.output || state.hoverNeuron)) boundary.render(boundaryField(f), f.bounds);
  mark("boundary");
  if (v.network) {
    diagram.build(networkSpec(cfg, f));
    diagram.update({ weights: f.weights, neurons: f.neurons, outputSmall: f.outputSmall, inputs: f.inputs });
  }
  if (f.inputs) drawFeatureThumbs(f.inputs);
  mark("network");
  const hv = state.history.version;
  if (v.charts && hv !== state.historyDrawn) {
    drawCurves($("curves-plot"), state.history, cfg.problem, { log: state.logLoss });
  }
  mark("charts");
  if (v.weights && f.weights) {
    weightsView.update(f.weights, false, layerNames(cfg));
    // A secondary chart: at most ~4 redraws/s while running, so the main views keep their frame rate.
    const now = performance.now();
    if (hv !== state.historyDrawn && (!state.running || now - (state.gradDrawnAt || 0) > 250)) {
      state.gradDrawnAt = now;
      drawGradNorms($("gradnorm-plot"), state.history);
    }
  }
  state.historyDrawn = hv;
  mark("weights");
  if (v.confusion && f.confusion && cfg.problem !== "regression") confusionView.update(f.confusion, f.confusionSeq !== state.snapSeq);
  mark("confusion");
  if (v.transformed && f.transformed) {
    // A secondary view: at most ~10 Plotly redraws/s while running (a react costs several ms).
    const now = performance.now();
    if (!state.running || now - state.trDrawnAt >= 100) {
      if (transformedView.update(f.transformed)) state.trDrawnAt = now;
    }  // else: the next answer (one is always on its way while running) brings a newer one
  }
  mark("transformed");
  renderStatus();
  mark("status");
  const now = performance.now();
  state.perf.redraws++;
  state.perf.lastDrawMs = now - t0;
  const d = state.perf.drawSamples;
  d.push(now);
  while (d.length > 2 && now - d[0] > 1500) d.shift();
}

function boundaryField(f) {
  const cfg = state.config;
  const hn = state.hoverNeuron;
  if (hn && f.neurons) {
    let arr, mode, label;
    if (hn.layer === -1 && f.inputs) { arr = f.inputs; mode = "scale"; label = `input ${cfg.features[hn.index]}`; }
    else if (f.neurons[hn.layer]) {
      arr = f.neurons[hn.layer];
      const act = (cfg.layer_activations || [])[hn.layer] || cfg.activation;
      mode = act === "sigmoid" ? "sigmoid" : act === "tanh" || act === "sine" ? "unit" : "scale";
      label = `layer ${hn.layer + 1} neuron ${hn.index + 1}`;
    }
    if (arr) {
      const [h, w, k] = arr.shape;
      const vals = new Float32Array(h * w);
      for (let i = 0; i < h * w; i++) vals[i] = arr.data[i * k + hn.index];
      showLegend(label);
      return { values: vals, w, h, k: 1, mode: "diverging", ...mapScaling(vals, mode), discrete: false, label };
    }
  }
  const out = f.output;
  const [h, w, k = 1] = out.shape;
  showLegend(null);
  if (k > 1) return { values: out.data, w, h, k, mode: "classes", discrete: state.discretize };
  const sc = outputScaling(cfg.output_activation, cfg.problem === "regression" ? state.labelScale : 1);
  return { values: out.data, w, h, k: 1, mode: "diverging", ...sc, discrete: state.discretize && cfg.problem !== "regression", label: cfg.problem === "regression" ? "prediction" : cfg.output_activation === "sigmoid" ? "p(class 1)" : "output" };
}

let legendKey = "";
function showLegend(neuron) {
  const cfg = state.config;
  const what = { neuron, problem: cfg.problem, outputActivation: cfg.output_activation, k: state.frame?.output?.shape?.[2] || 1, labelScale: state.labelScale };
  const key = JSON.stringify(what);
  if (key !== legendKey) { legendKey = key; renderLegend($("legend"), what); }
}

function networkSpec(cfg, f) {
  const labels = cfg.features.map((n) => controls.features.find((x) => x.name === n)?.label || n);
  const nOut = f.weights ? f.weights[f.weights.length - 1].W.shape[1] : (f.output?.shape?.[2] || 1);
  const acts = cfg.layer_activations || cfg.hidden_layers.map(() => cfg.activation);
  return { features: labels, hidden: cfg.hidden_layers, activations: acts, nOut, outputActivation: cfg.output_activation, problem: cfg.problem };
}

function layerNames(cfg) {
  return ["inputs", ...cfg.hidden_layers.map((_, i) => `layer ${i + 1}`), "output"];
}

const featureDrawn = new Map();
function drawFeatureThumbs(inputs) {
  const [h, w, k] = inputs.shape;
  state.config.features.forEach((name, j) => {
    if (featureDrawn.get(name) === inputs) return;
    featureDrawn.set(name, inputs);
    const vals = new Float32Array(h * w);
    for (let i = 0; i < h * w; i++) vals[i] = inputs.data[i * k + j];
    paintFeatureTile(name, vals, w, h);
  });
}

// Every feature tile shows its map, switched on or not (the maps come with /api/options).
function drawFeaturePreviews() {
  for (const f of controls.features) {
    if (!f.preview) continue;
    const arr = decode(f.preview);
    paintFeatureTile(f.name, arr.data, arr.shape[1], arr.shape[0]);
  }
}

function paintFeatureTile(name, vals, w, h) {
  const tile = controls.featureTiles.get(name);
  if (!tile) return;
  const c = tile.canvas;
  c.width = w; c.height = h;
  const ctx = c.getContext("2d");
  const img = ctx.createImageData(w, h);
  paintDiverging(img, vals, w, h, mapScaling(vals, "scale"));
  ctx.putImageData(img, 0, 0);
}

function buildLayers(cfg) {
  buildLayerControls($("layer-controls"), cfg, {
    activations: controls.hiddenActivations,
    maxNeurons: state.options.limits?.max_neurons ?? 64,
    onPatch: patchConfig,
  });
}

function renderStatus() {
  $("epoch").textContent = fmtEpoch(state.epoch);
  const m = state.metrics || {};
  const f3 = (v) => (v == null || !Number.isFinite(v) ? "–" : v.toFixed(3));
  $("st-train").textContent = f3(m.train_loss);
  $("st-test").textContent = f3(m.test_loss);
  $("st-reg").textContent = state.config?.regularization === "none" ? "off" : f3(m.reg_loss);
  if (state.config?.problem === "regression") {
    $("st-metric-k").textContent = "RMSE train / test";
    $("st-metric").textContent = `${f3(m.train_rmse)} / ${f3(m.test_rmse)}`;
    $("metric-title").textContent = "RMSE";
  } else {
    const pct = (v) => (v == null ? "–" : `${(v * 100).toFixed(1)}%`);
    $("st-metric-k").textContent = "Accuracy train / test";
    $("st-metric").textContent = `${pct(m.train_accuracy)} / ${pct(m.test_accuracy)}`;
    $("metric-title").textContent = "accuracy";
  }
  const s = state.perf.epochSamples;
  let speed = "paused";
  if (state.running && s.length > 1) {
    const dt = (s[s.length - 1][0] - s[0][0]) / 1000;
    const eps = (s[s.length - 1][1] - s[0][1]) / dt;
    const sps = (s[s.length - 1][2] - s[0][2]) / dt;
    const d = state.perf.drawSamples;
    const fps = d.length > 1 ? (d.length - 1) / ((d[d.length - 1] - d[0]) / 1000) : 0;
    speed = `${Math.round(eps)} epochs/s · ${Math.round(sps)} steps/s · ${Math.round(fps)} fps`;
  } else if (state.running) speed = "…";
  $("st-speed").textContent = speed;
  const div = $("diverged");
  const diverged = state.status === "diverged";
  if (div.hidden === diverged) div.hidden = !diverged;
  if (diverged) $("diverged-reason").textContent = state.reason || "The loss is no longer a finite number.";
  $("status").classList.toggle("is-diverged", diverged);
}

// ---------------------------------------------------------------- run controls
function buildRunControls() {
  const sel = $("speed");
  for (const s of SPEEDS) {
    const o = document.createElement("option");
    o.value = String(s);
    o.textContent = s === "max" ? "max (turbo)" : `${s} epoch${s === 1 ? "" : "s"}/frame`;
    sel.append(o);
  }
  sel.value = "1";
  sel.addEventListener("change", () => { state.speed = sel.value === "max" ? "max" : Number(sel.value); updateUrl(); });
  $("stop-at").addEventListener("change", (e) => {
    const v = Math.floor(Number(e.target.value));
    state.stopAt = e.target.value.trim() && v > 0 ? v : null;
    if (!state.stopAt) e.target.value = "";
    updateUrl();
  });
  const blurAfterMouse = (btn, fn) => btn.addEventListener("click", (e) => { fn(); if (e.detail > 0) btn.blur(); });
  blurAfterMouse($("btn-play"), () => setRunning(!state.running));
  blurAfterMouse($("btn-step"), stepOnce);
  blurAfterMouse($("btn-reset"), () => reset(false));
  $("btn-diverged-reset").addEventListener("click", () => reset(false));
  blurAfterMouse($("btn-link"), copyLink);
  blurAfterMouse($("btn-export-model"), () => download(`/api/sessions/${state.id}/model`, "model.json"));
  const about = $("about");
  $("btn-about").addEventListener("click", () => { about.hidden = !about.hidden; $("btn-about").setAttribute("aria-expanded", String(!about.hidden)); if (!about.hidden) about.scrollIntoView({ behavior: "smooth" }); });
  $("btn-about-close").addEventListener("click", () => { about.hidden = true; $("btn-about").setAttribute("aria-expanded", "false"); });
  $("show-test").addEventListener("change", (e) => { state.showTest = e.target.checked; boundary.setShowTest(state.showTest); updateUrl(); });
  $("discretize").addEventListener("change", (e) => { state.discretize = e.target.checked; state.dirty = true; updateUrl(); if (!state.running) render(); });
  $("log-loss").addEventListener("change", (e) => { state.logLoss = e.target.checked; state.historyDrawn = -1; state.dirty = true; updateUrl(); if (!state.running) render(); });
  $("boundary").addEventListener("click", (e) => {
    const mode = $("draw-mode").value;
    if (!mode || state.hoverNeuron) return;
    const at = boundary.planeAt(e);
    if (!at) return;
    const [x, y] = at.map((v) => Math.round(v * 100) / 100);
    if (mode === "remove") dataAction({ action: "remove", near: [x, y] }, "Removed the nearest point.");
    else dataAction({ action: "append", points: [[x, y, Number(mode)]] }, `Added a point at (${x}, ${y}).`);
  });
  $("model-file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    e.target.value = "";
    let model;
    try { model = JSON.parse(await file.text()); } catch { return toast("That file is not JSON.", "error", 5000); }
    if (state.running) setRunning(false);
    exclusive(async () => {
      try {
        const res = await api.create({ model, snapshot: snapOpts(0, { view: false }) });
        const old = state.id;
        state.id = res.id;
        afterMutation(res, true);
        api.remove(old).catch(() => {});
        refreshTransformed();
        toast(`Model restored at epoch ${res.snapshot.epoch}.`, "info", 2500);
      } catch (err) {
        toast(`Could not import the model: ${describe(err)}`, "error", 7000);
      }
    });
  });
  $("w-range").addEventListener("change", (e) => { weightsView.setRange(Number(e.target.value)); renderWeightLegend($("w-legend"), Number(e.target.value)); });
  renderWeightLegend($("w-legend"), Number($("w-range").value));
  $("btn-add-layer").addEventListener("click", () => {
    const hl = state.config.hidden_layers;
    if (hl.length >= (state.options.limits?.max_hidden_layers ?? 8)) return toast(`At most ${state.options.limits?.max_hidden_layers ?? 8} hidden layers.`, "error");
    const acts = state.config.layer_activations;
    patchConfig({ hidden_layers: [...hl, hl.length ? hl[hl.length - 1] : 4], ...(acts ? { layer_activations: [...acts, acts[acts.length - 1] || state.config.activation] } : {}) }, "hidden_layers");
  });
  $("btn-remove-layer").addEventListener("click", () => {
    const hl = state.config.hidden_layers;
    if (!hl.length) return;
    const acts = state.config.layer_activations;
    patchConfig({ hidden_layers: hl.slice(0, -1), ...(acts ? { layer_activations: hl.length > 1 ? acts.slice(0, -1) : null } : {}) }, "hidden_layers");
  });
  document.addEventListener("keydown", (e) => {
    if (e.code !== "Space" && e.key !== " ") return;
    const t = e.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement || t.isContentEditable) return;
    if (t instanceof HTMLButtonElement && t.id !== "btn-play") return; // Space presses the focused button
    e.preventDefault();
    setRunning(!state.running);
  });
}

// ---------------------------------------------------------------- server mutations
function describe(err) { return err instanceof ApiError ? err.describe() : err.message; }

function showApiError(err, field) {
  const msg = describe(err);
  const target = (err instanceof ApiError && err.field) || field;
  if (!controls.showError(target, msg)) toast(msg, "error", 7000);
  else toast(msg, "error", 4000);
  state.errors.push(msg);
}

const LIVE_DEFAULT = ["learning_rate", "schedule", "schedule_params", "regularization", "reg_rate", "batch_size", "optimizer", "optimizer_params", "clip_norm"];

function patchConfig(patch, field) {
  const live = new Set(state.options.live_fields || LIVE_DEFAULT);
  const allLive = Object.keys(patch).every((k) => live.has(k));
  // null means "follow the problem/dataset" for output/loss: leave them out and let the server choose.
  for (const k of ["loss", "output_activation"]) if (patch[k] === null) delete patch[k];
  return exclusive(async () => {
    let res;
    try {
      res = await api.patch(state.id, { ...patch, snapshot: allLive ? snapOpts(nextSince()) : snapOpts(0, { view: false }) });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return recoverSession();
      controls.sync(state.config, true);  // the controls show what the server really has
      buildLayers(state.config);
      showApiError(err, field);
      return;
    }
    afterMutation(res);
    if (!allLive) refreshTransformed();
    if (res.reinitialized) {
      const what = (res.rebuilt || []).join(" and ") || "network";
      toast(`Rebuilt the ${what} — training restarts at epoch 0.`, "info", 2200);
    } else {
      const keys = Object.keys(patch).join(", ").replace(/_/g, " ");
      toast(`${keys}: applied live, training continues.`, "live", 1500);
    }
  });
}

function afterMutation(res, clearHistory = !!res.reinitialized) {
  if (clearHistory) { state.history.clear(); state.historyDrawn = -1; }
  if (res.config) applyConfig(res.config, clearHistory);
  if (res.data) applyData(res.data);
  applySnapshot(res.snapshot);
  if (!state.running) render();
}

function reset(reseed) {
  return exclusive(async () => {
    try {
      const res = await api.reset(state.id, { reseed, snapshot: snapOpts(0) });
      afterMutation(res, true);
      toast(reseed ? "New initial weights." : "Reset to the same initial weights.", "info", 1500);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return recoverSession();
      showApiError(err, "reset");
    }
  });
}

function stepOnce() {
  if (state.running) setRunning(false);
  if (state.status === "diverged") return toast("Training diverged: reset first.", "error");
  return exclusive(() => sendStep(1));
}

function dataAction(body, message) {
  return exclusive(async () => {
    try {
      const res = await api.data(state.id, { ...body, snapshot: snapOpts(0) });
      afterMutation(res, !!res.reinitialized || res.snapshot?.epoch === 0);
      toast(message, "info", 2000);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return recoverSession();
      $("data-error").textContent = describe(err);
      toast(describe(err), "error", 7000);
    }
  });
}

async function editWeight(body) {
  let msg = null;
  await exclusive(async () => {
    try {
      const res = await api.weights(state.id, { ...body, snapshot: snapOpts(nextSince()) });
      afterMutation(res, false);
      toast(`${body.param === "b" ? "Bias" : "Weight"} set to ${body.value}.`, "live", 1500);
    } catch (err) {
      msg = describe(err);
    }
  });
  return msg;
}

async function recoverSession() {
  toast("The server forgot this session (it expired or restarted); starting it again with the same settings.", "error", 6000);
  try {
    const res = await api.create({ ...state.config, snapshot: snapOpts(0) });
    state.id = res.id;
    state.history.clear();
    afterMutation(res, true);
  } catch (err) {
    toast(`Could not restart the session: ${describe(err)}`, "error", 0);
  }
}

// ---------------------------------------------------------------- sharing, hiding, misc
function currentView() {
  return { show_test: state.showTest ? 1 : 0, discretize: state.discretize ? 1 : 0, speed: state.speed, log_loss: state.logLoss ? 1 : 0, stop_at: state.stopAt };
}

function updateUrl() {
  if (!state.config) return;
  const hash = encodeHash(state.config, currentView());
  history.replaceState(null, "", `${location.pathname}${location.search}#${hash}`);
}

async function copyLink() {
  updateUrl();
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
    toast("Link copied: it restores this exact setup (same data, same initial weights).", "info", 2500);
  } catch {
    window.prompt("Copy this link:", url);
  }
}

function applyHidden() {
  const names = hiddenControls(location.search);
  for (const name of names) for (const node of document.querySelectorAll(`[data-control="${CSS.escape(name)}"]`)) node.hidden = true;
  const all = new Set([...document.querySelectorAll("[data-control]")].map((n) => n.dataset.control).filter((n) => !n.includes(".")));
  $("hide-names").textContent = [...all].sort().join(", ");
  state.hidden = names;
}

function watchVisibility() {
  const io = new IntersectionObserver((entries) => {
    for (const e of entries) {
      const name = e.target.dataset.view;
      if (name === "transformed") { state.trOnScreen = e.isIntersecting; setTransformedVisible(); continue; }
      state.visible[name] = e.isIntersecting && (name !== "weights" || $("weights-details").open);
      if (name === "confusion" && e.isIntersecting) refreshConfusion();
    }
    state.dirty = true;
  });
  const watch = (el, name) => { el.dataset.view = name; io.observe(el); };
  watch($("boundary"), "boundary");
  watch($("network"), "network");
  watch($("curves-plot"), "charts");
  watch(document.querySelector(".weights-section"), "weights");
  watch($("confusion"), "confusion");
  watch(document.querySelector(".transformed-section"), "transformed");
  $("weights-details").addEventListener("toggle", (e) => { state.visible.weights = e.target.open; });
  $("transformed-details").addEventListener("toggle", setTransformedVisible);
  $("btn-tr-next").addEventListener("click", () => {
    transformedView.next();
    state.dirty = true;
    // Running: the next request asks for the new pair (a turbo chain restarts with it); paused: fetch it.
    if (state.running) stepper.stopChain();
    else refreshTransformed();
  });
}

/** The transformed-space panel counts as shown while open, on screen and not hidden by ?hide=. */
function setTransformedVisible() {
  const on = state.trOnScreen && $("transformed-details").open && !state.hidden?.has("transformed");
  if (on === state.visible.transformed) return;
  state.visible.transformed = on;
  state.dirty = true;
  if (state.running) stepper.stopChain();  // a turbo chain keeps its request body: restart it with (or without) the view
  else if (on) refreshTransformed();
}

/** Paused with the panel shown but no transformed space of the current state and pair: fetch just that. */
function refreshTransformed() {
  const fresh = () => {
    const f = state.frame, sel = transformedView.selection();
    return !sel || (f?.transformed && f.transformedSeq === state.snapSeq && f.transformed.layer === sel.layer
      && f.transformed.neurons[0] === sel.neurons[0] && f.transformed.neurons[1] === sel.neurons[1]);
  };
  if (!state.ready || state.running || !state.visible.transformed || fresh()) return;
  exclusive(async () => {
    if (state.running || !state.visible.transformed || fresh()) return;  // a newer answer brought it meanwhile
    const sel = transformedView.selection();
    try {
      const res = await api.get(state.id, { grid: 0, weights: 0, history: 0, transformed: `${sel.layer},${sel.neurons[0]},${sel.neurons[1]}` });
      applySnapshot(res.snapshot);
      if (!state.running) render();
    } catch { /* the next step brings it; a lost session is recovered there */ }
  });
}

/** Scrolled into view while paused with numbers from an older state: fetch just the matrices. */
function refreshConfusion() {
  const fresh = () => state.frame?.confusionSeq === state.snapSeq;
  if (!state.ready || state.running || fresh() || state.config?.problem === "regression") return;
  exclusive(async () => {
    if (state.running || fresh()) return;  // a newer answer brought them meanwhile
    try {
      const res = await api.get(state.id, { grid: 0, weights: 0, history: 0 });
      applySnapshot(res.snapshot);
      if (!state.running) render();
    } catch { /* the next step brings them; a lost session is recovered there */ }
  });
}

function loadDatasetPreviews() {
  // /api/options carries 200 noise-free points per dataset for its thumbnail.
  for (const [name, tile] of controls.datasetTiles) {
    if (name === state.config.dataset || !tile.info.preview) continue;
    drawPointsThumb(tile.canvas, { train: tile.info.preview }, tile.info.problem);
  }
}

boot();
