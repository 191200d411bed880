// Forms over the API: values in and out, field errors beside their fields, the stale-edit
// (412) and duplicate (409) flows, and a lost connection or 5xx that keeps what was typed.
import { h, field, replace, clear, toLocalInput, fromLocalInput, add, uid, debounce } from './dom.js';
import { request, get, ApiError, query, scoped } from './api.js';

let flashed = null;
/** A message for the page about to be shown (after a save that reloads it), said and shown there. */
export function flash(message) { flashed = message; }
export function takeFlash() { const message = flashed; flashed = null; return message; }

export function announce(message) {
  const region = document.getElementById('status');
  if (!region) return;
  region.textContent = '';
  setTimeout(() => { region.textContent = message; }, 30);
}

/** A problem shown where a person reads it; field errors go beside their fields. */
export function showProblem(form, error, summary) {
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  let first = null;
  const unplaced = [];
  for (const e of (error.errors || [])) {
    const name = String(e.field || '').split(/[.[]/)[0];
    const wrap = form.querySelector(`[data-field="${CSS.escape(e.field)}"]`) || form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (wrap) {
      const slot = wrap.querySelector('.field-error');
      slot.textContent = (slot.textContent ? slot.textContent + ' ' : '') + e.message;
      const input = wrap.querySelector('input, textarea, select');
      if (input) { input.setAttribute('aria-invalid', 'true'); first = first || input; }
    } else unplaced.push(`${e.field}: ${e.message}`);
  }
  const text = error.status === 0 ? error.message
    : error.status >= 500 ? `The server failed (${error.status}); what you typed is still here. Try again.`
    : error.message;
  replace(summary, h('p', null, text), unplaced.length ? h('ul', null, unplaced.map((u) => h('li', null, u))) : null);
  summary.hidden = false;
  (first || summary).focus();
}

/**
 * Chooses one contact or organization by name without loading every one: an input whose
 * suggestions (a datalist) come from the list's `q` search as one types. A name typed in full
 * is found on submit even if no suggestion was picked. {wrap, input, resolve(), value}
 */
export function picker({ name, label, path, initial, hint, noun = 'one', required = false }) {
  const id = uid(name);
  const listID = `${id}-list`;
  const datalist = h('datalist', { id: listID });
  const input = h('input', { id, name, list: listID, autocomplete: 'off', value: initial ? initial.name : '', 'aria-describedby': `${id}-err`, placeholder: 'Type a name' });
  const error = h('p', { id: `${id}-err`, class: 'field-error' });
  const wrap = h('div', { class: 'field', dataset: { field: name } }, h('label', { for: id }, label), input, datalist, hint ? h('p', { class: 'hint' }, hint) : null, error);
  let chosen = initial ? { id: initial.id, name: initial.name } : null;
  let known = new Map(initial ? [[initial.name, initial.id]] : []);
  let asked = 0;
  async function suggest(text) {
    const mine = ++asked;
    const { data } = await get(scoped(path) + query({ q: text, sort: 'name', limit: 20 }));
    if (mine !== asked) return data.items;
    known = new Map();
    const counts = new Map();
    for (const item of data.items) counts.set(item.name, (counts.get(item.name) || 0) + 1);
    replace(datalist, data.items.map((item) => {
      const shown = counts.get(item.name) > 1 ? `${item.name} (#${item.id})` : item.name;
      known.set(shown, item.id);
      return h('option', { value: shown });
    }));
    return data.items;
  }
  const typed = debounce(() => { if (input.value.trim()) suggest(input.value.trim()).catch(() => {}); }, 200);
  input.addEventListener('input', () => {
    error.textContent = '';
    const hit = known.get(input.value);
    chosen = hit ? { id: hit, name: input.value } : null;
    if (!hit) typed();
  });
  async function resolve() {
    const text = input.value.trim();
    if (!text) { chosen = null; return true; }
    if (chosen && chosen.name === input.value) return true;
    if (known.has(input.value)) { chosen = { id: known.get(input.value), name: input.value }; return true; }
    const items = await suggest(text);
    const exact = items.filter((item) => item.name.toLowerCase() === text.toLowerCase());
    if (exact.length === 1) { chosen = { id: exact[0].id, name: exact[0].name }; return true; }
    error.textContent = exact.length > 1 ? `Several are named ${text}: choose one from the suggestions.` : `No ${noun} is named ${text}: choose one from the suggestions.`;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return false;
  }
  return { wrap, input, resolve, get value() { return chosen ? chosen.id : null; }, set(item) { chosen = item ? { id: item.id, name: item.name } : null; input.value = item ? item.name : ''; } };
}

const converters = {
  text: (v) => (v.trim() === '' ? null : v),
  textarea: (v) => (v.trim() === '' ? null : v.replace(/\r\n/g, '\n')),
  number: (v) => (v.trim() === '' ? null : Number(v)),
  tags: (v) => v.split(',').map((t) => t.trim()).filter(Boolean),
  datetime: (v) => fromLocalInput(v),
  date: (v) => (v === '' ? null : v),
  select: (v) => (v === '' ? null : v),
  idselect: (v) => (v === '' ? null : Number(v)),
};

function inputValue(spec, input) {
  if (spec.type === 'checkbox') return input.checked;
  if (spec.type === 'multi') return [...input.selectedOptions].map((o) => Number(o.value));
  const convert = converters[spec.kind || spec.type || 'text'] || converters.text;
  let value = convert(input.value);
  if (value === null && spec.required && (spec.kind || spec.type || 'text') === 'text') value = '';
  return value;
}

function displayValue(spec, value) {
  if (spec.type === 'datetime' || spec.kind === 'datetime') return toLocalInput(value);
  if (spec.kind === 'tags') return (value || []).join(', ');
  return value ?? spec.default ?? '';
}

function same(a, b) { return JSON.stringify(a ?? null) === JSON.stringify(b ?? null); }

/**
 * A form for one resource. spec: {fields: [{name, label, type, kind, options, required, hint}],
 * object (edit) or null (create), etag, path (the object's URL), createPath, submitLabel,
 * onSaved(object, etag), readOnly}
 */
export function resourceForm(spec) {
  let object = spec.object || null;
  let etag = spec.etag || null;
  const summary = h('div', { class: 'problem', role: 'alert', tabindex: '-1', hidden: true });
  const extra = h('div', { class: 'form-extra' });
  const inputs = new Map();
  const form = h('form', { class: 'resource-form', novalidate: true, 'aria-label': spec.label || null });
  add(form, summary);
  for (const f of spec.fields) {
    const type = f.type === 'datetime' ? 'datetime-local' : (f.type === 'tags' ? 'text' : f.type);
    const kind = f.kind || (f.type === 'datetime' ? 'datetime' : f.type === 'tags' ? 'tags' : f.type);
    const fspec = { ...f, kind };
    let made;
    if (f.type === 'picker') {
      const p = picker({ name: f.name, label: f.label, path: f.path, noun: f.noun, hint: f.hint, initial: object ? object[f.objectKey] : f.default });
      made = { wrap: p.wrap, input: p.input, picker: p };
    } else if (f.type === 'multi') {
      const id = `m-${f.name}-${Math.random().toString(36).slice(2, 7)}`;
      const select = h('select', { id, name: f.name, multiple: true, size: Math.min(5, Math.max(2, (f.options || []).length)), 'aria-describedby': `${id}-err` },
        (f.options || []).map(([v, t]) => h('option', { value: v, selected: (object ? object[f.name] || [] : f.default || []).includes(Number(v)) }, t)));
      made = { wrap: h('div', { class: 'field', dataset: { field: f.name } }, h('label', { for: id }, f.label), select, f.hint ? h('p', { class: 'hint' }, f.hint) : null, h('p', { id: `${id}-err`, class: 'field-error' })), input: select };
    } else {
      made = field(f.label, f.name, { ...f, type, value: object ? displayValue(fspec, object[f.name]) : displayValue(fspec, f.default), required: f.required });
    }
    if (spec.readOnly) made.input.disabled = true;
    inputs.set(f.name, { spec: fspec, input: made.input, picker: made.picker });
    add(form, made.wrap);
  }
  const saveButton = h('button', { type: 'submit', class: 'primary' }, spec.submitLabel || (object ? 'Save' : 'Create'));
  if (!spec.readOnly) add(form, h('div', { class: 'actions' }, saveButton, spec.actions || null));
  add(form, extra);

  function values() {
    const out = {};
    for (const [name, { spec: f, input, picker: p }] of inputs) out[name] = p ? p.value : inputValue(f, input);
    return out;
  }

  function changes(current, baseline) {
    const out = {};
    for (const [name, value] of Object.entries(current)) if (!same(value, baseline ? baseline[name] : undefined)) out[name] = value;
    return out;
  }

  function fill(obj) {
    for (const [name, { spec: f, input, picker: p }] of inputs) {
      if (p) p.set(obj[f.objectKey]);
      else if (f.type === 'checkbox') input.checked = !!obj[name];
      else if (f.type === 'multi') for (const o of input.options) o.selected = (obj[name] || []).includes(Number(o.value));
      else input.value = displayValue(f, obj[name]);
    }
  }

  async function save(body, opts = {}) {
    clear(extra);
    summary.hidden = true;
    saveButton.disabled = true;
    try {
      let result;
      if (object) {
        result = await request('PATCH', spec.path, { body, etag: opts.etag || etag });
      } else {
        result = await request('POST', spec.createPath + (opts.query || ''), { body });
      }
      object = result.data;
      etag = result.etag;
      for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
      for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
      announce(spec.savedMessage || 'Saved.');
      if (spec.onSaved) await spec.onSaved(object, etag);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 412 && object) return stale(body);
      if (error.status === 409 && error.problem.existing_id && spec.duplicate) return duplicate(error, body);
      showProblem(form, error, summary);
    } finally {
      saveButton.disabled = false;
    }
  }

  // Someone saved this object since it was opened: show what is stored, and let the person
  // choose between it and their own edit applied again on top of it.
  async function stale(body) {
    let stored;
    try { stored = await get(spec.path); } catch (e) { return showProblem(form, e, summary); }
    const differs = Object.keys(body).filter((k) => !same(stored.data[k], object[k]));
    // A picked contact or organization is shown by its name, not its id.
    const shown = (k, data, mine) => {
      const f = spec.fields.find((x) => x.name === k);
      if (!f || f.type !== 'picker') return formatValue(mine ? body[k] : data[k]);
      if (mine) return formatValue(inputs.get(k).input.value);
      return formatValue(data[f.objectKey] ? data[f.objectKey].name : null);
    };
    const panel = h('div', { class: 'stale', role: 'alert', tabindex: '-1' },
      h('h3', null, 'Changed elsewhere'),
      h('p', null, `Someone saved this ${spec.noun || 'record'} after you opened it (now version ${stored.data.version}). Your edit was not saved.`),
      differs.length ? h('dl', null, differs.flatMap((k) => [h('dt', null, labelOf(k)), h('dd', null, 'Stored: ', shown(k, stored.data, false), h('br'), 'Yours: ', shown(k, null, true))])) : null,
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => { object = stored.data; etag = stored.etag; fill(object); clear(extra); announce('Loaded the stored version.'); } }, 'Load the stored version'),
        h('button', { type: 'button', class: 'primary', onclick: () => { object = stored.data; etag = stored.etag; save(body, { etag: stored.etag }); } }, 'Apply my edit on top')));
    replace(extra, panel);
    panel.focus();
  }

  function duplicate(error, body) {
    const id = error.problem.existing_id;
    const panel = h('div', { class: 'stale', role: 'alert', tabindex: '-1' },
      h('p', null, error.message),
      h('div', { class: 'actions' },
        h('a', { href: spec.duplicate.href(id), class: 'button' }, spec.duplicate.open || 'Open the existing one'),
        spec.duplicate.allowQuery ? h('button', { type: 'button', onclick: () => save(body, { query: spec.duplicate.allowQuery }) }, 'Create anyway') : null));
    replace(extra, panel);
    panel.focus();
  }

  function labelOf(name) { return (spec.fields.find((f) => f.name === name) || {}).label || name; }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (spec.readOnly) return;
    for (const { picker: p } of inputs.values()) if (p && !(await p.resolve())) return;
    const current = values();
    const body = object ? changes(current, spec.baseline ? spec.baseline(object) : object) : stripEmpty(current);
    if (object && Object.keys(body).length === 0) { announce('Nothing changed.'); return; }
    save(spec.transform ? spec.transform(body) : body);
  });

  return { form, values, fill, get object() { return object; }, get etag() { return etag; }, set(obj, tag) { object = obj; etag = tag; fill(obj); } };
}

function stripEmpty(values) {
  const out = {};
  for (const [k, v] of Object.entries(values)) if (v !== null && !(Array.isArray(v) && v.length === 0)) out[k] = v;
  return out;
}

export function formatValue(v) {
  if (v == null || v === '') return '(empty)';
  if (Array.isArray(v)) return v.join(', ') || '(empty)';
  return String(v);
}

/** A small form whose submit runs `action(values)`; problems shown inline. */
export function actionForm(label, fields, submitLabel, action, opts = {}) {
  const summary = h('div', { class: 'problem', role: 'alert', tabindex: '-1', hidden: true });
  const made = fields.map((f) => {
    if (f.type === 'picker') {
      const p = picker({ name: f.name, label: f.label, path: f.path, noun: f.noun, hint: f.hint, initial: f.value });
      return { f, wrap: p.wrap, input: p.input, picker: p };
    }
    return { f, ...field(f.label, f.name, { ...f, type: f.type === 'datetime' ? 'datetime-local' : f.type, value: f.value }) };
  });
  const button = h('button', { type: 'submit', class: opts.danger ? 'danger' : 'primary' }, submitLabel);
  const form = h('form', { class: `action-form ${opts.inline ? 'inline' : ''}`, 'aria-label': label, novalidate: true }, summary, made.map((m) => m.wrap), h('div', { class: 'actions' }, button));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const { picker: p } of made) if (p && !(await p.resolve())) return;
    const values = {};
    for (const { f, input, picker: p } of made) values[f.name] = p ? p.value : f.type === 'checkbox' ? input.checked : f.type === 'datetime' ? fromLocalInput(input.value) : input.value;
    button.disabled = true;
    summary.hidden = true;
    try {
      await action(values, form);
      if (opts.reset !== false) for (const { f, input, picker: p } of made) if (p) p.set(f.value); else if (f.type !== 'select' && f.type !== 'checkbox') input.value = f.value ?? '';
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showProblem(form, error, summary);
    } finally { button.disabled = false; }
  });
  return form;
}

/** Runs an API call from a button, saying what went wrong next to it. */
export async function guarded(where, fn) {
  try { return await fn(); } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const note = h('p', { class: 'problem', role: 'alert' }, error.message);
    where.after(note);
    setTimeout(() => note.remove(), 8000);
    return undefined;
  }
}

/** A list with a "More" button that fetches the next cursor page. */
export function pagedList(first, renderItem, opts = {}) {
  const list = h(opts.tag || 'ul', { class: opts.class || 'list' });
  const more = h('button', { type: 'button', class: 'more' }, 'More');
  const wrap = h('div', null, list, more);
  let current = first;
  function show(p) {
    for (const item of p.items) add(list, renderItem(item));
    more.hidden = !p.next;
    if (!p.items.length && !list.children.length) add(list, h('li', { class: 'empty' }, opts.empty || 'Nothing yet.'));
  }
  more.addEventListener('click', async () => {
    if (!current.next) return;
    more.disabled = true;
    try {
      const count = list.children.length;
      current = await current.next();
      show(current);
      const firstNew = list.children[count];
      const target = firstNew && firstNew.querySelector('a, button');
      if (target) target.focus();
    } catch (e) { if (e instanceof ApiError) guarded(more, () => { throw e; }); } finally { more.disabled = false; }
  });
  show(first);
  return wrap;
}

/** A wide table or drawing that scrolls sideways on a phone: focusable, so a keyboard can scroll it. */
export function scroller(label, ...children) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': label }, ...children);
}

export function badge(text, kind) { return h('span', { class: `badge ${kind || ''}` }, text); }

export function section(title, ...children) {
  return h('section', { class: 'card', 'aria-label': title }, h('h2', null, title), ...children);
}

export function loadingError(root, error) {
  const text = error instanceof ApiError
    ? (error.status === 404 ? 'There is nothing here: it was deleted, or it is not yours.' : error.message)
    : `The page failed to load: ${error && error.message ? error.message : error}`;
  replace(root, h('h1', null, error instanceof ApiError && error.status === 404 ? 'Not found' : 'Something went wrong'),
    h('div', { class: 'problem', role: 'alert' }, h('p', null, text)),
    h('p', null, h('a', { href: '#/today' }, 'Go to Today'), ' · ', h('button', { type: 'button', class: 'link', onclick: () => location.reload() }, 'Reload')));
}

export const STAGES = [['identified', 'Identified'], ['contacted', 'Contacted'], ['scheduled', 'Scheduled'], ['met', 'Met'], ['dormant', 'Dormant'], ['do_not_contact', 'Do not contact']];
