// The network: the heading with +/− layers, the per-layer row (+/− neurons, activation) aligned
// with the diagram's columns, and the diagram (figures/network-diagram.js). Hovering a neuron or an
// input puts its map on the boundary plot (state.hoverNeuron); clicking an input switches it.

import { decode } from "../codec.js";
import { buildLayerControls } from "../panels.js";
import { GUTTER, NetworkDiagram } from "../figures/network-diagram.js";

const $ = (id) => document.getElementById(id);

export default function networkView(page) {
  const { state } = page;
  const maps = new Map(state.options.features.map((f) => [f.name, f.preview ? decode(f.preview) : null]));
  const diagram = new NetworkDiagram($("network"), {
    onNeuronHover: (n) => { state.hoverNeuron = n; page.wantsChanged(); },
    onToggleFeature: (name) => page.toggleFeature(name),
    openEditor: page.openEditor,
    onNote: (text) => { $("net-note").textContent = text; },
  });
  const parts = {};
  let fresh = false, takenAt = -1;

  $("btn-add-layer").addEventListener("click", () => {
    const hl = state.config.hidden_layers, max = state.options.limits.max_hidden_layers;
    if (hl.length >= max) return page.toast(`At most ${max} hidden layers.`, "error");
    const acts = state.config.layer_activations;
    page.patch({ hidden_layers: [...hl, hl.length ? hl[hl.length - 1] : 4], ...(acts ? { layer_activations: [...acts, acts[acts.length - 1] || state.config.activation] } : {}) }, "hidden_layers");
  });
  $("btn-remove-layer").addEventListener("click", () => {
    const hl = state.config.hidden_layers;
    if (!hl.length) return;
    const acts = state.config.layer_activations;
    page.patch({ hidden_layers: hl.slice(0, -1), ...(acts ? { layer_activations: hl.length > 1 ? acts.slice(0, -1) : null } : {}) }, "hidden_layers");
  });

  function spec(cfg) {
    const acts = cfg.layer_activations || cfg.hidden_layers.map(() => cfg.activation);
    const active = new Set(cfg.features);
    const nOut = parts.weights ? parts.weights[parts.weights.length - 1].W.shape[1] : cfg.problem === "multiclass" ? cfg.n_classes : 1;
    return {
      inputs: state.options.features.map((f) => ({ name: f.name, label: f.label || f.name, active: active.has(f.name), map: maps.get(f.name) })),
      features: cfg.features.map((n) => state.options.features.find((x) => x.name === n)?.label || n),
      hidden: cfg.hidden_layers, activations: acts, ranges: acts.map(page.outputRange),
      nOut, outputActivation: cfg.output_activation, outputRange: page.outputRange(cfg.output_activation),
      regularization: cfg.regularization,
    };
  }

  return {
    name: "network",
    el: $("network"),
    // maps as fine as the neurons are drawn (a 64-neuron layer's 6 px squares need no 25 × 25)
    wants: (s) => ({ grid: true, neurons: true, neuron_resolution: diagram.mapResolution(s.options.snapshot_defaults.neuron_resolution), weights: true }),
    take(snap, s) {
      const g = snap.grid || {};
      const got = { weights: snap.weights, neurons: g.neurons, outputSmall: g.output_small };
      for (const [k, v] of Object.entries(got)) if (v) { parts[k] = v; fresh = true; }
      if (snap.weights) takenAt = s.version;
    },
    fresh: (s) => takenAt === s.version,
    configure(s) {
      const n = s.config.hidden_layers.length;
      $("n-hidden").textContent = String(n);
      $("h-net").lastChild.textContent = n === 1 ? " hidden layer" : " hidden layers";
      const row = $("layer-controls");
      row.style.paddingLeft = `${GUTTER}px`;
      buildLayerControls(row, s.config, {
        activations: s.options.activations.filter((a) => a.hidden !== false),
        maxNeurons: s.options.limits.max_neurons,
        onPatch: page.patch,
      });
    },
    draw(s) {
      diagram.build(spec(s.config));
      if (!fresh && diagram.flowing === s.running) return;
      fresh = false;
      diagram.update(parts, { running: s.running, epoch: s.epoch });
    },
    // for tests: where a link is and how it is drawn
    linkMidpoint: (l, a, b) => diagram.linkMidpoint(l, a, b),
    linkKind: (l, a, b) => diagram.linkKind(l, a, b),
    flow: () => (diagram.flowing ? diagram.flow : null),
  };
}
