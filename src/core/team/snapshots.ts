/**
 * Reading snapshots: which one a search uses, what `team status` shows, what `team prune` drops.
 */
import { TeamIndexError } from './errors';
import type { RepoIdentity } from './identity';
import { vectorTable } from './schema';
import type { SpaceFacts, TeamSpace, TeamStore } from './store';

export interface SnapshotRow {
  readonly id: number;
  readonly commit?: string;
  readonly ref?: string;
  readonly chunkCount: number;
  readonly fileCount: number;
  readonly textTotal: number;
  readonly symbolTotal: number;
  readonly pathTotal: number;
  readonly createdAt: string;
}

interface RawSnapshot {
  id: string; commit: string | null; ref: string | null; chunk_count: number; file_count: number;
  text_total: string; symbol_total: string; path_total: string; created_at: Date;
}

function toRow(r: RawSnapshot): SnapshotRow {
  return {
    id: Number(r.id), ...(r.commit ? { commit: r.commit } : {}), ...(r.ref ? { ref: r.ref } : {}),
    chunkCount: r.chunk_count, fileCount: r.file_count, textTotal: Number(r.text_total), symbolTotal: Number(r.symbol_total),
    pathTotal: Number(r.path_total), createdAt: new Date(r.created_at).toISOString(),
  };
}

/**
 * The snapshot a search of this clone should use: the one of its HEAD commit when published
 * from a clean tree, else the newest clean one, else the newest (someone's uncommitted edits).
 * This clone's own edits come from its local overlay, not from a snapshot. A repository published only with other
 * models is a fingerprint mismatch, said with the spaces that do exist.
 */
export async function findSnapshot(store: TeamStore, space: TeamSpace | undefined, facts: SpaceFacts, repo: RepoIdentity): Promise<SnapshotRow> {
  if (space) {
    const r = await store.q<RawSnapshot>(
      `SELECT s.* FROM sw_snapshots s JOIN sw_repos r ON r.id = s.repo WHERE r.identity = $1 AND s.fp = $2
       ORDER BY (s.commit IS NOT DISTINCT FROM $3 AND NOT s.dirty) DESC, s.dirty, s.last_seen DESC, s.id DESC LIMIT 1`,
      [repo.id, space.id, repo.commit ?? null], 'finding a snapshot',
    );
    if (r.rows.length) return toRow(r.rows[0]);
  }
  const others = await store.q<{ label: string; key: string }>(
    `SELECT DISTINCT f.label, f.key FROM sw_snapshots s JOIN sw_repos r ON r.id = s.repo JOIN sw_fingerprints f ON f.id = s.fp WHERE r.identity = $1`,
    [repo.id], 'finding a snapshot',
  );
  if (others.rows.length) {
    const list = others.rows.map((o) => `${o.label} [${o.key}]`).join('; ');
    throw new TeamIndexError('fingerprint', `The team index has "${repo.id}" only for other models or settings: ${list}. This client is ${facts.label} [${facts.key}]. Search with the same --provider/--model/--dimensions, or index once with these to publish them.`);
  }
  throw new TeamIndexError('missing', `The team index at ${store.host} has no snapshot of "${repo.id}" yet. Run \`semantic-workspace index <dir> --team-index URL\` on one clone to publish it.`);
}

export interface TeamStatus {
  readonly url: string;
  readonly schemaVersion: number;
  readonly repository?: string;
  readonly snapshots: { id: number; repository: string; fingerprint: string; commit?: string; ref?: string; chunks: number; files: number; createdAt: string; lastSeen: string }[];
  readonly fingerprints: { id: number; label: string; key: string; dims: number; vectors: number; vectorBytes: number }[];
  readonly rows: Record<string, number>;
  readonly bytes: number;
}

const TABLES = ['sw_chunks', 'sw_chunk_postings', 'sw_path_terms', 'sw_repos', 'sw_snapshots', 'sw_snapshot_files', 'sw_snapshot_chunks', 'sw_snapshot_terms'];

/** Repository (or every one), snapshots, spaces, rows per table and bytes on the server. */
export async function teamStatus(store: TeamStore, repoId?: string): Promise<TeamStatus> {
  const version = Number((await store.q<{ value: string }>(`SELECT value FROM sw_meta WHERE key = 'schema_version'`)).rows[0]?.value ?? 0);
  const snaps = await store.q<{ id: string; identity: string; label: string; commit: string | null; ref: string | null; chunk_count: number; file_count: number; created_at: Date; last_seen: Date }>(
    `SELECT s.id, r.identity, f.label, s.commit, s.ref, s.chunk_count, s.file_count, s.created_at, s.last_seen
     FROM sw_snapshots s JOIN sw_repos r ON r.id = s.repo JOIN sw_fingerprints f ON f.id = s.fp
     WHERE $1::text IS NULL OR r.identity = $1 ORDER BY s.last_seen DESC, s.id DESC`, [repoId ?? null]);
  const fps = await store.q<{ id: number; label: string; key: string; dims: number }>(`SELECT id, label, key, dims FROM sw_fingerprints ORDER BY id`);
  const fingerprints: TeamStatus['fingerprints'] = [];
  const rows: Record<string, number> = {};
  let bytes = 0;
  for (const f of fps.rows) {
    const t = vectorTable(f.id);
    const c = await store.q<{ n: string; b: string }>(`SELECT count(*) AS n, pg_total_relation_size(to_regclass($1)) AS b FROM ${t}`, [t]);
    fingerprints.push({ id: f.id, label: f.label, key: f.key, dims: f.dims, vectors: Number(c.rows[0].n), vectorBytes: Number(c.rows[0].b) });
    rows[t] = Number(c.rows[0].n);
    bytes += Number(c.rows[0].b);
  }
  for (const t of TABLES) {
    const c = await store.q<{ n: string; b: string }>(`SELECT count(*) AS n, pg_total_relation_size(to_regclass($1)) AS b FROM ${t}`, [t]);
    rows[t] = Number(c.rows[0].n);
    bytes += Number(c.rows[0].b);
  }
  return {
    url: store.url, schemaVersion: version, ...(repoId ? { repository: repoId } : {}),
    snapshots: snaps.rows.map((s) => ({
      id: Number(s.id), repository: s.identity, fingerprint: s.label, ...(s.commit ? { commit: s.commit } : {}), ...(s.ref ? { ref: s.ref } : {}),
      chunks: s.chunk_count, files: s.file_count, createdAt: new Date(s.created_at).toISOString(), lastSeen: new Date(s.last_seen).toISOString(),
    })),
    fingerprints, rows, bytes,
  };
}

export interface PruneReport {
  readonly snapshots: number;
  readonly vectors: number;
  readonly chunks: number;
}

/**
 * Drops snapshots not seen for `olderThanDays` (never a repository's newest in a space), then the
 * content no remaining snapshot references: vectors, postings, texts, path terms. One transaction
 * taken against snapshot inserts; content younger than `graceMinutes` (default 60) is kept, since it
 * may belong to a publish whose snapshot is not committed yet (which also re-checks its content).
 */
export async function pruneTeam(store: TeamStore, opts: { olderThanDays: number; repoId?: string; graceMinutes?: number }): Promise<PruneReport> {
  const { olderThanDays, repoId } = opts;
  // Content younger than this may belong to a publish whose snapshot is not committed yet.
  const grace = `now() - make_interval(mins => ${Math.max(0, Math.floor(opts.graceMinutes ?? 60))})`;
  return store.transaction('pruning', async () => {
    await store.q(`LOCK TABLE sw_snapshots IN SHARE ROW EXCLUSIVE MODE`);
    const del = await store.q(
      `DELETE FROM sw_snapshots s USING sw_repos r WHERE r.id = s.repo AND ($2::text IS NULL OR r.identity = $2)
         AND s.last_seen < now() - make_interval(days => $1)
         AND s.id <> (SELECT s2.id FROM sw_snapshots s2 WHERE s2.repo = s.repo AND s2.fp = s.fp ORDER BY s2.last_seen DESC, s2.id DESC LIMIT 1)`,
      [olderThanDays, repoId ?? null], 'pruning',
    );
    let vectors = 0, chunks = 0;
    const fps = await store.q<{ id: number }>(`SELECT id FROM sw_fingerprints`);
    for (const f of fps.rows) {
      const live = `SELECT sc.hash FROM sw_snapshot_chunks sc JOIN sw_snapshots s ON s.id = sc.snapshot WHERE s.fp = ${f.id}`;
      vectors += (await store.q(`DELETE FROM ${vectorTable(f.id)} v WHERE NOT EXISTS (SELECT 1 FROM sw_snapshot_chunks sc JOIN sw_snapshots s ON s.id = sc.snapshot WHERE s.fp = $1 AND sc.hash = v.hash) AND v.created_at < ${grace}`, [f.id], 'pruning')).rowCount ?? 0;
      chunks += (await store.q(`DELETE FROM sw_chunks c WHERE c.fp = $1 AND c.hash NOT IN (${live}) AND c.created_at < ${grace}`, [f.id], 'pruning')).rowCount ?? 0;
      await store.q(`DELETE FROM sw_chunk_postings t WHERE t.fp = $1 AND NOT EXISTS (SELECT 1 FROM sw_chunks c WHERE c.fp = $1 AND c.hash = t.hash)`, [f.id], 'pruning');
      await store.q(`DELETE FROM sw_path_terms p WHERE p.fp = $1 AND p.path NOT IN (SELECT sc.path FROM sw_snapshot_chunks sc JOIN sw_snapshots s ON s.id = sc.snapshot WHERE s.fp = $1)`, [f.id], 'pruning');
    }
    return { snapshots: del.rowCount ?? 0, vectors, chunks };
  });
}
