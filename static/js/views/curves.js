// Loss (train, test, and — dotted, apart — the regularization penalty) and accuracy or RMSE per
// epoch, with a log-scale toggle and a hover readout (charts.js LineChart: Plotly draws the axes,
// a canvas the lines). Drawn from the loop's history, so it asks the server for nothing extra.

import { FONT, LineChart, lossRange, niceCeil, renderChartLegend } from "../charts.js";
import { fmtSig } from "../format.js";

const $ = (id) => document.getElementById(id);
const TRAIN = "#555", TEST = "#0877bd", REG = "#c0392b";

export default function curvesView(page) {
  const { state } = page;
  const chart = new LineChart($("curves-plot"), $("curves-hover"));
  let drawn = "";
  $("log-loss").addEventListener("change", (e) => { state.view.logLoss = e.target.checked; page.saveView(); page.redraw(); });

  return {
    name: "curves",
    el: $("curves-plot"),
    link: { log: { key: "logLoss", default: false, type: "bool", input: $("log-loss") } },
    wants: () => null,
    take() {},
    draw(s) {
      const key = `${s.history.version}|${s.view.logLoss}|${s.config.problem}`;
      if (key === drawn) return;
      drawn = key;
      const h = s.history, k = h.stride(), reg = s.config.problem === "regression", log = s.view.logLoss;
      const x = h.thin("epoch", k);
      const line = (name, col, colour, axis, extra = {}) => ({ name, x, y: h.thin(col, k), colour, axis, ...extra });
      const loss = [line("train loss", "train_loss", TRAIN, "yaxis"), line("test loss", "test_loss", TEST, "yaxis")];
      if ((h.cols.reg_loss || []).some((v) => v > 0)) loss.push(line("reg. penalty (not in the loss)", "reg_loss", REG, "yaxis", { dotted: true, width: 1.5 }));
      const metric = reg
        ? [line("train RMSE", "train_rmse", TRAIN, "yaxis2", { width: 1.5 }), line("test RMSE", "test_rmse", TEST, "yaxis2", { width: 1.5 })]
        : [line("train accuracy", "train_accuracy", TRAIN, "yaxis2", { width: 1.5 }), line("test accuracy", "test_accuracy", TEST, "yaxis2", { width: 1.5 })];
      const axis = (title, range, domain, extra = {}) => ({ title: { text: title, font: FONT, standoff: 2 }, range, domain, gridcolor: "#eee", tickfont: FONT, zeroline: false, fixedrange: true, ...extra });
      const layout = {
        margin: { l: 46, r: 8, t: 6, b: 28 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff", font: FONT,
        xaxis: { ...axis("epoch", [0, Math.max(10, niceCeil(x[x.length - 1] || 0))], [0, 1]), anchor: "y2", title: { text: "epoch", font: FONT, standoff: 0 } },
        yaxis: axis("loss", lossRange(loss.map((l) => l.y), log), [0.42, 1], log ? { type: "log", dtick: 1, exponentformat: "power" } : { exponentformat: "power" }),
        yaxis2: axis(reg ? "RMSE" : "accuracy", reg ? lossRange(metric.map((l) => l.y), false) : [0, 1.02], [0, 0.3], { anchor: "x", nticks: 3, tickformat: reg ? undefined : ".0%" }),
      };
      $("metric-title").textContent = reg ? "RMSE" : "accuracy";
      renderChartLegend($("curves-legend"), loss);
      // regression spans decades: 3 significant figures; classes: 4 decimals, accuracy in %
      chart.draw([...loss, ...metric], layout, (sr, v) => (reg ? fmtSig(v) : sr.axis === "yaxis2" ? `${(v * 100).toFixed(1)}%` : v.toFixed(4)));
    },
  };
}
