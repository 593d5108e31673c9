// Inspect: one point followed through the network, in four stages — ① Forward (inputs, then each
// neuron's z and a, left to right), ② Loss (ŷ, the target, the loss), ③ Backward (each neuron's δ,
// right to left; links by ∂L/∂w) and ④ Update (Δw = −α ∂L/∂w and the new weights) — with the
// seed's equation for the hovered or chosen neuron or link, numbers substituted, in a panel under
// the diagram. "Apply this update" takes exactly that step. The numbers are the server's
// (POST /api/sessions/<id>/trace, nn_core's textbook path); nothing is computed here.
//
// Pick a point with the Inspect button, "Clicking the plot: inspects the nearest point", the
// previous/next buttons (or P / N) or by number; ← → change the stage; Escape (or play) leaves.

import { api, ApiError } from "../api.js";
import { applySnapshot, exclusive, nextSince, setRunning, snapshotOptions } from "../frame-loop.js";
import { emitLessonEvent } from "../learner-events.js";
import { sessionLost } from "../session.js";
import { STAGES, defaultFocus, explain, render } from "../inspect/equations.js";
import { PointMarker, nearestPoint, planeAt } from "../inspect/marker.js";
import { sig } from "../inspect/numbers.js";
import { InspectOverlay, focusKey } from "../inspect/overlay.js";
import { Practice } from "../inspect/practice.js";

const $ = (id) => document.getElementById(id);
const DRAW_MODE = "inspect";   // the value of "Clicking the plot: inspects the nearest point"
const DIVERGED = "This network has diverged (its numbers are no longer finite): reset it, then inspect a point.";

export default function inspectView(page) {
  const { state } = page;
  const el = $("inspect");
  const ui = {
    toggle: $("btn-inspect"), body: $("inspect-body"), stages: [...el.querySelectorAll("[data-stage]")],
    set: $("inspect-set"), index: $("inspect-index"), count: $("inspect-count"), prev: $("btn-inspect-prev"),
    next: $("btn-inspect-next"), apply: $("btn-inspect-apply"),
    summary: $("inspect-summary"), panel: $("inspect-panel"), losses: $("inspect-losses"), drawMode: $("draw-mode"),
  };
  const my = {
    active: false, stage: 0, point: { set: "train", index: 0 }, trace: null, error: null,
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
      my.pinned = f && focusKey(f) === focusKey(my.pinned) ? null : f; explainFocus();
    },
  });
  // Practice (inspect/practice.js): the stage's numbers as boxes the learner fills in.
  const practice = new Practice($("practice"), $("btn-practice"), page, {
    enter: () => enter(), stage: () => STAGES[my.stage], point: () => ({ ...my.point }),
    mark: (f) => { if (my.active) overlay.mark(f); }, changed: () => paint(),
  });
  const marker = new PointMarker($("boundary"));
  const TOGGLE_TEXT = ui.toggle.textContent, TOGGLE_TITLE = ui.toggle.title;

  // ---------------------------------------------------------------- entering, leaving
  function enter(point) {
    if (state.running) setRunning(false);
    if (point) my.point = point;
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
    if (!points(my.point.set) && points("train")) my.point.set = "train";
    const n = points(my.point.set);
    my.point.index = Math.max(0, Math.min(n - 1, my.point.index | 0));
  }

  function choose(point) {
    my.point = point;
    clampPoint();
    my.pinned = null;
    reload();
  }

  function walk(step) {
    const n = points(my.point.set);
    if (n) choose({ set: my.point.set, index: (my.point.index + step + n) % n });
  }

  // ---------------------------------------------------------------- the trace
  function reload() { my.takenAt = -1; want(); paint(); }

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
      const point = { ...my.point };
      my.takenAt = state.version;
      let res = null, err = null;
      try { res = await api.trace(state.id, { point }); } catch (e) { err = e; }
      if (seq !== my.seq || !my.active) return;
      el.classList.remove("loading");
      if (err) {
        if (err instanceof ApiError && err.status === 404) { leave(); sessionLost(); return; }
        my.trace = null;
        my.error = err.field === "status" ? DIVERGED : `Could not trace this point: ${err instanceof ApiError ? err.describe() : err.message}`;
      } else {
        const key = `${point.set}:${point.index}`;
        if (key !== my.pointKey || !my.applied) my.losses = [];
        my.losses.push(res.loss);
        my.pointKey = key;
        my.applied = false;
        my.trace = res;
        my.error = null;
        if (my.pinned && !fits(my.pinned, res)) my.pinned = null;
        if (my.hover && !fits(my.hover, res)) my.hover = null;
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
    const point = { ...my.point };
    exclusive(async () => {
      try {
        const res = await api.trace(state.id, { point, apply: true, snapshot: snapshotOptions(nextSince()) });
        my.applied = `${point.set}:${point.index}` === my.pointKey;
        applySnapshot(res.snapshot);   // the boundary, the metrics and the diagram move; take() re-traces
        page.toast(`Applied: every weight moved by −α·∂L/∂w for this point (α = ${sig(res.learning_rate)}).`, "live", 1800);
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
  });

  function explainFocus() {
    if (!my.active || !my.trace) return;
    if (practice.on) { overlay.mark(practice.mainFocus()); return; }   // the panel is Practice's
    const focus = my.hover || my.pinned;
    overlay.mark(focus || defaultFocus(my.trace, my.stage));
    render(ui.panel, explain(my.trace, focus, my.stage, context()));
    ui.panel.dataset.focus = focus ? focusKey(focus) : "default";
  }

  function paint(animate = false) {
    if (!my.active) return;
    const n = points(my.point.set);
    ui.set.value = my.point.set;
    ui.set.querySelector('[value="test"]').disabled = !points("test");
    ui.index.max = String(Math.max(0, n - 1));
    if (document.activeElement !== ui.index) ui.index.value = String(my.point.index);
    ui.count.textContent = `of ${n}`;
    ui.stages.forEach((b, i) => { b.setAttribute("aria-selected", String(i === my.stage)); b.tabIndex = i === my.stage ? 0 : -1; });
    el.dataset.stage = STAGES[my.stage].toLowerCase();
    ui.apply.disabled = !my.trace || my.applying || state.status === "diverged";
    const d = state.data?.[my.point.set];
    marker.show(my.trace ? my.trace.input.point : d ? [d.x[my.point.index], d.y[my.point.index]] : null);
    ui.summary.replaceChildren(...summary());
    ui.losses.textContent = my.losses.length > 1
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
    overlay.show(my.trace, practice.on ? 0 : my.stage, { animate, classes: my.trace.output.length > 1 });
    explainFocus();
  }

  function summary() {
    const t = my.trace, { set, index } = my.point;
    const span = (text, q) => { const s = document.createElement("span"); s.textContent = text; if (q) s.dataset.q = q; return s; };
    if (!t) return [span(`${set === "train" ? "Training" : "Test"} point ${index} …`)];
    const [x1, x2] = t.input.point;
    const parts = [span(`${set === "train" ? "Training" : "Test"} point ${index} at (${sig(x1, 3)}, ${sig(x2, 3)})`)];
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
  ui.set.addEventListener("change", () => choose({ set: ui.set.value, index: my.point.index }));
  ui.index.addEventListener("change", () => {
    const v = Math.floor(Number(ui.index.value));
    if (Number.isFinite(v)) choose({ set: my.point.set, index: v }); else paint();
  });
  ui.drawMode.addEventListener("change", () => { if (ui.drawMode.value === DRAW_MODE) enter(); });
  // Capture: in "inspects the nearest point" mode a click on the plot picks a point and adds none.
  $("boundary").parentElement.addEventListener("click", (e) => {
    if (ui.drawMode.value !== DRAW_MODE) return;
    e.stopPropagation();
    const at = planeAt($("boundary"), e);
    const p = at && nearestPoint(state.data, at, state.view.showTest);
    if (p) enter(p);
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
      if (s.running) leave(); else want();
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
  };
}
