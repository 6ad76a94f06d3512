/**
 * Search box, filters and the results listbox. Keyboard: ↓ from the box enters the list, ↑/↓/
 * Home/End move, Enter opens (Alt/Ctrl+Enter to the side), Escape or ↑ at the top returns to the
 * box. The list uses aria-activedescendant so focus stays on the listbox itself.
 */
import type { KindFilter, ResultItem } from '../../protocol/messages';
import { clear, h } from '../dom';
import { highlightParts } from '../highlight';
import type { ViewState } from '../state';
import { section, syncCollapsed, type ViewContext } from './context';

export interface SearchView {
  readonly root: HTMLElement;
  update(s: ViewState, prev: ViewState | undefined): void;
}

function snippetNode(text: string, terms: readonly string[]): HTMLElement {
  const pre = h('pre', { class: 'snippet' });
  for (const p of highlightParts(text, terms)) pre.append(p.match ? h('mark', {}, p.text) : document.createTextNode(p.text));
  return pre;
}

function resultNode(ctx: ViewContext, r: ResultItem, i: number, multiRoot: boolean): HTMLElement {
  const t = ctx.t;
  const title = r.symbol || r.path.split('/').pop() || r.path;
  const why: string[] = [];
  if (r.terms.length) why.push(`${t('matchedTerms')}: ${r.terms.join(', ')}`);
  if (r.vectorScore !== undefined) why.push(`${t('vectorScore')}: ${r.vectorScore.toFixed(3)}`);
  if (r.keywordScore !== undefined) why.push(`${t('keywordScore')}: ${r.keywordScore.toFixed(2)}`);
  const el = h(
    'div',
    { class: 'result', role: 'option', id: `result-${i}`, 'data-testid': 'result', 'aria-selected': 'false', 'data-index': i },
    h('div', { class: 'result-head' },
      h('span', { class: `kind kind-${r.kind}`, 'aria-hidden': 'true' }, r.kind === 'code' ? '{ }' : '¶'),
      h('span', { class: 'result-title' }, title),
      h('span', { class: 'score', title: t('score') }, r.score.toFixed(3))),
    h('div', { class: 'result-path' }, `${multiRoot ? `${r.folderName}/` : ''}${r.path}:${r.startLine}`),
    r.snippet ? snippetNode(r.snippet, r.terms) : null,
    why.length ? h('div', { class: 'why', title: t('why') }, why.join(' · ')) : null,
  );
  el.addEventListener('click', (e) => {
    ctx.dispatch({ type: 'select', index: i });
    ctx.open(r, e.altKey || e.ctrlKey || e.metaKey);
  });
  return el;
}

export function createSearchView(ctx: ViewContext, onSearch: () => void): SearchView {
  const t = ctx.t;
  const status = h('div', { class: 'status', id: 'status', role: 'status', 'aria-live': 'polite' });
  const query = h('input', { id: 'query', 'data-testid': 'query', type: 'search', placeholder: t('searchPlaceholder'), 'aria-label': t('searchLabel'), 'aria-controls': 'results', spellcheck: 'false', autocomplete: 'off' });
  const kind = h('select', { id: 'filter-kind', 'data-testid': 'filter-kind', 'aria-label': t('filters') },
    h('option', { value: 'all' }, t('kindAll')), h('option', { value: 'code' }, t('kindCode')), h('option', { value: 'doc' }, t('kindDoc')));
  const glob = h('input', { id: 'filter-glob', 'data-testid': 'filter-glob', type: 'text', placeholder: t('globPlaceholder'), title: t('globPlaceholder'), 'aria-label': t('globPlaceholder'), spellcheck: 'false' });
  const language = h('input', { id: 'filter-language', 'data-testid': 'filter-language', type: 'text', placeholder: t('languagePlaceholder'), title: t('languagePlaceholder'), 'aria-label': t('languagePlaceholder'), spellcheck: 'false' });
  // The glob's hint is the long one: it gets a row of its own, so no placeholder is cut off at the
  // sidebar's default width (kind and language share the first row).
  const filters = h('div', { class: 'filters', role: 'group', 'aria-label': t('filters') }, kind, language, glob);
  const list = h('div', { id: 'results', 'data-testid': 'results', role: 'listbox', tabindex: '0', 'aria-label': t('results') });
  const message = h('div', { class: 'message', id: 'results-message' });
  const coverageNote = h('div', { class: 'coverage-note', 'data-testid': 'coverage-note', role: 'note' });
  const sec = section(ctx, 'results', 'results');
  // Keyword-only results (the endpoint failed) say so above the list, with Set API Key when the key was refused.
  const note = h('div', { class: 'message warning', 'data-testid': 'search-note', role: 'status', hidden: '' });
  sec.body.append(message, coverageNote, note, list);
  const root = h('div', { class: 'search' }, status, h('div', { class: 'query-row' }, query), filters, sec.root);

  const changedFilter = (): void => {
    ctx.dispatch({ type: 'filter', filter: { kind: kind.value as KindFilter, glob: glob.value.slice(0, 500), language: language.value.trim().slice(0, 64) } });
    onSearch();
  };
  query.addEventListener('input', () => {
    ctx.dispatch({ type: 'query', query: query.value.slice(0, 1000) });
    onSearch();
  });
  kind.addEventListener('change', changedFilter);
  glob.addEventListener('input', changedFilter);
  language.addEventListener('input', changedFilter);

  const openSelected = (side: boolean): void => {
    const s = ctx.state();
    const r = s.results[s.selected];
    if (r) ctx.open(r, side);
  };
  query.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && ctx.state().results.length) {
      e.preventDefault();
      ctx.dispatch({ type: 'select', index: Math.max(0, ctx.state().selected) });
      list.focus();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      openSelected(e.altKey || e.ctrlKey || e.metaKey);
    }
  });
  list.addEventListener('keydown', (e) => {
    const s = ctx.state();
    const n = s.results.length;
    const move = (i: number): void => {
      e.preventDefault();
      ctx.dispatch({ type: 'select', index: i });
    };
    switch (e.key) {
      case 'ArrowDown': return move(s.selected + 1);
      case 'ArrowUp':
        if (s.selected <= 0) {
          e.preventDefault();
          query.focus();
          return;
        }
        return move(s.selected - 1);
      case 'Home': return move(0);
      case 'End': return move(n - 1);
      case 'Enter':
        e.preventDefault();
        return openSelected(e.altKey || e.ctrlKey || e.metaKey);
      case 'Escape':
        e.preventDefault();
        query.focus();
        return;
    }
  });

  return {
    root,
    update(s, prev) {
      if (query.value !== s.query) query.value = s.query;
      if (kind.value !== s.filter.kind) kind.value = s.filter.kind;
      if (glob.value !== s.filter.glob) glob.value = s.filter.glob;
      if (language.value !== s.filter.language) language.value = s.filter.language;
      if (s.status !== prev?.status && s.status) {
        const st = s.status;
        const cov = st.coverage;
        // "Up to date" only for a complete index; a partial one says what is in, of what, and why.
        const text = st.state === 'indexing' ? `${t('statusIndexing')} ${st.progress?.text ?? ''}`
          : st.state === 'ready' ? `${t('statusReady')} · ${t('chunksCount', st.chunks.toLocaleString())} · ${st.label}`
          : st.state === 'incomplete' && cov ? t('statusIncomplete', cov.filesIndexed.toLocaleString(), cov.filesTotal.toLocaleString(), cov.reasonText ?? '')
          : st.state === 'error' ? `${t('statusError')}: ${st.message ?? ''}`
          : t('statusNoIndex');
        clear(status);
        const line = h('span', { class: 'status-text', 'data-testid': 'status-text' }, text);
        if (st.state === 'incomplete') {
          // "Incomplete: N of M files — reason · Resume": the action reads as part of the line.
          const b = h('button', { class: 'link-button', type: 'button', 'data-testid': 'resume' }, t('resume'));
          b.addEventListener('click', () => ctx.host.post({ type: 'runCommand', command: 'indexWorkspace' }));
          line.append(' · ', b);
        }
        status.append(h('span', { class: `dot dot-${st.state}`, 'aria-hidden': 'true' }), line);
        if (st.restricted) status.append(h('div', { class: 'restricted' }, t('restricted')));
        // The team index's outcome (localized by the host); a failure says why and that search stays local.
        if (st.team) status.append(h('div', { class: st.team.ok ? 'team' : 'team error', 'data-testid': 'team-status', title: st.team.detail }, st.team.ok ? st.team.text : `${st.team.text}: ${st.team.detail}`));
        if (st.state === 'noIndex') {
          const b = h('button', { class: 'action', type: 'button', 'data-testid': 'index-now' }, t('indexWorkspace'));
          b.addEventListener('click', () => ctx.host.post({ type: 'runCommand', command: 'indexWorkspace' }));
          status.append(b);
        }
        status.dataset.state = st.state;
      }
      syncCollapsed(s, 'results', sec);
      const multiRoot = s.folders.length > 1;
      if (s.results !== prev?.results || s.folders !== prev?.folders) {
        clear(list);
        s.results.forEach((r, i) => list.append(resultNode(ctx, r, i, multiRoot)));
      }
      message.textContent = s.pendingId !== undefined ? t('searching')
        : s.error ? s.error
        : !s.query.trim() ? t('typeToSearch')
        : s.resultsFor && s.results.length === 0 && !s.waiting ? t('noResults')
        : '';
      message.classList.toggle('error', !!s.error && s.pendingId === undefined);
      // Results over an incomplete index say so, next to them.
      const cov = s.status?.state === 'incomplete' ? s.status.coverage : undefined;
      coverageNote.textContent = cov && s.resultsFor && s.results.length > 0 ? t('coverageNote', cov.filesIndexed.toLocaleString(), cov.filesTotal.toLocaleString()) : '';
      coverageNote.hidden = !coverageNote.textContent;
      if (s.note !== prev?.note || s.noteAction !== prev?.noteAction || s.waiting !== prev?.waiting) {
        clear(note);
        note.hidden = !s.note;
        // "The first index is being built" is news: plain, not flagged like a degraded search.
        note.classList.toggle('warning', !s.waiting);
        if (s.note) {
          note.append(s.note);
          if (s.noteAction === 'setApiKey') {
            const b = h('button', { class: 'action', type: 'button', 'data-testid': 'note-set-key' }, t('setApiKey'));
            b.addEventListener('click', () => ctx.host.post({ type: 'runCommand', command: 'setApiKey' }));
            note.append(' ', b);
          }
        }
      }
      root.setAttribute('aria-busy', String(s.pendingId !== undefined));
      if (s.selected !== prev?.selected || s.results !== prev?.results) {
        list.querySelectorAll('.result[aria-selected="true"]').forEach((el) => el.setAttribute('aria-selected', 'false'));
        const sel = list.querySelector<HTMLElement>(`#result-${s.selected}`);
        if (sel) {
          sel.setAttribute('aria-selected', 'true');
          list.setAttribute('aria-activedescendant', sel.id);
          sel.scrollIntoView({ block: 'nearest' });
        } else list.removeAttribute('aria-activedescendant');
      }
    },
  };
}
