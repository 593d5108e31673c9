// Hints: what keeps a run from getting anywhere without stopping it — today a dead network (no
// gradient reaching the weights; the engine finds it, the snapshot's `hints` carry it). Shown in
// the stats box the way divergence is: what was found, in words, and a button per fix to try.
// Always shown (no `el`); it wants nothing extra (every snapshot carries `hints`).

const $ = (id) => document.getElementById(id);

/** A fix's button text and the patch it sends. */
function fixAction(fix, state) {
  const label = (list, name) => list.find((x) => x.name === name)?.label || name;
  switch (fix.field) {
    case "activation":
      return { text: `Use ${label(state.options.activations, fix.value)}`, patch: { activation: fix.value, layer_activations: null } };
    case "init":
      return { text: `Use ${label(state.options.initializers, fix.value)}`, patch: { init: fix.value } };
    case "seed":
      return { text: "New seed", patch: { seed: Math.floor(Math.random() * 1e6) } };
    case "learning_rate":
      return { text: `Learning rate ${fix.value}`, patch: { learning_rate: fix.value } };
    default:
      return fix.value == null ? null : { text: `${fix.field} → ${fix.value}`, patch: { [fix.field]: fix.value } };
  }
}

export default function hintsView(page) {
  const box = $("dead-hint");
  let hints = [], shownText = null, shownFixes = "";
  return {
    name: "hints",
    wants: () => null,
    take(snap) { if (Array.isArray(snap.hints)) hints = snap.hints; },
    configure() { hints = []; },   // a new network or new data: the next answer says again
    draw(state) {
      const hint = state.status === "ok" ? hints.find((h) => h.kind === "dead_network") : null;
      const text = hint ? hint.message : null;
      if (text === shownText) return;
      shownText = text;
      box.hidden = !hint;
      $("status").classList.toggle("is-dead", !!hint);
      if (!hint) { shownFixes = ""; return; }
      $("dead-hint-text").textContent = hint.message;
      // the buttons only when the fixes change (the text counts epochs; a button replaced under
      // the pointer would lose its click)
      const fixesKey = JSON.stringify(hint.fixes);
      if (fixesKey === shownFixes) return;
      shownFixes = fixesKey;
      const fixes = $("dead-hint-fixes");
      fixes.replaceChildren(...hint.fixes.map((fix) => {
        const action = fixAction(fix, state);
        if (!action) return null;
        const b = document.createElement("button");
        b.type = "button";
        b.className = "btn small";
        b.textContent = action.text;
        b.title = fix.text;
        b.addEventListener("click", () => page.patch(action.patch, fix.field));
        return b;
      }).filter(Boolean));
    },
  };
}
