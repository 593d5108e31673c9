// Building DOM nodes: the two shapes the page's modules use. Text always goes in as text
// (textContent), never as HTML.

/** <tag class="cls">text</tag> */
export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text != null) node.textContent = text;
  return node;
}

/** <tag …attrs>children</tag>: attrs "class" and "text" set className and textContent, true is
 * a bare attribute, null or false leaves it out; null children are skipped. */
export function element(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.filter((c) => c != null));
  return node;
}
