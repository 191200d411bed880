import { h, add, outLink } from '../dom.js';
import { get, all, scoped, del, download } from '../api.js';
import { resourceForm, section, badge, guarded, scroller } from '../ui.js';
import { go } from '../router.js';

export const INTEREST_FIELDS = [
  { name: 'name', label: 'Name', required: true },
  { name: 'goal', label: 'Goal', type: 'textarea', rows: 2 },
  { name: 'target_meetings', label: 'Meetings to hold', type: 'number', min: 1, kind: 'number' },
  { name: 'target_date', label: 'By', type: 'date' },
  { name: 'priority', label: 'Priority (1–5)', type: 'number', min: 1, max: 5, kind: 'number', default: 3 },
];

const PACE = { on_track: 'On track', behind: 'Behind', done: 'Done', no_target: 'No target' };

export function pace(progress) {
  if (!progress) return null;
  const text = progress.status === 'no_target' ? 'No target set'
    : `${PACE[progress.status] || progress.status}: ${progress.completed} of ${progress.target_meetings} meetings` + (progress.expected_by_now != null ? `, ${progress.expected_by_now} expected by now` : '');
  return badge(text, progress.status);
}

export async function render(root, ctx) {
  if (ctx.params.id) return area(root, ctx, Number(ctx.params.id));
  const interests = await all(scoped('/interests'), { sort: 'name' });
  const reports = await Promise.all(interests.map((i) => get(scoped(`/interests/${i.id}/knowledge`)).then((r) => r.data).catch(() => null)));
  add(root, h('h1', null, 'Interest areas'),
    h('p', { class: 'sub' }, 'The fields you are exploring, how well your network covers each, and your pace toward its goal.'));
  const table = h('table', null, h('thead', null, h('tr', null, ['Area', 'Priority', 'Contacts', 'Organizations', 'Meetings held', 'Pace'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, interests.map((i, n) => h('tr', null,
      h('th', { scope: 'row' }, h('a', { href: `#/areas/${i.id}` }, i.name)), h('td', null, i.priority),
      h('td', null, i.coverage.contacts), h('td', null, i.coverage.organizations), h('td', null, i.coverage.meetings),
      h('td', null, reports[n] ? pace(reports[n].progress) : '')))));
  add(root, interests.length ? scroller('Interest areas table', table) : h('p', { class: 'empty' }, 'No areas yet. Name the first field you want to learn about.'));
  if (!ctx.readOnly) {
    add(root, section('New area', resourceForm({ fields: INTEREST_FIELDS, createPath: '/interests', label: 'New area', onSaved: (o) => go(`/areas/${o.id}`) }).form));
  }
}

async function area(root, ctx, id) {
  const [interest, report] = await Promise.all([get(scoped(`/interests/${id}`)), get(scoped(`/interests/${id}/knowledge`))]);
  const r = report.data;
  add(root, h('h1', null, r.name), r.goal ? h('p', { class: 'sub' }, r.goal) : null,
    h('p', null, pace(r.progress), ' ', `${r.meetings_held} meetings held with ${r.people.length} people.`),
    h('p', null, h('a', { href: `#/contacts?interest_id=${id}` }, 'Contacts in this area'), ' · ', h('a', { href: `#/organizations?interest_id=${id}&sort=lamp` }, 'Organizations by LAMP'), ' · ',
      h('button', { type: 'button', class: 'link', onclick: (e) => guarded(e.target, () => download(scoped(`/interests/${id}/knowledge`), `${r.name}.md`, 'text/markdown')) }, 'Download the report (Markdown)')));
  add(root, knowledgeReport(r));
  const form = resourceForm({ fields: INTEREST_FIELDS, object: interest.data, etag: interest.etag, path: `/interests/${id}`, noun: 'area', readOnly: ctx.readOnly, label: 'Edit area',
    actions: ctx.readOnly ? null : h('button', { type: 'button', class: 'danger', onclick: (e) => guarded(e.target, async () => {
      if (!confirm('Delete this area? Contacts and organizations only lose the link.')) return;
      await del(`/interests/${id}`);
      go('/areas');
    }) }, 'Delete area') });
  add(root, section('Edit area', form.form));
}

export function knowledgeReport(r) {
  const skillList = (items, kind) => items.length ? h('ul', { class: 'skills' }, items.map((s) => h('li', null,
    h('strong', null, s.name), ` — named by ${s.contacts} ${s.contacts === 1 ? 'person' : 'people'} `,
    s.status === 'have' ? badge(`you have it${s.level ? ` (level ${s.level})` : ''}`, 'have') : badge('gap', 'gap')))) : h('p', { class: 'empty' }, `No ${kind} named yet.`);
  const notes = (items, empty) => items.length ? h('ul', null, items.map((a) => h('li', null, a.text,
    a.url ? [' ', outLink(a.url, 'link')] : null,
    a.contact_name ? h('span', { class: 'muted' }, ` — ${a.contact_name}`) : null))) : h('p', { class: 'empty' }, empty);
  return h('div', { class: 'report' },
    section('Skills', skillList(r.skills, 'skills')),
    section('Competencies', skillList(r.competencies, 'competencies')),
    section('Paths into the field', notes(r.paths, 'No paths described yet.')),
    section('Advice', notes(r.advice, 'No advice recorded yet.')),
    section('Trends', notes(r.trends, 'No trends recorded yet.')),
    section('Resources', notes(r.resources, 'No resources yet.')),
    section('People met', r.people.length ? h('ul', null, r.people.map((p) => h('li', null, h('a', { href: `#/contacts/${p.id}` }, p.name), ` (${p.meetings} meetings)`))) : h('p', { class: 'empty' }, 'Nobody met in this area yet.')));
}
