/**
 * Exact and two-stage cosine search over L2-normalised float32 rows (ids = row numbers).
 *
 * Exact: one pass over the contiguous row matrix with a 4-way unrolled dot product and a bounded
 * heap. Above `twoStageMinRows` rows (2,000: measured 1.8 ms vs 24 ms CPU at 10k, recall 100 %) search goes
 * two-stage instead: Matryoshka embeddings put most of their signal in the leading dimensions, so
 * the first P = 256 dims (re-normalised, int8-quantised, scored by a WebAssembly SIMD loop — see
 * int8Scan.ts) pick max(10·k, 300) candidates that are then re-scored exactly on all dims. Rows no
 * wider than P (offline 128-d) take the same int8 pass over all their dims (`firstStageWidth`).
 *
 * A loaded index need not hold the float rows: `fromPrefix` takes the stored int8 prefix and its
 * per-row factors (the index file `prefix-<gen>.i8`) plus a `StoredRows` reader, and re-scores the
 * candidates from positioned reads of their rows. The full matrix is read only when something
 * needs every row (exact search, `row`, mutation). Scores are identical either way: a row is
 * normalised by the same code whether it sits in the matrix or was just read.
 */
import { Int8Matrix, quantizeInto } from './int8Scan';
import { TopK, type ScoredId } from './topK';
import { runSteps, type Steps } from '../slices';

/** Row count from which `search` goes two-stage by default. */
export const DEFAULT_TWO_STAGE_MIN_ROWS = 2_000;
/** Leading dimensions of the first stage by default. */
export const DEFAULT_PREFIX_DIMS = 256;

/**
 * Width of the in-memory int8 first stage: the stored prefix's, or — for rows no wider than the
 * prefix and a multiple of 16 wide (the offline 128-d vectors, 256-d cloud ones) — every dim.
 * Such rows have no prefix file (prefixWidth is 0: a copy as wide as the rows), but an exact scan
 * of 58k × 128 floats in JS took 17–28 ms of a first search after an update; the int8 pass over
 * the same rows is ~2 ms, and its candidates are then re-scored exactly on the float rows.
 */
export function firstStageWidth(dims: number, prefixDims = DEFAULT_PREFIX_DIMS): number {
  const p = prefixWidth(dims, prefixDims);
  if (p > 0) return p;
  return dims >= 16 && dims % 16 === 0 && dims <= prefixDims ? dims : 0;
}

/** Width of the stored int8 prefix for `dims`-d rows (a multiple of 16), or 0 when there is none. */
export function prefixWidth(dims: number, prefixDims = DEFAULT_PREFIX_DIMS): number {
  const p = Math.min(dims, prefixDims) & ~15;
  // A prefix as wide as the vector would not save work over the exact scan.
  return p >= 16 && p < dims ? p : 0;
}

/**
 * The int8 prefix of one L2-normalised row: writes `width` bytes at `dst[dstAt]` and returns the
 * factor (int8 scale / norm of the prefix) so that int8 dot · factor ranks by prefix cosine.
 */
export function quantizePrefix(row: Float32Array, at: number, width: number, dst: Int8Array, dstAt: number): number {
  let norm = 0;
  for (let j = 0; j < width; j++) norm += row[at + j] * row[at + j];
  const scale = quantizeInto(row, at, width, dst, dstAt);
  return norm > 0 ? scale / Math.sqrt(norm) : 0;
}

/** Rows kept outside the index (on disk), as stored: not normalised. */
export interface StoredRows {
  /** Copies rows `ids` (ascending, distinct) into `out` (ids.length × dims); throws when damaged. */
  read(ids: Int32Array, out: Float32Array): void;
  /** Every row (n × dims); the index takes ownership and normalises it in place. */
  readAll(): Float32Array;
}

export interface VectorIndexOptions {
  /** Leading dimensions used by the first stage (rounded down to a multiple of 16). Default 256. */
  readonly prefixDims?: number;
  /** Row count from which `search` goes two-stage. Default 2,000. */
  readonly twoStageMinRows?: number;
  /** Score the prefix in plain JS even where WebAssembly SIMD exists (tests, comparisons). */
  readonly noSimd?: boolean;
}

export interface VectorSearchOptions {
  /** `auto` (default) picks by size; `exact` and `two-stage` force a strategy. */
  readonly strategy?: 'auto' | 'exact' | 'two-stage';
  /** First-stage candidates; default max(10·topK, 300). */
  readonly candidates?: number;
}

export class VectorIndex {
  private data: Float32Array;
  /** Rows in use, deleted ones included (ids are row numbers). */
  private count = 0;
  private deleted: Uint8Array;
  private deletedCount = 0;
  private readonly prefix: Int8Matrix | undefined;
  /** Per row: int8 scale / norm of the prefix, so int8 dot · factor ranks by prefix cosine. */
  private prefixFactor: Float32Array;
  private readonly twoStageMinRows: number;
  /** Set while the float rows live on disk only (`fromPrefix`); `data` is empty then. */
  private stored: StoredRows | undefined;

  constructor(readonly dims: number, options: VectorIndexOptions = {}) {
    if (!Number.isInteger(dims) || dims <= 0) throw new RangeError(`bad vector dimensions ${dims}`);
    const p = firstStageWidth(dims, options.prefixDims);
    this.prefix = p > 0 ? new Int8Matrix(p, options.noSimd) : undefined;
    this.twoStageMinRows = options.twoStageMinRows ?? DEFAULT_TWO_STAGE_MIN_ROWS;
    this.data = new Float32Array(0);
    this.deleted = new Uint8Array(0);
    this.prefixFactor = new Float32Array(0);
  }

  /** Takes ownership of `rows` (n × dims) and L2-normalises it in place (rows `normalized` marks excepted). */
  static fromRows(rows: Float32Array, dims: number, options: VectorIndexOptions = {}, normalized?: Uint8Array): VectorIndex {
    return runSteps(VectorIndex.fromRowsSteps(rows, dims, options, normalized));
  }

  /**
   * `fromRows` in steps of `perStep` rows (slices.ts). `normalized` (when given) is kept up to
   * date as rows are normalised, so a build abandoned half-way and redone never normalises a row twice.
   */
  static *fromRowsSteps(rows: Float32Array, dims: number, options: VectorIndexOptions = {}, normalized?: Uint8Array, perStep = Infinity): Steps<VectorIndex> {
    if (rows.length % dims !== 0) throw new RangeError('rows length is not a multiple of dims');
    const index = new VectorIndex(dims, options);
    const n = rows.length / dims;
    index.data = rows;
    index.reserve(n);
    index.count = n;
    for (let id = 0; id < n; id++) {
      // `normalized[id]`: the row was normalised already (copied from an open generation); again would not be bit-identical.
      if (!normalized?.[id]) {
        normalizeInPlace(rows, id * dims, dims);
        if (normalized) normalized[id] = 1;
      }
      index.quantizeRow(id);
      if (id % perStep === perStep - 1) yield;
    }
    return index;
  }

  /**
   * An index over `n` rows that stay on disk: `prefix` holds their int8 prefixes (n × width, as
   * `quantizePrefix` writes them) and `factors` their factors; `rows` reads the float rows. Only
   * the candidates of a two-stage search are read. Throws a RangeError when the prefix width does
   * not match these options (the caller then builds the index from the rows).
   */
  static fromPrefix(dims: number, n: number, prefix: Int8Array, factors: Float32Array, rows: StoredRows, options: VectorIndexOptions = {}): VectorIndex {
    return VectorIndex.fillPrefix(dims, n, rows, (p, f) => {
      if (prefix.length !== p.length || factors.length !== f.length) throw new RangeError('stored prefix does not fit this index');
      p.set(prefix);
      f.set(factors);
    }, options);
  }

  /**
   * `fromPrefix` without an intermediate copy: `fill` writes the n × width int8 rows and the n
   * factors straight into the index's memory (e.g. reads them from a file). Throws a RangeError
   * when these options give no prefix; whatever `fill` throws propagates.
   */
  static fillPrefix(dims: number, n: number, rows: StoredRows, fill: (prefix: Int8Array, factors: Float32Array) => void, options: VectorIndexOptions = {}): VectorIndex {
    const index = new VectorIndex(dims, options);
    const w = index.prefix?.width ?? 0;
    if (w === 0) throw new RangeError('stored prefix does not fit this index');
    index.stored = rows;
    index.reserve(n);
    index.count = n;
    fill(index.prefix!.rows.subarray(0, n * w), index.prefixFactor.subarray(0, n));
    return index;
  }

  /** True while the float rows are on disk only (nothing but candidates has been read). */
  get rowsOnDisk(): boolean {
    return this.stored !== undefined;
  }

  /** Live rows. */
  get size(): number {
    return this.count - this.deletedCount;
  }

  /** Rows in use including deleted ones: the next free id. */
  get rowCount(): number {
    return this.count;
  }

  /** True when the first stage runs on WebAssembly SIMD. */
  get usesSimd(): boolean {
    return this.prefix?.usesSimd ?? false;
  }

  has(id: number): boolean {
    return id >= 0 && id < this.count && this.deleted[id] === 0;
  }

  /** The stored (normalised) vector; a view, valid until the index grows. */
  row(id: number): Float32Array {
    this.materialize();
    return this.data.subarray(id * this.dims, (id + 1) * this.dims);
  }

  /**
   * The normalised vectors of a few rows (ids.length × dims, in the order given) without reading
   * every row into memory: the stored rows stay on disk. Absent ids give zero rows.
   */
  rowsOf(ids: readonly number[]): Float32Array {
    const dims = this.dims;
    const out = new Float32Array(ids.length * dims);
    const present = [...new Set(ids.filter((id) => this.has(id)))].sort((a, b) => a - b);
    if (!present.length) return out;
    let read: Float32Array;
    const slot = new Map<number, number>(present.map((id, i) => [id, i]));
    if (this.stored) {
      read = new Float32Array(present.length * dims);
      this.stored.read(Int32Array.from(present), read);
      for (let i = 0; i < present.length; i++) normalizeInPlace(read, i * dims, dims);
    } else {
      read = new Float32Array(present.length * dims);
      present.forEach((id, i) => read.set(this.data.subarray(id * dims, (id + 1) * dims), i * dims));
    }
    ids.forEach((id, i) => {
      const at = slot.get(id);
      if (at !== undefined && this.has(id)) out.set(read.subarray(at * dims, (at + 1) * dims), i * dims);
    });
    return out;
  }

  set(id: number, vec: ArrayLike<number>): void {
    if (vec.length !== this.dims) throw new RangeError(`vector has ${vec.length} dims, index has ${this.dims}`);
    if (!Number.isInteger(id) || id < 0) throw new RangeError(`bad row id ${id}`);
    this.materialize();
    this.reserve(id + 1);
    const at = id * this.dims;
    for (let j = 0; j < this.dims; j++) this.data[at + j] = vec[j];
    normalizeInPlace(this.data, at, this.dims);
    this.quantizeRow(id);
    if (id >= this.count) {
      // Rows skipped over were never set: they exist only as deleted gaps.
      for (let r = this.count; r < id; r++) this.deleted[r] = 1;
      this.deletedCount += id - this.count;
      this.count = id + 1;
    }
    if (this.deleted[id]) {
      this.deleted[id] = 0;
      this.deletedCount--;
    }
  }

  delete(id: number): void {
    if (!this.has(id)) return;
    this.deleted[id] = 1;
    this.deletedCount++;
  }

  /** Renumbers rows after compaction: `oldToNew[old]` is the new id, −1 drops the row. */
  remap(oldToNew: Int32Array): void {
    this.materialize();
    let n = 0;
    for (let id = 0; id < this.count; id++) if (this.has(id) && oldToNew[id] >= 0) n = Math.max(n, oldToNew[id] + 1);
    const rows = new Float32Array(n * this.dims);
    const present = new Uint8Array(n);
    for (let id = 0; id < this.count; id++) {
      const nid = id < oldToNew.length ? oldToNew[id] : -1;
      if (!this.has(id) || nid < 0) continue;
      rows.set(this.row(id), nid * this.dims);
      present[nid] = 1;
    }
    // Rows were normalised on the way in; only the prefix matrix needs rebuilding.
    this.data = rows;
    this.count = 0;
    this.deleted = new Uint8Array(0);
    this.prefixFactor = new Float32Array(0);
    this.reserve(n);
    this.count = n;
    this.deletedCount = 0;
    for (let id = 0; id < n; id++) {
      this.quantizeRow(id);
      if (!present[id]) this.delete(id);
    }
  }

  search(query: Float32Array, topK: number, allow?: (id: number) => boolean, options: VectorSearchOptions = {}): ScoredId[] {
    if (query.length !== this.dims) throw new RangeError(`query has ${query.length} dims, index has ${this.dims}`);
    if (topK <= 0 || this.size === 0) return [];
    const q = Float32Array.from(query);
    normalizeInPlace(q, 0, this.dims);
    const strategy = options.strategy ?? 'auto';
    const twoStage = this.prefix !== undefined &&
      (strategy === 'two-stage' || (strategy === 'auto' && this.count >= this.twoStageMinRows));
    if (!twoStage) {
      this.materialize();
      return this.exact(q, topK, allow);
    }
    const candidates = this.prefixCandidates(q, options.candidates ?? Math.max(10 * topK, 300), allow);
    const best = new TopK(topK);
    if (this.stored) {
      // Read the candidates' rows (in file order), normalise each exactly as the matrix would be.
      const dims = this.dims;
      const ids = Int32Array.from(candidates).sort();
      const rows = new Float32Array(ids.length * dims);
      this.stored.read(ids, rows);
      const slot = new Map<number, number>();
      ids.forEach((id, i) => {
        slot.set(id, i);
        normalizeInPlace(rows, i * dims, dims);
      });
      for (const id of candidates) best.push(id, dot(rows, slot.get(id)! * dims, q, dims));
      return best.sorted();
    }
    for (const id of candidates) best.push(id, dot(this.data, id * this.dims, q, this.dims));
    return best.sorted();
  }

  /**
   * Takes every row from a background read (`rows`: n × dims, already L2-normalised in place by
   * `normalizeInPlace`, as `materialize` would): later searches re-score from memory.
   */
  adoptRows(rows: Float32Array): void {
    if (!this.stored) return;
    if (rows.length !== this.count * this.dims) throw new RangeError('rows do not match the index');
    this.data = rows;
    this.stored = undefined;
  }

  /** Reads every stored row into memory (normalised); a no-op when they are already there. */
  materialize(): void {
    const stored = this.stored;
    if (!stored) return;
    const rows = stored.readAll();
    if (rows.length !== this.count * this.dims) throw new RangeError('stored rows do not match the index');
    for (let id = 0; id < this.count; id++) normalizeInPlace(rows, id * this.dims, this.dims);
    this.data = rows;
    this.stored = undefined;
  }

  private exact(q: Float32Array, topK: number, allow?: (id: number) => boolean): ScoredId[] {
    const best = new TopK(topK);
    const { data, dims, deleted } = this;
    for (let id = 0, at = 0; id < this.count; id++, at += dims) {
      const s = dot(data, at, q, dims);
      if (s > best.threshold && deleted[id] === 0 && (!allow || allow(id))) best.push(id, s);
    }
    return best.sorted();
  }

  private prefixCandidates(q: Float32Array, howMany: number, allow?: (id: number) => boolean): Int32Array {
    const prefix = this.prefix!;
    const w = prefix.width;
    const q8 = new Int8Array(w);
    quantizeInto(q, 0, w, q8, 0);
    const raw = prefix.scores(q8, this.count);
    const factor = this.prefixFactor;
    const deleted = this.deleted;
    const best = new TopK(howMany);
    for (let id = 0; id < raw.length; id++) {
      const s = raw[id] * factor[id];
      if (s > best.threshold && deleted[id] === 0 && (!allow || allow(id))) best.push(id, s);
    }
    return Int32Array.from(best.sorted(), (h) => h.id);
  }

  private quantizeRow(id: number): void {
    if (!this.prefix) return;
    const w = this.prefix.width;
    this.prefixFactor[id] = quantizePrefix(this.data, id * this.dims, w, this.prefix.rows, id * w);
  }

  private reserve(n: number): void {
    const cap = this.deleted.length;
    if (n > cap) {
      const next = Math.max(n, Math.ceil(cap * 1.5), 64);
      const deleted = new Uint8Array(next);
      deleted.set(this.deleted);
      this.deleted = deleted;
      const factor = new Float32Array(next);
      factor.set(this.prefixFactor);
      this.prefixFactor = factor;
      this.prefix?.reserve(next);
    }
    if (!this.stored && this.data.length < n * this.dims) {
      const data = new Float32Array(Math.max(n, Math.ceil(this.data.length / this.dims * 1.5)) * this.dims);
      data.set(this.data);
      this.data = data;
    }
  }
}

/** Dot product of data[at, at + dims) with q, four accumulators to keep the FPU pipeline busy. */
export function dot(data: Float32Array, at: number, q: Float32Array, dims: number): number {
  let a = 0, b = 0, c = 0, d = 0;
  let j = 0;
  for (; j + 3 < dims; j += 4) {
    a += data[at + j] * q[j];
    b += data[at + j + 1] * q[j + 1];
    c += data[at + j + 2] * q[j + 2];
    d += data[at + j + 3] * q[j + 3];
  }
  for (; j < dims; j++) a += data[at + j] * q[j];
  return a + b + c + d;
}

/** Scales data[at, at + dims) to unit length (left alone when already unit or all zero). */
export function normalizeInPlace(data: Float32Array, at: number, dims: number): void {
  let sum = 0;
  for (let j = 0; j < dims; j++) sum += data[at + j] * data[at + j];
  if (sum === 0 || Math.abs(sum - 1) < 1e-6) return;
  const k = 1 / Math.sqrt(sum);
  for (let j = 0; j < dims; j++) data[at + j] *= k;
}
