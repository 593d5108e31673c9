// Loss (train, test, the regularization penalty apart) and accuracy or RMSE per epoch, with a
// log-scale toggle. Drawn from the loop's history, so it asks the server for nothing extra.

import { drawCurves } from "../charts.js";

const $ = (id) => document.getElementById(id);

export default function curvesView(page) {
  const { state } = page;
  let drawn = "";
  $("log-loss").addEventListener("change", (e) => { state.view.logLoss = e.target.checked; page.saveView(); page.redraw(); });
  return {
    name: "curves",
    el: $("curves-plot"),
    wants: () => null,
    take() {},
    draw(s) {
      const key = `${s.history.version}|${s.view.logLoss}|${s.config.problem}`;
      if (key === drawn) return;
      drawn = key;
      $("metric-title").textContent = s.config.problem === "regression" ? "RMSE" : "accuracy";
      drawCurves($("curves-plot"), s.history, s.config.problem, { log: s.view.logLoss });
    },
  };
}
