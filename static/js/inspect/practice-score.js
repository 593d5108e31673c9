// Practice's running score, one tally per kind of equation, kept in the browser's localStorage
// (it survives reloads and new exercises; "reset" clears it), and the event a correct answer
// sends through learner-events.js: practice_correct with {key, kind} (also `playground:event`
// on window), for whatever listens (a lesson waiting for the learner to get one right).

import { emitLessonEvent } from "../learner-events.js";

const STORE_KEY = "nn-playground.practice.score";
// The kinds of equation, in computation order: question quantity → kind.
export const KINDS = [
  { name: "neuron", label: "neuron (z, a)", quantities: ["z", "a"] },
  { name: "loss", label: "loss", quantities: ["loss"] },
  { name: "delta", label: "backprop δ", quantities: ["delta"] },
  { name: "gradient", label: "gradient", quantities: ["dW", "db"] },
  { name: "update", label: "update", quantities: ["W_new", "b_new"] },
];
const KIND_OF = new Map(KINDS.flatMap((k) => k.quantities.map((q) => [q, k.name])));
export const kindOf = (quantity) => KIND_OF.get(quantity);

export class Score {
  constructor() { this.tally = this.load(); }

  load() {
    const empty = Object.fromEntries(KINDS.map((k) => [k.name, { right: 0, tried: 0 }]));
    try {
      const saved = JSON.parse(localStorage.getItem(STORE_KEY) || "{}");
      for (const k of KINDS) {
        const t = saved[k.name];
        if (t && Number.isInteger(t.right) && Number.isInteger(t.tried) && 0 <= t.right && t.right <= t.tried) empty[k.name] = { right: t.right, tried: t.tried };
      }
    } catch { /* storage off or damaged: start from zero */ }
    return empty;
  }

  save() {
    try { localStorage.setItem(STORE_KEY, JSON.stringify(this.tally)); } catch { /* storage off: the score lasts this page */ }
  }

  /** One checked answer of this quantity. */
  add(quantity, correct) {
    const t = this.tally[kindOf(quantity)];
    if (!t) return;
    t.tried += 1;
    if (correct) t.right += 1;
    this.save();
  }

  reset() {
    for (const k of KINDS) this.tally[k.name] = { right: 0, tried: 0 };
    this.save();
  }

  /** "Your score: neuron (z, a) 5/6 · loss – …" and a reset button (its click is the owner's). */
  render(box) {
    const span = (className, textContent) => Object.assign(document.createElement("span"), { className, textContent });
    const parts = KINDS.map((k) => { const t = this.tally[k.name]; return span("pr-score-kind", `${k.label} ${t.tried ? `${t.right}/${t.tried}` : "–"}`); });
    const reset = Object.assign(document.createElement("button"), { type: "button", className: "pr-score-reset", textContent: "reset" });
    box.replaceChildren(span("pr-score-title", "Your score (this browser):"), ...parts, reset);
  }
}

/** Tell the page a practice answer was right. */
export function emitCorrect(key, quantity) {
  emitLessonEvent("practice_correct", { key, kind: kindOf(quantity) });
}
