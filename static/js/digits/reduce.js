// A drawing reduced to the digits set's 64 inputs, the way that set was made — step for step the
// engine's nn_core/digit_drawing.py (`digit_from_drawing`), so the pad sends the network what the
// engine would make of the same drawing (a browser test holds the two equal on many drawings):
//
//   1. ink is every pixel ≥ INK (0.5); crop the drawing to the ink's bounding box;
//   2. pad the shorter side equally on both sides: a square, the digit centred, its aspect kept;
//   3. resample the square to 32 × 32 by area averaging, and call a pixel on where that mean is
//      ≥ INK (less 1e-9: rounding may leave an exactly full pixel just below);
//   4. count the on pixels of each 4 × 4 block (0..16), row by row, and divide by 16.

export const INK = 0.5;
export const BITMAP_SIDE = 32;   // NIST's normalised bitmap
export const DIGIT_SIDE = 8;     // the inputs: 8 × 8
const BLOCK = BITMAP_SIDE / DIGIT_SIDE;
const LEVELS = BLOCK * BLOCK;    // 16 pixels a block

/** Area weights from `source` pixels to `target` (nn_core's `_area_weights`): for target pixel i,
 * the range of source pixels it covers and each one's share of it (shares sum to 1). */
function areaWeights(source, target) {
  const edge = (i) => i * (source / target);
  const rows = [];
  for (let i = 0; i < target; i++) {
    const lo = edge(i), hi = edge(i + 1);
    const from = Math.floor(lo), to = Math.min(source, Math.ceil(hi));
    const shares = [];
    for (let s = from; s < to; s++) shares.push(Math.max(Math.min(s + 1, hi) - Math.max(s, lo), 0) * (target / source));
    rows.push({ from, shares });
  }
  return rows;
}

/** Steps 1 to 3: the 32 × 32 bitmap (Uint8Array, 1 = on) of a drawing `ink` (Float64Array or any
 * array of h·w values in [0, 1], row by row; 1 = ink). */
export function bitmapFromDrawing(ink, h, w) {
  let top = h, bottom = -1, left = w, right = -1;
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
    if (ink[r * w + c] >= INK) {
      if (r < top) top = r;
      if (r > bottom) bottom = r;
      if (c < left) left = c;
      if (c > right) right = c;
    }
  }
  const bitmap = new Uint8Array(BITMAP_SIDE * BITMAP_SIDE);
  if (bottom < 0) return bitmap;
  const bh = bottom - top + 1, bw = right - left + 1, side = Math.max(bh, bw);
  const padTop = Math.floor((side - bh) / 2), padLeft = Math.floor((side - bw) / 2);
  // The square (side × side): the box at (padTop, padLeft), zeros around it.
  const at = (r, c) => {
    const rr = r - padTop, cc = c - padLeft;
    return rr >= 0 && rr < bh && cc >= 0 && cc < bw ? ink[(top + rr) * w + left + cc] : 0;
  };
  const weights = areaWeights(side, BITMAP_SIDE);
  // (weights · square) · weightsᵀ, in the engine's order: first along the rows, then the columns.
  const rowsDone = new Float64Array(BITMAP_SIDE * side);
  for (let i = 0; i < BITMAP_SIDE; i++) {
    const { from, shares } = weights[i];
    for (let c = 0; c < side; c++) {
      let sum = 0;
      for (let k = 0; k < shares.length; k++) sum += shares[k] * at(from + k, c);
      rowsDone[i * side + c] = sum;
    }
  }
  for (let i = 0; i < BITMAP_SIDE; i++) for (let j = 0; j < BITMAP_SIDE; j++) {
    const { from, shares } = weights[j];
    let sum = 0;
    for (let k = 0; k < shares.length; k++) sum += rowsDone[i * side + from + k] * shares[k];
    bitmap[i * BITMAP_SIDE + j] = sum >= INK - 1e-9 ? 1 : 0;
  }
  return bitmap;
}

/** The 64 inputs (row by row, in [0, 1]) of a drawing of h × w ink values. */
export function digitFromDrawing(ink, h, w) {
  const bitmap = bitmapFromDrawing(ink, h, w);
  const out = new Array(DIGIT_SIDE * DIGIT_SIDE).fill(0);
  for (let r = 0; r < BITMAP_SIDE; r++) for (let c = 0; c < BITMAP_SIDE; c++) {
    out[Math.floor(r / BLOCK) * DIGIT_SIDE + Math.floor(c / BLOCK)] += bitmap[r * BITMAP_SIDE + c];
  }
  return out.map((n) => n / LEVELS);
}

/** The ink of a canvas drawn in opaque strokes on a transparent ground: alpha / 255 per pixel. */
export function inkOf(ctx, w, h) {
  const rgba = ctx.getImageData(0, 0, w, h).data;
  const ink = new Float64Array(w * h);
  for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4 + 3] / 255;
  return ink;
}
