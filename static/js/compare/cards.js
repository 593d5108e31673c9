// The race side by side: one card per run (its colour and name, a small live decision boundary
// with the training points, its train and test loss and accuracy or RMSE), and the table of every run's
// epoch, losses and accuracy (or RMSE), the best test loss marked.

import { CLASS_COLORS, divergingCss, paintClasses, paintDiverging, rangeScaling, rgb } from "../colors.js";
import { el } from "../dom.js";

const f3 = (v) => (v == null || !Number.isFinite(v) ? "–" : v.toFixed(3));
const pct = (v) => (v == null || !Number.isFinite(v) ? "–" : `${(v * 100).toFixed(1)}%`);

class Card {
  constructor(run) {
    this.run = run;
    this.root = el("figure", "cmp-card");
    this.root.style.setProperty("--run", run.color);
    this.root.dataset.run = run.key;
    const title = el("figcaption", "cmp-card-title");
    title.append(el("span", "cmp-key", run.key), el("span", "cmp-name", run.name));
    this.canvas = el("canvas", "cmp-boundary");
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", `Decision boundary of run ${run.key} (${run.name})`);
    // train | test columns for the loss and the accuracy (or RMSE)
    this.stats = el("table", "cmp-card-stats");
    const row = (...cells) => { const tr = el("tr"); for (const c of cells) tr.append(c); this.stats.append(tr); return tr; };
    row(el("th"), el("th", null, "train"), el("th", null, "test"));
    this.cells = { loss: [el("td"), el("td")], metric: [el("td"), el("td")] };
    this.metricName = el("th", null, "accuracy");
    row(el("th", null, "loss"), ...this.cells.loss);
    row(this.metricName, ...this.cells.metric);
    this.note = el("div", "cmp-card-note");
    this.root.append(title, this.canvas, this.stats, this.note);
    this.off = document.createElement("canvas");   // the grid at its own resolution, then scaled
    this.drawn = "";
  }

  draw(ctx) {
    const r = this.run, regression = ctx.problem === "regression";
    const text = (node, t) => { if (node.textContent !== t) node.textContent = t; };
    const m = r.metrics, [lt, lv] = this.cells.loss, [mt, mv] = this.cells.metric;
    text(lt, f3(m.train_loss));
    text(lv, f3(m.test_loss));
    text(this.metricName, regression ? "RMSE" : "accuracy");
    text(mt, regression ? f3(m.train_rmse) : pct(m.train_accuracy));
    text(mv, regression ? f3(m.test_rmse) : pct(m.test_accuracy));
    text(this.note, r.ok ? "" : `Diverged: ${r.reason || `at epoch ${r.epoch}`}`);
    this.root.classList.toggle("is-diverged", !r.ok);
    const size = Math.round(this.canvas.clientWidth * devicePixelRatio);
    const key = `${r.gridVersion}|${size}|${ctx.dataVersion}`;
    if (!r.grid || !size || key === this.drawn) return;
    this.drawn = key;
    this.paint(ctx, size);
  }

  paint(ctx, size) {
    const [h, w, k = 1] = this.run.grid.shape;
    const values = this.run.grid.data;
    if (this.off.width !== w || this.off.height !== h) { this.off.width = w; this.off.height = h; }
    const octx = this.off.getContext("2d");
    const img = octx.createImageData(w, h);
    if (k > 1) paintClasses(img, values, w, h, k, {});
    else if (ctx.problem === "regression") paintDiverging(img, values, w, h, { offset: 0, scale: ctx.labelScale });
    else paintDiverging(img, values, w, h, rangeScaling(ctx.outputRange(this.run.config.output_activation) || [-1, 1], values));
    octx.putImageData(img, 0, 0);
    const c = this.canvas;
    c.width = size; c.height = size;
    const g = c.getContext("2d");
    g.imageSmoothingEnabled = true;
    g.drawImage(this.off, 0, 0, size, size);
    drawPoints(g, size, ctx);
  }
}

/** The training points over the boundary, coloured as on the playground's boundary. */
function drawPoints(g, size, { data, problem, labelScale, bounds }) {
  const train = data?.train;
  if (!train) return;
  const [x0, x1, y0, y1] = bounds;
  const r = Math.max(1.6, size / 110);
  g.lineWidth = Math.max(0.6, r / 3);
  g.strokeStyle = "#fff";
  for (let i = 0; i < train.x.length; i++) {
    const label = train.label[i];
    g.fillStyle = problem === "regression" ? divergingCss(label / labelScale) : rgb(CLASS_COLORS[label % CLASS_COLORS.length]);
    g.beginPath();
    g.arc(((train.x[i] - x0) / (x1 - x0)) * size, (1 - (train.y[i] - y0) / (y1 - y0)) * size, r, 0, 2 * Math.PI);
    g.fill();
    g.stroke();
  }
}

export class RunCards {
  constructor(box) {
    this.box = box;
    this.cards = [];
    this.race = null;
  }

  /** ctx: {problem, data, dataVersion, labelScale, outputRange(activation)}. */
  draw(race, ctx) {
    if (race !== this.race) {
      this.race = race;
      this.cards = race ? race.runs.map((r) => new Card(r)) : [];
      this.box.replaceChildren(...this.cards.map((c) => c.root));
      this.box.style.setProperty("--runs", this.cards.length || 1);
    }
    for (const c of this.cards) c.draw({ ...ctx, bounds: c.run.bounds || [-6, 6, -6, 6] });
  }
}

// ------------------------------------------------------------------ the table
export class RunTable {
  constructor(table) {
    this.table = table;
    this.key = "";
  }

  draw(race, problem) {
    if (!race) { this.table.replaceChildren(); this.key = ""; return; }
    const regression = problem === "regression";
    const key = `${race.version}|${problem}|${race.runs.map((r) => r.id).join()}`;
    if (key === this.key) return;
    this.key = key;
    const heads = ["Run", "Epoch", "Train loss", "Test loss", ...(regression ? ["Train RMSE", "Test RMSE"] : ["Train acc.", "Test acc."]), "Status"];
    const head = el("tr");
    for (const h of heads) { const th = el("th", null, h); th.scope = "col"; head.append(th); }
    const finite = race.runs.filter((r) => Number.isFinite(r.metrics.test_loss));
    const best = finite.length > 1 ? finite.reduce((a, b) => (b.metrics.test_loss < a.metrics.test_loss ? b : a)) : null;
    const rows = race.runs.map((r) => {
      const m = r.metrics, tr = el("tr");
      tr.dataset.run = r.key;
      const name = el("th");
      name.scope = "row";
      const label = el("span", "cmp-run-cell");
      label.style.setProperty("--run", r.color);
      label.append(el("span", "cmp-key", r.key), el("span", null, r.name));
      name.append(label);
      const cells = [String(r.epoch), f3(m.train_loss), f3(m.test_loss),
        ...(regression ? [f3(m.train_rmse), f3(m.test_rmse)] : [pct(m.train_accuracy), pct(m.test_accuracy)])];
      tr.append(name, ...cells.map((t) => el("td", "num", t)));
      const status = el("td", r.ok ? "" : "cmp-bad", r.ok ? (r === best ? "lowest test loss" : "training") : "diverged");
      if (r === best) tr.classList.add("cmp-best");
      tr.append(status);
      return tr;
    });
    this.table.replaceChildren(el("thead"), el("tbody"));
    this.table.tHead.append(head);
    this.table.tBodies[0].append(...rows);
  }
}
