/**
 * Reading a segmented generation (rowLayout.ts): rows gathered across the vector files, each
 * block or row checksummed when it is first read (a live update that copies ten rows verifies
 * ten rows, not 400 MB), and the keyword postings of the base plus every segment's delta merged
 * into chunk-row ids (tombstoned rows dropped), so a search ranks exactly as after a rebuild.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bigArrayBuffer } from '../bigMemory';
import { KeywordIndex } from '../search/keywordIndex';
import { BLOCK_SIZE, IndexCorruptError, LITTLE_ENDIAN_HOST, blockHash, crc32, noteDamage, readFileVerified, readFully, swapFloat32, type FileRef } from './binio';
import type { Manifest } from './manifest';
import { VectorFileLoader } from './prefixFile';
import { RowLayout } from './rowLayout';
import { startsWith, type ReusableKeyword, type ReusableRows } from './reuse';
import { runSteps, type Steps } from '../slices';

/** Floats copied between two yields of the stepped readers below (4 MiB: ~1-2 ms). */
const STEP_FLOATS = 1 << 20;

/**
 * Positioned, verified reads of rows (chunk rows, then extras) of a committed generation. With
 * `crcs` (per chunk row, from the verified prefix file) a row is checked on its own; otherwise
 * (extras, indexes without a prefix file) every 1 MiB block a read touches is hashed once.
 */
export class SegmentReader {
  private readonly fds: (number | undefined)[];
  private readonly verified: Set<number>[];
  private blockBuf: Uint8Array | undefined;

  constructor(private readonly dir: string, readonly layout: RowLayout, private readonly crcs?: Uint32Array) {
    this.fds = layout.files.map(() => undefined);
    this.verified = layout.files.map(() => new Set<number>());
  }

  /** Rows [first, first + count) (chunk-row numbering) as stored (not normalised). */
  readRows(first: number, count: number): Float32Array {
    const dims = this.layout.dims, rowBytes = dims * 4;
    const out = new Float32Array(count * dims);
    const raw = new Uint8Array(out.buffer);
    for (let i = 0; i < count;) {
      // Runs of consecutive physical rows in one file: one read each.
      const p0 = this.layout.physical(first + i);
      const at = this.layout.locate(p0);
      const fileRows = this.layout.firsts[at.file + 1] - this.layout.firsts[at.file];
      let j = i + 1;
      while (j < count && this.layout.physical(first + j) === p0 + (j - i) && at.row + (j - i) < fileRows) j++;
      const part = raw.subarray(i * rowBytes, j * rowBytes);
      const byCrc = this.crcs !== undefined && first + j <= this.crcs.length;
      this.read(at.file, at.row * rowBytes, part, !byCrc);
      if (byCrc) {
        for (let k = i; k < j; k++) {
          if (crc32(raw.subarray(k * rowBytes, (k + 1) * rowBytes)) !== (this.crcs as Uint32Array)[first + k]) {
            noteDamage(this.dir, `${this.layout.files[at.file].name}: row ${at.row + k - i}`);
            throw new IndexCorruptError(`${this.layout.files[at.file].name}: checksum mismatch in row ${at.row + k - i}`);
          }
        }
      }
      i = j;
    }
    if (!LITTLE_ENDIAN_HOST) swapFloat32(raw);
    return out;
  }

  close(): void {
    for (const fd of this.fds) if (fd !== undefined) fs.closeSync(fd);
    this.fds.fill(undefined);
  }

  private fd(file: number): number {
    const have = this.fds[file];
    if (have !== undefined) return have;
    const ref = this.layout.files[file];
    let fd: number;
    try {
      fd = fs.openSync(path.join(this.dir, ref.name), 'r');
    } catch (e) {
      throw new IndexCorruptError(`missing data file ${ref.name} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (fs.fstatSync(fd).size !== ref.bytes) {
      fs.closeSync(fd);
      throw new IndexCorruptError(`${ref.name}: length does not match the manifest`);
    }
    this.fds[file] = fd;
    return fd;
  }

  private read(file: number, offset: number, target: Uint8Array, verifyBlocks: boolean): void {
    const fd = this.fd(file);
    const ref = this.layout.files[file];
    if (verifyBlocks) {
      const done = this.verified[file];
      for (let b = Math.floor(offset / BLOCK_SIZE); b * BLOCK_SIZE < offset + target.length; b++) {
        if (done.has(b)) continue;
        const n = Math.min(BLOCK_SIZE, ref.bytes - b * BLOCK_SIZE);
        const buf = (this.blockBuf ??= new Uint8Array(BLOCK_SIZE));
        readFully(fd, buf, n, b * BLOCK_SIZE, ref.name);
        if (blockHash(buf.subarray(0, n)) !== ref.blocks[b]) {
          noteDamage(this.dir, `${ref.name}: block ${b}`);
          throw new IndexCorruptError(`${ref.name}: checksum mismatch in block ${b}`);
        }
        done.add(b);
      }
    }
    readFully(fd, target, target.length, offset, ref.name);
  }
}

/**
 * Every row of a segmented generation (chunk rows, then extras), each file read whole and
 * checked (all blocks with `full`, else length + sampled blocks), gathered into row order.
 */
export function gatherRows(dir: string, layout: RowLayout, rows: number, full: boolean, readFile: (ref: RowLayout['files'][number], full: boolean) => Float32Array): Float32Array {
  return inRowOrder(layout, layout.files.map((f) => readFile(f, full)), rows);
}

/** The first `rows` rows (in row order) out of the generation's files' rows (`parts`, in file order). */
function inRowOrder(layout: RowLayout, parts: readonly Float32Array[], rows: number): Float32Array {
  return runSteps(inRowOrderSteps(layout, parts, rows));
}

/** `inRowOrder` in steps of a few MiB copied (slices.ts). */
export function* inRowOrderSteps(layout: RowLayout, parts: readonly Float32Array[], rows: number): Steps<Float32Array> {
  const dims = layout.dims;
  const out = rowBuffer(rows * dims);
  const per = Math.max(1, Math.floor(STEP_FLOATS / dims));
  for (let i = 0; i < rows;) {
    // Runs of consecutive physical rows of one file (almost all of them: an update moves one file's rows): one copy each.
    const p = layout.physical(i);
    const at = layout.locate(p);
    const fileRows = layout.firsts[at.file + 1] - layout.firsts[at.file];
    let j = i + 1;
    while (j < rows && j - i < per && layout.physical(j) === p + (j - i) && at.row + (j - i) < fileRows) j++;
    out.set(parts[at.file].subarray(at.row * dims, (at.row + j - i) * dims), i * dims);
    i = j;
    yield;
  }
  return out;
}

/**
 * `floats` zeroed floats in a buffer rounded up to 4 MiB: each live update adds a row or two,
 * and an array of the same rounded size fits the memory the previous generation's array left —
 * exact sizes grew past every hole the allocator kept, which is how a host's RSS crept up per update.
 */
function rowBuffer(floats: number): Float32Array {
  const bytes = floats * 4;
  const round = 4 << 20;
  return bytes < round ? new Float32Array(floats) : new Float32Array(bigArrayBuffer(Math.ceil(bytes / round) * round), 0, floats);
}

/**
 * The chunk rows of a generation in row order, built from `prev` (an open earlier generation of
 * the same space whose vector files are this one's first files): rows `prev` has are copied,
 * the others (a live update's segment, a cached vector taken back) read and checked block by
 * block. `reused[i]` is 1 where row i came from `prev` (already normalised when `prev` was).
 * Undefined when `prev` is not an earlier state of this layout.
 */
export function rowsFromPrevious(dir: string, layout: RowLayout, chunkCount: number, prev: ReusableRows): { vectors: Float32Array; reused: Uint8Array } | undefined {
  return runSteps(rowsFromPreviousSteps(dir, layout, chunkCount, prev));
}

/** `rowsFromPrevious` in steps of a few MiB copied or read (slices.ts). */
export function* rowsFromPreviousSteps(dir: string, layout: RowLayout, chunkCount: number, prev: ReusableRows): Steps<{ vectors: Float32Array; reused: Uint8Array } | undefined> {
  const dims = layout.dims;
  if (prev.layout.dims !== dims || !startsWith(layout.files, prev.layout.files)) return undefined;
  const oldTotal = prev.layout.total;
  const oldRowOf = new Int32Array(oldTotal).fill(-1);
  for (let j = 0; j < prev.chunkCount; j++) oldRowOf[prev.layout.physical(j)] = j;
  const from = (i: number): number => {
    const p = layout.physical(i);
    return p < oldTotal ? oldRowOf[p] : -1;
  };
  const vectors = rowBuffer(chunkCount * dims);
  const reused = new Uint8Array(chunkCount);
  const reader = new SegmentReader(dir, layout);
  const per = Math.max(1, Math.floor(STEP_FLOATS / dims));
  try {
    for (let i = 0; i < chunkCount;) {
      const j0 = from(i);
      let k = i + 1;
      if (j0 >= 0) {
        while (k < chunkCount && k - i < per && from(k) === j0 + (k - i)) k++;
        vectors.set(prev.vectors.subarray(j0 * dims, (j0 + k - i) * dims), i * dims);
        reused.fill(1, i, k);
      } else {
        while (k < chunkCount && k - i < per && from(k) < 0) k++;
        vectors.set(reader.readRows(i, k - i), i * dims);
      }
      i = k;
      yield;
    }
  } finally {
    reader.close();
  }
  return { vectors, reused };
}

/**
 * The postings of generation `m` (base + every segment's delta, ids physical rows, nothing
 * removed), from `prev` when its files are `m`'s first ones: only the new deltas are read.
 */
export function mergedPostings(dir: string, m: Manifest, base: () => Uint8Array, prev?: ReusableKeyword): ReusableKeyword {
  return runSteps(mergedPostingsSteps(dir, m, base, prev));
}

/** `mergedPostings` in steps (slices.ts). */
export function* mergedPostingsSteps(dir: string, m: Manifest, base: () => Uint8Array, prev?: ReusableKeyword): Steps<ReusableKeyword> {
  const segments = m.data.segments ?? [];
  const files = [m.data.keyword as FileRef, ...segments.map((s) => s.keyword)];
  let merged: KeywordIndex;
  let absorbed: number;
  if (prev && startsWith(files, prev.files)) {
    merged = yield* prev.merged.copySteps();
    absorbed = prev.files.length - 1;
  } else if (segments.length === 0) {
    return { files, merged: yield* KeywordIndex.deserializeSteps(base(), true) };
  } else {
    // A copy: absorbing rewrites the list tables in place, and `base` may be read again.
    merged = yield* KeywordIndex.deserializeSteps(base(), false);
    absorbed = 0;
  }
  for (const s of segments.slice(absorbed)) {
    merged.absorb(KeywordIndex.deserialize(readFileVerified(dir, s.keyword), true), s.first);
    yield;
  }
  // Sealed now (a copy or a search would merge the absorbed postings in one call).
  yield* merged.sealSteps();
  return { files, merged };
}

/** Chunk row of each physical row (−1: a tombstone or an extra). */
export function rowOfPhysical(layout: RowLayout, chunkCount: number): Int32Array {
  const toRow = new Int32Array(layout.total).fill(-1);
  for (let row = 0; row < chunkCount; row++) toRow[layout.physical(row)] = row;
  return toRow;
}

/**
 * The generation's keyword index, searched with chunk rows as ids: the base postings as they are
 * when there are no segments, else base + each segment's delta (ids shifted to physical rows).
 * For search (`renumber` false) the ids stay physical and tombstoned rows are masked
 * (`KeywordIndex.mapIds`: no postings rewrite at load); renumbered (compaction, serialized
 * postings for a team publish) they become chunk rows with tombstones dropped. Either way the
 * postings, document frequencies and lengths are a rebuild's, so scores are identical.
 */
export function mergedKeywordIndex(dir: string, m: Manifest, base: Uint8Array, layout: RowLayout, renumber = true): KeywordIndex {
  if (!layout.segmented) return KeywordIndex.deserialize(base, true);
  // A copy: absorbing rewrites the list tables in place, and `base` may be read again.
  const index = KeywordIndex.deserialize(base, false);
  for (const s of m.data.segments ?? []) index.absorb(KeywordIndex.deserialize(readFileVerified(dir, s.keyword), true), s.first);
  const toRow = rowOfPhysical(layout, m.chunkCount);
  if (renumber) index.remap(toRow);
  else index.mapIds(toRow);
  return index;
}

/**
 * `VectorFileLoader` over every file of a segmented generation, one file after the other; the
 * last step gathers the chunk rows into row order (normalised, as the vector index keeps them).
 */
export class SegmentedLoader {
  private file = 0;
  private loader: VectorFileLoader | undefined;
  private readonly parts: Float32Array[] = [];

  constructor(private readonly dir: string, private readonly layout: RowLayout, private readonly rows: number) {}

  step(): Float32Array | undefined {
    const layout = this.layout;
    const dims = layout.dims;
    if (this.file < layout.files.length) {
      const ref = layout.files[this.file];
      this.loader ??= new VectorFileLoader(this.dir, ref, dims, ref.bytes / (dims * 4));
      const done = this.loader.step();
      if (!done) return undefined;
      this.parts.push(done);
      this.loader = undefined;
      this.file++;
      if (this.file < layout.files.length) return undefined;
    }
    return inRowOrder(layout, this.parts, this.rows);
  }
}
