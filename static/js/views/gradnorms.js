// The gradient norm of each layer over the epochs (log scale): vanishing and exploding gradients
// become visible. A secondary chart: at most ~4 redraws a second while training runs, so the
// main views keep their frame rate.

import { drawGradNorms } from "../charts.js";

const $ = (id) => document.getElementById(id);
const RUNNING_INTERVAL_MS = 250;

export default function gradNormsView() {
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
      drawGradNorms($("gradnorm-plot"), s.history);
    },
  };
}
