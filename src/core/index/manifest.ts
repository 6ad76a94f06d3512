/**
 * `manifest.json`: the commit point of a space. It names the data files of one generation with
 * their exact lengths and block checksums, so a reader either sees a complete generation or a
 * reported corruption — never a mix. Parsing validates every field: a manifest from a crashed
 * disk, another version or a hand edit is reported, not trusted.
 */
import type { ProviderId } from '../types';
import { BLOCK_SIZE, IndexCorruptError, type FileRef } from './binio';

export const MANIFEST_FORMAT = 'semantic-workspace-index';
export const MANIFEST_VERSION = 1;

/** Everything that decides whether stored vectors may be reused. */
export interface SpaceFingerprint {
  /** Embedder.fingerprint: provider, model, dimensions, text types / instruction version. */
  readonly embedder: string;
  readonly provider: ProviderId;
  readonly label: string;
  readonly dimensions: number;
  /** Chunker version the chunk rows were produced with (a change re-chunks every file). */
  readonly chunkerVersion: string;
  /** Offline only: id (hash) of the fitted TF-IDF/LSA basis the vectors were projected with. */
  readonly basisId?: string;
}

/** Files, column-wise (a 10k-file manifest stays ~600 KB and parses in a few ms). */
export interface ManifestFiles {
  readonly paths: string[];
  readonly sizes: number[];
  readonly mtimes: number[];
  /** Content hash of the file's text; an mtime change with the same hash costs no re-chunking. */
  readonly hashes: string[];
  /** Chunks of each file; rows are contiguous and in `paths` order. */
  readonly counts: number[];
}

export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: typeof MANIFEST_VERSION;
  readonly fingerprint: SpaceFingerprint;
  readonly generation: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** False when the run that wrote it stopped early (cancel, budget, error). */
  readonly complete: boolean;
  readonly chunkCount: number;
  /**
   * Hashes of cached vectors stored after the chunk rows (row chunkCount + i): embedded but not
   * referenced yet, e.g. by a file that was cancelled half-way. Kept so nothing paid is lost.
   */
  readonly extraHashes: string[];
  readonly files: ManifestFiles;
  readonly data: {
    readonly vectors: FileRef;
    readonly chunks: FileRef;
    readonly keyword?: FileRef;
    /** Offline model blob, named by basis id so consecutive generations share it. */
    readonly model?: FileRef;
    /**
     * int8 Matryoshka prefix of every chunk row, its factors and per-row CRCs of the vector file
     * (prefixFile.ts): lets a load skip the vector file. Absent in small indexes and in indexes
     * written before it existed (the prefix is then computed from the rows at load).
     */
    readonly prefix?: FileRef;
    /**
     * Vector segments appended after `vectors` by live updates (segments.ts): physical rows
     * continue across `vectors` then each segment in order. Absent: one file, row i = chunk row i.
     */
    readonly segments?: SegmentRef[];
    /** `rows-<gen>.u32`: the physical row of each chunk row, then of each extra (with `segments`). */
    readonly rows?: FileRef;
  };
}

/** One appended vector segment and the keyword postings of its rows (ids relative to `first`). */
export interface SegmentRef {
  readonly vectors: FileRef;
  readonly keyword: FileRef;
  /** Physical row of its first row (= all rows before it). */
  readonly first: number;
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const SAFE_NAME = /^[\w.-]+$/;

function fail(why: string): never {
  throw new IndexCorruptError(`manifest: ${why}`);
}

function checkRef(v: unknown, what: string): FileRef {
  const r = v as FileRef;
  if (!r || typeof r !== 'object' || !isStr(r.name) || !SAFE_NAME.test(r.name) || !isNat(r.bytes)) fail(`bad ${what} reference`);
  const expected = Math.max(1, Math.ceil(r.bytes / BLOCK_SIZE));
  if (!Array.isArray(r.blocks) || r.blocks.length !== expected || !r.blocks.every(isStr)) fail(`bad ${what} checksums`);
  return r;
}

function checkColumn<T>(v: unknown, n: number, ok: (x: unknown) => x is T, what: string): T[] {
  if (!Array.isArray(v) || v.length !== n || !v.every(ok)) fail(`bad files.${what}`);
  return v as T[];
}

/** Parses and validates manifest text; throws IndexCorruptError with the reason. */
export function parseManifest(text: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (e) {
    fail(`not valid JSON (${(e as Error).message})`);
  }
  if (!m || typeof m !== 'object' || m.format !== MANIFEST_FORMAT) fail('not an index manifest');
  if (m.version !== MANIFEST_VERSION) fail(`format version ${String(m.version)} (expected ${MANIFEST_VERSION})`);
  const fp = m.fingerprint;
  if (!fp || !isStr(fp.embedder) || !isStr(fp.provider) || !isStr(fp.label) || !isNat(fp.dimensions) || fp.dimensions < 1 ||
    !isStr(fp.chunkerVersion) || (fp.basisId !== undefined && !isStr(fp.basisId))) fail('bad fingerprint');
  if (!isNat(m.generation) || !isNat(m.chunkCount) || typeof m.complete !== 'boolean') fail('bad counters');
  if (!isStr(m.createdAt) || !isStr(m.updatedAt)) fail('bad timestamps');
  if (!Array.isArray(m.extraHashes) || !m.extraHashes.every(isStr)) fail('bad extraHashes');
  const f = m.files;
  if (!f || !Array.isArray(f.paths) || !f.paths.every(isStr)) fail('bad files.paths');
  const n = f.paths.length;
  checkColumn(f.sizes, n, isNat, 'sizes');
  checkColumn(f.mtimes, n, isNum, 'mtimes');
  checkColumn(f.hashes, n, isStr, 'hashes');
  const counts = checkColumn(f.counts, n, isNat, 'counts');
  if (counts.reduce((a, b) => a + b, 0) !== m.chunkCount) fail('file chunk counts do not add up to chunkCount');
  for (let i = 1; i < n; i++) if (!(f.paths[i - 1] < f.paths[i])) fail('files are not sorted and unique');
  if (!m.data || typeof m.data !== 'object') fail('no data section');
  const vectors = checkRef(m.data.vectors, 'vectors');
  checkRef(m.data.chunks, 'chunks');
  if (m.data.keyword !== undefined) checkRef(m.data.keyword, 'keyword');
  if (m.data.model !== undefined) checkRef(m.data.model, 'model');
  if (m.data.prefix !== undefined) checkRef(m.data.prefix, 'prefix');
  if (fp.basisId !== undefined && m.data.model === undefined) fail('a fitted basis without its model file');
  const rowBytes = fp.dimensions * 4;
  if (m.data.segments !== undefined || m.data.rows !== undefined) {
    const segs = m.data.segments;
    if (!Array.isArray(segs) || m.data.rows === undefined) fail('segments without their row map');
    const rows = checkRef(m.data.rows, 'rows');
    if (rows.bytes !== (m.chunkCount + m.extraHashes.length) * 4) fail('row map length does not match the chunk count');
    if (vectors.bytes % rowBytes !== 0) fail('vector file length is not a whole number of rows');
    let total = vectors.bytes / rowBytes;
    for (const s of segs) {
      if (!s || typeof s !== 'object' || s.first !== total) fail('bad segment rows');
      const v = checkRef(s.vectors, 'segment vectors');
      checkRef(s.keyword, 'segment keyword');
      if (v.bytes % rowBytes !== 0) fail('segment length is not a whole number of rows');
      total += v.bytes / rowBytes;
    }
    if (total < m.chunkCount + m.extraHashes.length) fail('fewer vector rows than chunks');
  } else if (vectors.bytes !== (m.chunkCount + m.extraHashes.length) * rowBytes) fail('vector file length does not match the chunk count');
  return m;
}

export function serializeManifest(m: Manifest): string {
  return JSON.stringify(m);
}

/** Data files a manifest references (everything else in the space directory is garbage). */
export function referencedNames(m: Manifest): Set<string> {
  const d = m.data;
  const segs = (d.segments ?? []).flatMap((s) => [s.vectors.name, s.keyword.name]);
  return new Set([d.vectors.name, d.chunks.name, d.keyword?.name, d.model?.name, d.prefix?.name, d.rows?.name, ...segs].filter(isStr));
}
