/**
 * The one ranking function: candidates from both indexes (search/hybrid.ts, untruncated), then the
 * whole policy — fusion weights, the offline handling of prose, the low-confidence floor and the
 * score scale — and only then the cut to topK. Cutting first and filtering after (as the engine
 * once did) returned fewer hits than asked; here a doubtful hit moves to the bottom, never away.
 * Everything that ranks chunks for a person or an agent (engine search, MCP, team index) calls this.
 */
import type { ChunkInfo, SearchFilter, SearchHit, SearchMode } from '../types';
import type { ChunkLookup } from './filters';
import { searchHybrid } from './hybrid';
import type { KeywordIndex } from './keywordIndex';
import type { VectorIndex } from './vectorIndex';

/** RRF damping constant (Cormack et al.). */
export const RRF_K = 60;
/**
 * How much the offline LSA list weighs against BM25 in hybrid mode. Measured on the code-search
 * bench: LSA alone is far below BM25, so it only nudges the keyword ranking.
 */
export const OFFLINE_DENSE_WEIGHT = 0.25;
/** Offline LSA vectors of unrelated text sit near 0: a hit found only by them below this is doubtful. */
export const OFFLINE_DENSE_ONLY_FLOOR = 0.1;

export interface RankInput {
  readonly keyword: KeywordIndex;
  readonly vector?: VectorIndex;
  readonly chunks: readonly (ChunkInfo | undefined)[] | ChunkLookup;
  readonly query: string;
  /** Absent: keyword ranking (keyword mode, or a hybrid search whose query could not be embedded). */
  readonly queryVector?: Float32Array;
  readonly mode: SearchMode;
  readonly topK: number;
  readonly filter?: SearchFilter;
  /** The offline embedder's vectors (LSA): prose by keywords, dense-only hits floored. */
  readonly offline: boolean;
  /** Dense-list weight against keywords (default 1; offline 0.25). */
  readonly hybridWeight?: number;
}

/**
 * Best first, exactly min(topK, candidates) hits: in hybrid and dense modes every chunk with a
 * vector that passes the filters is a candidate; in keyword mode every chunk matching a term.
 * Hybrid scores are scaled so that 1 means "ranked first by both lists"; hits marked
 * `why.lowConfidence` rank below every other hit.
 */
export function rankSearch(input: RankInput): SearchHit[] {
  const topK = Math.max(0, Math.floor(input.topK));
  const weights: [number, number] = [1, input.hybridWeight ?? (input.offline ? OFFLINE_DENSE_WEIGHT : 1)];
  const base = { keyword: input.keyword, vector: input.vector, chunks: input.chunks, query: input.query, queryVector: input.queryVector, filter: input.filter, weights, rrfK: RRF_K };
  const hasVectors = input.queryVector !== undefined && input.vector !== undefined && input.vector.size > 0;
  if (input.mode !== 'hybrid' || !hasVectors) return searchHybrid({ ...base, mode: input.mode, topK });

  const fused = searchHybrid({ ...base, mode: 'hybrid', topK, keepAll: true });
  // Raw reciprocal-rank sums (≈0.016–0.033) mean nothing to a reader; scaled by the best
  // possible sum, 1 means "ranked first by both keyword and vector search".
  const best = weights.reduce((a, w) => a + w / (RRF_K + 1), 0);
  const confident: SearchHit[] = [];
  const doubtful: SearchHit[] = [];
  for (const h of fused) {
    const kwRank = h.why.keywordRank;
    if (input.offline && h.chunk.kind === 'doc') {
      // Offline, prose is ranked by keywords alone: workspace LSA vectors blur documentation
      // (measured on Chinese and English man pages: hybrid 0.663 vs keyword 0.715 MRR@10).
      if (kwRank !== undefined) confident.push({ ...h, score: weights[0] / (RRF_K + kwRank) / best });
      else doubtful.push(lowConfidence(h, best));
      continue;
    }
    const floor = input.offline ? OFFLINE_DENSE_ONLY_FLOOR : -Infinity;
    if (kwRank === undefined && (h.why.vectorScore ?? 0) < floor) doubtful.push(lowConfidence(h, best));
    else confident.push({ ...h, score: h.score / best });
  }
  const byScore = (a: SearchHit, b: SearchHit) => b.score - a.score;
  return [...confident.sort(byScore), ...doubtful.sort(byScore)].slice(0, topK);
}

function lowConfidence(h: SearchHit, best: number): SearchHit {
  return { ...h, score: h.score / best, why: { ...h.why, lowConfidence: true } };
}
