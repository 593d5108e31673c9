// Small images painted pixel for pixel (the digits' 8 × 8 inputs, a neuron's 64 weights): into a
// canvas the size of the image, which CSS scales up with `image-rendering: pixelated`.

import { paintDiverging } from "../colors.js";

/** Ink values in [0, 1] (row by row; 1 = ink) as grey levels: paper white, ink black. */
export function paintInk(canvas, values, w, h) {
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const ctx = canvas.getContext("2d"), img = ctx.createImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const v = Math.round(255 * (1 - Math.min(1, Math.max(0, values[i]))));
    img.data[i * 4] = img.data[i * 4 + 1] = img.data[i * 4 + 2] = v;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** Signed values (row by row, row 0 at the top) on the diverging scale, ±`scale` at its ends. */
export function paintSigned(img, values, w, h, scale) {
  // paintDiverging draws a map over a plane (row 0 at the bottom): hand it the rows upside down.
  const flipped = new Float32Array(w * h);
  for (let r = 0; r < h; r++) flipped.set(values.subarray(r * w, (r + 1) * w), (h - 1 - r) * w);
  paintDiverging(img, flipped, w, h, { offset: 0, scale });
}
