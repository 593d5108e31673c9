// Inspect: one point followed through the network, in four stages — ① Forward (inputs, then each
// neuron's z and a, left to right), ② Loss (ŷ, the target, the loss), ③ Backward (each neuron's δ,
// right to left; links by ∂L/∂w) and ④ Update (Δw = −α ∂L/∂w and the new weights) — with the
// seed's equation for the hovered or chosen neuron or link, numbers substituted, in a panel under
// the diagram. "Apply this update" takes exactly that step. The numbers are the server's
// (POST /api/sessions/<id>/trace, nn_core's textbook path); nothing is computed here.
// "The next minibatch" follows the step training takes next instead (inspect/batch.js: its
// points, their mean gradient, and ④ Optimizer: the optimizer's own rule and state); "Apply this
// step" takes it, as Step one minibatch does. Clicking a link or a neuron opens the loss along
// that weight or bias (inspect/slice.js); the panel writes the seed's column form or the engine's
// row form, rounded or with every digit (inspect/convention.js).
//
// Pick a point with the Inspect button, "Clicking the plot: inspects the nearest point" (an empty
// spot: that very point, with the nearest point's label), the previous/next buttons (or P / N),
// by number, or "any point" and its x₁, x₂ and label; ← → change the stage; Escape (or play) leaves.
// Other views pick one with an `inspect-point` event on document: detail {set, index} (the digits
// gallery), or a free point of any width {x: [...inputs], label, onlyIfFollowing} (the drawing
// pad: 64 pixels; with onlyIfFollowing only while Inspect already follows a free point).

import { api, ApiError } from "../api.js";
import { applySnapshot, exclusive, nextSince, setRunning, snapshotOptions } from "../frame-loop.js";
import { emitLessonEvent } from "../learner-events.js";
import { sessionLost } from "../session.js";
import { BATCH_STAGES, BatchMarkers, BatchPoints, batchSummary, explainBatch } from "../inspect/batch.js";
import { DEFAULT_CONVENTION, CONVENTIONS, NotationBar } from "../inspect/convention.js";
import { STAGES, defaultFocus, explain, render } from "../inspect/equations.js";
import { PointMarker, nearestPoint, planeAt, planePerPixel } from "../inspect/marker.js";
import { sig, sub } from "../inspect/numbers.js";
import { InspectOverlay, focusKey } from "../inspect/overlay.js";
import { Practice } from "../inspect/practice.js";
import { SliceChart } from "../inspect/slice.js";

const $ = (id) => document.getElementById(id);
const DRAW_MODE = "inspect";   // the value of "Clicking the plot: inspects the nearest point"
const DIVERGED = "This network has diverged (its numbers are no longer finite): reset it, then inspect a point.";
const NEAR_PX = 8;             // a click within this of a data point picks it; farther: that spot

export default function inspectView(page) {
  const { state } = page;
  const el = $("inspect");
  const ui = {
    toggle: $("btn-inspect"), body: $("inspect-body"), stages: [...el.querySelectorAll("[data-stage]")],
    set: $("inspect-set"), index: $("inspect-index"), count: $("inspect-count"), prev: $("btn-inspect-prev"),
    next: $("btn-inspect-next"), apply: $("btn-inspect-apply"),
    summary: $("inspect-summary"), panel: $("inspect-panel"), losses: $("inspect-losses"), drawMode: $("draw-mode"),
    modes: { point: $("inspect-mode-point"), batch: $("inspect-mode-batch") },
    free: $("inspect-free"), x1: $("inspect-x1"), x2: $("inspect-x2"), label: $("inspect-label"),
  };
  const my = {
    active: false, stage: 0, trace: null, error: null,
    mode: "point",     // "point" | "batch" (the next minibatch)
    // {set: "train" | "test", index} or {set: "free", x: [x1, x2], label}
    point: { set: "train", index: 0 },
    batchPoint: 0,     // which point of the minibatch the forward pass follows
    hover: null, pinned: null,
    takenAt: -1,       // state.version the trace was read at
    queued: false,     // a trace request waits its turn
    seq: 0,            // answers older than the newest request are dropped
    losses: [], pointKey: "", applied: false, applying: false,
  };
  const overlay = new InspectOverlay($("network"), {
    onHover(f) { if (focusKey(f) !== focusKey(my.hover)) { my.hover = f; explainFocus(); } },
    onPick(f) {
      if (practice.on) { practice.pick(f); return; }
      my.pinned = f && focusKey(f) === focusKey(my.pinned) ? null : f; explainFocus(); syncSlice();
    },
  });
  // Practice (inspect/practice.js): the stage's numbers as boxes the learner fills in (one point,
  // plain gradient descent: not in minibatch mode).
  const practice = new Practice($("practice"), $("btn-practice"), page, {
    enter: () => { enter(); setMode("point"); }, stage: () => STAGES[my.stage], point: () => ({ ...my.point }),
    mark: (f) => { if (my.active) overlay.mark(f); }, changed: () => paint(),
  });
  const marker = new PointMarker($("boundary"));
  const batchMarks = new BatchMarkers($("boundary"));
  const batchPoints = new BatchPoints(ui.summary, (k) => { my.batchPoint = k; reload(); });
  const notation = new NotationBar(ui.panel, { state, save: () => page.saveView() }, () => { paint(); syncSlice(); });
  const slice = new SliceChart(ui.panel, page, () => { leave(); sessionLost(); });
  const TOGGLE_TEXT = ui.toggle.textContent, TOGGLE_TITLE = ui.toggle.title;

  // ---------------------------------------------------------------- entering, leaving
  function enter(point) {
    if (state.running) setRunning(false);
    if (point) { my.point = point; if (my.mode === "batch") setMode("point", false); }
    if (!my.active) {
      my.active = true;
      my.stage = 0;
      overlay.setOn(true);
      el.classList.add("on");
      ui.toggle.setAttribute("aria-pressed", "true");
      ui.toggle.textContent = "Inspecting ✕";
      ui.toggle.title = "Leave Inspect mode (Esc; playing leaves it too)";
      ui.body.hidden = false;
      ui.drawMode.value = DRAW_MODE;
      reveal();
      emitLessonEvent("inspected");
    }
    clampPoint();
    reload();
  }

  function leave() {
    if (!my.active) return;
    my.active = false;
    my.trace = null; my.error = null; my.hover = null; my.pinned = null; my.losses = [];
    my.seq++;
    practice.close();
    overlay.setOn(false);
    marker.show(null);
    batchMarks.show([]);
    batchPoints.show(null);
    slice.close();
    el.classList.remove("on", "loading");
    ui.toggle.setAttribute("aria-pressed", "false");
    ui.toggle.textContent = TOGGLE_TEXT;
    ui.toggle.title = TOGGLE_TITLE;
    ui.body.hidden = true;
    if (ui.drawMode.value === DRAW_MODE) ui.drawMode.value = "";
  }

  /** Scroll so the panel shows as far as it can without pushing the diagram's top off screen. */
  function reveal() {
    const net = $("network").getBoundingClientRect(), box = el.getBoundingClientRect();
    const down = Math.min(net.top, box.bottom - window.innerHeight);
    const up = Math.min(0, net.top);
    const by = down > 0 ? down : up;
    if (by) window.scrollBy({ top: by, behavior: "smooth" });
  }

  // ---------------------------------------------------------------- the point
  const points = (set) => state.data?.[set]?.x.length || 0;

  function clampPoint() {
    if (my.point.set === "free") return;
    if (!points(my.point.set) && points("train")) my.point.set = "train";
    const n = points(my.point.set);
    my.point.index = Math.max(0, Math.min(n - 1, my.point.index | 0));
  }

  function choose(point) {
    my.point = point;
    clampPoint();
    reload();
  }

  function walk(step) {
    if (my.mode === "batch" || my.point.set === "free") return;
    const n = points(my.point.set);
    if (n) choose({ set: my.point.set, index: (my.point.index + step + n) % n });
  }

  /** A point of the plane that is not in the data: the nearest data point's label by default. */
  function freePoint([x1, x2], label) {
    if (label == null) {
      const near = nearestPoint(state.data, [x1, x2], true);
      label = near ? state.data[near.set].label[near.index] : 0;
    }
    const round = (v) => Math.round(v * 1000) / 1000;
    return { set: "free", x: [round(x1), round(x2)], label };
  }

  /** The typed x₁, x₂ and label: a free point (a value the server refuses says so there). */
  function typedPoint() {
    const [x1, x2, label] = [ui.x1, ui.x2, ui.label].map((i) => Number(i.value));
    if (![x1, x2, label].every(Number.isFinite) || [ui.x1, ui.x2, ui.label].some((i) => i.value.trim() === "")) return;
    choose({ set: "free", x: [x1, x2], label });
  }

  // ---------------------------------------------------------------- the mode
  /** "point": this point, plain gradient descent; "batch": the next minibatch, the optimizer's step. */
  function setMode(mode, load = true) {
    if (mode === my.mode) return;
    if (mode === "batch") practice.close();
    my.mode = mode;
    my.trace = null;
    my.error = null;
    my.losses = [];
    for (const [name, b] of Object.entries(ui.modes)) b.setAttribute("aria-pressed", String(name === mode));
    el.dataset.mode = mode;
    const names = mode === "batch" ? BATCH_STAGES : STAGES;
    ui.stages.forEach((b, i) => { b.textContent = `${"①②③④"[i]} ${names[i]}`; });
    ui.stages[3].title = mode === "batch"
      ? "The optimizer's step: its rule with this weight's numbers, its state before → after (←/→)"
      : "The gradient-descent step: Δw = −α ∂L/∂w and the new weights (←/→)";
    ui.apply.textContent = mode === "batch" ? "Apply this step" : "Apply this update";
    ui.apply.title = mode === "batch"
      ? "Take this minibatch step: exactly what Step one minibatch (or training) does next"
      : "Take exactly this gradient-descent step on this one point (every w ← w − α·∂L/∂w)";
    if (load) reload();
  }

  // ---------------------------------------------------------------- the trace
  function reload() { my.takenAt = -1; want(); paint(); }

  /** What the trace asks for: the next minibatch, a point of the data, or a free point. */
  function traceBody() {
    if (my.mode === "batch") return { batch: "next", batch_point: my.batchPoint };
    if (my.point.set === "free") return { x: [...my.point.x], label: my.point.label };
    return { point: { set: my.point.set, index: my.point.index } };
  }

  /** Fetch the trace when the session changed since the last one (paused only). */
  function want() {
    if (!my.active || state.running || my.queued || my.takenAt === state.version || !state.id) return;
    if (state.status === "diverged") {   // the server would refuse (422 naming status): say why now
      my.takenAt = state.version;
      my.trace = null;
      my.error = DIVERGED;
      paint();
      return;
    }
    my.queued = true;
    const seq = ++my.seq;
    el.classList.add("loading");
    exclusive(async () => {
      my.queued = false;
      if (seq !== my.seq || !my.active) return;
      const body = traceBody();
      my.takenAt = state.version;
      let res = null, err = null;
      try { res = await api.trace(state.id, body); } catch (e) { err = e; }
      if (seq !== my.seq || !my.active) return;
      el.classList.remove("loading");
      if (err && err.field === "batch_point" && my.batchPoint > 0) {   // a shorter minibatch
        my.batchPoint = 0;
        my.takenAt = -1;
      } else if (err) {
        if (err instanceof ApiError && err.status === 404) { leave(); sessionLost(); return; }
        my.trace = null;
        my.error = err.field === "status" ? DIVERGED : `Could not trace this point: ${err instanceof ApiError ? err.describe() : err.message}`;
      } else {
        const key = JSON.stringify(body);
        if (key !== my.pointKey || !my.applied) my.losses = [];
        my.losses.push(res.loss);
        my.pointKey = key;
        my.applied = false;
        my.trace = res;
        my.error = null;
        if (my.pinned && !fits(my.pinned, res)) my.pinned = null;
        if (my.hover && !fits(my.hover, res)) my.hover = null;
        syncSlice();
      }
      paint(true);
      want();   // the session moved on while we asked
    });
  }

  function fits(f, t) {
    const L = t.layers.length;
    if (f.kind === "input") return f.i < t.input.values.length;
    if (f.kind === "loss") return true;
    if (f.l >= L) return false;
    if (f.kind === "neuron") return f.j < t.layers[f.l].b.length;
    return f.i < t.layers[f.l].W.length && f.j < t.layers[f.l].b.length;
  }

  function applyUpdate() {
    if (!my.trace || my.applying || state.status === "diverged") return;
    my.applying = true;
    ui.apply.disabled = true;
    const body = traceBody();
    exclusive(async () => {
      try {
        const res = await api.trace(state.id, { ...body, apply: true, snapshot: snapshotOptions(nextSince()) });
        my.applied = JSON.stringify(body) === my.pointKey;
        applySnapshot(res.snapshot);   // the boundary, the metrics and the diagram move; take() re-traces
        page.toast(res.mode === "batch"
          ? `Step taken: ${res.optimizer.label} on ${res.batch.size} points${res.snapshot.epoch > res.epoch ? ` — epoch ${res.snapshot.epoch} is done, the curves have a new point` : ""}.`
          : `Applied: every weight moved by −α·∂L/∂w for this point (α = ${sig(res.learning_rate)}).`, "live", 1800);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) { leave(); sessionLost(); return; }
        page.toast(`Could not apply the update: ${err instanceof ApiError ? err.describe() : err.message}`, "error", 5000);
      }
    }).finally(() => { my.applying = false; paint(); });
  }

  // ---------------------------------------------------------------- drawing
  const context = () => ({
    activations: new Map(state.options.activations.map((a) => [a.name, a])),
    losses: new Map(state.options.losses.map((l) => [l.name, l])),
    features: new Map(state.options.features.map((f) => [f.name, f])),
    problem: state.config.problem,
    conv: notation.settings.conv,
  });

  function explainFocus() {
    if (!my.active || !my.trace) return;
    if (practice.on) { overlay.mark(practice.mainFocus()); return; }   // the panel is Practice's
    const focus = my.hover || my.pinned;
    overlay.mark(focus || defaultFocus(my.trace, my.stage));
    const it = (my.trace.mode === "batch" ? explainBatch : explain)(my.trace, focus, my.stage, context());
    render(ui.panel, it, { allDigits: notation.settings.allDigits });
    ui.panel.dataset.focus = focus ? focusKey(focus) : "default";
  }

  /** The loss along the chosen weight or bias (a clicked link or neuron); closed otherwise. */
  function syncSlice() {
    const f = my.pinned, t = my.trace;
    if (!my.active || !t || !f || (f.kind !== "link" && f.kind !== "neuron")) { slice.close(); return; }
    const conv = notation.settings.conv, weight = f.kind === "link";
    const param = weight ? { layer: f.l, kind: "W", row: f.i, col: f.j } : { layer: f.l, kind: "b", col: f.j };
    const label = weight ? `${conv.w(f.i, f.j)} · weight, layer ${f.l + 1}` : `b${sub(f.j + 1)} · bias, layer ${f.l + 1}`;
    const body = traceBody();
    const sources = my.mode === "batch"
      ? [{ on: "batch", text: "this minibatch", body: {} }, { on: "train", text: "the training set", body: {} }]
      : [{ on: "point", text: "this point", body }, { on: "train", text: "the training set", body: {} }];
    const L = t.layers[f.l];
    const step = t.mode === "batch" ? { name: `${t.optimizer.label}'s step w + Δw`, value: weight ? L.update_W[f.i][f.j] : L.update_b[f.j] } : null;
    slice.show(param, label, sources, step);
  }

  function paint(animate = false) {
    if (!my.active) return;
    notation.sync();
    const free = my.point.set === "free", batch = my.mode === "batch";
    // (a real set's point is its many inputs: it has no x₁, x₂ to type and no place on the plot)
    const plane = !free || my.point.x.length === 2, planeSet = state.config.features !== null;
    const n = free ? 0 : points(my.point.set);
    ui.set.value = my.point.set;
    ui.set.querySelector('[value="test"]').disabled = !points("test");
    ui.set.querySelector('[value="free"]').disabled = !planeSet;
    ui.index.max = String(Math.max(0, n - 1));
    if (document.activeElement !== ui.index && !free) ui.index.value = String(my.point.index);
    ui.count.textContent = free ? "" : `of ${n}`;
    for (const node of [ui.index, ui.count, ui.prev, ui.next]) node.hidden = free;
    ui.free.hidden = !free || !plane;
    if (free && plane) showTyped();
    ui.stages.forEach((b, i) => { b.setAttribute("aria-selected", String(i === my.stage)); b.tabIndex = i === my.stage ? 0 : -1; });
    el.dataset.stage = (batch ? BATCH_STAGES : STAGES)[my.stage].toLowerCase();
    ui.apply.disabled = !my.trace || my.applying || state.status === "diverged";
    const d = !free && state.data?.[my.point.set];
    const at = my.trace ? my.trace.input.point : free ? my.point.x : d ? [d.x[my.point.index], d.y[my.point.index]] : null;
    marker.show(at && at.length === 2 && planeSet ? at : null);
    const train = state.data?.train;
    batchMarks.show(batch && my.trace?.batch && train ? my.trace.batch.indices.map((i) => [train.x[i], train.y[i]]) : []);
    batchPoints.show(batch && my.trace?.batch ? my.trace : null);
    ui.summary.replaceChildren(...summary());
    ui.losses.textContent = batch
      ? (my.trace ? "“Apply this step” takes exactly this step, as Step one minibatch (and training) would; then the next minibatch shows." : "")
      : my.losses.length > 1
        ? `This point's loss: ${my.losses.map((v) => sig(v)).join(" → ")} after ${my.losses.length - 1} applied update${my.losses.length > 2 ? "s" : ""}.`
        : my.trace ? "“Apply this update” takes exactly this step; press it again to watch this point's loss fall." : "";
    practice.sync();
    if (my.error) {
      overlay.clear();
      ui.panel.replaceChildren(Object.assign(document.createElement("p"), { className: "eq-error", textContent: my.error }));
      return;
    }
    if (!my.trace) return;
    // Practising, the links show the weights (the given numbers), never a stage's answers.
    overlay.show(my.trace, practice.on ? 0 : my.stage, { animate, classes: my.trace.output.length > 1, act: notation.settings.conv.act });
    explainFocus();
  }

  /** The free point's x₁, x₂ and label in their fields (unless one is being typed in). */
  function showTyped() {
    const regression = state.config.problem === "regression";
    const classes = state.config.problem === "multiclass" ? state.config.n_classes : 2;
    Object.assign(ui.label, regression ? { min: "", max: "", step: "any" } : { min: "0", max: String(classes - 1), step: "1" });
    [[ui.x1, my.point.x[0]], [ui.x2, my.point.x[1]], [ui.label, my.point.label]].forEach(([input, v]) => {
      if (document.activeElement !== input) input.value = String(v);
    });
  }

  function summary() {
    const t = my.trace, { set, index } = my.point;
    const span = (text, q) => { const s = document.createElement("span"); s.textContent = text; if (q) s.dataset.q = q; return s; };
    const drawn = set === "free" && my.point.x.length !== 2;
    const name = drawn ? "Your drawing" : set === "free" ? "Any point" : `${set === "train" ? "Training" : "Test"} point ${index}`;
    if (my.mode === "batch") return [span(t?.batch ? batchSummary(t) : "The next minibatch …")];
    if (!t) return [span(`${name} …`)];
    const [x1, x2] = t.input.point;
    const parts = [span(t.input.point.length === 2 ? `${name} at (${sig(x1, 3)}, ${sig(x2, 3)})` : name)];
    if (state.config.problem === "regression") parts.push(span(` · value ${sig(t.label)} · ŷ = ${sig(t.output[0])}`));
    else if (t.output.length > 1) {
      const k = t.output.indexOf(Math.max(...t.output));
      parts.push(span(` · class ${t.label} · predicted ${k} (p = ${sig(t.output[k], 3)})`));
    } else parts.push(span(` · class ${t.label} · ŷ = ${sig(t.output[0])}`));
    parts.push(span(" · loss "), span(sig(t.loss), "loss"), span(` · epoch ${t.epoch}`));
    return parts;
  }

  function setStage(s) {
    const next = Math.max(0, Math.min(STAGES.length - 1, s));
    if (next === my.stage) return;
    my.stage = next;
    paint(true);
  }

  // ---------------------------------------------------------------- controls
  ui.toggle.addEventListener("click", () => (my.active ? leave() : enter()));
  ui.stages.forEach((b) => b.addEventListener("click", () => setStage(Number(b.dataset.stage))));
  ui.prev.addEventListener("click", () => walk(-1));
  ui.next.addEventListener("click", () => walk(+1));
  ui.apply.addEventListener("click", applyUpdate);
  ui.set.addEventListener("change", () => {
    if (ui.set.value !== "free") { choose({ set: ui.set.value, index: my.point.index ?? 0 }); return; }
    const t = my.trace;   // any point: start from where the inspected point is
    choose(freePoint(t ? t.input.point : [0, 0], t && my.mode === "point" ? t.label : null));
  });
  for (const input of [ui.x1, ui.x2, ui.label]) input.addEventListener("change", typedPoint);
  for (const [mode, b] of Object.entries(ui.modes)) b.addEventListener("click", () => setMode(mode));
  ui.index.addEventListener("change", () => {
    const v = Math.floor(Number(ui.index.value));
    if (Number.isFinite(v)) choose({ set: my.point.set, index: v }); else paint();
  });
  ui.drawMode.addEventListener("change", () => { if (ui.drawMode.value === DRAW_MODE) enter(); });
  document.addEventListener("inspect-point", (e) => {
    const { onlyIfFollowing, x, label, ...ref } = e.detail;
    if (onlyIfFollowing && !(my.active && my.mode === "point" && my.point.set === "free")) return;
    const point = x ? { set: "free", x: [...x], label } : ref;
    if (my.active && my.mode === "point") choose(point); else enter(point);
  });
  // Capture: in "inspects the nearest point" mode a click on the plot picks a point and adds none;
  // a click on an empty spot inspects that very spot.
  $("boundary").parentElement.addEventListener("click", (e) => {
    if (ui.drawMode.value !== DRAW_MODE) return;
    e.stopPropagation();
    const plot = $("boundary"), at = planeAt(plot, e);
    if (!at) return;
    const p = nearestPoint(state.data, at, state.view.showTest);
    if (p && p.distance <= NEAR_PX * planePerPixel(plot)) enter({ set: p.set, index: p.index });
    else enter(freePoint(at));
  }, true);
  document.addEventListener("keydown", (e) => {
    if (!my.active || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement || t.isContentEditable) return;
    const key = e.key;
    if (key === "ArrowRight" || key === "ArrowLeft") { e.preventDefault(); setStage(my.stage + (key === "ArrowRight" ? 1 : -1)); }
    else if (key === "n" || key === "N") walk(+1);
    else if (key === "p" || key === "P") walk(-1);
    else if (key === "Escape" && $("weight-editor").hidden) leave();
  });

  return {
    name: "inspect",
    el,
    practice,   // for tests: its exercise, answers and results
    wants: () => ({}),
    take(snap, s) {
      if (!my.active) return;
      if (s.running) leave(); else { want(); slice.stale(); }
    },
    configure() {
      // "Clicking the plot" gets one more choice (its menu is rebuilt when the problem changes).
      if (!state.hidden.has("inspect") && !ui.drawMode.querySelector(`option[value="${DRAW_MODE}"]`)) {
        const o = document.createElement("option");
        o.value = DRAW_MODE;
        o.textContent = "inspects the nearest point";
        ui.drawMode.append(o);
      }
      if (my.active) { ui.drawMode.value = DRAW_MODE; clampPoint(); reload(); }
      practice.configure();
    },
    draw(s) {
      if (my.active && s.running) leave();
    },
    link: {
      conv: { key: "convention", default: DEFAULT_CONVENTION, type: "choice", values: Object.keys(CONVENTIONS), input: notation.select },
      digits: { key: "allDigits", default: false, type: "bool", input: notation.digits },
    },
  };
}
