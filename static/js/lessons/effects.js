// What a lesson step does to the page around it: hide controls, lock controls, outline a region.
// Controls are found by their `data-control` name (the names ?hide= takes, served by
// /api/options → controls), regions by `data-region` (→ lessons.regions).
//
// A locked control is greyed, says "Locked by this lesson" when hovered, and cannot be used:
// its parts are inert (no focus, no clicks), a click or change inside it is stopped before any
// handler sees it, and session.js refuses any change to the configuration fields it owns,
// whichever way it is asked (the diagram's inputs, a keyboard shortcut). Controls rebuild parts
// of themselves (the layer row after every change), so `refresh()` locks new parts again.

export const LOCK_TEXT = "Locked by this lesson: it keeps this setting as it is for now";
const FORM = "input, select, textarea, button";

const byControl = (name) => [...document.querySelectorAll(`[data-control="${CSS.escape(name)}"]`)];

export function findRegion(name) {
  return document.querySelector(`[data-region="${CSS.escape(name)}"]`)
    || byControl(name).find((node) => node.getClientRects().length) || byControl(name)[0] || null;
}

export class StepEffects {
  /** controls: /api/options → controls ([{name, fields}]); locked: state.locked (a Set of fields). */
  constructor(controls, locked) {
    this.fields = new Map(controls.map((c) => [c.name, c.fields]));
    this.locked = locked;
    this.hide = [];
    this.lock = [];
    this.highlight = null;
    // Clicks and changes inside a locked control stop here, before the control's own handlers.
    const stop = (e) => {
      const box = e.target instanceof Element && e.target.closest(".lesson-locked");
      if (!box) return;
      e.preventDefault();
      e.stopPropagation();
    };
    for (const type of ["click", "change", "input"]) document.addEventListener(type, stop, true);
  }

  /** Show a step's hide, lock and highlight (clearing the previous step's). */
  apply({ hide = [], lock = [], highlight = null } = {}) {
    this.clear();
    this.hide = hide;
    this.lock = lock;
    this.highlight = highlight;
    for (const name of lock) for (const field of this.fields.get(name) || []) this.locked.add(field);
    this.refresh();
    const region = highlight && findRegion(highlight);
    if (region) {
      region.classList.add("lesson-highlight");
      if (region.getClientRects().length) region.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  /** Hide and lock again what the page rebuilt since (cheap: a few selectors). */
  refresh() {
    for (const name of this.hide) for (const node of byControl(name)) node.classList.add("lesson-hidden");
    for (const name of this.lock) for (const node of byControl(name)) lockNode(node);
  }

  clear() {
    for (const node of document.querySelectorAll(".lesson-hidden")) node.classList.remove("lesson-hidden");
    for (const node of document.querySelectorAll(".lesson-locked")) unlockNode(node);
    for (const node of document.querySelectorAll(".lesson-highlight")) node.classList.remove("lesson-highlight");
    this.locked.clear();
    this.hide = [];
    this.lock = [];
    this.highlight = null;
  }
}

function lockNode(node) {
  if (!node.classList.contains("lesson-locked")) {
    node.classList.add("lesson-locked");
    node.dataset.lessonTitle = node.getAttribute("title") ?? "";
    node.setAttribute("title", LOCK_TEXT);
    node.setAttribute("aria-disabled", "true");
  }
  // Its parts go inert (the node itself keeps its tooltip); a control that is itself a button
  // is stopped by the click guard instead.
  if (!node.matches(FORM)) {
    for (const part of node.children) if (!part.inert) { part.inert = true; part.dataset.lessonInert = "1"; }
  }
}

function unlockNode(node) {
  node.classList.remove("lesson-locked");
  const title = node.dataset.lessonTitle;
  if (title) node.setAttribute("title", title); else node.removeAttribute("title");
  delete node.dataset.lessonTitle;
  node.removeAttribute("aria-disabled");
  for (const part of node.querySelectorAll("[data-lesson-inert]")) { part.inert = false; delete part.dataset.lessonInert; }
}
