// A small, safe Markdown for lesson text: paragraphs (a blank line between), **bold**, *italic*,
// `code`, lists ("- item" or "1. item", one item a line) and $…$ math, shown as text with a few
// TeX words turned into symbols (\alpha → α, \partial → ∂, x^2 → x², w_{ij} → wᵢⱼ as a
// subscript, \frac{a}{b} → a/b, \hat{y} → ŷ, - → −). Everything becomes DOM nodes built with
// textContent: a lesson's text is never parsed as HTML, so it cannot inject markup or script.
// A literal dollar sign is written \$.

import { el } from "../dom.js";

const SYMBOLS = {
  alpha: "α", beta: "β", gamma: "γ", delta: "δ", Delta: "Δ", epsilon: "ε", eta: "η", theta: "θ",
  lambda: "λ", mu: "μ", rho: "ρ", sigma: "σ", Sigma: "Σ", tau: "τ", phi: "φ", omega: "ω",
  partial: "∂", nabla: "∇", cdot: "·", times: "×", odot: "⊙", pm: "±", le: "≤", leq: "≤",
  ge: "≥", geq: "≥", ne: "≠", neq: "≠", approx: "≈", to: "→", rightarrow: "→", leftarrow: "←",
  gets: "←", infty: "∞", sum: "Σ", prod: "Π", in: "∈", ldots: "…", dots: "…", top: "ᵀ",
  sqrt: "√", max: "max", min: "min", ln: "ln", log: "log", exp: "exp", tanh: "tanh",
  sin: "sin", cos: "cos", ",": " ", ";": " ", " ": " ", "{": "{", "}": "}", "\\": "\\",
};

/** Lesson text → a DocumentFragment of paragraphs and lists. */
export function renderMarkdown(text) {
  const out = document.createDocumentFragment();
  for (const block of String(text).replace(/\r\n?/g, "\n").split(/\n[ \t]*\n/)) {
    let list = null, item = null, para = null;
    for (const line of block.split("\n")) {
      if (!line.trim()) continue;
      const bullet = /^\s*[-*]\s+/.exec(line), numbered = /^\s*\d+[.)]\s+/.exec(line);
      const marker = bullet || numbered;
      if (marker) {
        const tag = bullet ? "ul" : "ol";
        if (!list || list.tagName.toLowerCase() !== tag) { list = el(tag); out.append(list); }
        item = el("li");
        list.append(item);
        inline(line.slice(marker[0].length), item);
        para = null;
      } else if (item) {
        item.append(" ");
        inline(line.trim(), item);
      } else {
        if (!para) { para = el("p"); out.append(para); } else para.append(" ");
        inline(line.trim(), para);
      }
    }
  }
  return out;
}

/** Inline spans of `text` appended to `parent`: code, math, bold, italic, plain text. */
function inline(text, parent) {
  let plain = "";
  const flush = () => { if (plain) { parent.append(plain); plain = ""; } };
  const closing = (mark, from) => text.indexOf(mark, from);
  for (let i = 0; i < text.length;) {
    if (text.startsWith("\\$", i)) { plain += "$"; i += 2; continue; }
    const c = text[i];
    if (c === "`") {
      const j = closing("`", i + 1);
      if (j > i) { flush(); const code = el("code"); code.textContent = text.slice(i + 1, j); parent.append(code); i = j + 1; continue; }
    }
    if (c === "$") {
      const j = closingDollar(text, i + 1);
      if (j > i + 1) { flush(); parent.append(math(text.slice(i + 1, j))); i = j + 1; continue; }
    }
    if (text.startsWith("**", i)) {
      const j = closing("**", i + 2);
      if (j > i + 2) { flush(); const b = el("strong"); inline(text.slice(i + 2, j), b); parent.append(b); i = j + 2; continue; }
    }
    if (c === "*" && text[i + 1] && text[i + 1] !== " " && text[i + 1] !== "*") {
      const j = closing("*", i + 1);
      if (j > i + 1 && text[j - 1] !== " ") { flush(); const em = el("em"); inline(text.slice(i + 1, j), em); parent.append(em); i = j + 1; continue; }
    }
    plain += c;
    i++;
  }
  flush();
}

function closingDollar(text, from) {
  for (let j = from; j < text.length; j++) {
    if (text[j] === "\\") { j++; continue; }
    if (text[j] === "$") return j;
  }
  return -1;
}

/** $…$ → <span class="math"> with sub- and superscripts as <sub>/<sup>. */
function math(source) {
  const span = el("span", "math");
  mathInto(source, span);
  return span;
}

function mathInto(src, parent) {
  let i = 0, plain = "";
  const flush = () => { if (plain) { parent.append(plain); plain = ""; } };
  // The next argument: a {group}, a \command, or one character.
  const argument = () => {
    while (src[i] === " ") i++;
    if (src[i] === "{") {
      let depth = 1, j = i + 1;
      for (; j < src.length && depth; j++) {
        if (src[j] === "\\") { j++; continue; }
        if (src[j] === "{") depth++; else if (src[j] === "}") depth--;
      }
      const inner = src.slice(i + 1, depth ? j : j - 1);
      i = j;
      return inner;
    }
    const command = /^\\([A-Za-z]+|.)/.exec(src.slice(i));
    if (command) { i += command[0].length; return command[0]; }
    const ch = src[i] ?? "";
    i += ch ? 1 : 0;
    return ch;
  };
  const simple = (s) => /^[\p{L}\p{N}.]*$/u.test(s);
  while (i < src.length) {
    const c = src[i];
    if (c === "^" || c === "_") {
      i++;
      flush();
      const node = el(c === "^" ? "sup" : "sub");
      mathInto(argument(), node);
      parent.append(node);
      continue;
    }
    if (c === "{" || c === "}") { i++; continue; }
    if (c === "\\") {
      const m = /^\\([A-Za-z]+|.)/.exec(src.slice(i));
      i += m[0].length;
      const name = m[1];
      if (name === "frac") {
        const top = argument(), bottom = argument();
        flush();
        const wrap = (part) => (simple(part) ? part : `(${part})`);
        mathInto(wrap(top), parent);
        parent.append("/");
        mathInto(wrap(bottom), parent);
        continue;
      }
      if (name === "hat" || name === "bar" || name === "tilde" || name === "vec") {
        const mark = { hat: "\u0302", bar: "\u0304", tilde: "\u0303", vec: "\u20d7" }[name];
        flush();
        mathInto(argument(), parent);
        parent.append(mark);
        continue;
      }
      if (name === "text" || name === "mathrm" || name === "operatorname") { plain += argument(); continue; }
      plain += SYMBOLS[name] ?? name;
      continue;
    }
    plain += c === "-" ? "−" : c;   // a minus sign, not a hyphen
    i++;
  }
  flush();
}
