// The page's whole state, declared here and nowhere else. The object is sealed: a module that
// tries to add a field throws instead of silently growing it. Views read it; the loop
// (frame-loop.js) and the session (session.js) write it.

import { History } from "./charts.js";

export const state = Object.seal({
  // ---- from the server
  options: null,        // GET /api/options
  config: null,         // the session's normalised configuration (the single source of truth)
  id: null,             // session id
  data: null,           // {train: {x, y, label}, test: {x, y, label}, problem, n_classes, rows: {train, test},
                        //  plane: a real set's principal plane (x, y: where its points project), else null}
  labelScale: 1,        // regression: the largest |label| (colour scale); 1 otherwise
  epoch: 0,
  steps: 0,
  status: "ok",         // "ok" | "diverged"
  reason: null,         // why it diverged, in words
  metrics: {},          // the latest history row
  lastTiming: null,     // the latest answer's server timing
  history: new History(),
  // frame: the newest decoded part of each kind ({grid, weights, confusion, transformed}), and
  // seq[part]: the state.version it belongs to (equal to state.version: current).
  frame: { grid: null, weights: null, confusion: null, transformed: null, seq: {} },
  snapSeq: 0,           // answers applied (refreshes included)
  version: 0,           // answers that may have changed the session (refreshes excluded): a view's
                        // data taken at an older version is stale
  // ---- the loop
  running: false,
  inFlight: false,      // a step request (or more, while playing) is on its way
  busy: 0,              // mutations queued or running (they wait for the in-flight step)
  dirty: false,         // something to draw at the next animation frame
  visible: {},          // view name → shown (on screen, displayed, not hidden by ?hide=)
  hoverNeuron: null,    // {layer, index} hovered in the diagram (layer −1: an input feature)
  compare: null,        // the Compare race while one exists (compare/race.js: spec, runs, epoch)
  // ---- what the learner chose about the page, kept in the link (view.<short>): each view declares
  // its own settings (its `link`), the page the run's (main.js); share.js declareViewSettings sets
  // their defaults here at boot, then main.js seals it
  view: {},
  hidden: new Set(),    // control names hidden by ?hide=
  locked: new Set(),    // configuration fields a lesson step locks (session.js refuses changes to them)
  // ---- measurements (tests and bench/bench_page.py)
  // lastRoundTripMs: from sending a step to its answer reaching the page (worker and network included)
  perf: { redraws: 0, requests: 0, epochSamples: [], drawSamples: [], lastDrawMs: 0, lastRoundTripMs: 0, sentAt: [], parts: {} },
  ready: false,
  errors: [],           // every error message shown, oldest first
});
