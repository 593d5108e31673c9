// What the page needs to know about the dataset a session is on: a plane set (points in the
// plane, drawn on the decision boundary), a table (the UCI sets: drawn on their principal plane)
// or an image set (the digits: drawn as pictures). /api/options says it (`kind`, `image_shape`);
// the body carries it as data-kind="plane" | "table" | "image", so the stylesheet shows each
// kind's views and hides what does not apply (static/css/realdata.css).

/** The /api/options entry of `name` ("custom" included), or null. */
export function datasetInfo(state, name = state.config?.dataset) {
  return state.options?.datasets.find((d) => d.name === name) ?? null;
}

/** "plane", "table" or "image". */
export function kindOf(info) {
  if (!info || info.kind !== "real") return "plane";
  return info.image_shape ? "image" : "table";
}

export const kind = (state) => kindOf(datasetInfo(state));

/** Mark the body with the session's kind (each view calls it when the configuration changes). */
export function markKind(state) {
  const k = kind(state);
  if (document.body.dataset.kind !== k) document.body.dataset.kind = k;
  return k;
}

/** The network's inputs under `config`: one per feature, or a real set's columns (features null). */
export function inputCount(state, config = state.config) {
  return config.features ? config.features.length : datasetInfo(state, config.dataset)?.inputs ?? 0;
}

/** A real set's class name ("setosa", "7"), or "class c". */
export function className(info, c) {
  return info?.class_names?.[c] ?? `class ${c}`;
}

/** Where a row's inputs lie on a principal plane {mean, components}: u = (x − mean)·componentsᵀ. */
export function project(plane, row) {
  const { mean, components: [c1, c2] } = plane;
  let u1 = 0, u2 = 0;
  for (let j = 0; j < mean.length; j++) { const d = row[j] - mean[j]; u1 += d * c1[j]; u2 += d * c2[j]; }
  return [u1, u2];
}
