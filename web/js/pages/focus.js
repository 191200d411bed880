import { h, add } from '../dom.js';
import { get, scoped, download } from '../api.js';
import { section, badge, guarded, scroller } from '../ui.js';
import { pace } from './areas.js';

const PARTS = [['evidence', 'Evidence', 20], ['fit', 'Fit', 30], ['replies', 'Replies', 15], ['referrals', 'Referrals', 15], ['leads', 'Leads', 10], ['events', 'Events', 5], ['pace', 'Pace', 5]];

/** Where a next step's object lives in the front; a skill gap and an event have no page. */
function link(object) {
  const pages = { contact: 'contacts', organization: 'organizations', meeting: 'meetings' };
  return pages[object.type] && object.id != null ? h('a', { href: `#/${pages[object.type]}/${object.id}` }, object.name) : null;
}

export async function render(root) {
  const report = (await get(scoped('/focus'))).data;
  add(root, h('h1', null, 'Where to focus'),
    h('p', { class: 'sub' }, 'Your areas side by side on what the search has found so far. Areas where you have met three people or more come first, then by score out of 100: ',
      PARTS.map(([, label, points], n) => `${n ? ', ' : ''}${label.toLowerCase()} ${points}`).join(''), '.'),
    h('p', null, h('button', { type: 'button', class: 'link', onclick: (e) => guarded(e.target, () => download(scoped('/focus'), 'Where to focus.md', 'text/markdown')) },
      'Download as a document (Markdown)')));
  if (!report.areas.length) {
    add(root, h('p', { class: 'empty' }, 'No areas yet. ', h('a', { href: '#/areas' }, 'Name the first field you want to learn about'), '.'));
    return;
  }
  for (const area of report.areas) {
    const title = `${area.rank}. ${area.name}`;
    const early = area.evidence.status === 'too_early';
    const body = section(title,
      h('p', null, early ? badge(`Too early to say: ${area.score} of 100`, 'warn') : badge(`${area.score} of 100`, 'score'), ' ', pace(area.pace), ' ',
        h('a', { href: `#/areas/${area.interest_id}` }, 'The area\'s report')),
      h('ul', { class: 'facts' }, area.reasons.map((r) => h('li', null, r))),
      scroller(`Score of ${area.name}`, h('table', null,
        h('thead', null, h('tr', null, PARTS.map(([, label]) => h('th', { scope: 'col' }, label)))),
        h('tbody', null, h('tr', null, PARTS.map(([key, , points]) => h('td', null, `${area.score_parts[key]} of ${points}`)))))),
      area.fit.gaps.length ? h('p', null, 'Gaps: ', area.fit.gaps.map((g) => `${g.name} (${g.people} ${g.people === 1 ? 'person' : 'people'})`).join(', ')) : null,
      h('h3', null, 'Next steps'),
      area.next_steps.length
        ? h('ol', { class: 'steps' }, area.next_steps.map((step) => {
          const links = step.objects.map(link).filter(Boolean);
          return h('li', { class: `step kind-${step.kind}` }, step.text, links.length ? [' (', links.map((a, n) => [n ? ', ' : '', a]), ')'] : null);
        }))
        : h('p', { class: 'empty' }, 'None: keep going.'));
    add(root, body);
  }
}
