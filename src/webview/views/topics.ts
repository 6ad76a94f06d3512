/**
 * Topics: the topic list (name, keywords, members) and a 2-D map drawn as an inline SVG scatter
 * (hover shows the title, click or Enter opens the note). Colours come from the theme's chart
 * palette, outliers use the description colour.
 */
import type { TopicsView } from '../../protocol/messages';
import { clear, h, svg } from '../dom';
import type { ViewState } from '../state';
import { actionButton, section, syncCollapsed, type ViewContext } from './context';

const PALETTE = 6; // --vscode-charts-{blue,red,green,yellow,orange,purple}

function map(ctx: ViewContext, view: TopicsView): SVGElement {
  const size = 100, pad = 4;
  const root = svg('svg', { class: 'topic-map', viewBox: `0 0 ${size} ${size}`, role: 'img', 'aria-label': ctx.t('topicMap'), 'data-testid': 'topic-map' });
  root.append(svg('title', {}, ctx.t('topicMap')));
  for (const p of view.points) {
    const cx = pad + p.x * (size - 2 * pad);
    const cy = pad + (1 - p.y) * (size - 2 * pad);
    const cls = p.topic < 0 ? 'pt pt-outlier' : `pt pt-${p.topic % PALETTE}`;
    const c = svg('circle', { cx: cx.toFixed(2), cy: cy.toFixed(2), r: 1.8, class: cls, tabindex: 0, role: 'button', 'aria-label': p.title }, svg('title', {}, p.title));
    c.addEventListener('click', (e) => ctx.open(p.ref, (e as MouseEvent).altKey || (e as MouseEvent).ctrlKey));
    c.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') ctx.open(p.ref, false);
    });
    root.append(c);
  }
  return root;
}

function topicList(ctx: ViewContext, view: TopicsView): HTMLElement {
  const ul = h('ul', { class: 'topics', 'data-testid': 'topic-list' });
  for (const topic of view.topics) {
    const members = h('ul', { class: 'members', 'aria-label': ctx.t('members') });
    for (const m of topic.members) {
      const a = h('a', { href: '#', class: 'link', title: m.path }, m.title);
      a.addEventListener('click', (e) => {
        e.preventDefault();
        ctx.open(m, e.altKey || e.ctrlKey || e.metaKey);
      });
      members.append(h('li', {}, a));
    }
    const details = h('details', { class: 'topic', 'data-topic': topic.id },
      h('summary', {}, h('span', { class: `swatch pt-${topic.id % PALETTE}`, 'aria-hidden': 'true' }), h('span', { class: 'topic-name' }, topic.name), h('span', { class: 'badge' }, String(topic.size))),
      h('div', { class: 'terms' }, ...topic.terms.map((term) => h('span', { class: 'chip' }, term))),
      members);
    ul.append(h('li', {}, details));
  }
  return ul;
}

export function createTopicsView(ctx: ViewContext): { root: HTMLElement; update(s: ViewState, prev?: ViewState): void } {
  const sec = section(ctx, 'topics', 'topics', [
    actionButton(ctx.t('clusterNotes'), () => ctx.host.post({ type: 'runCommand', command: 'clusterNotes' }), 'cluster-notes'),
    actionButton(ctx.t('findOutliers'), () => ctx.host.post({ type: 'runCommand', command: 'findOutliers' }), 'find-outliers'),
  ]);
  return {
    root: sec.root,
    update(s, prev) {
      syncCollapsed(s, 'topics', sec);
      if (s.topics === prev?.topics && prev) return;
      clear(sec.body);
      if (!s.topics || s.topics.topics.length === 0) {
        sec.body.append(h('div', { class: 'message' }, ctx.t('noTopics')));
        return;
      }
      if (s.topics.points.length) sec.body.append(map(ctx, s.topics));
      sec.body.append(topicList(ctx, s.topics));
    },
  };
}
