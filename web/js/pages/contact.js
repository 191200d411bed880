import { h, s, fmtDate, fromLocalInput, add } from '../dom.js';
import { get, post, page, all, scoped, del } from '../api.js';
import { resourceForm, section, pagedList, badge, actionForm, guarded, announce, flash } from '../ui.js';
import { contactFields } from './contacts.js';
import { go } from '../router.js';

export async function render(root, ctx) {
  const id = Number(ctx.params.id);
  const [contact, meetings, outreach, referrals, network, interests] = await Promise.all([
    get(scoped(`/contacts/${id}`)), page(scoped('/meetings'), { contact_id: id, sort: '-created_at', limit: 20 }),
    page(scoped(`/contacts/${id}/outreach`), { sort: '-sent_at', limit: 20 }), page(scoped(`/contacts/${id}/referrals`), { limit: 50 }),
    get(scoped(`/contacts/${id}/network`) + '?depth=3'), all(scoped('/interests'), { sort: 'name' }),
  ]);
  const c = contact.data;
  add(root, h('h1', null, c.name),
    h('p', { class: 'sub' }, [c.title, c.organization ? c.organization.name : null].filter(Boolean).join(' at '), ' ', badge(c.stage.replace(/_/g, ' '), c.stage)),
    c.hook ? h('p', null, h('strong', null, 'Hook: '), c.hook) : null);
  add(root, section('Meetings', pagedList(meetings, (m) => h('li', null, h('a', { href: `#/meetings/${m.id}` }, m.scheduled_at ? fmtDate(m.scheduled_at) : 'Not yet scheduled'), ' ', badge(m.status, m.status)), { empty: 'No meetings yet.' })));
  add(root, section('Outreach', pagedList(outreach, (o) => h('li', null, h('time', { datetime: o.sent_at }, fmtDate(o.sent_at)), ` ${o.direction === 'inbound' ? 'reply' : 'sent'} by ${o.channel.replace('_', ' ')}`, o.summary ? `: ${o.summary}` : ''), { empty: 'No messages yet.' })));
  add(root, section('Referrals', pagedList(referrals, (r) => h('li', null,
    r.referrer_id === id ? ['Referred ', h('a', { href: `#/contacts/${r.contact_id}` }, r.contact ? r.contact.name : `#${r.contact_id}`)]
      : ['Referred by ', h('a', { href: `#/contacts/${r.referrer_id}` }, r.referrer ? r.referrer.name : `#${r.referrer_id}`)],
    ' ', badge(r.status, r.status), r.note ? ` — ${r.note}` : ''), { empty: 'No referrals yet.' })));
  add(root, section('Referral network', graph(network.data, id)));
  if (!ctx.readOnly) {
    add(root, section('Next step', h('div', { class: 'split' },
      h('div', null, h('h3', null, 'Meet'), actionForm('Schedule a meeting', [
        { name: 'scheduled_at', label: 'Meeting at', type: 'datetime' },
        { name: 'medium', label: 'How', type: 'select', options: [['video', 'Video'], ['phone', 'Phone'], ['in_person', 'In person']] },
      ], 'Propose or schedule a meeting', async (v) => {
        const { data } = await post('/meetings', { contact_id: id, scheduled_at: v.scheduled_at || null, medium: v.medium });
        go(`/meetings/${data.id}`);
      })),
      h('div', null, h('h3', null, 'Write'), actionForm('Log a message', [
        { name: 'channel', label: 'Channel', type: 'select', options: [['email', 'Email'], ['linkedin', 'LinkedIn'], ['phone', 'Phone'], ['in_person', 'In person'], ['other', 'Other']] },
        { name: 'direction', label: 'Direction', type: 'select', options: [['outbound', 'I wrote'], ['inbound', 'They replied']] },
        { name: 'summary', label: 'Summary', type: 'textarea', rows: 2 },
      ], 'Log message', async (v) => {
        await post('/outreach', { contact_id: id, channel: v.channel, direction: v.direction, summary: v.summary || null });
        flash('Message logged.');
        go(`/contacts/${id}`);
      })))));
  }
  const form = resourceForm({ fields: contactFields(interests), object: c, etag: contact.etag, path: `/contacts/${id}`, noun: 'contact', readOnly: ctx.readOnly, label: 'Edit contact',
    onSaved: (saved) => { document.querySelector('h1').textContent = saved.name; },
    actions: ctx.readOnly ? null : h('button', { type: 'button', class: 'danger', onclick: (e) => guarded(e.target, async () => {
      if (!confirm(`Delete ${c.name}?`)) return;
      await del(`/contacts/${id}`);
      go('/contacts');
    }) }, 'Delete contact') });
  add(root, section('Details', form.form));
}

/** The referral chains through a contact: who referred whom, in columns by generation. */
export function graph(net, center) {
  if (!net.nodes.length || !net.edges.length) return h('p', { class: 'empty' }, 'No referrals through this person yet.');
  const level = new Map([[center, 0]]);
  const queue = [center];
  while (queue.length) {
    const at = queue.shift();
    for (const e of net.edges) {
      if (e.from === at && !level.has(e.to)) { level.set(e.to, level.get(at) + 1); queue.push(e.to); }
      if (e.to === at && !level.has(e.from)) { level.set(e.from, level.get(at) - 1); queue.push(e.from); }
    }
  }
  for (const n of net.nodes) if (!level.has(n.id)) level.set(n.id, n.distance);
  const columns = new Map();
  for (const n of net.nodes) {
    const l = level.get(n.id);
    if (!columns.has(l)) columns.set(l, []);
    columns.get(l).push(n);
  }
  const levels = [...columns.keys()].sort((a, b) => a - b);
  const colW = 190, rowH = 56, pad = 20;
  const rows = Math.max(...[...columns.values()].map((c) => c.length));
  const width = levels.length * colW + pad, height = rows * rowH + pad;
  const pos = new Map();
  levels.forEach((l, ci) => columns.get(l).forEach((n, ri) => pos.set(n.id, { x: pad + ci * colW, y: pad + ri * rowH + (rows - columns.get(l).length) * rowH / 2 })));
  // A group, not an image: its people are links.
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'group', 'aria-labelledby': 'net-title', class: 'network' },
    s('title', { id: 'net-title' }, `Referral network: ${net.nodes.length} people, ${net.edges.length} referrals`),
    s('defs', null, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' }, s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }))));
  for (const e of net.edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    add(svg, s('line', { x1: a.x + 150, y1: a.y + 18, x2: b.x, y2: b.y + 18, class: 'edge', 'marker-end': 'url(#arrow)' }));
  }
  for (const n of net.nodes) {
    const p = pos.get(n.id);
    const label = n.name.length > 22 ? `${n.name.slice(0, 21)}…` : n.name;
    add(svg, s('a', { href: `#/contacts/${n.id}`, 'aria-label': `${n.name}, ${n.stage}` },
      s('rect', { x: p.x, y: p.y, width: 150, height: 36, rx: 6, class: n.id === center ? 'node center' : `node ${n.stage}` }),
      s('text', { x: p.x + 8, y: p.y + 22 }, label)));
  }
  const list = h('ul', { class: 'visually-hidden' }, net.edges.map((e) => {
    const from = net.nodes.find((n) => n.id === e.from), to = net.nodes.find((n) => n.id === e.to);
    return h('li', null, `${from ? from.name : e.from} referred ${to ? to.name : e.to}`);
  }));
  return h('div', { class: 'graph-wrap', tabindex: '0', role: 'region', 'aria-label': 'Referral network drawing' }, svg, list, net.truncated ? h('p', { class: 'muted' }, 'Only the nearest three steps are drawn.') : null);
}
