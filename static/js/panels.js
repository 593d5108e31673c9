// Small DOM builders for the page's panels: the colour legend, the "clicking the plot" menu, the
// toast, and number formatting (the layers' controls: layer-controls.js). No page state here:
// main.js passes in what each one shows and what to call back.

import { CLASS_COLORS, PALE, legendGradient, rgb } from "./colors.js";
import { el } from "./dom.js";

/** Legend under the boundary. what: {neuron, problem, range (the output activation's), k, labelScale}. */
export function renderLegend(box, { neuron, problem, range, k, labelScale }) {
  box.replaceChildren();
  const bar = (lo, mid, hi, title) => {
    const wrap = el("div", "legend-bar");
    const g = el("div", "grad");
    g.style.background = legendGradient(PALE);   // the boundary's background scale
    const ticks = el("div", "ticks");
    for (const t of [lo, mid, hi]) ticks.append(el("span", null, t));
    wrap.append(el("span", "legend-title", title), g, ticks);
    box.append(wrap);
  };
  if (neuron) return bar("−", "0", "+", `${neuron}: its activation over the plane`);
  if (k > 1) {
    box.append(el("span", "legend-title", "Predicted class (paler = less confident):"));
    for (let c = 0; c < k; c++) {
      const s = el("span", "class-swatch", `class ${c}`);
      s.style.setProperty("--c", rgb(CLASS_COLORS[c % CLASS_COLORS.length]));
      box.append(s);
    }
    return;
  }
  if (problem === "regression") return bar(`−${+labelScale.toFixed(2)}`, "0", `+${+labelScale.toFixed(2)}`, "Prediction (diverging scale)");
  const [lo, hi] = range || [-1, 1];
  if (lo === 0 && hi === 1) return bar("sure: class 0", "unsure (50 %)", "sure: class 1", "The network's probability that a point is class 1");
  return bar(`${lo} (class 0)`, String((lo + hi) / 2), `+${hi} (class 1)`, "Output");
}

/** "−r [gradient] +r" for the weight heatmaps, and the two colours that are not values. */
export function renderWeightLegend(box, r) {
  const g = el("span", "grad inline");
  g.style.background = legendGradient();
  const key = (cls, text) => { const k = el("span", `wkey ${cls}`); k.title = text; return [k, el("span", "wkey-text", text)]; };
  box.replaceChildren(el("span", null, `−${r}`), g, el("span", null, `+${r}`), ...key("zero", "exactly 0"), ...key("nonfinite", "not a number"));
}

/** What a click on the boundary plot does: nothing, add a point of class c (or value v), remove. */
export function buildDrawModes(select, cfg) {
  const key = cfg.problem === "regression" ? "r" : String(cfg.n_classes || 2);
  if (select.dataset.key === key) return;
  select.dataset.key = key;
  const keep = select.value;
  const opts = [["", "does nothing"]];
  if (key === "r") opts.push(["1", "adds a point of value +1"], ["0", "adds a point of value 0"], ["-1", "adds a point of value −1"]);
  else for (let c = 0; c < Number(key); c++) opts.push([String(c), `adds a class ${c} point`]);
  opts.push(["remove", "removes the nearest point"]);
  // (your points, then; a click keeps the network and the epoch)
  select.replaceChildren(...opts.map(([v, t]) => { const o = el("option", null, t); o.value = v; return o; }));
  select.value = opts.some(([v]) => v === keep) ? keep : "";
}

let toastTimer = null;
/** A short message at the bottom of the page (kind: info | live | error; ms 0 = stays);
 * data: attributes for tests (data-epoch: "kept" | "reset"). */
export function toast(message, kind = "info", ms = 3000, data = {}) {
  const t = document.getElementById("toast");
  t.textContent = message;
  t.className = `toast ${kind}`;
  t.dataset.epoch = data.epoch || "";
  t.hidden = false;
  clearTimeout(toastTimer);
  if (ms) toastTimer = setTimeout(() => { t.hidden = true; }, ms);
}

export function download(url, name) {
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}
