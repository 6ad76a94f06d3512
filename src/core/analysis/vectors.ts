/**
 * Vector helpers shared by every analysis: per-file vectors (token-weighted mean of chunk vectors),
 * dot products over the index's contiguous Float32Array, centroids.
 *
 * Everything works on unit vectors, so a dot product is a cosine. Chunk vectors are normalised
 * before averaging so a chunk with an unusually large raw norm cannot dominate its file.
 */
import ignore from 'ignore';
import type { ChunkInfo, ChunkKind } from '../types';
import type { AnalysisInput } from '../engineTypes';

/** One vector per file, rows in `paths` order (sorted, so results never depend on chunk order). */
export interface FileVectors {
  readonly paths: readonly string[];
  /** Row i (unit length, or all zeros for a file whose chunks were all zero) belongs to paths[i]. */
  readonly vectors: Float32Array;
  readonly dims: number;
  /** Chunk indices (into `input.chunks`) of each file, sorted by start line. */
  readonly chunkIndices: readonly (readonly number[])[];
  readonly kinds: readonly ChunkKind[];
  readonly rowOf: ReadonlyMap<string, number>;
}

export const DEFAULT_NOTE_GLOBS: readonly string[] = ['**/*.md', '**/*.txt'];

/** Returns a matcher for notes globs (gitignore syntax through `ignore`, as everywhere else). */
export function notesMatcher(globs: readonly string[] = DEFAULT_NOTE_GLOBS): (path: string) => boolean {
  const ig = ignore().add([...globs]);
  return (path) => ig.ignores(path);
}

export function dot(a: Float32Array, aOff: number, b: Float32Array, bOff: number, dims: number): number {
  // Four accumulators: measurably faster in V8 than one (see docs/measurements.md).
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < dims; i += 4) {
    s0 += a[aOff + i] * b[bOff + i];
    s1 += a[aOff + i + 1] * b[bOff + i + 1];
    s2 += a[aOff + i + 2] * b[bOff + i + 2];
    s3 += a[aOff + i + 3] * b[bOff + i + 3];
  }
  for (; i < dims; i++) s0 += a[aOff + i] * b[bOff + i];
  return s0 + s1 + s2 + s3;
}

/** Scales `v[off .. off+dims)` to unit length in place; returns the original norm. */
export function normalizeInPlace(v: Float32Array, off = 0, dims = v.length): number {
  let s = 0;
  for (let i = 0; i < dims; i++) s += v[off + i] * v[off + i];
  const norm = Math.sqrt(s);
  if (norm > 0) for (let i = 0; i < dims; i++) v[off + i] /= norm;
  return norm;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  const d = dot(a, 0, b, 0, a.length);
  const na = Math.sqrt(dot(a, 0, a, 0, a.length));
  const nb = Math.sqrt(dot(b, 0, b, 0, b.length));
  return na > 0 && nb > 0 ? d / (na * nb) : 0;
}

/**
 * One unit vector per file: the token-weighted mean of its (normalised) chunk vectors.
 * `filter` restricts which files take part (e.g. notes only).
 */
export function computeFileVectors(input: AnalysisInput, filter?: (chunk: ChunkInfo) => boolean): FileVectors {
  const { chunks, vectors, dims } = input;
  const byPath = new Map<string, number[]>();
  chunks.forEach((c, i) => {
    if (filter && !filter(c)) return;
    let list = byPath.get(c.path);
    if (!list) byPath.set(c.path, (list = []));
    list.push(i);
  });
  const paths = [...byPath.keys()].sort();
  const out = new Float32Array(paths.length * dims);
  const chunkIndices: number[][] = [];
  const kinds: ChunkKind[] = [];
  const rowOf = new Map<string, number>();
  const unit = new Float32Array(dims);
  paths.forEach((path, row) => {
    const list = byPath.get(path)!.sort((a, b) => chunks[a].startLine - chunks[b].startLine || a - b);
    chunkIndices.push(list);
    kinds.push(list.some((i) => chunks[i].kind === 'doc') ? 'doc' : 'code');
    rowOf.set(path, row);
    const base = row * dims;
    for (const ci of list) {
      unit.set(vectors.subarray(ci * dims, ci * dims + dims));
      normalizeInPlace(unit);
      const w = Math.max(1, chunks[ci].tokens);
      for (let d = 0; d < dims; d++) out[base + d] += w * unit[d];
    }
    normalizeInPlace(out, base, dims);
  });
  return { paths, vectors: out, dims, chunkIndices, kinds, rowOf };
}

/** Unit-length mean of the given rows (all zeros for an empty set). */
export function centroidOf(vectors: Float32Array, dims: number, rows: Iterable<number>): Float32Array {
  const c = new Float32Array(dims);
  for (const r of rows) for (let d = 0; d < dims; d++) c[d] += vectors[r * dims + d];
  normalizeInPlace(c);
  return c;
}

/** Scores are rounded for output so JSON stays readable and byte-stable across runs. */
export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function median(values: readonly number[]): number {
  if (!values.length) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
