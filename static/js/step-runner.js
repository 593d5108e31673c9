// The page's handle on the step requests (step-requests.js): runs them in a Web Worker
// (step-worker.js) when possible, on the main thread otherwise. Counts the requests in flight
// (`pending`; a turbo chain counts as one until it ends) and lets mutations wait until none is.

import { ApiError } from "./api.js";
import { createStepRequests } from "./step-requests.js";

export class StepRunner {
  constructor(onAnswer, onError) {
    this.onAnswer = onAnswer;
    this.onError = onError;
    this.pending = 0;
    this.waiters = [];
    this.mode = "worker";
    try {
      this.worker = new Worker("/static/js/step-worker.js", { type: "module" });
      this.worker.onmessage = (e) => this._receive(e.data);
      this.worker.onerror = () => this._fallback();
      this.send = (m) => this.worker.postMessage(m);
    } catch {
      this._fallback();
    }
  }

  _fallback() {
    // No worker (or it failed to load): the same loop on the main thread.
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.mode = "main thread";
    const handle = createStepRequests((msg) => queueMicrotask(() => this._receive(msg)));
    this.send = handle;
    if (this.pending) {
      this.pending = 1;   // the requests the worker had are lost: one error ends them all
      this._receive({ type: "error", id: null, more: false, error: { status: 0, message: "The step worker failed; please press play again." } });
    }
  }

  /** Send one step (chain: keep going as soon as each answer lands, until stopChain()). */
  request(id, body, chain = false, stopAt = null) {
    this.pending++;
    this.send({ type: "step", id, body, chain, stopAt });
  }

  stopChain() { this.send({ type: "stop" }); }

  /** Resolves when no request is in flight. */
  idle() { return this.pending ? new Promise((r) => this.waiters.push(r)) : Promise.resolve(); }

  _receive(m) {
    if (!m.more) this.pending = Math.max(0, this.pending - 1);   // that request (or chain) is over
    if (m.type === "answer") this.onAnswer(m.id, m.res);
    else {
      const e = m.error || {};
      this.onError(m.id, new ApiError(e.status ?? 0, e.message || "step failed", e.field ?? null, e.allowed ?? null, e.body ?? null));
    }
    if (!this.pending) { const w = this.waiters; this.waiters = []; for (const r of w) r(); }
  }
}
