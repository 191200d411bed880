import { h, add } from '../dom.js';
import { page, all, get, scoped } from '../api.js';
import { resourceForm, pagedList, badge, picker, STAGES } from '../ui.js';
import { go } from '../router.js';

export function contactFields(interests, defaults = {}) {
  return [
    { name: 'name', label: 'Name', required: true, autocomplete: 'off' },
    { name: 'title', label: 'Title' },
    { name: 'organization_id', label: 'Organization', type: 'picker', path: '/organizations', objectKey: 'organization', noun: 'organization', default: defaults.organization },
    { name: 'email', label: 'Email', type: 'email', kind: 'text' },
    { name: 'phone', label: 'Phone', type: 'tel', kind: 'text' },
    { name: 'linkedin_url', label: 'LinkedIn URL', type: 'url', kind: 'text' },
    { name: 'location', label: 'Location' },
    { name: 'source', label: 'How you found them' },
    { name: 'hook', label: 'Hook: what you have in common, said first', type: 'textarea', rows: 2 },
    { name: 'tags', label: 'Tags (comma-separated)', type: 'tags' },
    { name: 'interest_ids', label: 'Areas', type: 'multi', options: interests.map((i) => [i.id, i.name]), default: defaults.interest_ids },
    { name: 'stage', label: 'Stage', type: 'select', options: STAGES, default: 'identified' },
    { name: 'keep_in_touch_days', label: 'Keep in touch every (days)', type: 'number', kind: 'number', min: 1 },
    { name: 'notes', label: 'Notes', type: 'textarea' },
  ];
}

export async function render(root, ctx) {
  const q = ctx.query;
  const filters = { stage: q.get('stage'), organization_id: q.get('organization_id'), interest_id: q.get('interest_id'), tag: q.get('tag'), q: q.get('q'), sort: q.get('sort') || 'name', limit: 50 };
  const [first, org, interests] = await Promise.all([page(scoped('/contacts'), filters),
    filters.organization_id ? get(scoped(`/organizations/${Number(filters.organization_id)}`)).then((r) => r.data).catch(() => null) : null,
    all(scoped('/interests'), { sort: 'name' })]);
  add(root, h('h1', null, 'Contacts'));
  if (!ctx.readOnly) {
    const create = resourceForm({
      fields: contactFields(interests, { organization: org, interest_ids: q.get('interest_id') ? [Number(q.get('interest_id'))] : [] }),
      createPath: '/contacts', label: 'New contact', onSaved: (c) => go(`/contacts/${c.id}`),
      duplicate: { href: (id) => `#/contacts/${id}`, open: 'Open the existing contact', allowQuery: '?allow_duplicate=true' },
    });
    add(root, h('details', { class: 'card', open: q.get('new') ? true : null }, h('summary', null, 'New contact'), create.form));
  }
  const orgFilter = picker({ name: 'organization', label: 'Organization', path: '/organizations', noun: 'organization', initial: org });
  const filterForm = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter contacts', onsubmit: async (e) => {
    e.preventDefault();
    if (!(await orgFilter.resolve())) return;
    const data = new FormData(e.target);
    const params = new URLSearchParams();
    for (const [k, v] of data) if (v && k !== 'organization') params.set(k, v);
    if (orgFilter.value) params.set('organization_id', orgFilter.value);
    go(`/contacts?${params}`);
  } },
  h('div', { class: 'field' }, h('label', { for: 'cf-q' }, 'Name, email or title'), h('input', { id: 'cf-q', name: 'q', type: 'search', value: filters.q || '' })),
  h('div', { class: 'field' }, h('label', { for: 'cf-stage' }, 'Stage'), h('select', { id: 'cf-stage', name: 'stage' }, h('option', { value: '' }, 'Any'), STAGES.map(([v, t]) => h('option', { value: v, selected: v === filters.stage }, t)))),
  orgFilter.wrap,
  h('div', { class: 'field' }, h('label', { for: 'cf-area' }, 'Area'), h('select', { id: 'cf-area', name: 'interest_id' }, h('option', { value: '' }, 'Any'), interests.map((i) => h('option', { value: i.id, selected: String(i.id) === filters.interest_id }, i.name)))),
  h('div', { class: 'field' }, h('label', { for: 'cf-tag' }, 'Tag'), h('input', { id: 'cf-tag', name: 'tag', value: filters.tag || '' })),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Filter'), h('a', { href: '#/contacts', class: 'button' }, 'Clear')));
  add(root, filterForm,
    pagedList(first, (c) => h('li', null, h('a', { href: `#/contacts/${c.id}` }, c.name),
      c.title ? ` — ${c.title}` : '', c.organization ? h('span', { class: 'muted' }, ` at ${c.organization.name}`) : '', ' ', badge(c.stage.replace(/_/g, ' '), c.stage)),
    { empty: 'No contacts match.' }));
}
