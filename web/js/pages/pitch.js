import { h, replace, debounce, add, outLink } from '../dom.js';
import { get, post, patch, all, scoped, request, ApiError } from '../api.js';
import { section, resourceForm, showProblem, picker, flash } from '../ui.js';
import { go } from '../router.js';

const WHY = {
  asks_for_job: 'An informational interview asks for advice, not a job: a job ask turns a conversation into a screening, and most people then decline.',
  too_long: 'A pitch that is read or heard in under a minute gets an answer; a long one gets put off.',
  not_a_question: 'A question is easy to answer with yes: ask whether they would talk for twenty minutes.',
  hook_not_first: 'What you share with them (a school, a person, their work) is why they will read on: say it first.',
  not_about_contact: 'The pitch should be about them and their work, not only about you.',
  missing_value: 'A placeholder had no value for this contact and was left out: fill it in on the contact or on your profile.',
};

/** Resume versions live beside the pitch: both are what a person sends ahead of a meeting. */
async function resumes(root, ctx) {
  const [list, interests] = await Promise.all([all(scoped('/resumes'), { sort: 'label' }), all(scoped('/interests'), { sort: 'name' })]);
  const box = section('Resume versions', list.length
    ? h('ul', { class: 'list' }, list.map((r) => h('li', null, h('strong', null, r.label), r.url ? [' ', outLink(r.url, 'link')] : null,
      h('span', { class: 'muted' }, ` · updated ${new Date(r.content_updated_at).toLocaleDateString()}`))))
    : h('p', { class: 'empty' }, 'No resume versions yet. Meeting prep asks for one updated within 90 days.'));
  if (!ctx.readOnly) {
    add(box, h('details', null, h('summary', null, 'New resume version'), resourceForm({ label: 'New resume version', createPath: '/resumes', fields: [
      { name: 'label', label: 'Label', required: true },
      { name: 'interest_id', label: 'For the area', type: 'select', kind: 'idselect', options: [['', '(any)'], ...interests.map((i) => [i.id, i.name])] },
      { name: 'url', label: 'Link to it', type: 'url', kind: 'text' },
      { name: 'content', label: 'Or its text', type: 'textarea', rows: 6 },
    ], onSaved: () => { flash('Resume version added.'); go('/pitch'); } }).form));
  }
  add(root, box);
}

const PLACEHOLDERS = ['{{contact.first_name}}', '{{contact.name}}', '{{contact.title}}', '{{contact.hook}}', '{{organization.name}}', '{{interest.name}}', '{{me.name}}', '{{me.headline}}'];

export async function render(root, ctx) {
  const id = ctx.params.id ? Number(ctx.params.id) : null;
  const forID = Number(ctx.query.get('contact_id')) || null;
  const [pitches, pitch, forContact] = await Promise.all([
    all(scoped('/pitches'), { sort: 'name' }),
    id ? get(scoped(`/pitches/${id}`)) : null,
    forID ? get(scoped(`/contacts/${forID}`)).then((r) => r.data).catch(() => null) : null,
  ]);
  add(root, h('h1', null, 'Pitch'),
    h('p', { class: 'sub' }, 'Write it once with placeholders; see it for one person as you type, with what to fix.'));
  const nav = h('ul', { class: 'inline-list' }, pitches.map((p) => h('li', null, String(p.id) === ctx.params.id ? h('strong', null, p.name) : h('a', { href: `#/pitch/${p.id}${forID ? `?contact_id=${forID}` : ''}` }, p.name))));
  add(root, nav);
  if (!ctx.params.id) {
    await resumes(root, ctx);
    if (!ctx.readOnly) {
      add(root, section('New pitch', resourceForm({ label: 'New pitch', createPath: '/pitches', fields: [
        { name: 'name', label: 'Name', required: true },
        { name: 'channel', label: 'Channel', type: 'select', options: [['email', 'Email'], ['spoken', 'Spoken']] },
        { name: 'body', label: 'Text', type: 'textarea', rows: 8, required: true, default: 'Hi {{contact.first_name}}, {{contact.hook}}. I am exploring {{interest.name}} and would value your view of it. Would you have twenty minutes to talk in the next few weeks?' },
      ], onSaved: (p) => go(`/pitch/${p.id}${forID ? `?contact_id=${forID}` : ''}`) }).form));
    }
    if (!pitches.length) add(root, h('p', { class: 'empty' }, 'No pitches yet.'));
    return;
  }
  let etag = pitch.etag;
  let saved = pitch.data;
  const summary = h('div', { class: 'problem', role: 'alert', tabindex: '-1', hidden: true });
  const name = h('input', { id: 'pitch-name', value: saved.name, disabled: ctx.readOnly, 'aria-describedby': 'pitch-name-err' });
  const channel = h('select', { id: 'pitch-channel', disabled: ctx.readOnly }, [['email', 'Email'], ['spoken', 'Spoken']].map(([v, t]) => h('option', { value: v, selected: saved.channel === v }, t)));
  const body = h('textarea', { id: 'pitch-body', rows: 12, disabled: ctx.readOnly, 'aria-describedby': 'pitch-body-err' }, saved.body);
  const contact = picker({ name: 'contact', label: 'For', path: '/contacts', noun: 'contact', initial: forContact });
  const preview = h('div', { class: 'preview', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Choose a contact to see the pitch as they will read it.'));
  const saveState = h('p', { class: 'muted', 'aria-live': 'polite' });
  const form = h('form', { class: 'pitch-editor', 'aria-label': 'Edit pitch', novalidate: true, onsubmit: (e) => { e.preventDefault(); saveNow(); } },
    summary,
    h('div', { class: 'field', dataset: { field: 'name' } }, h('label', { for: 'pitch-name' }, 'Name'), name, h('p', { class: 'field-error', id: 'pitch-name-err' })),
    h('div', { class: 'field', dataset: { field: 'channel' } }, h('label', { for: 'pitch-channel' }, 'Channel'), channel, h('p', { class: 'field-error' })),
    h('div', { class: 'field', dataset: { field: 'body' } }, h('label', { for: 'pitch-body' }, 'Text'), body,
      h('p', { class: 'hint' }, 'Placeholders: ', PLACEHOLDERS.join(' ')), h('p', { class: 'field-error', id: 'pitch-body-err' })),
    saveState);
  add(root, h('div', { class: 'split' },
    section('Editor', form),
    section('As they will read it', contact.wrap, preview)));

  let pending = Promise.resolve();
  async function saveNow() {
    if (ctx.readOnly) return renderPreview();
    const changes = {};
    if (name.value !== saved.name) changes.name = name.value;
    if (channel.value !== saved.channel) changes.channel = channel.value;
    if (body.value.replace(/\r\n/g, '\n') !== saved.body) changes.body = body.value.replace(/\r\n/g, '\n');
    if (Object.keys(changes).length) {
      try {
        const result = await patch(`/pitches/${id}`, changes, etag);
        saved = result.data; etag = result.etag;
        summary.hidden = true;
        for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
        saveState.textContent = 'Saved.';
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (error.status === 412) {
          const fresh = await get(`/pitches/${id}`);
          replace(summary, h('p', null, 'This pitch was changed elsewhere. Your text is still here.'),
            h('button', { type: 'button', onclick: () => { saved = fresh.data; etag = fresh.etag; name.value = saved.name; body.value = saved.body; channel.value = saved.channel; summary.hidden = true; renderPreview(); } }, 'Load the stored version'), ' ',
            h('button', { type: 'button', class: 'primary', onclick: () => { saved = fresh.data; etag = fresh.etag; summary.hidden = true; schedule(); } }, 'Keep mine and save it on top'));
          summary.hidden = false;
          return;
        }
        saveState.textContent = '';
        showProblem(form, error, summary);
        return;
      }
    }
    await renderPreview();
  }
  const schedule = debounce(() => { pending = pending.then(saveNow); }, 500);
  body.addEventListener('input', () => { saveState.textContent = 'Editing…'; schedule(); });
  name.addEventListener('input', schedule);
  channel.addEventListener('change', schedule);
  // A name picked from the suggestions (or typed in full and left) shows the pitch for them.
  contact.input.addEventListener('change', async () => { if (await contact.resolve()) pending = pending.then(renderPreview); });
  contact.input.addEventListener('input', () => { if (contact.value) pending = pending.then(renderPreview); });

  async function renderPreview() {
    if (!contact.value) return;
    const forWhom = contact.value;
    if (ctx.readOnly) { replace(preview, h('p', { class: 'muted' }, 'Rendering is the owner\'s to do.')); return; }
    try {
      const { data } = await request('POST', `/pitches/${id}/render`, { body: { contact_id: forWhom } });
      if (forWhom !== contact.value) return;
      const minutes = Math.floor(data.speaking_seconds / 60), seconds = Math.round(data.speaking_seconds % 60);
      replace(preview,
        h('div', { class: 'rendered' }, data.text.split('\n').map((line) => h('p', null, line))),
        h('p', { class: 'counts' }, `${data.word_count} words · about ${minutes ? `${minutes} min ` : ''}${seconds} s to say`),
        data.warnings.length
          ? h('ul', { class: 'warnings', 'aria-label': 'What to fix' }, data.warnings.map((w) => h('li', { dataset: { code: w.code } }, h('strong', null, w.message), h('br'), h('span', { class: 'muted' }, WHY[w.code] || ''))))
          : h('p', { class: 'ok' }, 'No warnings: this pitch follows the method.'));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      replace(preview, h('p', { class: 'problem', role: 'alert' }, error.message));
    }
  }
  if (contact.value) await renderPreview();
}
