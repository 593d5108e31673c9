// The step loop that talks to the server: used inside a Web Worker (step-worker.js) so that answers
// are received, decoded and — in turbo — followed by the next request without waiting for the
// page's main thread, which may be busy drawing. Falls back to running on the main thread.
//
// Protocol (messages to the loop):  {type: "step", id, body, chain, stopAt}  |  {type: "stop"}
// Messages from the loop:           {type: "answer", id, res, more}  |  {type: "error", id, error, more: false}
// `more: true` means the loop already sent the next request (turbo chaining): still one in flight.

import { api, ApiError } from "./api.js";
import { decode } from "./codec.js";

/** Decode a snapshot's arrays into typed arrays; returns the transfer list of their buffers. */
export function decodeSnapshot(s) {
  const transfer = [];
  const dec = (enc) => { const a = decode(enc); if (a) transfer.push(a.data.buffer); return a; };
  const out = { bounds: null };
  if (s.grid) {
    const g = s.grid;
    out.bounds = g.bounds;
    if (g.output) out.output = dec(g.output);
    if (g.neurons) out.neurons = g.neurons.map(dec);
    if (g.output_small) out.outputSmall = dec(g.output_small);
    if (g.inputs) out.inputs = dec(g.inputs);
    s.grid = { bounds: g.bounds, resolution: g.resolution, neuron_resolution: g.neuron_resolution };
  }
  if (s.weights) {
    out.weights = s.weights.map((w) => ({ W: dec(w.W), b: dec(w.b), dW: dec(w.dW), db: dec(w.db), grad_norm: w.grad_norm }));
    s.weights = true;
  }
  if (s.transformed) {
    const t = s.transformed;
    out.transformed = { layer: t.layer, neurons: t.neurons, points: dec(t.points), lines: dec(t.lines) };
    s.transformed = true;
  }
  s.decoded = out;
  return transfer;
}

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
