import { h, s, add, outLink } from '../dom.js';
import { get, all, page, patch, scoped } from '../api.js';
import { section, resourceForm, scroller, flash, guarded } from '../ui.js';
import { go } from '../router.js';

const LEAD_STATUSES = [['found', 'Found'], ['applied', 'Applied'], ['interviewing', 'Interviewing'], ['offer', 'Offer'], ['rejected', 'Rejected'], ['closed', 'Closed']];

export async function render(root, ctx) {
  const [gaps, skills, leadPage, stats, interests] = await Promise.all([
    get(scoped('/skills/gaps')), all(scoped('/skills')), page(scoped('/leads'), { limit: 200, sort: '-updated_at' }), get(scoped('/stats')), all(scoped('/interests'), { sort: 'name' }),
  ]);
  add(root, h('h1', null, 'Knowledge'),
    h('p', { class: 'sub' }, 'What your meetings taught: the skills fields ask for, what you have, and how the search is going. Each area\'s full report: ',
      interests.map((i, n) => [n ? ', ' : '', h('a', { href: `#/areas/${i.id}` }, i.name)]), interests.length ? '.' : 'add an area first.'));
  add(root, section('The funnel', funnel(stats.data)));
  add(root, section('Skill gaps across areas', gaps.data.items.length
    ? scroller('Skill gaps table', h('table', null, h('thead', null, h('tr', null, ['Skill', 'Kind', 'People who named it', 'Areas', 'Score'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, gaps.data.items.map((g) => h('tr', null, h('th', { scope: 'row' }, g.name), h('td', null, g.kind), h('td', null, g.contacts),
        h('td', null, g.areas.map((a) => `${a.name} (${a.contacts})`).join(', ')), h('td', null, g.score))))))
    : h('p', { class: 'empty' }, 'No gaps: either nobody has named a skill yet, or you have them all.')));
  const skillSection = section('Your skills', skills.length ? h('ul', { class: 'list' }, skills.map((sk) => h('li', null, h('strong', null, sk.name), ` — level ${sk.level}`, sk.evidence ? h('span', { class: 'muted' }, ` (${sk.evidence})`) : null))) : h('p', { class: 'empty' }, 'None recorded.'));
  if (!ctx.readOnly) add(skillSection, resourceForm({ label: 'Add a skill', createPath: '/skills', submitLabel: 'Add skill', fields: [
    { name: 'name', label: 'Skill', required: true }, { name: 'level', label: 'Level (1–5)', type: 'number', kind: 'number', min: 1, max: 5, default: 3 }, { name: 'evidence', label: 'Evidence' },
  ], duplicate: { href: () => '#/knowledge', open: 'You have it already' }, onSaved: () => { flash('Skill added.'); go('/knowledge'); } }).form);
  add(root, skillSection);
  const leads = leadPage.items;
  const byStatus = LEAD_STATUSES.map(([st, label]) => {
    const mine = leads.filter((l) => l.status === st);
    return h('div', { class: 'lead-column' }, h('h3', null, `${label} (${mine.length})`),
      h('ul', null, mine.map((l) => h('li', null, outLink(l.url, l.title), l.organization ? h('span', { class: 'muted' }, ` at ${l.organization.name}`) : null,
        ctx.readOnly ? null : leadStatus(l)))));
  });
  const leadSection = section('Leads by status', h('div', { class: 'lead-board' }, byStatus),
    leadPage.next ? h('p', { class: 'muted' }, 'The 200 most recently changed leads.') : null);
  if (!ctx.readOnly) {
    add(leadSection, h('details', null, h('summary', null, 'New lead'), resourceForm({ label: 'New lead', createPath: '/leads', fields: [
      { name: 'title', label: 'Title', required: true }, { name: 'organization_id', label: 'Organization', type: 'picker', path: '/organizations', objectKey: 'organization', noun: 'organization' },
      { name: 'url', label: 'Link', type: 'url', kind: 'text' }, { name: 'source', label: 'Source', type: 'select', options: [['posting', 'Posting'], ['referral', 'Referral'], ['contact', 'Contact']] },
    ], onSaved: () => { flash('Lead added.'); go('/knowledge'); } }).form));
  }
  add(root, leadSection);
}

/** Moves a lead along; a move the rules refuse (409) is said beside it and undone. */
function leadStatus(lead) {
  const id = `lead-${lead.id}-status`;
  const select = h('select', { id, class: 'compact' }, LEAD_STATUSES.map(([v, t]) => h('option', { value: v, selected: v === lead.status }, t)));
  select.addEventListener('change', async () => {
    const result = await guarded(select, () => patch(`/leads/${lead.id}`, { status: select.value }));
    if (result) { flash(`${lead.title}: ${select.value}.`); go('/knowledge'); } else select.value = lead.status;
  });
  return h('span', { class: 'lead-status' }, ' ', h('label', { for: id, class: 'visually-hidden' }, `Status of ${lead.title}`), select);
}

/** The funnel from /stats as horizontal bars, each stage nested in the one before. */
export function funnel(stats) {
  const f = stats.funnel;
  const stages = [['Identified', f.identified], ['Contacted', f.contacted], ['Met', f.met], ['Referred', f.referred], ['Leads', f.leads]];
  const max = Math.max(1, ...stages.map(([, n]) => n));
  const rowH = 34, labelW = 110, barW = 360;
  const svg = s('svg', { viewBox: `0 0 ${labelW + barW + 60} ${stages.length * rowH + 8}`, class: 'funnel', role: 'img', 'aria-labelledby': 'funnel-title' },
    s('title', { id: 'funnel-title' }, `Funnel: ${stages.map(([l, n]) => `${l} ${n}`).join(', ')}`),
    stages.map(([label, n], i) => [
      s('text', { x: 0, y: i * rowH + 22, class: 'label' }, label),
      s('rect', { x: labelW, y: i * rowH + 6, width: Math.max(2, (n / max) * barW), height: rowH - 10, rx: 3, class: `bar bar-${i}` }),
      s('text', { x: labelW + Math.max(2, (n / max) * barW) + 6, y: i * rowH + 22, class: 'value' }, String(n)),
    ]));
  const pct = (x) => (x == null ? '—' : `${Math.round(x * 100)}%`);
  const o = stats.outreach, m = stats.meetings;
  return h('div', null, svg,
    h('ul', { class: 'facts' },
      h('li', null, `Reply rate: ${pct(o.reply_rate)} (${o.replied} of ${o.sent} messages answered)`),
      h('li', null, `Meetings completed: ${m.completed}; referrals per meeting: ${m.referrals_per_meeting == null ? '—' : m.referrals_per_meeting.toFixed(1)}`),
      h('li', null, `Thank-yous within a day: ${pct(m.thank_you_within_24h_share)}`),
      h('li', null, `Met per contacted ${pct(f.conversion.met_per_contacted)}; referred per met ${pct(f.conversion.referred_per_met)}`)));
}
