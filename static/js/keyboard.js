// The keyboard: shortcuts for the run controls, the list of them (?), and the arrow keys in a
// radio group of tiles (the datasets). No shortcut fires while the learner types in a field,
// holds Ctrl, Alt or ⌘, or keeps a key pressed (auto-repeat), and none while the list is open;
// a shortcut whose button cannot be used (hidden by ?hide=, hidden or locked by a lesson) does
// nothing either.

/** Every shortcut the page has, for the list "?" opens (Inspect's are its own, listed too). */
export const SHORTCUTS = [
  { keys: ["Space"], what: "play / pause" },
  { keys: [".", "S"], what: "train one epoch (step)" },
  { keys: ["R"], what: "reset: back to the same initial weights" },
  { keys: ["?"], what: "open or close this list" },
  { keys: ["← → ↑ ↓"], what: "on the dataset tiles: choose another dataset" },
  { keys: ["Tab", "Enter"], what: "reach a neuron; edit its bias (Enter on an input switches it)" },
  { keys: ["Esc"], what: "close this list or the weight editor; leave Inspect" },
  { keys: ["← →", "N", "P"], what: "in Inspect: the stage; the next or previous point" },
];

/** The learner is typing: a text or number field, a menu, a text area, editable text. */
export function isTyping(target) {
  return target instanceof HTMLInputElement || target instanceof HTMLSelectElement
    || target instanceof HTMLTextAreaElement || !!target?.isContentEditable;
}

/** The button can be pressed: shown, not inert, not locked or disabled. */
const usable = (button) => !!button && button.checkVisibility() && !button.disabled && !button.closest("[inert], .lesson-locked, .lesson-hidden");

/**
 * Space, "." / "s", "r" and "?" on the whole page. actions: {playPause, step, reset}; buttons:
 * the dialog that lists SHORTCUTS (filled here), the button that opens it, and the run buttons a
 * shortcut stands for (Space on any other focused button presses that button instead).
 */
export function installShortcuts({ playPause, step, reset }, { dialog, openButton, playButton, stepButton, resetButton }) {
  fillList(dialog.querySelector("dl"));
  const toggleList = () => {
    if (dialog.open) dialog.close();
    else dialog.showModal();
  };
  openButton?.addEventListener("click", toggleList);
  dialog.querySelector("[data-close]")?.addEventListener("click", () => dialog.close());
  // Esc closes the list (the dialog's own default) and nothing else (not Inspect too)
  dialog.addEventListener("keydown", (e) => { if (e.key === "Escape") e.stopPropagation(); });
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    const t = e.target;
    if (dialog.open) {
      if (e.key === "?") { e.preventDefault(); dialog.close(); }
      return;
    }
    if (isTyping(t)) return;
    const space = e.code === "Space" || e.key === " ";
    if (e.repeat) { if (space && !(t instanceof HTMLButtonElement)) e.preventDefault(); return; }   // no page scroll either
    if (space) {
      if (t instanceof HTMLButtonElement && t !== playButton) return;   // Space presses the focused button
      e.preventDefault();
      if (usable(playButton)) playPause();
    } else if (e.key === "." || e.key === "s" || e.key === "S") {
      e.preventDefault();
      if (usable(stepButton)) step();
    } else if (e.key === "r" || e.key === "R") {
      e.preventDefault();
      if (usable(resetButton)) reset();
    } else if (e.key === "?") {
      e.preventDefault();
      toggleList();
    }
  });
}

function fillList(dl) {
  if (!dl) return;
  dl.replaceChildren(...SHORTCUTS.flatMap(({ keys, what }) => {
    const dt = document.createElement("dt");
    keys.forEach((k, i) => {
      if (i) dt.append(" ");
      const kbd = document.createElement("kbd");
      kbd.textContent = k;
      dt.append(kbd);
    });
    const dd = document.createElement("dd");
    dd.textContent = what;
    return [dt, dd];
  }));
}

/**
 * A radio group of tiles (role="radio", aria-checked): only the checked tile is in the Tab order;
 * ← → move to the previous / next tile, ↑ ↓ to the nearest tile in the row above / below, Home and
 * End to the first and last, and the tile moved to is chosen (clicked), as radio buttons do.
 */
export function arrowRadioGroup(group, itemSelector) {
  const items = () => [...group.querySelectorAll(itemSelector)].filter((b) => !b.hidden && b.getClientRects().length);
  const roving = () => {
    const list = [...group.querySelectorAll(itemSelector)];
    const on = list.find((b) => b.getAttribute("aria-checked") === "true" && !b.hidden) || list.find((b) => !b.hidden);
    for (const b of list) { const t = b === on ? 0 : -1; if (b.tabIndex !== t) b.tabIndex = t; }
  };
  new MutationObserver(roving).observe(group, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-checked", "hidden"] });
  roving();
  group.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const list = items();
    const i = list.indexOf(document.activeElement);
    if (i < 0) return;
    let next = null;
    if (e.key === "ArrowRight") next = list[(i + 1) % list.length];
    else if (e.key === "ArrowLeft") next = list[(i - 1 + list.length) % list.length];
    else if (e.key === "Home") next = list[0];
    else if (e.key === "End") next = list[list.length - 1];
    else if (e.key === "ArrowDown" || e.key === "ArrowUp") next = inNextRow(list, list[i], e.key === "ArrowDown" ? 1 : -1);
    else return;
    e.preventDefault();
    e.stopPropagation();   // (Inspect's ← → are for its stages, not here)
    if (!next || next === list[i]) return;
    next.focus();
    next.click();
  });
}

/** The tile in the nearest row below (dir 1) or above (−1) whose centre is closest in x. */
function inNextRow(list, from, dir) {
  const box = (b) => b.getBoundingClientRect();
  const f = box(from), cx = (r) => (r.left + r.right) / 2;
  const rows = list.filter((b) => b !== from && dir * (box(b).top - f.top) > f.height / 2);
  if (!rows.length) return null;
  const rowTop = dir > 0 ? Math.min(...rows.map((b) => box(b).top)) : Math.max(...rows.map((b) => box(b).top));
  const row = rows.filter((b) => Math.abs(box(b).top - rowTop) < f.height / 2);
  return row.reduce((best, b) => (Math.abs(cx(box(b)) - cx(f)) < Math.abs(cx(box(best)) - cx(f)) ? b : best));
}
