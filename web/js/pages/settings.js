import { h, replace, fmtDate, add } from '../dom.js';
import { get, post, del, all, session, request } from '../api.js';
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
  const [me, tokens, shares] = await Promise.all([get('/me'), all('/tokens', { sort: '-created_at' }), all('/shares')]);
  session.me = me.data;
  add(root, h('h1', null, 'Settings'));
  add(root, section('Profile', h('p', { class: 'muted' }, `Signed in as ${me.data.name} (${me.data.role}).`),
    resourceForm({ label: 'Profile', object: me.data, etag: me.etag, path: '/me', noun: 'profile', onSaved: (saved) => { session.me = saved; refreshHeader(); }, fields: [
      { name: 'display_name', label: 'Your name, as pitches say it' },
      { name: 'headline', label: 'Headline (e.g. "a soil scientist moving into policy")' },
      { name: 'time_zone', label: 'Time zone', type: 'select', options: zones(me.data.time_zone) },
    ] }).form));
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
