// Every live view of the page. Adding one: a module in this folder whose default export builds
// the view (see docs/page.md, "Views"), ONE line below, and its markup in templates/index.html.
// The loop (loop.js) never names a view: it asks each what it wants, hands each every answer and
// lets each draw.
export { default as stats } from "./stats.js";
export { default as boundary } from "./boundary.js";
export { default as surface } from "./surface.js";
export { default as curves } from "./curves.js";
export { default as confusion } from "./confusion.js";
export { default as network } from "./network.js";
export { default as weights } from "./weights.js";
export { default as gradnorms } from "./gradnorms.js";
export { default as transformed } from "./transformed.js";
export { default as inspect } from "./inspect.js";
export { default as compare } from "./compare.js";
