/**
 * The keyword side of a remote search: BM25F in PostgreSQL over the product's own tokens, from the
 * snapshot's stored statistics (document frequencies, field-length totals) and the published
 * postings, with the local engine's constants and float32 length normalisers, so scores equal the
 * local ones.
 *
 * Pruned (snapshots of schema v3): like the local engine's max-score loop, but over the stored
 * impact lists (impacts.ts). 1. One query reads each query term's document frequency and top
 * postings by impact; every row in a list is a candidate with a lower bound (the impacts it was
 * seen with) and an upper bound (+ the `rest` of each list it is missing from); a row in no list
 * scores at most Σ w·sat(rest). 2. Candidates, best upper bound first, are re-scored EXACTLY from
 * their posting values and lengths (filters applied in SQL), in the local engine's arithmetic and
 * term order. 3. When the depth-th exact score beats every bound left, the list is exact; when it
 * cannot (a filter that passes few candidates, or ties deeper than the lists), the full scan
 * below answers — slower, same result.
 *
 * Full scan: every chunk holding a query term re-scored the same way (O(document frequency)).
 */
import { BM25F } from '../search/keywordIndex';
import { tokenize, tokenizeLabeled } from '../text/tokenize';
import type { SearchFilter } from '../types';
import { decodeImpacts, fieldNorm, impactOf, type ImpactList } from './impacts';
import { filterSql } from './remoteFilter';
import type { SnapshotRow } from './snapshots';
import type { TeamSpace, TeamStore } from './store';

export interface Ranked {
  readonly id: number;
  readonly score: number;
  readonly terms?: readonly string[];
}

/** One query term as the local engine plans it: idf · qtf · (k1 + 1), rarest (heaviest) first. */
interface TermPlan {
  readonly term: string;
  readonly weight: number;
  readonly listed: boolean;
  readonly list?: ImpactList;
}

interface TermRow {
  term: string;
  df: number;
  impacts: Buffer | null;
  rest: number | null;
}

/** Relative margin on float32 impacts when they serve as bounds (float32 rounding is ~6e-8). */
const MARGIN = 1e-6;
/** Candidates re-scored per statement, and statements before the full scan takes over. */
const BATCH_MAX = 1000;
const ROUNDS_MAX = 6;
const FIRST_BATCH = 64;

/** BM25F top `depth` of the snapshot, scores equal to KeywordIndex.search's on the same chunks (and the same `expansion`). */
export async function keywordSearch(store: TeamStore, space: TeamSpace, snap: SnapshotRow, query: string, depth: number, filter?: SearchFilter, hidden: readonly string[] = [], stats?: KeywordSearchStats, expansion?: ReadonlyMap<string, number>): Promise<Ranked[]> {
  const qtf = new Map<string, number>();
  for (const t of tokenizeLabeled(query)) qtf.set(t.term, (qtf.get(t.term) ?? 0) + 1);
  // Expansion terms (query words joined into identifiers) score like KeywordIndex.search's, but are never listed as matched.
  const listed = new Set(qtf.keys());
  for (const [t, w] of expansion ?? []) qtf.set(t, (qtf.get(t) ?? 0) + w);
  if (qtf.size === 0 || snap.chunkCount === 0 || depth <= 0) return [];
  const r = await store.q<TermRow>(`SELECT term, df, impacts, rest FROM sw_snapshot_terms WHERE snapshot = $1 AND term = ANY($2::text[])`, [snap.id, [...qtf.keys()]], 'searching');
  if (r.rows.length === 0) return [];
  const n = Math.max(1, snap.chunkCount);
  const { k1 } = BM25F;
  const byTerm = new Map(r.rows.map((x) => [x.term, x]));
  // The local engine's order: query order, then a stable sort by weight — so sums add up alike.
  const plan: TermPlan[] = [...qtf.keys()].filter((t) => byTerm.has(t)).map((t) => {
    const row = byTerm.get(t)!;
    const weight = Math.log(1 + (n - row.df + 0.5) / (row.df + 0.5)) * (qtf.get(t) ?? 1) * (k1 + 1);
    return { term: t, weight, listed: listed.has(t), ...(row.impacts ? { list: decodeImpacts(row.impacts, Number(row.rest ?? 0)) } : {}) };
  }).sort((a, b) => b.weight - a.weight);
  // Snapshots published before schema v3 have no impact lists.
  if (plan.every((p) => p.list)) {
    const pruned = await prunedSearch(store, space, snap, plan, depth, filter, hidden, stats);
    if (pruned) return pruned;
  }
  if (stats) stats.fullScans++;
  const all = await rescore(store, space, snap, plan, 'all', filter, hidden);
  return all.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, depth);
}

/** What a search read (bench and tests): rows re-scored by the pruned path, full scans it fell back to. */
export interface KeywordSearchStats {
  rescored: number;
  fullScans: number;
}

interface Candidate {
  readonly row: number;
  lower: number;
  upper: number;
}

/** The pruned top `depth` (see the file comment), or undefined when the bounds cannot settle it. */
async function prunedSearch(store: TeamStore, space: TeamSpace, snap: SnapshotRow, plan: readonly TermPlan[], depth: number, filter: SearchFilter | undefined, hidden: readonly string[], stats?: KeywordSearchStats): Promise<Ranked[] | undefined> {
  const { k1 } = BM25F;
  const part = (w: number, tf: number) => (w * tf) / (k1 + tf);
  // A row in no list: at most every list's `rest`. A row in some: its impacts there, `rest` elsewhere.
  const restBound = plan.map((p) => (p.list!.rest > 0 ? part(p.weight, p.list!.rest * (1 + MARGIN)) : 0));
  const unseen = restBound.reduce((a, b) => a + b, 0);
  const byRow = new Map<number, Candidate>();
  plan.forEach((p, i) => {
    const { rows, tfs } = p.list!;
    for (let k = 0; k < rows.length; k++) {
      let c = byRow.get(rows[k]);
      if (!c) byRow.set(rows[k], (c = { row: rows[k], lower: 0, upper: unseen }));
      c.lower += part(p.weight, tfs[k] * (1 - MARGIN));
      c.upper += part(p.weight, tfs[k] * (1 + MARGIN)) - restBound[i];
    }
  });
  const cands = [...byRow.values()].sort((a, b) => b.upper - a.upper || a.row - b.row);
  // First batch: every candidate that may beat the depth-th best lower bound.
  const lowers = cands.map((c) => c.lower).sort((a, b) => b - a);
  const floor = lowers.length >= depth ? lowers[depth - 1] : -Infinity;
  let end = 0;
  while (end < cands.length && (end < depth || cands[end].upper >= floor)) end++;
  // …but re-scored a small batch at a time: the k-th exact score rises fast and cuts the rest.
  let size = Math.max(2 * depth, FIRST_BATCH);
  const exact: Ranked[] = [];
  let next = 0;
  for (let round = 0; round < ROUNDS_MAX; round++) {
    const batch = cands.slice(next, Math.min(end, next + size));
    size = Math.min(BATCH_MAX, 2 * size);
    next += batch.length;
    if (stats) stats.rescored += batch.length;
    exact.push(...(await rescore(store, space, snap, plan, batch.map((c) => c.row), filter, hidden)));
    exact.sort((a, b) => b.score - a.score || a.id - b.id);
    // Fewer than depth: only exact when no row outside the lists holds a query term at all.
    const kth = exact.length >= depth ? exact[depth - 1].score : 0;
    if (next < cands.length && cands[next].upper >= kth) {
      end = next;
      while (end < cands.length && cands[end].upper >= kth) end++;
      continue;
    }
    // Every candidate that could beat the k-th is scored: exact unless an unlisted row could too.
    return unseen === 0 || kth > unseen ? exact.slice(0, depth) : undefined;
  }
  return undefined;
}

/**
 * Exact BM25F scores of these snapshot rows that pass the filter, from their posting values and
 * field lengths, in the local engine's arithmetic (float32 normalisers, terms in plan order).
 */
async function rescore(store: TeamStore, space: TeamSpace, snap: SnapshotRow, plan: readonly TermPlan[], rows: readonly number[] | 'all', filter: SearchFilter | undefined, hidden: readonly string[]): Promise<Ranked[]> {
  if (rows !== 'all' && !rows.length) return [];
  const params: unknown[] = [snap.id, space.id, rows === 'all' ? plan.map((p) => p.term) : rows];
  // 'all': every row holding a query term in its content or its path (the full scan).
  const which = rows === 'all'
    ? `sc.row IN (SELECT s2.row FROM sw_snapshot_chunks s2 JOIN sw_chunk_postings c2 ON c2.fp = $2 AND c2.hash = s2.hash WHERE s2.snapshot = $1 AND c2.terms && $3::text[]
        UNION SELECT s3.row FROM sw_snapshot_chunks s3 WHERE s3.snapshot = $1 AND s3.path IN (SELECT p.path FROM sw_path_terms p WHERE p.fp = $2 AND p.term = ANY($3::text[])))`
    : 'sc.row = ANY($3::int[])';
  // The content's value of each term (its path bit was stripped at publish): one array element per term.
  const values = plan.map((p) => {
    params.push(p.term);
    return `COALESCE(cp.vals[array_position(cp.terms, $${params.length}::text)], 0)`;
  });
  const where = await filterSql(store, snap, filter, params, hidden);
  const r = await store.q<{ row: number; path: string; tl: number; sl: number; pl: number; v: number[] }>(`
SELECT sc.row, sc.path, sc.text_len AS tl, sc.symbol_len AS sl, sc.path_len AS pl, ARRAY[${values.join(', ')}] AS v
FROM sw_snapshot_chunks sc LEFT JOIN sw_chunk_postings cp ON cp.fp = $2 AND cp.hash = sc.hash
WHERE sc.snapshot = $1 AND ${which}${where}`, params, 'searching');
  const n = Math.max(1, snap.chunkCount);
  const { k1, text, symbol, path } = BM25F;
  const out: Ranked[] = [];
  const pathTerms = new Map<string, Set<string>>();
  for (const x of r.rows) {
    // The path field's bit, from the product's tokenizer as publish and the local engine use it.
    let inPath = pathTerms.get(x.path);
    if (!inPath) pathTerms.set(x.path, (inPath = new Set(tokenize(x.path))));
    const nt = fieldNorm(x.tl, snap.textTotal, n, text), ns = fieldNorm(x.sl, snap.symbolTotal, n, symbol), np = fieldNorm(x.pl, snap.pathTotal, n, path);
    let score = 0;
    const terms: string[] = [];
    plan.forEach((p, i) => {
      const value = x.v[i] | (inPath.has(p.term) ? 1 : 0);
      if (!value) return;
      const tf = impactOf(value, nt, ns, np);
      score += (p.weight * tf) / (k1 + tf);
      if (p.listed) terms.push(p.term);
    });
    if (score > 0) out.push({ id: x.row, score, terms });
  }
  return out;
}
