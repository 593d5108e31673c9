// The network: the heading with the layer count, the per-layer row (neurons, activation) aligned
// with the diagram's columns (layer-controls.js), and the diagram (figures/network-diagram.js). Hovering a neuron or an
// input puts its map on the boundary plot (state.hoverNeuron); clicking an input switches it.
// A real dataset's inputs are its columns (named, fixed); the digits' 64 are drawn as the 8 × 8
// image they are (the average digit), and each first-layer neuron shows its incoming weights
// as an 8 × 8 picture instead of a map over a plane.

import { channel, decode } from "../codec.js";
import { buildLayerControls, wireLayerCount } from "../layer-controls.js";
import { GUTTER, NetworkDiagram } from "../figures/network-diagram.js";
import { datasetInfo, kind } from "../realdata/sets.js";

const $ = (id) => document.getElementById(id);

export default function networkView(page) {
  const { state } = page;
  const maps = new Map(state.options.features.map((f) => [f.name, f.preview ? decode(f.preview) : null]));
  const diagram = new NetworkDiagram($("network"), {
    onNeuronHover: (n) => { state.hoverNeuron = n; page.wantsChanged(); },
    onToggleFeature: (name) => { if (kind(state) === "plane") page.toggleFeature(name); },
    openEditor: page.openEditor,
    onNote: (text) => { $("net-note").textContent = text; },
  });
  const parts = {};
  let fresh = false, takenAt = -1;
  let meanOf = null, meanInk = null;   // the data the average image was taken of, and it
  let inputMaps = null, mapsOf = null; // a table's inputs over its principal plane (grid.inputs), and whose

  const refuse = (message) => { $("net-error").textContent = message; };
  const showCount = wireLayerCount({ add: $("btn-add-layer"), remove: $("btn-remove-layer"), count: $("n-hidden") },
    { maxLayers: state.options.limits.max_hidden_layers, onPatch: page.patch, refuse });

  /** Each pixel's average over the data: what the digits' input column shows. */
  function averageImage() {
    if (meanOf !== state.data && state.data?.rows) {
      meanOf = state.data;
      const rows = [...state.data.rows.train, ...state.data.rows.test];
      meanInk = new Array(rows[0].length - 1).fill(0);
      for (const r of rows) for (let j = 0; j < meanInk.length; j++) meanInk[j] += r[j] / rows.length;
    }
    return meanInk;
  }

  function spec(cfg) {
    const acts = cfg.layer_activations || cfg.hidden_layers.map(() => cfg.activation);
    const nOut = parts.weights ? parts.weights[parts.weights.length - 1].W.shape[1] : cfg.problem === "multiclass" ? cfg.n_classes : 1;
    const info = datasetInfo(state);
    const real = cfg.features === null && info?.kind === "real";
    const ink = real && info.image_shape ? averageImage() : null;
    const active = new Set(cfg.features || []);
    return {
      inputs: real
        ? info.input_names.map((n, i) => ({ name: `input${i}`, label: n, active: true, map: inputMaps?.[i] ?? null, shade: ink?.[i] }))
        : state.options.features.map((f) => ({ name: f.name, label: f.label || f.name, active: active.has(f.name), map: maps.get(f.name) })),
      features: real ? info.input_names : cfg.features.map((n) => state.options.features.find((x) => x.name === n)?.label || n),
      fixedInputs: real, inputGrid: real ? info.image_shape : null, outputNames: real ? outputNames(info, nOut) : null,
      // (weight pictures are scaled by their own largest |w|, whatever the activation's range)
      hidden: cfg.hidden_layers, activations: acts, ranges: acts.map((a, i) => (ink && i === 0 ? null : page.outputRange(a))),
      nOut, outputActivation: cfg.output_activation, outputRange: page.outputRange(cfg.output_activation),
      regularization: cfg.regularization,
    };
  }

  return {
    name: "network",
    el: $("network"),
    // maps as fine as the neurons are drawn (a 64-neuron layer's 6 px squares need no 25 × 25)
    // (an image set's neurons show their weights: no maps over a plane to ask for)
    wants: (s) => (kind(s) === "image" ? { weights: true }
      : { grid: true, neurons: true, neuron_resolution: diagram.mapResolution(s.options.snapshot_defaults.neuron_resolution), weights: true }),
    take(snap, s) {
      const g = snap.grid || {};
      const image = kind(s) === "image" && datasetInfo(s).image_shape;
      const got = { weights: snap.weights, neurons: image ? weightImages(snap.weights, image) : g.neurons, outputSmall: image ? null : g.output_small };
      for (const [k, v] of Object.entries(got)) if (v) { parts[k] = v; fresh = true; }
      // A table's inputs over its plane are the same at every epoch: kept once per dataset.
      if (g.inputs && kind(s) === "table" && mapsOf !== s.config.dataset) {
        mapsOf = s.config.dataset;
        const [h, w, k] = g.inputs.shape;
        inputMaps = Array.from({ length: k }, (_, j) => ({ shape: [h, w], data: channel(g.inputs, j) }));
      }
      if (snap.weights) takenAt = s.version;
    },
    fresh: (s) => takenAt === s.version,
    configure(s) {
      if (s.config.dataset !== mapsOf) inputMaps = mapsOf = null;
      showCount(s.config);
      const row = $("layer-controls");
      row.style.paddingLeft = `${GUTTER}px`;
      buildLayerControls(row, s.config, {
        activations: s.options.activations.filter((a) => a.hidden !== false),
        maxNeurons: s.options.limits.max_neurons,
        onPatch: page.patch,
        refuse,
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

/** The first hidden layer's incoming weights as maps the diagram paints ([h, w, neurons], row 0 at
 * the bottom as a map over the plane is, so the picture stands upright); none without one. */
function weightImages(weights, [h, w]) {
  if (!weights || weights.length < 2) return null;
  const { shape: [, k], data } = weights[0].W;
  const out = new Float32Array(h * w * k);
  for (let r = 0; r < h; r++) out.set(data.subarray((r * w) * k, (r + 1) * w * k), (h - 1 - r) * w * k);
  return [{ shape: [h, w, k], data: out }];
}

/** A real set's output names: its classes, or for one output the class whose probability it is. */
function outputNames(info, nOut) {
  const names = info.class_names || [];
  return nOut === 1 && names.length === 2 ? [`p(${names[1]})`] : names;
}
