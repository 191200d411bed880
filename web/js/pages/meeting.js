import { h, replace, fmtDate, toLocalInput, fromLocalInput, debounce, uid, add, outLink } from '../dom.js';
import { get, post, patch, del, all, scoped, request, ApiError } from '../api.js';
import { section, badge, actionForm, guarded, announce, showProblem, resourceForm, flash } from '../ui.js';
import { TIARA } from './questions.js';
import { go } from '../router.js';

export async function render(root, ctx) {
  const id = Number(ctx.params.id);
  const [meeting, prep, agenda, bank, resumes] = await Promise.all([
    get(scoped(`/meetings/${id}`)), get(scoped(`/meetings/${id}/prep`)),
    all(scoped(`/meetings/${id}/questions`), { sort: 'position' }), all(scoped('/questions')), all(scoped('/resumes'), { sort: 'label' }),
  ]);
  const m = meeting.data;
  const reload = () => go(`/meetings/${id}`);
  add(root, h('h1', null, `Meeting with ${m.contact ? m.contact.name : `contact ${m.contact_id}`}`),
    h('p', { class: 'sub' }, badge(m.status.replace('_', ' '), m.status), ' ',
      m.scheduled_at ? h('time', { datetime: m.scheduled_at }, fmtDate(m.scheduled_at)) : 'Not yet scheduled',
      m.medium ? ` · ${m.medium.replace('_', ' ')}` : '', m.location ? ` · ${m.location}` : '', ' · ',
      h('a', { href: `#/contacts/${m.contact_id}` }, 'Contact page'), ' · ', h('a', { href: `#/pitch?contact_id=${m.contact_id}` }, 'Pitch')));
  const open = m.status === 'proposed' || m.status === 'scheduled';
  if (open && !ctx.readOnly) add(root, schedule(m, reload));
  const prepBox = h('div');
  const drawPrep = (report) => replace(prepBox, section('Preparation', h('p', null, report.ready ? badge('Ready', 'pass') : badge('Not ready yet', 'warn')),
    h('ul', { class: 'checklist' }, report.items.map((i) => h('li', { class: i.status }, h('span', { class: 'mark', 'aria-hidden': 'true' }, i.status === 'pass' ? '✓' : '!'),
      h('span', { class: 'visually-hidden' }, i.status === 'pass' ? 'Done: ' : 'To do: '), i.detail)))));
  // What the checklist says changes as questions, notes and the resume do: asked again after each.
  const refreshPrep = async () => { try { drawPrep((await get(scoped(`/meetings/${id}/prep`))).data); } catch (e) { if (!(e instanceof ApiError)) throw e; } };
  drawPrep(prep.data);
  // Preparation matters until the meeting is held or called off.
  if (open) add(root, prepBox);
  add(root, questionAgenda(id, agenda, bank, ctx, refreshPrep));
  if (m.status === 'scheduled' && !ctx.readOnly) add(root, completion(m, reload));
  if (m.status === 'completed') add(root, completed(m, ctx, reload));
  if (!ctx.readOnly) {
    const notes = resourceForm({ label: 'Notes and outcome', object: m, etag: meeting.etag, path: `/meetings/${id}`, noun: 'meeting', onSaved: refreshPrep, fields: [
      { name: 'resume_id', label: 'Resume you bring', type: 'select', kind: 'idselect', options: [['', '(none)'], ...resumes.map((r) => [r.id, r.label])],
        hint: resumes.length ? null : 'Add a resume version on the Pitch page.' },
      { name: 'notes', label: 'Notes', type: 'textarea', rows: 6 },
      { name: 'outcome', label: 'Outcome', type: 'textarea', rows: 2 },
      { name: 'impression', label: 'Impression (1–5)', type: 'number', kind: 'number', min: 1, max: 5 },
    ] });
    add(root, section('Notes', notes.form));
  }
}

function schedule(m, reload) {
  const form = actionForm('Schedule', [
    { name: 'scheduled_at', label: 'At', type: 'datetime', value: toLocalInput(m.scheduled_at) },
    { name: 'duration_minutes', label: 'Minutes', type: 'number', value: m.duration_minutes, min: 5, max: 240 },
    { name: 'medium', label: 'How', type: 'select', value: m.medium || 'video', options: [['video', 'Video'], ['phone', 'Phone'], ['in_person', 'In person']] },
    { name: 'location', label: 'Where or link', value: m.location || '' },
  ], m.status === 'scheduled' ? 'Reschedule' : 'Schedule', async (v) => {
    await post(`/meetings/${m.id}/schedule`, { scheduled_at: v.scheduled_at, duration_minutes: Number(v.duration_minutes), medium: v.medium, location: v.location || null });
    flash('Scheduled.');
    reload();
  }, { reset: false });
  const cancel = h('button', { type: 'button', class: 'danger', onclick: (e) => guarded(e.target, async () => { await post(`/meetings/${m.id}/cancel`, {}); reload(); }) }, 'Cancel meeting');
  const noShow = m.status === 'scheduled' ? h('button', { type: 'button', onclick: (e) => guarded(e.target, async () => { await post(`/meetings/${m.id}/no-show`, {}); reload(); }) }, 'They did not come') : null;
  return section('Scheduling', form, h('div', { class: 'actions' }, cancel, noShow));
}

function questionAgenda(meetingID, initial, bank, ctx, changed) {
  let items = initial;
  const list = h('ol', { class: 'question-agenda', 'aria-describedby': 'qa-help' });
  const help = h('p', { id: 'qa-help', class: 'hint' }, ctx.readOnly ? '' : 'Reorder with the Up and Down buttons, Alt+Arrow keys on a question, or by dragging. Notes save as you type.');
  const base = `/meetings/${meetingID}/questions`;

  function draw(focusID) {
    replace(list, items.map((item, index) => row(item, index)));
    if (!items.length) add(list, h('li', { class: 'empty' }, 'No questions yet: add at least three, most of them tailored to this person.'));
    if (focusID) { const el = list.querySelector(`[data-id="${focusID}"] .handle`); if (el) el.focus(); }
  }

  async function move(item, to) {
    if (to < 1 || to > items.length || to === item.position) return;
    try {
      await patch(`${base}/${item.id}`, { position: to }, `"${item.version}"`);
    } catch (e) { if (e instanceof ApiError) announce(e.message); }
    items = await all(scoped(base), { sort: 'position' });
    draw(item.id);
    announce(`Moved to position ${to} of ${items.length}.`);
  }

  function row(item, index) {
    const notesID = uid('notes');
    const saved = h('span', { class: 'muted save-state', 'aria-live': 'polite' });
    const asked = h('input', { type: 'checkbox', id: uid('asked'), checked: item.asked, disabled: ctx.readOnly });
    const notes = h('textarea', { id: notesID, rows: 2, disabled: ctx.readOnly }, item.answer_notes || '');
    const save = async (changes) => {
      saved.textContent = 'Saving…';
      try {
        const { data } = await patch(`${base}/${item.id}`, changes, `"${item.version}"`);
        Object.assign(item, data);
        // A save of the checkbox while notes wait to be sent is not the notes saved.
        saved.textContent = typing ? 'Editing…' : 'Saved';
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        if (e.status === 412) {
          const fresh = await get(`${base}/${item.id}`);
          item.version = fresh.data.version;
          const theirs = fresh.data.answer_notes || '';
          saved.textContent = '';
          replace(conflict, h('p', null, 'Changed elsewhere. Stored notes: ', h('q', null, theirs || '(none)')),
            h('button', { type: 'button', onclick: () => { notes.value = theirs; Object.assign(item, fresh.data); replace(conflict); } }, 'Use the stored notes'), ' ',
            h('button', { type: 'button', onclick: () => { replace(conflict); save(changes); } }, 'Keep mine'));
        } else saved.textContent = `Not saved: ${e.message}`;
      }
    };
    const conflict = h('div', { class: 'stale-inline', role: 'alert' });
    let queue = Promise.resolve();
    let typing = false;
    const typed = debounce(() => { typing = false; queue = queue.then(() => save({ answer_notes: notes.value.replace(/\r\n/g, '\n') || null })); }, 600);
    notes.addEventListener('input', () => { typing = true; saved.textContent = 'Editing…'; typed(); });
    notes.addEventListener('blur', () => typed.flush());
    asked.addEventListener('change', () => { queue = queue.then(() => save({ asked: asked.checked })); });
    const handle = h('span', { class: 'handle', tabindex: ctx.readOnly ? null : '0', role: ctx.readOnly ? null : 'button', 'aria-label': `Question ${index + 1} of ${items.length}: ${item.text}. Alt+Up or Alt+Down to move.` }, `${index + 1}.`);
    const li = h('li', { class: 'qa-item', dataset: { id: item.id } },
      // Dragged by its heading: a drag that starts in the notes selects text, as it should.
      h('div', { class: 'qa-head', draggable: ctx.readOnly ? null : 'true' }, handle, h('span', { class: 'qa-text' }, item.text)),
      h('div', { class: 'qa-body' }, h('div', { class: 'field check' }, asked, h('label', { for: asked.id }, 'Asked')),
        h('div', { class: 'field' }, h('label', { for: notesID }, 'Answer notes'), notes, saved), conflict),
      ctx.readOnly ? null : h('div', { class: 'actions' },
        h('button', { type: 'button', disabled: index === 0, 'aria-label': `Move up: ${item.text}`, onclick: () => move(item, item.position - 1) }, 'Up'),
        h('button', { type: 'button', disabled: index === items.length - 1, 'aria-label': `Move down: ${item.text}`, onclick: () => move(item, item.position + 1) }, 'Down'),
        h('button', { type: 'button', class: 'link', 'aria-label': `Remove: ${item.text}`, onclick: async (e) => guarded(e.target, async () => {
          await del(`${base}/${item.id}`);
          items = await all(scoped(base), { sort: 'position' });
          draw();
          changed();
        }) }, 'Remove')));
    if (!ctx.readOnly) {
      handle.addEventListener('keydown', (e) => {
        if (e.altKey && e.key === 'ArrowUp') { e.preventDefault(); move(item, item.position - 1); }
        if (e.altKey && e.key === 'ArrowDown') { e.preventDefault(); move(item, item.position + 1); }
      });
      li.addEventListener('dragstart', (e) => { e.dataTransfer.setData('text/plain', String(item.id)); li.classList.add('dragging'); });
      li.addEventListener('dragend', () => li.classList.remove('dragging'));
      li.addEventListener('dragover', (e) => { e.preventDefault(); li.classList.add('drop'); });
      li.addEventListener('dragleave', () => li.classList.remove('drop'));
      li.addEventListener('drop', (e) => {
        e.preventDefault();
        li.classList.remove('drop');
        const dragged = items.find((i) => String(i.id) === e.dataTransfer.getData('text/plain'));
        if (dragged && dragged.id !== item.id) move(dragged, item.position);
      });
    }
    return li;
  }

  draw();
  const wrap = section('Questions to ask', help, list);
  if (!ctx.readOnly) {
    const byCategory = TIARA.map(([c, label]) => h('optgroup', { label }, bank.filter((q) => q.category === c).map((q) => h('option', { value: q.id }, q.text))));
    const select = h('select', { id: 'qa-bank' }, h('option', { value: '' }, 'Choose from your bank'), byCategory);
    const text = h('input', { id: 'qa-text', placeholder: 'Or write one for this person' });
    const form = h('form', { class: 'inline', 'aria-label': 'Add a question', onsubmit: async (e) => {
      e.preventDefault();
      const body = select.value ? { question_id: Number(select.value) } : { text: text.value };
      if (!select.value && !text.value.trim()) { text.focus(); return; }
      await guarded(e.target.querySelector('button'), async () => {
        await post(base, body);
        items = await all(scoped(base), { sort: 'position' });
        select.value = ''; text.value = '';
        draw();
        changed();
        announce('Question added.');
      });
    } }, h('div', { class: 'field' }, h('label', { for: 'qa-bank' }, 'From the bank'), select),
      h('div', { class: 'field' }, h('label', { for: 'qa-text' }, 'Ad hoc'), text),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add question')));
    add(wrap, form);
  }
  return wrap;
}

const KINDS = [['skill', 'Skill'], ['competency', 'Competency'], ['path', 'Path into the field'], ['advice', 'Advice'], ['trend', 'Trend'], ['resource', 'Resource']];

function completion(m, reload) {
  const summary = h('div', { class: 'problem', role: 'alert', tabindex: '-1', hidden: true });
  const rows = { referrals: h('div', { class: 'rows' }), events: h('div', { class: 'rows' }), resources: h('div', { class: 'rows' }), insights: h('div', { class: 'rows' }) };
  const counters = { referrals: 0, events: 0, resources: 0, insights: 0 };
  const input = (group, i, name, label, opts = {}) => {
    const id = uid(name);
    const key = `${group}[${i}].${name}`;
    const el = opts.type === 'select'
      ? h('select', { id, dataset: { key } }, opts.options.map(([v, t]) => h('option', { value: v }, t)))
      : opts.type === 'textarea' ? h('textarea', { id, rows: 2, dataset: { key } }) : h('input', { id, type: opts.type || 'text', dataset: { key } });
    return h('div', { class: 'field', dataset: { field: key } }, h('label', { for: id }, label), el, h('p', { class: 'field-error' }));
  };
  const adders = {
    referrals: (i) => [input('referrals', i, 'name', 'Who they suggested (name)'), input('referrals', i, 'title', 'Their title'), input('referrals', i, 'note', 'Note')],
    events: (i) => [input('events', i, 'name', 'Event'), input('events', i, 'starts_at', 'Starts', { type: 'datetime-local' })],
    resources: (i) => [input('resources', i, 'title', 'Resource'), input('resources', i, 'url', 'Link', { type: 'url' })],
    insights: (i) => [input('insights', i, 'kind', 'Kind', { type: 'select', options: KINDS }), input('insights', i, 'name', 'Skill or competency name'), input('insights', i, 'text', 'What they said', { type: 'textarea' })],
  };
  const labels = { referrals: 'Add a referral', events: 'Add an event', resources: 'Add a resource', insights: 'Add an insight' };
  const groups = Object.keys(rows).map((g) => h('fieldset', null, h('legend', null, { referrals: 'Referrals', events: 'Events', resources: 'Resources', insights: 'What you learned' }[g]), rows[g],
    h('button', { type: 'button', onclick: () => {
      const row = h('div', { class: 'row', dataset: { group: g, index: counters[g] } }, adders[g](counters[g]));
      counters[g] += 1;
      add(rows[g], row);
      row.querySelector('input, select').focus();
    } }, labels[g])));
  const none = h('input', { type: 'checkbox', id: 'none-offered' });
  const completedAt = h('input', { type: 'datetime-local', id: 'completed-at' });
  const notes = h('textarea', { id: 'completion-notes', rows: 4 });
  const impression = h('select', { id: 'impression' }, h('option', { value: '' }, '—'), [1, 2, 3, 4, 5].map((n) => h('option', { value: n }, String(n))));
  const explain = h('div', { class: 'explain', role: 'alert', tabindex: '-1', hidden: true });
  const form = h('form', { class: 'completion', 'aria-label': 'Complete the meeting', novalidate: true }, summary,
    h('p', null, 'Every meeting should leave you with something: a referral, an event, a resource. Record what it left.'),
    groups,
    h('div', { class: 'field check', dataset: { field: 'none_offered' } }, none, h('label', { for: 'none-offered' }, 'Nothing was offered'), h('p', { class: 'field-error' })),
    h('div', { class: 'field', dataset: { field: 'notes' } }, h('label', { for: 'completion-notes' }, 'Notes'), notes, h('p', { class: 'field-error' })),
    h('div', { class: 'field', dataset: { field: 'impression' } }, h('label', { for: 'impression' }, 'Impression (1–5)'), impression, h('p', { class: 'field-error' })),
    h('div', { class: 'field', dataset: { field: 'completed_at' } }, h('label', { for: 'completed-at' }, 'Held at (if not just now)'), completedAt, h('p', { class: 'field-error' })),
    explain,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Complete meeting')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = (g, i, n) => { const el = form.querySelector(`[data-key="${g}[${i}].${n}"]`); return el ? el.value.trim() : ''; };
    const body = { referrals: [], events: [], resources: [], insights: [] };
    for (const row of form.querySelectorAll('.row')) {
      const g = row.dataset.group, i = row.dataset.index;
      if (g === 'referrals' && value(g, i, 'name')) body.referrals.push({ contact: { name: value(g, i, 'name'), title: value(g, i, 'title') || null }, note: value(g, i, 'note') || null });
      if (g === 'events' && value(g, i, 'name')) body.events.push({ name: value(g, i, 'name'), starts_at: fromLocalInput(value(g, i, 'starts_at')) });
      if (g === 'resources' && value(g, i, 'title')) body.resources.push({ title: value(g, i, 'title'), url: value(g, i, 'url') || null });
      if (g === 'insights' && value(g, i, 'text')) { const k = value(g, i, 'kind'); body.insights.push({ kind: k, text: value(g, i, 'text'), name: ['skill', 'competency'].includes(k) ? value(g, i, 'name') || null : null }); }
    }
    for (const k of Object.keys(body)) if (!body[k].length) delete body[k];
    if (none.checked) body.none_offered = true;
    if (notes.value.trim()) body.notes = notes.value.replace(/\r\n/g, '\n');
    if (impression.value) body.impression = Number(impression.value);
    if (completedAt.value) body.completed_at = fromLocalInput(completedAt.value);
    explain.hidden = true;
    try {
      await post(`/meetings/${m.id}/complete`, body);
      flash('Meeting completed. Send the thank-you within a day.');
      reload();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === 'nothing_to_leave_with') {
        replace(explain, h('h3', null, 'Nothing to leave with?'),
          h('p', null, 'The method asks every meeting to leave you with a next step: someone else to talk to, an event, or a resource. Ask before you end: "Who else should I talk to?" Record what they offered above. If they truly offered nothing, tick "Nothing was offered" so your stats stay honest.'));
        explain.hidden = false;
        explain.focus();
        return;
      }
      showProblem(form, error, summary);
    }
  });
  return section('Complete the meeting', form);
}

function completed(m, ctx, reload) {
  const thanks = m.thank_you_sent_at
    ? h('p', null, 'Thank-you sent ', h('time', { datetime: m.thank_you_sent_at }, fmtDate(m.thank_you_sent_at)), '.')
    : h('p', null, `Thank-you due by ${fmtDate(m.thank_you_due_at)}. `, ctx.readOnly ? null : h('button', { type: 'button', class: 'primary', onclick: (e) => guarded(e.target, async () => {
      await patch(`/meetings/${m.id}`, { thank_you_sent_at: new Date().toISOString() });
      reload();
    }) }, 'Record the thank-you'));
  return section('What it left', h('p', null, `Held ${fmtDate(m.completed_at)}.`), thanks,
    m.referral_ids.length ? h('p', null, `${m.referral_ids.length} referral${m.referral_ids.length === 1 ? '' : 's'}: see the `, h('a', { href: `#/contacts/${m.contact_id}` }, 'contact page'), '.') : null,
    m.event_ids.length ? h('p', null, `${m.event_ids.length} event${m.event_ids.length === 1 ? '' : 's'} recommended.`) : null,
    m.resources.length ? h('ul', null, m.resources.map((r) => h('li', null, r.url ? outLink(r.url, r.title) : r.title, r.note ? ` — ${r.note}` : ''))) : null,
    m.none_offered ? h('p', null, 'Nothing was offered.') : null);
}
