// Practice, inside Inspect: the numbers of the current stage become boxes the learner fills in, in
// the order they are computed; Enter checks an answer on the server (POST /api/practice/check:
// carry-forward, the mistake named, a hint with the learner's own numbers), "Reveal" shows the
// true value, and the element the question is about is outlined, in the small diagram of the
// exercise and (practising on this point) in the playground's own diagram.
//
// Two sources: "Use this point" — the playground's network at the inspected point
// (POST /api/sessions/<id>/practice; fetched again when the point or the network changes) — and
// "New exercise" — a hand-computable network drawn from a seed (POST /api/practice/exercise), kept
// in the link (practice=2-2-1&practice.seed=42&practice.act=sigmoid) so a class can share it.
// A running score per kind of equation is kept in the browser (practice-score.js).
//
// The view (views/inspect.js) drives it through a few calls: open/close, sync() after it paints
// (stage, point and network changes), pick(focus) for a click on its diagram, mainFocus() for
// what its diagram outlines, configure() once a session exists (a link's exercise opens then).

import { ApiError, api } from "../api.js";
import { exclusive } from "../frame-loop.js";
import { addHashPart } from "../share.js";
import { sig } from "./numbers.js";
import { PracticeDiagram, fitsDiagram, stageLabels } from "./practice-diagram.js";
import { QuestionList } from "./practice-list.js";
import { Score, emitCorrect } from "./practice-score.js";

export const PRESETS = [
  { name: "2-2-1", label: "2-2-1, regression", body: { layer_sizes: [2, 2, 1], problem: "regression" } },
  { name: "2-3-2", label: "2-3-2, softmax", body: { layer_sizes: [2, 3, 2], problem: "multiclass" } },
  { name: "1-2-1", label: "1-2-1, regression", body: { layer_sizes: [1, 2, 1], problem: "regression" } },
];
// Inspect's stages and the questions each asks (a stage not listed has none).
const STAGE_QUANTITIES = { Forward: ["z", "a"], Loss: ["loss"], Backward: ["delta", "dW", "db"], Update: ["W_new", "b_new"] };
const STAGE_OF = new Map(Object.entries(STAGE_QUANTITIES).flatMap(([s, qs]) => qs.map((q) => [q, s])));
const STAGE_ORDER = Object.keys(STAGE_QUANTITIES);
const PAGE = 10;                 // questions shown at once
const FETCH = 1000;              // questions asked of the server at once (its most)
const NEW_SEEDS = 1_000_000;     // "New exercise" draws a seed below this (short links)

const $ = (id) => document.getElementById(id);
const make = (tag, props = {}, ...children) => { const n = Object.assign(document.createElement(tag), props); n.append(...children); return n; };

export class Practice {
  /** host: {enter(), stage() → name, point() → {set, index}, mark(focus | null)} */
  constructor(root, toggle, page, host) {
    this.root = root;
    this.toggle = toggle;
    this.page = page;
    this.host = host;
    this.on = false;
    this.source = null;      // {kind: "drawn", preset, seed, act} | {kind: "point", point, key}
    this.sent = 0;           // checks sent, and the newest whose results are shown
    this.applied = 0;
    this.reset();
    this.score = new Score();
    this.pending = linkExercise(location.hash);
    this.build();
    toggle.addEventListener("click", () => (this.on ? this.close() : this.open()));
    window.addEventListener("resize", () => { if (this.on && this.ex) this.renderDiagram(); });
    addHashPart("practice", () => (this.on && this.source?.kind === "drawn"
      ? [["practice", this.source.preset], ["practice.seed", String(this.source.seed)], ["practice.act", this.source.act]] : []));
  }

  reset() {
    this.ex = null; this.info = null; this.error = null; this.loading = false; this.big = false;
    this.stages = new Map();   // stage → {questions, total}
    this.values = {};          // key → true value
    this.answers = new Map();  // key → the learner's number, oldest first
    this.results = {};
    this.revealed = new Set();
    this.pages = new Map();    // stage → page index
    this.focusKey = null;
    this.seq = (this.seq || 0) + 1;
  }

  // ---------------------------------------------------------------- the panel
  build() {
    const ui = this.ui = {};
    ui.source = make("p", { className: "pr-source" });
    ui.source.setAttribute("aria-live", "polite");
    ui.preset = make("select", { id: "pr-preset" }, ...PRESETS.map((p) => make("option", { value: p.name, textContent: p.label })));
    ui.act = make("select", { id: "pr-act" });
    ui.seed = make("input", { id: "pr-seed", type: "number", min: 0, step: 1, className: "pr-seed-input" });
    ui.fresh = make("button", { type: "button", className: "btn small", id: "btn-pr-new", textContent: "New exercise", title: "Draw a new hand-computable exercise (a new seed)" });
    ui.point = make("button", { type: "button", className: "btn small", id: "btn-pr-point", textContent: "Use this point", title: "Practise on the playground's own network and the inspected point" });
    const label = (text, input) => make("label", { className: "pr-field" }, text, input);
    ui.tools = make("div", { className: "pr-tools" }, label("Exercise", ui.preset), label("hidden", ui.act), label("seed", ui.seed), ui.fresh, ui.point);
    ui.note = make("div", { className: "pr-note" });
    ui.figure = make("div", { className: "pr-figure" });
    ui.pager = make("div", { className: "pr-pager" });
    ui.status = make("p", { className: "pr-status" });
    ui.status.setAttribute("aria-live", "polite");
    ui.questions = make("div", { className: "pr-questions" }, ui.pager);
    ui.body = make("div", { className: "pr-body" }, ui.figure, ui.questions);
    ui.score = make("div", { className: "pr-score" });
    ui.help = make("p", { className: "hint pr-help", textContent: "Type a number in a box: Enter checks it (a right one moves on), Shift+Enter reveals it, Tab goes to the next box; ← → (outside a box) change the stage." });
    this.root.replaceChildren(make("div", { className: "pr-head" }, ui.source, ui.tools), ui.note, ui.body, ui.status, ui.score, ui.help);
    this.diagram = new PracticeDiagram(ui.figure, { onPick: (f) => this.pick(f) });
    this.list = new QuestionList(ui.questions, {
      check: (key, v) => this.check(key, v),
      reveal: (key) => this.reveal(key),
      focus: (key) => this.setFocus(key),
      next: (key) => this.after(key),
      goto: (key) => this.goto(key),
    });
    ui.fresh.addEventListener("click", () => this.draw({ seed: Math.floor(Math.random() * NEW_SEEDS) }));
    ui.point.addEventListener("click", () => this.usePoint());
    ui.preset.addEventListener("change", () => this.draw({ preset: ui.preset.value }));
    ui.act.addEventListener("change", () => this.draw({ act: ui.act.value }));
    ui.seed.addEventListener("change", () => {
      const v = Number(ui.seed.value);
      if (Number.isInteger(v) && v >= 0) this.draw({ seed: v });
      else { ui.seed.value = this.source?.seed ?? ""; this.page.toast("Seed: please type a whole number, 0 or more.", "error", 4000); }
    });
    ui.score.addEventListener("click", (e) => { if (e.target.closest(".pr-score-reset")) { this.score.reset(); this.renderScore(); } });
  }

  options() {
    const acts = this.page.state.options.activations.filter((a) => a.hidden);
    if (this.ui.act.options.length !== acts.length) this.ui.act.replaceChildren(...acts.map((a) => make("option", { value: a.name, textContent: a.label })));
  }

  // ---------------------------------------------------------------- on, off, sources
  open(source = null) {
    this.options();
    if (!this.on) {
      this.on = true;
      this.toggle.setAttribute("aria-pressed", "true");
      this.root.hidden = false;
      document.getElementById("inspect").classList.add("practising");
    }
    if (!source && this.ex && !this.error) { this.render(); this.sync(); return; }   // back to where it was
    const want = source || this.source || { kind: "point" };
    if (want.kind === "drawn") this.draw(want); else this.usePoint();
  }

  close() {
    if (!this.on) return;
    this.on = false;
    this.toggle.setAttribute("aria-pressed", "false");
    this.root.hidden = true;
    document.getElementById("inspect").classList.remove("practising");
    $("network").classList.remove("practising", "practising-other");
    this.host.mark(null);
    this.page.saveView();
    this.host.changed();
  }

  /** A drawn exercise; `change` overrides the current preset, seed or activation. */
  draw(change = {}) {
    const ui = this.ui, typed = Number(ui.seed.value);
    const cur = this.source?.kind === "drawn" ? this.source
      : { preset: ui.preset.value, seed: ui.seed.value && Number.isInteger(typed) && typed >= 0 ? typed : 0, act: ui.act.value || "sigmoid" };
    const source = { kind: "drawn", ...cur, ...change };
    const preset = PRESETS.find((p) => p.name === source.preset) || PRESETS[0];
    source.preset = preset.name;
    this.load(source, () => api.exercise({ ...preset.body, seed: source.seed, activation: source.act }));
  }

  usePoint() {
    const st = this.page.state, point = { ...this.host.point() };
    const source = { kind: "point", point, key: `${pointKey(point)}@${st.version}` };
    if (st.status === "diverged") { this.failed(source, "This network has diverged: reset it to practise on it, or draw a new exercise."); return; }
    this.load(source, () => exclusive(() => api.practice(st.id, { ...pointBody(point), limit: FETCH })));
  }

  load(source, request) {
    this.reset();
    this.source = source;
    this.loading = true;
    const seq = this.seq;
    this.render();
    request().then((res) => {
      if (seq !== this.seq || !this.on) return;
      this.loading = false;
      this.ex = res.exercise;
      this.info = source.kind === "point" ? res : null;
      this.values = res.solution;
      this.fill(res);
      this.render();
      this.page.saveView();
    }, (err) => {
      if (seq !== this.seq || !this.on) return;
      this.failed(source, `Could not ${source.kind === "point" ? "practise on this point" : "draw the exercise"}: ${err instanceof ApiError ? err.describe() : err.message}`);
    });
  }

  failed(source, message) {
    this.reset();
    this.source = source;
    this.error = message;
    this.render();
  }

  /** Split an answer's questions by stage; a network with more than one answer holds is paged. */
  fill(res) {
    if (res.questions.length < res.total) { this.big = true; return; }
    this.big = false;
    for (const stage of STAGE_ORDER) {
      const questions = res.questions.filter((q) => STAGE_OF.get(q.quantity) === stage);
      this.stages.set(stage, { questions, total: questions.length });
    }
  }

  /** A large network's stage, a thousand questions at a time (from `offset`). */
  fetchStage(stage, offset) {
    const seq = this.seq, st = this.page.state, point = this.source.point;
    const entry = this.stages.get(stage) || { questions: [], total: null, loading: false };
    if (entry.loading) return;
    entry.loading = true;
    this.stages.set(stage, entry);
    exclusive(() => api.practice(st.id, { ...pointBody(point), quantities: STAGE_QUANTITIES[stage], offset, limit: FETCH })).then((res) => {
      if (seq !== this.seq) return;
      entry.loading = false;
      entry.questions.push(...res.questions);
      entry.total = res.total;
      Object.assign(this.values, res.solution);
      this.render();
    }, (err) => {
      if (seq !== this.seq) return;
      this.failed(this.source, `Could not load the questions: ${err instanceof ApiError ? err.describe() : err.message}`);
    });
  }

  /** After Inspect paints: follow its stage, and its point and network when practising on them. */
  sync() {
    if (!this.on) return;
    const st = this.page.state;
    if (this.source?.kind === "point" && !st.running) {
      const p = this.host.point();
      if (`${pointKey(p)}@${st.version}` !== this.source.key) { this.usePoint(); return; }
    }
    if (this.host.stage() !== this.shownStage) this.render();
  }

  /** A link's exercise opens once the page has a session. */
  configure() {
    if (!this.pending || !this.page.state.id || !this.page.state.data) return;
    const want = this.pending;
    this.pending = null;
    this.host.enter();
    this.open({ kind: "drawn", ...want });
  }

  // ---------------------------------------------------------------- questions
  stageQuestions() {
    const stage = this.host.stage();
    return STAGE_QUANTITIES[stage] ? this.stages.get(stage) || null : null;
  }

  questionsOf(stage) { return this.stages.get(stage)?.questions || []; }

  after(key) {
    const qs = this.questionsOf(this.host.stage());
    const i = qs.findIndex((q) => q.key === key);
    return i >= 0 && i + 1 < qs.length ? qs[i + 1].key : null;
  }

  /** Show the page holding `key` and put the focus in its box (`take`: false only outlines it). */
  goto(key, take = true) {
    const stage = this.host.stage(), qs = this.questionsOf(stage);
    const i = qs.findIndex((q) => q.key === key);
    if (i < 0) return;
    this.pages.set(stage, Math.floor(i / PAGE));
    if (!take) this.focusKey = key;
    this.render();
    if (take) this.list.focus(key);
  }

  setFocus(key) {
    if (this.focusKey === key) return;
    this.focusKey = key;
    this.render();
  }

  /** A click on a diagram: the first question of this stage about that neuron, link or the loss
   * (at the Loss stage, any neuron means the loss). Tabbing through the playground's diagram only
   * outlines the question: the keyboard's focus stays where the learner put it. */
  pick(f) {
    if (!f) return;
    const qs = this.questionsOf(this.host.stage());
    const q = qs.find((x) => (f.kind === "loss" ? x.quantity === "loss"
      : f.kind === "link" ? x.input === f.i && x.layer === f.l && x.neuron === f.j
        : f.kind === "neuron" ? x.input == null && x.layer === f.l && x.neuron === f.j : false))
      || (f.kind === "neuron" ? qs.find((x) => x.quantity === "loss") : null);
    const keyboard = document.activeElement?.closest?.("#network") && document.activeElement.matches(":focus-visible");
    if (q) this.goto(q.key, !keyboard);
  }

  question(key) {
    for (const entry of this.stages.values()) { const q = entry.questions.find((x) => x.key === key); if (q) return q; }
    return null;
  }

  focusOf(key) {
    const q = key && this.question(key);
    if (!q) return null;
    if (q.quantity === "loss") return { kind: "loss", key };
    if (q.input != null) return { kind: "link", l: q.layer, i: q.input, j: q.neuron, key };
    // The weights its equation reads: a z its incoming ones, a hidden δ its outgoing ones.
    const sizes = this.ex.layer_sizes, l = q.layer, j = q.neuron, near = [];
    if (q.quantity === "z") for (let i = 0; i < sizes[l]; i++) near.push([l, i, j]);
    if (q.quantity === "delta" && l + 2 < sizes.length) for (let k = 0; k < sizes[l + 2]; k++) near.push([l + 1, j, k]);
    return { kind: "neuron", l, j, key, near };
  }

  /** What the playground's diagram outlines: only when practising on its own network. */
  mainFocus() { return this.source?.kind === "point" ? this.focusOf(this.focusKey) : null; }

  // ---------------------------------------------------------------- checking
  check(key, value) {
    const q = this.question(key);
    this.answers.delete(key);
    this.answers.set(key, value);
    this.revealed.delete(key);
    this.send(key, q, [...this.answers]);
  }

  /** Every answer so far goes with each check (the marking carries them forward); the server
   * says how many it takes at most, and then only the newest are sent. */
  send(key, q, entries) {
    const seq = this.seq, ex = this.ex, sent = ++this.sent;
    api.check({ exercise: ex, answers: Object.fromEntries(entries) }).then((res) => {
      if (seq !== this.seq) return;
      const r = res.results[key];
      this.score.add(q.quantity, r.correct);
      if (r.correct) emitCorrect(key, q.quantity);
      if (sent >= this.applied) { Object.assign(this.results, res.results); this.applied = sent; }
      this.render();
      if (r.correct && this.list.has(key) && document.activeElement?.id === `pr-${key.replace(/\./g, "-")}`) {
        const next = this.after(key);
        if (next) this.goto(next);
      }
    }, (err) => {
      if (seq !== this.seq) return;
      const most = err instanceof ApiError && err.field === "answers" && Array.isArray(err.allowed) ? err.allowed[1] : null;
      if (most && entries.length > most) { this.send(key, q, [...entries.slice(entries.length - most + 1).filter(([k]) => k !== key), [key, this.answers.get(key)]]); return; }
      this.list.say(key, `Could not check it: ${err instanceof ApiError ? err.describe() : err.message}`, "wrong");
    });
  }

  reveal(key) {
    if (!(key in this.values)) return;
    this.revealed.add(key);
    this.answers.delete(key);
    delete this.results[key];
    this.render();
  }

  // ---------------------------------------------------------------- drawing
  render() {
    if (!this.on) return;
    const stage = this.host.stage();
    if (stage !== this.shownStage) this.focusKey = null;    // a question of another stage
    this.shownStage = stage;
    const ui = this.ui, src = this.source;
    ui.tools.classList.toggle("drawn", src?.kind === "drawn");
    if (src?.kind === "drawn") { ui.preset.value = src.preset; ui.act.value = src.act; ui.seed.value = String(src.seed); }
    ui.point.setAttribute("aria-pressed", String(src?.kind === "point"));
    $("network").classList.toggle("practising", src?.kind === "point");
    $("network").classList.toggle("practising-other", src?.kind === "drawn");
    ui.source.textContent = this.describe();
    const notes = this.notes();
    ui.note.replaceChildren(...notes.map((text) => make("span", { textContent: text })));
    ui.note.hidden = !notes.length;
    this.renderScore();
    if (this.error || !this.ex) {
      ui.status.textContent = this.error || (this.loading ? "Loading…" : "");
      ui.status.classList.toggle("error", !!this.error);
      ui.body.hidden = true;
      this.host.mark(null);
      return;
    }
    ui.body.hidden = false;
    ui.status.classList.remove("error");
    const entry = this.stageQuestions();
    if (!STAGE_QUANTITIES[stage]) {
      ui.status.textContent = `Nothing to work out by hand at this stage: practice follows ${STAGE_ORDER.join(", ")}.`;
    } else if (!entry && this.big) {
      this.fetchStage(stage, 0);
    }
    const qs = entry?.questions || [];
    const total = entry?.total ?? qs.length;
    const pages = Math.max(1, Math.ceil(total / PAGE));
    const pageNo = Math.min(this.pages.get(stage) || 0, pages - 1);
    let shown = qs.slice(pageNo * PAGE, (pageNo + 1) * PAGE);
    if (this.big && shown.length < Math.min(PAGE, total - pageNo * PAGE) && entry && !entry.loading) this.fetchStage(stage, qs.length);
    if (!STAGE_QUANTITIES[stage]) shown = [];
    this.renderPager(stage, pageNo, pages, total);
    this.list.render(shown, pageNo * PAGE, this);
    if (STAGE_QUANTITIES[stage]) {
      const done = qs.length && qs.length === total && qs.every((q) => this.results[q.key]?.correct);
      ui.status.textContent = entry?.loading && !shown.length ? "Loading the questions…"
        : done ? `Every answer of ${stage} is right. → for the next stage.` : "";
    }
    this.renderDiagram();
    this.host.mark(this.mainFocus());
  }

  renderPager(stage, pageNo, pages, total) {
    const ui = this.ui;
    if (total <= PAGE) { ui.pager.replaceChildren(make("span", { className: "pr-count", textContent: total ? `${stage}: ${total} question${total === 1 ? "" : "s"}` : "" })); return; }
    const btn = (text, label, to) => {
      const b = make("button", { type: "button", className: "round-btn small", textContent: text, disabled: to < 0 || to >= pages });
      b.setAttribute("aria-label", label);
      b.addEventListener("click", () => { this.pages.set(stage, to); this.render(); });
      return b;
    };
    const from = pageNo * PAGE + 1, to = Math.min(total, (pageNo + 1) * PAGE);
    ui.pager.replaceChildren(btn("‹", "Previous questions", pageNo - 1),
      make("span", { className: "pr-count", textContent: `${stage}: questions ${from}–${to} of ${total.toLocaleString("en")}` }),
      btn("›", "Next questions", pageNo + 1));
  }

  renderScore() { this.score.render(this.ui.score); }

  describe() {
    const ex = this.ex, src = this.source;
    if (!src) return "";
    const losses = new Map(this.page.state.options.losses.map((l) => [l.name, l.label]));
    const net = ex ? `${ex.layer_sizes.join("–")}, ${ex.activations.join(" → ")}, ${(losses.get(ex.loss) || ex.loss).toLowerCase()}, learning rate α = ${sig(ex.learning_rate)}` : "";
    if (src.kind === "drawn") return `Exercise ${src.preset} (seed ${src.seed})${net ? `: ${net}` : ""}.`;
    const { set, index } = src.point, info = this.info;
    const where = set === "free" && src.point.x.length !== 2 ? "your drawing"
      : set === "free" ? `the point (${src.point.x.map((v) => sig(v, 3)).join(", ")})`
      : `${set === "train" ? "training" : "test"} point ${index}`;
    if (!info) return `Your network at ${where}.`;
    const target = this.page.state.config.problem === "regression" ? `value ${sig(info.label)}` : `class ${info.label}`;
    return `Your network at ${where} (${target}), epoch ${info.epoch}: ${net}.`;
  }

  notes() {
    const out = [], info = this.info;
    if (info && info.regularization !== "none" && info.reg_rate > 0) {
      out.push(`Practice leaves regularization out: the update is the data-loss step w − α·∂L/∂w, without the ${info.regularization.toUpperCase()} penalty's gradient (λ = ${sig(info.reg_rate)}) that training and Inspect's Update add.`);
    }
    if (this.ex && !fitsDiagram(this.ex)) out.push("This network is too large to write out here: switch Practice off to read Inspect's numbers; each hint shows the numbers its equation uses.");
    return out;
  }

  renderDiagram() {
    const ex = this.ex, stage = this.host.stage();
    this.ui.figure.hidden = !fitsDiagram(ex) || !STAGE_QUANTITIES[stage];
    if (this.ui.figure.hidden) return;
    this.diagram.draw(ex, {
      focus: this.focusOf(this.focusKey),
      ...stageLabels(ex, STAGE_ORDER.indexOf(stage), {
        stageOf: (key) => STAGE_ORDER.indexOf(STAGE_OF.get(key.split(".")[0])),
        answer: (key) => this.answers.get(key), result: (key) => this.results[key],
        revealed: (key) => this.revealed.has(key), value: (key) => this.values[key],
      }),
    });
  }
}

/** A link's exercise (practice=2-2-1&practice.seed=42&practice.act=sigmoid), or null. */
function linkExercise(hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  if (!p.has("practice")) return null;
  const preset = PRESETS.find((x) => x.name === p.get("practice"))?.name || PRESETS[0].name;
  const seed = Number(p.get("practice.seed") ?? 0);
  return { preset, seed: Number.isFinite(seed) ? seed : 0, act: p.get("practice.act") || "sigmoid" };
}

/** Inspect's point ({set, index}, or {set: "free", x, label}) as the practice request names it. */
const pointBody = (p) => (p.set === "free" ? { x: [...p.x], label: p.label } : { point: { set: p.set, index: p.index } });
const pointKey = (p) => (p.set === "free" ? `free:${p.x}:${p.label}` : `${p.set}:${p.index}`);
