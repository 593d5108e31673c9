// The inspected point, marked on the decision-boundary plot (a ring over Plotly's points), and the
// point nearest to a click on the plot. Positions come from Plotly's own layout of the axes (each
// axis's pixel offset, length and range), so the ring sits on the point at any size.

const NS = "http://www.w3.org/2000/svg";

export class PointMarker {
  constructor(plotEl) {
    this.plot = plotEl;
    this.at = null;
    this.svg = document.createElementNS(NS, "svg");
    this.svg.classList.add("inspect-marker");
    this.svg.setAttribute("aria-hidden", "true");
    this.svg.setAttribute("width", "30");
    this.svg.setAttribute("height", "30");
    this.svg.setAttribute("viewBox", "-15 -15 30 30");
    for (const [r, cls] of [[10, "ring-out"], [10, "ring-in"], [2, "dot"]]) {
      const c = document.createElementNS(NS, "circle");
      c.setAttribute("r", r);
      c.setAttribute("class", cls);
      this.svg.append(c);
    }
    this.svg.style.display = "none";   // (an <svg> has no `hidden` property)
    plotEl.parentElement.append(this.svg);
    window.addEventListener("resize", () => this.place());
  }

  /** Mark the plane point [x1, x2]; null hides the ring. */
  show(at) {
    this.at = at;
    if (at && !this.hooked && this.plot.on) {
      this.hooked = true;   // Plotly re-lays the plot out (size, points): follow it
      this.plot.on("plotly_afterplot", () => this.place());
    }
    this.place();
  }

  place() {
    const at = this.at && plotPixel(this.plot, this.at);
    if (!at) { this.svg.style.display = "none"; return; }
    this.svg.style.display = at.inside ? "" : "none";
    this.svg.style.left = `${at.x - 15}px`;
    this.svg.style.top = `${at.y - 15}px`;
  }
}

/** Where the plane point [x1, x2] is drawn, in pixels within the plot's parent: {x, y, inside}
 * (inside the axes' ranges), or null before Plotly has laid the plot out. */
export function plotPixel(plotEl, [x, y]) {
  const lay = plotEl._fullLayout, box = axesBox(lay);
  if (!box) return null;
  const [x0, x1] = lay.xaxis.range, [y0, y1] = lay.yaxis.range;
  const inside = x >= Math.min(x0, x1) && x <= Math.max(x0, x1) && y >= Math.min(y0, y1) && y <= Math.max(y0, y1);
  return {
    x: plotEl.offsetLeft + box.l + ((x - x0) / (x1 - x0)) * box.w,
    y: plotEl.offsetTop + box.t + ((y1 - y) / (y1 - y0)) * box.h,
    inside,
  };
}

/** The axes' pixel box within the plot element: {l, t, w, h} — Plotly's own offsets and lengths
 * of each axis (a square plot in a wider box keeps its aspect ratio by shrinking an axis's domain,
 * so the margins alone do not say where the axes are). */
function axesBox(lay) {
  const xa = lay?.xaxis, ya = lay?.yaxis;
  if (!xa || !ya || xa._length == null) return null;
  return { l: xa._offset, t: ya._offset, w: xa._length, h: ya._length };
}

/** Plane coordinates [x1, x2] of a mouse event on the plot, or null outside its axes. */
export function planeAt(plotEl, e) {
  const lay = plotEl._fullLayout, box = axesBox(lay);
  if (!box) return null;
  const rect = plotEl.getBoundingClientRect();
  const px = e.clientX - rect.left - box.l, py = e.clientY - rect.top - box.t;
  if (px < 0 || py < 0 || px > box.w || py > box.h) return null;
  const [x0, x1] = lay.xaxis.range, [y0, y1] = lay.yaxis.range;
  return [x0 + (px / box.w) * (x1 - x0), y1 - (py / box.h) * (y1 - y0)];
}

/** The data point nearest to [x, y]: {set, index, distance} (plane units), among the training
 * points and, when `withTest`, the test points too (null when there are none). */
export function nearestPoint(data, [x, y], withTest) {
  let best = null, bestD = Infinity;
  for (const set of withTest ? ["train", "test"] : ["train"]) {
    const s = data?.[set];
    if (!s) continue;
    for (let i = 0; i < s.x.length; i++) {
      const d = (s.x[i] - x) ** 2 + (s.y[i] - y) ** 2;
      if (d < bestD) { bestD = d; best = { set, index: i }; }
    }
  }
  return best && { ...best, distance: Math.sqrt(bestD) };
}

/** Plane units per pixel along x on the plot (to turn "within 8 px" into a distance). */
export function planePerPixel(plotEl) {
  const lay = plotEl._fullLayout, box = axesBox(lay);
  if (!box) return 0;
  const [x0, x1] = lay.xaxis.range;
  return Math.abs(x1 - x0) / box.w;
}
