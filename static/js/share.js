// The whole configuration lives in the URL hash (#dataset=circle&hidden_layers=4,2&seed=1...), so a
// copied link restores the same data and the same initial weights. `?hide=a,b` in the query hides
// controls for classroom use. Values are typed by the default config from /api/options.

import { state } from "./state.js";

const LIST_FIELDS = new Set(["features", "hidden_layers", "layer_activations"]);
const DICT_FIELDS = new Set(["optimizer_params", "schedule_params"]);
// view.<short> in the hash → state.view.<key> (booleans as 1/0).
export const VIEW_FIELDS = { test: "showTest", disc: "discretize", speed: "speed", log: "logLoss", stop: "stopAt" };

/** Config (+ view state) → hash string. */
export function encodeHash(config, view = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(config)) {
    if (DICT_FIELDS.has(k)) {
      for (const [sk, sv] of Object.entries(v || {})) p.set(`${k}.${sk}`, String(sv));
    } else if (Array.isArray(v)) {
      p.set(k, v.join(","));
    } else {
      p.set(k, v === null ? "null" : String(v));
    }
  }
  for (const [short, key] of Object.entries(VIEW_FIELDS)) {
    const v = view[key];
    if (v != null) p.set(`view.${short}`, typeof v === "boolean" ? (v ? "1" : "0") : String(v));
  }
  return p.toString().replace(/%2C/g, ",");
}

function scalar(text, like) {
  if (text === "null") return null;
  if (text === "true") return true;
  if (text === "false") return false;
  if (typeof like === "string") return text;
  const n = Number(text);
  return text !== "" && Number.isFinite(n) ? n : text;
}

/** Hash string → {config, view}. Only fields the server knows (defaults) are taken; unknown ones are ignored. */
export function decodeHash(hash, defaults) {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  const config = {};
  const view = {};
  for (const [k, text] of p) {
    if (k.startsWith("view.")) {
      const key = VIEW_FIELDS[k.slice(5)];
      if (key) view[key] = scalar(text);
      continue;
    }
    const dot = k.indexOf(".");
    if (dot > 0 && DICT_FIELDS.has(k.slice(0, dot))) {
      const top = k.slice(0, dot);
      (config[top] ||= {})[k.slice(dot + 1)] = scalar(text);
      continue;
    }
    if (!(k in defaults)) continue;
    if (LIST_FIELDS.has(k) || Array.isArray(defaults[k])) {
      if (text === "null") config[k] = null;
      else if (text === "") config[k] = [];
      else config[k] = text.split(",").map((t) => (k === "hidden_layers" ? Number(t) : t));
    } else {
      config[k] = scalar(text, defaults[k]);
    }
  }
  return { config, view };
}

/** Control names hidden by ?hide=a,b (also accepts TF-style name_hide=true). */
export function hiddenControls(search) {
  const q = new URLSearchParams(search);
  const names = new Set();
  for (const part of (q.get("hide") || "").split(",")) if (part.trim()) names.add(part.trim());
  for (const [k, v] of q) if (k.endsWith("_hide") && v === "true") names.add(k.slice(0, -5));
  return names;
}

// Parts of the page that keep keys of their own in the hash (views/compare.js: compare=…): each
// is a function returning [key, text] pairs, written after the configuration.
const hashParts = [];
export const addHashPart = (fn) => hashParts.push(fn);

/** Keep the address bar's hash equal to the session's configuration and the view settings. */
export function writeUrl() {
  if (!state.config) return;
  const extra = new URLSearchParams(hashParts.flatMap((fn) => fn())).toString().replace(/%2C/g, ",");
  history.replaceState(null, "", `${location.pathname}${location.search}#${encodeHash(state.config, state.view)}${extra ? `&${extra}` : ""}`);
}
