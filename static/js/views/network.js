// The network: the heading with +/− layers, the per-layer row (+/− neurons, activation), and the
// diagram (views/network-diagram.js) — links as wide as |w|, each neuron showing its map.
// Hovering a neuron puts its map on the boundary plot (state.hoverNeuron).

import { buildLayerControls } from "../panels.js";
import { NetworkDiagram } from "./network-diagram.js";

const $ = (id) => document.getElementById(id);

export default function networkView(page) {
  const { state } = page;
  const diagram = new NetworkDiagram($("network"), {
    onNeuronHover: (n) => { state.hoverNeuron = n; page.wantsChanged(); },
    openEditor: page.openEditor,
    onNote: (text) => { $("net-note").textContent = text; },
  });
  let parts = {}, fresh = false, takenAt = -1;

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
    const nOut = parts.weights ? parts.weights[parts.weights.length - 1].W.shape[1] : cfg.problem === "multiclass" ? cfg.n_classes : 1;
    return {
      features: cfg.features.map((n) => state.options.features.find((x) => x.name === n)?.label || n),
      hidden: cfg.hidden_layers, activations: acts, ranges: acts.map(page.outputRange),
      nOut, outputActivation: cfg.output_activation, outputRange: page.outputRange(cfg.output_activation), problem: cfg.problem,
    };
  }

  return {
    name: "network",
    el: $("network"),
    wants: (s) => ({ grid: true, neurons: true, neuron_resolution: s.options.snapshot_defaults.neuron_resolution, weights: true }),
    take(snap, s) {
      const g = snap.grid || {};
      const got = { weights: snap.weights, neurons: g.neurons, outputSmall: g.output_small, inputs: g.inputs };
      for (const [k, v] of Object.entries(got)) if (v) { parts[k] = v; fresh = true; }
      if (snap.weights) takenAt = s.version;
    },
    fresh: (s) => takenAt === s.version,
    configure(s) {
      const n = s.config.hidden_layers.length;
      $("n-hidden").textContent = String(n);
      $("h-net").lastChild.textContent = n === 1 ? " hidden layer" : " hidden layers";
      buildLayerControls($("layer-controls"), s.config, {
        activations: s.options.activations.filter((a) => a.hidden !== false),
        maxNeurons: s.options.limits.max_neurons,
        onPatch: page.patch,
      });
    },
    draw(s) {
      diagram.build(spec(s.config));
      if (!fresh) return;
      fresh = false;
      diagram.update(parts);
    },
  };
}
