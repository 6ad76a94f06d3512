/**
 * One search over both indexes: keyword (BM25F) and dense (cosine), fused by reciprocal rank or by
 * score (scoreFusion.ts: min-max + convex, dense weight gated by keyword confidence), with
 * filters applied inside each index's top-k (so a narrow filter still yields k results) and a
 * "why it matched" for every hit.
 */
import type { ChunkInfo, MatchReason, SearchFilter, SearchHit, SearchMode } from '../types';
import { makeAllow, type ChunkLookup } from './filters';
import { fuseRrf } from './fusion';
import { fuseScored, type FusionParams } from './scoreFusion';
import type { KeywordHit, KeywordIndex } from './keywordIndex';
import type { VectorIndex } from './vectorIndex';

/** What a keyword-list refinement may use: chunk metadata, the search's filter, the list depth. */
export interface RefineContext {
  readonly chunkOf: ChunkLookup;
  readonly allow: (id: number) => boolean;
  readonly depth: number;
}

export interface HybridSearchInput {
  readonly keyword: KeywordIndex;
  readonly vector?: VectorIndex;
  /** Chunk metadata by id (array or lookup); ids without metadata are never returned. */
  readonly chunks: readonly (ChunkInfo | undefined)[] | ChunkLookup;
  readonly query: string;
  /** The embedded query; required for 'dense', optional for 'hybrid'. */
  readonly queryVector?: Float32Array;
  readonly mode: SearchMode;
  readonly topK: number;
  readonly filter?: SearchFilter;
  /** Extra predicate, ANDed with the filter. */
  readonly allow?: (id: number) => boolean;
  /** Depth of each list before fusion; default max(4·topK, 50). */
  readonly candidates?: number;
  /** RRF weights [keyword, dense]; default [1, 1]. */
  readonly weights?: readonly [number, number];
  readonly rrfK?: number;
  /** Score-aware fusion instead of RRF (then `weights`/`rrfK` are unused); scores lie in [0, 1]. */
  readonly scored?: FusionParams;
  /** Hybrid: every fused candidate, uncut — the ranking policy (rank.ts) truncates after it has run. */
  readonly keepAll?: boolean;
  /**
   * Hybrid: query-time refinements between retrieval and fusion (rank.ts: page aggregation,
   * proximity, pseudo-relevance feedback). `keyword` rewrites the keyword list; `denseQuery`
   * gives the vector the dense list is searched with, from the (refined) keyword list.
   */
  readonly refine?: {
    /** Extra weighted terms for the keyword search itself (KeywordIndex.search's `expansion`). */
    readonly expansion?: ReadonlyMap<string, number>;
    readonly keyword?: (kw: KeywordHit[], ctx: RefineContext) => KeywordHit[];
    readonly denseQuery?: (kw: readonly KeywordHit[], queryVector: Float32Array) => Float32Array;
  };
}

/**
 * Best first, one hit per chunk. Scores: BM25F in 'keyword' mode, cosine in 'dense' mode, RRF (or
 * the fused score in [0, 1] with `scored`) in 'hybrid' mode — and BM25F again when 'hybrid' has no vectors to fuse (keyword fallback).
 */
export function searchHybrid(input: HybridSearchInput): SearchHit[] {
  const { keyword, vector, query, queryVector, mode } = input;
  const topK = Math.max(0, Math.floor(input.topK));
  if (topK === 0) return [];
  const chunkOf: ChunkLookup = typeof input.chunks === 'function' ? input.chunks : ((list) => (id: number) => list[id])(input.chunks);
  const filterAllow = makeAllow(input.filter, chunkOf);
  const extra = input.allow;
  const allow = (id: number): boolean => chunkOf(id) !== undefined && (!filterAllow || filterAllow(id)) && (!extra || extra(id));
  const hasVectors = vector !== undefined && queryVector !== undefined && vector.size > 0;

  if (mode === 'dense' && !hasVectors) throw new Error('dense search needs a vector index and a query vector');
  if (mode === 'keyword' || (mode === 'hybrid' && !hasVectors)) {
    return keyword.search(query, topK, allow, input.refine?.expansion).map((h, i) =>
      hit(chunkOf(h.id)!, h.score, { terms: h.terms, keywordScore: h.score, keywordRank: i + 1 }));
  }
  if (mode === 'dense') {
    return vector!.search(queryVector!, topK, allow).map((h, i) =>
      hit(chunkOf(h.id)!, h.score, { terms: [], vectorScore: h.score, vectorRank: i + 1 }));
  }

  const depth = Math.max(topK, input.candidates ?? Math.max(4 * topK, 50));
  const raw = keyword.search(query, depth, allow, input.refine?.expansion);
  const kw = input.refine?.keyword ? input.refine.keyword(raw, { chunkOf, allow, depth }) : raw;
  const denseQuery = input.refine?.denseQuery ? input.refine.denseQuery(kw, queryVector!) : queryVector!;
  const dense = vector!.search(denseQuery, depth, allow);
  const kwById = new Map<number, KeywordHit>(kw.map((h) => [h.id, h]));
  const denseScore = new Map<number, number>(dense.map((h) => [h.id, h.score]));
  const fused = input.scored ? fuseScored(kw, dense, input.scored) : fuseRrf([kw, dense], { k: input.rrfK, weights: input.weights });
  return (input.keepAll ? fused : fused.slice(0, topK)).map((f) => {
    const k = kwById.get(f.id);
    const why: MatchReason = {
      terms: k?.terms ?? [],
      ...(k ? { keywordScore: k.score, keywordRank: f.ranks[0] } : {}),
      ...(f.ranks[1] !== undefined ? { vectorScore: denseScore.get(f.id), vectorRank: f.ranks[1] } : {}),
    };
    return hit(chunkOf(f.id)!, f.score, why);
  });
}

function hit(chunk: ChunkInfo, score: number, why: MatchReason): SearchHit {
  return { chunk, score, why };
}
