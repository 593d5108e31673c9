// The one snapshot decoder. A decoded snapshot is the server's snapshot (docs/api.md) with every
// encoded array replaced by {shape, data: Float32Array}: grid.output, grid.neurons[i],
// grid.output_small, grid.inputs, weights[l].{W, b, dW, db}, transformed.{points, lines}.
// It runs in the step worker (the typed arrays then travel to the page without a copy) and, for
// answers fetched on the main thread (create, PATCH, reset...), on the main thread.

import { decode } from "./codec.js";

/** Decode `s` in place (marks it `decoded`); returns the ArrayBuffers a worker may transfer. */
export function decodeSnapshot(s) {
  const transfer = [];
  if (!s || s.decoded) return transfer;
  const dec = (enc) => {
    const a = decode(enc);
    if (a) transfer.push(a.data.buffer);
    return a;
  };
  const g = s.grid;
  if (g) {
    if (g.output) g.output = dec(g.output);
    if (g.neurons) g.neurons = g.neurons.map(dec);
    if (g.output_small) g.output_small = dec(g.output_small);
    if (g.inputs) g.inputs = dec(g.inputs);
  }
  if (s.weights) s.weights = s.weights.map((w) => ({ W: dec(w.W), b: dec(w.b), dW: dec(w.dW), db: dec(w.db), grad_norm: w.grad_norm }));
  if (s.transformed) s.transformed = { layer: s.transformed.layer, neurons: s.transformed.neurons, points: dec(s.transformed.points), lines: dec(s.transformed.lines) };
  s.decoded = true;
  return transfer;
}
