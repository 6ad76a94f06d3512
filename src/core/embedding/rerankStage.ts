/**
 * The rerank stage over first-stage search hits: send the candidates' texts, re-order by the
 * reranker's scores, keep topK. Any failure — budget exceeded, throttled, refused, unreachable —
 * returns the first-stage order with a note saying why, so a search always answers.
 */
import type { SearchHit } from '../types';
import { EmbedError } from './errors';
import { fitToLimits, limitsFor, rerank, type RerankConfig } from './rerank';
import type { RerankMeter } from './rerankBudget';

export interface Reranked<T> {
  readonly hits: T[];
  /** True when the order is the reranker's. */
  readonly reranked: boolean;
  /** Why the first-stage order was kept (for the CLI's stderr / JSON and the UI). */
  readonly note?: string;
  /** Set when the token budget kept the rerank from running (no request was sent). */
  readonly skipped?: 'budget';
  /** The failure alone (no prefix), for a UI that words the note itself. */
  readonly failure?: string;
  readonly tokens?: number;
}
export type RerankedHits = Reranked<SearchHit>;

export interface RerankStageOptions {
  readonly topK: number;
  readonly budgetMs?: number;
  readonly signal?: AbortSignal;
  /** Counts reranked tokens against `tokenBudget` (undefined/0: no limit) across searches. */
  readonly meter?: RerankMeter;
  readonly tokenBudget?: number;
}

/**
 * Reranks any scored items (the core's hits, or the extension's merged results of several
 * folders). `docOf` gives what the reranker reads for an item; the score becomes the reranker's.
 */
export async function rerankItems<T extends { readonly score: number }>(cfg: RerankConfig, query: string, items: readonly T[], docOf: (item: T) => Promise<string>, opts: RerankStageOptions): Promise<Reranked<T>> {
  const firstStage = items.slice(0, opts.topK);
  if (items.length < 2) return { hits: firstStage, reranked: false };
  const texts = await Promise.all(items.map(docOf));
  const refusal = opts.meter?.refusal(fitToLimits(query, texts, cfg.limits ?? limitsFor(cfg.model)).tokens, opts.tokenBudget);
  if (refusal) return { hits: firstStage, reranked: false, note: refusal, skipped: 'budget' };
  try {
    const r = await rerank(cfg, query, texts, { topN: opts.topK, budgetMs: opts.budgetMs, signal: opts.signal });
    opts.meter?.add(r.tokens);
    const picked: T[] = r.order.slice(0, opts.topK).map((s) => ({ ...items[s.index], score: s.score }));
    // Candidates the reranker did not return (dropped to fit the limits) follow in first-stage order.
    const used = new Set(r.order.map((s) => s.index));
    for (let i = 0; picked.length < opts.topK && i < items.length; i++) if (!used.has(i)) picked.push(items[i]);
    return { hits: picked, reranked: true, tokens: r.tokens };
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    const why = e instanceof EmbedError ? e.message : (e as Error).message;
    return { hits: firstStage, reranked: false, note: `rerank failed, showing first-stage order: ${why}`, failure: why };
  }
}

/** What the reranker reads for a chunk: its path (and symbol) as a heading over its text. */
export function rerankDocument(path: string, symbol: string | undefined, body: string | undefined): string {
  const head = symbol ? `${path} › ${symbol}` : path;
  return body === undefined ? head : `${head}\n${body}`;
}

/** `textOf` gives what the reranker reads for a hit (undefined: the hit's path and symbol). */
export function rerankHits(cfg: RerankConfig, query: string, hits: readonly SearchHit[], textOf: (h: SearchHit) => Promise<string | undefined>, opts: RerankStageOptions): Promise<RerankedHits> {
  return rerankItems(cfg, query, hits, async (h) => rerankDocument(h.chunk.path, h.chunk.symbol, await textOf(h)), opts);
}
