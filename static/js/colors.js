// Colours: the diverging scale (orange −1 … grey 0 … blue +1) and one colour per class.
// Images are painted straight into ImageData from typed arrays, with a 256-entry lookup table.

export const NEG = [245, 147, 34];   // orange, −1
export const MID = [232, 234, 235];  // light grey, 0
export const POS = [8, 119, 189];    // blue, +1

// The playground's six classes stay apart for the common colour-vision deficiencies too
// (protanopia, deuteranopia, tritanopia as Machado et al. 2009 simulate them): every pair at
// least ΔE 17 apart in CIELAB (9 at the boundary's half strength), and none of them near the
// grey of "unsure" (tests/browser/test_colours_and_views.py measures it).
export const CLASS_COLORS = [
  [245, 147, 34],  // 0 orange (binary "0")
  [8, 119, 189],   // 1 blue   (binary "1")
  [46, 160, 67],   // 2 green
  [136, 34, 85],   // 3 wine
  [204, 121, 167], // 4 pink
  [86, 180, 233],  // 5 sky blue
  // (the digits' ten classes: every pair of all ten at least ΔE 26 apart for normal vision)
  [214, 39, 40],   // 6 red
  [240, 228, 66],  // 7 yellow
  [51, 34, 136],   // 8 indigo
  [30, 30, 30],    // 9 black
];

export const rgb = (c) => `rgb(${c[0]},${c[1]},${c[2]})`;

// The boundary's background is paler than the points drawn on it (TensorFlow Playground's way):
// at full confidence it reaches only PALE of the way from grey to the class colour, so a point
// in its own class's region keeps a clearly visible fill.
export const PALE = 0.5;
// A value that is not a finite number (a diverged weight, NaN) is drawn in this neutral grey:
// never as a sign. An exact zero (a weight L1 pruned) may get its own colour too (`zero`).
export const NONFINITE = [112, 118, 122];

/** Colour of v in [−1, 1] on the diverging scale (strength < 1: the paler scale). */
export function diverging(v, strength = 1) {
  const t = Math.max(-1, Math.min(1, v));
  const end = t < 0 ? NEG : POS;
  const a = Math.abs(t) * strength;
  return [0, 1, 2].map((i) => Math.round(MID[i] + (end[i] - MID[i]) * a));
}

// 256-entry tables over [−1, 1]: the full scale and the pale one.
const LUT = new Uint8ClampedArray(256 * 3);
const PALE_LUT = new Uint8ClampedArray(256 * 3);
for (let i = 0; i < 256; i++) { LUT.set(diverging(i / 127.5 - 1), i * 3); PALE_LUT.set(diverging(i / 127.5 - 1, PALE), i * 3); }

export const divergingCss = (v, strength = 1) => rgb(diverging(v, strength));

/** Colourscale for Plotly traces (heatmaps) matching the diverging scale. */
export const PLOTLY_DIVERGING = [[0, rgb(NEG)], [0.5, rgb(MID)], [1, rgb(POS)]];
/** For regression points: the same ends, but a mid grey dark enough to show on the pale grey. */
export const POINT_MID = [120, 128, 134];
export const POINT_DIVERGING = [[0, rgb(NEG)], [0.5, rgb(POINT_MID)], [1, rgb(POS)]];

/**
 * Paint values (row 0 = lowest y) into `img` (row 0 = top) on the diverging scale.
 * `scale` maps value → [−1, 1] by v / scale; `offset` is subtracted first (sigmoid: p → 2p − 1
 * uses offset 0.5, scale 0.5). `discrete` snaps to the ends like a sign function; `pale` uses the
 * paler background scale; `zero` ([r, g, b]) paints exact zeros apart. Non-finite: NONFINITE.
 */
export function paintDiverging(img, values, w, h, { offset = 0, scale = 1, discrete = false, pale = false, zero = null } = {}) {
  const px = img.data;
  const inv = 1 / (scale || 1);
  const lut = pale ? PALE_LUT : LUT;
  for (let r = 0; r < h; r++) {
    const src = (h - 1 - r) * w;
    let dst = r * w * 4;
    for (let c = 0; c < w; c++, dst += 4) {
      const raw = values[src + c];
      px[dst + 3] = 255;
      if (raw - raw !== 0) { px[dst] = NONFINITE[0]; px[dst + 1] = NONFINITE[1]; px[dst + 2] = NONFINITE[2]; continue; }  // NaN, ±∞
      if (zero && raw === 0) { px[dst] = zero[0]; px[dst + 1] = zero[1]; px[dst + 2] = zero[2]; continue; }
      let v = (raw - offset) * inv;
      if (discrete) v = v > 0 ? 1 : v < 0 ? -1 : 0;
      let i = Math.round((v + 1) * 127.5);
      i = i < 0 ? 0 : i > 255 ? 255 : i;
      px[dst] = lut[i * 3]; px[dst + 1] = lut[i * 3 + 1]; px[dst + 2] = lut[i * 3 + 2];
    }
  }
}

/**
 * Multi-class: (h, w, k) probabilities → the winning class colour, shaded towards grey as confidence
 * falls to chance (1/k). `discrete` paints the winning class at full strength; `pale`: the paler
 * background scale.
 */
export function paintClasses(img, probs, w, h, k, { discrete = false, pale = false } = {}) {
  const px = img.data;
  const chance = 1 / k;
  for (let r = 0; r < h; r++) {
    const srcRow = (h - 1 - r) * w;
    let dst = r * w * 4;
    for (let c = 0; c < w; c++, dst += 4) {
      const base = (srcRow + c) * k;
      let best = 0, pmax = -Infinity;
      for (let j = 0; j < k; j++) { const p = probs[base + j]; if (p > pmax) { pmax = p; best = j; } }
      if (pmax !== pmax) { px[dst] = NONFINITE[0]; px[dst + 1] = NONFINITE[1]; px[dst + 2] = NONFINITE[2]; px[dst + 3] = 255; continue; }
      const t = discrete ? 1 : Math.max(0, Math.min(1, (pmax - chance) / (1 - chance)));
      const col = CLASS_COLORS[best % CLASS_COLORS.length];
      const a = (0.15 + 0.85 * t) * (pale ? PALE : 1);
      px[dst] = MID[0] + (col[0] - MID[0]) * a;
      px[dst + 1] = MID[1] + (col[1] - MID[1]) * a;
      px[dst + 2] = MID[2] + (col[2] - MID[2]) * a;
      px[dst + 3] = 255;
    }
  }
}

/**
 * How to colour a map of values: an activation with a bounded output range [lo, hi]
 * (/api/options → activations[].output_range) maps its centre to grey and its ends to the ends
 * of the scale; an unbounded one (range null) is scaled by its largest |value|.
 */
export function rangeScaling(range, values) {
  if (range) return { offset: (range[0] + range[1]) / 2, scale: (range[1] - range[0]) / 2 || 1 };
  let m = 0;
  for (let i = 0; i < values.length; i++) { const a = Math.abs(values[i]); if (a > m) m = a; }
  return { offset: 0, scale: Math.max(1e-6, m) };
}

/** A CSS gradient of the diverging scale from −1 to +1 (legends; strength PALE for the boundary's). */
export function legendGradient(strength = 1, steps = 9) {
  const stops = [];
  for (let i = 0; i < steps; i++) stops.push(`${divergingCss(-1 + (2 * i) / (steps - 1), strength)} ${((100 * i) / (steps - 1)).toFixed(0)}%`);
  return `linear-gradient(to right, ${stops.join(", ")})`;
}
