// The page's server session: creating it, every change to it (PATCH, reset, data, weights,
// model import) and bringing it back when the server forgot it. Every change goes through
// loop.exclusive(), so it waits for the step in flight and answers apply in order.

import { api, ApiError } from "./api.js";
import { applySnapshot, configureViews, exclusive, nextSince, runDriver, sendStep, setRunning, snapshotOptions } from "./loop.js";
import { toast } from "./panels.js";
import { writeUrl } from "./share.js";
import { state } from "./state.js";
import { drawPointsThumb } from "./thumbs.js";

let controls = null;
let editor = null;

export function initSession(parts) {
  ({ controls, editor } = parts);
}

export const describe = (err) => (err instanceof ApiError ? err.describe() : err.message);

// ------------------------------------------------------------------ applying answers
export function applyConfig(config, rebuild) {
  state.config = config;
  controls.sync(config);
  controls.clearErrors();
  writeUrl();
  if (rebuild) editor.close();
  configureViews();
}

export function applyData(data) {
  if (!data) return;
  const split = (rows) => ({ x: rows.map((r) => r[0]), y: rows.map((r) => r[1]), label: rows.map((r) => r[2]) });
  const train = data.train || [], test = data.test || [];
  state.data = { train: split(train), test: split(test), problem: data.problem, n_classes: data.n_classes, rows: { train, test } };
  let m = 0;
  if ((data.problem || state.config.problem) === "regression") for (const v of state.data.train.label) m = Math.max(m, Math.abs(v));
  state.labelScale = m > 0 ? m : 1;
  const tile = controls.datasetTiles.get(state.config.dataset);
  if (tile && state.config.dataset !== "custom") drawPointsThumb(tile.canvas, data, data.problem || state.config.problem);
  configureViews();
}

function afterMutation(res, clearHistory = !!res.reinitialized) {
  if (clearHistory) state.history.clear();
  if (res.config) applyConfig(res.config, clearHistory);
  if (res.data) applyData(res.data);
  applySnapshot(res.snapshot);
}

// ------------------------------------------------------------------ creating
/** The first session, from the link's configuration (defaults if the link is refused). */
export async function startSession(fromUrl) {
  let created;
  try {
    created = await api.create({ ...fromUrl, snapshot: snapshotOptions(0, { rebuilding: true }) });
  } catch (err) {
    if (!Object.keys(fromUrl).length) throw err;
    toast(`The link's settings were not accepted (${describe(err)}); starting from the defaults.`, "error", 8000);
    created = await api.create({ snapshot: snapshotOptions(0, { rebuilding: true }) });
  }
  state.id = created.id;
  afterMutation(created, true);
}

// ------------------------------------------------------------------ changes
function showApiError(err, field) {
  const msg = describe(err);
  const target = (err instanceof ApiError && err.field) || field;
  if (!controls.showError(target, msg)) toast(msg, "error", 7000);
  else toast(msg, "error", 4000);
  state.errors.push(msg);
}

export function patchConfig(patch, field) {
  const live = new Set(state.options.live_fields || []);
  const allLive = Object.keys(patch).every((k) => live.has(k));
  // null means "follow the problem/dataset" for output/loss: leave them out and let the server choose.
  for (const k of ["loss", "output_activation"]) if (patch[k] === null) delete patch[k];
  return exclusive(async () => {
    let res;
    try {
      res = await api.patch(state.id, { ...patch, snapshot: allLive ? snapshotOptions(nextSince()) : snapshotOptions(0, { rebuilding: true }) });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return recoverSession();
      controls.sync(state.config, true);  // the controls show what the server really has
      configureViews();
      showApiError(err, field);
      return;
    }
    afterMutation(res);
    if (res.reinitialized) {
      const what = (res.rebuilt || []).join(" and ") || "network";
      toast(`Rebuilt the ${what} — training restarts at epoch 0.`, "info", 2200);
    } else {
      const keys = Object.keys(patch).join(", ").replace(/_/g, " ");
      toast(`${keys}: applied live, training continues.`, "live", 1500);
    }
  });
}

export function reset(reseed) {
  if (runDriver()) return runDriver().reset(reseed);
  return exclusive(async () => {
    try {
      const res = await api.reset(state.id, { reseed, snapshot: snapshotOptions(0) });
      afterMutation(res, true);
      toast(reseed ? "New initial weights." : "Reset to the same initial weights.", "info", 1500);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return recoverSession();
      showApiError(err, "reset");
    }
  });
}

export function stepOnce() {
  if (runDriver()) return runDriver().step();
  if (state.running) setRunning(false);
  if (state.status === "diverged") return toast("Training diverged: reset first.", "error");
  return exclusive(() => sendStep(1));
}

export function dataAction(body, message) {
  return exclusive(async () => {
    try {
      const res = await api.data(state.id, { ...body, snapshot: snapshotOptions(0) });
      afterMutation(res, !!res.reinitialized || res.snapshot?.epoch === 0);
      toast(message, "info", 2000);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return recoverSession();
      document.getElementById("data-error").textContent = describe(err);
      toast(describe(err), "error", 7000);
    }
  });
}

/** Set one weight or bias; resolves to an error message, or null when it was set. */
export async function editWeight(body) {
  let msg = null;
  await exclusive(async () => {
    try {
      const res = await api.weights(state.id, { ...body, snapshot: snapshotOptions(nextSince()) });
      afterMutation(res, false);
      toast(`${body.param === "b" ? "Bias" : "Weight"} set to ${body.value}.`, "live", 1500);
    } catch (err) {
      msg = describe(err);
    }
  });
  return msg;
}

export function importModel(model) {
  if (state.running) setRunning(false);
  return exclusive(async () => {
    try {
      const res = await api.create({ model, snapshot: snapshotOptions(0, { rebuilding: true }) });
      const old = state.id;
      state.id = res.id;
      afterMutation(res, true);
      api.remove(old).catch(() => {});
      toast(`Model restored at epoch ${res.snapshot.epoch}.`, "info", 2500);
    } catch (err) {
      toast(`Could not import the model: ${describe(err)}`, "error", 7000);
    }
  });
}

export async function recoverSession() {
  toast("The server forgot this session (it expired or restarted); starting it again with the same settings.", "error", 6000);
  try {
    const res = await api.create({ ...state.config, snapshot: snapshotOptions(0, { rebuilding: true }) });
    state.id = res.id;
    afterMutation(res, true);
  } catch (err) {
    toast(`Could not restart the session: ${describe(err)}`, "error", 0);
  }
}
