// Every live view of the page. Adding one: a module in views/ whose default export builds the
// view (see docs/page.md, "Views"), ONE line below, and its markup in templates/index.html.
// The frame loop (frame-loop.js) never names a view: it asks each what it wants, hands each every
// answer and lets each draw.
export { default as stats } from "./views/stats.js";
export { default as hints } from "./views/hints.js";
export { default as boundary } from "./views/boundary.js";
export { default as surface } from "./views/surface.js";
export { default as curves } from "./views/curves.js";
export { default as confusion } from "./views/confusion.js";
export { default as network } from "./views/network.js";
export { default as weights } from "./views/weights.js";
export { default as gradnorms } from "./views/gradnorms.js";
export { default as transformed } from "./views/transformed.js";
export { default as inspect } from "./views/inspect.js";
export { default as compare } from "./views/compare.js";
export { default as lessons } from "./views/lessons.js";
export { default as gallery } from "./views/digit-gallery.js";
export { default as drawingpad } from "./views/drawing-pad.js";
export { default as weightimages } from "./views/weight-images.js";
export { default as pca } from "./views/pca.js";
