// The weight editor: a small form opened next to a link, a neuron or a heatmap cell to type a new
// weight or bias. It sets the value through the session and closes; an error stays in the form.
// Focus returns to where it came from (the heatmap, the neuron).

export class WeightEditor {
  /** form: #weight-editor; weights(): the newest decoded weights; onEdit(body) → error text or null. */
  constructor(form, weights, onEdit) {
    this.form = form;
    this.weights = weights;
    this.input = form.querySelector("input");
    this.error = form.querySelector(".field-error");
    this.target = null;
    this.returnFocus = null;
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const value = Number(this.input.value);
      if (this.input.value.trim() === "" || !Number.isFinite(value)) { this.error.textContent = "Please type a number."; return; }
      const t = this.target;
      const body = t.param === "W" ? { layer: t.layer, from: t.from, to: t.to, value } : { layer: t.layer, param: "b", to: t.to, value };
      const err = await onEdit(body);
      if (err) this.error.textContent = err;
      else this.close();
    });
    form.querySelector("#weight-cancel").addEventListener("click", () => this.close());
    form.addEventListener("keydown", (e) => { if (e.key === "Escape") this.close(); });
  }

  /** Open for a weight ({layer, param: "W", from, to}) or a bias ({layer, param: "b", to}) near a screen point. */
  open(target, clientX, clientY) {
    const wl = this.weights()?.[target.layer];
    if (!wl) return;
    this.target = target;
    this.returnFocus = document.activeElement;
    const current = target.param === "W" ? wl.W.data[target.from * wl.W.shape[1] + target.to] : wl.b.data[target.to];
    this.form.querySelector("#weight-editor-label").textContent = target.param === "W" ? "New weight" : "New bias";
    this.input.value = Number.isFinite(current) ? String(+current.toFixed(4)) : "";
    this.error.textContent = "";
    this.form.hidden = false;
    const host = this.form.offsetParent || document.body;
    const hr = host.getBoundingClientRect();
    this.form.style.left = `${Math.max(4, Math.min(clientX - hr.left - 80, host.clientWidth - 304))}px`;
    this.form.style.top = `${Math.max(4, Math.min(clientY - hr.top + 10, host.clientHeight - 70))}px`;
    this.input.focus();
    this.input.select();
  }

  close() {
    const wasOpen = !this.form.hidden;
    this.form.hidden = true;
    this.target = null;
    if (wasOpen && this.returnFocus?.isConnected) this.returnFocus.focus();
    this.returnFocus = null;
  }
}
