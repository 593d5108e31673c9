// The gradient norm of each layer over the epochs (log scale): vanishing and exploding gradients
// become visible. A secondary chart: at most ~4 redraws a second while training runs, so the
// main views keep their frame rate (charts.js LineChart: Plotly axes, canvas lines).

import { FONT, LAYER_COLORS, LineChart, lossRange, niceCeil, renderChartLegend } from "../charts.js";

const $ = (id) => document.getElementById(id);
const RUNNING_INTERVAL_MS = 250;

export default function gradNormsView() {
  const chart = new LineChart($("gradnorm-plot"), $("gradnorm-hover"));
  let drawn = -1, drawnAt = 0;
  return {
    name: "gradnorms",
    el: $("gradnorm-plot"),
    wants: () => null,
    take() {},
    draw(s) {
      const now = performance.now();
      if (s.history.version === drawn || (s.running && now - drawnAt < RUNNING_INTERVAL_MS)) return;
      drawn = s.history.version;
      drawnAt = now;
      const h = s.history, k = h.stride();
      const x = h.thin("epoch", k), rows = h.thin("grad_norms", k);
      const n = rows.reduce((m, r) => Math.max(m, Array.isArray(r) ? r.length : 0), 0);
      const series = Array.from({ length: n }, (_, l) => ({
        name: l === n - 1 ? "output" : `layer ${l + 1}`, x, colour: LAYER_COLORS[l % LAYER_COLORS.length], width: 1.5,
        y: rows.map((r) => (Array.isArray(r) && r[l] > 0 ? r[l] : null)),
      }));
      const range = lossRange(series.map((sr) => sr.y), true);
      const layout = {
        margin: { l: 44, r: 8, t: 4, b: 26 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff", font: FONT,
        xaxis: { title: { text: "epoch", font: FONT, standoff: 0 }, range: [0, Math.max(10, niceCeil(x[x.length - 1] || 0))], gridcolor: "#eee", tickfont: FONT, zeroline: false, fixedrange: true },
        yaxis: { title: { text: "gradient norm", font: FONT, standoff: 2 }, type: "log", range, dtick: Math.max(1, Math.ceil((range[1] - range[0]) / 5)), exponentformat: "e", gridcolor: "#eee", tickfont: FONT, zeroline: false, fixedrange: true },
      };
      renderChartLegend($("gradnorm-legend"), series);
      chart.draw(series, layout, (sr, v) => v.toExponential(2));
    },
  };
}
