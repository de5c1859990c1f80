/**
 * The few DOM calls the page makes, in one place. Every string from the model goes in through
 * textContent or setAttribute, never as markup: a component named `<img onerror=…>` is text.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

type Attrs = Record<string, string | number | null | undefined>;

export function html<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, text?: string): HTMLElementTagNameMap[K] {
  return withAttrs(document.createElement(tag), attrs, text);
}

export function svg(tag: string, attrs: Attrs = {}, text?: string): SVGElement {
  return withAttrs(document.createElementNS(SVG_NS, tag) as SVGElement, attrs, text);
}

function withAttrs<E extends Element>(el: E, attrs: Attrs, text?: string): E {
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

export function byId<E extends HTMLElement>(id: string): E {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as E;
}
