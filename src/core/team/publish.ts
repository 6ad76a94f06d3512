/**
 * Publishing a complete local index to the team index.
 *
 * 1. Content first, in small idempotent transactions (`ON CONFLICT DO NOTHING` by hash): for every
 *    chunk text the store lacks, its vector, its keyword postings and (with --store-text) its text.
 *    Content no snapshot references is invisible to every reader, so a kill or a dropped connection
 *    here leaves the store consistent, and the next run sends only what is still missing.
 *    Vectors and hashes travel in PostgreSQL's binary format (binary.ts), postings as one row per
 *    chunk text; a load much larger than what the space holds is a bulk load: its HNSW and GIN
 *    indexes are dropped before and built after it (annIndex.ts), not grown row by row.
 * 2. The snapshot in ONE transaction: its row, files, chunk locations, document frequencies and
 *    per-term impact lists (impacts.ts: what the remote keyword search prunes with).
 *    Readers see all of it or none of it. Writers of one repository and space are serialized by an
 *    advisory lock; the same content published twice is one snapshot (its commit / ref refreshed).
 */
import crypto from 'node:crypto';
import { tokenize } from '../text/tokenize';
import type { TeamPublishSource } from '../engineTypes';
import { ensureAnnIndex, prepareBulkLoad } from './annIndex';
import { BYTEA_OID, binaryArray, hashArray, textArrayLiteral, vectorArray } from './binary';
import { encodeImpacts } from './impacts';
import type { RepoIdentity } from './identity';
import { vectorTable } from './schema';
import { isHex, type TeamSpace, type TeamStore } from './store';
import { rowTerms } from './terms';

/** What a committed local index gives the publisher; chunk texts only when the team stores them. */
export type PublishSource = Omit<TeamPublishSource, 'readText'> & { readonly readText?: TeamPublishSource['readText'] };

export interface PublishReport {
  readonly snapshotId: number;
  /** True when this exact content was already published (nothing but its commit/ref refreshed). */
  readonly existed: boolean;
  /** Chunk texts whose vector + terms this run sent. */
  readonly contentRows: number;
  readonly chunkRows: number;
  readonly seconds: number;
  /** The content went in as a bulk load: the HNSW index was dropped before it and built after (annIndex.ts). */
  readonly bulk?: boolean;
  /** Seconds spent building the HNSW index (0 when it existed and took the rows one by one). */
  readonly indexSeconds?: number;
}

export interface PublishOptions {
  readonly signal?: AbortSignal;
  /** Rows sent of all this publish sends: new content (vectors + postings), then the snapshot's chunk rows. */
  readonly onProgress?: (done: number, total: number) => void;
  /** 'auto' (default): a load much larger than the table is a bulk load; 'never': always row by row. */
  readonly annRebuild?: 'auto' | 'never';
  /** Postings kept per term in the impact lists (impacts.ts impactDepth); tests shorten it to exercise pruning. */
  readonly impactDepth?: (df: number) => number;
}

/** New content per transaction: the unit a killed publish resumes from (~21k postings rows). */
const CONTENT_BATCH = 1000;
const ROW_BATCH = 2000;
/** Terms per statement of the snapshot's document frequencies and impact lists (≤ 8 KB each). */
const TERM_BATCH = 2000;

/** Names the snapshot by what it contains: the same files at the same hashes are the same snapshot. */
export function contentKey(files: PublishSource['files']): string {
  const h = crypto.createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) h.update(`${f.path}\0${f.hash}\n`);
  return h.digest('hex').slice(0, 32);
}

export async function publishSnapshot(
  store: TeamStore, space: TeamSpace, repo: RepoIdentity, src: PublishSource,
  options: PublishOptions = {},
): Promise<PublishReport> {
  const t0 = Date.now();
  const { chunks } = src;
  if (chunks.some((c) => !isHex(c.hash))) throw new Error('internal: chunk hashes must be hex to be published');
  const key = contentKey(src.files);

  // 1. Content the store lacks (first row of each hash carries it).
  const firstRow = new Map<string, number>();
  chunks.forEach((c, r) => firstRow.has(c.hash) || firstRow.set(c.hash, r));
  const have = new Set<string>();
  const all = [...firstRow.keys()];
  for (let i = 0; i < all.length; i += 5000) {
    const r = await store.q<{ h: string }>(
      `SELECT encode(hash, 'hex') AS h FROM sw_chunks WHERE fp = $1 AND hash = ANY($2::bytea[])`,
      [space.id, hashArray(all.slice(i, i + 5000))], 'publishing (checking what the team index has)',
    );
    for (const row of r.rows) have.add(row.h);
  }
  const missing = all.filter((h) => !have.has(h));
  const missingRows = new Set(missing.map((h) => firstRow.get(h)!));
  const stats = rowTerms(src.keywordBytes, chunks.length, (row) => missingRows.has(row), options.impactDepth);
  const bulk = options.annRebuild !== 'never' && (await prepareBulkLoad(store, space, missing.length));
  const vectorOid = await store.vectorOid('publishing vectors');
  for (let i = 0; i < missing.length; i += CONTENT_BATCH) {
    options.signal?.throwIfAborted();
    const batch = missing.slice(i, i + CONTENT_BATCH);
    const rowsOf: number[] = [], texts: (string | null)[] = [];
    // Postings: one row per chunk text, its terms and values as array literals (no server-side regrouping).
    const pHash: string[] = [], pTerms: string[] = [], pVals: string[] = [];
    for (const h of batch) {
      const row = firstRow.get(h)!;
      rowsOf.push(row);
      texts.push(src.readText ? ((await src.readText(chunks[row])) ?? null) : null);
      const ids = stats.termIds[row], vals = stats.values[row];
      const terms: string[] = [], values: number[] = [];
      for (let k = 0; k < ids.length; k++) {
        const v = vals[k] & ~1; // the path bit belongs to the path, not to the content
        if (v === 0) continue;
        terms.push(stats.terms[ids[k]]);
        values.push(v);
      }
      if (!terms.length) continue;
      pHash.push(h);
      pTerms.push(textArrayLiteral(terms));
      pVals.push(`{${values.join(',')}}`);
    }
    const hashes = hashArray(batch);
    await store.transaction('publishing vectors', async () => {
      await store.q(
        `INSERT INTO ${vectorTable(space.id)} (hash, embedding) SELECT h, e FROM unnest($1::bytea[], $2::vector[]) AS u(h, e) ON CONFLICT (hash) DO NOTHING`,
        [hashes, vectorArray(vectorOid, src.vectors, src.dims, rowsOf)], 'publishing vectors',
      );
      await store.q(
        `INSERT INTO sw_chunk_postings (fp, hash, terms, vals)
         SELECT $1, h, t::text[], v::int[] FROM unnest($2::bytea[], $3::text[], $4::text[]) AS u(h, t, v) ON CONFLICT DO NOTHING`,
        [space.id, hashArray(pHash), pTerms, pVals], 'publishing keyword postings',
      );
      await store.q(
        `INSERT INTO sw_chunks (fp, hash, text) SELECT $1, h, t FROM unnest($2::bytea[], $3::text[]) AS u(h, t) ON CONFLICT DO NOTHING`,
        [space.id, hashes, texts], 'publishing chunks',
      );
    });
    options.onProgress?.(Math.min(missing.length, i + CONTENT_BATCH), missing.length + chunks.length);
  }
  options.onProgress?.(missing.length, missing.length + chunks.length);
  // After a bulk load, or a run killed before it built the index: build it before the snapshot
  // that makes the rows searchable.
  const indexSeconds = await ensureAnnIndex(store, space);

  // 2. The snapshot, atomically.
  options.signal?.throwIfAborted();
  const totals = { text: 0, symbol: 0, path: 0 };
  for (let r = 0; r < chunks.length; r++) {
    totals.text += stats.textLen[r];
    totals.symbol += stats.symbolLen[r];
    totals.path += stats.pathLen[r];
  }
  return store.transaction('publishing the snapshot', async () => {
    const repoId = await repoRow(store, repo.id);
    await store.q(`SELECT pg_advisory_xact_lock($1, $2)`, [repoId, space.id], 'publishing the snapshot');
    const existing = await store.q<{ id: string }>(`SELECT id FROM sw_snapshots WHERE repo = $1 AND fp = $2 AND content_key = $3`, [repoId, space.id, key], 'publishing the snapshot');
    if (existing.rows.length) {
      const id = Number(existing.rows[0].id);
      // Same content from a clean tree makes the snapshot the commit's.
      await store.q(`UPDATE sw_snapshots SET last_seen = now(), commit = CASE WHEN $4 THEN commit ELSE COALESCE($2, commit) END,
        ref = CASE WHEN $4 THEN ref ELSE COALESCE($3, ref) END, dirty = dirty AND $4 WHERE id = $1`, [id, repo.commit ?? null, repo.ref ?? null, !!repo.dirty], 'publishing the snapshot');
      return { snapshotId: id, existed: true, contentRows: missing.length, chunkRows: chunks.length, seconds: (Date.now() - t0) / 1000, bulk, indexSeconds };
    }
    // A prune between step 1 and here could have taken content we rely on: check, never commit a hole.
    const present = await store.q<{ n: string }>(
      `SELECT count(*) AS n FROM sw_chunks WHERE fp = $1 AND hash = ANY($2::bytea[])`, [space.id, hashArray(all)], 'publishing the snapshot');
    if (Number(present.rows[0].n) !== all.length) throw new Error(`internal: ${all.length - Number(present.rows[0].n)} published chunk(s) vanished before the snapshot; run index again`);
    const ins = await store.q<{ id: string }>(
      `INSERT INTO sw_snapshots (repo, fp, content_key, commit, ref, dirty, chunk_count, file_count, text_total, symbol_total, path_total)
       VALUES ($1,$2,$3,$4,$5,$11,$6,$7,$8,$9,$10) RETURNING id`,
      [repoId, space.id, key, repo.commit ?? null, repo.ref ?? null, chunks.length, src.files.length, totals.text, totals.symbol, totals.path, !!repo.dirty],
      'publishing the snapshot',
    );
    const id = Number(ins.rows[0].id);
    await store.q(`INSERT INTO sw_snapshot_files (snapshot, path, file_hash) SELECT $1, p, h FROM unnest($2::text[], $3::text[]) AS u(p, h)`,
      [id, src.files.map((f) => f.path), src.files.map((f) => f.hash)], 'publishing the snapshot');
    for (let i = 0; i < chunks.length; i += ROW_BATCH) {
      const part = chunks.slice(i, i + ROW_BATCH);
      const rows = part.map((_, k) => i + k);
      await store.q(
        `INSERT INTO sw_snapshot_chunks (snapshot, row, path, start_line, end_line, symbol, kind, language, hash, tokens, text_len, symbol_len, path_len)
         SELECT $1, r, p, s, e, sy, k, l, h, t, tl, sl, pl
         FROM unnest($2::int[], $3::text[], $4::int[], $5::int[], $6::text[], $7::text[], $8::text[], $9::bytea[], $10::int[], $11::int[], $12::int[], $13::int[])
           AS u(r, p, s, e, sy, k, l, h, t, tl, sl, pl)`,
        [id, rows, part.map((c) => c.path), part.map((c) => c.startLine), part.map((c) => c.endLine), part.map((c) => c.symbol),
          part.map((c) => c.kind), part.map((c) => c.language), hashArray(part.map((c) => c.hash)), part.map((c) => c.tokens),
          rows.map((r) => stats.textLen[r]), rows.map((r) => stats.symbolLen[r]), rows.map((r) => stats.pathLen[r])],
        'publishing the snapshot',
      );
      options.onProgress?.(missing.length + i + part.length, missing.length + chunks.length);
    }
    // Document frequencies and impact lists (impacts.ts), in batches of ~1–8 MB.
    const live = stats.terms.map((_, i) => i).filter((i) => stats.df[i] > 0);
    for (let i = 0; i < live.length; i += TERM_BATCH) {
      const part = live.slice(i, i + TERM_BATCH);
      const lists = part.map((t) => stats.impacts[t]);
      await store.q(`INSERT INTO sw_snapshot_terms (snapshot, term, df, impacts, rest) SELECT $1, t, d, im, r FROM unnest($2::text[], $3::int[], $4::bytea[], $5::real[]) AS u(t, d, im, r)`,
        [id, part.map((t) => stats.terms[t]), part.map((t) => stats.df[t]),
          binaryArray(BYTEA_OID, lists.map((l) => (l ? encodeImpacts(l) : Buffer.alloc(0)))), lists.map((l) => l?.rest ?? 0)],
        'publishing the snapshot');
    }
    const pTerm: string[] = [], pPath: string[] = [];
    for (const f of src.files) for (const t of new Set(tokenize(f.path))) {
      pTerm.push(t);
      pPath.push(f.path);
    }
    await store.q(`INSERT INTO sw_path_terms (fp, term, path) SELECT $1, t, p FROM unnest($2::text[], $3::text[]) AS u(t, p) ON CONFLICT DO NOTHING`,
      [space.id, pTerm, pPath], 'publishing the snapshot');
    return { snapshotId: id, existed: false, contentRows: missing.length, chunkRows: chunks.length, seconds: (Date.now() - t0) / 1000, bulk, indexSeconds };
  });
}

async function repoRow(store: TeamStore, identity: string): Promise<number> {
  await store.q(`INSERT INTO sw_repos (identity) VALUES ($1) ON CONFLICT (identity) DO NOTHING`, [identity], 'publishing the snapshot');
  const r = await store.q<{ id: number }>(`SELECT id FROM sw_repos WHERE identity = $1`, [identity], 'publishing the snapshot');
  return r.rows[0].id;
}
