/**
 * The sidebar's state and the one reducer that changes it. Pure (no DOM), so it is unit-tested;
 * the views only read it. What survives a hide/show goes through `persisted()` into
 * `vscode.setState`; data the extension owns (status, topics, tags, related) is resent in `init`.
 */
import type {
  FolderInfo, ResultItem, SearchFilterMessage, StatusInfo, Strings, TagsView, ToWebviewMessage, TopicsView, RelatedView,
} from '../protocol/messages';

export type Section = 'results' | 'topics' | 'tags' | 'related';

export interface ViewState {
  readonly strings?: Strings;
  readonly folders: readonly FolderInfo[];
  readonly status?: StatusInfo;
  readonly query: string;
  readonly filter: SearchFilterMessage;
  readonly results: readonly ResultItem[];
  /** The query the shown results belong to ('' = none yet). */
  readonly resultsFor: string;
  /** Id of the search whose reply we wait for; replies with another id are stale. */
  readonly pendingId?: number;
  readonly error?: string;
  /** The shown results are keyword-only (the endpoint failed): the extension's localized note. */
  readonly note?: string;
  readonly noteAction?: 'setApiKey';
  /** The last search found no index yet, one being built (its note says so): not "no results". */
  readonly waiting?: boolean;
  readonly selected: number;
  readonly collapsed: Readonly<Partial<Record<Section, boolean>>>;
  readonly topics?: TopicsView;
  readonly tags?: TagsView;
  /** Tag checkboxes as the user left them (label → checked). */
  readonly tagChecks: Readonly<Record<string, boolean>>;
  readonly related?: RelatedView;
}

export type LocalAction =
  | { readonly type: 'query'; readonly query: string }
  | { readonly type: 'filter'; readonly filter: SearchFilterMessage }
  | { readonly type: 'searching'; readonly id: number }
  | { readonly type: 'searchDone'; readonly id: number; readonly query: string; readonly items: readonly ResultItem[]; readonly note?: string; readonly noteAction?: 'setApiKey'; readonly waiting?: boolean }
  | { readonly type: 'searchFailed'; readonly id: number; readonly error: string }
  | { readonly type: 'clear' }
  | { readonly type: 'select'; readonly index: number }
  | { readonly type: 'toggle'; readonly section: Section }
  | { readonly type: 'expand'; readonly section: Section }
  | { readonly type: 'check'; readonly label: string; readonly checked: boolean };

export type Action = Exclude<ToWebviewMessage, { type: 'reply' }> | LocalAction;

export const initialState: ViewState = {
  folders: [],
  query: '',
  filter: { kind: 'all', glob: '', language: '' },
  results: [],
  resultsFor: '',
  selected: -1,
  collapsed: {},
  tagChecks: {},
};

const clamp = (i: number, n: number): number => (n === 0 ? -1 : Math.max(0, Math.min(n - 1, i)));

function checksOf(view: TagsView): Record<string, boolean> {
  return Object.fromEntries(view.scores.map((s) => [s.label, s.checked]));
}

function sameClassification(a: TagsView, b: TagsView): boolean {
  const { stale: _a, ...x } = a;
  const { stale: _b, ...y } = b;
  return JSON.stringify(x) === JSON.stringify(y);
}

export function reduce(state: ViewState, action: Action): ViewState {
  switch (action.type) {
    case 'init':
      return {
        ...state,
        strings: action.strings,
        folders: action.folders,
        status: action.status,
        topics: action.topics ?? state.topics,
        tags: action.tags ?? state.tags,
        tagChecks: action.tags ? { ...checksOf(action.tags), ...(action.tags === state.tags ? state.tagChecks : {}) } : state.tagChecks,
        related: action.related ?? state.related,
        // A search in flight when the view was hidden is gone with the old document.
        pendingId: undefined,
      };
    case 'status':
      return { ...state, status: action.status };
    case 'setQuery':
      return { ...state, query: action.query.slice(0, 1000), collapsed: { ...state.collapsed, results: false } };
    case 'topics':
      // Only marked stale: no need to bring the section back into view.
      if (state.topics && action.view.stale && !state.topics.stale) return { ...state, topics: action.view };
      return { ...state, topics: action.view, collapsed: { ...state.collapsed, topics: false } };
    case 'tags':
      // The same classification re-sent with another staleness keeps the user's checkboxes and place.
      if (state.tags && sameClassification(state.tags, action.view)) return { ...state, tags: action.view };
      return { ...state, tags: action.view, tagChecks: checksOf(action.view), collapsed: { ...state.collapsed, tags: false } };
    case 'related':
      return { ...state, related: action.view };
    case 'clearResults':
      return {
        ...state,
        ...(action.sections.includes('topics') ? { topics: undefined } : {}),
        ...(action.sections.includes('tags') ? { tags: undefined, tagChecks: {} } : {}),
      };
    case 'refreshSearch':
      return state; // main.ts re-runs the query
    case 'query':
      return { ...state, query: action.query };
    case 'filter':
      return { ...state, filter: action.filter };
    case 'searching':
      return { ...state, pendingId: action.id, error: undefined };
    case 'searchDone':
      if (action.id !== state.pendingId) return state; // stale: a newer search was sent
      return { ...state, pendingId: undefined, results: action.items, resultsFor: action.query, selected: clamp(0, action.items.length), error: undefined, note: action.note, noteAction: action.noteAction, waiting: action.waiting };
    case 'searchFailed':
      if (action.id !== state.pendingId) return state;
      return { ...state, pendingId: undefined, results: [], resultsFor: '', selected: -1, error: action.error, note: undefined, noteAction: undefined, waiting: undefined };
    case 'clear':
      return { ...state, pendingId: undefined, results: [], resultsFor: '', selected: -1, error: undefined, note: undefined, noteAction: undefined, waiting: undefined };
    case 'select':
      return { ...state, selected: clamp(action.index, state.results.length) };
    case 'toggle':
      return { ...state, collapsed: { ...state.collapsed, [action.section]: !state.collapsed[action.section] } };
    case 'expand':
      return { ...state, collapsed: { ...state.collapsed, [action.section]: false } };
    case 'check':
      return { ...state, tagChecks: { ...state.tagChecks, [action.label]: action.checked } };
  }
}

/** The part kept in `vscode.setState` (results included, so a re-shown view is instantly full). */
export function persisted(s: ViewState): Partial<ViewState> {
  const { query, filter, results, resultsFor, selected, collapsed, tagChecks } = s;
  return { query, filter, results, resultsFor, selected, collapsed, tagChecks };
}

/** Restores what `persisted` saved, tolerating anything (the stored state may be from an older version). */
export function restore(saved: unknown): ViewState {
  if (typeof saved !== 'object' || saved === null) return initialState;
  const o = saved as Partial<ViewState>;
  const f = o.filter;
  const filterOk = !!f && typeof f === 'object' && ['all', 'code', 'doc'].includes(f.kind) && typeof f.glob === 'string' && typeof f.language === 'string';
  return {
    ...initialState,
    query: typeof o.query === 'string' ? o.query.slice(0, 1000) : '',
    filter: filterOk ? f : initialState.filter,
    results: Array.isArray(o.results) ? o.results : [],
    resultsFor: typeof o.resultsFor === 'string' ? o.resultsFor : '',
    selected: typeof o.selected === 'number' ? o.selected : -1,
    collapsed: o.collapsed && typeof o.collapsed === 'object' ? o.collapsed : {},
    tagChecks: o.tagChecks && typeof o.tagChecks === 'object' ? o.tagChecks : {},
  };
}
