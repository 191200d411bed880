import { h, add } from '../dom.js';
import { get, page, all, scoped, del } from '../api.js';
import { resourceForm, section, pagedList, badge, guarded } from '../ui.js';
import { go } from '../router.js';

export function orgFields(interests) {
  return [
    { name: 'name', label: 'Name', required: true },
    { name: 'industry', label: 'Industry' },
    { name: 'website', label: 'Website', type: 'url' , kind: 'text' },
    { name: 'location', label: 'Location' },
    { name: 'advocacy', label: 'Advocacy: someone there would speak for you', type: 'checkbox' },
    { name: 'motivation', label: 'Motivation (0–3)', type: 'number', min: 0, max: 3, kind: 'number', default: 0 },
    { name: 'posting', label: 'Posting (1–3): 3 = a role posted that fits', type: 'number', min: 1, max: 3, kind: 'number', default: 1 },
    { name: 'interest_ids', label: 'Areas', type: 'multi', options: interests.map((i) => [i.id, i.name]) },
    { name: 'notes', label: 'Notes', type: 'textarea' },
  ];
}

export async function render(root, ctx) {
  if (ctx.params.id) return one(root, ctx, Number(ctx.params.id));
  const sort = ctx.query.get('sort') || 'lamp';
  const params = { sort, interest_id: ctx.query.get('interest_id'), q: ctx.query.get('q'), limit: 50 };
  const [first, interests] = await Promise.all([page(scoped('/organizations'), params), all(scoped('/interests'))]);
  const sorts = [['lamp', 'LAMP'], ['name', 'Name'], ['-created_at', 'Newest']];
  add(root, h('h1', null, 'Organizations'),
    h('p', { class: 'sub' }, 'LAMP: advocacy first, then motivation, then posting. Sorted by ',
      sorts.map(([v, t], i) => [i ? ', ' : '', v === sort ? h('strong', null, t) : h('a', { href: `#/organizations?sort=${v}` }, t)]), '.'),
    pagedList(first, (o) => h('li', null, h('a', { href: `#/organizations/${o.id}` }, o.name), ' ',
      h('span', { class: 'lamp', 'aria-label': `Advocacy ${o.advocacy ? 'yes' : 'no'}, motivation ${o.motivation}, posting ${o.posting}` },
        `A ${o.advocacy ? '✓' : '–'} · M ${o.motivation} · P ${o.posting}`), ' ', h('span', { class: 'muted' }, `${o.contact_count} contacts`)), { empty: 'No organizations yet.' }));
  if (!ctx.readOnly) add(root, section('New organization', resourceForm({ fields: orgFields(interests), createPath: '/organizations', label: 'New organization', onSaved: (o) => go(`/organizations/${o.id}`) }).form));
}

async function one(root, ctx, id) {
  const [org, contacts, interests] = await Promise.all([get(scoped(`/organizations/${id}`)), page(scoped('/contacts'), { organization_id: id, sort: 'name' }), all(scoped('/interests'))]);
  add(root, h('h1', null, org.data.name),
    h('p', null, badge(`Advocacy ${org.data.advocacy ? 'yes' : 'no'}`), ' ', badge(`Motivation ${org.data.motivation}`), ' ', badge(`Posting ${org.data.posting}`)),
    section('People there', pagedList(contacts, (c) => h('li', null, h('a', { href: `#/contacts/${c.id}` }, c.name), c.title ? ` — ${c.title}` : ''), { empty: 'Nobody yet.' }),
      ctx.readOnly ? null : h('a', { class: 'button', href: `#/contacts?new=1&organization_id=${id}` }, 'Add a contact here')));
  const form = resourceForm({ fields: orgFields(interests), object: org.data, etag: org.etag, path: `/organizations/${id}`, noun: 'organization', readOnly: ctx.readOnly,
    actions: ctx.readOnly ? null : h('button', { type: 'button', class: 'danger', onclick: (e) => guarded(e.target, async () => {
      if (!confirm('Delete this organization?')) return;
      await del(`/organizations/${id}`);
      go('/organizations');
    }) }, 'Delete') });
  add(root, section('Details', form.form));
}
