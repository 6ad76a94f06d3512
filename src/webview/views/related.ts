/** Related files for the active editor, with pin (kept on top) and hide (never shown again). */
import { clear, h, svg } from '../dom';
import type { ViewState } from '../state';
import { section, syncCollapsed, type ViewContext } from './context';

/** A pushpin drawn in the current text colour (no icon font needed). */
function pinIcon(): SVGElement {
  return svg('svg', { viewBox: '0 0 16 16', width: 14, height: 14, 'aria-hidden': 'true' }, svg('path', { d: 'M5 1h6v1l-1 1v4l2 2v1H8.5v5h-1v-5H4V9l2-2V3L5 2z', fill: 'currentColor' }));
}

export function createRelatedView(ctx: ViewContext): { root: HTMLElement; update(s: ViewState, prev?: ViewState): void } {
  const sec = section(ctx, 'related', 'related');
  return {
    root: sec.root,
    update(s, prev) {
      syncCollapsed(s, 'related', sec);
      if (prev && s.related === prev.related) return;
      clear(sec.body);
      const view = s.related;
      if (!view || view.items.length === 0) {
        const empty = view?.empty ?? (view?.forTitle ? 'none' : 'noFile');
        const text = !view?.forTitle || empty === 'noFile' ? ctx.t('noRelated')
          : empty === 'noIndex' ? ctx.t('relatedNoIndex', view.forTitle)
          : empty === 'notIndexed' ? ctx.t('relatedNotIndexed', view.forTitle)
          : ctx.t('relatedNone', view.forTitle);
        sec.body.append(h('div', { class: 'message', 'data-testid': 'related-empty', 'data-empty': empty }, text));
        return;
      }
      if (view.forTitle) sec.body.append(h('div', { class: 'subtitle' }, ctx.t('relatedFor', view.forTitle)));
      const ul = h('ul', { class: 'related-list', 'data-testid': 'related-list' });
      for (const item of view.items) {
        const a = h('a', { href: '#', class: 'link', title: item.ref.path }, item.title);
        a.addEventListener('click', (e) => {
          e.preventDefault();
          ctx.open(item.ref, e.altKey || e.ctrlKey || e.metaKey);
        });
        const pin = h('button', { type: 'button', class: `icon-button${item.pinned ? ' on' : ''}`, title: item.pinned ? ctx.t('unpin') : ctx.t('pin'), 'aria-label': item.pinned ? ctx.t('unpin') : ctx.t('pin'), 'aria-pressed': String(item.pinned), 'data-testid': 'pin' }, pinIcon());
        pin.addEventListener('click', () => ctx.host.post({ type: 'pinRelated', ref: item.ref, pinned: !item.pinned }));
        const hide = h('button', { type: 'button', class: 'icon-button', title: ctx.t('hide'), 'aria-label': ctx.t('hide'), 'data-testid': 'hide' }, '×');
        hide.addEventListener('click', () => ctx.host.post({ type: 'hideRelated', ref: item.ref }));
        ul.append(h('li', { class: item.pinned ? 'pinned' : '' }, a, item.score ? h('span', { class: 'score' }, item.score.toFixed(3)) : null, pin, hide));
      }
      sec.body.append(ul);
    },
  };
}
