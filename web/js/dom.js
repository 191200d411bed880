// Builds elements from text nodes only: user data is never parsed as HTML, so a name
// like <img onerror=…> shows as the characters it is.

/** h('a', {href: '#/x', class: 'b', onclick: fn}, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  if (attrs) for (const [k, v] of Object.entries(attrs)) if (v != null && v !== false) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'value') el.value = value;
    else if (key === 'checked' || key === 'selected' || key === 'disabled' || key === 'hidden' || key === 'required') el[key] = !!value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

/** Appends children as h() does: strings as text, null and false left out (Node.append would write "null"). */
export function add(el, ...children) {
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

/** FTS5 snippets mark hits with <b>…</b>; those become <mark>, everything else stays text. */
export function marked(snippet) {
  const out = [];
  const parts = String(snippet).split(/(<b>|<\/b>)/);
  let on = false;
  for (const part of parts) {
    if (part === '<b>') on = true;
    else if (part === '</b>') on = false;
    else if (part) out.push(on ? h('mark', null, part) : part);
  }
  return out;
}

/**
 * A link to an address from user data, opened apart from the app; only http and https become
 * links (a `javascript:` address stored by another client would otherwise run when clicked).
 */
export function outLink(url, text) {
  return /^https?:\/\//i.test(String(url || '')) ? h('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, text) : (text === 'link' ? String(url || '') : text);
}

let ids = 0;
export function uid(prefix = 'f') { ids += 1; return `${prefix}${ids}`; }

/** A labelled field with a slot for its error: {wrap, input, error}. */
export function field(label, name, opts = {}) {
  const id = uid(name);
  const errorId = `${id}-err`;
  let input;
  const common = { id, name, 'aria-describedby': errorId, required: opts.required, autocomplete: opts.autocomplete || 'off' };
  if (opts.type === 'textarea') {
    input = h('textarea', { ...common, rows: opts.rows || 4, maxlength: opts.maxlength }, opts.value ?? '');
  } else if (opts.type === 'select') {
    input = h('select', common, (opts.options || []).map(([v, t]) => h('option', { value: v, selected: String(v) === String(opts.value ?? '') }, t)));
  } else if (opts.type === 'checkbox') {
    input = h('input', { ...common, type: 'checkbox', checked: !!opts.value });
  } else {
    input = h('input', { ...common, type: opts.type || 'text', value: opts.value ?? '', min: opts.min, max: opts.max, step: opts.step, placeholder: opts.placeholder, inputmode: opts.inputmode });
  }
  const error = h('p', { id: errorId, class: 'field-error', 'aria-live': 'polite' });
  const hint = opts.hint ? h('p', { class: 'hint' }, opts.hint) : null;
  const wrap = opts.type === 'checkbox'
    ? h('div', { class: 'field check', dataset: { field: name } }, input, h('label', { for: id }, label), hint, error)
    : h('div', { class: 'field', dataset: { field: name } }, h('label', { for: id }, label), input, hint, error);
  return { wrap, input, error };
}

export function fmtDate(iso, opts) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, opts || { dateStyle: 'medium', timeStyle: 'short' });
}

export function fmtDay(iso) {
  return fmtDate(iso, { dateStyle: 'medium' });
}

/** datetime-local value ↔ RFC 3339 */
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
export function fromLocalInput(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => { clearTimeout(timer); timer = setTimeout(() => { timer = null; fn(...args); }, ms); };
  wrapped.flush = (...args) => { if (timer) { clearTimeout(timer); timer = null; fn(...args); } };
  return wrapped;
}
