/**
 * The one ranking function: candidates from both indexes (search/hybrid.ts, untruncated), then the
 * whole policy — the fusion and its weights (score fusion offline, RRF for cloud vectors), the
 * low-confidence floor and the score scale — and only then the cut to topK. Cutting first and filtering after (as the engine
 * once did) returned fewer hits than asked; here a doubtful hit moves to the bottom, never away.
 * Everything that ranks chunks for a person or an agent (engine search, MCP, team index) calls this.
 */
import type { SearchHit } from '../types';
import type { KeywordHit } from './keywordIndex';
import { type HybridSearchInput, searchHybrid } from './hybrid';
import { RANK_POLICY, type RankPolicy } from './rankPolicy';
import { aggregatePages, compoundTerms, refineByText, rocchioQuery, type TextOf } from './refine';

/** RRF damping constant (Cormack et al.). */
export const RRF_K = 60;
/**
 * Offline hybrid = score-aware fusion (scoreFusion.ts): the LSA list's weight against BM25 as a
 * dense:keyword ratio (3/7 = a convex weight of 0.3), taken off where the keyword list has a clear
 * winner. Chosen on the dev corpora of bench/quality/SPLIT.md (bench/quality/lab.ts): within noise
 * of keyword-only or above on all seven (mean +2 %), where RRF (weight 0.25) lost up to 26 % on a
 * mixed code + notes workspace.
 */
export const OFFLINE_DENSE_WEIGHT = 3 / 7;
export const OFFLINE_GATE = { gate: 1, gapAt: 5 } as const;
/** Offline LSA vectors of unrelated text sit near 0: a hit found only by them below this is doubtful. */
export const OFFLINE_DENSE_ONLY_FLOOR = 0.1;

/** The search itself (hybrid.ts's fields), plus what decides the policy. */
export type RankInput = Pick<HybridSearchInput, 'keyword' | 'vector' | 'chunks' | 'query' | 'queryVector' | 'mode' | 'topK' | 'filter'> & {
  /** The offline embedder's vectors (LSA): score fusion, dense-only hits floored. */
  readonly offline: boolean;
  /** Dense:keyword weight ratio (default 1; offline 3/7). */
  readonly hybridWeight?: number;
  /**
   * A chunk's own text (read back from its file): lets hybrid search use proximity and
   * pseudo-relevance feedback over its first hits. Without it those stages are skipped.
   */
  readonly textOf?: TextOf;
  /** The refinement knobs (default RANK_POLICY, chosen on the dev corpora). */
  readonly policy?: RankPolicy;
};

/**
 * Best first, exactly min(topK, candidates) hits: in hybrid and dense modes every chunk with a
 * vector that passes the filters is a candidate; in keyword mode every chunk matching a term.
 * Hybrid scores lie in [0, 1] (score fusion; RRF is scaled so that 1 means "ranked first by both
 * lists"); hits marked `why.lowConfidence` rank below every other hit.
 */
export function rankSearch(input: RankInput): SearchHit[] {
  const topK = Math.max(0, Math.floor(input.topK));
  const weights: [number, number] = [1, input.hybridWeight ?? (input.offline ? OFFLINE_DENSE_WEIGHT : 1)];
  const base = { keyword: input.keyword, vector: input.vector, chunks: input.chunks, query: input.query, queryVector: input.queryVector, filter: input.filter, weights, rrfK: RRF_K };
  const hasVectors = input.queryVector !== undefined && input.vector !== undefined && input.vector.size > 0;
  const policy = input.policy ?? RANK_POLICY;
  // Query words joined into whole identifiers: a keyword-matching feature, so keyword mode has it too.
  const expansion = input.mode === 'dense' ? new Map<string, number>() : compoundTerms(input.query, input.keyword, policy.compounds.weight);
  if (input.mode !== 'hybrid' || !hasVectors) return searchHybrid({ ...base, mode: input.mode, topK, ...(expansion.size ? { refine: { expansion } } : {}) });

  // hybridWeight is a dense:keyword ratio; the convex weight of score fusion is w / (1 + w).
  const scored = input.offline ? { denseWeight: weights[1] / (1 + weights[1]), ...OFFLINE_GATE } : undefined;
  const fused = searchHybrid({ ...base, mode: 'hybrid', topK, keepAll: true, scored, refine: refinements(input, policy, expansion) });
  // Score fusion is already in [0, 1]. Raw reciprocal-rank sums (≈0.016–0.033) mean nothing to a
  // reader; scaled by the best possible sum, 1 means "ranked first by both keyword and vector search".
  const best = scored ? 1 : weights.reduce((a, w) => a + w / (RRF_K + 1), 0);
  const floor = input.offline ? OFFLINE_DENSE_ONLY_FLOOR : -Infinity;
  const confident: SearchHit[] = [];
  const doubtful: SearchHit[] = [];
  for (const h of fused) {
    if (h.why.keywordRank === undefined && (h.why.vectorScore ?? 0) < floor) doubtful.push(lowConfidence(h, best));
    else confident.push({ ...h, score: h.score / best });
  }
  const byScore = (a: SearchHit, b: SearchHit) => b.score - a.score;
  return [...confident.sort(byScore), ...doubtful.sort(byScore)].slice(0, topK);
}

/**
 * Hybrid's query-time refinements (refine.ts): query words joined into identifiers, proximity and PRF on the keyword list (when texts
 * can be read), page aggregation for notes, and — offline only, where the query vector is a weak
 * LSA projection — Rocchio toward the first keyword hits.
 */
function refinements(input: RankInput, policy: RankPolicy, expansion: ReadonlyMap<string, number>): HybridSearchInput['refine'] {
  const { textOf } = input;
  return {
    ...(expansion.size ? { expansion } : {}),
    keyword: (kw, ctx) => {
      const refined = textOf ? refineByText(kw, ctx, { keyword: input.keyword, query: input.query, textOf, policy, expansion }) : kw;
      return aggregatePages(refined, ctx.chunkOf, policy.pages.sibling);
    },
    ...(input.offline && policy.rocchio.docs > 0 && input.vector
      ? { denseQuery: (kw: readonly KeywordHit[], q: Float32Array) => rocchioQuery(input.vector!, kw, q, policy.rocchio.docs, policy.rocchio.weight) }
      : {}),
  };
}

function lowConfidence(h: SearchHit, best: number): SearchHit {
  return { ...h, score: h.score / best, why: { ...h.why, lowConfidence: true } };
}
