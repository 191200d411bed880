import { h, add } from '../dom.js';
import { all, scoped, del } from '../api.js';
import { resourceForm, section, guarded, flash } from '../ui.js';
import { go } from '../router.js';

export const TIARA = [['trends', 'Trends'], ['insights', 'Insights'], ['advice', 'Advice'], ['resources', 'Resources'], ['assignments', 'Assignments'], ['other', 'Other']];

export async function render(root, ctx) {
  const questions = await all(scoped('/questions'), { sort: 'created_at' });
  add(root, h('h1', null, 'Questions'),
    h('p', { class: 'sub' }, 'Your bank, by TIARA: trends, insights, advice, resources, assignments. Tailor them to each person in the meeting\'s agenda.'));
  if (!ctx.readOnly) {
    add(root, section('New question', resourceForm({ label: 'New question', createPath: '/questions', fields: [
      { name: 'text', label: 'Question', type: 'textarea', rows: 2, required: true },
      { name: 'category', label: 'Category', type: 'select', options: TIARA, default: 'trends' },
      { name: 'tags', label: 'Tags (comma-separated)', type: 'tags' },
    ], onSaved: () => { flash('Question added.'); go('/questions'); } }).form));
  }
  for (const [category, label] of TIARA) {
    const mine = questions.filter((q) => q.category === category);
    add(root, section(label, mine.length ? h('ul', { class: 'list' }, mine.map((q) => h('li', null, q.text,
      q.tags.length ? h('span', { class: 'muted' }, ` (${q.tags.join(', ')})`) : null, ' ',
      ctx.readOnly ? null : h('button', { type: 'button', class: 'link', 'aria-label': `Delete question: ${q.text}`, onclick: (e) => guarded(e.target, async () => {
        await del(`/questions/${q.id}`);
        e.target.closest('li').remove();
      }) }, 'Delete')))) : h('p', { class: 'empty' }, `No ${label.toLowerCase()} questions yet.`)));
  }
}
