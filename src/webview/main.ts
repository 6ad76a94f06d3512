/**
 * The sidebar's entry point (bundled into media/dist/webview.js). Restores the saved UI state,
 * says `ready`, and builds the UI when the extension answers with `init` (which carries the
 * localized strings: the webview has no text of its own).
 */
import { PROTOCOL_VERSION, type FileRef, type SearchResult, type StringKey, type ToWebviewMessage } from '../protocol/messages';
import { Host } from './host';
import { persisted, reduce, restore, type Action, type ViewState } from './state';
import type { ViewContext } from './views/context';
import { createRelatedView } from './views/related';
import { createSearchView } from './views/search';
import { createTagsView } from './views/tags';
import { createTopicsView } from './views/topics';

const SEARCH_DEBOUNCE_MS = 150;

interface View {
  update(s: ViewState, prev: ViewState | undefined): void;
}

let state: ViewState;
let views: View[] = [];
let rendered: ViewState | undefined;
let searchTimer: ReturnType<typeof setTimeout> | undefined;

const host = new Host((m: Exclude<ToWebviewMessage, { type: 'reply' }>) => {
  dispatch(m);
  if (m.type === 'init') build();
  // A query pushed by the extension (QuickPick → sidebar, Search for Selection) runs at once.
  if (m.type === 'setQuery') runSearch();
  // The index or the provider changed: results on screen may be gone or ranked differently.
  if (m.type === 'refreshSearch' && state.query.trim() && views.length) runSearch();
});
state = restore(host.getState());

function dispatch(a: Action): void {
  state = reduce(state, a);
  host.setState(persisted(state));
  render();
}

function render(): void {
  if (!views.length) return;
  const prev = rendered;
  rendered = state;
  for (const v of views) v.update(state, prev);
}

function t(key: StringKey, ...args: string[]): string {
  const s = state.strings?.[key] ?? '';
  return args.reduce((acc, a, i) => acc.replace(`{${i}}`, a), s);
}

function open(ref: FileRef, side: boolean): void {
  host.post({ type: 'open', ref: { folder: ref.folder, path: ref.path, startLine: ref.startLine, endLine: ref.endLine, ...(ref.startColumn !== undefined ? { startColumn: ref.startColumn, endColumn: ref.endColumn } : {}) }, side });
}

/** Sends the current query; the previous request is cancelled, and its late reply is dropped. */
function runSearch(): void {
  if (searchTimer) clearTimeout(searchTimer);
  searchTimer = undefined;
  if (state.pendingId !== undefined) host.cancel(state.pendingId);
  const query = state.query.trim();
  if (!query) {
    dispatch({ type: 'clear' });
    return;
  }
  const { id, result } = host.request<SearchResult>({ type: 'search', query, filter: state.filter });
  dispatch({ type: 'searching', id });
  result.then(
    (r) => dispatch({ type: 'searchDone', id, query: r.query, items: r.items, note: r.note, noteAction: r.noteAction, waiting: r.waiting }),
    (e: unknown) => dispatch({ type: 'searchFailed', id, error: e instanceof Error ? e.message : String(e) }),
  );
}

function scheduleSearch(): void {
  if (searchTimer) clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, SEARCH_DEBOUNCE_MS);
}

/** Builds the UI once per document (the first `init`); later inits only update state. */
function build(): void {
  if (views.length) return render();
  const ctx: ViewContext = { host, state: () => state, dispatch, t, open };
  const search = createSearchView(ctx, scheduleSearch);
  const topics = createTopicsView(ctx);
  const tags = createTagsView(ctx);
  const related = createRelatedView(ctx);
  const app = document.getElementById('app')!;
  app.append(search.root, topics.root, tags.root, related.root);
  views = [search, topics, tags, related];
  render();
  // Restored results may be stale (files changed while hidden): refresh them quietly.
  if (state.query.trim()) runSearch();
  document.getElementById('query')?.focus();
}

host.post({ type: 'ready', version: PROTOCOL_VERSION });
