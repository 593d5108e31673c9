// Decoding of the server's encoded arrays: {"dtype": "float32"|"uint8", "shape", "data": base64[, "min", "max"]}.
// float32 arrives as raw little-endian bytes; we view them through a Float32Array (no parsing per value).

function base64Bytes(b64) {
  const bin = atob(b64);
  const n = bin.length;
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** Decode one encoded array into {shape, data: Float32Array}. Plain nested lists are accepted too. */
export function decode(enc) {
  if (enc == null) return null;
  if (Array.isArray(enc)) return fromNested(enc);
  const shape = enc.shape || [];
  const count = shape.reduce((a, b) => a * b, 1);
  const bytes = base64Bytes(enc.data || "");
  let data;
  if (enc.dtype === "float32") {
    // The Uint8Array owns a fresh, 4-aligned buffer, so a Float32Array view is always valid.
    data = new Float32Array(bytes.buffer, 0, count);
  } else if (enc.dtype === "float64") {
    data = Float32Array.from(new Float64Array(bytes.buffer, 0, count));
  } else if (enc.dtype === "uint8") {
    const lo = Number(enc.min ?? 0);
    const span = Number(enc.max ?? 1) - lo;
    data = new Float32Array(count);
    const k = span / 255;
    for (let i = 0; i < count; i++) data[i] = lo + bytes[i] * k;
  } else {
    throw new Error(`unknown dtype ${enc.dtype}`);
  }
  return { shape, data };
}

function fromNested(list) {
  const shape = [];
  let level = list;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return { shape, data: Float32Array.from(list.flat(Infinity)) };
}

/** Channel `c` of an (h, w, channels) array as a new Float32Array of h*w values. */
export function channel(arr, c) {
  const [h, w, k = 1] = arr.shape;
  const n = h * w;
  if (k === 1) return arr.data.subarray(0, n);
  const out = new Float32Array(n);
  const d = arr.data;
  for (let i = 0, j = c; i < n; i++, j += k) out[i] = d[j];
  return out;
}
