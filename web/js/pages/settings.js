import { h, replace, fmtDate, add } from '../dom.js';
import { get, post, del, all, patch, session, request } from '../api.js';
import { section, resourceForm, actionForm, guarded, announce, badge, flash } from '../ui.js';
import { go } from '../router.js';
import { readAs, refreshHeader } from '../app.js';

function zones(current) {
  let list = [];
  try { list = Intl.supportedValuesOf('timeZone'); } catch { list = []; }
  if (!list.includes('UTC')) list = ['UTC', ...list];
  if (current && !list.includes(current)) list = [current, ...list];
  return list.map((z) => [z, z]);
}

export async function render(root, ctx) {
  // The link in the confirmation mail lands here with its code: confirmed, then shown as set.
  const code = ctx.query.get('digest_code');
  if (code && !ctx.readOnly) {
    try {
      await post('/me/digest/confirm', { code });
      flash('Your morning digest is confirmed.');
    } catch (error) {
      flash(`The digest was not confirmed: ${error.message}`);
    }
    // The code leaves the address bar (and history) without another navigation.
    history.replaceState(null, '', '#/settings');
  }
  const [me, tokens, shares] = await Promise.all([get('/me'), all('/tokens', { sort: '-created_at' }), all('/shares')]);
  session.me = me.data;
  add(root, h('h1', null, 'Settings'));
  add(root, section('Profile', h('p', { class: 'muted' }, `Signed in as ${me.data.name} (${me.data.role}).`),
    resourceForm({ label: 'Profile', object: me.data, etag: me.etag, path: '/me', noun: 'profile', onSaved: (saved) => { session.me = saved; refreshHeader(); }, fields: [
      { name: 'display_name', label: 'Your name, as pitches say it' },
      { name: 'headline', label: 'Headline (e.g. "a soil scientist moving into policy")' },
      { name: 'time_zone', label: 'Time zone', type: 'select', options: zones(me.data.time_zone) },
    ] }).form));
  add(root, await digestSection(me.data, ctx));
  add(root, section('Password', actionForm('Change password', [
    ...(me.data.has_password ? [{ name: 'current_password', label: 'Current password', type: 'password', autocomplete: 'current-password' }] : []),
    { name: 'new_password', label: 'New password (at least 12 characters)', type: 'password', autocomplete: 'new-password' },
  ], me.data.has_password ? 'Change password' : 'Set password', async (v) => {
    await post('/me/password', me.data.has_password ? v : { new_password: v.new_password });
    flash('Password saved. Your other sessions have ended.');
    go('/settings');
  })));
  const tokenList = h('ul', { class: 'list' }, tokens.map((t) => h('li', null, h('strong', null, t.name), ' ', badge(t.kind === 'session' ? 'session' : 'API token'), t.current ? [' ', badge('this one', 'pass')] : null,
    h('span', { class: 'muted' }, ` · last used ${t.last_used_at ? fmtDate(t.last_used_at) : 'never'}${t.expires_at ? ` · ends ${fmtDate(t.expires_at)}` : ''}`), ' ',
    t.current ? null : h('button', { type: 'button', class: 'link', 'aria-label': `Revoke ${t.name}`, onclick: (e) => guarded(e.target, async () => { await del(`/tokens/${t.id}`); e.target.closest('li').remove(); announce('Revoked.'); }) }, 'Revoke'))));
  const shown = h('div', { 'aria-live': 'polite' });
  add(root, section('Tokens and sessions', tokenList,
    actionForm('New API token', [{ name: 'name', label: 'Name (what will use it)' }], 'Make an API token', async (v) => {
      const { data } = await post('/tokens', { name: v.name || 'script' });
      replace(shown, h('div', { class: 'field' }, h('label', { for: 'new-token' }, 'The token (shown only now: copy it)'), h('input', { id: 'new-token', readonly: true, value: data.token, class: 'wide' })));
    }), shown));
  const granted = shares.filter((s) => s.direction === 'granted');
  const received = shares.filter((s) => s.direction === 'received');
  add(root, section('Sharing with a coach',
    h('p', null, 'A coach or counsellor you share with reads your search, read-only; with "coach" they can also leave notes on your agenda. You see every read, and can end a share at once.'),
    granted.length ? h('ul', { class: 'list' }, granted.map((s) => h('li', null, `${s.grantee_name} (${s.scope}) `,
      h('button', { type: 'button', class: 'link', onclick: (e) => guarded(e.target, async () => { await del(`/shares/${s.id}`); e.target.closest('li').remove(); }) }, 'End share')))) : h('p', { class: 'empty' }, 'Not shared with anyone.'),
    actionForm('Share my search', [
      { name: 'grantee', label: 'Their sign-in name' },
      { name: 'scope', label: 'They may', type: 'select', options: [['read', 'Read'], ['coach', 'Read and leave notes']] },
    ], 'Share', async (v) => { await post('/shares', v); flash(`Shared with ${v.grantee}.`); go('/settings'); })));
  if (received.length) {
    add(root, section('Searches shared with you', h('ul', { class: 'list' }, received.map((s) => h('li', null, `${s.user_name} (${s.scope}) `,
      h('button', { type: 'button', onclick: () => readAs(s) }, `Read ${s.user_name}'s search`))))));
  }
  add(root, section('Delete my account', h('p', null, 'Deletes your account and all its data, at once and for good. Export it first if you may want it back.'),
    actionForm('Delete my account', [{ name: 'confirm', label: `Type your name (${me.data.name}) to confirm` }], 'Delete my account', async (v) => {
      await request('DELETE', '/me', { body: { confirm: v.confirm } });
      session.set(null);
      session.me = null;
      go('/signin');
    }, { danger: true })));
}

const DAYS = [['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'], ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday']];
const STATUS = { queued: 'queued', sending: 'sending', sent: 'sent', skipped: 'skipped: nothing was due', failed: 'failed', unknown: 'perhaps sent (the server stopped while sending)' };

/** The morning digest: where and when, its confirmation, a preview, a send now, what was sent. */
async function digestSection(me, ctx) {
  const d = me.digest;
  const card = section('Morning digest', h('p', null, 'The day\'s agenda by email each morning: what is due and overdue, your coach\'s notes, and the week\'s progress toward each area\'s goal, at a time in your zone (', me.time_zone, ').'));
  if (d) {
    add(card, h('p', null, d.confirmed
      ? [badge('on', 'pass'), ` To ${d.email} at ${d.at} on ${d.days.join(', ')}${d.next_at ? `; next ${fmtDate(d.next_at)}` : ''}.`]
      : [badge('waiting for confirmation', 'warn'), ` We sent a link to ${d.email}; follow it, or enter the code from the mail.`]));
    if (!d.confirmed && !ctx.readOnly) {
      add(card, actionForm('Confirm the address', [{ name: 'code', label: 'Code from the mail' }], 'Confirm', async (v) => {
        await post('/me/digest/confirm', { code: v.code.trim() });
        flash('Your morning digest is confirmed.');
        go('/settings');
      }));
    }
  }
  if (!ctx.readOnly) {
    const form = actionForm(d ? 'Change the digest' : 'Send me a digest', [
      { name: 'digest.email', label: 'Email address', type: 'email', value: d ? d.email : (me.email || ''), autocomplete: 'email' },
      { name: 'digest.at', label: 'At (your time)', type: 'time', value: d ? d.at : '07:30' },
      ...DAYS.map(([key, name]) => ({ name: `day.${key}`, label: name, type: 'checkbox', value: d ? d.days.includes(key) : !['sat', 'sun'].includes(key) })),
      { name: 'digest.send_when_empty', label: 'Also on days with nothing due', type: 'checkbox', value: d ? d.send_when_empty : false },
    ], d ? 'Save the digest' : 'Start the digest', async (v) => {
      const days = DAYS.map(([key]) => key).filter((key) => v[`day.${key}`]);
      await patch('/me', { digest: { email: v['digest.email'].trim(), at: v['digest.at'], days, send_when_empty: v['digest.send_when_empty'] } });
      flash(d && d.email === v['digest.email'].trim() ? 'Digest saved.' : 'Digest saved: confirm the address from the mail we sent.');
      go('/settings');
    }, { reset: false });
    add(card, form);
  }
  const shown = h('div', { 'aria-live': 'polite' });
  const buttons = h('p', null,
    h('button', { type: 'button', onclick: (e) => guarded(e.target, async () => {
      const { data } = await get('/me/digest/preview');
      replace(shown, h('h3', null, data.subject), h('pre', { class: 'digest-preview' }, data.text),
        h('p', { class: 'muted' }, data.would_send ? 'A scheduled digest would go out today.' : 'Nothing is due: a scheduled digest would not go out today.'));
    }) }, 'Preview today\'s digest'));
  if (d && d.confirmed && !ctx.readOnly) {
    add(buttons, ' ', h('button', { type: 'button', onclick: (e) => guarded(e.target, async () => {
      await post('/me/digest/send', {});
      flash(`Today's digest is on its way to ${d.email}.`);
      go('/settings');
    }) }, 'Send it now'));
  }
  if (d && !ctx.readOnly) {
    add(buttons, ' ', h('button', { type: 'button', class: 'link', onclick: (e) => guarded(e.target, async () => {
      await patch('/me', { digest: null });
      flash('The digest is off.');
      go('/settings');
    }) }, 'Turn the digest off'));
  }
  add(card, buttons, shown);
  const sent = (await get('/me/deliveries?limit=10')).data.items;
  if (sent.length) {
    add(card, h('h3', null, 'Sent lately'), h('ul', { class: 'list deliveries' }, sent.map((m) => h('li', null,
      `${m.kind === 'confirmation' ? 'Confirmation' : m.kind === 'manual' ? 'Digest (sent by hand)' : 'Digest'} for ${m.day} to ${m.address}: `,
      badge(STATUS[m.status] || m.status, m.status === 'sent' ? 'pass' : m.status === 'failed' || m.status === 'unknown' ? 'warn' : ''),
      m.last_error ? h('span', { class: 'muted' }, ` ${m.last_error}`) : null,
      m.status === 'queued' && m.attempts ? h('span', { class: 'muted' }, ` (attempt ${m.attempts + 1} at ${fmtDate(m.next_attempt_at)})`) : null))));
  }
  return card;
}
