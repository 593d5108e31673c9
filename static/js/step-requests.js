// The step requests: the loop that sends steps to the server and passes their answers on. It runs
// inside a Web Worker (step-worker.js) so that answers are received, decoded and — in turbo —
// followed by the next request without waiting for the page's main thread, which may be busy
// drawing; without a worker it runs on the main thread (step-runner.js chooses).
//
// Protocol (messages to the loop):  {type: "step", id, body, chain, stopAt}  |  {type: "stop"}
// Messages from the loop:           {type: "answer", id, res, more}  |  {type: "error", id, error, more: false}
// (res null: an answer older than one already passed on, dropped)
// `more: true` means a request is still in flight (turbo keeps two queued at the server).

import { api, ApiError } from "./api.js";
import { decodeSnapshot } from "./snapshot.js";

export function createStepRequests(emit) {
  let chaining = false;
  // Requests in flight (playing keeps up to two, each its own run) and the most training steps
  // any answer has shown since the loop was last idle: requests may take the session's lock in
  // either order, and an answer older than one already passed on is dropped, so the page never
  // goes back in time. (Idle first: a reset, which waits for idle, starts the count again.)
  let running = 0;
  let newest = -1;

  /** Send body; chaining (turbo), keep two requests queued at the server — it then never waits
   * for the page between answers — until stopped, diverged or (stopAt) there. With a stop epoch
   * only one is in flight, so training never runs past it. */
  async function run(id, body, stopAt) {
    if (running++ === 0) newest = -1;
    const inFlight = [api.step(id, body)];
    if (chaining && !stopAt) inFlight.push(api.step(id, body));
    let failed = null;
    while (inFlight.length) {
      let res;
      try {
        res = await inFlight.shift();
      } catch (err) {
        failed ||= err;     // the others still land (and are applied); the error is said once, last
        chaining = false;
        continue;
      }
      const s = res.snapshot;
      // An answer older than one already passed on is dropped (its history is in the newer one).
      const stale = s.steps < newest;
      if (!stale) newest = s.steps;
      if (chaining && !failed && s.status === "ok") {
        const since = (stale ? body.snapshot.history_since : s.epoch + 1);
        const next = { ...body, snapshot: { ...body.snapshot, history_since: since } };
        const left = stopAt ? stopAt - s.epoch : Infinity;
        if (left > 0) {
          if (stopAt) next.epochs = Math.min(next.epochs, left);
          inFlight.push(api.step(id, next));  // the server trains while this answer is decoded and drawn
          body = next;
        }
      }
      const more = inFlight.length > 0 || !!failed;
      if (!more) running--;
      if (stale) { emit({ type: "answer", id, res: null, more }, []); continue; }
      const transfer = decodeSnapshot(s);
      emit({ type: "answer", id, res, more }, transfer);
    }
    if (failed) {
      running--;
      const e = failed instanceof ApiError ? failed : new ApiError(0, String(failed?.message || failed));
      emit({ type: "error", id, more: false, error: { status: e.status, message: e.message, field: e.field, allowed: e.allowed, body: e.body } }, []);
    }
  }

  return (msg) => {
    if (msg.type === "stop") chaining = false;
    else if (msg.type === "step") { chaining = !!msg.chain; run(msg.id, msg.body, msg.stopAt); }
  };
}
