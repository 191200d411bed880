import { h, add } from '../dom.js';
import { session, post, get } from '../api.js';
import { actionForm } from '../ui.js';
import { go } from '../router.js';

export async function render(root, ctx) {
  if (ctx.path === '/accept') return accept(root, ctx);
  add(root, h('h1', null, 'Sign in'),
    actionForm('Sign in', [
      { name: 'name', label: 'Name', autocomplete: 'username', required: true },
      { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true },
      { name: 'remember', label: 'Keep me signed in on this device', type: 'checkbox' },
    ], 'Sign in', async (v) => {
      const { data } = await post('/sessions', { name: v.name, password: v.password });
      session.set(data.token, v.remember);
      session.me = data.user;
      go('/today');
    }, { reset: false }),
    h('details', null, h('summary', null, 'Sign in with an API token'),
      h('p', null, 'The first start prints the owner\'s token. Use it here once, then set a password in Settings.'),
      actionForm('Sign in with a token', [{ name: 'token', label: 'API token', type: 'password', autocomplete: 'off', required: true }], 'Use token', async (v) => {
        const { data } = await get('/me', { token: v.token.trim() });
        session.set(v.token.trim(), false);
        session.me = data;
        go('/today');
      }, { reset: false })),
    h('p', null, 'Invited? ', h('a', { href: '#/accept' }, 'Accept your invitation')));
}

function accept(root, ctx) {
  add(root, h('h1', null, 'Accept an invitation'),
    h('p', null, 'Choose the name you will sign in with (an email address works) and a password of at least 12 characters.'),
    actionForm('Accept the invitation', [
      { name: 'code', label: 'Invitation code', value: ctx.query.get('code') || '', required: true },
      { name: 'name', label: 'Name', autocomplete: 'username', required: true },
      { name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', required: true },
    ], 'Open my account', async (v) => {
      const { data } = await post('/invites/accept', { code: v.code.trim(), name: v.name, password: v.password });
      session.set(data.token, false);
      session.me = data.user;
      go('/today');
    }, { reset: false }));
}
