// The output as a 3D surface over the input plane, with the training points at their labels
// (TensorFlow Playground's most asked-for view, #108). The "3D" toggle swaps it in for the flat
// boundary plot. A Plotly WebGL surface is costly to redraw, so while training runs it follows
// at most ~4 times a second; the camera stays where the learner turned it (uirevision).

import { CLASS_COLORS, PLOTLY_DIVERGING, POINT_DIVERGING, rgb } from "../colors.js";
import { gridResolution } from "../grid.js";

const $ = (id) => document.getElementById(id);
const RUNNING_INTERVAL_MS = 250;
const SIDE = 50;   // the surface is drawn on a SIDE × SIDE sample of the output grid
const FONT = { family: "Inter, system-ui, sans-serif", size: 10, color: "#555" };

export default function surfaceView(page) {
  const { state } = page;
  const el = $("surface-plot");
  let output = null, bounds = null, takenAt = -1, drawnKey = "", drawnAt = 0;

  const show = (on) => {
    state.view.surface = on;
    $("surface-3d").checked = on;
    el.hidden = !on;
    $("boundary-box").hidden = on;
    drawnKey = "";
  };
  $("surface-3d").addEventListener("change", (e) => { show(e.target.checked); page.saveView(); page.wantsChanged(); });

  function figure(s) {
    const [h, w, k = 1] = output.shape;
    // SIDE evenly spaced rows and columns of the grid, its edges included
    const pick = (n) => { const m = Math.min(SIDE, n); return Array.from({ length: m }, (_, i) => Math.round((i * (n - 1)) / (m - 1))); };
    const rows = pick(h), cols = pick(w);
    const [x0, x1, y0, y1] = bounds;
    const xs = cols.map((j) => x0 + ((x1 - x0) * j) / (w - 1));
    const ys = rows.map((i) => y0 + ((y1 - y0) * i) / (h - 1));
    const z = [], colour = [];
    for (const i of rows) {
      const zr = [], cr = [];
      for (const j of cols) {
        const o = (i * w + j) * k;
        if (k === 1) { zr.push(finite(output.data[o])); continue; }
        let best = 0;
        for (let c = 1; c < k; c++) if (output.data[o + c] > output.data[o + best]) best = c;
        zr.push(finite(output.data[o + best]));
        cr.push(best);
      }
      z.push(zr);
      if (k > 1) colour.push(cr);
    }
    const cfg = s.config, regression = cfg.problem === "regression";
    const range = regression ? [-s.labelScale, s.labelScale] : page.outputRange(cfg.output_activation) || [-1, 1];
    const surface = { type: "surface", x: xs, y: ys, z, showscale: false, opacity: 0.92, hoverinfo: "x+y+z",
      contours: { z: { show: true, usecolormap: true, project: { z: false } } } };
    if (k > 1) Object.assign(surface, { surfacecolor: colour, cmin: 0, cmax: k - 1, colorscale: classScale(k) });
    else Object.assign(surface, { colorscale: PLOTLY_DIVERGING, cmin: range[0], cmax: range[1] });
    // Points at their label's height: the ends of the output range for classes, the value for regression.
    const d = s.data.train;
    const zOf = (v) => (regression ? v : k > 1 ? 1 : v > 0 ? range[1] : range[0]);
    const marker = { size: 2.5, line: { width: 0 } };
    if (regression) Object.assign(marker, { color: d.label, colorscale: POINT_DIVERGING, cmin: -s.labelScale, cmax: s.labelScale });
    else marker.color = d.label.map((v) => rgb(CLASS_COLORS[v % CLASS_COLORS.length]));
    const points = { type: "scatter3d", mode: "markers", x: d.x, y: d.y, z: d.label.map(zOf), marker, hoverinfo: "skip", name: "training points" };
    const axis = (title) => ({ title: { text: title, font: FONT }, tickfont: FONT, backgroundcolor: "#fff", gridcolor: "#e3e7ea", zerolinecolor: "#c8cdd1" });
    const layout = {
      margin: { l: 0, r: 0, t: 0, b: 0 }, paper_bgcolor: "rgba(0,0,0,0)", showlegend: false, uirevision: "keep",
      scene: { xaxis: axis("x1"), yaxis: axis("x2"), zaxis: { ...axis(regression ? "prediction" : k > 1 ? "p(class)" : "output"), range: padded(range) },
        aspectmode: "manual", aspectratio: { x: 1, y: 1, z: 0.6 }, camera: { eye: { x: 1.35, y: -1.35, z: 0.9 } } },
    };
    return [[surface, points], layout];
  }

  return {
    name: "surface",
    el,
    link: { "3d": { key: "surface", default: false, type: "bool", input: $("surface-3d") } },
    wants: (s) => ({ grid: true, resolution: gridResolution(s) }),
    take(snap, s) {
      const o = snap.grid?.output;
      if (o && o.shape[0] >= gridResolution(s)) { output = o; bounds = snap.grid.bounds; takenAt = s.version; }
    },
    fresh: (s) => takenAt === s.version,
    configure(s) { if (el.hidden === s.view.surface) show(s.view.surface); drawnKey = ""; },
    draw(s) {
      if (!output || !s.data || !window.Plotly) return;
      const key = `${takenAt}|${s.config.output_activation}|${s.labelScale}`;
      const now = performance.now();
      if (key === drawnKey || (s.running && now - drawnAt < RUNNING_INTERVAL_MS)) return;
      drawnKey = key;
      drawnAt = now;
      const [data, layout] = figure(s);
      Plotly.react(el, data, layout, { displayModeBar: false, responsive: true });
    },
  };
}

const finite = (v) => (v - v === 0 ? v : null);
const padded = ([lo, hi]) => [lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)];

/** A stepped colourscale: class c (of k) in its own colour. */
function classScale(k) {
  const scale = [];
  for (let c = 0; c < k; c++) {
    const col = rgb(CLASS_COLORS[c % CLASS_COLORS.length]);
    scale.push([c / k, col], [(c + 1) / k, col]);
  }
  return scale;
}
