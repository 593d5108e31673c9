// The whole configuration lives in the URL hash (#dataset=circle&hidden_layers=4,2&seed=1...), so a
// copied link restores the same data and the same initial weights. Your own points travel in it
// too (`points=`, compressed). `?hide=a,b` in the query hides controls for classroom use. Values
// are typed by the default config from /api/options.

import { state } from "./state.js";

const LIST_FIELDS = new Set(["features", "hidden_layers", "layer_activations"]);
const DICT_FIELDS = new Set(["optimizer_params", "schedule_params"]);
const POINTS_FORMAT = "d1.";          // deflate-raw of "x,y,label;…|…" (train | test), base64url
export const MAX_LINK_CHARS = 1_800_000;  // what browsers reliably open (Chromium: 2 MB)

// ------------------------------------------------------------------ view settings
// view.<short> in the hash ↔ state.view.<key>. Each view declares the settings it keeps in the
// link (its `link`, docs/page.md "Views"), the page its own (main.js: speed, stop, level):
//   {<short>: {key, default, type: "bool" | "choice" | "count", values (choice), input (optional:
//   the element that shows it)}}
// A link's text is read as a scalar first ("null" leaves the default); a value its type refuses
// makes the link reader name the setting as dropped.
const SETTING_TYPES = {
  bool: { read: (v) => !!v, write: (v) => (v ? "1" : "0") },                  // 1/0
  choice: { read: (v, s) => s.values.find((c) => c === v || (typeof c === "number" && c === Number(v))), write: String },
  count: { read: (v) => (Number(v) > 0 ? Math.floor(v) : undefined), write: String },   // a whole number > 0, or none
};
const linkSettings = new Map();   // short → declaration, in the order declared

/** Declare view settings ({short: declaration}, from a view's `link` or the page) and set their
 * defaults in state.view. A short name or state key declared twice is a programming error. */
export function declareViewSettings(declarations) {
  for (const [short, d] of Object.entries(declarations || {})) {
    if (!SETTING_TYPES[d.type]) throw new Error(`view.${short}: unknown setting type ${d.type}`);
    if (linkSettings.has(short) || d.key in state.view) throw new Error(`view.${short} (${d.key}) is declared twice`);
    linkSettings.set(short, d);
    state.view[d.key] = d.default;
  }
}

/** Show state.view in the declared settings' inputs (a checkbox, a select, a number field). */
export function showViewSettings() {
  for (const { key, type, input } of linkSettings.values()) {
    if (!input) continue;
    const v = state.view[key];
    if (type === "bool") input.checked = !!v;
    else input.value = v == null ? "" : String(v);
  }
}

/** Config (+ view state, + encoded points) → hash string. */
export function encodeHash(config, view = {}, points = null) {
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
  for (const [short, { key, type }] of linkSettings) {
    const v = view[key];
    if (v != null) p.set(`view.${short}`, SETTING_TYPES[type].write(v));
  }
  if (points) p.set("points", points);
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

/**
 * Hash string → {config, view, points (encoded text or null), unknown: [names]}. Only fields the
 * server knows (its defaults) go into config, only declared view settings of the right type into
 * view (by state key); anything else is listed in `unknown` (a bad setting with its text).
 */
export function decodeHash(hash, defaults) {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  const config = {}, view = {}, unknown = [];
  let points = null;
  for (const [k, text] of p) {
    if (k === "points") { points = text; continue; }
    if (k.startsWith("view.")) {
      const setting = linkSettings.get(k.slice(5));
      const v = setting ? scalar(text) : undefined;
      if (v === null) continue;                                      // "null": the default
      const value = setting && SETTING_TYPES[setting.type].read(v, setting);
      if (value === undefined) unknown.push(setting ? `${k} (${text})` : k);
      else view[setting.key] = value;
      continue;
    }
    const dot = k.indexOf(".");
    if (dot > 0 && DICT_FIELDS.has(k.slice(0, dot))) {
      const top = k.slice(0, dot);
      (config[top] ||= {})[k.slice(dot + 1)] = scalar(text);
      continue;
    }
    if (!(k in defaults)) { unknown.push(k); continue; }
    if (LIST_FIELDS.has(k) || Array.isArray(defaults[k])) {
      if (text === "null") config[k] = null;
      else if (text === "") config[k] = [];
      else config[k] = text.split(",").map((t) => (k === "hidden_layers" ? scalar(t) : t));
    } else {
      config[k] = scalar(text, defaults[k]);
    }
  }
  return { config, view, points, unknown };
}

/** Control names hidden by ?hide=a,b (also accepts TF-style name_hide=true). */
export function hiddenControls(search) {
  const q = new URLSearchParams(search);
  const names = new Set();
  for (const part of (q.get("hide") || "").split(",")) if (part.trim()) names.add(part.trim());
  for (const [k, v] of q) if (k.endsWith("_hide") && v === "true") names.add(k.slice(0, -5));
  return names;
}

// ------------------------------------------------------------------ points in the link
const toB64url = (bytes) => {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};
const fromB64url = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

async function pipe(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/**
 * {train: [[x1, x2, label], ...], test: [...]} → compact link text. Numbers are written in
 * JavaScript's shortest exact form, so they come back bit for bit. Throws with a reason when the
 * browser cannot compress or the link would be too long.
 */
export async function encodePoints(rows) {
  if (typeof CompressionStream === "undefined") throw new Error("this browser cannot compress them");
  const part = (list) => list.map((r) => r.map(String).join(",")).join(";");
  const bytes = await pipe(new TextEncoder().encode(`${part(rows.train)}|${part(rows.test)}`), new CompressionStream("deflate-raw"));
  const text = POINTS_FORMAT + toB64url(bytes);
  if (text.length > MAX_LINK_CHARS) throw new Error(`they need ${Math.round(text.length / 1000)} k characters, more than a link can hold`);
  return text;
}

/** The reverse of encodePoints; throws if the text is not such a link's points. */
export async function decodePoints(text) {
  if (!text.startsWith(POINTS_FORMAT)) throw new Error("unknown format");
  if (typeof DecompressionStream === "undefined") throw new Error("this browser cannot decompress them");
  const raw = new TextDecoder().decode(await pipe(fromB64url(text.slice(POINTS_FORMAT.length)), new DecompressionStream("deflate-raw")));
  const [train, test = ""] = raw.split("|");
  const rows = (s) => (s ? s.split(";").map((r) => r.split(",").map(Number)) : []);
  const out = { train: rows(train), test: rows(test) };
  if ([...out.train, ...out.test].some((r) => r.length !== 3 || r.some((v) => !Number.isFinite(v)))) throw new Error("damaged");
  return out;
}

// ------------------------------------------------------------------ the address bar
// Parts of the page that keep keys of their own in the hash (views/compare.js: compare=…,
// compare.values=…; views/lessons.js: lesson=…&step=…): each owns a key (or several) and their
// "key." sub-keys, and a function returning its [key, text] pairs, written after the
// configuration. They read their keys themselves, so a link's unknown keys are only those no part
// owns (ownedByPart).
const hashParts = [];
const hashPartKeys = new Set();
export function addHashPart(keys, fn) { hashParts.push(fn); for (const key of [keys].flat()) hashPartKeys.add(key); }
export const ownedByPart = (k) => hashPartKeys.has(k.split(".")[0]);

// Your points' link text, encoded once per data (async): {rows, text, error, done: Promise}.
let linkPoints = { rows: null, text: null, error: null, done: Promise.resolve() };

/** Keep the address bar's hash equal to the session's configuration, the view settings and —
 * for your own points — the points. */
export function writeUrl() {
  if (!state.config) return;
  const custom = state.config.dataset === "custom" && state.data;
  if (custom && linkPoints.rows !== state.data.rows) {
    const entry = { rows: state.data.rows, text: null, error: null };
    entry.done = encodePoints(entry.rows).then((text) => { entry.text = text; }, (err) => { entry.error = err.message; })
      .then(() => { if (linkPoints === entry) { writeUrl(); markLinkButton(); } });
    linkPoints = entry;
  }
  const points = custom && linkPoints.rows === state.data.rows ? linkPoints.text : null;
  if (!custom) markLinkButton();
  const extra = new URLSearchParams(hashParts.flatMap((fn) => fn())).toString().replace(/%2C/g, ",");
  history.replaceState(null, "", `${location.pathname}${location.search}#${encodeHash(state.config, state.view, points)}${extra ? `&${extra}` : ""}`);
}

/** Say on the Copy-link button, before it is used, when the link cannot carry your points. */
function markLinkButton() {
  const btn = document.getElementById("btn-link");
  const why = state.config?.dataset === "custom" ? linkPoints.error : null;
  btn.classList.toggle("warn", !!why);
  btn.title = why ? `This link cannot carry your points (${why}): it would open with other data. Export CSV to share them.` : "Copy a link that restores this exact setup";
}

/** Whether the link carries everything: {ok: true} or {ok: false, reason}. Waits for the encoding. */
export async function linkStatus() {
  if (state.config?.dataset !== "custom" || !state.data) return { ok: true };
  writeUrl();
  await linkPoints.done;
  return linkPoints.error ? { ok: false, reason: linkPoints.error } : { ok: true };
}
