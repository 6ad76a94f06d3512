/**
 * The HNSW index of a vector space around bulk loads. Inserting into an HNSW graph row by row
 * costs a graph search per row (494 rows/s at 20k × 256-d in WASM PostgreSQL, measured), while
 * pgvector's build over a loaded table is several times cheaper per row. So when a publish
 * brings at least twice as many new vectors as the table holds (the first publish of a
 * repository, a new model or dimension), the index is dropped before the load and built after.
 *
 * What stays true:
 * - Drop and build each run in their own short transaction under the space's advisory lock: two
 *   writers never build at once, and rows another writer inserts meanwhile are in the build
 *   (CREATE INDEX waits for open inserting transactions, which wait for it in turn).
 * - Between drop and build a remote search is exact (a sequential scan): slower, never wrong.
 * - A run killed in between leaves the table without its index: every publish ends by making
 *   sure it exists, so the next one builds it.
 * The keyword postings' GIN index (sw_chunk_postings, shared by all spaces) is handled alike.
 */
import { annIndexDdl, annIndexName, vectorTable } from './schema';
import type { TeamSpace, TeamStore } from './store';

const LOCK = 727_016_003;
// What a lost connection says it interrupted: all of this is part of publishing.
const PREPARING = 'publishing (preparing a bulk load)';
const BUILDING = 'publishing (building the vector index)';
/** Below this many new vectors the load is small whatever the table holds. */
export const BULK_MIN_ROWS = 64;
/** An index build's statement timeout: long, but a database that stopped answering still ends the run. */
const BUILD_TIMEOUT_MS = 60 * 60_000;

/** True when the ANN index of the space exists. */
export async function hasAnnIndex(store: TeamStore, fp: number): Promise<boolean> {
  const r = await store.q<{ r: string | null }>(`SELECT to_regclass($1)::text AS r`, [annIndexName(fp)], 'publishing (checking the vector index)');
  return r.rows[0].r !== null;
}

/**
 * Drops the index before a load of `incoming` new vectors when the table holds fewer than half
 * as many (counted only up to that: cheap on a big table). True when the load is a bulk load.
 */
export async function prepareBulkLoad(store: TeamStore, space: TeamSpace, incoming: number): Promise<boolean> {
  if (incoming < BULK_MIN_ROWS) return false;
  const cap = Math.floor(incoming / 2);
  const small = async (table: string) =>
    Number((await store.q<{ n: string }>(`SELECT count(*) AS n FROM (SELECT 1 FROM ${table} LIMIT $1) AS x`, [cap], PREPARING)).rows[0].n) < cap;
  if (!(await small(vectorTable(space.id)))) return false;
  // The postings' GIN index (shared by every space) the same way: pending-list inserts cost ~40 %
  // of a load that a build after it does not.
  const postings = await small('sw_chunk_postings');
  await store.transaction(PREPARING, async () => {
    await store.q(`SELECT pg_advisory_xact_lock($1, $2)`, [LOCK, space.id], PREPARING);
    await store.q(`DROP INDEX IF EXISTS ${annIndexName(space.id)}`, [], PREPARING);
  });
  if (postings) {
    await store.transaction(PREPARING, async () => {
      await store.q(`SELECT pg_advisory_xact_lock($1, 0)`, [LOCK], PREPARING);
      await store.q(`DROP INDEX IF EXISTS ${POSTINGS_INDEX}`, [], PREPARING);
    });
  }
  return true;
}

const POSTINGS_INDEX = 'sw_chunk_postings_terms';

/** The postings' GIN index, built when missing (after a bulk load or a run killed before it). */
async function ensurePostingsIndex(store: TeamStore): Promise<void> {
  const has = async () => (await store.q<{ r: string | null }>(`SELECT to_regclass($1)::text AS r`, [POSTINGS_INDEX], BUILDING)).rows[0].r !== null;
  if (await has()) return;
  await store.transaction(BUILDING, async () => {
    await store.q(`SELECT pg_advisory_xact_lock($1, 0)`, [LOCK], BUILDING);
    if (await has()) return;
    await store.q(`SET LOCAL maintenance_work_mem = '256MB'`, [], BUILDING);
    await store.q(`CREATE INDEX IF NOT EXISTS ${POSTINGS_INDEX} ON sw_chunk_postings USING gin (terms)`, [], BUILDING, BUILD_TIMEOUT_MS);
  });
}

/**
 * Builds the index when it is missing (after a bulk load, or a run killed before it built it).
 * Returns the seconds the build took, 0 when the index was there.
 */
export async function ensureAnnIndex(store: TeamStore, space: TeamSpace): Promise<number> {
  const t0 = Date.now();
  await ensurePostingsIndex(store);
  if (await hasAnnIndex(store, space.id)) return (Date.now() - t0) / 1000;
  return store.transaction(BUILDING, async () => {
    await store.q(`SELECT pg_advisory_xact_lock($1, $2)`, [LOCK, space.id], BUILDING);
    if (await hasAnnIndex(store, space.id)) return 0;
    // pgvector builds the graph in memory while it fits maintenance_work_mem (and much more slowly
    // on disk beyond it): raise it for this build to what the graph needs, never lower it.
    const rows = Number((await store.q<{ n: string }>(`SELECT count(*) AS n FROM ${vectorTable(space.id)}`, [], BUILDING)).rows[0].n);
    const d = space.dims;
    const vectorBytes = d <= 2000 ? 4 * d : d <= 4000 ? 2 * d : 4 * 2000; // vector, halfvec, 2,000-d prefix
    // Per element: the value, 2·m neighbour candidates of 16 B at layer 0 (m = 16), tids, headers; ×2 headroom.
    const wantKb = Math.min(2 * 1024 * 1024, Math.ceil((rows * (vectorBytes + 700) * 2) / 1024));
    const haveKb = Number((await store.q<{ s: string }>(`SELECT setting AS s FROM pg_settings WHERE name = 'maintenance_work_mem'`, [], BUILDING)).rows[0]?.s ?? 0);
    if (wantKb > haveKb) await store.q(`SET LOCAL maintenance_work_mem = '${wantKb}kB'`, [], BUILDING);
    // A graph over 100k rows took more than the 5 minutes any other statement gets (WASM PostgreSQL, loaded machine).
    await store.q(annIndexDdl(space.id, space.dims), [], BUILDING, BUILD_TIMEOUT_MS);
    return (Date.now() - t0) / 1000;
  });
}
