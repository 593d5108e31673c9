// The lesson panel's DOM (no state of its own beyond what it shows): the list of lessons, and one
// lesson's step — progress, title, text (markdown.js), goal with a live ✓, question, Back/Next.
// views/lessons.js decides what to show and calls back through `on`.
// For tests the panel carries data-lesson, data-step (counted from 1) and data-goal-met.

import { renderMarkdown } from "./markdown.js";
import { progressText } from "./progress.js";
import { element } from "../dom.js";

export class LessonPanel {
  /** on: {pick(id), back(), next(), close(), list(), answer(choice)} */
  constructor(root, on) {
    this.root = root;
    this.on = on;
    this.heading = element("h2", { id: "lesson-heading", tabindex: "-1", text: "Lessons" });
    const close = element("button", { type: "button", class: "lp-close", "aria-label": "Close the lessons", title: "Close the lessons (your progress is kept)", text: "✕" });
    close.addEventListener("click", () => on.close());
    // Projector mode's one switch lives here, where a teacher starts a class (views/lessons.js).
    this.projector = element("input", { type: "checkbox", id: "projector" });
    const projector = element("label", { class: "lp-projector", "data-control": "projector", title: "Projector mode: larger text and plots, fewer panels (stays on when the panel closes)" }, this.projector, " Projector");
    this.list = element("ul", { class: "lp-list", "aria-label": "Lessons" });
    this.note = element("p", { class: "lp-note", role: "status" });

    this.progress = element("p", { class: "lp-progress" });
    this.dots = element("ol", { class: "lp-dots", "aria-hidden": "true" });
    this.title = element("h3", { class: "lp-title" });
    this.text = element("div", { class: "lp-text" });
    this.goalList = element("ul", { class: "lp-goal-list" });
    this.goalState = element("span", { class: "lp-goal-state" });
    this.goal = element("section", { class: "lp-goal", "aria-live": "polite", "aria-label": "Goal" },
      element("h4", {}, "Goal ", this.goalState), this.goalList);
    this.question = element("fieldset", { class: "lp-question" });
    this.back = element("button", { type: "button", class: "btn lp-back", text: "← Back" });
    this.next = element("button", { type: "button", class: "btn lp-next", text: "Next →" });
    this.back.addEventListener("click", () => on.back());
    this.next.addEventListener("click", () => on.next());
    const all = element("button", { type: "button", class: "lp-all", text: "All lessons" });
    all.addEventListener("click", () => on.list());
    this.lesson = element("div", { class: "lp-lesson" },
      element("div", { class: "lp-where" }, this.progress, this.dots), this.title, this.text, this.goal,
      this.question, element("div", { class: "lp-nav" }, this.back, this.next), all);
    root.replaceChildren(element("div", { class: "lp-head" }, this.heading, element("div", { class: "lp-head-tools" }, projector, close)), this.note, this.list, this.lesson);
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
      const open = element("button", { type: "button", class: "lp-open", "data-lesson-id": l.id },
        element("span", { class: "lp-open-title", text: l.title }),
        element("span", { class: `lp-open-progress${p.done ? " done" : ""}`, text: progressText(p, l.steps) }));
      open.addEventListener("click", () => this.on.pick(l.id));
      return element("li", {}, open, element("p", { class: "lp-summary", text: l.summary }));
    }));
    if (!lessons.length) this.list.append(element("li", { class: "lp-summary", text: "This server has no lessons." }));
  }

  // ---------------------------------------------------------------- one step
  /** Show step `index` (from 0) of `lesson`; progress: progress.js's entry for it. */
  showStep(lesson, index, progress) {
    const step = lesson.steps[index], n = lesson.steps.length;
    this.heading.textContent = lesson.title;
    this.list.hidden = true;
    this.lesson.hidden = false;
    this.progress.textContent = `Step ${index + 1} of ${n}`;
    this.dots.replaceChildren(...lesson.steps.map((_, i) => element("li", {
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
    const item = (line) => element("li", { class: line.met ? "met" : "" },
      element("span", { class: "lp-mark", "aria-hidden": "true", text: line.met ? "✓" : "○" }),
      element("span", { text: line.text }),
      element("span", { class: "visually-hidden", text: line.met ? " (done)" : " (not yet)" }),
      line.children.length ? element("ul", {}, ...line.children.map(item)) : null);
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
      const input = element("input", { type: "radio", name, value: String(i) });
      if (choice === i) input.checked = true;
      return element("label", { class: `lp-choice${choice != null && i === question.answer ? " right" : ""}` }, input, element("span", { text }));
    });
    const check = element("button", { type: "button", class: "btn lp-check", text: "Check" });
    check.addEventListener("click", () => {
      const picked = this.question.querySelector("input:checked");
      if (picked) this.on.answer(Number(picked.value));
      else this.say("Pick an answer first.");
    });
    const parts = [element("legend", { text: "Question" }), element("p", { class: "lp-prompt", text: question.prompt }), ...options, check];
    if (choice != null) {
      const right = choice === question.answer;
      const feedback = element("div", { class: `lp-feedback ${right ? "right" : "wrong"}`, role: "status" },
        element("strong", { text: right ? "✓ Right. " : "Not quite. " }));
      feedback.append(renderMarkdown(question.explain));
      parts.push(feedback);
    }
    this.question.replaceChildren(...parts);
    if (focus) check.focus();
  }
}
