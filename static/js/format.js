// Number formatting shared by the views.

/** Exact values in tooltips: 5 decimals, exponent form for tiny and huge ones, "–" for none. */
export function fmtNum(v) {
  if (v == null || Number.isNaN(v)) return "–";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(3);
  return v.toFixed(5);
}

/** TensorFlow-Playground-style counter: 123 → "000,123". */
export function fmtEpoch(n) {
  const s = String(Math.max(0, n | 0)).padStart(6, "0");
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** 3 significant figures (regression losses and RMSE span many decades): 0.000123, 1.23, 123. */
export function fmtSig(v) {
  if (v == null || !Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return v.toExponential(2);
  return v.toPrecision(3);
}

/** 3 decimals (classification losses, as TensorFlow Playground shows them). */
export const fmt3 = (v) => (v == null || !Number.isFinite(v) ? "–" : v.toFixed(3));
