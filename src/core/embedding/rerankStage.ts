/**
 * The rerank stage over first-stage search hits: send the candidates' texts, re-order by the
 * reranker's scores, keep topK. Any failure — budget exceeded, throttled, refused, unreachable —
 * returns the first-stage order with a note saying why, so a search always answers.
 */
import type { SearchHit } from '../types';
import { EmbedError } from './errors';
import { rerank, type RerankConfig } from './rerank';

export interface RerankedHits {
  readonly hits: SearchHit[];
  /** True when the order is the reranker's. */
  readonly reranked: boolean;
  /** Why the first-stage order was kept (for the CLI's stderr / JSON and the UI). */
  readonly note?: string;
  readonly tokens?: number;
}

export interface RerankStageOptions {
  readonly topK: number;
  readonly budgetMs?: number;
  readonly signal?: AbortSignal;
}

/** `textOf` gives what the reranker reads for a hit (undefined: the hit's path and symbol). */
export async function rerankHits(cfg: RerankConfig, query: string, hits: readonly SearchHit[], textOf: (h: SearchHit) => Promise<string | undefined>, opts: RerankStageOptions): Promise<RerankedHits> {
  const firstStage = hits.slice(0, opts.topK);
  if (hits.length < 2) return { hits: firstStage, reranked: false };
  const texts = await Promise.all(hits.map(async (h) => {
    const body = await textOf(h);
    const head = h.chunk.symbol ? `${h.chunk.path} › ${h.chunk.symbol}` : h.chunk.path;
    return body === undefined ? head : `${head}\n${body}`;
  }));
  try {
    const r = await rerank(cfg, query, texts, { topN: opts.topK, budgetMs: opts.budgetMs, signal: opts.signal });
    const picked = r.order.slice(0, opts.topK).map((s) => ({ ...hits[s.index], score: s.score }));
    // Candidates the reranker did not return (dropped to fit the limits) follow in first-stage order.
    const used = new Set(r.order.map((s) => s.index));
    for (let i = 0; picked.length < opts.topK && i < hits.length; i++) if (!used.has(i)) picked.push(hits[i]);
    return { hits: picked, reranked: true, tokens: r.tokens };
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    const why = e instanceof EmbedError ? e.message : (e as Error).message;
    return { hits: firstStage, reranked: false, note: `rerank failed, showing first-stage order: ${why}` };
  }
}
