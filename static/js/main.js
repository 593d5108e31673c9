// The playground page: boots from /api/options, builds the controls and the views, starts the
// frame loop (frame-loop.js) and the server session (session.js), and wires the run controls.

import { api } from "./api.js";
import { decode } from "./codec.js";
import { paintDiverging, rangeScaling } from "./colors.js";
import { ADVANCED_FIELDS, Controls } from "./controls.js";
import { WeightEditor } from "./editor.js";
import { setupExports } from "./exports.js";
import { arrowRadioGroup, installShortcuts } from "./keyboard.js";
import { render, setRunning, startLoop, wantsChanged } from "./frame-loop.js";
import { download, toast } from "./panels.js";
import { dataAction, describe, editWeight, importModel, initSession, patchConfig, reset, sessionLost, startSession, stepBatch, stepOnce } from "./session.js";
import { declareViewSettings, decodeHash, decodePoints, hiddenControls, linkStatus, ownedByPart, showViewSettings, writeUrl } from "./share.js";
import { state } from "./state.js";
import { drawImagesThumb, drawPointsThumb } from "./thumbs.js";
import * as VIEWS from "./view-registry.js";

const SPEEDS = [1, 2, 5, 10, 25, 50, 100, 250, "max"];
const $ = (id) => document.getElementById(id);
// The page's own settings in the link (the views declare theirs: share.js declareViewSettings).
const RUN_SETTINGS = {
  speed: { key: "speed", default: 1, type: "choice", values: SPEEDS, input: $("speed") },
  stop: { key: "stopAt", default: null, type: "count", input: $("stop-at") },
  level: { key: "level", default: "basic", type: "choice", values: ["basic", "advanced"] },
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

async function boot() {
  try {
    state.options = await api.options();
  } catch (err) {
    toast(`Could not load the playground options: ${describe(err)}`, "error", 0);
    return;
  }
  const o = state.options;
  const controls = new Controls(o, patchConfig, {
    regenerate: () => dataAction({ action: "regenerate" }, "New points, same network"),
    uploadCsv: (csv) => dataAction({ action: "replace", csv }, (res) => `Loaded your ${res.data.train.length + res.data.test.length} points, same network`),
    exportCsv: () => download(`/api/sessions/${state.id}/data.csv`, "points.csv"),
  });
  const editor = new WeightEditor($("weight-editor"), () => state.frame.weights, editWeight);
  const ranges = new Map(o.activations.map((a) => [a.name, a.output_range ?? null]));
  // What every view gets: the state, and the few actions a view may take.
  const page = {
    state,
    redraw: () => { state.dirty = true; },
    wantsChanged,
    saveView: writeUrl,
    toast,
    outputRange: (activation) => ranges.get(activation) ?? null,
    patch: patchConfig,
    dataAction,
    reset,
    openEditor: (target, x, y) => editor.open(target, x, y),
    toggleFeature: (name) => controls.toggleFeature(name),
  };
  applyHidden();
  buildRunControls();
  const views = Object.values(VIEWS).map((make) => make(page));
  for (const settings of [RUN_SETTINGS, ...views.map((v) => v.link)]) declareViewSettings(settings);
  Object.seal(state.view);
  const link = decodeHash(location.hash, o.defaults);
  readViewSettings(link);
  link.unknown = link.unknown.filter((k) => !ownedByPart(k));   // a view's own keys (compare=…)
  initSession({ controls, editor });
  window.playground.views = Object.fromEntries(views.map((v) => [v.name, v]));
  startLoop(views, { onSessionLost: sessionLost });

  try {
    let points = null;
    if (link.points) {
      try { points = await decodePoints(link.points); } catch (err) { link.unknown.push(`points (${err.message})`); }
    }
    await startSession({ config: link.config, points, unknown: link.unknown });
  } catch (err) {
    toast(`Could not start a session: ${describe(err)}`, "error", 0);
    return;
  }
  render();
  state.ready = true;
  document.body.classList.add("ready");
  drawDatasetPreviews(controls);
  drawFeaturePreviews(controls);
  // Free the server's session when the learner leaves (keepalive lets the request outlive the page).
  window.addEventListener("pagehide", () => { if (state.id) api.remove(state.id, { keepalive: true }).catch(() => {}); });
}

/** The link's view settings (checked by decodeHash against their declarations) into state.view
 * and their controls. Without a level, a link that changes an advanced setting opens in Advanced. */
function readViewSettings({ view, config }) {
  Object.assign(state.view, view);
  const defaults = state.options.defaults;
  const advanced = ADVANCED_FIELDS.some((k) => k in config && JSON.stringify(config[k]) !== JSON.stringify(defaults[k]));
  setLevel(view.level ?? (advanced ? "advanced" : "basic"), false);
  showViewSettings();
}

/** Basic shows what TensorFlow Playground has; Advanced everything (data-level="advanced"). */
function setLevel(level, save = true) {
  state.view.level = level;
  document.body.classList.toggle("level-basic", level === "basic");
  $("btn-basic").setAttribute("aria-pressed", String(level === "basic"));
  $("btn-advanced").setAttribute("aria-pressed", String(level === "advanced"));
  if (save) { writeUrl(); wantsChanged(); }
}

function buildRunControls() {
  const sel = $("speed");
  for (const s of SPEEDS) {
    const o = document.createElement("option");
    o.value = String(s);
    o.textContent = s === "max" ? "max (turbo)" : `${s} epoch${s === 1 ? "" : "s"}/frame`;
    sel.append(o);
  }
  sel.addEventListener("change", () => { state.view.speed = sel.value === "max" ? "max" : Number(sel.value); writeUrl(); });
  $("stop-at").addEventListener("change", (e) => {
    const input = e.target, v = Math.floor(Number(input.value));
    // Text that is not a number is refused (never read as "no stop"); empty means no stop.
    if (input.validity.badInput || (input.value.trim() && !(v > 0))) {
      toast(`Stop at epoch: please type a whole number above 0 (or leave it empty). It stays ${state.view.stopAt ?? "off"}.`, "error", 5000);
      input.value = state.view.stopAt ?? "";
      return;
    }
    state.view.stopAt = input.value.trim() ? v : null;
    writeUrl();
  });
  // A mouse click leaves no focus on the button, so Space keeps meaning play/pause.
  const onClick = (btn, fn) => btn.addEventListener("click", (e) => { fn(); if (e.detail > 0) btn.blur(); });
  onClick($("btn-play"), () => setRunning(!state.running));
  onClick($("btn-step"), stepOnce);
  onClick($("btn-step-batch"), stepBatch);
  onClick($("btn-reset"), () => reset(false));
  onClick($("btn-link"), copyLink);
  setupExports({ state, toast });
  onClick($("btn-basic"), () => setLevel("basic"));
  onClick($("btn-advanced"), () => setLevel("advanced"));
  const about = $("about");
  const showAbout = (on) => { about.hidden = !on; $("btn-about").setAttribute("aria-expanded", String(on)); if (on) about.scrollIntoView({ behavior: "smooth" }); };
  $("btn-about").addEventListener("click", () => showAbout(about.hidden));
  $("btn-about-close").addEventListener("click", () => showAbout(false));
  $("model-file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    e.target.value = "";
    let model;
    try { model = JSON.parse(await file.text()); } catch { return toast("That file is not JSON.", "error", 5000); }
    importModel(model);
  });
  installShortcuts({ playPause: () => setRunning(!state.running), step: stepOnce, reset: () => reset(false) },
    { dialog: $("shortcuts"), openButton: $("btn-keys"), playButton: $("btn-play"), stepButton: $("btn-step"), resetButton: $("btn-reset") });
  arrowRadioGroup($("datasets"), ".dataset-tile");
}

/** Copy the link; if it cannot carry your points, say so first (it would open other data). */
async function copyLink() {
  const status = await linkStatus();
  const url = location.href;
  let copied = true;
  try { await navigator.clipboard.writeText(url); } catch { copied = false; }
  if (!status.ok) toast(`This link cannot carry your points (${status.reason}): it opens with other data. Use Export CSV to share the points.${copied ? " (Link copied.)" : ""}`, "error", 9000);
  else if (copied) toast(`Link copied: it restores this exact setup (same data${state.config.dataset === "custom" ? ": your points" : ""}, same initial weights).`, "info", 2500);
  if (!copied) window.prompt("Copy this link:", url);
}

/** ?hide=a,b hides those controls (and views); the About box lists every name (/api/options →
 * controls: the names a lesson's hide and lock take too). */
function applyHidden() {
  state.hidden = hiddenControls(location.search);
  for (const name of state.hidden) for (const node of document.querySelectorAll(`[data-control="${CSS.escape(name)}"]`)) node.hidden = true;
  $("hide-names").textContent = state.options.controls.map((c) => c.name).sort().join(", ");
}

// Dataset and feature thumbnails come with /api/options (200 noise-free points; 25 × 25 maps).
function drawDatasetPreviews(controls) {
  for (const [name, tile] of controls.datasetTiles) {
    const real = tile.info.kind === "real";   // (a plane set's tile shows the session's own points)
    if ((name === state.config.dataset && !real) || !tile.info.preview) continue;
    if (tile.info.preview_images) drawImagesThumb(tile.canvas, tile.info.preview_images);
    else drawPointsThumb(tile.canvas, { train: tile.info.preview }, tile.info.problem);
  }
}

function drawFeaturePreviews(controls) {
  for (const f of controls.features) {
    const tile = controls.featureTiles.get(f.name);
    if (!f.preview || !tile) continue;
    const { shape: [h, w], data } = decode(f.preview);
    const c = tile.canvas;
    c.width = w; c.height = h;
    const ctx = c.getContext("2d");
    const img = ctx.createImageData(w, h);
    paintDiverging(img, data, w, h, rangeScaling(null, data));
    ctx.putImageData(img, 0, 0);
  }
}

boot();
