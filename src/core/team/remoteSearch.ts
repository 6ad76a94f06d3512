/**
 * `search --remote`: the query runs inside PostgreSQL against a published snapshot, with no local
 * index needed. Dense side: the HNSW index (cosine; `hnsw.ef_search` ≥ the candidate depth, the
 * iterative scan so filters still fill the list). Keyword side: BM25F in SQL over the product's
 * own tokens with scores equal to the local engine's, pruned by stored impact lists
 * (remoteKeyword.ts). Filters are part of both queries' WHERE. The two lists are
 * ranked by the core's one ranking function, rankSearch (remoteRank.ts).
 */
import { compoundCandidates, compoundTerms } from '../search/refine';
import { RANK_POLICY } from '../search/rankPolicy';
import { tokenizeLabeled } from '../text/tokenize';
import type { ChunkInfo, ChunkKind, SearchFilter, SearchHit, SearchMode } from '../types';
import type { OpenedIndex } from '../index/open';
import { overlayCandidates, overlayOf, type OverlayHit } from './overlay';
import { filterSql, snapshotFiles } from './remoteFilter';
import { keywordSearch, type Ranked } from './remoteKeyword';
import { rankRemote } from './remoteRank';
import type { SnapshotRow } from './snapshots';
import { annExpression, vectorTable } from './schema';
import { formatVector, type TeamSpace, type TeamStore } from './store';

export interface RemoteSearchOptions {
  readonly mode?: SearchMode;
  readonly topK?: number;
  readonly filter?: SearchFilter;
  readonly hybridWeight?: number;
  /** HNSW candidate list per dense query; default 8 × depth (bench/teamRecallSweep.ts measures others). */
  readonly efSearch?: number;
}

export { keywordSearch, snapshotFiles };

/** Cosine top `depth` through the HNSW index (exact cosine re-computed for the returned rows). */
export async function denseSearch(store: TeamStore, space: TeamSpace, snap: SnapshotRow, queryVector: Float32Array, depth: number, filter?: SearchFilter, hidden: readonly string[] = [], efSearch?: number): Promise<Ranked[]> {
  // 8 × depth (400 at the hybrid depth of 50), from bench/teamRecallSweep.ts at 100k × 256-d. With 40 queries,
  // the exact top-50 kept was 94.7 / 99.6 / 99.7 % at 100 / 200 / 400, and hybrid top-10 = local was 90 / 95 / 97.5 %.
  // Latency was no higher at 400 in the same run (p50 / p95: 47.6 / 159, 45.7 / 154, 28.7 / 77 ms).
  await store.set('hnsw.ef_search', String(Math.max(40, Math.min(1000, efSearch ?? depth * 8))));
  // pgvector ≥ 0.8: keep scanning until the filters have let `depth` rows through.
  await store.set('hnsw.iterative_scan', 'relaxed_order');
  const ann = annExpression(space.dims);
  const params: unknown[] = [snap.id, formatVector(queryVector), depth];
  const where = await filterSql(store, snap, filter, params, hidden);
  const annExpr = ann.expr === 'embedding' ? 'v.embedding' : ann.expr.replace(/embedding/g, 'v.embedding');
  // The ANN order is on the vector table alone (the shape pgvector's HNSW scan serves), the
  // snapshot and filters as its WHERE (the iterative scan keeps going until `depth` pass them).
  const sql = `
SELECT sc.row, 1 - nn.d AS score FROM (
  SELECT v.hash, (v.embedding <=> $2::vector(${space.dims})) AS d FROM ${vectorTable(space.id)} v
  WHERE EXISTS (SELECT 1 FROM sw_snapshot_chunks sc WHERE sc.snapshot = $1 AND sc.hash = v.hash${where})
  ORDER BY ${annExpr} <=> ${ann.query('$2')} LIMIT $3) nn
JOIN sw_snapshot_chunks sc ON sc.snapshot = $1 AND sc.hash = nn.hash${where}
ORDER BY nn.d, sc.row LIMIT $3`;
  const r = await store.q<{ row: number; score: number }>(sql, params, 'searching');
  return r.rows.map((x) => ({ id: x.row, score: Number(x.score) }));
}

/**
 * The local engine's compound-identifier expansion (refine.ts compoundTerms: query words joined
 * into identifiers the corpus has), with document frequencies from the snapshot's terms. The
 * candidate lists reach rankSearch already searched, so the keyword list must carry it: without
 * it remote hybrid top-10 differed from local for 17–25 % of queries (bench/teamRecallSweep.ts).
 */
async function compoundExpansion(store: TeamStore, snap: SnapshotRow, query: string): Promise<Map<string, number>> {
  const weight = RANK_POLICY.compounds.weight;
  const asked = [...new Set(compoundCandidates(query, weight))];
  if (asked.length === 0) return new Map();
  const r = await store.q<{ term: string; df: number }>(`SELECT term, df FROM sw_snapshot_terms WHERE snapshot = $1 AND term = ANY($2::text[])`, [snap.id, asked], 'searching');
  const df = new Map(r.rows.map((x) => [x.term, Number(x.df)]));
  return compoundTerms(query, { documentFrequency: (t) => df.get(t) ?? 0 }, weight);
}

async function chunkRows(store: TeamStore, snap: SnapshotRow, rows: number[]): Promise<Map<number, ChunkInfo>> {
  const r = await store.q<{ row: number; path: string; start_line: number; end_line: number; symbol: string; kind: string; language: string; h: string; tokens: number }>(
    `SELECT row, path, start_line, end_line, symbol, kind, language, encode(hash, 'hex') AS h, tokens FROM sw_snapshot_chunks WHERE snapshot = $1 AND row = ANY($2::int[])`,
    [snap.id, rows], 'searching',
  );
  return new Map(r.rows.map((x) => [x.row, {
    path: x.path, startLine: x.start_line, endLine: x.end_line, symbol: x.symbol, kind: x.kind as ChunkKind, language: x.language, hash: x.h, tokens: x.tokens,
  }]));
}

/**
 * Best first; the same modes and list depth as the local engine, ranked by the core's one ranking
 * function (remoteRank.ts). With `local` (this clone's index), the local overlay answers for files
 * that differ from the snapshot.
 */
export async function remoteSearch(
  store: TeamStore, space: TeamSpace, snap: SnapshotRow, query: string, queryVector: Float32Array | undefined,
  options: RemoteSearchOptions = {}, local?: OpenedIndex,
): Promise<SearchHit[]> {
  const mode = options.mode ?? 'hybrid';
  const topK = Math.max(0, Math.floor(options.topK ?? 10));
  if (topK === 0) return [];
  const labels = new Map<string, string>();
  for (const t of tokenizeLabeled(query)) if (!labels.has(t.term)) labels.set(t.term, t.label);
  const named = (terms?: readonly string[]) => [...new Set((terms ?? []).map((t) => labels.get(t) ?? t))];
  const overlay = local ? overlayOf(local, await snapshotFiles(store, snap)) : undefined;
  const hidden = overlay?.hidden ?? [];
  const vector = mode === 'keyword' ? undefined : queryVector;
  // The depth searchHybrid asks each list for (hybrid: max(4·topK, 50); one list: topK).
  const depth = mode === 'hybrid' && vector ? Math.max(topK, Math.max(4 * topK, 50)) : topK;
  const near = overlay && local ? overlayCandidates(local, overlay, query, vector, depth, options.filter) : { keyword: [], dense: [] };
  // Overlay chunks take negative ids (snapshot rows are ≥ 0); each side merges by its own score.
  const localChunks = new Map<number, ChunkInfo>();
  let nextId = -1;
  const merge = (remote: Ranked[], mine: readonly OverlayHit[]): Ranked[] => {
    const all: Ranked[] = remote.map((r) => ({ ...r, terms: named(r.terms) }));
    for (const h of mine) {
      const id = nextId--;
      localChunks.set(id, h.chunk);
      all.push({ id, score: h.score, terms: [...h.terms] });
    }
    return mine.length ? all.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, depth) : all;
  };
  if (mode === 'dense' && !vector) throw new Error('dense search needs a query vector');
  const kw = mode === 'dense' ? [] : merge(await keywordSearch(store, space, snap, query, depth, options.filter, hidden, undefined, await compoundExpansion(store, snap, query)), near.keyword);
  const dense = vector ? merge(await denseSearch(store, space, snap, vector, depth, options.filter, hidden, options.efSearch), near.dense) : [];
  const info = await chunkRows(store, snap, [...new Set([...kw, ...dense].filter((r) => r.id >= 0).map((r) => r.id))]);
  return rankRemote({
    query, queryVector: vector, mode, topK, filter: options.filter, hybridWeight: options.hybridWeight,
    keyword: kw, dense, dims: space.dims, vectorCount: snap.chunkCount,
    chunkOf: (id) => (id >= 0 ? info.get(id) : localChunks.get(id)),
  });
}
