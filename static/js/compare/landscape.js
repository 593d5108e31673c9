// The race on the loss landscape: POST /api/sessions/<id>/landscape gives the training data loss over a plane
// through parameter space (centred on the first training run's current weights; by default
// spanned by the two main directions of the runs' paths) and every run's path projected onto it.
// Drawn as a Plotly contour (log-scaled colours) with each run's path as a line and a marker at
// its current position, or as a 3D surface with the paths lying on it.
//
// Each answer is one plane: the surface and the paths always come together (a newer answer has
// a newer plane, so mixing answers would misplace the paths). While the race runs, a new one is
// asked for as soon as the previous has landed and a pause has passed — at least MIN_GAP_MS and
// twice what the last one took — so the landscape follows training without crowding it out.

import { api, ApiError } from "../api.js";

const FONT = { family: "Inter, system-ui, sans-serif", size: 10, color: "#555" };
const RESOLUTION = 41;        // the finest grid; paused, every landscape has it
const COARSEST = 15;
const TARGET_MS = 250;        // running, the grid is made coarser until one costs about this
const MIN_GAP_MS = 400;
const FLOOR = 1e-6;           // log10 of a loss of 0 (hinge) would be −∞
// Low loss light, high loss dark, in cool greys: the runs' colours stand out on every part of it.
const SCALE = [[0, "#fbfcf3"], [0.2, "#e3ecec"], [0.45, "#b4c6d0"], [0.7, "#7890a3"], [0.88, "#4a5f74"], [1, "#273444"]];

const fmtLoss = (v) => (v == null || !Number.isFinite(v) ? "–" : v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(2));

/** Colour-bar ticks for log10 values: 1, 2, 5 × 10^k inside [lo, hi], labelled as plain losses. */
function logTicks(lo, hi) {
  const vals = [], text = [];
  for (let k = Math.floor(lo) - 1; k <= Math.ceil(hi); k++) {
    for (const m of [1, 2, 5]) {
      const v = Math.log10(m) + k;
      if (v >= lo && v <= hi) { vals.push(v); text.push(fmtLoss(m * 10 ** k)); }
    }
  }
  return { tickvals: vals, ticktext: text };
}

/**
 * A path drawn above the surface. It is cut wherever it crosses a grid line, and each point
 * (the epochs' and the cuts') is raised to the highest grid corner of every cell it touches, plus
 * `lift`. Plotly draws the surface as two flat triangles per cell, never above the cell's highest
 * corner, and each piece between two points lies in one cell with both ends at least that high:
 * no part of the surface can hide a path from above. → {x, y, z, epoch} (a cut carries the epoch
 * its piece leads to).
 */
function pathAbove(z, alphas, betas, t, last, lift) {
  const n = alphas.length, m = betas.length, eps = 1e-9;
  const col = (a) => ((a - alphas[0]) / (alphas[n - 1] - alphas[0])) * (n - 1);
  const row = (b) => ((b - betas[0]) / (betas[m - 1] - betas[0])) * (m - 1);
  // the cells a fractional coordinate touches: one inside a cell, two on a grid line
  const cells = (u, k) => {
    const lo = Math.max(0, Math.min(k - 2, Math.ceil(u - eps) - 1)), hi = Math.max(0, Math.min(k - 2, Math.floor(u + eps)));
    return [Math.min(lo, hi), Math.max(lo, hi)];
  };
  const height = (a, b) => {
    const [i0, i1] = cells(col(a), n), [j0, j1] = cells(row(b), m);
    let h = -Infinity;
    for (let j = j0; j <= j1 + 1; j++) for (let i = i0; i <= i1 + 1; i++) { const v = z[j][i]; if (v != null && v > h) h = v; }
    return h + lift;
  };
  const out = { x: [], y: [], z: [], epoch: [] };
  const put = (a, b, e) => { out.x.push(a); out.y.push(b); out.z.push(height(a, b)); out.epoch.push(e); };
  put(t.alpha[0], t.beta[0], t.epoch[0]);
  for (let k = 1; k <= last; k++) {
    const a0 = t.alpha[k - 1], b0 = t.beta[k - 1], a1 = t.alpha[k], b1 = t.beta[k];
    const cuts = [];
    for (const [u0, u1] of [[col(a0), col(a1)], [row(b0), row(b1)]]) {
      if (u0 === u1) continue;
      for (let g = Math.ceil(Math.min(u0, u1)); g <= Math.floor(Math.max(u0, u1)); g++) { const s = (g - u0) / (u1 - u0); if (s > eps && s < 1 - eps) cuts.push(s); }
    }
    cuts.sort((p, q) => p - q);
    for (const s of cuts) put(a0 + (a1 - a0) * s, b0 + (b1 - b0) * s, t.epoch[k]);
    put(a1, b1, t.epoch[k]);
  }
  return out;
}

// What runs must share to be drawn on one landscape (the server checks it too: POST /api/sessions/<id>/landscape).
const SHARED = ["features", "hidden_layers", "activation", "layer_activations", "problem", "n_classes", "output_activation", "loss"];

/** The configuration fields in which some run's network differs from the first run's. */
function networkDiffers(runs) {
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  return SHARED.filter((k) => runs.some((r) => !same(r.config[k], runs[0].config[k])));
}

const differsText = (fields) => `These runs differ in ${fields.join(", ").replace(/_/g, " ")}, so each has its own loss `
  + "surface: there is no single landscape to draw them on. Vary the optimizer, learning rate, batch size, initializer "
  + "or regularization to see their paths on one surface.";

/** Indices of a path's first and last finite points (a diverged run's path ends in nulls). */
function finiteEnds(t) {
  const ok = (k) => Number.isFinite(t.alpha[k]) && Number.isFinite(t.beta[k]);
  let first = 0, last = t.alpha.length - 1;
  while (first <= last && !ok(first)) first++;
  while (last >= first && !ok(last)) last--;
  return first <= last ? [first, last] : null;
}

/** The "now" marker: the run's colour, or a cross where a diverged run was last finite. */
const nowMarker = (run, size) => (run.ok
  ? { size, color: run.color, line: { color: "#fff", width: 2 } }
  : { size, color: run.color, symbol: "x", line: { color: "#fff", width: 1 } });

export class LandscapePanel {
  /** els: {panel, plot, note, mode: [2D button, 3D button], plane: select, zoom: select}. */
  constructor(els, { isRunning, onAnswer }) {
    this.els = els;
    this.isRunning = isRunning;
    this.onAnswer = onAnswer;
    this.mode = "2d";
    this.race = null;
    this.answer = null;          // the newest landscape answer for this race
    this.answerVersion = 0;
    this.drawn = "";
    this.unavailable = null;     // why this race has no landscape now (or null), and
    this.unavailableKind = null; // "differs" (never will), "diverged" (until a reset), "error"
    this.resolution = RESOLUTION;
    this._reset();
    for (const b of els.mode) b.addEventListener("click", () => this.setMode(b.dataset.mode));
    for (const s of [els.plane, els.zoom]) s.addEventListener("change", () => { this.stale = true; this.notBefore = 0; this.pump(); });
  }

  _reset() {
    this.stale = false;          // the race moved since the newest answer was asked for
    this.inFlight = false;
    this.notBefore = 0;
    clearTimeout(this.timer);
  }

  setMode(mode) {
    this.mode = mode === "3d" ? "3d" : "2d";
    for (const b of this.els.mode) b.setAttribute("aria-pressed", String(b.dataset.mode === this.mode));
    this.drawn = "";
    this.draw();
  }

  /** A new race (or none): forget the old one's landscape. */
  setRace(race) {
    this.race = race;
    this.answer = null;
    this.resolution = RESOLUTION;
    this.computeMs = 0;
    this._reset();
    this.drawn = "";
    Plotly.purge(this.els.plot);
    const differs = race ? networkDiffers(race.runs) : [];
    this._unavailable(differs.length ? differsText(differs) : null, "differs");
    if (race) this.invalidate();
  }

  /** The race moved (a round, a reset): a new landscape is due. */
  invalidate() {
    if (this.unavailableKind === "diverged") this._unavailable(null);   // a reset may have cured it
    this.stale = true;
    this.pump();
  }

  _unavailable(text, kind = null) {
    this.unavailable = text;
    this.unavailableKind = text ? kind : null;
    this.els.panel.classList.toggle("is-unavailable", !!text);
    this._note();
  }

  /** Ask for a landscape if one is due and allowed now; otherwise try again when it is. */
  pump() {
    clearTimeout(this.timer);
    if (!this.race || !this.stale || this.inFlight || this.unavailable) return;
    // Paused, the final positions are wanted at once; running, the pause lets training breathe.
    const wait = this.isRunning() ? this.notBefore - performance.now() : 0;
    if (wait > 0) { this.timer = setTimeout(() => this.pump(), wait); return; }
    this._request(this.race);
  }

  async _request(race) {
    // The origin is the first listed run: list the runs still training first (a diverged run's
    // weights cannot be the centre), each keeps its colour through the answer's ids.
    const order = [...race.runs.filter((r) => r.ok), ...race.runs.filter((r) => !r.ok)];
    if (!race.anyTraining) { this._unavailable("Every run has diverged: there is no finite point to centre the landscape on. Reset the race.", "diverged"); return; }
    this.stale = false;
    this.inFlight = true;
    const started = performance.now();
    const body = { sessions: order.map((r) => r.id), resolution: this._resolution(), span: Number(this.els.zoom.value), directions: this.els.plane.value, seed: 0 };
    try {
      const answer = await api.landscape(body);
      if (race !== this.race) return;
      this.answer = answer;
      this.answerVersion++;
      this.computeMs = answer.timing?.compute_ms ?? 0;
      this.onAnswer();
    } catch (err) {
      if (race !== this.race) return;
      this._refused(err);
    } finally {
      if (race === this.race) {
        this.inFlight = false;
        const took = performance.now() - started;
        this.notBefore = performance.now() + (this.isRunning() ? Math.max(MIN_GAP_MS, 2 * took) : 0);
        this.pump();
      }
    }
  }

  /** The grid for the next request: the finest allowed, coarser while running when it is slow
   * (work grows with the square of the resolution). */
  _resolution() {
    const last = this.answer?.resolution ?? this.resolution;
    if (!this.isRunning() || !(this.computeMs > TARGET_MS)) return this.resolution;
    const r = Math.floor(last * Math.sqrt(TARGET_MS / this.computeMs));
    return Math.min(this.resolution, Math.max(COARSEST, r - (1 - (r % 2))));   // odd
  }

  _refused(err) {
    if (err instanceof ApiError && err.status === 422 && err.field === "resolution" && Array.isArray(err.allowed)) {
      this.resolution = err.allowed[1];            // the finest grid this network and data allow
      this.stale = true;
      return;
    }
    if (err instanceof ApiError && err.status === 404) return;   // the race is being restarted
    const differs = err instanceof ApiError ? err.body?.error?.differs : null;
    this._unavailable(differs ? differsText(differs)
      : `The landscape could not be computed: ${err instanceof ApiError ? err.describe() : err.message}`, differs ? "differs" : "error");
    this.answer = null;
    this.drawn = "";
    Plotly.purge(this.els.plot);
  }

  _note() {
    const n = this.els.note;
    let text;
    if (this.unavailable) text = this.unavailable;
    else if (!this.answer) text = "Computing the landscape…";
    else {
      const a = this.answer, origin = this.race.runs.find((r) => r.id === a.origin.id);
      const plane = a.directions === "pca"
        ? "the two directions along which the runs' paths vary most (PCA)"
        : a.requested === "pca" ? "two random directions (the paths are still too short for PCA)" : "two random, filter-normalised directions";
      const lost = a.trajectories.filter((t) => !finiteEnds(t)).map((t) => this.race.runs.find((r) => r.id === t.id)?.key).filter(Boolean);
      text = `Training data loss (${a.loss_name}, no regularization penalty) on the plane through run ${origin?.key ?? "?"}'s weights at epoch ${a.origin.epoch} spanned by ${plane}. Centre loss ${fmtLoss(a.origin_loss)}. Lines: each run's path, ● where it is now, ○ the start.`
        + (lost.length ? ` Run ${lost.join(", ")} diverged: its path has no finite point to draw.` : "");
    }
    if (n.textContent !== text) n.textContent = text;
    n.classList.toggle("cmp-warn", !!this.unavailable);
  }

  draw() {
    this._note();
    const a = this.answer;
    if (!a || !this.race) return;
    const key = `${this.answerVersion}|${this.mode}|${this.els.plot.clientWidth}`;
    if (key === this.drawn) return;
    this.drawn = key;
    const z = a.loss.map((row) => row.map((v) => (v == null || !Number.isFinite(v) ? null : Math.log10(Math.max(v, FLOOR)))));
    let lo = Infinity, hi = -Infinity;
    for (const row of z) for (const v of row) if (v != null) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
    const text = a.loss.map((row) => row.map(fmtLoss));
    const colorbar = { title: { text: "loss", font: FONT, side: "right" }, thickness: 10, len: 0.9, tickfont: FONT, ...logTicks(lo, hi), outlinewidth: 0 };
    const runs = a.trajectories.map((t) => ({ t, run: this.race.runs.find((r) => r.id === t.id) })).filter((x) => x.run);
    if (this.mode === "3d") this._draw3d(a, z, lo, hi, text, colorbar, runs);
    else this._draw2d(a, z, lo, hi, text, colorbar, runs);
  }

  _draw2d(a, z, lo, hi, text, colorbar, runs) {
    const data = [{
      type: "contour", x: a.alphas, y: a.betas, z, zmin: lo, zmax: hi, colorscale: SCALE, ncontours: 22,
      contours: { coloring: "fill", showlines: true }, line: { color: "rgba(30,45,60,.22)", width: 0.6 },
      colorbar, text, hovertemplate: "α %{x:.3f}, β %{y:.3f}<br>loss %{text}<extra></extra>", meta: { kind: "surface" },
    }];
    const starts = new Set();
    for (const { t, run } of runs) {
      const ends = finiteEnds(t);
      if (!ends) continue;
      const [first, last] = ends;
      data.push({
        type: "scatter", mode: "lines", x: t.alpha, y: t.beta, customdata: t.epoch, name: `${run.key} · ${run.name}`,
        line: { color: run.color, width: 2.5 }, hovertemplate: `${run.key} epoch %{customdata}<extra></extra>`, showlegend: false,
        meta: { kind: "path", run: run.key },
      });
      const start = `${t.alpha[first].toFixed(6)},${t.beta[first].toFixed(6)}`;
      if (!starts.has(start)) {
        starts.add(start);
        data.push({ type: "scatter", mode: "markers", x: [t.alpha[first]], y: [t.beta[first]], hovertemplate: `start (epoch ${t.epoch[first]})<extra></extra>`, showlegend: false,
          marker: { size: 10, color: "rgba(255,255,255,.85)", line: { color: "#1f2a30", width: 1.8 } }, meta: { kind: "start" } });
      }
      data.push({
        type: "scatter", mode: "markers", x: [t.alpha[last]], y: [t.beta[last]], showlegend: false, customdata: [t.epoch[last]],
        marker: nowMarker(run, 13),
        hovertemplate: `${run.key} · ${run.name}: ${run.ok ? "now" : "last finite weights"} (epoch %{customdata})<extra></extra>`, meta: { kind: "now", run: run.key },
      });
    }
    const axis = (title) => ({ title: { text: title, font: FONT, standoff: 4 }, tickfont: FONT, zeroline: false, showgrid: false, ticks: "outside", ticklen: 3, mirror: true, showline: true, linecolor: "#bbb" });
    const layout = {
      margin: { l: 48, r: 8, t: 8, b: 38 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff", font: FONT,
      // one unit is as long on both axes; the plot area shrinks to fit rather than the ranges grow
      xaxis: { ...axis("α (direction 1)"), range: [a.alphas[0], a.alphas[a.alphas.length - 1]], constrain: "domain" },
      yaxis: { ...axis("β (direction 2)"), range: [a.betas[0], a.betas[a.betas.length - 1]], scaleanchor: "x", scaleratio: 1, constrain: "domain" },
      hovermode: "closest", dragmode: false, showlegend: false,
    };
    Plotly.react(this.els.plot, data, layout, { displayModeBar: false, responsive: true });
  }

  _draw3d(a, z, lo, hi, text, colorbar, runs) {
    const lift = (hi - lo) * 0.012;   // the paths run just above the surface (pathAbove), so it never hides them
    const data = [{
      type: "surface", x: a.alphas, y: a.betas, z, cmin: lo, cmax: hi, colorscale: SCALE, colorbar, text, opacity: 0.96,
      hovertemplate: "α %{x:.3f}, β %{y:.3f}<br>loss %{text}<extra></extra>", meta: { kind: "surface" },
      contours: { z: { show: true, usecolormap: false, color: "rgba(30,45,60,.25)", width: 1, start: lo, end: hi, size: (hi - lo) / 16 } },
    }];
    for (const { t, run } of runs) {
      const ends = finiteEnds(t);
      if (!ends) continue;
      const last = ends[1];
      const path = pathAbove(z, a.alphas, a.betas, t, last, lift);
      data.push({ type: "scatter3d", mode: "lines", x: path.x, y: path.y, z: path.z, customdata: path.epoch, line: { color: run.color, width: 6 },
        hovertemplate: `${run.key} epoch %{customdata}<extra></extra>`, showlegend: false, meta: { kind: "path", run: run.key } });
      data.push({ type: "scatter3d", mode: "markers", x: [t.alpha[last]], y: [t.beta[last]], z: [path.z[path.z.length - 1]], customdata: [t.epoch[last]],
        marker: { ...nowMarker(run, 6), line: { color: "#fff", width: 1 } }, showlegend: false,
        hovertemplate: `${run.key} · ${run.name}: ${run.ok ? "now" : "last finite weights"} (epoch %{customdata})<extra></extra>`, meta: { kind: "now", run: run.key } });
    }
    const ax = (title) => ({ title: { text: title, font: FONT }, tickfont: FONT, backgroundcolor: "#fff", gridcolor: "#e4e8eb", showspikes: false });
    const layout = {
      margin: { l: 0, r: 0, t: 0, b: 0 }, paper_bgcolor: "rgba(0,0,0,0)", font: FONT, showlegend: false,
      uirevision: "landscape-3d",   // keeps the learner's camera across live updates
      scene: {
        domain: { x: [0.03, 1], y: [0, 1] },
        xaxis: ax("α"), yaxis: ax("β"), zaxis: { ...ax("loss"), ...logTicks(lo, hi) },
        aspectmode: "manual", aspectratio: { x: 1, y: 1, z: 0.6 }, camera: { eye: { x: 1.75, y: -1.75, z: 1.15 } },   // far enough that the axes' ticks and titles fit
      },
    };
    Plotly.react(this.els.plot, data, layout, { displayModeBar: false, responsive: true });
  }
}
