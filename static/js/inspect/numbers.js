// Numbers as Inspect writes them: 3 significant figures on the diagram, 4 in the equation panel,
// a true minus sign, and subscripts for indices (w₁₂, δ₃).

const SUB = "₀₁₂₃₄₅₆₇₈₉";

/** v to `digits` significant figures; exponent form only for tiny or huge values. */
export function sig(v, digits = 4) {
  if (v == null || Number.isNaN(v)) return "–";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  const a = Math.abs(v);
  let s;
  if (a === 0) s = "0";
  else if (a < 1e-3 || a >= 1e5) {
    const [m, e] = v.toExponential(digits - 1).split("e");
    s = `${String(Number(m))}e${Number(e)}`;
  } else s = String(Number(v.toPrecision(digits)));
  return s.replace(/-/g, "−");
}

/** On the diagram: 3 significant figures. */
export const short = (v) => sig(v, 3);

/** 12 → "₁₂" */
export const sub = (n) => String(n).replace(/\d/g, (d) => SUB[d]);

/** Indices of the k largest |values| (ties: lower index first), in index order. */
export function largest(values, k) {
  const idx = values.map((_, i) => i).sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]) || a - b);
  return idx.slice(0, k).sort((a, b) => a - b);
}

/** Every digit JavaScript keeps of a float64 (the shortest text that reads back as the same
 * number), with a true minus sign. */
export function full(v) {
  if (v == null || Number.isNaN(v)) return "–";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  return String(v).replace(/-/g, "−").replace("e+", "e");
}

const SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹";

/** 12 → "¹²" */
export const sup = (n) => String(n).replace(/\d/g, (d) => SUP[d]);
