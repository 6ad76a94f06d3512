/** The search layer: keyword (BM25F) and vector indexes, fusion, filters, hybrid search. */
export { KeywordIndex, BM25F, type KeywordDoc, type KeywordHit } from './keywordIndex';
export { VectorIndex, type VectorIndexOptions, type VectorSearchOptions } from './vectorIndex';
export { fuseRrf, type FusedHit, type RankedId, type RrfOptions } from './fusion';
export { makeAllow, compilePathGlob, type ChunkLookup } from './filters';
export { searchHybrid, type HybridSearchInput } from './hybrid';
export type { ScoredId } from './topK';
export { rankSearch, type RankInput, RRF_K, OFFLINE_DENSE_WEIGHT, OFFLINE_DENSE_ONLY_FLOOR } from './rank';
export { RANK_POLICY, type RankPolicy } from './rankPolicy';
export { fileTextReader } from './textReader';
