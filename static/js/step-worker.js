// Web Worker hosting the step loop (see steploop.js): fetch, JSON parsing and base64 decoding happen
// here, and decoded grids reach the page as transferred ArrayBuffers (no copy).
import { createLoop } from "./steploop.js";

const handle = createLoop((msg, transfer) => self.postMessage(msg, transfer));
self.onmessage = (e) => handle(e.data);
