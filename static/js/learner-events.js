// What the learner does, told to whoever listens: a tiny event bus. Modules emit what happened
// (`emitLessonEvent("played")`); the lesson panel listens and ticks a goal that waits for it.
// Every event is also dispatched as `playground:event` on window ({detail: {name, ...detail}}),
// for listeners outside the page's modules (tests). The names are the server's (/api/options →
// lessons.events); an unknown name is a programming error, said on the console once listeners
// know the vocabulary.
//
// Emitted today: played (frame-loop.js, play starts), stepped and reset (session.js), inspected
// (views/inspect.js, Inspect opens), compared (views/compare.js, a race starts), diverged
// (frame-loop.js, a run's status turns "diverged"), practice_correct (inspect/practice-score.js,
// a Practice answer checked right).

const listeners = new Set();
let known = null;   // the served names, once set

/** Tell every listener that `name` happened (detail: an object of whatever it passes along). */
export function emitLessonEvent(name, detail = {}) {
  if (known && !known.has(name)) console.warn(`lesson event ${name}: not one of ${[...known].join(", ")}`);
  for (const listener of listeners) listener(name, detail);
  window.dispatchEvent(new CustomEvent("playground:event", { detail: { name, ...detail } }));
}

/** Call `listener(name, detail)` on every event; returns the function that stops it. */
export function onLessonEvent(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The event names the server serves (checked by emitLessonEvent). */
export function knowLessonEvents(names) {
  known = new Set(names);
}
