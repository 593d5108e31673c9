// The frame loop: requestAnimationFrame over the views. It knows views only through their
// interface (docs/page.md, "Views"):
//   wants(state, rebuilding) → snapshot options    take(snapshot, state)    draw(state)
//   optional: el (shown while on screen), configure(state), fresh(state)
// requestAnimationFrame drives everything. Playing, each frame sends at most one step request and
// up to PLAY_DEPTH are in flight (turbo keeps two queued, in the worker; a stop epoch, one); each
// answer is decoded in the worker and drawn at the next frame.
// Mutations (PATCH, reset, data...) go through exclusive(): they wait for the in-flight step, so
// answers never apply out of order.

import { api } from "./api.js";
import { emitLessonEvent } from "./learner-events.js";
import { decodeSnapshot } from "./snapshot.js";
import { state } from "./state.js";
import { StepRunner } from "./step-runner.js";
import { toast } from "./panels.js";

const TURBO_MS = 25;        // training per turbo answer: ~35 answers/s (two stay queued, so the server never idles)
const STEP_MS = 100;        // a frame's epochs never hold the server longer than this
// Step requests in flight while playing, one sent per frame: an answer that takes longer than a
// frame to come back (server, worker, the browser's scheduling: ~20 ms) no longer halves the
// frame rate, since the next one is already on its way.
const PLAY_DEPTH = 2;

// Answers land unevenly (two in one frame, none in the next); playing, each frame draws one: an
// answer that lands while the one before is not drawn yet waits for the next frame (a newer one
// replaces it: its history includes the held one's).
let undrawn = false;
let held = null;

let views = [];
let runner = null;
let chain = Promise.resolve();
let onLost = () => {};
// A mode that trains sessions of its own (views/compare.js) may take the run controls: while a
// driver is set, play/pause (and Space), step, reset and the epoch counter drive and show it, and
// the page's session rests. driver: {epoch, tick() (each frame while running), step(), reset(reseed)}.
let driver = null;

/** Start the loop over `list` (view-registry.js); onSessionLost(): the server forgot the session. */
export function startLoop(list, { onSessionLost }) {
  views = list;
  onLost = onSessionLost;
  runner = new StepRunner(onStepAnswer, onStepError);
  watchVisibility();
  requestAnimationFrame(tick);
}

export const isShown = (v) => !v.el || !!state.visible[v.name];

/** Hand the run controls to `d` (null: back to the page's session); pauses first. */
export function setDriver(d) {
  if (state.running) setRunning(false);
  driver = d;
  state.dirty = true;
}

export const runDriver = () => driver;

// ------------------------------------------------------------------ what to ask for
/** Snapshot options: the defaults' resolutions, history since `since`, and what shown views want.
 * rebuilding: the request may change the network (views drop options that depend on it). */
export function snapshotOptions(since, { rebuilding = false, only = null } = {}) {
  // Every part off (the server's boolean options), the defaults' numbers; history always: the loop keeps it.
  const opts = {};
  for (const [k, v] of Object.entries(state.options.snapshot_defaults)) if (typeof v !== "object" || v === null) opts[k] = typeof v === "boolean" ? false : v;
  opts.resolution = 2;   // the smallest grid: views that draw the output ask for theirs
  opts.history = true;
  opts.history_since = since;
  for (const v of only || views) if (isShown(v)) mergeWants(opts, v.wants(state, rebuilding));
  return opts;
}

/** true wins over false, the larger number wins, anything else: the first view's choice. */
function mergeWants(opts, want) {
  for (const [k, v] of Object.entries(want || {})) {
    if (typeof v === "boolean") opts[k] = opts[k] === true || v;
    else if (typeof v === "number" && typeof opts[k] === "number") opts[k] = Math.max(opts[k], v);
    else if (opts[k] == null || opts[k] === false) opts[k] = v;
  }
}

export const nextSince = () => state.history.lastEpoch + 1;

// ------------------------------------------------------------------ stepping
function tick() {
  requestAnimationFrame(tick);
  if (state.running && driver) driver.tick();
  else if (state.running && !state.busy && roomForAStep()) sendStep();
  if (state.dirty) render();
  if (held) takeHeld();     // drawn at the next frame
}

/** Whether playing may send another step now: none in flight, or (1 … N epochs per frame, no
 * stop epoch: it could be passed by the requests already on their way) fewer than PLAY_DEPTH. */
function roomForAStep() {
  if (!state.inFlight) return true;
  const { speed, stopAt } = state.view;
  return speed !== "max" && !stopAt && runner.pending < PLAY_DEPTH;
}

/** One step request: `epochs` given (the Step button) or the speed setting's (playing). */
export function sendStep(epochs) {
  const { speed, stopAt } = state.view;
  const left = stopAt ? stopAt - state.epoch : Infinity;   // "stop at epoch N": never train past N
  if (epochs == null && left <= 0) { stopAtReached(); return Promise.resolve(); }
  const turbo = epochs == null && speed === "max";
  // turbo: as many epochs as the server takes in one request, stopped by time
  const body = turbo ? { epochs: state.options.limits.max_step_epochs, max_ms: TURBO_MS } : { epochs: epochs ?? speed, max_ms: STEP_MS };
  if (epochs == null && Number.isFinite(left)) body.epochs = Math.min(body.epochs, left);
  body.snapshot = snapshotOptions(nextSince());
  state.perf.requests++;
  // Turbo chains in the worker: the next request leaves as soon as an answer lands, so the server
  // keeps training while the page draws; pause or any change stops the chain.
  runner.request(state.id, body, turbo, turbo ? stopAt : null);
  state.inFlight = true;
  if (turbo) state.perf.sentAt = [];   // turbo's chained answers have no one request to time
  else state.perf.sentAt.push(performance.now());
  return runner.idle();
}

function stopAtReached() {
  setRunning(false);
  toast(`Stopped at epoch ${state.view.stopAt}.`, "info", 2000);
}

function onStepAnswer(id, res) {
  const sentAt = state.perf.sentAt.shift();   // answers come back in the order sent (older ones dropped as null)
  if (id === state.id && res) {
    if (sentAt != null) state.perf.lastRoundTripMs = performance.now() - sentAt;
    if (undrawn && state.running && state.view.speed !== "max") held = res;
    else take(res);
  }
  state.inFlight = runner.pending > 0 || !!held;
}

function take(res) {
  undrawn = true;
  applySnapshot(res.snapshot);
  if (state.view.stopAt && state.epoch >= state.view.stopAt && state.running) stopAtReached();
}

function takeHeld() {
  const res = held;
  held = null;
  if (res.id === state.id) take(res);
  state.inFlight = runner.pending > 0;
}

function onStepError(id, err) {
  state.inFlight = runner.pending > 0 || !!held;
  state.perf.sentAt.shift();
  if (state.running) setRunning(false);
  if (id !== state.id && id != null) return;
  if (err.status === 404) { onLost(); return; }
  toast(`Training step failed: ${err.describe()}`, "error");
  state.errors.push(err.describe());
}

export function setRunning(on) {
  if (on && !driver && state.status === "diverged") { toast("Training diverged: reset first.", "error"); on = false; }
  if (on && !state.running) emitLessonEvent("played");
  state.running = on;
  if (!on && runner) runner.stopChain();
  const btn = document.getElementById("btn-play");
  btn.classList.toggle("playing", on);
  btn.setAttribute("aria-pressed", String(on));
  btn.setAttribute("aria-label", on ? "Pause" : "Play");
  if (!on) state.perf.epochSamples = [];
  state.dirty = true;
}

/** Run fn after the in-flight step has landed, one mutation at a time. */
export function exclusive(fn) {
  state.busy++;
  const run = async () => {
    try {
      runner.stopChain();
      await runner.idle();
      if (held) takeHeld();
      return await fn();
    } finally {
      state.busy--;
    }
  };
  const p = chain.then(run, run);
  chain = p.catch(() => {});
  return p;
}

/** The views want something new (a shown view, another neuron pair): running, the next request
 * asks for it (a turbo chain restarts with the new body); paused, fetch what is missing. */
export function wantsChanged() {
  state.dirty = true;
  if (state.running) runner.stopChain();
  else refresh();
}

/** Paused: fetch, once, what shown views lack for the current state (their fresh() is false). */
export function refresh() {
  const stale = () => views.filter((v) => isShown(v) && v.fresh && !v.fresh(state));
  if (!state.ready || state.running || !stale().length) return;
  exclusive(async () => {
    const need = stale();
    if (state.running || !need.length) return;   // a newer answer brought it meanwhile
    const opts = snapshotOptions(0, { only: need });
    opts.history = false;
    try {
      const res = await api.get(state.id, toQuery(opts));
      applySnapshot(res.snapshot, { refresh: true });
    } catch { /* the next step brings it; a lost session is recovered there */ }
  });
}

function toQuery(opts) {
  const q = {};
  for (const [k, v] of Object.entries(opts)) {
    if (v == null) continue;
    if (typeof v === "boolean") q[k] = v ? "1" : "0";
    else if (typeof v === "object") q[k] = Object.values(v).flat().join(",");   // {layer, neurons: [a, b]} → "layer,a,b"
    else q[k] = String(v);
  }
  return q;
}

// ------------------------------------------------------------------ answers
/** Apply a snapshot: run state, history, the frame, and every view's take(). refresh: a GET
 * that only filled in what shown views lacked (it changed nothing on the server). */
export function applySnapshot(s, { refresh: isRefresh = false } = {}) {
  if (!s) return;
  decodeSnapshot(s);
  state.snapSeq++;
  if (!isRefresh) state.version++;
  state.epoch = s.epoch;
  state.steps = s.steps;
  state.metrics = s.metrics || {};
  state.lastTiming = s.timing || null;
  if (s.history) state.history.merge(s.history);
  if (s.status === "diverged" && state.status !== "diverged" && !isRefresh) emitLessonEvent("diverged");
  state.status = s.status;
  state.reason = s.reason;
  if (s.status === "diverged" && state.running) setRunning(false);
  const f = state.frame;
  for (const part of Object.keys(f)) {
    if (part === "seq" || !s[part]) continue;
    // the grid's parts come separately (output, neuron maps): keep the newest of each
    f[part] = part === "grid" ? { ...f.grid, ...s.grid } : s[part];
    f.seq[part] = state.version;
  }
  for (const v of views) v.take(s, state);
  const now = performance.now();
  const samples = state.perf.epochSamples;
  samples.push([now, s.epoch, s.steps]);
  while (samples.length > 2 && now - samples[0][0] > 1500) samples.shift();
  state.dirty = true;
}

/** The configuration or the data changed: let views rebuild what depends on them. */
export function configureViews() {
  for (const v of views) if (v.configure) v.configure(state);
  state.dirty = true;
}

// ------------------------------------------------------------------ drawing
export function render() {
  state.dirty = false;
  if (!state.config) return;
  const t0 = performance.now();
  let tp = t0;
  const parts = state.perf.parts;
  for (const v of views) {
    if (!isShown(v)) continue;
    v.draw(state);
    const t = performance.now();
    parts[v.name] = t - tp;
    tp = t;
  }
  state.perf.redraws++;
  undrawn = false;
  state.perf.lastDrawMs = tp - t0;
  const d = state.perf.drawSamples;
  d.push(tp);
  while (d.length > 2 && tp - d[0] > 1500) d.shift();
}

function onScreenNow(el) {
  const r = el.getBoundingClientRect();
  return el.checkVisibility() && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
}

// A view is shown while its element is on screen and displayed (IntersectionObserver reports a
// closed <details>, display: none or ?hide= as not intersecting).
function watchVisibility() {
  const byEl = new Map();
  const io = new IntersectionObserver((entries) => {
    let changed = false;
    for (const e of entries) {
      const v = byEl.get(e.target);
      if (state.visible[v.name] !== e.isIntersecting) { state.visible[v.name] = e.isIntersecting; changed = true; }
    }
    if (changed) wantsChanged();
  });
  for (const v of views) {
    if (!v.el) continue;
    state.visible[v.name] = onScreenNow(v.el);   // the first answer already asks for the right views
    v.el.dataset.view = v.name;
    byEl.set(v.el, v);
    io.observe(v.el);
  }
}
