// What the learner does, told to whoever listens: a tiny event bus. Modules emit what happened
// (`emitLessonEvent("played")`); the lesson panel listens and ticks a goal that waits for it.
// The names are the server's (/api/options → lessons.events); an unknown name is a programming
// error, said on the console once listeners know the vocabulary.
//
// Emitted today: played (frame-loop.js, play starts), stepped and reset (session.js), inspected
// (views/inspect.js, Inspect opens), compared (views/compare.js, a race starts), diverged
// (frame-loop.js, a run's status turns "diverged"). Practice emits practice_correct.

const listeners = new Set();
let known = null;   // the served names, once set

/** Tell every listener that `name` happened (detail: anything it wants to pass along). */
export function emitLessonEvent(name, detail = null) {
  if (known && !known.has(name)) console.warn(`lesson event ${name}: not one of ${[...known].join(", ")}`);
  for (const listener of listeners) listener(name, detail);
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
