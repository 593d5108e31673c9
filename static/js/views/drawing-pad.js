// The drawing pad (image datasets): draw a digit with the mouse, a pen or a finger; it is reduced
// to the set's 64 inputs the way the set was made (digits/reduce.js: crop, centre, 32 × 32
// bitmap, counts per 4 × 4 block), shown as the network sees it, and sent to
// POST /api/sessions/<id>/predict as you draw: the class probabilities update live, and again
// whenever the network changes (while training, a few times a second). "Inspect" follows your
// digit through the network (Inspect's free point: the 64 values and the label you chose).

import { api, ApiError } from "../api.js";
import { CLASS_COLORS, rgb } from "../colors.js";
import { digitFromDrawing, inkOf } from "../digits/reduce.js";
import { paintInk } from "../figures/pixel-images.js";
import { className, datasetInfo, kind, markKind } from "../realdata/sets.js";

const $ = (id) => document.getElementById(id);
const SIDE = 256;          // the pad's pixels (CSS scales it); the reduction crops to the ink anyway
// The set's writers' strokes are a sixth to a quarter of a digit's height (nn_core/digit_drawing.py):
// a digit drawn over most of the pad gets such strokes from this brush.
const BRUSH = 28;
const RUNNING_MS = 250;    // while training, the probabilities follow the network this often

export default function drawingPadView(page) {
  const { state } = page;
  const root = $("drawing-pad"), pad = $("draw-pad"), seen = $("draw-seen"), bars = $("draw-probs");
  const choice = $("draw-label"), note = $("draw-note");
  const ctx = pad.getContext("2d", { willReadFrequently: true });   // (read back at every stroke)
  pad.width = pad.height = SIDE;
  const my = {
    digit: null,          // the 64 inputs of the drawing (null: nothing drawn)
    drawn: 0,             // strokes so far (a new one changes the digit)
    asked: -1,            // the drawing and network the last answer is about: `${drawn}|${version}`
    inFlight: false, probabilities: null, labels: null, sentAt: 0, last: null,
  };
  let rows = [];

  // ---------------------------------------------------------------- drawing
  let stroke = null;   // the pointer drawing, and where it was
  const at = (e) => { const r = pad.getBoundingClientRect(); return [((e.clientX - r.left) / r.width) * SIDE, ((e.clientY - r.top) / r.height) * SIDE]; };
  function line(from, to) {
    ctx.strokeStyle = "#000";
    ctx.lineWidth = BRUSH;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(...from);
    ctx.lineTo(...to);
    ctx.stroke();
  }
  pad.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    pad.setPointerCapture(e.pointerId);
    stroke = { id: e.pointerId, last: at(e) };
    line(stroke.last, stroke.last);
    changed();
  });
  pad.addEventListener("pointermove", (e) => {
    if (!stroke || e.pointerId !== stroke.id) return;
    for (const p of e.getCoalescedEvents?.() || [e]) { const next = at(p); line(stroke.last, next); stroke.last = next; }
    changed();
  });
  const end = (e) => {
    if (!stroke || e.pointerId !== stroke.id) return;
    stroke = null;
    changed();
    follow(true);
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);

  function changed() {
    my.drawn++;
    my.digit = digitFromDrawing(inkOf(ctx, SIDE, SIDE), SIDE, SIDE);
    if (!my.digit.some((v) => v > 0)) my.digit = null;
    showSeen();
    ask();
  }

  function clear() {
    ctx.clearRect(0, 0, SIDE, SIDE);
    my.drawn++;
    my.digit = null;
    my.probabilities = my.labels = null;
    showSeen();
    showBars();
  }
  $("draw-clear").addEventListener("click", clear);
  $("draw-inspect").addEventListener("click", () => follow(false));
  choice.addEventListener("change", () => follow(true));

  // ---------------------------------------------------------------- asking the network
  /** Ask for the probabilities of the current drawing, unless an answer about it (and about the
   * network as it is) is here or on its way; the answer asks again if either moved meanwhile. */
  function ask() {
    const key = `${my.drawn}|${state.version}`;
    if (!my.digit || my.inFlight || key === my.asked || !state.id || state.status !== "ok") return;
    my.inFlight = true;
    my.asked = key;
    my.sentAt = performance.now();
    const id = state.id;
    api.predict(id, { points: [my.digit] }).then((res) => {
      if (id !== state.id || !my.digit) return;   // (an answer about an older stroke still shows; the next is asked)
      my.probabilities = res.probabilities[0];
      my.labels = res.labels;
      showBars();
      follow(true);   // (Inspect, if it follows the drawing, takes the new guess as its label)
    }, (err) => {
      // A lost session is recovered by the loop; a refusal is said once, under the pad.
      if (!(err instanceof ApiError && err.status === 404)) note.textContent = `Could not ask the network: ${err.message}`;
    }).finally(() => {
      my.inFlight = false;
      if (!state.running) ask();
    });
  }

  /** Inspect this digit; `onlyIfFollowing`: only if Inspect already follows a drawing. */
  function follow(onlyIfFollowing) {
    if (!my.digit) { if (!onlyIfFollowing) page.toast("Draw a digit first.", "info", 2000); return; }
    const guess = my.probabilities ? my.probabilities.indexOf(Math.max(...my.probabilities)) : 0;
    const label = choice.value === "" ? guess : Number(choice.value);
    document.dispatchEvent(new CustomEvent("inspect-point", { detail: { x: my.digit, label, onlyIfFollowing } }));
  }

  // ---------------------------------------------------------------- showing
  function showSeen() {
    const info = datasetInfo(state), [h, w] = info?.image_shape || [8, 8];
    paintInk(seen, my.digit || new Array(h * w).fill(0), w, h);
    note.textContent = my.digit ? "" : "Draw a digit above: large, in one or a few strokes.";
  }

  function buildBars(info) {
    const names = info?.class_names || [];
    bars.replaceChildren();
    rows = names.map((name, c) => {
      const li = document.createElement("li");
      const label = document.createElement("span"), bar = document.createElement("span"), fill = document.createElement("span"), value = document.createElement("span");
      label.className = "dp-class"; label.textContent = name;
      bar.className = "dp-bar"; fill.className = "dp-fill"; value.className = "dp-value";
      fill.style.background = rgb(CLASS_COLORS[c % CLASS_COLORS.length]);
      bar.append(fill);
      li.append(label, bar, value);
      bars.append(li);
      return { li, fill, value };
    });
    const keep = choice.value;
    choice.replaceChildren(new Option("the network's guess", ""), ...names.map((n, c) => new Option(n, String(c))));
    choice.value = names[keep] !== undefined ? keep : "";
  }

  function showBars() {
    const p = my.probabilities;
    const best = p ? p.indexOf(Math.max(...p)) : -1;
    rows.forEach((row, c) => {
      const v = p ? p[c] : 0;
      row.fill.style.width = `${(100 * v).toFixed(1)}%`;
      row.value.textContent = p ? v.toFixed(3) : "–";
      row.li.classList.toggle("best", c === best);
    });
    root.dataset.guess = best >= 0 ? String(best) : "";
    $("draw-guess").textContent = best >= 0 ? `The network says: ${className(datasetInfo(state), best)} (p = ${p[best].toFixed(3)})` : "";
  }

  return {
    name: "drawingpad",
    el: root,
    wants: () => ({}),
    take() {},
    configure(s) {
      if (markKind(s) !== "image") return;
      buildBars(datasetInfo(s));
      my.asked = "";
      showSeen();
      showBars();
      ask();
    },
    draw(s) {
      if (kind(s) !== "image" || !my.digit) return;
      // The network moved (a step, a reset, a new setting): ask again, a few times a second while
      // training runs.
      if (!s.running || performance.now() - my.sentAt > RUNNING_MS) ask();
    },
    // for tests: the 64 inputs of the drawing and the newest probabilities
    digit: () => my.digit && [...my.digit],
    probabilities: () => my.probabilities && [...my.probabilities],
    ink: () => Array.from(inkOf(ctx, SIDE, SIDE)),
    side: SIDE,
  };
}
