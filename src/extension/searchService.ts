/**
 * Search across all workspace folders: one engine per folder, results merged by score and
 * hydrated with a snippet read from the file. Results are cached (LRU) per query + filter until
 * the index changes, so retyping a query or reopening the picker costs no new query embedding.
 */
import * as vscode from 'vscode';
import type { SearchDegraded } from '../core/engineTypes';
import type { SearchHit, SearchFilter } from '../core/types';
import type { ResultItem, SearchFilterMessage } from '../protocol/messages';
import type { Engines } from './engines';
import type { Indexer } from './indexing';
import { Lru } from './lru';
import { rerankDocument } from '../core/embedding';
import { SearchReranker, type RerankOutcome } from './rerank';
import { readSettings } from './settings';

export interface SearchRequestOptions {
  readonly filter?: SearchFilterMessage;
  readonly topK?: number;
  readonly signal?: AbortSignal;
  readonly task?: 'code-search' | 'doc-search' | 'similarity';
}

/** First-stage results now; the reranked ones later when a rerank runs (`rerank` undefined: none). */
export interface StagedSearch {
  readonly first: ResultItem[];
  readonly rerank?: Promise<RerankOutcome>;
  /** Keyword-only because the query could not be embedded (then there is no rerank). */
  readonly degraded?: SearchDegraded;
}

export interface RankedSearch {
  readonly items: ResultItem[];
  readonly rerank?: Omit<RerankOutcome, 'items'>;
  readonly degraded?: SearchDegraded;
}

const SNIPPET_LINES = 6;
const SNIPPET_CHARS = 600;

/** A few lines of the chunk, starting at the first line that holds a matched term. */
export function makeSnippet(text: string, terms: readonly string[]): string {
  const lines = text.split(/\r?\n/);
  const lower = terms.map((t) => t.toLowerCase()).filter(Boolean);
  let start = lines.findIndex((l) => lower.some((t) => l.toLowerCase().includes(t)));
  if (start < 0) start = lines.findIndex((l) => l.trim() !== '');
  if (start < 0) return '';
  const picked = lines.slice(start, start + SNIPPET_LINES);
  // Strip the common indentation so the snippet reads well in a narrow sidebar.
  const indent = Math.min(...picked.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)![0].length));
  const out = picked.map((l) => l.slice(Number.isFinite(indent) ? indent : 0).replace(/\t/g, '  ')).join('\n').trimEnd();
  return out.length > SNIPPET_CHARS ? `${out.slice(0, SNIPPET_CHARS)}…` : out;
}

function toCoreFilter(f: SearchFilterMessage | undefined): SearchFilter | undefined {
  if (!f) return undefined;
  const glob = f.glob.trim();
  return {
    ...(f.kind !== 'all' ? { kind: f.kind } : {}),
    // A bare folder (`src` or `src/`) means everything below it.
    ...(glob ? { pathGlob: /[*?[\]{}]/.test(glob) ? glob : `${glob.replace(/\/+$/, '')}/**` } : {}),
    ...(f.language.trim() ? { language: f.language.trim() } : {}),
  };
}

export class SearchService {
  private readonly cache = new Lru<string, ResultItem[]>(64);
  private readonly reranked = new Lru<string, RerankOutcome>(64);
  /** The chunk text each hydrated result was made from: what a reranker reads. */
  private readonly texts = new WeakMap<ResultItem, string>();
  private readonly searched = new vscode.EventEmitter<{ readonly results: number }>();
  /** Fires after every finished search (the walkthrough's "Search by meaning" step listens). */
  readonly onDidSearch = this.searched.event;

  constructor(
    private readonly engines: Engines,
    indexer: Indexer,
    private readonly reranker?: SearchReranker,
  ) {
    const clear = (): void => {
      this.cache.clear();
      this.reranked.clear();
    };
    indexer.onDidIndex(clear);
    engines.onDidReset(clear);
  }

  /** Waits for the rerank when one runs (the sidebar, the API, agent tools). */
  async search(query: string, options: SearchRequestOptions = {}): Promise<ResultItem[]> {
    return (await this.ranked(query, options)).items;
  }

  /** The merged results after the rerank (if one runs), and `degraded` when some folder answered from keywords only. */
  async searchWithNote(query: string, options: SearchRequestOptions = {}): Promise<{ items: ResultItem[]; degraded?: SearchDegraded; rerank?: Omit<RerankOutcome, 'items'> }> {
    return this.ranked(query, options);
  }

  async ranked(query: string, options: SearchRequestOptions = {}): Promise<RankedSearch> {
    const staged = await this.staged(query, options);
    const degraded = staged.degraded ? { degraded: staged.degraded } : {};
    if (!staged.rerank) return { items: staged.first, ...degraded };
    const { items, ...rerank } = await staged.rerank;
    return { items, rerank, ...degraded };
  }

  /**
   * The first-stage results at once, and the rerank (if this search gets one) as a promise: the
   * palette shows the first and re-orders when the second arrives.
   */
  async staged(query: string, options: SearchRequestOptions = {}): Promise<StagedSearch> {
    const q = query.trim();
    if (!q) return { first: [] };
    const settings = readSettings();
    const topK = options.topK ?? 30;
    // Finding similar code ranks by the selection itself: a query-document reranker has no query there.
    const plan = options.task !== 'similarity' && this.reranker ? await this.reranker.plan(settings) : undefined;
    const fetchK = plan ? SearchReranker.candidates(topK) : topK;
    const key = JSON.stringify([q, options.filter, fetchK, options.task, settings.searchMode, settings.hybridWeight]);
    let candidates = this.cache.get(key);
    let degraded: SearchDegraded | undefined;
    if (!candidates) {
      const r = await this.firstStage(q, fetchK, settings, options);
      candidates = r.items;
      degraded = r.degraded;
      // A fallback is not remembered: the next search (even of the same text) tries the endpoint again.
      if (!degraded) this.cache.set(key, candidates);
    }
    const first = candidates.slice(0, topK);
    this.searched.fire({ results: first.length });
    // With the endpoint failing, a rerank would only wait on it again: the keyword order stands.
    if (!plan || !this.reranker || degraded) return { first, ...(degraded ? { degraded } : {}) };
    const reranker = this.reranker;
    const rkey = JSON.stringify([key, topK, 'cfg' in plan ? plan.cfg.url : '', 'cfg' in plan ? plan.cfg.model : plan.note]);
    const done = this.reranked.get(rkey);
    if (done) return { first, rerank: Promise.resolve(done) };
    const rerank = reranker
      .apply(plan, q, candidates, (it) => rerankDocument(it.path, it.symbol, this.texts.get(it)), topK, settings.tokenBudget, options.signal)
      .then((r) => {
        // Only a rerank that worked is remembered: after a failure the next search tries again.
        if (r.applied) this.reranked.set(rkey, r);
        return r;
      });
    // A caller that moved on (a newer keystroke aborted this one) never awaits it: not an unhandled rejection.
    void rerank.catch(() => undefined);
    return { first, rerank };
  }

  private async firstStage(q: string, topK: number, settings: ReturnType<typeof readSettings>, options: SearchRequestOptions): Promise<{ items: ResultItem[]; degraded?: SearchDegraded }> {
    const pairs = await this.engines.all();
    let degraded: SearchDegraded | undefined;
    const perFolder = await Promise.all(
      pairs.map(async ({ folder, engine }) => {
        const hits = await engine.search(q, { topK, mode: settings.searchMode, hybridWeight: settings.hybridWeight, filter: toCoreFilter(options.filter), task: options.task, signal: options.signal });
        degraded ??= hits.degraded;
        return Promise.all(hits.map((h) => this.hydrate(folder, engine.readText.bind(engine), h)));
      }),
    );
    options.signal?.throwIfAborted();
    return { items: perFolder.flat().sort((a, b) => b.score - a.score).slice(0, topK), ...(degraded ? { degraded } : {}) };
  }

  private async hydrate(folder: vscode.WorkspaceFolder, read: (c: SearchHit['chunk']) => Promise<string | undefined>, h: SearchHit): Promise<ResultItem> {
    const text = await read(h.chunk).catch(() => undefined);
    const item: ResultItem = {
      folder: folder.uri.toString(),
      folderName: folder.name,
      path: h.chunk.path,
      startLine: h.chunk.startLine,
      endLine: h.chunk.endLine,
      ...(h.chunk.startColumn !== undefined ? { startColumn: h.chunk.startColumn, endColumn: h.chunk.endColumn } : {}),
      kind: h.chunk.kind,
      language: h.chunk.language,
      symbol: h.chunk.symbol,
      score: h.score,
      snippet: text ? makeSnippet(text, h.why.terms) : '',
      terms: h.why.terms.slice(0, 20),
      ...(h.why.vectorScore !== undefined ? { vectorScore: h.why.vectorScore } : {}),
      ...(h.why.keywordScore !== undefined ? { keywordScore: h.why.keywordScore } : {}),
    };
    if (text !== undefined) this.texts.set(item, text);
    return item;
  }
}
