/**
 * Deterministic k-means for topics: `ml-kmeans` with k-means++ initialisation, a fixed seed and
 * several restarts keeping the lowest inertia (docs/measurements.md: a single random-init run
 * scattered ARI between 0.30 and 0.77 depending on the seed). k is chosen by the mean silhouette
 * (cosine distance) over 2..min(12, ⌊√n⌋ + 2) unless the caller fixes it.
 *
 * Inputs are unit vectors, so squared Euclidean distance = 2 − 2·cosine: k-means on them is
 * spherical k-means in all but the centroid norm.
 */
import { kmeans } from 'ml-kmeans';
import { dot, normalizeInPlace } from './vectors';

export const DEFAULT_SEED = 42;
export const DEFAULT_RESTARTS = 8;
/** Restarts while comparing candidate k values (each candidate is refitted with the full count). */
const SELECTION_RESTARTS = 3;
/** Above this many points, k is selected on an evenly strided sample (silhouette is O(n²)). */
const SELECTION_SAMPLE = 1200;

export interface KMeansFit {
  readonly k: number;
  /** Cluster of each point, 0..k-1, every cluster non-empty. */
  readonly assignments: readonly number[];
  /** k unit-length centroids, `dims` floats each. */
  readonly centroids: Float32Array;
  readonly inertia: number;
}

export interface KSelection {
  readonly fit: KMeansFit;
  /** Mean silhouette of the chosen k (undefined when k was fixed or n too small to compare). */
  readonly silhouette?: number;
  /** Silhouette of every candidate k, for diagnostics and the UI. */
  readonly candidates: readonly { k: number; silhouette: number }[];
}

export interface KMeansOptions {
  readonly seed?: number;
  readonly restarts?: number;
  readonly maxIterations?: number;
}

/** Best-of-`restarts` k-means; same input and seed → same result. */
export function fitKMeans(vectors: Float32Array, dims: number, rows: readonly number[], k: number, options: KMeansOptions = {}): KMeansFit {
  const seed = options.seed ?? DEFAULT_SEED;
  const restarts = Math.max(1, options.restarts ?? DEFAULT_RESTARTS);
  const data = rows.map((r) => Array.from(vectors.subarray(r * dims, r * dims + dims)));
  k = Math.min(k, distinctCount(data));
  let best: KMeansFit | undefined;
  for (let attempt = 0; attempt < restarts; attempt++) {
    const assignments =
      k <= 1
        ? data.map(() => 0)
        : kmeans(data, k, { seed: seed + attempt * 7919, initialization: 'kmeans++', maxIterations: options.maxIterations ?? 100 }).clusters;
    const fit = summarize(vectors, dims, rows, compact(assignments));
    if (!best || fit.inertia < best.inertia - 1e-9) best = fit;
    if (k <= 1) break;
  }
  return best!;
}

/** Chooses k by silhouette (or uses `fixedK`) and returns the final best-inertia fit over `rows`. */
export function selectAndFit(
  vectors: Float32Array,
  dims: number,
  rows: readonly number[],
  options: KMeansOptions & { readonly k?: number; readonly maxK?: number } = {},
): KSelection {
  const n = rows.length;
  if (options.k !== undefined || n < 4) {
    const k = Math.max(1, Math.min(options.k ?? 1, n));
    return { fit: fitKMeans(vectors, dims, rows, k, options), candidates: [] };
  }
  const maxK = Math.min(options.maxK ?? 12, Math.floor(Math.sqrt(n)) + 2, n - 1);
  const sample = n <= SELECTION_SAMPLE ? rows : strided(rows, SELECTION_SAMPLE);
  const gram = gramMatrix(vectors, dims, sample);
  const candidates: { k: number; silhouette: number }[] = [];
  let bestK = 2;
  let bestScore = -Infinity;
  for (let k = 2; k <= maxK; k++) {
    const fit = fitKMeans(vectors, dims, sample, k, { ...options, restarts: Math.min(SELECTION_RESTARTS, options.restarts ?? SELECTION_RESTARTS) });
    if (fit.k < k) break; // fewer distinct points than k: larger k cannot help
    const s = silhouette(gram, sample.length, fit.assignments, fit.k);
    candidates.push({ k, silhouette: s });
    // Strictly greater: on ties the smaller k wins (fewer, broader topics read better).
    if (s > bestScore + 1e-9) {
      bestScore = s;
      bestK = k;
    }
  }
  return { fit: fitKMeans(vectors, dims, rows, bestK, options), silhouette: bestScore, candidates };
}

/** Mean silhouette with cosine distance, from a precomputed Gram matrix of unit vectors. */
export function silhouette(gram: Float32Array, n: number, assignments: readonly number[], k: number): number {
  const sizes = new Array<number>(k).fill(0);
  for (const a of assignments) sizes[a]++;
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = assignments[i];
    if (sizes[own] <= 1) continue; // silhouette of a singleton is 0 by convention
    sums.fill(0);
    for (let j = 0; j < n; j++) if (j !== i) sums[assignments[j]] += 1 - gram[i * n + j];
    const a = sums[own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, sums[c] / sizes[c]);
    if (!Number.isFinite(b)) continue;
    const m = Math.max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return total / n;
}

function gramMatrix(vectors: Float32Array, dims: number, rows: readonly number[]): Float32Array {
  const n = rows.length;
  const g = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = dot(vectors, rows[i] * dims, vectors, rows[j] * dims, dims);
      g[i * n + j] = v;
      g[j * n + i] = v;
    }
  }
  return g;
}

/** Renumbers clusters 0..k'-1 in order of first appearance, dropping empty ones. */
function compact(assignments: readonly number[]): number[] {
  const map = new Map<number, number>();
  return assignments.map((a) => {
    let id = map.get(a);
    if (id === undefined) map.set(a, (id = map.size));
    return id;
  });
}

function summarize(vectors: Float32Array, dims: number, rows: readonly number[], assignments: number[]): KMeansFit {
  const k = Math.max(0, ...assignments) + 1;
  const centroids = new Float32Array(k * dims);
  rows.forEach((r, i) => {
    const base = assignments[i] * dims;
    for (let d = 0; d < dims; d++) centroids[base + d] += vectors[r * dims + d];
  });
  for (let c = 0; c < k; c++) normalizeInPlace(centroids, c * dims, dims);
  // Inertia as 1 − cosine to the (unit) centroid: the quantity the restarts compete on.
  let inertia = 0;
  rows.forEach((r, i) => (inertia += 1 - dot(vectors, r * dims, centroids, assignments[i] * dims, dims)));
  return { k, assignments, centroids, inertia };
}

function strided<T>(items: readonly T[], count: number): T[] {
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)]);
}

function distinctCount(data: readonly number[][]): number {
  const seen = new Set<string>();
  for (const row of data) seen.add(row.map((x) => x.toFixed(6)).join(','));
  return seen.size;
}
