// A Compare race: two or three forks of the page's session — the same points, the same split and,
// unless the varied setting changes them, the same initial weights — trained in lockstep.
// Every round takes every run to the same target epoch. The server caps each request's training
// time, so a run it stopped early (possibly mid-epoch) is asked again for the epochs it still
// lacks; the round's answers are applied together, so no run is ever shown ahead of another.

import { api } from "../api.js";
import { History } from "../charts.js";
import { decodeSnapshot } from "../snapshot.js";
import { overrides, runName } from "./spec.js";

export const RUN_COLORS = ["#e4572e", "#7b2cbf", "#0f9d8a"];
export const RUN_KEYS = ["A", "B", "C"];
// What a run's answers carry: a small boundary and the history (no neuron maps, weights, matrices).
const SNAPSHOT = { grid: true, resolution: 60, neurons: false, weights: false, confusion: false, history: true };
const TURBO_MS = 60;          // speed "max": the slowest run of a round trains about this long
const TURBO_MAX = 20000;      // epochs per round at most

/** One run: a server session and what its answers said. */
class Run {
  constructor(index, name, created) {
    this.index = index;
    this.key = RUN_KEYS[index];
    this.color = RUN_COLORS[index];
    this.name = name;
    this.id = created.id;
    this.config = created.config;
    this.sameInitialWeights = created.same_initial_weights;
    this.history = new History();
    this.grid = null;           // the newest boundary {shape, data} (decoded grid.output)
    this.bounds = null;
    this.gridVersion = 0;
    this.apply(created.snapshot);
  }

  apply(s) {
    decodeSnapshot(s);
    this.epoch = s.epoch;
    this.steps = s.steps;
    this.metrics = s.metrics || {};
    this.status = s.status;
    this.reason = s.reason;
    if (s.history) this.history.merge(s.history);
    if (s.grid?.output) { this.grid = s.grid.output; this.bounds = s.grid.bounds; this.gridVersion++; }
  }

  get ok() { return this.status === "ok"; }
}

export class Race {
  constructor(spec, runs, onChange) {
    this.spec = spec;
    this.runs = runs;
    this.onChange = onChange;   // (race) after every applied round or reset
    this.version = 0;           // rounds and resets applied
    this._queued = 0;           // rounds and resets queued or under way
    this.turboEpochs = 10;
    this.closed = false;
    this._chain = Promise.resolve();
  }

  /** Fork `sourceId` once per value of the spec; no race (and no stray session) if any fork fails. */
  static async create(options, sourceId, spec, onChange) {
    const body = (v) => ({ overrides: overrides(spec, v), snapshot: { ...SNAPSHOT, history_since: 0 } });
    const forks = await Promise.allSettled(spec.values.map((v) => api.fork(sourceId, body(v))));
    const failed = forks.find((f) => f.status === "rejected");
    if (failed) {
      for (const f of forks) if (f.status === "fulfilled") api.remove(f.value.id).catch(() => {});
      throw failed.reason;
    }
    const runs = forks.map((f, i) => new Run(i, runName(options, spec, spec.values[i]), f.value));
    return new Race(spec, runs, onChange);
  }

  /** The race's epoch: where every run still training has got to. */
  get epoch() {
    const ok = this.runs.filter((r) => r.ok);
    return Math.min(...(ok.length ? ok : this.runs).map((r) => r.epoch));
  }

  get anyTraining() { return this.runs.some((r) => r.ok); }
  get sameInitialWeights() { return this.runs.every((r) => r.sameInitialWeights); }

  /** A round or a reset is queued or under way. */
  get inFlight() { return this._queued > 0; }

  /** Run fn after whatever the race is doing (one round or reset at a time, in order). */
  queue(fn) {
    this._queued++;
    const run = async () => {
      try {
        if (!this.closed) return await fn();
      } catch (err) {
        if (!this.closed) throw err;    // a closed race's sessions are being deleted: 404s are expected
      } finally {
        this._queued--;
      }
    };
    const p = this._chain.then(run, run);
    this._chain = p.catch(() => {});
    return p;
  }

  /** Train every run `epochs` more epochs ("max": as many as fit in about TURBO_MS), at most to `stopAt`. */
  advance(epochs, stopAt = null) {
    return this.queue(() => this._round(epochs, stopAt));
  }

  async _round(epochs, stopAt) {
    const ok = this.runs.filter((r) => r.ok);
    if (!ok.length) return;
    const low = Math.min(...ok.map((r) => r.epoch));
    const high = Math.max(...ok.map((r) => r.epoch));
    const turbo = epochs === "max";
    // Runs apart (an earlier round failed half-way) first catch up with the furthest one.
    let target = low === high ? low + (turbo ? this.turboEpochs : epochs) : high;
    if (stopAt) target = Math.min(target, Math.max(stopAt, high));
    if (target <= low) return;
    const answers = new Map(ok.map((r) => [r, []]));
    let slowest = 0;
    const results = await Promise.allSettled(ok.map(async (run) => {
      let epoch = run.epoch, since = run.history.lastEpoch + 1, trained = 0;
      while (epoch < target) {
        const res = await api.step(run.id, { epochs: target - epoch, snapshot: { ...SNAPSHOT, history_since: since } });
        const s = res.snapshot;
        answers.get(run).push(s);
        trained += s.done?.elapsed_ms || 0;
        if (s.status !== "ok" || !(s.done?.batches > 0)) break;   // diverged, or nothing more will come
        epoch = s.epoch;
        since = Math.max(since, s.epoch + 1);
      }
      slowest = Math.max(slowest, trained);
    }));
    // Whatever arrived is applied (a failed round leaves runs apart; the next round evens them).
    for (const [run, list] of answers) for (const s of list) run.apply(s);
    this._changed();
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    if (turbo && slowest > 0) {
      const scaled = Math.round(this.turboEpochs * TURBO_MS / slowest);
      this.turboEpochs = Math.max(1, Math.min(TURBO_MAX, scaled, this.turboEpochs * 4));
    }
  }

  /** Every run back to its initial weights (bit for bit), histories cleared. */
  reset() {
    return this.queue(async () => {
      const answers = await Promise.all(this.runs.map((r) => api.reset(r.id, { reseed: false, snapshot: { ...SNAPSHOT, history_since: 0 } })));
      this.runs.forEach((run, i) => { run.history.clear(); run.grid = null; run.apply(answers[i].snapshot); });
      this._changed();
    });
  }

  /** Forget the runs' sessions (keepalive: the requests may outlive the page). */
  close({ keepalive = false } = {}) {
    this.closed = true;
    for (const r of this.runs) api.remove(r.id, { keepalive }).catch(() => {});
  }

  _changed() {
    this.version++;
    if (!this.closed) this.onChange(this);
  }
}
