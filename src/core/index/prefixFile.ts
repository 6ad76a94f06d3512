/**
 * `prefix-<gen>.i8`: what the first stage of a two-stage vector search needs, so a load never
 * reads the (400 MB at 100k × 1024) vector file — plus a CRC per row of that file, so the few rows
 * a search then reads are verified exactly (the vector file's 1 MiB block checksums would make a
 * 4 KB row read cost a 1 MiB read and hash).
 *
 * Layout (little-endian; rows = the manifest's chunkCount, extras have no prefix):
 *   "SWPX" u32 version, u32 rows, u32 dims, u32 width, u32 0
 *   f32 factor[rows]        int8 scale / norm of the row's normalised prefix (see vectorIndex.ts)
 *   u32 rowCrc[rows]        CRC-32 of the row's dims × 4 bytes in vectors-<gen>.f32
 *   zero padding to a multiple of 16
 *   i8 prefix[rows × width] the first `width` dims of the L2-normalised row, int8-quantised
 *
 * Written only when the index searches two-stage (rows ≥ DEFAULT_TWO_STAGE_MIN_ROWS and a prefix
 * narrower than the vectors): ~6 % of the raw vectors at 1024-d.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_TWO_STAGE_MIN_ROWS, VectorIndex, normalizeInPlace, prefixWidth, quantizePrefix, type StoredRows,
} from '../search/vectorIndex';
import { BLOCK_SIZE, IndexCorruptError, LITTLE_ENDIAN_HOST, blockHash, crc32, noteDamage, readFully, swapFloat32, type FileRef } from './binio';
import type { RowLayout } from './rowLayout';

const MAGIC = 0x58505753; // "SWPX" read as a little-endian u32
const VERSION = 1;
const HEADER = 24;

/** Prefix width to store for an index of `rows` × `dims`, or 0 for none. */
export function storedPrefixWidth(dims: number, rows: number): number {
  return rows >= DEFAULT_TWO_STAGE_MIN_ROWS ? prefixWidth(dims) : 0;
}

export interface PrefixData {
  readonly rows: number;
  readonly dims: number;
  readonly width: number;
  readonly factors: Float32Array;
  readonly crcs: Uint32Array;
  readonly prefix: Int8Array;
}

function layout(rows: number, width: number): { factors: number; crcs: number; prefix: number; bytes: number } {
  const factors = HEADER;
  const crcs = factors + 4 * rows;
  const prefix = Math.ceil((crcs + 4 * rows) / 16) * 16;
  return { factors, crcs, prefix, bytes: prefix + rows * width };
}

/** The header's row count, dims and prefix width, checked (magic, version, width); throws IndexCorruptError. */
function readHeader(bytes: Uint8Array, name: string): { rows: number; dims: number; width: number } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, HEADER);
  const bad = (why: string): never => {
    throw new IndexCorruptError(`${name}: ${why}`);
  };
  if (dv.getUint32(0, true) !== MAGIC || dv.getUint32(4, true) !== VERSION) bad('bad magic or version');
  const rows = dv.getUint32(8, true), dims = dv.getUint32(12, true), width = dv.getUint32(16, true);
  if (width === 0 || width % 16 !== 0 || width >= dims) bad('bad prefix width');
  return { rows, dims, width };
}

/** Decodes (views into `bytes`, copies on a big-endian host); throws IndexCorruptError. */
export function decodePrefix(bytes: Uint8Array, name = 'prefix file'): PrefixData {
  const bad = (why: string): never => {
    throw new IndexCorruptError(`${name}: ${why}`);
  };
  if (bytes.length < HEADER) bad('too short');
  const { rows, dims, width } = readHeader(bytes, name);
  const at = layout(rows, width);
  if (at.bytes !== bytes.length) bad('length does not match its header');
  const { factors, crcs } = tables(bytes, rows, at);
  const prefix = new Int8Array(bytes.buffer, bytes.byteOffset + at.prefix, rows * width);
  return { rows, dims, width, factors, crcs, prefix };
}

/** The factor and CRC columns (views when aligned on a little-endian host, else copies). */
function tables(bytes: Uint8Array, rows: number, at: ReturnType<typeof layout>): { factors: Float32Array; crcs: Uint32Array } {
  if (LITTLE_ENDIAN_HOST && bytes.byteOffset % 4 === 0) {
    return {
      factors: new Float32Array(bytes.buffer, bytes.byteOffset + at.factors, rows),
      crcs: new Uint32Array(bytes.buffer, bytes.byteOffset + at.crcs, rows),
    };
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const factors = new Float32Array(rows);
  const crcs = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) {
    factors[i] = dv.getFloat32(at.factors + 4 * i, true);
    crcs[i] = dv.getUint32(at.crcs + 4 * i, true);
  }
  return { factors, crcs };
}

/** Collects the prefix, factor and CRC of every chunk row while the vector file is written. */
export class PrefixBuilder {
  private readonly bytes: Uint8Array;
  private readonly dv: DataView;
  private readonly at: ReturnType<typeof layout>;
  private readonly prefix: Int8Array;
  private readonly scratch: Float32Array;
  private readonly le: Uint8Array;

  constructor(readonly rows: number, readonly dims: number, readonly width: number) {
    this.at = layout(rows, width);
    this.bytes = new Uint8Array(this.at.bytes);
    this.dv = new DataView(this.bytes.buffer);
    this.prefix = new Int8Array(this.bytes.buffer, this.at.prefix, rows * width);
    this.scratch = new Float32Array(dims);
    this.le = new Uint8Array(this.scratch.buffer);
  }

  /** Row `row` from its raw float values `src[at, at + dims)` (exactly what the vector file holds). */
  compute(row: number, src: Float32Array, at: number): void {
    const s = this.scratch;
    s.set(src.subarray(at, at + this.dims));
    let crc: number;
    if (LITTLE_ENDIAN_HOST) crc = crc32(this.le);
    else {
      const copy = this.le.slice();
      swapFloat32(copy);
      crc = crc32(copy);
    }
    normalizeInPlace(s, 0, this.dims);
    const factor = quantizePrefix(s, 0, this.width, this.prefix, row * this.width);
    this.put(row, factor, crc);
  }

  /** Row `row` is row `from` of an earlier generation's prefix file (same bytes in the vectors). */
  copy(row: number, old: PrefixData, from: number): void {
    this.prefix.set(old.prefix.subarray(from * this.width, (from + 1) * this.width), row * this.width);
    this.put(row, old.factors[from], old.crcs[from]);
  }

  /** Rows [row, row + count) are rows [from, from + count) of an earlier prefix file: three bulk copies. */
  copyRun(row: number, old: PrefixData, from: number, count: number): void {
    const w = this.width;
    this.prefix.set(old.prefix.subarray(from * w, (from + count) * w), row * w);
    const factors = new Float32Array(this.bytes.buffer, this.at.factors, this.rows);
    const crcs = new Uint32Array(this.bytes.buffer, this.at.crcs, this.rows);
    if (LITTLE_ENDIAN_HOST) {
      factors.set(old.factors.subarray(from, from + count), row);
      crcs.set(old.crcs.subarray(from, from + count), row);
    } else for (let k = 0; k < count; k++) this.put(row + k, old.factors[from + k], old.crcs[from + k]);
  }

  finish(): Uint8Array {
    const dv = this.dv;
    dv.setUint32(0, MAGIC, true);
    dv.setUint32(4, VERSION, true);
    dv.setUint32(8, this.rows, true);
    dv.setUint32(12, this.dims, true);
    dv.setUint32(16, this.width, true);
    dv.setUint32(20, 0, true);
    return this.bytes;
  }

  private put(row: number, factor: number, crc: number): void {
    this.dv.setFloat32(this.at.factors + 4 * row, factor, true);
    this.dv.setUint32(this.at.crcs + 4 * row, crc, true);
  }
}

/**
 * Rows of a committed generation read on demand (from whichever segment holds them,
 * rowLayout.ts): one positioned read per row, each checked against its CRC from the (fully
 * verified) prefix file. The file is opened per call, so nothing
 * stays open between searches (and a generation collected meanwhile reads as damaged).
 */
export class VectorFileRows implements StoredRows {
  constructor(
    private readonly dir: string,
    private readonly layout: RowLayout,
    private readonly dims: number,
    private readonly crcs: Uint32Array,
    private readonly all: () => Float32Array,
  ) {}

  read(ids: Int32Array, out: Float32Array): void {
    const rowBytes = this.dims * 4;
    const raw = new Uint8Array(out.buffer, out.byteOffset, ids.length * rowBytes);
    if (ids.length === 0) return;
    const fds = new Map<number, number>();
    const fdOf = (file: number): number => {
      let fd = fds.get(file);
      if (fd !== undefined) return fd;
      const name = this.layout.files[file].name;
      try {
        fd = fs.openSync(path.join(this.dir, name), 'r');
      } catch (e) {
        throw new IndexCorruptError(`missing data file ${name} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      fds.set(file, fd);
      return fd;
    };
    try {
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        if (!(id >= 0 && id < this.crcs.length)) throw new RangeError(`row ${id} is not in the index`);
        const at = this.layout.locate(this.layout.physical(id));
        const name = this.layout.files[at.file].name;
        const row = raw.subarray(i * rowBytes, (i + 1) * rowBytes);
        readFully(fdOf(at.file), row, rowBytes, at.row * rowBytes, name);
        if (crc32(row) !== this.crcs[id]) {
          noteDamage(this.dir, `${name}: row ${at.row}`);
          throw new IndexCorruptError(`${name}: checksum mismatch in row ${at.row}`);
        }
      }
    } finally {
      for (const fd of fds.values()) fs.closeSync(fd);
    }
    if (!LITTLE_ENDIAN_HOST) swapFloat32(raw);
  }

  readAll(): Float32Array {
    return this.all();
  }
}

/**
 * Reads a whole vector file a few blocks per `step()` (so a caller can spread it over event-loop
 * turns), checking every block's checksum and L2-normalising each chunk row once it is complete.
 * The last step returns the chunk rows (a view of the file's rows; extras follow them).
 */
export class VectorFileLoader {
  private readonly all: Float32Array;
  private readonly raw: Uint8Array;
  private pos = 0;
  private normalized = 0;

  constructor(private readonly dir: string, private readonly ref: FileRef, private readonly dims: number, private readonly rows: number, private readonly blocksPerStep = 8) {
    this.all = new Float32Array(ref.bytes / 4);
    this.raw = new Uint8Array(this.all.buffer);
  }

  step(): Float32Array | undefined {
    const ref = this.ref;
    if (this.pos < ref.bytes) {
      let fd: number;
      try {
        fd = fs.openSync(path.join(this.dir, ref.name), 'r');
      } catch (e) {
        throw new IndexCorruptError(`missing data file ${ref.name} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      try {
        if (fs.fstatSync(fd).size !== ref.bytes) throw new IndexCorruptError(`${ref.name}: length does not match the manifest`);
        const end = Math.min(ref.bytes, this.pos + this.blocksPerStep * BLOCK_SIZE);
        readFully(fd, this.raw.subarray(this.pos, end), end - this.pos, this.pos, ref.name);
        for (let b = this.pos / BLOCK_SIZE; b * BLOCK_SIZE < end; b++) {
          const block = this.raw.subarray(b * BLOCK_SIZE, Math.min(end, (b + 1) * BLOCK_SIZE));
          if (blockHash(block) !== ref.blocks[b]) {
            noteDamage(this.dir, `${ref.name}: block ${b}`);
            throw new IndexCorruptError(`${ref.name}: checksum mismatch in block ${b}`);
          }
        }
        if (!LITTLE_ENDIAN_HOST) swapFloat32(this.raw.subarray(this.pos, end));
        this.pos = end;
      } finally {
        fs.closeSync(fd);
      }
      const complete = Math.min(this.rows, Math.floor(this.pos / (this.dims * 4)));
      for (; this.normalized < complete; this.normalized++) normalizeInPlace(this.all, this.normalized * this.dims, this.dims);
    }
    return this.pos >= ref.bytes ? this.all.subarray(0, this.rows * this.dims) : undefined;
  }
}

/**
 * The vector index of a loaded generation straight from its prefix file: the int8 rows are read
 * into the index's own memory (no 26 MB intermediate buffer at 100k), every block checksum of the
 * file is verified across the two places it was read into. The float rows stay on disk, read by
 * `VectorFileRows` (`all` reads every row when something needs them). Returns undefined when the
 * file was written for another prefix width (the caller then builds the index from the rows).
 * Throws IndexCorruptError on any damage or mismatch with the manifest.
 */
export function openPrefixIndex(
  dir: string, ref: FileRef, vectors: RowLayout, dims: number, chunkCount: number, all: () => Float32Array,
): VectorIndex | undefined {
  const name = ref.name;
  const bad = (why: string): never => {
    throw new IndexCorruptError(`${name}: ${why}`);
  };
  let fd: number;
  try {
    fd = fs.openSync(path.join(dir, name), 'r');
  } catch (e) {
    throw new IndexCorruptError(`missing data file ${name} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size !== ref.bytes) bad(`${size} bytes, the manifest says ${ref.bytes}`);
    if (size < HEADER) bad('too short');
    const top = new Uint8Array(HEADER);
    readFully(fd, top, HEADER, 0, name);
    const { rows, width, dims: fileDims } = readHeader(top, name);
    if (rows !== chunkCount || fileDims !== dims) bad('does not match the manifest');
    const at = layout(rows, width);
    if (at.bytes !== size) bad('length does not match its header');
    const head = new Uint8Array(at.prefix);
    readFully(fd, head, at.prefix, 0, name);
    const nBlocks = Math.max(1, Math.ceil(size / BLOCK_SIZE));
    if (ref.blocks.length !== nBlocks) bad('checksum list has the wrong length');
    const verify = (int8: Uint8Array): void => {
      for (let b = 0; b < nBlocks; b++) {
        const start = b * BLOCK_SIZE, end = Math.min(size, start + BLOCK_SIZE);
        const h = crypto.createHash('sha256');
        if (start < at.prefix) h.update(head.subarray(start, Math.min(end, at.prefix)));
        if (end > at.prefix) h.update(int8.subarray(Math.max(start, at.prefix) - at.prefix, end - at.prefix));
        if (h.digest('hex').slice(0, 16) !== ref.blocks[b]) bad(`checksum mismatch in block ${b}`);
      }
    };
    if (width !== prefixWidth(dims)) {
      // Another version's width: verified (it is a data file of the generation), then unused.
      const int8 = new Uint8Array(rows * width);
      readFully(fd, int8, int8.length, at.prefix, name);
      verify(int8);
      return undefined;
    }
    const t = tables(head, rows, at);
    return VectorIndex.fillPrefix(dims, rows, new VectorFileRows(dir, vectors, dims, t.crcs, all), (int8, factors) => {
      const target = new Uint8Array(int8.buffer, int8.byteOffset, int8.length);
      readFully(fd, target, target.length, at.prefix, name);
      verify(target);
      factors.set(t.factors);
    });
  } finally {
    fs.closeSync(fd);
  }
}
