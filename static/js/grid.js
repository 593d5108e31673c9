// How fine an output grid to ask for. The server's default (/api/options snapshot_defaults) for
// networks of playground size; for wide, deep ones the grid's forward pass dominates every answer
// (100 × 100 points through 8 × 64 neurons cost more than the epoch itself), so the resolution
// falls with the network's multiply-adds per point, down to MIN_RESOLUTION — the frame rate holds
// and the boundary, drawn smoothly, is only a little softer.

import { inputCount } from "./realdata/sets.js";

const BUDGET = 100 * 100 * 2000;   // multiply-adds per grid: the default 100 × 100 for ≤ 2,000 per point
const MIN_RESOLUTION = 40;

/** The output grid's resolution for this configuration. */
export function gridResolution(state) {
  const full = state.options.snapshot_defaults.resolution;
  const c = state.config;
  if (!c) return full;
  const sizes = [inputCount(state), ...c.hidden_layers, c.problem === "multiclass" ? c.n_classes : 1];
  let macs = 0;
  for (let i = 1; i < sizes.length; i++) macs += sizes[i - 1] * sizes[i];
  const r = Math.floor(Math.sqrt(BUDGET / Math.max(1, macs)));
  return Math.max(Math.min(MIN_RESOLUTION, full), Math.min(full, r));
}
