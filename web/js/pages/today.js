import { h, replace, fmtDate, add } from '../dom.js';
import { get, post, patch, scoped, query, session } from '../api.js';
import { actionForm, guarded, announce, section } from '../ui.js';

const KIND_LABEL = {
  meeting: 'Meeting', thank_you: 'Thank-you', try_second_contact: 'Try a second contact', follow_up: 'Follow up',
  ask_referral_again: 'Ask for a referral again', contact_referral: 'Contact a referral', keep_in_touch: 'Keep in touch',
  prep_missing: 'Prepare', event: 'Event', coach_note: 'Coach\'s note',
};

function shiftDate(date, days) {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export async function render(root, ctx) {
  const date = ctx.query.get('date') || '';
  const [agenda, notes] = await Promise.all([
    get(scoped('/agenda') + query({ date, limit: 50 })),
    get(scoped('/coach-notes') + query({ limit: 50 })).catch(() => ({ data: { items: [] } })),
  ]);
  const notesById = new Map(notes.data.items.map((n) => [n.id, n]));
  const day = agenda.data.date;
  const list = h('ol', { class: 'agenda' });
  const heading = h('h1', null, date ? `Agenda for ${day}` : 'Today');
  add(root, heading,
    h('p', { class: 'sub' }, `${day} in ${agenda.data.time_zone}. `,
      h('a', { href: `#/today?date=${shiftDate(day, -1)}` }, 'Previous day'), ' · ',
      h('a', { href: `#/today?date=${shiftDate(day, 1)}` }, 'Next day'),
      date ? [' · ', h('a', { href: '#/today' }, 'Back to today')] : null));
  if (ctx.as && ctx.as.scope === 'coach') {
    add(root, section('Leave a note', actionForm('Leave a note', [{ name: 'text', label: `A note for ${ctx.as.name}`, type: 'textarea', required: true }], 'Leave note', async (v) => {
      await post(`/accounts/${ctx.as.id}/coach-notes`, { text: v.text });
      announce('Note left. It is on their agenda until they dismiss it.');
    })));
  }
  add(root, list);
  const items = agenda.data.items;
  if (!items.length) add(list, h('li', { class: 'empty' }, 'Nothing due. Add contacts or schedule a meeting to keep the search moving.'));
  for (const item of items) add(list, renderItem(item, notesById, ctx, () => refresh(root, ctx)));
  // A long backlog comes 50 at a time, oldest first, as the server orders it.
  let cursor = agenda.data.next_cursor;
  const more = h('button', { type: 'button', class: 'more', hidden: !cursor }, 'More');
  more.addEventListener('click', async () => {
    more.disabled = true;
    await guarded(more, async () => {
      const next = await get(scoped('/agenda') + query({ date, limit: 50, cursor }));
      const count = list.children.length;
      for (const item of next.data.items) add(list, renderItem(item, notesById, ctx, () => refresh(root, ctx)));
      cursor = next.data.next_cursor;
      more.hidden = !cursor;
      const first = list.children[count] && list.children[count].querySelector('a, button');
      if (first) first.focus();
    });
    more.disabled = false;
  });
  add(root, more);
}

async function refresh(root, ctx) {
  const fresh = document.createElement('div');
  await render(fresh, ctx);
  root.replaceChildren(...fresh.childNodes);
}

function renderItem(item, notesById, ctx, reload) {
  const li = h('li', { class: `agenda-item kind-${item.kind}` });
  const overdue = new Date(item.due) < new Date(Date.now() - 36e5 * 24);
  const title = h('h2', { class: 'item-title' }, h('span', { class: 'kind' }, KIND_LABEL[item.kind] || item.kind),
    item.contact_name ? [' · ', h('a', { href: `#/contacts/${item.contact_id}` }, item.contact_name)] : null);
  const note = item.kind === 'coach_note' ? notesById.get(item.ref_id) : null;
  const actions = h('div', { class: 'actions' });
  add(li, title, note ? null : h('p', null, item.reason), note ? h('blockquote', null, note.text, h('footer', null, `— ${note.author_name}`)) : null,
    h('p', { class: 'due' }, overdue ? 'Overdue since ' : 'Due ', h('time', { datetime: item.due }, fmtDate(item.due))), actions);
  if (item.meeting_id) add(actions, h('a', { class: 'button', href: `#/meetings/${item.meeting_id}` }, item.kind === 'prep_missing' ? 'Open the prep' : 'Open the meeting'));
  if (ctx.readOnly) return li;
  const slot = h('div', { class: 'slot' });
  if (item.kind === 'thank_you') {
    add(actions, h('button', { type: 'button', class: 'primary', onclick: (e) => guarded(e.target, async () => {
      await patch(`/meetings/${item.meeting_id}`, { thank_you_sent_at: new Date().toISOString() });
      announce('Thank-you recorded.');
      await reload();
    }) }, 'Record the thank-you'));
  }
  if (['try_second_contact', 'follow_up', 'ask_referral_again', 'contact_referral', 'keep_in_touch'].includes(item.kind) && item.contact_id) {
    add(actions, h('button', { type: 'button', onclick: (e) => guarded(e.target, async () => {
      // 3B7's second contact is someone else at the organization: choose whom.
      let others = [];
      if (item.kind === 'try_second_contact' && item.organization_id) {
        const { data } = await get(scoped('/contacts') + query({ organization_id: item.organization_id, sort: 'name', limit: 200 }));
        others = data.items.filter((c) => c.id !== item.contact_id);
      }
      const fields = [];
      if (others.length) fields.push({ name: 'contact_id', label: 'To', type: 'select', options: others.map((c) => [c.id, c.name]) });
      fields.push(
        { name: 'channel', label: 'Channel', type: 'select', options: [['email', 'Email'], ['linkedin', 'LinkedIn'], ['phone', 'Phone'], ['in_person', 'In person'], ['other', 'Other']] },
        { name: 'summary', label: 'What you wrote', type: 'textarea' });
      replace(slot, item.kind === 'try_second_contact' && !others.length
        ? h('p', { class: 'hint' }, 'Nobody else at this organization yet: ', item.organization_id ? h('a', { href: `#/contacts?new=1&organization_id=${item.organization_id}` }, 'add someone there') : 'add someone there', ', or write to this person again.')
        : null,
      actionForm('Log a message', fields, 'Log message', async (v) => {
        await post('/outreach', { contact_id: v.contact_id ? Number(v.contact_id) : item.contact_id, channel: v.channel, direction: 'outbound', summary: v.summary || null });
        announce('Message logged.');
        await reload();
      }));
      slot.querySelector('select').focus();
    }) }, 'Log a message'));
  }
  if (item.kind === 'event' && item.event_id) {
    add(actions, h('button', { type: 'button', onclick: (e) => guarded(e.target, async () => {
      await patch(`/events/${item.event_id}`, { status: 'attended' });
      announce('Marked attended.');
      await reload();
    }) }, 'I attended'));
  }
  const tomorrow = new Date(Date.now() + 864e5).toISOString();
  add(actions, 
    h('button', { type: 'button', onclick: (e) => guarded(e.target, async () => {
      await post('/agenda/dismissals', { kind: item.kind, ref_id: item.ref_id, until: tomorrow });
      announce('Snoozed until tomorrow.');
      await reload();
    }) }, 'Snooze a day'),
    h('button', { type: 'button', onclick: (e) => guarded(e.target, async () => {
      await post('/agenda/dismissals', { kind: item.kind, ref_id: item.ref_id });
      announce('Dismissed.');
      await reload();
    }) }, 'Dismiss'));
  add(li, slot);
  return li;
}
