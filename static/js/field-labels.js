// The words for a configuration field in messages: the label of the control that sets it.
// One table for the whole page: the page's own controls are listed here, the settings bar's
// register theirs as they are built (controls.js), and every error the server sends
// (`{"message": "batch_size: 0 is out of range", "field": "batch_size", "allowed": [1, 512]}`)
// is said with it: "Batch size: 0 is out of range (1 … 512)".

const LABELS = new Map(Object.entries({
  dataset: "Dataset", n_classes: "Classes", train_ratio: "Ratio of training to test data", noise: "Noise",
  n_points: "Points", data_seed: "Data seed", features: "Features", hidden_layers: "Hidden layers",
  layer_activations: "Layer activation", points: "Your points", csv: "CSV file", model: "Model file",
}));

/** The control that sets `field` is labelled `text` (the settings bar calls this for each). */
export function setLabel(field, text) { LABELS.set(field, text); }

/** "Batch size" for batch_size, "Neurons in layer 2" for hidden_layers[1], "beta1" for
 * optimizer_params.beta1 unless its control said otherwise; unknown names lose their underscores. */
export function fieldLabel(field) {
  if (!field) return "";
  if (LABELS.has(field)) return LABELS.get(field);
  const item = /^(hidden_layers|layer_activations)\[(\d+)\]$/.exec(field);
  if (item) return item[1] === "hidden_layers" ? `Neurons in layer ${Number(item[2]) + 1}` : `Activation of layer ${Number(item[2]) + 1}`;
  const top = field.split(".")[0].replace(/\[\d+\]$/, "");
  if (field.includes(".")) return field.split(".").pop().replace(/_/g, " ");
  return LABELS.get(top) ?? top.replace(/_/g, " ");
}

/** What is allowed, in words: a range "(1 … 512)", names "(allowed: relu, tanh)". */
export function allowedText(allowed) {
  if (!Array.isArray(allowed) || !allowed.length) return "";
  const isRange = allowed.length === 2 && allowed.every((v) => typeof v === "number");
  return isRange ? `(${allowed[0]} … ${allowed[1]})` : `(allowed: ${allowed.join(", ")})`;
}

/**
 * An error of the server in the learner's words: the field's internal name at the start of the
 * message becomes its control's label, and the allowed values are said once, at the end.
 */
export function readableError(message, field, allowed) {
  let text = String(message || "");
  // the engine's "(allowed: 1 to 512)": said again below, in the page's form
  const hadAllowed = /\(allowed: [^)]*\)/.test(text);
  if (Array.isArray(allowed) && allowed.length) text = text.replace(/\s*\(allowed: [^)]*\)/, "");
  if (field) {
    const label = fieldLabel(field);
    const prefix = `${field}: `;
    if (text.startsWith(prefix)) text = `${label}: ${text.slice(prefix.length)}`;
    else if (!text.startsWith(label)) text = `${label}: ${text}`;
  }
  const extra = allowedText(allowed);
  if (extra && (hadAllowed || !/\ballowed\b/i.test(text))) text += ` ${extra}`;
  return text;
}
