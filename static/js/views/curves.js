// Loss (train, test, and — dotted, apart — the regularization penalty) and accuracy or RMSE per
// epoch, with a log-scale toggle and a hover readout. Plotly draws only the axes (their ranges move
// in coarse steps, so it re-renders rarely); the lines are painted on a canvas laid over Plotly's
// plot area, ~1 ms a frame (a Plotly.react of the lines cost most of a frame). Drawn from the
// loop's history, so it asks the server for nothing extra.

import { CONFIG, FONT, lossRange, niceCeil } from "../charts.js";
import { fmtSig } from "../format.js";

const $ = (id) => document.getElementById(id);
const LOSS_DOMAIN = [0.42, 1], METRIC_DOMAIN = [0, 0.3];
const COLOURS = { train: "#555", test: "#0877bd", reg: "#c0392b" };

export default function curvesView(page) {
  const { state } = page;
  const el = $("curves-plot");
  const canvas = document.createElement("canvas");
  canvas.className = "curves-canvas";
  el.parentElement.insertBefore(canvas, el.nextSibling);   // over Plotly's plot area, not inside Plotly's div
  const readout = $("curves-hover");
  let axesKey = "", drawn = "", lines = null, axes = null, hoverX = null;

  $("log-loss").addEventListener("change", (e) => { state.view.logLoss = e.target.checked; page.saveView(); page.redraw(); });
  canvas.addEventListener("mousemove", (e) => { hoverX = e.offsetX; paint(); });
  canvas.addEventListener("mouseleave", () => { hoverX = null; readout.hidden = true; paint(); });
  new ResizeObserver(() => { axesKey = ""; page.redraw(); }).observe(el);

  /** The thinned columns to draw and the axes they need. */
  function collect(s) {
    const h = s.history, k = h.stride(), reg = s.config.problem === "regression";
    const x = h.thin("epoch", k);
    const loss = [["train loss", h.thin("train_loss", k), COLOURS.train], ["test loss", h.thin("test_loss", k), COLOURS.test]];
    if ((h.cols.reg_loss || []).some((v) => v > 0)) loss.push(["reg. penalty (not in the loss)", h.thin("reg_loss", k), COLOURS.reg, true]);
    const metric = [[reg ? "train RMSE" : "train accuracy", h.thin(reg ? "train_rmse" : "train_accuracy", k), COLOURS.train],
      [reg ? "test RMSE" : "test accuracy", h.thin(reg ? "test_rmse" : "test_accuracy", k), COLOURS.test]];
    const log = s.view.logLoss;
    return {
      x, loss, metric, reg, log,
      xRange: [0, Math.max(10, niceCeil(x[x.length - 1] || 0))],
      lossRange: lossRange(loss.map((l) => l[1]), log),
      metricRange: reg ? lossRange(metric.map((l) => l[1]), false) : [0, 1.02],
    };
  }

  function react(c) {
    const axis = (title, range, domain, extra = {}) => ({ title: { text: title, font: FONT, standoff: 2 }, range, domain, gridcolor: "#eee", tickfont: FONT, zeroline: false, fixedrange: true, ...extra });
    const layout = {
      margin: { l: 46, r: 8, t: 6, b: 28 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff", font: FONT, showlegend: false, hovermode: false, dragmode: false,
      xaxis: { ...axis("epoch", c.xRange, [0, 1]), anchor: "y2", title: { text: "epoch", font: FONT, standoff: 0 } },
      yaxis: axis("loss", c.lossRange, LOSS_DOMAIN, c.log ? { type: "log", dtick: 1, exponentformat: "power" } : { exponentformat: "power" }),
      yaxis2: axis(c.reg ? "RMSE" : "accuracy", c.metricRange, METRIC_DOMAIN, { anchor: "x", nticks: 3, tickformat: c.reg ? undefined : ".0%" }),
    };
    Plotly.react(el, [{ type: "scatter", x: [], y: [], xaxis: "x", yaxis: "y" }, { type: "scatter", x: [], y: [], xaxis: "x", yaxis: "y2" }], layout, CONFIG);
    axes = layout;
  }

  /** Data value → canvas pixel, from the layout's ranges and domains (log axes in log10 units). */
  function mapper(size) {
    const [x0, x1] = axes.xaxis.range;
    const px = (v) => ((v - x0) / (x1 - x0)) * size.w;
    const py = (v, ax) => {
      const [r0, r1] = ax.range, [d0, d1] = ax.domain;
      const t = ax.type === "log" ? (v > 0 ? Math.log10(v) : NaN) : v;
      return size.h * (1 - (d0 + ((t - r0) / (r1 - r0)) * (d1 - d0)));
    };
    return { px, py };
  }

  function paint() {
    const size = el._fullLayout?._size;
    if (!size || !lines) return;
    const dpr = window.devicePixelRatio || 1;
    const W = Math.round(size.w * dpr), H = Math.round(size.h * dpr);
    if (canvas.width !== W || canvas.height !== H) { canvas.width = W; canvas.height = H; }
    Object.assign(canvas.style, { left: `${el.offsetLeft + size.l}px`, top: `${el.offsetTop + size.t}px`, width: `${size.w}px`, height: `${size.h}px` });
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size.w, size.h);
    const { px, py } = mapper(size);
    const stroke = ([, ys, colour, dotted], ax, width) => {
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < ys.length; i++) {
        const y = ys[i] == null ? NaN : py(ys[i], ax);
        if (!Number.isFinite(y)) { pen = false; continue; }
        const x = px(lines.x[i]);
        if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
        pen = true;
      }
      ctx.setLineDash(dotted ? [2, 3] : []);
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.stroke();
    };
    // Clip each chart to its own band so a line never crosses into the other.
    const band = (ax, fn) => { ctx.save(); ctx.beginPath(); ctx.rect(0, size.h * (1 - ax.domain[1]), size.w, size.h * (ax.domain[1] - ax.domain[0])); ctx.clip(); fn(); ctx.restore(); };
    band(axes.yaxis, () => lines.loss.forEach((l) => stroke(l, axes.yaxis, l[3] ? 1.5 : 2)));
    band(axes.yaxis2, () => lines.metric.forEach((l) => stroke(l, axes.yaxis2, 1.5)));
    ctx.setLineDash([]);
    if (hoverX != null) hover(ctx, size, px);
  }

  function hover(ctx, size, px) {
    const x = lines.x;
    if (!x.length) return;
    let i = 0;
    for (let j = 1; j < x.length; j++) if (Math.abs(px(x[j]) - hoverX) < Math.abs(px(x[i]) - hoverX)) i = j;
    ctx.strokeStyle = "rgba(20, 30, 36, .35)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(px(x[i]), 0);
    ctx.lineTo(px(x[i]), size.h);
    ctx.stroke();
    const num = (v) => (v == null ? "–" : lines.reg ? fmtSig(v) : v.toFixed(4));
    const metric = (v) => (v == null ? "–" : lines.reg ? fmtSig(v) : `${(v * 100).toFixed(1)}%`);
    readout.textContent = `epoch ${x[i]} · ${lines.loss.map(([n, ys]) => `${n} ${num(ys[i])}`).join(" · ")} · ${lines.metric.map(([n, ys]) => `${n} ${metric(ys[i])}`).join(" · ")}`;
    readout.hidden = false;
  }

  function legend(c) {
    const box = $("curves-legend");
    const key = c.loss.map((l) => l[0]).join("|");
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    box.replaceChildren(...c.loss.map(([name, , colour, dotted]) => {
      const item = document.createElement("span");
      item.className = `curve-key${dotted ? " dotted" : ""}`;
      item.style.setProperty("--c", colour);
      item.textContent = name;
      return item;
    }));
  }

  return {
    name: "curves",
    el,
    wants: () => null,
    take() {},
    draw(s) {
      if (!window.Plotly) return;
      const key = `${s.history.version}|${s.view.logLoss}|${s.config.problem}`;
      if (key === drawn && axesKey) return;
      drawn = key;
      lines = collect(s);
      $("metric-title").textContent = lines.reg ? "RMSE" : "accuracy";
      legend(lines);
      const ak = JSON.stringify([lines.xRange, lines.lossRange, lines.metricRange, lines.log, lines.reg, el.clientWidth, el.clientHeight]);
      if (ak !== axesKey) { axesKey = ak; react(lines); }
      paint();
    },
  };
}
