/**
 * Low-level file I/O of the index: durable writes (write + fsync), block checksums and reading
 * a file straight into a typed array. Everything here is synchronous on purpose: the commit
 * protocol is a strict sequence of write → fsync → rename → fsync(dir), and sync calls make that
 * order obvious and impossible to interleave with another commit in the same process.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { bigBytes } from '../bigMemory';

/** Block size of the per-block checksums recorded in the manifest (1 MiB). */
export const BLOCK_SIZE = 1 << 20;

/** A data file as the manifest references it: exact length plus one checksum per block. */
export interface FileRef {
  readonly name: string;
  readonly bytes: number;
  /** First 16 hex chars of sha256 of each BLOCK_SIZE block (the last one may be shorter). */
  readonly blocks: readonly string[];
}

/** Vectors are stored little-endian; on a (rare) big-endian host every float is swapped. */
export const LITTLE_ENDIAN_HOST = os.endianness() === 'LE';

export function blockHash(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

export function shortHash(text: string | Uint8Array, hexChars = 32): string {
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, hexChars);
}

/** Writes parts to `file`, fsyncs it and returns its manifest reference. */
export function writeDurable(dir: string, name: string, parts: readonly Uint8Array[]): FileRef {
  const file = path.join(dir, name);
  const fd = fs.openSync(file, 'w');
  const hasher = new BlockHasher();
  try {
    for (const p of parts) {
      let off = 0;
      while (off < p.length) off += fs.writeSync(fd, p, off, p.length - off);
      hasher.update(p);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return { name, bytes: hasher.bytes, blocks: hasher.finish() };
}

/** Streams bytes into per-block checksums without holding more than one block. */
export class BlockHasher {
  private hash = crypto.createHash('sha256');
  private inBlock = 0;
  private readonly done: string[] = [];
  bytes = 0;

  update(data: Uint8Array): void {
    let off = 0;
    while (off < data.length) {
      const take = Math.min(BLOCK_SIZE - this.inBlock, data.length - off);
      this.hash.update(data.subarray(off, off + take));
      this.inBlock += take;
      off += take;
      if (this.inBlock === BLOCK_SIZE) this.closeBlock();
    }
    this.bytes += data.length;
  }

  finish(): string[] {
    if (this.inBlock > 0 || this.done.length === 0) this.closeBlock();
    return this.done;
  }

  private closeBlock(): void {
    this.done.push(this.hash.digest('hex').slice(0, 16));
    this.hash = crypto.createHash('sha256');
    this.inBlock = 0;
  }
}

/** fsync of a directory makes a rename in it durable (POSIX); not supported on Windows. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // EISDIR/EPERM on Windows: rename is already durable enough there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Atomically replaces `name` in `dir` with `data`: tmp file, fsync, rename, fsync(dir). */
export function replaceAtomic(dir: string, name: string, data: Uint8Array | string): void {
  const tmp = path.join(dir, `${name}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path.join(dir, name));
  fsyncDir(dir);
}

export class IndexCorruptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexCorruptError';
  }
}

/**
 * Reads `ref` into `target` (a view of exactly ref.bytes bytes) and checks its length and the
 * block checksums: all of them with `full`, else the first, the last and a few spread between
 * (a full pass over 400 MB costs ~300 ms of hashing; truncation is always caught by the length).
 */
export function readVerified(dir: string, ref: FileRef, target: Uint8Array, full: boolean): void {
  const fd = openChecked(dir, ref);
  try {
    const size = ref.bytes;
    if (target.length !== size) throw new IndexCorruptError(`${ref.name} is ${size} bytes, the manifest says ${ref.bytes}`);
    let off = 0;
    while (off < size) {
      const n = fs.readSync(fd, target, off, Math.min(size - off, 64 << 20), off);
      if (n <= 0) throw new IndexCorruptError(`${ref.name}: unexpected end of file`);
      off += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  verifyBlocks(ref, target, full);
}

/** Opens a data file for reading and checks its exact length against the manifest. */
export function openChecked(dir: string, ref: FileRef): number {
  let fd: number;
  try {
    fd = fs.openSync(path.join(dir, ref.name), 'r');
  } catch (e) {
    throw new IndexCorruptError(`missing data file ${ref.name} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const size = fs.fstatSync(fd).size;
  if (size !== ref.bytes) {
    fs.closeSync(fd);
    throw new IndexCorruptError(`${ref.name} is ${size} bytes, the manifest says ${ref.bytes}`);
  }
  return fd;
}

/** The blocks a check hashes: all with `all` or for a small file, else the first, the last and 14 spread between. */
export function checkedBlocks(ref: FileRef, all: boolean): Set<number> {
  const nBlocks = Math.max(1, Math.ceil(ref.bytes / BLOCK_SIZE));
  if (ref.blocks.length !== nBlocks) throw new IndexCorruptError(`${ref.name}: checksum list has the wrong length`);
  const check = new Set<number>();
  if (all || nBlocks <= 16) for (let b = 0; b < nBlocks; b++) check.add(b);
  else for (let i = 0; i < 16; i++) check.add(Math.round((i * (nBlocks - 1)) / 15));
  return check;
}

export function verifyBlocks(ref: FileRef, data: Uint8Array, full: boolean): void {
  for (const b of checkedBlocks(ref, full)) {
    const got = blockHash(data.subarray(b * BLOCK_SIZE, Math.min(data.length, (b + 1) * BLOCK_SIZE)));
    if (got !== ref.blocks[b]) throw new IndexCorruptError(`${ref.name}: checksum mismatch in block ${b}`);
  }
}

/**
 * Opens a data file for positioned reads, checks its exact length and the checksums of the
 * blocks `verifyBlocks` would sample (first, last, 14 spread between): what a full read checks
 * by default, without reading the rest. Returns nothing; throws IndexCorruptError.
 */
export function verifySampledBlocks(dir: string, ref: FileRef, all = false): void {
  const fd = openChecked(dir, ref);
  try {
    const check = checkedBlocks(ref, all);
    const buf = new Uint8Array(Math.min(BLOCK_SIZE, Math.max(1, ref.bytes)));
    for (const b of check) {
      const n = Math.min(BLOCK_SIZE, ref.bytes - b * BLOCK_SIZE);
      readFully(fd, buf, n, b * BLOCK_SIZE, ref.name);
      if (blockHash(buf.subarray(0, n)) !== ref.blocks[b]) throw new IndexCorruptError(`${ref.name}: checksum mismatch in block ${b}`);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads exactly `n` bytes at `position` into target[0, n); a short read means a damaged file. */
export function readFully(fd: number, target: Uint8Array, n: number, position: number, name: string): void {
  let got = 0;
  while (got < n) {
    const r = fs.readSync(fd, target, got, n - got, position + got);
    if (r <= 0) throw new IndexCorruptError(`${name}: unexpected end of file`);
    got += r;
  }
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (the zlib polynomial): zlib's native one where the runtime has it, else a table loop. */
export function crc32(bytes: Uint8Array): number {
  const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
  if (typeof native === 'function') return native(bytes) >>> 0;
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Reads a whole verified file (small files: chunk table, keyword postings, offline model). */
export function readFileVerified(dir: string, ref: FileRef): Uint8Array {
  const out = bigBytes(ref.bytes);
  readVerified(dir, ref, out, true);
  return out;
}

/** Swaps byte order of every float in place (only ever used on big-endian hosts). */
export function swapFloat32(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const a = bytes[i], b = bytes[i + 1];
    bytes[i] = bytes[i + 3];
    bytes[i + 1] = bytes[i + 2];
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}

export function fileSizeOr0(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Written beside the manifest when a reader finds damage late (a row or block checksum that a
 * search or a background read checked): the next `runIndex` then checks every block instead of
 * only what it reads, and rebuilds. Removed by the next commit (it is no data file).
 */
export const DAMAGED_NAME = 'damaged';

export function noteDamage(dir: string, message: string): void {
  try {
    fs.writeFileSync(path.join(dir, DAMAGED_NAME), message);
  } catch {
    // Best effort: the reader reports the damage anyway.
  }
}

/** Every block checksum of a data file, streamed (no copy of the file is kept). */
export function verifyAllBlocks(dir: string, ref: FileRef): void {
  verifySampledBlocks(dir, ref, true);
}

/**
 * The crash suites' seam: `SW_TEST_CRASH=<point>` SIGKILLs this process at that point of a
 * commit (test/unit/index/segmentCrash.test.ts), so a kill lands exactly between two writes.
 */
export function crashPoint(point: string): void {
  if (process.env.SW_TEST_CRASH === point) process.kill(process.pid, 'SIGKILL');
}
