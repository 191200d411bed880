import { h, fmtDate, add } from '../dom.js';
import { page, post, scoped } from '../api.js';
import { section, pagedList, badge, actionForm } from '../ui.js';
import { go } from '../router.js';

const STATUSES = [['', 'Any'], ['proposed', 'Proposed'], ['scheduled', 'Scheduled'], ['completed', 'Completed'], ['cancelled', 'Cancelled'], ['no_show', 'No-show']];

export async function render(root, ctx) {
  const status = ctx.query.get('status') || '';
  const first = await page(scoped('/meetings'), { status, sort: status === 'completed' ? '-scheduled_at' : 'scheduled_at', limit: 50 });
  add(root, h('h1', null, 'Meetings'),
    h('p', { class: 'sub' }, 'Show: ', STATUSES.map(([v, t], i) => [i ? ' · ' : '', v === status ? h('strong', null, t) : h('a', { href: `#/meetings${v ? `?status=${v}` : ''}` }, t)])));
  if (!ctx.readOnly) {
    add(root, section('New meeting', actionForm('New meeting', [
      { name: 'contact_id', label: 'With', type: 'picker', path: '/contacts', noun: 'contact' },
      { name: 'scheduled_at', label: 'At (leave empty to propose)', type: 'datetime' },
    ], 'Create meeting', async (v) => {
      const { data } = await post('/meetings', { contact_id: v.contact_id, scheduled_at: v.scheduled_at || null });
      go(`/meetings/${data.id}`);
    })));
  }
  add(root, pagedList(first, (m) => h('li', null, h('a', { href: `#/meetings/${m.id}` }, m.contact ? m.contact.name : `Meeting ${m.id}`), ' ',
    m.scheduled_at ? h('time', { datetime: m.scheduled_at }, fmtDate(m.scheduled_at)) : 'not yet scheduled', ' ', badge(m.status.replace('_', ' '), m.status)), { empty: 'No meetings.' }));
}
