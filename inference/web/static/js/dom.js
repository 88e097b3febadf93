// Tiny DOM helpers: build elements without innerHTML, so server text can never inject markup.

/**
 * el('p', {class: 'hint', id: 'x', dataset: {testid: 'y'}, style: {width: '5%'}}, 'text', child) → HTMLElement.
 * Attributes set to null/undefined/false are skipped; `true` sets an empty attribute.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'dataset') Object.assign(node.dataset, value);
    // Set through the CSSOM, which a strict Content-Security-Policy (no 'unsafe-inline') allows.
    else if (name === 'style') Object.assign(node.style, value);
    else if (value === true) node.setAttribute(name, '');
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** document.getElementById that fails loudly when the page and the script disagree. */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`page element #${id} is missing`);
  return node;
}

/** Sets an element's text only when it changed (keeps screen readers and layout calm). */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
