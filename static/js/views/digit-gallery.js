// The gallery of test digits (image datasets): each test digit as its 8 × 8 picture with the class
// the network predicts now (the snapshot's `predictions`), the wrongly predicted ones outlined;
// "misclassified only" keeps just those. A click (or Enter) follows the digit through the network
// in Inspect. Paged: as many digits as fit a few rows of the panel.

import { kind, markKind } from "../realdata/sets.js";
import { paintInk } from "../figures/pixel-images.js";

const $ = (id) => document.getElementById(id);
const setText = (node, text) => { if (node.textContent !== text) node.textContent = text; };
const ROWS = 4;
const CELL = 38;   // px a digit takes, its label included (the stylesheet's .gallery-cell)

export default function digitGalleryView(page) {
  const { state } = page;
  const root = $("digit-gallery"), box = $("gallery"), summary = $("gallery-summary");
  const wrongOnly = $("gallery-wrong"), prev = $("gallery-prev"), next = $("gallery-next"), range = $("gallery-range");
  let predicted = null, takenAt = -1;     // the newest test predictions, and the version they are of
  let first = 0;                          // the first digit shown (an index into `shown()`)
  let cells = [], layoutKey = "", drawnKey = "";

  const test = () => state.data?.rows?.test ?? [];
  const shape = () => state.options.datasets.find((d) => d.name === state.config.dataset)?.image_shape ?? [8, 8];
  /** The test indices on offer: all, or those predicted wrong. */
  function shown() {
    const rows = test();
    if (!wrongOnly.checked || !predicted) return rows.map((_, i) => i);
    return rows.map((_, i) => i).filter((i) => predicted[i] !== rows[i][rows[i].length - 1]);
  }
  const perPage = () => Math.max(1, Math.floor((box.clientWidth || 300) / CELL)) * ROWS;

  function turn(by) {
    const n = shown().length, size = perPage();
    first = Math.max(0, Math.min(first + by * size, Math.max(0, Math.floor((n - 1) / size) * size)));
    page.redraw();
  }
  prev.addEventListener("click", () => turn(-1));
  next.addEventListener("click", () => turn(+1));
  wrongOnly.addEventListener("change", () => { first = 0; page.redraw(); });
  new ResizeObserver(() => page.redraw()).observe(box);

  function inspect(index) {
    document.dispatchEvent(new CustomEvent("inspect-point", { detail: { set: "test", index } }));
  }

  /** One button per digit on the page; its picture is painted when its digit changes. */
  function layout(indices) {
    const key = `${indices.join(",")}|${test().length}`;
    if (key === layoutKey) return;
    layoutKey = key;
    while (cells.length < indices.length) {
      const btn = document.createElement("button");
      btn.type = "button";
      btn.className = "gallery-cell";
      btn.setAttribute("role", "listitem");
      const canvas = document.createElement("canvas");
      canvas.className = "pixels";
      const label = document.createElement("span");
      btn.append(canvas, label);
      btn.addEventListener("click", () => inspect(Number(btn.dataset.index)));
      box.append(btn);
      cells.push({ btn, canvas, label, index: -1, text: "", wrong: null });
    }
    const [h, w] = shape();
    cells.forEach((cell, k) => {
      const index = indices[k];
      cell.btn.hidden = index === undefined;
      if (index === undefined || index === cell.index) return;
      cell.index = index;
      cell.btn.dataset.index = String(index);
      const row = test()[index];
      paintInk(cell.canvas, row, w, h);
    });
  }

  return {
    name: "gallery",
    el: root,
    wants: (s) => (kind(s) === "image" ? { predictions: true } : {}),
    take(snap, s) {
      if (snap.predictions) { predicted = snap.predictions.test; takenAt = s.version; }
    },
    fresh: (s) => kind(s) !== "image" || takenAt === s.version,
    configure(s) {
      markKind(s);
      first = 0;
      cells.forEach((c) => { c.index = -1; });
      layoutKey = drawnKey = "";
    },
    draw(s) {
      if (kind(s) !== "image" || !s.data?.rows) return;
      const all = shown(), size = perPage();
      if (first >= all.length) first = Math.max(0, Math.floor((all.length - 1) / size) * size);
      const indices = all.slice(first, first + size);
      layout(indices);
      const key = `${takenAt}|${first}|${size}|${wrongOnly.checked}`;
      if (key === drawnKey) return;
      drawnKey = key;
      const rows = test();
      let wrong = 0;
      if (predicted) for (let i = 0; i < rows.length; i++) if (predicted[i] !== rows[i][rows[i].length - 1]) wrong++;
      cells.forEach((cell) => {
        if (cell.btn.hidden) return;
        const truth = rows[cell.index][rows[cell.index].length - 1], guess = predicted?.[cell.index];
        const text = guess == null ? "…" : String(guess), isWrong = guess != null && guess !== truth;
        // (only what changed is touched: every write costs the page a style and layout pass)
        const said = `${cell.index}|${text}`;
        if (cell.text !== text) { cell.text = text; cell.label.textContent = text; }
        if (cell.wrong !== isWrong) { cell.wrong = isWrong; cell.btn.classList.toggle("wrong", isWrong); }
        if (cell.said !== said) {
          cell.said = said;
          cell.btn.title = `test digit ${cell.index}: it is a ${truth}; the network says ${guess ?? "…"}${isWrong ? " (wrong)" : ""}. Click to inspect it.`;
          cell.btn.setAttribute("aria-label", cell.btn.title);
        }
      });
      setText(summary, predicted ? `${rows.length - wrong} of ${rows.length} right · ${wrong} wrong` : "");
      setText(range, all.length ? `${first + 1}–${Math.min(all.length, first + size)} of ${all.length}` : "none");
      prev.disabled = first === 0;
      next.disabled = first + size >= all.length;
      root.classList.toggle("is-stale", takenAt !== s.version);
    },
    // for tests: what the gallery shows, in order
    shown: () => cells.filter((c) => !c.btn.hidden).map((c) => ({ index: c.index, label: c.text, wrong: !!c.wrong })),
  };
}
