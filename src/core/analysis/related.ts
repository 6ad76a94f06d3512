/**
 * "Related files" for the active editor: one vector per file (token-weighted mean of its chunks),
 * nearest files by cosine — code and notes alike, so a source file finds the docs that discuss it
 * and a doc finds its code. Optionally blended with a profile of recently opened files, and shaped
 * by the user's pin/hide feedback.
 *
 * Maps onto the CLI contract `{"results": [{"path", "score"}]}` (higher = more related).
 */
import type { ChunkKind } from '../types';
import type { AnalysisInput } from '../engineTypes';
import { computeFileVectors, dot, normalizeInPlace, round, type FileVectors } from './vectors';

export interface RecentFile {
  readonly path: string;
  /** Relative weight in the profile (e.g. decaying with age). Default 1. */
  readonly weight?: number;
}

export interface RelatedOptions {
  /** Default 20 (pinned files come on top of these). */
  readonly topK?: number;
  /** Recently opened files; their weighted mean forms a profile blended into the query. */
  readonly recent?: readonly (string | RecentFile)[];
  /** Share of the profile in the query vector, 0..1. Default 0.25: the active file stays dominant. */
  readonly recentWeight?: number;
  /** Always listed first (when indexed), whatever their score. */
  readonly pinned?: readonly string[];
  /** Never listed. Wins over `pinned`. */
  readonly hidden?: readonly string[];
  /** Only files of this kind. */
  readonly kind?: ChunkKind;
  /** Precomputed `computeFileVectors(input)`: reuse it across calls while the index is unchanged. */
  readonly fileVectors?: FileVectors;
}

export interface RelatedFile {
  readonly path: string;
  /** Cosine to the (blended) query vector. */
  readonly score: number;
  readonly kind: ChunkKind;
  readonly pinned?: true;
}

export interface RelatedResult {
  readonly results: readonly RelatedFile[];
  /** False when `path` is not in the index (results are then empty). */
  readonly found: boolean;
}

export function relatedFiles(input: AnalysisInput, path: string, options: RelatedOptions = {}): RelatedResult {
  const files = options.fileVectors ?? computeFileVectors(input);
  const { dims, vectors, paths, kinds, rowOf } = files;
  const self = rowOf.get(path);
  if (self === undefined) return { results: [], found: false };

  const query = Float32Array.from(vectors.subarray(self * dims, self * dims + dims));
  const profile = recentProfile(files, path, options.recent ?? []);
  if (profile) {
    const w = Math.min(1, Math.max(0, options.recentWeight ?? 0.25));
    for (let d = 0; d < dims; d++) query[d] = (1 - w) * query[d] + w * profile[d];
    normalizeInPlace(query);
  }

  const hidden = new Set(options.hidden ?? []);
  const pinned = (options.pinned ?? []).filter((p) => p !== path && !hidden.has(p) && rowOf.has(p));
  const pinnedSet = new Set(pinned);
  const scoreOf = (r: number) => round(dot(query, 0, vectors, r * dims, dims));
  const byScore = (a: RelatedFile, b: RelatedFile) => b.score - a.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

  const top = paths
    .map((p, r) => ({ p, r }))
    .filter(({ p, r }) => r !== self && !hidden.has(p) && !pinnedSet.has(p) && (!options.kind || kinds[r] === options.kind))
    .map(({ p, r }): RelatedFile => ({ path: p, score: scoreOf(r), kind: kinds[r] }))
    .sort(byScore)
    .slice(0, options.topK ?? 20);
  const pins = pinned
    .map((p): RelatedFile => ({ path: p, score: scoreOf(rowOf.get(p)!), kind: kinds[rowOf.get(p)!], pinned: true }))
    .sort(byScore);
  return { results: [...pins, ...top], found: true };
}

/** Unit-length weighted mean of the recent files' vectors (the active file itself left out). */
function recentProfile(files: FileVectors, active: string, recent: readonly (string | RecentFile)[]): Float32Array | undefined {
  const { dims, vectors, rowOf } = files;
  const profile = new Float32Array(dims);
  let used = 0;
  for (const entry of recent) {
    const { path, weight = 1 } = typeof entry === 'string' ? { path: entry } : entry;
    const r = rowOf.get(path);
    if (r === undefined || path === active || !(weight > 0)) continue;
    for (let d = 0; d < dims; d++) profile[d] += weight * vectors[r * dims + d];
    used++;
  }
  return used && normalizeInPlace(profile) > 0 ? profile : undefined;
}
