// Starts the front: the navigation, who is signed in (or whose shared search is being read),
// and each page in #main, with focus moved to its heading.
import { h, replace } from './dom.js';
import { session, get, request, onUnauthorized, ApiError } from './api.js';
import { route, current, match, go } from './router.js';
import { announce, loadingError, takeFlash } from './ui.js';

const page = (name) => () => import(`./pages/${name}.js`);
route('/signin', page('signin'), { public: true });
route('/accept', page('signin'), { public: true });
route('/today', page('today'));
route('/areas', page('areas'));
route('/areas/:id', page('areas'));
route('/organizations', page('organizations'));
route('/organizations/:id', page('organizations'));
route('/contacts', page('contacts'));
route('/contacts/:id', page('contact'));
route('/pitch', page('pitch'));
route('/pitch/:id', page('pitch'));
route('/questions', page('questions'));
route('/meetings', page('meetings'));
route('/meetings/:id', page('meeting'));
route('/focus', page('focus'));
route('/knowledge', page('knowledge'));
route('/search', page('search'));
route('/data', page('data'));
route('/settings', page('settings'));
route('/admin', page('admin'));

const NAV = [
  ['/today', 'Today'], ['/areas', 'Areas'], ['/organizations', 'Organizations'], ['/contacts', 'Contacts'],
  ['/pitch', 'Pitch'], ['/questions', 'Questions'], ['/meetings', 'Meetings'], ['/focus', 'Focus'], ['/knowledge', 'Knowledge'],
  ['/data', 'Data'], ['/settings', 'Settings'],
];
const AS_KEY = 'foothold.as';

function restoreAs() {
  try { session.as = JSON.parse(sessionStorage.getItem(AS_KEY) || 'null'); } catch { session.as = null; }
}

/** Redraws the header after the signed-in account changed (a new display name). */
export function refreshHeader() {
  renderNav(current().path);
}

export function readAs(share) {
  session.as = share ? { id: share.user_id, name: share.user_name, scope: share.scope } : null;
  if (share) sessionStorage.setItem(AS_KEY, JSON.stringify(session.as)); else sessionStorage.removeItem(AS_KEY);
  go('/today');
}

function renderNav(path) {
  const nav = document.getElementById('nav');
  const find = document.getElementById('find');
  if (!session.token) { replace(nav); replace(find); replace(document.getElementById('who')); return; }
  const items = NAV.filter(([p]) => !session.as || !['/data', '/settings'].includes(p));
  if (!session.as && session.me && ['owner', 'admin'].includes(session.me.role)) items.push(['/admin', 'Accounts']);
  replace(nav, h('ul', null, items.map(([p, label]) => h('li', null,
    h('a', { href: `#${p}`, 'aria-current': path === p || path.startsWith(p + '/') ? 'page' : null }, label)))));
  if (find.firstChild) return finishNav();
  replace(find, h('form', { class: 'search', role: 'search', onsubmit: (e) => { e.preventDefault(); const q = e.target.elements.q.value.trim(); if (q) go(`/search?q=${encodeURIComponent(q)}`); } },
    h('label', { for: 'q', class: 'visually-hidden' }, 'Search'), h('input', { id: 'q', name: 'q', type: 'search', placeholder: 'Search', autocomplete: 'off' })));
  finishNav();
}

function finishNav() {
  const who = document.getElementById('who');
  const name = session.me ? (session.me.display_name || session.me.name) : '';
  replace(who, name ? h('span', null, name) : null,
    h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out'));
  const banner = document.getElementById('banner');
  if (session.as) {
    replace(banner, h('p', null, `Reading ${session.as.name}'s search, read-only${session.as.scope === 'coach' ? '; you can leave notes' : ''}. `,
      h('button', { type: 'button', class: 'link', onclick: () => readAs(null) }, 'Back to my own search')));
    banner.hidden = false;
  } else banner.hidden = true;
}

async function signOut() {
  try { await request('DELETE', '/sessions/current'); } catch (e) {
    // An API token (409 not_a_session) or an ended session: forgetting it here is what matters.
    if (!(e instanceof ApiError)) throw e;
  }
  session.set(null);
  session.me = null;
  readAs(null);
  go('/signin');
}

onUnauthorized(() => {
  const wasSignedIn = !!session.token;
  session.set(null);
  session.me = null;
  if (current().path !== '/signin') {
    go('/signin');
    if (wasSignedIn) setTimeout(() => announce('Your session ended. Sign in again.'), 300);
  }
});

let generation = 0;
async function show() {
  const { path, query } = current();
  const found = match(path);
  const main = document.getElementById('main');
  const mine = ++generation;
  if (!found) {
    replace(main, h('h1', { tabindex: '-1' }, 'Not found'), h('p', null, 'No page here. ', h('a', { href: '#/today' }, 'Go to Today')));
    main.querySelector('h1').focus();
    return;
  }
  if (!found.opts.public && !session.token) { go('/signin'); return; }
  if (found.opts.public && session.token && path === '/signin') { go('/today'); return; }
  renderNav(path);
  if (session.as && ['/data', '/settings', '/admin'].includes(path)) {
    // These pages are about one's own account, never the shared one being read.
    replace(main, h('h1', { tabindex: '-1' }, 'Your own account'),
      h('p', null, `You are reading ${session.as.name}'s search. `, h('button', { type: 'button', class: 'link', onclick: () => readAs(null) }, 'Back to my own search'), ' to open this page.'));
    main.querySelector('h1').focus();
    return;
  }
  if (session.token && !session.me) {
    // In parallel with the page, never before it: the page needs no more round trips.
    get('/me').then(({ data }) => { session.me = data; renderNav(current().path); }).catch(() => {});
  }
  try {
    const module = await found.load();
    if (mine !== generation) return;
    const ctx = { params: found.params, query, path, readOnly: !!session.as, as: session.as, stale: () => mine !== generation };
    const container = h('div', { class: 'page' });
    await module.render(container, ctx);
    if (mine !== generation) return;
    replace(main, container);
  } catch (error) {
    if (mine !== generation) return;
    loadingError(main, error);
  }
  const heading = main.querySelector('h1');
  const message = takeFlash();
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    if (message) heading.after(h('p', { class: 'flash' }, message));
    heading.focus({ preventScroll: false });
    document.title = `${heading.textContent} · Foothold`;
    announce(message || heading.textContent);
  }
  window.scrollTo(0, 0);
}

restoreAs();
window.addEventListener('hashchange', show);
show();
