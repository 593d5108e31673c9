// Compare: a race of two or three runs — forks of the page's session on the same points, from the
// same initial weights, one setting varied — side by side (a live boundary per run, every run's
// curves in one chart, a table) and on the loss landscape. While it is open it takes over the
// page below the top bar and the run controls (loop.setDriver): play, step, reset and the epoch
// counter drive the race, and the playground's own session rests until "Back to the playground".
// The race lives in the URL hash (compare=…), so a link reopens the same race.

import { ApiError } from "../api.js";
import { RunCards, RunTable } from "../compare/cards.js";
import { RaceCurves } from "../compare/curves.js";
import { LandscapePanel } from "../compare/landscape.js";
import { Race } from "../compare/race.js";
import { RaceSetup } from "../compare/setup.js";
import { checkSpec, describeSpec, specFromHash, specParams } from "../compare/spec.js";
import { runDriver, setDriver, setRunning } from "../frame-loop.js";
import { emitLessonEvent } from "../learner-events.js";
import { inputCount } from "../realdata/sets.js";
import { addHashPart } from "../share.js";

const $ = (id) => document.getElementById(id);

export default function compareView(page) {
  const { state } = page;
  const section = $("compare");
  let race = null;
  let pending = specFromHash(location.hash);   // a race the link asks for, started with the session
  let starting = null;                         // the spec of a race being created
  let dataVersion = 0, data = null;

  const setup = new RaceSetup($("cmp-setup"), state.options, (spec) => start(spec));
  const cards = new RunCards($("cmp-runs"));
  const table = new RunTable($("cmp-table"));
  const curves = new RaceCurves($("cmp-curves"));
  const landscape = new LandscapePanel(
    { panel: $("cmp-land-panel"), plot: $("cmp-landscape"), note: $("cmp-land-note"), mode: [...document.querySelectorAll("#cmp-land-mode button")], plane: $("cmp-plane"), zoom: $("cmp-zoom") },
    { isRunning: () => state.running && runDriver() === driver, onAnswer: page.redraw },
  );
  addHashPart("compare", () => specParams(race?.spec ?? starting ?? pending));

  // ---------------------------------------------------------------- the run controls
  const driver = {
    get epoch() { return race ? race.epoch : 0; },
    tick() {
      if (!race) { setRunning(false); page.toast("Start a race first: pick a preset or the values to compare.", "info", 3000); return; }
      if (race.inFlight) return;
      const stopAt = state.view.stopAt;
      if (stopAt && race.epoch >= stopAt) { setRunning(false); page.toast(`Stopped at epoch ${stopAt}.`, "info", 2000); return; }
      if (!race.anyTraining) { setRunning(false); page.toast("Every run has diverged: reset the race.", "error", 4000); return; }
      race.advance(state.view.speed, stopAt).catch(failed);
    },
    step() {
      if (state.running) setRunning(false);
      if (!race) return;
      if (!race.anyTraining) { page.toast("Every run has diverged: reset the race.", "error", 4000); return; }
      return race.advance(1).catch(failed);
    },
    reset() {
      if (state.running) setRunning(false);
      if (!race) return;
      return race.reset().then(() => page.toast("Every run is back at its initial weights.", "info", 1500), failed);
    },
  };

  function failed(err) {
    if (state.running) setRunning(false);
    if (err instanceof ApiError && err.status === 404 && race) {
      page.toast("The server forgot this race (it expired or restarted); starting it again.", "error", 5000);
      start(race.spec);
      return;
    }
    const msg = err instanceof ApiError ? err.describe() : err.message;
    page.toast(`The race stopped: ${msg}`, "error", 6000);
    state.errors.push(msg);
  }

  // ---------------------------------------------------------------- the mode
  function open() {
    if (!document.body.classList.contains("comparing")) {
      document.body.classList.add("comparing");
      section.hidden = false;
      setDriver(driver);
      window.scrollTo(0, 0);
    }
    page.redraw();
  }

  function close() {
    setDriver(null);
    if (race) race.close();
    race = null;
    state.compare = null;
    pending = starting = null;
    landscape.setRace(null);
    document.body.classList.remove("comparing");
    section.hidden = true;
    page.saveView();
    page.redraw();
  }

  function showSetup(on) {
    $("cmp-setup").hidden = !on;
    $("cmp-change").hidden = !race;
    $("cmp-change").textContent = on ? "Keep this race" : "Change…";
    if (on) setup.open(state.config, race?.spec);
  }

  async function start(spec) {
    pending = null;
    open();
    const problem = checkSpec(state.options, spec);
    if (problem) {   // a link with a bad race: say why, and offer the setup
      page.toast(`The link's race cannot start: ${problem}.`, "error", 8000);
      state.errors.push(problem);
      showSetup(true);
      page.saveView();
      return;
    }
    if (state.running) setRunning(false);
    if (race) { race.close(); race = null; state.compare = null; landscape.setRace(null); }
    starting = spec;
    page.saveView();
    $("cmp-body").hidden = true;
    $("cmp-summary").textContent = `Starting: ${describeSpec(state.options, spec)}…`;
    let created;
    try {
      created = await Race.create(state.options, state.id, spec, onRaceChange);
    } catch (err) {
      starting = null;
      const msg = err instanceof ApiError ? err.describe() : err.message;
      showSetup(true);
      setup.showError(`The race could not start: ${msg}`);
      $("cmp-summary").textContent = "";
      state.errors.push(msg);
      return;
    }
    if (starting !== spec) { created.close(); return; }   // another race was asked for meanwhile
    starting = null;
    race = created;
    state.compare = race;
    $("cmp-body").hidden = false;
    showSetup(false);
    landscape.setRace(race);
    page.saveView();
    page.redraw();
    emitLessonEvent("compared");
  }

  function onRaceChange() {
    landscape.invalidate();
    page.redraw();
  }

  function summary() {
    if (!race) return;
    const cfg = state.config;
    const net = [inputCount(state), ...cfg.hidden_layers, "out"].join("–");
    const same = race.sameInitialWeights ? "same data, same initial weights" : "same data; initial weights from each run's initializer";
    const text = `${describeSpec(state.options, race.spec)} · ${cfg.dataset}, network ${net} · ${same}`;
    const node = $("cmp-summary");
    if (node.textContent !== text) node.textContent = text;
  }

  $("btn-compare").addEventListener("click", () => { open(); showSetup(true); });
  $("cmp-change").addEventListener("click", () => showSetup($("cmp-setup").hidden));
  $("cmp-close").addEventListener("click", close);
  $("cmp-log").addEventListener("change", page.redraw);
  window.addEventListener("pagehide", () => { if (race) race.close({ keepalive: true }); });
  window.addEventListener("resize", () => { if (race) page.redraw(); });   // cards repaint at their new size

  return {
    name: "compare",
    el: section,
    wants: () => null,
    take() {},
    configure(s) {
      if (s.data !== data) { data = s.data; dataVersion++; }
      // A link with a race: start it once the page's session (its source) exists.
      if (pending && s.id && s.data && !starting && !race) start(pending);
    },
    draw(s) {
      summary();
      const problem = s.config.problem;
      cards.draw(race, { problem, data: s.data, dataVersion, labelScale: s.labelScale, outputRange: page.outputRange });
      curves.draw(race, problem, { log: $("cmp-log").checked });
      table.draw(race, problem);
      landscape.draw();
    },
  };
}
