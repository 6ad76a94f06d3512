/**
 * Tags: every label's zero-shot score, ranked, with its independent confidence and the threshold
 * used (matched labels pre-checked), where the labels came from, and Apply. Offline the scores are
 * keyword overlap, and the section says so.
 */
import { clear, h } from '../dom';
import type { ViewState } from '../state';
import { actionButton, section, syncCollapsed, type ViewContext } from './context';

export function createTagsView(ctx: ViewContext): { root: HTMLElement; update(s: ViewState, prev?: ViewState): void } {
  const sec = section(ctx, 'tags', 'tags', [
    actionButton(ctx.t('classifySelection'), () => ctx.host.post({ type: 'runCommand', command: 'classifySelection' }), 'classify-selection'),
  ]);
  const feedback = h('div', { class: 'message', role: 'status', 'data-testid': 'tags-feedback' });

  const apply = async (): Promise<void> => {
    const s = ctx.state();
    if (!s.tags) return;
    const labels = s.tags.scores.map((x) => x.label).filter((l) => s.tagChecks[l]);
    feedback.textContent = '';
    try {
      const r = await ctx.host.request<{ applied: number }>({ type: 'applyTags', target: s.tags.target, labels }).result;
      feedback.textContent = r.applied ? ctx.t('tagsApplied', labels.join(', ')) : '';
    } catch (e) {
      feedback.textContent = `${ctx.t('error')}: ${e instanceof Error ? e.message : String(e)}`;
    }
  };

  return {
    root: sec.root,
    update(s, prev) {
      syncCollapsed(s, 'tags', sec);
      if (prev && s.tags === prev.tags && s.tagChecks === prev.tagChecks) return;
      // "Tags added: …" belongs to the classification it was applied from, and only while it is live.
      if (!prev || prev.tags !== s.tags) feedback.textContent = '';
      clear(sec.body);
      const view = s.tags;
      if (!view || view.scores.length === 0) {
        sec.body.classList.remove('stale');
        sec.body.append(h('div', { class: 'message', 'data-testid': 'tags-empty' }, ctx.t('noTags')));
        return;
      }
      sec.body.classList.toggle('stale', !!view.stale);
      const target = h('a', { href: '#', class: 'link target' }, view.title);
      target.addEventListener('click', (e) => {
        e.preventDefault();
        ctx.open(view.target, false);
      });
      const threshold = view.threshold.toFixed(2);
      const mode = h('div', { class: view.mode === 'keyword-overlap' ? 'note' : 'subtitle', 'data-testid': 'tags-mode', 'data-mode': view.mode },
        view.mode === 'keyword-overlap' ? ctx.t('tagsOffline', threshold) : ctx.t('tagsEmbedding', threshold));
      const sources = h('div', { class: 'subtitle' }, ctx.t('labelSources', String(view.sources.setting), String(view.sources.file), String(view.sources.frontmatter)));
      const table = h('table', { class: 'tag-scores', 'data-testid': 'tag-scores' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, ctx.t('matched'))),
          h('th', { scope: 'col' }, ctx.t('tags')),
          h('th', { scope: 'col' }, ctx.t('score')),
          h('th', { scope: 'col' }, ctx.t('confidence')))));
      const body = h('tbody', {});
      view.scores.forEach((x, i) => {
        const id = `tag-${i}`;
        const box = h('input', { type: 'checkbox', id, checked: !!s.tagChecks[x.label], disabled: !!view.stale, 'data-testid': 'tag-check' });
        box.addEventListener('change', () => ctx.dispatch({ type: 'check', label: x.label, checked: box.checked }));
        // Width through CSSOM: the CSP forbids inline style attributes.
        const fill = h('span', { class: 'bar-fill' });
        fill.style.width = `${Math.round(Math.max(0, Math.min(1, x.confidence)) * 100)}%`;
        const bar = h('span', { class: 'bar', 'aria-hidden': 'true' }, fill);
        body.append(h('tr', { class: x.matched ? 'matched' : '', title: x.description ?? '', 'data-testid': 'tag-row', 'data-label': x.label },
          h('td', {}, box),
          h('td', {}, h('label', { for: id }, x.label)),
          h('td', { class: 'score' }, x.score.toFixed(3)),
          h('td', { class: 'confidence' }, bar, h('span', { class: 'score' }, `${Math.round(x.confidence * 100)}%`))));
      });
      table.append(body);
      const applyBtn = actionButton(ctx.t('apply'), () => void apply(), 'apply-tags');
      applyBtn.classList.add('primary');
      // Applying to a file that is not in front of the user would edit it out of sight.
      applyBtn.disabled = !!view.stale;
      const stale = view.stale ? h('div', { class: 'note', role: 'status', 'data-testid': 'tags-stale' }, ctx.t('tagsStale', view.title)) : null;
      sec.body.append(stale ?? '', target, mode, sources, table, h('div', { class: 'row' }, applyBtn), feedback);
      // A fresh classification (from the editor's context menu) is what the user wants to see now:
      // bring the section into view instead of leaving it below the search results.
      if (prev && prev.tags !== s.tags && !view.stale && !(prev.tags && prev.tags.stale)) sec.root.scrollIntoView({ block: 'start' });
    },
  };
}
