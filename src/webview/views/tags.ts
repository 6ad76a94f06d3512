/** Tags: zero-shot scores for the classified selection, with checkboxes and Apply. */
import { clear, h } from '../dom';
import type { ViewState } from '../state';
import { actionButton, section, syncCollapsed, type ViewContext } from './context';

export function createTagsView(ctx: ViewContext): { root: HTMLElement; update(s: ViewState, prev?: ViewState): void } {
  const sec = section(ctx, 'tags', 'tags', [
    actionButton(ctx.t('classifySelection'), () => ctx.host.post({ type: 'runCommand', command: 'classifySelection' }), 'classify-selection'),
  ]);
  const feedback = h('div', { class: 'message', role: 'status' });

  const apply = async (): Promise<void> => {
    const s = ctx.state();
    if (!s.tags) return;
    const labels = s.tags.scores.map((x) => x.label).filter((l) => s.tagChecks[l]);
    feedback.textContent = '';
    try {
      const r = await ctx.host.request<{ applied: number }>({ type: 'applyTags', target: s.tags.target, labels }).result;
      feedback.textContent = r.applied ? `✓ ${labels.join(', ')}` : '';
    } catch (e) {
      feedback.textContent = `${ctx.t('error')}: ${e instanceof Error ? e.message : String(e)}`;
    }
  };

  return {
    root: sec.root,
    update(s, prev) {
      syncCollapsed(s, 'tags', sec);
      if (prev && s.tags === prev.tags && s.tagChecks === prev.tagChecks) return;
      clear(sec.body);
      if (!s.tags || s.tags.scores.length === 0) {
        sec.body.append(h('div', { class: 'message' }, ctx.t('noTags')));
        return;
      }
      const target = h('a', { href: '#', class: 'link target' }, s.tags.title);
      const tagsTarget = s.tags.target;
      target.addEventListener('click', (e) => {
        e.preventDefault();
        ctx.open(tagsTarget, false);
      });
      const list = h('ul', { class: 'tag-scores', 'data-testid': 'tag-scores' });
      const max = Math.max(...s.tags.scores.map((x) => x.score), 1e-9);
      s.tags.scores.forEach((x, i) => {
        const id = `tag-${i}`;
        const box = h('input', { type: 'checkbox', id, checked: !!s.tagChecks[x.label] });
        box.addEventListener('change', () => ctx.dispatch({ type: 'check', label: x.label, checked: box.checked }));
        const bar = h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: 'bar-fill', style: `width:${Math.max(0, (x.score / max) * 100).toFixed(0)}%` }));
        list.append(h('li', { title: x.description ?? '' }, box, h('label', { for: id }, x.label), bar, h('span', { class: 'score', title: ctx.t('score') }, x.score.toFixed(3))));
      });
      const applyBtn = actionButton(ctx.t('apply'), () => void apply(), 'apply-tags');
      applyBtn.classList.add('primary');
      sec.body.append(target, list, h('div', { class: 'row' }, applyBtn), feedback);
    },
  };
}
