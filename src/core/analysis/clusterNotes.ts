/**
 * Notes → topics. One vector per note (token-weighted mean of its chunks), deterministic k-means
 * with k chosen by silhouette, c-TF-IDF names, an explicit outlier group and 2-D map coordinates.
 *
 * Maps 1:1 onto the CLI contract
 *   {"topics": [{"label", "keywords", "members": [{"path", "score"}]}], "outliers": [{"path", "score"}]}
 * with extra fields (id, representative, size, x/y) that the contract allows.
 */
import { PCA } from 'ml-pca';
import type { AnalysisInput } from '../engineTypes';
import { cohesionLift } from './cohesion';
import { DEFAULT_RESTARTS, DEFAULT_SEED, selectAndFit } from './kmeansSelection';
import { notesOf, readFileTexts } from './noteTexts';
import { classKeywords, DEFAULT_TOP_TERMS, labelFromKeywords } from './topicNames';
import { centroidOf, dot, median, round } from './vectors';

export interface ClusterNotesOptions {
  /** Which files are notes (gitignore-style globs). Default `**∕*.md`, `**∕*.txt`. */
  readonly notesGlobs?: readonly string[];
  /** Fix the number of topics instead of choosing it by silhouette. */
  readonly k?: number;
  readonly maxK?: number;
  readonly seed?: number;
  readonly restarts?: number;
  /** Clusters smaller than this are not topics; their notes become outliers. Default 2. */
  readonly minTopicSize?: number;
  /** Absolute floor: a note whose cosine to the rest of its cluster is below this is always an outlier. Default 0.05. */
  readonly outlierFloor?: number;
  /** Keywords per topic (c-TF-IDF top terms). Default 10. */
  readonly keywords?: number;
}

export interface NotePoint {
  readonly path: string;
  /** Cosine to the topic centroid (for outliers: to the nearest topic centroid). */
  readonly score: number;
  /** Map coordinates: the first two principal components, scaled into [-1, 1]. */
  readonly x: number;
  readonly y: number;
}

export interface Topic {
  /** 0-based position in `topics` (largest topic first). */
  readonly id: number;
  /** The first few keywords joined with " · ". */
  readonly label: string;
  readonly keywords: readonly string[];
  /** The member closest to the centroid. */
  readonly representative: string;
  readonly size: number;
  /** Closest to the centroid first. */
  readonly members: readonly NotePoint[];
  /** Mean map position of the members. */
  readonly x: number;
  readonly y: number;
}

export interface OutlierNote extends NotePoint {
  /** The nearest topic's id, for a "reassign outliers" action; null when there are no topics. */
  readonly nearestTopic: number | null;
}

export interface NoteClustering {
  readonly topics: readonly Topic[];
  readonly outliers: readonly OutlierNote[];
  /** Notes considered (files matching the notes globs that have vectors). */
  readonly notes: number;
  /** k of the k-means fit (topics can be fewer: tiny clusters become outliers). */
  readonly k: number;
  /** Mean silhouette of the chosen k; absent when k was fixed or there were too few notes. */
  readonly silhouette?: number;
  /**
   * Notes whose lift (cosine to the rest of their cluster − cosine to the notes of other clusters)
   * was below this are in `outliers`.
   */
  readonly outlierThreshold: number;
}

/**
 * A note is an outlier when its lift is below a quarter of the typical lift, or below median − 3·σ̂
 * (σ̂ = 1.4826·MAD, robust: one planted note must not widen the band that should catch it; mean − 2σ
 * would also flag ~2% of any clean corpus). Relative, so it holds for remote and offline vectors alike.
 */
const LIFT_FRACTION = 0.25;
const OUTLIER_SIGMAS = 3;
const MAX_OUTLIER_SHARE = 0.1;

export async function clusterNotes(input: AnalysisInput, options: ClusterNotesOptions = {}): Promise<NoteClustering> {
  const files = notesOf(input, options.notesGlobs);
  const { dims, vectors, paths } = files;
  // Notes whose chunks all had zero vectors cannot be placed anywhere: they are outliers.
  const hasVector = (r: number) => dot(vectors, r * dims, vectors, r * dims, dims) > 0;
  const rows = paths.map((_, i) => i).filter(hasVector);
  const noVector = paths.map((_, i) => i).filter((r) => !hasVector(r));
  const minTopicSize = Math.max(1, options.minTopicSize ?? 2);
  const floor = options.outlierFloor ?? 0.05;
  if (!rows.length) {
    return { topics: [], outliers: noVector.map((r) => ({ path: paths[r], score: 0, x: 0, y: 0, nearestTopic: null })), notes: 0, k: 0, outlierThreshold: floor };
  }

  const selection = selectAndFit(vectors, dims, rows, {
    k: options.k,
    maxK: options.maxK,
    seed: options.seed ?? DEFAULT_SEED,
    restarts: options.restarts ?? DEFAULT_RESTARTS,
  });
  const { fit } = selection;
  const sizes = new Array<number>(fit.k).fill(0);
  for (const a of fit.assignments) sizes[a]++;
  // Outliers: notes hardly closer to their own cluster than to the rest of the corpus (see cohesion.ts).
  const { lift, ownScore } = cohesionLift(vectors, dims, rows, fit.assignments, fit.k);
  const inTopics = lift.filter((_, i) => sizes[fit.assignments[i]] >= minTopicSize);
  const med = median(inTopics);
  const spread = 1.4826 * median(inTopics.map((s) => Math.abs(s - med)));
  const threshold = Math.max(LIFT_FRACTION * med, med - OUTLIER_SIGMAS * spread);
  // The outlier bucket is for the few notes that fit nowhere (BERTopic's pain is 30–50% in −1): when
  // the rule would flag more than MAX_OUTLIER_SHARE of the notes, the structure is weak rather than
  // the notes odd, so only the lowest-lift ones go.
  const flagged = rows.map((_, i) => i).filter((i) => lift[i] < threshold || ownScore[i] < floor).sort((a, b) => lift[a] - lift[b] || a - b);
  const lowLift = new Set(flagged.slice(0, Math.max(1, Math.floor(MAX_OUTLIER_SHARE * rows.length))));
  const isOutlier = (i: number) => sizes[fit.assignments[i]] < minTopicSize || lowLift.has(i);

  const groups = new Map<number, number[]>();
  const outlierRows: number[] = [...noVector];
  rows.forEach((r, i) => {
    const c = fit.assignments[i];
    if (isOutlier(i)) outlierRows.push(r);
    else if (groups.has(c)) groups.get(c)!.push(r);
    else groups.set(c, [r]);
  });
  // A topic emptied below the minimum by outlier removal is dissolved too.
  const topicRows = [...groups.values()].filter((g) => g.length >= minTopicSize);
  for (const g of groups.values()) if (g.length < minTopicSize) outlierRows.push(...g);
  // Centroids recomputed without the outliers, so they do not pull topics towards themselves.
  const centroids = topicRows.map((g) => centroidOf(vectors, dims, g));

  const texts = await readFileTexts(input, files);
  const keywordLists = classKeywords(
    [...topicRows.map((g) => g.map((r) => texts[r])), outlierRows.map((r) => texts[r])],
    options.keywords ?? DEFAULT_TOP_TERMS,
  );
  const coords = mapCoordinates(vectors, dims, paths.length);
  const point = (r: number, score: number): NotePoint => ({ path: paths[r], score: round(score), x: coords[r][0], y: coords[r][1] });

  const drafts = topicRows.map((g, t) => {
    const members = g
      .map((r) => point(r, dot(vectors, r * dims, centroids[t], 0, dims)))
      .sort((a, b) => b.score - a.score || cmp(a.path, b.path));
    const keywords = keywordLists[t];
    return { members, keywords, label: labelFromKeywords(keywords), centroid: centroids[t] };
  });
  // Largest topic first; the label breaks ties so the order never depends on k-means numbering.
  drafts.sort((a, b) => b.members.length - a.members.length || cmp(a.label, b.label) || cmp(a.members[0].path, b.members[0].path));
  const topics: Topic[] = drafts.map((d, id) => ({
    id,
    label: d.label,
    keywords: d.keywords,
    representative: d.members[0].path,
    size: d.members.length,
    members: d.members,
    x: round(d.members.reduce((s, m) => s + m.x, 0) / d.members.length),
    y: round(d.members.reduce((s, m) => s + m.y, 0) / d.members.length),
  }));

  const outliers: OutlierNote[] = outlierRows
    .map((r) => {
      let best = -Infinity;
      let nearest: number | null = null;
      drafts.forEach((d, id) => {
        const s = dot(vectors, r * dims, d.centroid, 0, dims);
        if (s > best) [best, nearest] = [s, id];
      });
      return { ...point(r, nearest === null ? 0 : best), nearestTopic: nearest };
    })
    .sort((a, b) => a.score - b.score || cmp(a.path, b.path));

  return {
    topics,
    outliers,
    notes: rows.length,
    k: fit.k,
    ...(selection.silhouette !== undefined ? { silhouette: round(selection.silhouette) } : {}),
    outlierThreshold: round(threshold),
  };
}

/**
 * First two principal components (`ml-pca`, deterministic), each axis
 * scaled into [-1, 1] and its sign fixed so the most extreme point is positive — PCA signs are
 * arbitrary, and a map that mirrors itself between runs looks broken.
 */
function mapCoordinates(vectors: Float32Array, dims: number, n: number): [number, number][] {
  if (n < 3) return Array.from({ length: n }, (_, i) => [n === 1 ? 0 : i === 0 ? -1 : 1, 0]);
  const data = Array.from({ length: n }, (_, r) => Array.from(vectors.subarray(r * dims, r * dims + dims)));
  // NIPALS starts from column 0 and divides by its norm: a constant column 0 (it happens) yields
  // NaN. Swapping the highest-variance column into place changes nothing else — PCA does not care
  // about feature order.
  const top = highestVarianceColumn(data, dims);
  for (const rowValues of data) [rowValues[0], rowValues[top]] = [rowValues[top], rowValues[0]];
  let projected: number[][];
  try {
    // Full SVD while small (exact, O(n·d·min(n, d))); NIPALS for two components beyond.
    const options = n * dims * Math.min(n, dims) <= 2e8 ? { method: 'SVD' as const } : { method: 'NIPALS' as const, nCompNIPALS: 2 };
    projected = new PCA(data, options).predict(data, { nComponents: 2 }).to2DArray();
  } catch {
    return Array.from({ length: n }, () => [0, 0]);
  }
  for (let axis = 0; axis < 2; axis++) {
    let extreme = 0;
    for (const p of projected) if (Math.abs(p[axis] ?? 0) > Math.abs(extreme)) extreme = p[axis];
    const scale = extreme === 0 ? 0 : 1 / extreme; // divides by the signed extreme: fixes sign and range at once
    for (const p of projected) p[axis] = Number.isFinite(p[axis] * scale) ? p[axis] * scale : 0;
  }
  return projected.map((p) => [round(p[0] ?? 0), round(p[1] ?? 0)]);
}

function highestVarianceColumn(data: readonly number[][], dims: number): number {
  let best = 0;
  let bestVar = -1;
  for (let d = 0; d < dims; d++) {
    let sum = 0;
    let sq = 0;
    for (const r of data) {
      sum += r[d];
      sq += r[d] * r[d];
    }
    const variance = sq / data.length - (sum / data.length) ** 2;
    if (variance > bestVar) [best, bestVar] = [d, variance];
  }
  return best;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
