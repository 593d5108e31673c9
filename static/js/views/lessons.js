// Lessons: guided steps beside the playground (docs/lessons.md). The Lessons button opens a side
// panel with the list (GET /api/lessons); a lesson opens there one step at a time. Opening a
// step applies its `state` (a new session, POST /api/sessions: the server's defaults for the
// rest; a step without one keeps the learner's run), hides and locks the controls it names,
// outlines the region it highlights, and checks its goal live — after every answer drawn and
// every event (learner-events.js) — with a ✓ that stays once met. Progress lives in the
// browser's storage (lessons/progress.js); `#…&lesson=<id>&step=k` opens a lesson at a step.
// A link that also carries a configuration keeps it: the step's state is applied only when the
// link has none (a copied link already holds the state as the learner changed it).
//
// Also the projector switch (lessons/projector.js, in the panel's head), kept in the link as
// view.proj=1.
// A view only in name: it wants nothing from the server; `draw` is where goals are checked.

import { api, ApiError } from "../api.js";
import { StepEffects } from "../lessons/effects.js";
import { knowLessonEvents, onLessonEvent } from "../learner-events.js";
import { goalContext, goalLines, goalMet } from "../lessons/goals.js";
import { LessonPanel } from "../lessons/panel.js";
import { progressOf, updateProgress } from "../lessons/progress.js";
import { showProjector } from "../lessons/projector.js";
import { openConfig } from "../session.js";
import { addHashPart } from "../share.js";

const $ = (id) => document.getElementById(id);

export default function lessonsView(page) {
  const { state } = page;
  knowLessonEvents(state.options.lessons.events.map((e) => e.name));
  const root = $("lesson-panel"), button = $("btn-lessons");
  const effects = new StepEffects(state.options.controls, state.locked);
  const my = {
    summaries: null,   // GET /api/lessons, once
    lesson: null,      // the open lesson (GET /api/lessons/<id>)
    index: 0,          // its step, from 0
    events: new Set(), // what the learner did since the step opened
    ready: false,      // the step's state is in place: its goal may be checked
    met: false,        // the goal was met during this visit (stays met)
    shown: "",         // the goal lines last shown
    answer: null,      // the question's answer picked during this visit
    visit: 0,          // step openings so far (a slow state from an older one is dropped)
    pending: fromLink(location.hash, state.options.defaults),
  };
  const panel = new LessonPanel(root, {
    pick: (id) => start(id),
    back: () => go(my.index - 1),
    next: () => (my.index + 1 < my.lesson.steps.length ? go(my.index + 1) : finish()),
    close,
    list: () => showList(true),
    answer,
  });
  const projector = panel.projector;
  addHashPart(["lesson", "step"], () => (my.lesson ? [["lesson", my.lesson.id], ["step", String(my.index + 1)]] : []));
  onLessonEvent((name) => {
    if (!my.lesson || !my.ready) return;
    my.events.add(name);
    check();
  });
  button.addEventListener("click", () => (root.hidden ? showList(true) : close()));
  projector.addEventListener("change", () => {
    state.view.projector = projector.checked;
    showProjector(projector.checked);
    page.saveView();
  });

  // ---------------------------------------------------------------- the panel
  function setOpen(on) {
    if (root.hidden !== on) return;
    root.hidden = !on;
    document.body.classList.toggle("lesson-open", on);
    button.setAttribute("aria-expanded", String(on));
    window.dispatchEvent(new Event("resize"));   // the plots beside it re-measure
  }

  async function showList(focus) {
    leaveStep();
    setOpen(true);
    if (!my.summaries) {
      panel.say("Loading the lessons…");
      try {
        my.summaries = (await api.lessons()).lessons;
        panel.say("");
      } catch (err) {
        panel.say(`The lessons could not be loaded: ${describe(err)}`);
      }
    }
    panel.showList(my.summaries || [], progressOf);
    if (focus) panel.focus();
  }

  function close() {
    leaveStep();
    setOpen(false);
    button.focus();
  }

  function leaveStep() {
    my.visit++;
    my.lesson = null;
    my.ready = false;
    effects.clear();
    page.saveView();
  }

  // ---------------------------------------------------------------- a lesson's steps
  async function load(id) {
    try {
      return await api.lesson(id);
    } catch (err) {
      const msg = `The lesson “${id}” cannot be opened: ${describe(err)}`;
      page.toast(msg, "error", 8000);
      state.errors.push(msg);
      return null;
    }
  }

  async function start(id) {
    const lesson = await load(id);
    if (!lesson) return;
    const p = progressOf(id);
    await open(lesson, p.done ? 0 : Math.min(p.step, lesson.steps.length) - 1, true);
    panel.focus();
  }

  const go = (index) => open(my.lesson, index, true);

  /** Show step `index` of `lesson`; apply: set up its state (false: the learner's run stays). */
  async function open(lesson, index, apply) {
    const visit = ++my.visit;
    Object.assign(my, { lesson, index, events: new Set(), ready: false, met: false, shown: "", answer: null });
    setOpen(true);
    const step = lesson.steps[index];
    const progress = updateProgress(lesson.id, (p) => { p.step = index + 1; });
    panel.say("");
    panel.showStep(lesson, index, progress);
    if (progress.right.includes(index + 1) && step.question) {
      my.answer = step.question.answer;
      panel.showQuestion(step.question, my.answer);
    }
    if (step.goal) panel.showGoal(goalLines(step.goal, goalContext({}, new Set()), state.options), false);
    effects.apply(step);
    page.saveView();
    if (apply && step.state) {
      await openConfig(step.state, `Lesson step ${index + 1} of ${lesson.steps.length} set up`);
      if (visit !== my.visit) return;
    }
    my.ready = true;
    check();
  }

  function finish() {
    updateProgress(my.lesson.id, (p) => { p.done = true; p.step = 1; });
    const title = my.lesson.title;
    showList(true).then(() => panel.say(`Finished “${title}”. Well done!`));
  }

  function answer(choice) {
    const step = my.lesson.steps[my.index];
    my.answer = choice;
    panel.say("");
    panel.showQuestion(step.question, choice, { focus: true });
    if (choice === step.question.answer) updateProgress(my.lesson.id, (p) => { if (!p.right.includes(my.index + 1)) p.right.push(my.index + 1); });
  }

  /** The goal against the page's state now; met once, it stays met for this visit. */
  function check() {
    if (!my.lesson || !my.ready || !state.config) return;
    const goal = my.lesson.steps[my.index].goal;
    if (!goal) return;
    const ctx = goalContext(state, my.events);
    if (!my.met && goalMet(goal, ctx)) {
      my.met = true;
      const number = my.index + 1;
      updateProgress(my.lesson.id, (p) => { if (!p.met.includes(number)) p.met.push(number); });
    }
    const lines = goalLines(goal, ctx, state.options);
    const key = JSON.stringify(lines) + my.met;
    if (key !== my.shown) {
      my.shown = key;
      panel.showGoal(lines, my.met);
    }
  }

  // ---------------------------------------------------------------- a link's lesson
  async function openFromLink({ id, step, keepRun }) {
    const lesson = await load(id);
    if (!lesson) { page.saveView(); return; }
    const n = lesson.steps.length;
    const index = Math.min(Math.max(step, 1), n) - 1;
    if (index + 1 !== step) page.toast(`This lesson has ${n} steps: opened step ${index + 1}.`, "info", 5000);
    await open(lesson, index, !keepRun);
  }

  return {
    name: "lessons",
    link: { proj: { key: "projector", default: false, type: "bool", input: projector } },
    wants: () => null,
    take() {},
    configure(s) {
      showProjector(!!s.view.projector);
      effects.refresh();   // controls rebuilt for the new configuration are locked again
      if (my.pending && s.id) {
        const link = my.pending;
        my.pending = null;
        openFromLink(link);
      }
    },
    draw() {
      effects.refresh();
      check();
    },
    // for tests
    get lesson() { return my.lesson && { id: my.lesson.id, step: my.index + 1, met: my.met, ready: my.ready }; },
  };
}

/** {id, step (from 1), keepRun: the link carries a configuration} or null, from a hash. */
function fromLink(hash, defaults) {
  const q = new URLSearchParams(hash.replace(/^#/, ""));
  const id = q.get("lesson");
  if (!id) return null;
  const step = Number.parseInt(q.get("step") || "1", 10);
  return { id, step: Number.isFinite(step) ? step : 1, keepRun: [...q.keys()].some((k) => k.split(".")[0] in defaults) };
}

const describe = (err) => (err instanceof ApiError ? err.describe() : err.message);
