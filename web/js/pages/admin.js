import { h, replace, fmtDate, add } from '../dom.js';
import { page, post, patch, del } from '../api.js';
import { section, pagedList, actionForm, guarded, announce, badge, flash } from '../ui.js';
import { go } from '../router.js';

export async function render(root) {
  const [users, invites] = await Promise.all([page('/users', { sort: 'name', limit: 50 }), page('/invites', { sort: '-created_at', limit: 50 })]);
  add(root, h('h1', null, 'Accounts'));
  add(root, section('People', pagedList(users, (u) => h('li', null, h('strong', null, u.name), ' ', badge(u.role), u.disabled ? [' ', badge('disabled', 'warn')] : null, ' ',
    h('button', { type: 'button', class: 'link', onclick: (e) => guarded(e.target, async () => { await patch(`/users/${u.id}`, { disabled: !u.disabled }); go('/admin'); }) }, u.disabled ? 'Enable' : 'Disable'))),
  actionForm('New account', [
    { name: 'name', label: 'Sign-in name' },
    { name: 'role', label: 'Role', type: 'select', options: [['member', 'Member'], ['admin', 'Admin']] },
    { name: 'password', label: 'Password (optional; else they get an invitation)', type: 'password', autocomplete: 'new-password' },
  ], 'Create account', async (v) => { await post('/users', { name: v.name, role: v.role, password: v.password || undefined }); flash(`Account ${v.name} created.`); go('/admin'); })));
  const code = h('div', { 'aria-live': 'polite' });
  add(root, section('Invitations', pagedList(invites, (i) => h('li', null, `${i.role} · `, badge(i.status), ` · ends ${fmtDate(i.expires_at)} `,
    i.status === 'pending' ? h('button', { type: 'button', class: 'link', onclick: (e) => guarded(e.target, async () => { await del(`/invites/${i.id}`); go('/admin'); }) }, 'Revoke') : null), { empty: 'No invitations.' }),
  actionForm('Invite someone', [{ name: 'role', label: 'Role', type: 'select', options: [['member', 'Member'], ['admin', 'Admin']] }], 'Make an invitation', async (v) => {
    const { data } = await post('/invites', { role: v.role });
    const link = `${location.origin}${location.pathname}#/accept?code=${encodeURIComponent(data.code)}`;
    replace(code, h('div', { class: 'field' }, h('label', { for: 'invite-link' }, 'Send this link (shown only now; works once, for 7 days)'), h('input', { id: 'invite-link', readonly: true, value: link, class: 'wide' })));
    announce('Invitation made.');
  }), code));
}
