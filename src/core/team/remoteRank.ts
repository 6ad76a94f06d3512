/**
 * Remote search ranks with the core's one ranking function (search/rank.ts `rankSearch`): the
 * candidate lists PostgreSQL returned (BM25F and HNSW, each as deep as the engine asks, filters
 * applied in SQL, merged with the local overlay) are handed to it as the keyword and vector
 * indexes it searches. The fusion and its weights, the low-confidence floor, the score scale,
 * the refinements that work on a list and the cut to topK — and every later change to them —
 * are then the local engine's, not a copy of them.
 *
 * rankSearch is synchronous and SQL is not, so the lists are fetched first: a refinement that
 * would search the keyword index again (e.g. with expanded terms) gets the same list back.
 */
import { rankSearch } from '../search/rank';
import { KeywordIndex, type KeywordHit } from '../search/keywordIndex';
import type { ScoredId } from '../search/topK';
import { VectorIndex } from '../search/vectorIndex';
import type { ChunkInfo, SearchFilter, SearchHit, SearchMode } from '../types';

/** One candidate of a list: a snapshot row (≥ 0) or an overlay chunk (< 0). */
export interface Candidate {
  readonly id: number;
  readonly score: number;
  readonly terms?: readonly string[];
}

function pick<T extends { id: number }>(list: readonly T[], topK: number, allow?: (id: number) => boolean): T[] {
  const out: T[] = [];
  for (const h of list) {
    if (out.length >= topK) break;
    if (!allow || allow(h.id)) out.push(h);
  }
  return out;
}

/** A BM25F list already scored (in SQL): searching it returns the list, filtered and cut. */
class ListedKeywordHits extends KeywordIndex {
  private readonly hits: readonly KeywordHit[];

  constructor(list: readonly Candidate[]) {
    super();
    this.hits = list.map((c) => ({ id: c.id, score: c.score, terms: [...(c.terms ?? [])] }));
  }

  override search(_query: string, topK: number, allow?: (id: number) => boolean): KeywordHit[] {
    return pick(this.hits, topK, allow);
  }
}

/** A cosine list already ranked (by the HNSW index); `size` is the snapshot's vector count. */
class ListedVectorHits extends VectorIndex {
  constructor(dims: number, private readonly hits: readonly ScoredId[], private readonly vectors: number) {
    super(dims);
  }

  override get size(): number {
    return this.vectors;
  }

  override search(_query: Float32Array, topK: number, allow?: (id: number) => boolean): ScoredId[] {
    return pick(this.hits, topK, allow);
  }
}

export interface RemoteRankInput {
  readonly query: string;
  readonly queryVector?: Float32Array;
  readonly mode: SearchMode;
  readonly topK: number;
  readonly filter?: SearchFilter;
  readonly hybridWeight?: number;
  readonly keyword: readonly Candidate[];
  readonly dense: readonly Candidate[];
  readonly dims: number;
  /** Vectors the dense side searched (the snapshot's chunks): 0 means "keyword only". */
  readonly vectorCount: number;
  readonly chunkOf: (id: number) => ChunkInfo | undefined;
}

/** Best first, ranked exactly as the local engine ranks the same candidates. */
export function rankRemote(input: RemoteRankInput): SearchHit[] {
  const vector = input.queryVector ? new ListedVectorHits(input.dims, input.dense.map((c) => ({ id: c.id, score: c.score })), input.vectorCount) : undefined;
  return rankSearch({
    keyword: new ListedKeywordHits(input.keyword), vector, chunks: input.chunkOf, query: input.query,
    queryVector: input.queryVector, mode: input.mode, topK: input.topK, filter: input.filter,
    offline: false, hybridWeight: input.hybridWeight,
  });
}
