// The page's server session: creating it (from a link, dropping only what the server refuses),
// every change to it (PATCH, reset, data, weights, model import) and bringing it back when the
// server forgot it (restart, expiry) with the same configuration and the same points.
// Every change goes through loop.exclusive(), so it waits for the step in flight and answers
// apply in order.
//
// Messages follow one rule (docs/page.md, "What restarts training"): the server's answer says
// whether training restarted (`reinitialized`), and the message says so — "training restarts at
// epoch 0" or "training continues at epoch N"; the toast's data-epoch is "reset" or "kept".

import { api, ApiError } from "./api.js";
import { applySnapshot, configureViews, exclusive, nextSince, runDriver, sendStep, setRunning, snapshotOptions } from "./frame-loop.js";
import { emitLessonEvent } from "./learner-events.js";
import { toast } from "./panels.js";
import { writeUrl } from "./share.js";
import { state } from "./state.js";
import { project } from "./realdata/sets.js";
import { drawPointsThumb } from "./thumbs.js";

let controls = null;
let editor = null;
let recovering = null;

export function initSession(parts) {
  ({ controls, editor } = parts);
}

export const describe = (err) => (err instanceof ApiError ? err.describe() : err.message);
const fmtInt = (n) => n.toLocaleString("en-US");

// ------------------------------------------------------------------ applying answers
function setData(data) {
  // A plane point is [x1, x2, label]; a real set's row is its inputs, then the label, drawn where
  // it lies on the set's principal plane (data.plane).
  const at = data.plane ? (r) => project(data.plane, r) : (r) => r;
  const split = (rows) => { const xy = rows.map(at); return { x: xy.map((p) => p[0]), y: xy.map((p) => p[1]), label: rows.map((r) => r[r.length - 1]) }; };
  const train = data.train || [], test = data.test || [];
  state.data = { train: split(train), test: split(test), problem: data.problem, n_classes: data.n_classes, rows: { train, test }, plane: data.plane ?? null };
  let m = 0;
  if ((data.problem || state.config.problem) === "regression") for (const v of state.data.train.label) m = Math.max(m, Math.abs(v));
  state.labelScale = m > 0 ? m : 1;
  const tile = controls.datasetTiles.get(state.config.dataset);
  if (tile && state.config.dataset !== "custom" && !data.plane) drawPointsThumb(tile.canvas, data, data.problem || state.config.problem);
}

/** Apply an answer: config, data, snapshot; `force`: the field whose control must show the
 * server's value even though it has the focus. */
function afterMutation(res, { clearHistory = !!res.reinitialized, force = false } = {}) {
  if (clearHistory) state.history.clear();
  if (res.config) state.config = res.config;
  if (res.data) setData(res.data);
  if (res.config || res.data) {
    controls.sync(state.config, force, state.data);
    controls.clearErrors();
    if (clearHistory) editor.close();
    writeUrl();
    configureViews();
  }
  applySnapshot(res.snapshot);
}

/** Say what a change did, and what happened to training: the server's `reinitialized`, or the
 * epoch going back (`before`: the epoch before the request). */
function say(message, res, before) {
  const reset = !!res.reinitialized || res.snapshot.epoch < before;
  const text = reset ? "training restarts at epoch 0" : `training continues at epoch ${fmtInt(res.snapshot.epoch)}`;
  toast(`${message} — ${text}.`, reset ? "info" : "live", 3000, { epoch: reset ? "reset" : "kept" });
}

/** Run fn (a request on the current session); if the server forgot the session, bring it back
 * and run fn once more. */
async function withSession(fn) {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    await recover();
    return fn();
  }
}

function showError(err, field) {
  const msg = describe(err);
  const target = (err instanceof ApiError && err.field) || field;
  if (!controls.showError(target, msg)) toast(msg, "error", 7000);
  state.errors.push(msg);
}

// ------------------------------------------------------------------ creating
/**
 * The first session, from a link: {config, points, unknown}. A field the server refuses is left
 * out (and only that field); the learner is told, once, what was dropped and why.
 */
export async function startSession({ config, points, unknown = [] }) {
  const dropped = unknown.map((k) => `${k} (unknown)`);
  let cfg = { ...config };
  let pts = points;
  let created = null;
  for (let tries = 0; !created; tries++) {
    try {
      created = await api.create({ ...cfg, ...(pts ? { points: pts } : {}), snapshot: snapshotOptions(0, { rebuilding: true }) });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status < 400 || err.status >= 500 || tries > 20) throw err;
      const [top, sub] = (err.field || "").replace(/\[\d+\]$/, "").split(".");
      if (top === "points" && pts) { dropped.push(`your points (${describe(err)})`); pts = null; delete cfg.dataset; delete cfg.n_points; continue; }
      if (sub && cfg[top] && sub in cfg[top]) { dropped.push(`${err.field} (${describe(err)})`); delete cfg[top][sub]; continue; }
      if (top && top in cfg) { dropped.push(`${top} (${describe(err)})`); delete cfg[top]; continue; }
      dropped.push(`every setting (${describe(err)})`);
      cfg = {};
      pts = null;
    }
  }
  state.id = created.id;
  afterMutation(created, { clearHistory: true });
  if (dropped.length) {
    const msg = `This link had ${dropped.length === 1 ? "a setting" : "settings"} the server does not accept, left out: ${dropped.join("; ")}. Everything else is as linked.`;
    toast(msg, "error", 12000);
    state.errors.push(msg);
  }
}

/** The server forgot the session (restart, expiry): create it again with the same configuration
 * and the same points (your own included); same seed, so the same initial weights. Said once. */
export function recover() {
  if (!recovering) recovering = recreate().finally(() => { recovering = null; });
  return recovering;
}

async function recreate() {
  const custom = state.config.dataset === "custom";
  const body = { ...state.config, snapshot: snapshotOptions(0, { rebuilding: true }) };
  if (custom) body.points = state.data.rows;
  let res;
  try {
    res = await api.create(body);
  } catch (err) {
    const msg = `The server forgot this session and it could not be started again: ${describe(err)}`;
    toast(msg, "error", 0);
    state.errors.push(msg);
    throw err;
  }
  state.id = res.id;
  afterMutation(res, { clearHistory: true });
  toast(`The server had forgotten this session (it restarted, or the session expired): started it again with the same settings${custom ? " and your points" : " and data"} — training restarts at epoch 0.`, "info", 7000, { epoch: "reset" });
}

/** The step loop lost the session. */
export function sessionLost() {
  if (state.running) setRunning(false);
  exclusive(() => recover().catch(() => {}));
}

// ------------------------------------------------------------------ changes
/** A lesson locks these fields (state.locked): say so, and show the server's values again. */
function refuseLocked(fields) {
  const locked = fields.filter((k) => state.locked.has(k));
  if (!locked.length) return false;
  controls.sync(state.config, true, state.data);
  configureViews();
  toast(`This lesson keeps ${locked.map((k) => controls.label(k)).join(", ")} as it is for now.`, "error", 4000);
  return true;
}

export function patchConfig(patch, field) {
  // null means "follow the problem/dataset" for output/loss: leave them out and let the server choose.
  for (const k of ["loss", "output_activation"]) if (patch[k] === null) delete patch[k];
  if (refuseLocked(Object.keys(patch))) return Promise.resolve();
  const live = new Set(state.options.fields.live);
  const allLive = Object.keys(patch).every((k) => live.has(k));
  return exclusive(async () => {
    const before = state.epoch, was = state.config;
    let res;
    try {
      res = await withSession(() => api.patch(state.id, { ...patch, snapshot: allLive ? snapshotOptions(nextSince()) : snapshotOptions(0, { rebuilding: true }) }));
    } catch (err) {
      controls.sync(state.config, true, state.data);  // the controls show what the server really has
      configureViews();
      showError(err, field);
      return;
    }
    afterMutation(res, { force: field });
    say(controls.describe(patch, field, res.config, was), res, before);
  });
}

export function reset(reseed) {
  emitLessonEvent("reset");
  if (runDriver()) return runDriver().reset(reseed);
  return exclusive(async () => {
    try {
      const res = await withSession(() => api.reset(state.id, { reseed, snapshot: snapshotOptions(0) }));
      afterMutation(res, { clearHistory: true });
      toast(reseed ? "New initial weights — training restarts at epoch 0." : "Back to the same initial weights — training restarts at epoch 0.", "info", 2000, { epoch: "reset" });
    } catch (err) {
      showError(err, "reset");
    }
  });
}

// Step means one whole epoch. Each request is bounded in time (a busy server answers before the
// epoch ends), so Step asks again, finishing the same epoch, until it has — at most this often.
const STEP_REQUESTS = 100;

export function stepOnce() {
  emitLessonEvent("stepped");
  if (runDriver()) return runDriver().step();
  if (state.running) setRunning(false);
  if (state.status === "diverged") return toast("Training diverged: reset first.", "error");
  return exclusive(async () => {
    const { id, epoch } = state, errors = state.errors.length;
    for (let i = 0; i < STEP_REQUESTS; i++) {
      await sendStep(1);
      if (state.epoch !== epoch || state.id !== id || state.status !== "ok" || state.errors.length !== errors) return;
    }
  });
}

/** Train one minibatch (the step Inspect's "next minibatch" shows before it is taken). */
export function stepBatch() {
  if (runDriver()) return toast("A Compare race steps whole epochs: use Step.", "info", 3000);
  if (state.running) setRunning(false);
  if (state.status === "diverged") return toast("Training diverged: reset first.", "error");
  return exclusive(async () => {
    try {
      const res = await withSession(() => api.step(state.id, { batches: 1, snapshot: snapshotOptions(nextSince()) }));
      applySnapshot(res.snapshot);
    } catch (err) {
      showError(err, "step");
    }
  });
}

/** A data action (regenerate, replace, append, remove); `what` says what it did. */
export function dataAction(body, what) {
  // Your own points replace the dataset: not while a lesson locks it (regenerating keeps it).
  if (body.action !== "regenerate" && refuseLocked(["dataset"])) return Promise.resolve();
  return exclusive(async () => {
    const before = state.epoch;
    try {
      const res = await withSession(() => api.data(state.id, { ...body, snapshot: snapshotOptions(0) }));
      afterMutation(res, { clearHistory: !!res.reinitialized || res.snapshot?.epoch === 0 });
      const message = typeof what === "function" ? what(res) : what;
      say(message, res, before);
    } catch (err) {
      const msg = describe(err);
      document.getElementById("data-error").textContent = msg;
      state.errors.push(msg);
    }
  });
}

/** Set one weight or bias; resolves to an error message, or null when it was set. */
export async function editWeight(body) {
  let msg = null;
  await exclusive(async () => {
    const before = state.epoch;
    try {
      const res = await withSession(() => api.weights(state.id, { ...body, snapshot: snapshotOptions(nextSince()) }));
      afterMutation(res, { clearHistory: false });
      say(`${body.param === "b" ? "Bias" : "Weight"} set to ${body.value}`, res, before);
    } catch (err) {
      msg = describe(err);
    }
  });
  return msg;
}

/** A new session from `config` (the server's defaults for the rest) in place of this one: a lesson
 * step's state. Resolves to true when it was applied. */
export function openConfig(config, message) {
  if (state.running) setRunning(false);
  return exclusive(async () => {
    try {
      const res = await api.create({ ...config, snapshot: snapshotOptions(0, { rebuilding: true }) });
      const old = state.id;
      state.id = res.id;
      afterMutation(res, { clearHistory: true, force: true });
      if (old) api.remove(old).catch(() => {});
      if (message) toast(`${message} — training restarts at epoch 0.`, "info", 2500, { epoch: "reset" });
      return true;
    } catch (err) {
      const msg = `Could not set up the playground for this step: ${describe(err)}`;
      toast(msg, "error", 8000);
      state.errors.push(msg);
      return false;
    }
  });
}

export function importModel(model) {
  if (state.running) setRunning(false);
  return exclusive(async () => {
    try {
      const res = await api.create({ model, snapshot: snapshotOptions(0, { rebuilding: true }) });
      const old = state.id;
      state.id = res.id;
      afterMutation(res, { clearHistory: true });
      api.remove(old).catch(() => {});
      toast(`Model restored: training continues at epoch ${fmtInt(res.snapshot.epoch)}.`, "info", 2500, { epoch: "kept" });
    } catch (err) {
      toast(`Could not import the model: ${describe(err)}`, "error", 7000);
    }
  });
}
