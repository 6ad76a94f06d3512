/**
 * Search across all workspace folders: one engine per folder, results merged by score and
 * hydrated with a snippet read from the file. Results are cached (LRU) per query + filter until
 * the index changes, so retyping a query or reopening the picker costs no new query embedding.
 */
import * as vscode from 'vscode';
import type { SearchHit, SearchFilter } from '../core/types';
import type { ResultItem, SearchFilterMessage } from '../protocol/messages';
import type { Engines } from './engines';
import type { Indexer } from './indexing';
import { Lru } from './lru';
import { readSettings } from './settings';

export interface SearchRequestOptions {
  readonly filter?: SearchFilterMessage;
  readonly topK?: number;
  readonly signal?: AbortSignal;
  readonly task?: 'code-search' | 'doc-search' | 'similarity';
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
  private readonly searched = new vscode.EventEmitter<{ readonly results: number }>();
  /** Fires after every finished search (the walkthrough's "Search by meaning" step listens). */
  readonly onDidSearch = this.searched.event;

  constructor(
    private readonly engines: Engines,
    indexer: Indexer,
  ) {
    indexer.onDidIndex(() => this.cache.clear());
    engines.onDidReset(() => this.cache.clear());
  }

  async search(query: string, options: SearchRequestOptions = {}): Promise<ResultItem[]> {
    const q = query.trim();
    if (!q) return [];
    const settings = readSettings();
    const topK = options.topK ?? 30;
    const key = JSON.stringify([q, options.filter, topK, options.task, settings.searchMode, settings.hybridWeight]);
    const cached = this.cache.get(key);
    if (cached) {
      this.searched.fire({ results: cached.length });
      return cached;
    }
    const pairs = await this.engines.all();
    const perFolder = await Promise.all(
      pairs.map(async ({ folder, engine }) => {
        const hits = await engine.search(q, { topK, mode: settings.searchMode, hybridWeight: settings.hybridWeight, filter: toCoreFilter(options.filter), task: options.task, signal: options.signal });
        return Promise.all(hits.map((h) => this.hydrate(folder, engine.readText.bind(engine), h)));
      }),
    );
    options.signal?.throwIfAborted();
    const merged = perFolder.flat().sort((a, b) => b.score - a.score).slice(0, topK);
    this.cache.set(key, merged);
    this.searched.fire({ results: merged.length });
    return merged;
  }

  private async hydrate(folder: vscode.WorkspaceFolder, read: (c: SearchHit['chunk']) => Promise<string | undefined>, h: SearchHit): Promise<ResultItem> {
    const text = await read(h.chunk).catch(() => undefined);
    return {
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
  }

  /** True when at least one folder has an index. */
  async hasIndex(): Promise<boolean> {
    for (const { engine } of await this.engines.all()) if ((await engine.status()).exists) return true;
    return false;
  }
}
