// Small dataset previews: points drawn as dots on a canvas, coloured by class (or value for
// regression), or an image set's first images as a mosaic.

import { decode } from "./codec.js";
import { CLASS_COLORS, divergingCss, rgb } from "./colors.js";

export function drawPointsThumb(canvas, data, problem, bounds = [-6, 6, -6, 6]) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.fillStyle = "#f3f4f5";
  ctx.fillRect(0, 0, W, H);
  const rows = [...(data.train || []), ...(data.test || [])];
  let scale = 1;
  if (problem === "regression") for (const r of rows) scale = Math.max(scale, Math.abs(r[2]));
  const [x0, x1, y0, y1] = bounds;
  const step = Math.max(1, Math.floor(rows.length / 400));
  for (let i = 0; i < rows.length; i += step) {
    const [x, y, label] = rows[i];
    ctx.fillStyle = problem === "regression" ? divergingCss(label / scale) : rgb(CLASS_COLORS[label % CLASS_COLORS.length]);
    const px = ((x - x0) / (x1 - x0)) * W;
    const py = (1 - (y - y0) / (y1 - y0)) * H;
    ctx.beginPath();
    ctx.arc(px, py, 1.6, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** A mosaic of an image set's first images (an encoded (n, h, w) array, ink 1 = dark): 3 × 3. */
export function drawImagesThumb(canvas, encoded) {
  const { shape: [n, h, w], data } = decode(encoded);
  const side = Math.ceil(Math.sqrt(n));
  const img = new ImageData(side * w, side * h);
  for (let k = 0; k < n; k++) {
    const x0 = (k % side) * w, y0 = Math.floor(k / side) * h;
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
      const o = ((y0 + r) * side * w + x0 + c) * 4, v = Math.round(255 * (1 - data[(k * h + r) * w + c]));
      img.data[o] = img.data[o + 1] = img.data[o + 2] = v;
      img.data[o + 3] = 255;
    }
  }
  canvas.width = img.width;
  canvas.height = img.height;
  canvas.getContext("2d").putImageData(img, 0, 0);
  canvas.classList.add("pixels");
}
