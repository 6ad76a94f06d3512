/**
 * `search --remote`: the query runs inside PostgreSQL against a published snapshot, with no local
 * index needed. Dense side: the HNSW index (cosine; `hnsw.ef_search` ≥ the candidate depth, the
 * iterative scan so filters still fill the list). Keyword side: BM25F in SQL over the product's
 * own tokens, from the snapshot's stored statistics (document frequencies, field-length totals)
 * and the published postings, with the local engine's constants and float32 length normalisers,
 * so scores equal the local ones. Filters are part of both queries' WHERE. The two lists are
 * ranked by the core's one ranking function, rankSearch (remoteRank.ts).
 */
import { compilePathGlob } from '../search/filters';
import { BM25F } from '../search/keywordIndex';
import { tokenizeLabeled } from '../text/tokenize';
import type { ChunkInfo, ChunkKind, SearchFilter, SearchHit, SearchMode } from '../types';
import type { OpenedIndex } from '../index/open';
import { overlayCandidates, overlayOf, type OverlayHit } from './overlay';
import { rankRemote } from './remoteRank';
import type { SnapshotRow } from './snapshots';
import { annExpression, vectorTable } from './schema';
import { formatVector, type TeamSpace, type TeamStore } from './store';

export interface RemoteSearchOptions {
  readonly mode?: SearchMode;
  readonly topK?: number;
  readonly filter?: SearchFilter;
  readonly hybridWeight?: number;
}

interface Ranked {
  readonly id: number;
  readonly score: number;
  readonly terms?: readonly string[];
}

/** SQL conditions on `sc` (sw_snapshot_chunks) for the filter; params appended to `params`. */
async function filterSql(store: TeamStore, snap: SnapshotRow, filter: SearchFilter | undefined, params: unknown[], hidden: readonly string[]): Promise<string> {
  const parts: string[] = [];
  if (hidden.length) {
    params.push(hidden);
    parts.push(`sc.path <> ALL($${params.length}::text[])`);
  }
  if (filter?.kind) {
    params.push(filter.kind);
    parts.push(`sc.kind = $${params.length}`);
  }
  const language = filter?.language?.trim().toLowerCase();
  if (language) {
    params.push(language);
    parts.push(`lower(sc.language) = $${params.length}`);
  }
  if (filter?.pathGlob?.trim()) {
    // gitignore-style globs have no SQL equivalent: the snapshot's paths (one per file, not per
    // chunk) are matched here with the local engine's own matcher, and the match goes into SQL.
    const matches = compilePathGlob(filter.pathGlob);
    const paths = [...(await snapshotFiles(store, snap)).keys()].filter(matches);
    params.push(paths);
    parts.push(`sc.path = ANY($${params.length}::text[])`);
  }
  return parts.length ? ` AND ${parts.join(' AND ')}` : '';
}

const fileCache = new WeakMap<SnapshotRow, Map<string, string>>();
/** The snapshot's files (path → file hash): one row per file, not per chunk; read once per snapshot. */
export async function snapshotFiles(store: TeamStore, snap: SnapshotRow): Promise<Map<string, string>> {
  let files = fileCache.get(snap);
  if (!files) {
    const r = await store.q<{ path: string; file_hash: string }>(`SELECT path, file_hash FROM sw_snapshot_files WHERE snapshot = $1`, [snap.id], 'searching');
    files = new Map(r.rows.map((x) => [x.path, x.file_hash]));
    fileCache.set(snap, files);
  }
  return files;
}

/** BM25F top `depth` of the snapshot, scored in SQL exactly as KeywordIndex.search scores locally. */
export async function keywordSearch(store: TeamStore, space: TeamSpace, snap: SnapshotRow, query: string, depth: number, filter?: SearchFilter, hidden: readonly string[] = []): Promise<Ranked[]> {
  const labeled = tokenizeLabeled(query);
  const qtf = new Map<string, number>();
  for (const t of labeled) qtf.set(t.term, (qtf.get(t.term) ?? 0) + 1);
  if (qtf.size === 0 || snap.chunkCount === 0) return [];
  const dfRows = await store.q<{ term: string; df: number }>(`SELECT term, df FROM sw_snapshot_terms WHERE snapshot = $1 AND term = ANY($2::text[])`, [snap.id, [...qtf.keys()]], 'searching');
  if (dfRows.rows.length === 0) return [];
  const n = Math.max(1, snap.chunkCount);
  const { k1 } = BM25F;
  const terms = dfRows.rows.map((r) => r.term);
  const weights = dfRows.rows.map((r) => Math.log(1 + (n - r.df + 0.5) / (r.df + 0.5)) * (qtf.get(r.term) ?? 1) * (k1 + 1));
  const avg = (total: number) => total / n || 1;
  const params: unknown[] = [snap.id, terms, weights, space.id, avg(snap.textTotal), avg(snap.symbolTotal), avg(snap.pathTotal), depth];
  const where = await filterSql(store, snap, filter, params, hidden);
  const f = BM25F;
  // norm = weight / (1 − b + b·len/avg), rounded to float32 like the local Float32Array normalisers.
  const norm = (w: number, b: number, len: string, avgParam: number) =>
    `((${w}::float8 / ((1::float8 - ${b}::float8) + (${b}::float8 * ${len}) / $${avgParam}::float8))::float4::float8)`;
  const sql = `
WITH q(term, w) AS (SELECT * FROM unnest($2::text[], $3::float8[])),
ht AS (SELECT cp.hash, q.term, cp.vals[k] AS value FROM sw_chunk_postings cp CROSS JOIN q
       CROSS JOIN LATERAL array_position(cp.terms, q.term) AS k
       WHERE cp.fp = $4 AND cp.terms && $2::text[] AND k IS NOT NULL),
pt AS (SELECT p.path, p.term FROM sw_path_terms p JOIN q ON q.term = p.term WHERE p.fp = $4),
cand AS (
  SELECT sc.row, sc.hash, sc.path, sc.text_len, sc.symbol_len, sc.path_len FROM sw_snapshot_chunks sc
  WHERE sc.snapshot = $1 AND sc.hash IN (SELECT hash FROM ht)${where}
  UNION
  SELECT sc.row, sc.hash, sc.path, sc.text_len, sc.symbol_len, sc.path_len FROM sw_snapshot_chunks sc
  WHERE sc.snapshot = $1 AND sc.path IN (SELECT path FROM pt)${where}),
pairs AS (
  SELECT c.row, q.term, q.w, COALESCE(ht.value, 0) + (CASE WHEN pt.path IS NULL THEN 0 ELSE 1 END) AS value,
         c.text_len, c.symbol_len, c.path_len
  FROM cand c CROSS JOIN q
  LEFT JOIN ht ON ht.hash = c.hash AND ht.term = q.term
  LEFT JOIN pt ON pt.path = c.path AND pt.term = q.term),
scored AS (
  SELECT row, term, w,
    (value >> 2)::float8 * ${norm(f.text.weight, f.text.b, 'text_len', 5)}
    + ((value >> 1) & 1)::float8 * ${norm(f.symbol.weight, f.symbol.b, 'symbol_len', 6)}
    + (value & 1)::float8 * ${norm(f.path.weight, f.path.b, 'path_len', 7)} AS tf
  FROM pairs WHERE value > 0)
SELECT row, sum((w * tf) / (${k1}::float8 + tf)) AS score, array_agg(term) AS terms
FROM scored GROUP BY row ORDER BY score DESC, row LIMIT $8`;
  const r = await store.q<{ row: number; score: number; terms: string[] }>(sql, params, 'searching');
  return r.rows.map((x) => ({ id: x.row, score: Number(x.score), terms: x.terms }));
}

/** Cosine top `depth` through the HNSW index (exact cosine re-computed for the returned rows). */
export async function denseSearch(store: TeamStore, space: TeamSpace, snap: SnapshotRow, queryVector: Float32Array, depth: number, filter?: SearchFilter, hidden: readonly string[] = []): Promise<Ranked[]> {
  await store.set('hnsw.ef_search', String(Math.max(40, Math.min(1000, depth * 2))));
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
  const kw = mode === 'dense' ? [] : merge(await keywordSearch(store, space, snap, query, depth, options.filter, hidden), near.keyword);
  const dense = vector ? merge(await denseSearch(store, space, snap, vector, depth, options.filter, hidden), near.dense) : [];
  const info = await chunkRows(store, snap, [...new Set([...kw, ...dense].filter((r) => r.id >= 0).map((r) => r.id))]);
  return rankRemote({
    query, queryVector: vector, mode, topK, filter: options.filter, hybridWeight: options.hybridWeight,
    keyword: kw, dense, dims: space.dims, vectorCount: snap.chunkCount,
    chunkOf: (id) => (id >= 0 ? info.get(id) : localChunks.get(id)),
  });
}
