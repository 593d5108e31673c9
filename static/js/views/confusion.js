// The confusion-matrix panel: train and test side by side, row = true class, column = predicted.
// Headers carry the boundary's class colours; each cell is shaded by its share of its row (the
// points of that true class), so a dark off-diagonal cell reads "this class is mostly taken for
// that one" whatever the class sizes. Plain DOM: the tables are built once per class count and
// afterwards only cells whose number changed are touched, so the live loop stays cheap.

import { CLASS_COLORS, rgb } from "../colors.js";
import { el } from "../dom.js";

const classColor = (c) => rgb(CLASS_COLORS[c % CLASS_COLORS.length]);

class MatrixTable {
  constructor(table, caption, title) {
    this.table = table;
    this.caption = caption;
    this.title = title;
    this.k = 0;
    this.cells = [];
    this.values = [];
    this.total = -1;
  }

  build(labels) {
    const k = labels.length;
    const head = el("tr");
    const corner = el("td", "cm-corner", "true ╲ pred");
    corner.title = "rows: true class; columns: predicted class";
    head.append(corner);
    for (const c of labels) head.append(this.header(c, "col"));
    const rows = [head];
    this.cells = [];
    for (let i = 0; i < k; i++) {
      const tr = el("tr");
      tr.append(this.header(labels[i], "row"));
      for (let j = 0; j < k; j++) {
        const td = el("td", i === j ? "cm-cell cm-diag" : "cm-cell");
        tr.append(td);
        this.cells.push(td);
      }
      rows.push(tr);
    }
    this.table.replaceChildren(...rows);
    this.table.dataset.k = String(k);
    this.k = k;
    this.values = new Array(k * k).fill(-1);
    this.total = -1;
  }

  header(c, scope) {
    const th = el("th", "cm-class", String(c));
    th.scope = scope;
    th.style.setProperty("--c", classColor(c));
    th.title = `class ${c}`;
    return th;
  }

  /** Counts that no longer hold: every cell "…" (the table keeps its shape, nothing jumps). */
  blank() {
    for (const td of this.cells) { td.textContent = "…"; td.style.setProperty("--share", "0"); td.classList.remove("cm-dark"); td.title = ""; }
    this.values.fill(-1);
  }

  /** matrix: k rows of k counts. Returns true if anything on screen changed. */
  update(matrix, labels) {
    if (labels.length !== this.k) this.build(labels);
    const k = this.k;
    let changed = false, total = 0;
    for (let i = 0; i < k; i++) {
      const row = matrix[i];
      let n = 0;
      for (let j = 0; j < k; j++) n += row[j];
      total += n;
      // A row changes as a whole (its share shading depends on every cell of it).
      let same = true;
      for (let j = 0; j < k; j++) if (this.values[i * k + j] !== row[j]) { same = false; break; }
      if (same) continue;
      changed = true;
      for (let j = 0; j < k; j++) {
        const v = row[j], td = this.cells[i * k + j];
        const share = n ? v / n : 0;
        this.values[i * k + j] = v;
        td.textContent = String(v);
        td.style.setProperty("--share", share.toFixed(3));
        td.classList.toggle("cm-dark", share > 0.55);
        td.title = `true class ${labels[i]} predicted as ${labels[j]}: ${v} of ${n} (${(share * 100).toFixed(1)}%)`;
      }
    }
    if (total !== this.total) {
      this.total = total;
      this.caption.textContent = `${this.title} · ${total} point${total === 1 ? "" : "s"}`;
      changed = true;
    }
    return changed;
  }
}

/** The view: the newest matrices, never older ones: scrolled into view (or shown again) while its
 * counts are older than the session's state, the cells show "…" until the current ones arrive
 * (a count the network no longer gives is never on screen). */
export default function confusionView() {
  const root = document.getElementById("confusion");
  const train = new MatrixTable(root.querySelector("#cm-train"), root.querySelector("#cm-train-caption"), "Train");
  const test = new MatrixTable(root.querySelector("#cm-test"), root.querySelector("#cm-test-caption"), "Test");
  let matrices = null, takenAt = -1, shown = null;
  return {
    name: "confusion",
    el: root,
    wants: () => ({ confusion: true }),
    take(snap, s) { if (snap.confusion) { matrices = snap.confusion; takenAt = s.version; } },
    fresh: (s) => takenAt === s.version,
    // Regression has no classes: the panel hides (and, not shown, is never asked for).
    configure(s) { root.classList.toggle("no-classes", s.config.problem === "regression"); },
    draw(s) {
      if (!matrices) return;
      const stale = takenAt !== s.version;
      if (root.classList.contains("is-stale") !== stale) root.classList.toggle("is-stale", stale);
      if (stale) { if (shown) { train.blank(); test.blank(); shown = null; } return; }
      if (matrices !== shown) {
        shown = matrices;
        train.update(matrices.train, matrices.labels);
        test.update(matrices.test, matrices.labels);
      }
    },
  };
}
