/**
 * Topics: the topic list (name, keywords, representative, members with scores), an explicit
 * Outliers group, and a 2-D map drawn as an inline SVG scatter from the core's x/y (hover shows
 * the title, click or Enter opens the note). Colours come from the theme's chart palette, outliers
 * use the description colour. Tagging asks the extension, which previews every edit as a diff.
 */
import type { TopicMember, TopicsView, TopicView } from '../../protocol/messages';
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
    const c = svg('circle', { cx: cx.toFixed(2), cy: cy.toFixed(2), r: 1.8, class: cls, tabindex: 0, role: 'button', 'aria-label': p.title, 'data-testid': 'map-point' }, svg('title', {}, p.title));
    c.addEventListener('click', (e) => ctx.open(p.ref, (e as MouseEvent).altKey || (e as MouseEvent).ctrlKey));
    c.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') ctx.open(p.ref, false);
    });
    root.append(c);
  }
  return root;
}

function memberItem(ctx: ViewContext, m: TopicMember, extra: string, topic?: TopicView): HTMLElement {
  const a = h('a', { href: '#', class: 'link', title: m.title }, m.title);
  a.addEventListener('click', (e) => {
    e.preventDefault();
    ctx.open(m, e.altKey || e.ctrlKey || e.metaKey);
  });
  const li = h('li', { class: 'member' }, a, h('span', { class: 'score', title: extra }, m.score.toFixed(3)));
  if (topic && /\.(md|markdown|mdx)$/i.test(m.path)) {
    const tag = h('button', { type: 'button', class: 'icon-button', title: ctx.t('addNoteTag'), 'aria-label': ctx.t('addNoteTag'), 'data-testid': 'member-tag' }, '#');
    tag.addEventListener('click', () => ctx.host.post({ type: 'addTopicTag', topic: topic.id, ref: { folder: m.folder, path: m.path } }));
    li.append(tag);
  }
  return li;
}

function topicItem(ctx: ViewContext, topic: TopicView): HTMLElement {
  const members = h('ul', { class: 'members', 'aria-label': ctx.t('members') });
  for (const m of topic.members) members.append(memberItem(ctx, m, ctx.t('score'), topic));
  const tag = actionButton(ctx.t('addTopicTag'), () => ctx.host.post({ type: 'addTopicTag', topic: topic.id }), 'topic-tag');
  const details = h('details', { class: 'topic', 'data-topic': topic.id, 'data-testid': 'topic' },
    h('summary', {}, h('span', { class: `swatch pt-${topic.id % PALETTE}`, 'aria-hidden': 'true' }), h('span', { class: 'topic-name' }, topic.name), h('span', { class: 'badge', title: ctx.t('notesCount', String(topic.size)) }, String(topic.size))),
    h('div', { class: 'terms' }, ...topic.terms.map((term) => h('span', { class: 'chip' }, term))),
    h('div', { class: 'representative' }, `${ctx.t('representative')}: `, h('span', { class: 'rep-path' }, topic.representative)),
    members,
    h('div', { class: 'row' }, tag));
  return h('li', {}, details);
}

function outlierGroup(ctx: ViewContext, view: TopicsView): HTMLElement {
  const list = h('ul', { class: 'members', 'aria-label': ctx.t('outliers') });
  for (const o of view.outliers) list.append(memberItem(ctx, o, o.nearest ? ctx.t('nearestTopic', o.nearest) : ctx.t('score')));
  return h('details', { class: 'topic outliers', 'data-testid': 'topic-outliers', open: view.outliers.length > 0 && view.outliers.length <= 10 },
    h('summary', {}, h('span', { class: 'swatch pt-outlier-swatch', 'aria-hidden': 'true' }), h('span', { class: 'topic-name' }, ctx.t('outliers')), h('span', { class: 'badge' }, String(view.outliers.length))),
    view.outliers.length ? list : h('div', { class: 'message' }, ctx.t('noOutliers')));
}

export function createTopicsView(ctx: ViewContext): { root: HTMLElement; update(s: ViewState, prev?: ViewState): void } {
  const sec = section(ctx, 'topics', 'topics', [
    actionButton(ctx.t('clusterNotes'), () => ctx.host.post({ type: 'runCommand', command: 'clusterNotes' }), 'cluster-notes'),
    actionButton(ctx.t('findOutliers'), () => ctx.host.post({ type: 'runCommand', command: 'findOutliers' }), 'find-outliers'),
    actionButton(ctx.t('findDuplicates'), () => ctx.host.post({ type: 'runCommand', command: 'findDuplicates' }), 'find-duplicates'),
    actionButton(ctx.t('exportReport'), () => ctx.host.post({ type: 'runCommand', command: 'exportTopicReport' }), 'export-topics'),
  ]);
  return {
    root: sec.root,
    update(s, prev) {
      syncCollapsed(s, 'topics', sec);
      if (s.topics === prev?.topics && prev) return;
      clear(sec.body);
      const view = s.topics;
      if (!view || (view.topics.length === 0 && view.outliers.length === 0)) {
        sec.body.classList.remove('stale');
        sec.body.append(h('div', { class: 'message', 'data-testid': 'topics-empty' }, ctx.t('noTopics')));
        return;
      }
      sec.body.classList.toggle('stale', !!view.stale);
      if (view.stale) sec.body.append(h('div', { class: 'note', role: 'status', 'data-testid': 'topics-stale' }, ctx.t('topicsStale')));
      if (view.offline) sec.body.append(h('div', { class: 'note', 'data-testid': 'topics-offline' }, ctx.t('topicsOffline')));
      if (view.points.length) sec.body.append(map(ctx, view));
      const ul = h('ul', { class: 'topics', 'data-testid': 'topic-list' }, ...view.topics.map((t) => topicItem(ctx, t)));
      ul.append(h('li', {}, outlierGroup(ctx, view)));
      sec.body.append(ul);
      // New topics (from the palette's Cluster Notes too) are shown, not left below the results.
      if (prev && prev.topics !== s.topics && !view.stale) sec.root.scrollIntoView({ block: 'start' });
    },
  };
}
