// Practice's questions, one row each in computation order: the question in words, a box for the
// learner's number, ✓ or ✗ once checked (with the mistake explained and the equation with the
// learner's numbers as a hint), and "Reveal". Keyboard: Tab goes from box to box, Enter checks
// (a right answer moves on to the next box), Shift+Enter reveals.
//
// The rows are built once per page of questions and then updated in place, so a box keeps its
// focus and its text while answers come back.

import { sig } from "./numbers.js";

const PARSE_HELP = "Type a number, e.g. 0.54, −1.2 or 3e-4.";

/** The learner's text as a number (a typographic minus and a decimal comma accepted), or null. */
export function parseAnswer(text) {
  const t = text.trim().replace(/[−–]/g, "-").replace(/^(-?\d+),(\d+)$/, "$1.$2");
  if (!t || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

export class QuestionList {
  /** handlers: {check(key, number), reveal(key), focus(key) (a box got the focus), next(key) → the
   * key after it in the stage or null, goto(key): show and focus that question} */
  constructor(box, handlers) {
    this.box = box;
    this.h = handlers;
    this.rows = new Map();
    this.keys = "";
    this.list = document.createElement("ol");
    this.list.className = "pr-list";
    box.append(this.list);
  }

  /** questions: this page's; first: the index of the first in the stage. */
  render(questions, first, view) {
    const keys = questions.map((q) => q.key).join(" ");
    if (keys !== this.keys) this.build(questions, first);
    for (const q of questions) this.update(q, view);
  }

  build(questions, first) {
    this.keys = questions.map((q) => q.key).join(" ");
    this.rows.clear();
    this.list.start = first + 1;
    this.list.replaceChildren(...questions.map((q) => {
      const li = document.createElement("li");
      li.className = "pr-q";
      li.dataset.key = q.key;
      const id = `pr-${q.key.replace(/\./g, "-")}`;
      const label = Object.assign(document.createElement("label"), { className: "pr-prompt", htmlFor: id, textContent: q.prompt });
      const input = Object.assign(document.createElement("input"), { id, type: "text", className: "pr-input", autocomplete: "off", spellcheck: false });
      input.inputMode = "decimal";
      input.setAttribute("aria-describedby", `${id}-eq ${id}-fb`);
      const mark = Object.assign(document.createElement("span"), { className: "pr-mark" });
      mark.setAttribute("aria-hidden", "true");
      const reveal = Object.assign(document.createElement("button"), { type: "button", className: "pr-reveal", textContent: "Reveal", tabIndex: -1, title: "Show the true value (Shift+Enter in the box)" });
      const eq = Object.assign(document.createElement("div"), { className: "pr-eq", id: `${id}-eq`, textContent: q.equation });
      const fb = Object.assign(document.createElement("div"), { className: "pr-feedback", id: `${id}-fb` });
      fb.setAttribute("aria-live", "polite");
      const line = Object.assign(document.createElement("div"), { className: "pr-line" });
      line.append(label, input, mark, reveal);
      li.append(line, eq, fb);
      input.addEventListener("focus", () => this.h.focus(q.key));
      input.addEventListener("keydown", (e) => {
        if (e.key !== "Enter") return;
        e.preventDefault();
        if (e.shiftKey) { this.h.reveal(q.key); return; }
        if (!input.value.trim()) { this.focusNext(q.key); return; }
        const v = parseAnswer(input.value);
        if (v == null) { this.say(q.key, PARSE_HELP, "wrong"); return; }
        this.h.check(q.key, v);
      });
      input.addEventListener("input", () => { if (li.classList.contains("unparsed")) { li.classList.remove("unparsed"); fb.textContent = ""; } });
      reveal.addEventListener("click", () => { this.h.reveal(q.key); input.focus(); });
      this.rows.set(q.key, { li, input, mark, fb, shown: null });
      return li;
    }));
  }

  /** One row from the view: {answers, results, revealed, values, focusKey}. */
  update(q, view) {
    const row = this.rows.get(q.key);
    if (!row) return;
    const r = view.results[q.key], answered = view.answers.has(q.key), revealed = view.revealed.has(q.key);
    const status = revealed && !(r && r.correct) ? "revealed" : r ? (r.correct ? "right" : "wrong") : "";
    row.li.classList.toggle("right", status === "right");
    row.li.classList.toggle("wrong", status === "wrong");
    row.li.classList.toggle("revealed", status === "revealed");
    row.li.classList.toggle("focus", view.focusKey === q.key);
    row.li.dataset.diagnosis = r && !r.correct ? r.diagnosis || "none" : "";
    row.mark.textContent = status === "right" ? "✓" : status === "wrong" ? "✗" : "";
    // Fill the box from the state only when it changed (never over what the learner is typing).
    const want = revealed && !answered ? sig(view.values[q.key], 6) : answered ? String(view.answers.get(q.key)).replace("-", "−") : null;
    if (want != null && want !== row.shown) { row.input.value = want; row.shown = want; }
    const text = revealed && !(r && r.correct) ? `The value is ${sig(view.values[q.key], 6)}.`
      : !r ? "" : r.correct ? "Right." : `✗ ${r.explanation} Hint: ${r.hint}`;
    if (!row.li.classList.contains("unparsed")) row.fb.textContent = text;
  }

  say(key, text, cls) {
    const row = this.rows.get(key);
    if (!row) return;
    row.li.classList.add("unparsed");
    row.fb.textContent = text;
    row.li.classList.toggle(cls, true);
  }

  focus(key) {
    const row = this.rows.get(key);
    if (row) { row.input.focus(); row.input.select(); }
    return !!row;
  }

  focusNext(key) {
    const next = this.h.next(key);
    if (next) this.h.goto(next);
  }

  has(key) { return this.rows.has(key); }
}
