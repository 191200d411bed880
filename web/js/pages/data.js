import { h, replace, fmtDate, add } from '../dom.js';
import { request, download, get, post, del, all, ApiError, query } from '../api.js';
import { section, announce, actionForm, guarded } from '../ui.js';

export async function render(root, ctx) {
  const [feeds, interests] = await Promise.all([get('/feeds'), all('/interests', { sort: 'name' })]);
  add(root, h('h1', null, 'Data'));
  add(root, importSection(interests));
  add(root, section('Export',
    h('p', null, 'Everything is yours to take: the whole account as JSON (restorable into an empty account), or your contacts for a phone or a spreadsheet.'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: (e) => guarded(e.target, () => download('/export', 'foothold-export.json')) }, 'Whole account (JSON)'),
      h('button', { type: 'button', onclick: (e) => guarded(e.target, () => download('/contacts.csv', 'contacts.csv')) }, 'Contacts (CSV)'),
      h('button', { type: 'button', onclick: (e) => guarded(e.target, () => download('/contacts.vcf', 'contacts.vcf')) }, 'Contacts (vCard)'))));
  const feedList = h('ul', { class: 'list' });
  const drawFeeds = (items) => replace(feedList, items.length ? items.map((f) => h('li', null, f.name, ' ', h('span', { class: 'muted' }, `since ${fmtDate(f.created_at)}`), ' ',
    h('button', { type: 'button', class: 'link', onclick: (e) => guarded(e.target, async () => { await del(`/feeds/${f.id}`); e.target.closest('li').remove(); announce('Feed revoked.'); }) }, 'Revoke'))) : h('li', { class: 'empty' }, 'No feeds yet.'));
  drawFeeds(feeds.data.items);
  const shown = h('div', { 'aria-live': 'polite' });
  add(root, section('Calendar feed',
    h('p', null, 'Meetings, events, thank-yous and follow-ups in your calendar app. The address is shown once; anyone who has it can read the feed, so revoke a feed you no longer use.'),
    feedList,
    actionForm('New calendar feed', [{ name: 'name', label: 'Name (e.g. phone)', value: 'Calendar' }], 'Make a feed address', async (v) => {
      const { data } = await post('/feeds', { name: v.name || 'Calendar' });
      const input = h('input', { id: 'feed-url', readonly: true, value: data.url, class: 'wide' });
      replace(shown, h('div', { class: 'field' }, h('label', { for: 'feed-url' }, 'Subscribe to this address (shown only now)'), input),
        h('button', { type: 'button', onclick: async () => { input.select(); try { await navigator.clipboard.writeText(data.url); announce('Copied.'); } catch { document.execCommand('copy'); announce('Copied.'); } } }, 'Copy'));
      drawFeeds((await get('/feeds')).data.items);
    }),
    shown));
}

function importSection(interests) {
  const file = h('input', { type: 'file', id: 'import-file', accept: '.csv,.vcf,.vcard,text/csv,text/vcard' });
  const areas = h('select', { id: 'import-areas', multiple: true, size: Math.min(4, Math.max(2, interests.length)) }, interests.map((i) => h('option', { value: i.id }, i.name)));
  const tags = h('input', { id: 'import-tags' });
  const result = h('div', { class: 'import-result', 'aria-live': 'polite' });
  let prepared = null;
  async function send(dryRun) {
    const f = file.files[0];
    if (!f) { replace(result, h('p', { class: 'problem', role: 'alert' }, 'Choose a file first.')); file.focus(); return; }
    const text = await f.text();
    const vcard = /\.(vcf|vcard)$/i.test(f.name) || /^\s*BEGIN:VCARD/i.test(text);
    const params = { dry_run: dryRun ? 'true' : null, interest_ids: [...areas.selectedOptions].map((o) => o.value).join(','), tags: tags.value.trim() };
    try {
      const { data } = await request('POST', `/imports/${vcard ? 'vcard' : 'linkedin'}${query(params)}`, { raw: text, contentType: vcard ? 'text/vcard' : 'text/csv' });
      prepared = dryRun ? { name: f.name } : null;
      replace(result, report(data, dryRun),
        dryRun ? h('button', { type: 'button', class: 'primary', onclick: () => send(false) }, `Import ${data.created + data.merged} contacts`) : null);
      result.querySelector('h3').focus();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      replace(result, h('p', { class: 'problem', role: 'alert' }, error.message));
    }
  }
  file.addEventListener('change', () => { prepared = null; replace(result); });
  return section('Import contacts',
    h('p', null, 'LinkedIn: Settings → Data privacy → Get a copy of your data → Connections gives Connections.csv. Phones export vCards (.vcf). You see what would happen before anything is written.'),
    h('div', { class: 'field' }, h('label', { for: 'import-file' }, 'File'), file),
    interests.length ? h('div', { class: 'field' }, h('label', { for: 'import-areas' }, 'Put everyone in these areas'), areas) : null,
    h('div', { class: 'field' }, h('label', { for: 'import-tags' }, 'Tag everyone (comma-separated)'), tags),
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => send(true) }, 'Preview')),
    result);
}

function report(r, dryRun) {
  return h('div', { class: 'card' }, h('h3', { tabindex: '-1' }, dryRun ? 'Preview: nothing written yet' : 'Imported'),
    h('ul', null,
      h('li', null, `${r.created} new contacts`), h('li', null, `${r.merged} merged into existing ones`), h('li', null, `${r.unchanged} already up to date`),
      h('li', null, `${r.organizations_created} new organizations`)),
    r.skipped.length ? [h('h4', null, `Skipped (${r.skipped.length})`), h('ul', null, r.skipped.slice(0, 50).map((s) => h('li', null, `Row ${s.row}: ${s.reason}`)))] : null,
    r.warnings.length ? [h('h4', null, `Warnings (${r.warnings.length})`), h('ul', null, r.warnings.slice(0, 50).map((s) => h('li', null, `Row ${s.row}: ${s.reason}`)))] : null);
}
