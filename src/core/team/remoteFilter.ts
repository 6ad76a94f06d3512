/**
 * The filters of a remote search as SQL on `sc` (sw_snapshot_chunks): kind, language, path glob
 * and the paths the local overlay answers for. Both lists of a remote search use them.
 */
import { compilePathGlob } from '../search/filters';
import type { SearchFilter } from '../types';
import type { SnapshotRow } from './snapshots';
import type { TeamStore } from './store';

/** SQL conditions on `sc` (sw_snapshot_chunks) for the filter; params appended to `params`. */
export async function filterSql(store: TeamStore, snap: SnapshotRow, filter: SearchFilter | undefined, params: unknown[], hidden: readonly string[]): Promise<string> {
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

