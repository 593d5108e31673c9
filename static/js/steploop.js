// The step loop that talks to the server: used inside a Web Worker (step-worker.js) so that answers
// are received, decoded and — in turbo — followed by the next request without waiting for the
// page's main thread, which may be busy drawing. Falls back to running on the main thread.
//
// Protocol (messages to the loop):  {type: "step", id, body, chain, stopAt}  |  {type: "stop"}
// Messages from the loop:           {type: "answer", id, res, more}  |  {type: "error", id, error, more: false}
// `more: true` means the loop already sent the next request (turbo chaining): still one in flight.

import { api, ApiError } from "./api.js";
import { decodeSnapshot } from "./snapshot.js";

export function createLoop(emit) {
  let chaining = false;

  async function run(id, body, stopAt) {
    let pending = api.step(id, body);
    for (;;) {
      let res;
      try {
        res = await pending;
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError(0, String(err && err.message || err));
        emit({ type: "error", id, more: false, error: { status: e.status, message: e.message, field: e.field, allowed: e.allowed, body: e.body } }, []);
        return;
      }
      const s = res.snapshot;
      let more = chaining && s.status === "ok";
      let next = null;
      if (more) {
        next = { ...body, snapshot: { ...body.snapshot, history_since: s.epoch + 1 } };
        if (stopAt) {
          const left = stopAt - s.epoch;
          if (left <= 0) more = false;
          else next.epochs = Math.min(next.epochs, left);
        }
      }
      if (more) pending = api.step(id, next);  // the server trains while this answer is decoded and drawn
      const transfer = decodeSnapshot(s);
      emit({ type: "answer", id, res, more }, transfer);
      if (!more) return;
      body = next;
    }
  }

  return (msg) => {
    if (msg.type === "stop") chaining = false;
    else if (msg.type === "step") { chaining = !!msg.chain; run(msg.id, msg.body, msg.stopAt); }
  };
}
