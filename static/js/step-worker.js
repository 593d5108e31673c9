// Web Worker hosting the step requests (see step-requests.js): fetch, JSON parsing and base64
// decoding happen here, and decoded grids reach the page as transferred ArrayBuffers (no copy).
import { createStepRequests } from "./step-requests.js";

const handle = createStepRequests((msg, transfer) => self.postMessage(msg, transfer));
self.onmessage = (e) => handle(e.data);
