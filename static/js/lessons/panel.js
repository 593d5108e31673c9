// The lesson panel's DOM (no state of its own beyond what it shows): the list of lessons, and one
// lesson's step — progress, title, text (markdown.js), goal with a live ✓, question, Back/Next.
// views/lessons.js decides what to show and calls back through `on`.
// For tests the panel carries data-lesson, data-step (counted from 1) and data-goal-met.

import { renderMarkdown } from "./markdown.js";
import { progressText } from "./progress.js";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.filter((c) => c != null));
  return node;
}

export class LessonPanel {
  /** on: {pick(id), back(), next(), close(), list(), answer(choice)} */
  constructor(root, on) {
    this.root = root;
    this.on = on;
    this.heading = el("h2", { id: "lesson-heading", tabindex: "-1", text: "Lessons" });
    const close = el("button", { type: "button", class: "lp-close", "aria-label": "Close the lessons", title: "Close the lessons (your progress is kept)", text: "✕" });
    close.addEventListener("click", () => on.close());
    // Projector mode's one switch lives here, where a teacher starts a class (views/lessons.js).
    this.projector = el("input", { type: "checkbox", id: "projector" });
    const projector = el("label", { class: "lp-projector", "data-control": "projector", title: "Projector mode: larger text and plots, fewer panels (stays on when the panel closes)" }, this.projector, " Projector");
    this.list = el("ul", { class: "lp-list", "aria-label": "Lessons" });
    this.note = el("p", { class: "lp-note", role: "status" });

    this.progress = el("p", { class: "lp-progress" });
    this.dots = el("ol", { class: "lp-dots", "aria-hidden": "true" });
    this.title = el("h3", { class: "lp-title" });
    this.text = el("div", { class: "lp-text" });
    this.goalList = el("ul", { class: "lp-goal-list" });
    this.goalState = el("span", { class: "lp-goal-state" });
    this.goal = el("section", { class: "lp-goal", "aria-live": "polite", "aria-label": "Goal" },
      el("h4", {}, "Goal ", this.goalState), this.goalList);
    this.question = el("fieldset", { class: "lp-question" });
    this.back = el("button", { type: "button", class: "btn lp-back", text: "← Back" });
    this.next = el("button", { type: "button", class: "btn lp-next", text: "Next →" });
    this.back.addEventListener("click", () => on.back());
    this.next.addEventListener("click", () => on.next());
    const all = el("button", { type: "button", class: "lp-all", text: "All lessons" });
    all.addEventListener("click", () => on.list());
    this.lesson = el("div", { class: "lp-lesson" },
      el("div", { class: "lp-where" }, this.progress, this.dots), this.title, this.text, this.goal,
      this.question, el("div", { class: "lp-nav" }, this.back, this.next), all);
    root.replaceChildren(el("div", { class: "lp-head" }, this.heading, el("div", { class: "lp-head-tools" }, projector, close)), this.note, this.list, this.lesson);
    this.setMarks({ lesson: "", step: "", met: false });
  }

  setMarks({ lesson, step, met }) {
    this.root.dataset.lesson = lesson;
    this.root.dataset.step = String(step);
    this.root.dataset.goalMet = String(met);
  }

  focus() { this.heading.focus({ preventScroll: true }); }

  say(text) { this.note.textContent = text || ""; }

  // ---------------------------------------------------------------- the list
  showList(lessons, progressOf) {
    this.heading.textContent = "Lessons";
    this.lesson.hidden = true;
    this.list.hidden = false;
    this.setMarks({ lesson: "", step: "", met: false });
    this.list.replaceChildren(...lessons.map((l) => {
      const p = progressOf(l.id);
      const open = el("button", { type: "button", class: "lp-open", "data-lesson-id": l.id },
        el("span", { class: "lp-open-title", text: l.title }),
        el("span", { class: `lp-open-progress${p.done ? " done" : ""}`, text: progressText(p, l.steps) }));
      open.addEventListener("click", () => this.on.pick(l.id));
      return el("li", {}, open, el("p", { class: "lp-summary", text: l.summary }));
    }));
    if (!lessons.length) this.list.append(el("li", { class: "lp-summary", text: "This server has no lessons." }));
  }

  // ---------------------------------------------------------------- one step
  /** Show step `index` (from 0) of `lesson`; progress: progress.js's entry for it. */
  showStep(lesson, index, progress) {
    const step = lesson.steps[index], n = lesson.steps.length;
    this.heading.textContent = lesson.title;
    this.list.hidden = true;
    this.lesson.hidden = false;
    this.progress.textContent = `Step ${index + 1} of ${n}`;
    this.dots.replaceChildren(...lesson.steps.map((_, i) => el("li", {
      class: [i === index && "here", progress.met.includes(i + 1) && "met", i < index && "seen"].filter(Boolean).join(" "),
    })));
    this.title.textContent = step.title;
    this.text.replaceChildren(renderMarkdown(step.text));
    this.goal.hidden = !step.goal;
    this.showQuestion(step.question, null);
    this.back.disabled = index === 0;
    this.next.textContent = index === n - 1 ? "Finish ✓" : "Next →";
    this.setMarks({ lesson: lesson.id, step: index + 1, met: !step.goal });
  }

  /** The goal's lines ([{text, met, children}], goals.js) and whether it is met (latched). */
  showGoal(lines, met) {
    const item = (line) => el("li", { class: line.met ? "met" : "" },
      el("span", { class: "lp-mark", "aria-hidden": "true", text: line.met ? "✓" : "○" }),
      el("span", { text: line.text }),
      el("span", { class: "visually-hidden", text: line.met ? " (done)" : " (not yet)" }),
      line.children.length ? el("ul", {}, ...line.children.map(item)) : null);
    this.goalList.replaceChildren(...lines.map(item));
    this.goal.classList.toggle("met", met);
    this.goalState.textContent = met ? "✓ met" : "";
    this.root.dataset.goalMet = String(met);
  }

  /** The question, and (after an answer) whether `choice` was right, with the explanation;
   * focus: keep the keyboard on the Check button (it is rebuilt). */
  showQuestion(question, choice, { focus = false } = {}) {
    this.question.hidden = !question;
    if (!question) { this.question.replaceChildren(); return; }
    const name = `lp-q-${this.root.dataset.lesson}-${this.root.dataset.step}`;
    const options = question.choices.map((text, i) => {
      const input = el("input", { type: "radio", name, value: String(i) });
      if (choice === i) input.checked = true;
      return el("label", { class: `lp-choice${choice != null && i === question.answer ? " right" : ""}` }, input, el("span", { text }));
    });
    const check = el("button", { type: "button", class: "btn lp-check", text: "Check" });
    check.addEventListener("click", () => {
      const picked = this.question.querySelector("input:checked");
      if (picked) this.on.answer(Number(picked.value));
      else this.say("Pick an answer first.");
    });
    const parts = [el("legend", { text: "Question" }), el("p", { class: "lp-prompt", text: question.prompt }), ...options, check];
    if (choice != null) {
      const right = choice === question.answer;
      const feedback = el("div", { class: `lp-feedback ${right ? "right" : "wrong"}`, role: "status" },
        el("strong", { text: right ? "✓ Right. " : "Not quite. " }));
      feedback.append(renderMarkdown(question.explain));
      parts.push(feedback);
    }
    this.question.replaceChildren(...parts);
    if (focus) check.focus();
  }
}
