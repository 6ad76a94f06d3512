/**
 * The team index's schema, created and migrated by the product itself (no separate tool to run).
 * Versioned in `sw_meta`: an older schema is migrated forward under an advisory lock (several
 * clients may start at once), a newer one is refused before anything is written.
 *
 * Layout (content-addressed where it can be, so clones and branches share rows):
 *   sw_fingerprints      one row per vector space (model, dims, text types, chunker, tokenizer)
 *   sw_vectors_<fp>      hash → vector(n): one table per space, so the column has its dims and an HNSW index
 *   sw_chunks            (fp, hash): terms of this chunk text are published; its text with --store-text
 *   sw_chunk_postings    (fp, hash) → terms[], vals[] (value = textTf·4 + inSymbol·2), GIN on terms: the
 *                        keyword side's postings by content, one row per chunk text (v2; v1 had one row per
 *                        term and chunk, ~86 rows and 12.5 KB per code chunk, and bounded publishing)
 *   sw_path_terms        (fp, term, path): the path field's terms
 *   sw_repos             repository identities (normalized remote URL or --repo-id)
 *   sw_snapshots         a complete index of a repository at a commit: BM25F totals, file count
 *   sw_snapshot_files / sw_snapshot_chunks / sw_snapshot_terms   its files, chunk locations, document frequencies
 *                        and (v3) per-term impact lists, the remote keyword search's pruning
 */
import type pg from 'pg';
import { TeamIndexError } from './errors';

export const SCHEMA_VERSION = 3;
const LOCK_KEY = 727_016_001; // pg_advisory_xact_lock key of schema changes

const V1 = `
CREATE TABLE IF NOT EXISTS sw_fingerprints (
  id serial PRIMARY KEY, key text NOT NULL UNIQUE, provider text NOT NULL, model text NOT NULL,
  dims integer NOT NULL, label text NOT NULL, embedder text NOT NULL, chunker text NOT NULL,
  tokenizer text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS sw_repos (id serial PRIMARY KEY, identity text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS sw_chunks (
  fp integer NOT NULL REFERENCES sw_fingerprints ON DELETE CASCADE, hash bytea NOT NULL, text text,
  created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (fp, hash));
CREATE TABLE IF NOT EXISTS sw_chunk_terms (fp integer NOT NULL, term text NOT NULL, hash bytea NOT NULL, value integer NOT NULL, PRIMARY KEY (fp, term, hash));
CREATE INDEX IF NOT EXISTS sw_chunk_terms_hash ON sw_chunk_terms (fp, hash);
CREATE TABLE IF NOT EXISTS sw_path_terms (fp integer NOT NULL, term text NOT NULL, path text NOT NULL, PRIMARY KEY (fp, term, path));
CREATE TABLE IF NOT EXISTS sw_snapshots (
  id bigserial PRIMARY KEY, repo integer NOT NULL REFERENCES sw_repos ON DELETE CASCADE,
  fp integer NOT NULL REFERENCES sw_fingerprints ON DELETE CASCADE, content_key text NOT NULL,
  commit text, ref text, dirty boolean NOT NULL DEFAULT false, chunk_count integer NOT NULL, file_count integer NOT NULL,
  text_total bigint NOT NULL, symbol_total bigint NOT NULL, path_total bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(), last_seen timestamptz NOT NULL DEFAULT now(),
  UNIQUE (repo, fp, content_key));
CREATE TABLE IF NOT EXISTS sw_snapshot_files (
  snapshot bigint NOT NULL REFERENCES sw_snapshots ON DELETE CASCADE, path text NOT NULL, file_hash text NOT NULL,
  PRIMARY KEY (snapshot, path));
CREATE TABLE IF NOT EXISTS sw_snapshot_chunks (
  snapshot bigint NOT NULL REFERENCES sw_snapshots ON DELETE CASCADE, row integer NOT NULL, path text NOT NULL,
  start_line integer NOT NULL, end_line integer NOT NULL, symbol text NOT NULL, kind text NOT NULL,
  language text NOT NULL, hash bytea NOT NULL, tokens integer NOT NULL,
  text_len integer NOT NULL, symbol_len integer NOT NULL, path_len integer NOT NULL,
  PRIMARY KEY (snapshot, row));
CREATE INDEX IF NOT EXISTS sw_snapshot_chunks_hash ON sw_snapshot_chunks (snapshot, hash);
CREATE INDEX IF NOT EXISTS sw_snapshot_chunks_path ON sw_snapshot_chunks (snapshot, path);
CREATE TABLE IF NOT EXISTS sw_snapshot_terms (
  snapshot bigint NOT NULL REFERENCES sw_snapshots ON DELETE CASCADE, term text NOT NULL, df integer NOT NULL,
  PRIMARY KEY (snapshot, term));
`;

/**
 * v2: postings as one row per chunk text with a GIN index on its terms (a query's candidates are
 * `terms && query terms`). Measured at 10k synthetic code chunks: v1's row per (term, chunk) was
 * 12.5 KB per chunk and capped publishing at ~30k rows/s ≈ 360 chunks/s. Existing rows move over.
 */
const V2 = `
CREATE TABLE IF NOT EXISTS sw_chunk_postings (
  fp integer NOT NULL, hash bytea NOT NULL, terms text[] NOT NULL, vals integer[] NOT NULL, PRIMARY KEY (fp, hash));
CREATE INDEX IF NOT EXISTS sw_chunk_postings_terms ON sw_chunk_postings USING gin (terms);
INSERT INTO sw_chunk_postings (fp, hash, terms, vals)
  SELECT fp, hash, array_agg(term ORDER BY term), array_agg(value ORDER BY term) FROM sw_chunk_terms GROUP BY fp, hash
  ON CONFLICT DO NOTHING;
DROP TABLE IF EXISTS sw_chunk_terms;
`;

/**
 * v3: each snapshot term's impact list (impacts.ts) next to its document frequency, so a remote
 * keyword search reads the top postings of its terms instead of scoring every chunk holding a
 * common word. Snapshots published before have none (NULL) and are searched by the full scan.
 * EXTERNAL: float bytes do not compress; skip the attempt.
 */
const V3 = `
ALTER TABLE sw_snapshot_terms ADD COLUMN IF NOT EXISTS impacts bytea, ADD COLUMN IF NOT EXISTS rest real;
ALTER TABLE sw_snapshot_terms ALTER COLUMN impacts SET STORAGE EXTERNAL;
`;

/** pgvector indexes at most 2,000 dims as `vector`, 4,000 as `halfvec`; beyond, a 2,000-d prefix is indexed. */
export function annExpression(dims: number): { expr: string; ops: string; query: (param: string) => string } {
  if (dims <= 2000) return { expr: 'embedding', ops: 'vector_cosine_ops', query: (p) => `${p}::vector(${dims})` };
  if (dims <= 4000) return { expr: `(embedding::halfvec(${dims}))`, ops: 'halfvec_cosine_ops', query: (p) => `${p}::halfvec(${dims})` };
  return { expr: '(subvector(embedding, 1, 2000)::vector(2000))', ops: 'vector_cosine_ops', query: (p) => `subvector(${p}::vector(${dims}), 1, 2000)::vector(2000)` };
}

export function vectorTable(fp: number): string {
  return `sw_vectors_${fp}`;
}

/** The space's HNSW index (dropped and rebuilt around a bulk load: annIndex.ts). */
export function annIndexName(fp: number): string {
  return `${vectorTable(fp)}_hnsw`;
}

export function annIndexDdl(fp: number, dims: number): string {
  const ann = annExpression(dims);
  return `CREATE INDEX IF NOT EXISTS ${annIndexName(fp)} ON ${vectorTable(fp)} USING hnsw (${ann.expr} ${ann.ops})`;
}

export function vectorTableDdl(fp: number, dims: number): string {
  return `CREATE TABLE IF NOT EXISTS ${vectorTable(fp)} (hash bytea PRIMARY KEY, embedding vector(${dims}) NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
${annIndexDdl(fp, dims)};`;
}

/** Creates or migrates the schema; throws TeamIndexError for a newer schema or a missing pgvector. */
export async function ensureSchema(client: pg.Client, host: string): Promise<void> {
  const read = async (): Promise<number> => {
    const t = await client.query(`SELECT to_regclass('sw_meta') AS t`);
    if (!t.rows[0].t) return 0;
    const r = await client.query(`SELECT value FROM sw_meta WHERE key = 'schema_version'`);
    return r.rows.length ? Number(r.rows[0].value) : 0;
  };
  const refuseNewer = (v: number) => {
    if (v > SCHEMA_VERSION) {
      throw new TeamIndexError('schema', `The team index at ${host} has schema version ${v}, made by a newer Semantic Workspace (this one knows up to ${SCHEMA_VERSION}). Update the extension / CLI; nothing was written.`);
    }
  };
  const before = await read();
  refuseNewer(before);
  await ensureVectorExtension(client, host);
  if (before === SCHEMA_VERSION) return;
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
    await client.query(`CREATE TABLE IF NOT EXISTS sw_meta (key text PRIMARY KEY, value text NOT NULL)`);
    const now = await read();
    refuseNewer(now);
    if (now < 1) await client.query(V1);
    if (now < 2) await client.query(V2);
    if (now < 3) await client.query(V3);
    // Later versions: `if (now < 4) await client.query(V4)` — each step idempotent.
    await client.query(`INSERT INTO sw_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [String(SCHEMA_VERSION)]);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

async function ensureVectorExtension(client: pg.Client, host: string): Promise<void> {
  const have = await client.query(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`);
  if (have.rows.length) return;
  const available = await client.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`);
  if (!available.rows.length) {
    throw new TeamIndexError('extension', `The team index database at ${host} has no pgvector extension ("vector" is not installed on the server). Use a PostgreSQL with pgvector (Alibaba RDS / PolarDB, Supabase, Neon, RDS, …) or install it there; nothing was written.`);
  }
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === '42501') {
      throw new TeamIndexError('extension', `pgvector is available at ${host} but this user may not enable it. Ask an administrator to run CREATE EXTENSION vector; in this database; nothing was written.`, code);
    }
    throw e;
  }
}
