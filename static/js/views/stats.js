// The stats: epoch counter (top bar), losses, accuracy or RMSE, regularization loss, speed, and
// the divergence box with its reason and a reset button. Always shown (no `el`); it reads the
// loop's state, so it wants nothing from the server.

import { fmt3, fmtEpoch, fmtSig } from "../format.js";
import { runDriver } from "../frame-loop.js";

const $ = (id) => document.getElementById(id);

export default function statsView(page) {
  $("btn-diverged-reset").addEventListener("click", () => page.reset(false));
  const set = (id, text) => { const n = $(id); if (n.textContent !== text) n.textContent = text; };
  return {
    name: "stats",
    wants: () => null,
    take() {},
    draw(state) {
      set("epoch", fmtEpoch(runDriver()?.epoch ?? state.epoch));
      const m = state.metrics || {};
      const f3 = state.config.problem === "regression" ? fmtSig : fmt3;
      set("st-train", f3(m.train_loss));
      set("st-test", f3(m.test_loss));
      set("st-reg", state.config.regularization === "none" ? "off" : f3(m.reg_loss));
      if (state.config.problem === "regression") {
        set("st-metric-k", "RMSE train / test");
        set("st-metric", `${f3(m.train_rmse)} / ${f3(m.test_rmse)}`);
      } else {
        const pct = (v) => (v == null ? "–" : `${(v * 100).toFixed(1)}%`);
        set("st-metric-k", "Accuracy train / test");
        set("st-metric", `${pct(m.train_accuracy)} / ${pct(m.test_accuracy)}`);
      }
      set("st-speed", speedText(state));
      const diverged = state.status === "diverged";
      const box = $("diverged");
      if (box.hidden === diverged) box.hidden = !diverged;
      if (diverged) set("diverged-reason", state.reason || "The loss is no longer a finite number.");
      $("status").classList.toggle("is-diverged", diverged);
    },
  };
}

function speedText(state) {
  const s = state.perf.epochSamples;
  if (!state.running) return "paused";
  if (s.length < 2) return "…";
  const dt = (s[s.length - 1][0] - s[0][0]) / 1000;
  const eps = (s[s.length - 1][1] - s[0][1]) / dt;
  const sps = (s[s.length - 1][2] - s[0][2]) / dt;
  const d = state.perf.drawSamples;
  const fps = d.length > 1 ? (d.length - 1) / ((d[d.length - 1] - d[0]) / 1000) : 0;
  return `${Math.round(eps)} epochs/s · ${Math.round(sps)} steps/s · ${Math.round(fps)} fps`;
}
