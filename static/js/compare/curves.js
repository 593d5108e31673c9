// Every run's loss (top) and accuracy or RMSE (bottom) per epoch in ONE Plotly figure: one colour
// per run, training solid, test dashed. Drawn from each run's History (thinned like the
// playground's chart), only when some run's history changed.

const FONT = { family: "Inter, system-ui, sans-serif", size: 10, color: "#666" };

function niceCeil(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

/** The axis range of some lines. A run that blows up would flatten every other line, so the top
 * is capped at CAP × the largest starting value: its line leaves the chart instead. */
const CAP = 3;
function extent(cols, log) {
  let lo = Infinity, hi = -Infinity, start = 0;
  for (const c of cols) {
    const first = c.find((v) => v != null && Number.isFinite(v));
    if (first != null) start = Math.max(start, first);
    for (const v of c) if (v != null && Number.isFinite(v) && (!log || v > 0)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  }
  if (!Number.isFinite(hi)) return log ? [-3, 0] : [0, 1];
  if (start > 0) hi = Math.min(hi, CAP * start);
  if (log) return [Math.floor(Math.log10(lo) * 2) / 2 - 0.05, Math.ceil(Math.log10(hi) * 2) / 2 + 0.05];
  return [0, niceCeil(hi * 1.05)];
}

export class RaceCurves {
  constructor(el) {
    this.el = el;
    this.key = "";
  }

  draw(race, problem, { log = false } = {}) {
    if (!race) return;
    const key = `${race.runs.map((r) => `${r.id}:${r.history.version}`).join()}|${problem}|${log}`;
    if (key === this.key) return;
    this.key = key;
    const regression = problem === "regression";
    const [mTrain, mTest, mName] = regression ? ["train_rmse", "test_rmse", "RMSE"] : ["train_accuracy", "test_accuracy", "accuracy"];
    const loss = [], metric = [];
    let last = 0;
    for (const r of race.runs) {
      const h = r.history, s = h.stride(), x = h.thin("epoch", s);
      last = Math.max(last, x[x.length - 1] || 0);
      const name = `${r.key} · ${r.name}`;
      const line = (y, dash, extra) => ({
        type: "scatter", mode: "lines", x, y, name, legendgroup: r.key, line: { color: r.color, width: 2, dash }, ...extra,
      });
      const pctFmt = regression ? ":.4f" : ":.1%";
      loss.push(
        line(h.thin("train_loss", s), "solid", { hovertemplate: `${r.key} train loss %{y:.4f}<extra></extra>` }),
        line(h.thin("test_loss", s), "dash", { showlegend: false, hovertemplate: `${r.key} test loss %{y:.4f}<extra></extra>` }),
      );
      metric.push(
        line(h.thin(mTrain, s), "solid", { yaxis: "y2", showlegend: false, line: { color: r.color, width: 1.5 }, hovertemplate: `${r.key} train ${mName} %{y${pctFmt}}<extra></extra>` }),
        line(h.thin(mTest, s), "dash", { yaxis: "y2", showlegend: false, line: { color: r.color, width: 1.5, dash: "dash" }, hovertemplate: `${r.key} test ${mName} %{y${pctFmt}}<extra></extra>` }),
      );
    }
    const axis = { gridcolor: "#eee", tickfont: FONT, zeroline: false };
    const layout = {
      margin: { l: 48, r: 8, t: 22, b: 30 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff", font: FONT,
      showlegend: true, hovermode: "x unified",
      legend: { orientation: "h", x: 1, xanchor: "right", y: 1.0, yanchor: "bottom", font: FONT, bgcolor: "rgba(0,0,0,0)" },
      xaxis: { ...axis, title: { text: "epoch", font: FONT, standoff: 0 }, anchor: "y2", range: [0, Math.max(10, niceCeil(last))] },
      yaxis: { ...axis, domain: [0.42, 1], title: { text: "loss", font: FONT, standoff: 2 }, type: log ? "log" : "linear", range: extent(loss.map((d) => d.y), log), exponentformat: "power" },
      yaxis2: { ...axis, domain: [0, 0.32], anchor: "x", nticks: 4, title: { text: mName, font: FONT, standoff: 2 },
        range: regression ? extent(metric.map((d) => d.y), false) : [0, 1.02], tickformat: regression ? undefined : ".0%" },
      annotations: [{ text: "solid: train · dashed: test", xref: "paper", yref: "paper", x: 0, y: 1, yanchor: "bottom", xanchor: "left", showarrow: false, font: FONT }],
    };
    Plotly.react(this.el, [...loss, ...metric], layout, { displayModeBar: false, responsive: true });
  }
}
