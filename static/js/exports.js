// Take the run home: the Export menu (model JSON, Python script, notebook, report), the Report
// button, and Compare's report of every run. Each is a file the server builds
// (docs/api.md, "Exports"); it is fetched first, so a refusal shows as a message instead of
// being saved as a file, and saved under the name the server gives it.

const $ = (id) => document.getElementById(id);

/** What each menu entry downloads, for the session `id` (`point`: the inspected one, if any). */
const EXPORTS = {
  model: (id) => `/api/sessions/${id}/model`,
  script: (id) => `/api/sessions/${id}/export.py`,
  notebook: (id) => `/api/sessions/${id}/export.ipynb`,
  report: (id, point) => `/api/sessions/${id}/report${point ? `?point=${point}` : ""}`,
};
const SLOW = new Set(["report", "notebook"]);   // a second or so: say it is on its way
// The name to save under if the server names none (it names every file but the model).
const NAMES = { model: "model.json", script: "export.py", notebook: "run.ipynb", report: "report.html" };

/** The point Inspect follows ("train:12"), when Inspect is on: the report then traces it. */
function inspectedPoint() {
  if ($("btn-inspect")?.getAttribute("aria-pressed") !== "true") return null;
  const set = $("inspect-set")?.value, index = Number($("inspect-index")?.value);
  return (set === "train" || set === "test") && Number.isInteger(index) && index >= 0 ? `${set}:${index}` : null;
}

function filenameOf(response, fallback) {
  const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  return match ? match[1] : fallback;
}

/** Fetch `url` and save what it answers; a JSON error becomes a message (returns the name). */
async function save(url, init, fallback, toast) {
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    toast(`The server cannot be reached (${err.message}). Is it still running?`, "error", 6000);
    return null;
  }
  if (!response.ok) {
    let message = `the server answered ${response.status}`;
    try { message = (await response.json()).error.message || message; } catch { /* not JSON */ }
    toast(`Could not export: ${message}`, "error", 6000);
    return null;
  }
  const name = filenameOf(response, fallback);
  const href = URL.createObjectURL(await response.blob());
  const a = Object.assign(document.createElement("a"), { href, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return name;
}

/** Wire the Export menu, the Report button and Compare's Report button. */
export function setupExports({ state, toast }) {
  const button = $("btn-export"), list = $("export-list");
  const items = [...list.querySelectorAll("[data-export]")];
  const show = (on) => {
    list.hidden = !on;
    button.setAttribute("aria-expanded", String(on));
    if (on) items[0].focus();
  };
  const exportAs = async (kind) => {
    show(false);
    if (!state.id) return toast("The session is not ready yet.", "info", 2000);
    if (SLOW.has(kind)) toast(`Building the ${kind}…`, "info", 0);
    const name = await save(EXPORTS[kind](state.id, inspectedPoint()), {}, NAMES[kind], toast);
    if (name) toast(`Saved ${name}`, "info", 2500);
  };
  button.addEventListener("click", () => show(list.hidden));
  for (const item of items) item.addEventListener("click", () => exportAs(item.dataset.export));
  list.addEventListener("keydown", (e) => {
    const i = items.indexOf(document.activeElement);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      items[(i + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length].focus();
    } else if (e.key === "Escape") {
      e.stopPropagation();
      show(false);
      button.focus();
    }
  });
  document.addEventListener("click", (e) => { if (!list.hidden && !e.target.closest(".export-menu")) show(false); });
  $("btn-report").addEventListener("click", () => exportAs("report"));
  $("cmp-report").addEventListener("click", () => compareReport(state, toast));
}

/** Compare's report: the landscape request the panel makes, as a file of every run. */
async function compareReport(state, toast) {
  const race = state.compare;
  if (!race) return toast("Start a race first: the report shows its runs.", "info", 3000);
  // The origin is the first run still training (as the landscape panel orders them).
  const order = [...race.runs.filter((r) => r.ok), ...race.runs.filter((r) => !r.ok)];
  const body = { sessions: order.map((r) => r.id), span: Number($("cmp-zoom").value), directions: $("cmp-plane").value, seed: 0 };
  toast("Building the report of every run…", "info", 0);
  const init = { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const name = await save(`/api/sessions/${body.sessions[0]}/landscape/report`, init, "compare.html", toast);
  if (name) toast(`Saved ${name}`, "info", 2500);
}
