// Each lesson's progress, kept in the browser's storage (localStorage, one JSON entry): the step
// last opened, the steps whose goal was met, the questions answered right, and whether the
// lesson was finished. Storage that is full, off or private only means progress is not kept.

const KEY = "playground.lessons.v1";

function readAll() {
  try {
    const all = JSON.parse(localStorage.getItem(KEY) || "{}");
    return all && typeof all === "object" && !Array.isArray(all) ? all : {};
  } catch {
    return {};
  }
}

/** {step (1-based), met: [steps], right: [steps], done} for a lesson (empty if none). */
export function progressOf(id) {
  const p = readAll()[id] || {};
  return {
    step: Number.isInteger(p.step) && p.step > 0 ? p.step : 1,
    met: Array.isArray(p.met) ? p.met : [],
    right: Array.isArray(p.right) ? p.right : [],
    done: p.done === true,
    started: Number.isInteger(p.step),
  };
}

/** Change a lesson's progress: `change(progress)` edits the copy that is stored. */
export function updateProgress(id, change) {
  const all = readAll();
  const p = progressOf(id);
  change(p);
  delete p.started;
  all[id] = p;
  try { localStorage.setItem(KEY, JSON.stringify(all)); } catch { /* not kept: fine */ }
  return progressOf(id);
}

/** "step 3 of 5", "2 of 5 goals met", "done ✓": what the list says of a lesson. */
export function progressText(p, steps) {
  if (p.done) return "done ✓";
  if (!p.started) return `${steps} steps`;
  return `at step ${Math.min(p.step, steps)} of ${steps}`;
}
