import { h, marked, add } from '../dom.js';
import { page, scoped } from '../api.js';
import { pagedList } from '../ui.js';

const HREF = { contact: 'contacts', organization: 'organizations', meeting: 'meetings' };

export async function render(root, ctx) {
  const q = ctx.query.get('q') || '';
  add(root, h('h1', null, `Search: ${q}`));
  if (!q) return;
  const first = await page(scoped('/search'), { q, limit: 20 });
  add(root, pagedList(first, (hit) => {
    const target = HREF[hit.type] ? `#/${HREF[hit.type]}/${hit.id}` : hit.type === 'insight' || hit.type === 'lead' || hit.type === 'event' ? '#/knowledge' : null;
    return h('li', null, h('span', { class: 'badge' }, hit.type), ' ', target ? h('a', { href: target }, hit.title) : hit.title,
      hit.snippet ? h('p', { class: 'snippet' }, marked(hit.snippet)) : null);
  }, { empty: 'Nothing matches.' }));
}
