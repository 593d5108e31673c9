// The inspected point, marked on the decision-boundary plot (a ring over Plotly's points), and the
// point nearest to a click on the plot. Positions come from Plotly's own layout of the plot area
// (its margins and axis ranges), so the ring sits on the point at any size.

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
    const lay = this.plot._fullLayout;
    const size = lay?._size;
    if (!this.at || !size) { this.svg.style.display = "none"; return; }
    const [x0, x1] = lay.xaxis.range, [y0, y1] = lay.yaxis.range;
    const [x, y] = this.at;
    const inside = x >= Math.min(x0, x1) && x <= Math.max(x0, x1) && y >= Math.min(y0, y1) && y <= Math.max(y0, y1);
    this.svg.style.display = inside ? "" : "none";
    const px = this.plot.offsetLeft + size.l + ((x - x0) / (x1 - x0)) * size.w;
    const py = this.plot.offsetTop + size.t + ((y1 - y) / (y1 - y0)) * size.h;
    this.svg.style.left = `${px - 15}px`;
    this.svg.style.top = `${py - 15}px`;
  }
}

/** Plane coordinates [x1, x2] of a mouse event on the plot, or null outside its plot area. */
export function planeAt(plotEl, e) {
  const lay = plotEl._fullLayout, size = lay?._size;
  if (!size) return null;
  const rect = plotEl.getBoundingClientRect();
  const px = e.clientX - rect.left - size.l, py = e.clientY - rect.top - size.t;
  if (px < 0 || py < 0 || px > size.w || py > size.h) return null;
  const [x0, x1] = lay.xaxis.range, [y0, y1] = lay.yaxis.range;
  return [x0 + (px / size.w) * (x1 - x0), y1 - (py / size.h) * (y1 - y0)];
}

/** The data point nearest to [x, y]: {set, index}, among the training points and, when
 * `withTest`, the test points too (null when there are none). */
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
  return best;
}
