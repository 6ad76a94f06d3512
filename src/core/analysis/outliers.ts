/**
 * Files that do not fit where they are: a misplaced doc, dead code, a stale note. Score = 1 − cosine
 * to the centroid of the file's group (higher = more outlying), where the group is
 * - the note's topic, when a clustering is given (notes only);
 * - otherwise the file's folder, when the folder holds ≥ 3 indexed files;
 * - otherwise the whole workspace (a folder of one or two files has no meaningful centroid).
 * Centroids leave the file itself out: in a folder of three, a file would otherwise make up a third
 * of the centroid it is compared with and look far less odd than it is.
 *
 * Maps onto the CLI contract `{"results": [{"path", "score"}]}`.
 */
import type { AnalysisInput } from '../engineTypes';
import type { NoteClustering } from './clusterNotes';
import { computeFileVectors, round, type FileVectors } from './vectors';

export interface OutlierOptions {
  /** Default 50. */
  readonly topK?: number;
  /** Minimum files for a folder to be its own reference group. Default 3. */
  readonly minFolderSize?: number;
  /** A `clusterNotes` result: its notes are compared with their topic instead of their folder. */
  readonly topics?: NoteClustering;
  readonly fileVectors?: FileVectors;
}

export type OutlierGroupKind = 'topic' | 'folder' | 'global';

export interface OutlierFile {
  readonly path: string;
  /** 1 − cosine to the group centroid (without the file itself). */
  readonly score: number;
  readonly group: OutlierGroupKind;
  /** The folder (`.` for the root), the topic label, or `''` for the whole workspace. */
  readonly reference: string;
}

export interface OutliersResult {
  readonly results: readonly OutlierFile[];
}

export function findOutliers(input: AnalysisInput, options: OutlierOptions = {}): OutliersResult {
  const files = options.fileVectors ?? computeFileVectors(input);
  const { paths, dims, vectors, rowOf } = files;
  const minFolder = options.minFolderSize ?? 3;

  // Group of every file: topic first (when given), then folder, then global.
  const groupOf = new Map<number, { kind: OutlierGroupKind; reference: string; key: string }>();
  for (const topic of options.topics?.topics ?? []) {
    for (const m of topic.members) {
      const r = rowOf.get(m.path);
      if (r !== undefined) groupOf.set(r, { kind: 'topic', reference: topic.label, key: `topic:${topic.id}` });
    }
  }
  const topicOutliers = new Map((options.topics?.outliers ?? []).map((o) => [o.path, o]));
  const folderOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '.');
  const folderSize = new Map<string, number>();
  paths.forEach((p, r) => {
    if (!groupOf.has(r) && !topicOutliers.has(p)) folderSize.set(folderOf(p), (folderSize.get(folderOf(p)) ?? 0) + 1);
  });
  paths.forEach((p, r) => {
    if (groupOf.has(r) || topicOutliers.has(p)) return;
    const folder = folderOf(p);
    groupOf.set(r, (folderSize.get(folder) ?? 0) >= minFolder ? { kind: 'folder', reference: folder, key: `folder:${folder}` } : { kind: 'global', reference: '', key: 'global' });
  });

  // Sum of unit vectors per group; the global group is every file.
  const sums = new Map<string, Float64Array>();
  const global = new Float64Array(dims);
  paths.forEach((_, r) => {
    const g = groupOf.get(r);
    let s = g && g.key !== 'global' ? sums.get(g.key) : undefined;
    if (g && g.key !== 'global' && !s) sums.set(g.key, (s = new Float64Array(dims)));
    for (let d = 0; d < dims; d++) {
      const x = vectors[r * dims + d];
      global[d] += x;
      if (s) s[d] += x;
    }
  });
  sums.set('global', global);

  const results: OutlierFile[] = [];
  paths.forEach((p, r) => {
    const outlier = topicOutliers.get(p);
    if (outlier) {
      const topic = options.topics!.topics.find((t) => t.id === outlier.nearestTopic);
      results.push({ path: p, score: round(1 - outlier.score), group: topic ? 'topic' : 'global', reference: topic?.label ?? '' });
      return;
    }
    const g = groupOf.get(r)!;
    results.push({ path: p, score: round(1 - leaveOneOutCosine(vectors, r * dims, sums.get(g.key)!, dims)), group: g.kind, reference: g.reference });
  });
  results.sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { results: results.slice(0, options.topK ?? 50) };
}

/** Cosine of unit row v with (S − v): (v·S − ‖v‖²) / ‖S − v‖. 0 when nothing else is in the group. */
function leaveOneOutCosine(vectors: Float32Array, off: number, sum: Float64Array, dims: number): number {
  let vs = 0;
  let ss = 0;
  let vv = 0;
  for (let d = 0; d < dims; d++) {
    const x = vectors[off + d];
    vs += x * sum[d];
    ss += sum[d] * sum[d];
    vv += x * x;
  }
  const rest2 = ss - 2 * vs + vv;
  return rest2 > 1e-9 ? (vs - vv) / Math.sqrt(rest2) : 0;
}
