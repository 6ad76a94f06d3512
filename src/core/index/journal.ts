/**
 * The vector journal (`journal.bin` in a space): an append-only log of vectors embedded by the
 * current run. It is the checkpoint that makes a crash cost at most the requests in flight instead
 * of the run: rewriting the manifest and the vector file per batch would cost O(index) I/O per
 * checkpoint, appending costs O(new vectors).
 *
 * Durability, in two steps:
 *  - `write()` hands the staged records to the kernel at once (one synchronous positional
 *    write). The indexer calls it for every batch an embedder returns, so once a batch's
 *    callback returns, a SIGKILL, crash or OOM kill of the process loses none of it: the kernel
 *    already holds the bytes. Only a batch whose reply was still on its way is re-billed.
 *  - `flush()` also fsyncs; the indexer calls it every few seconds and at the end of embedding,
 *    which bounds what a power loss or kernel crash can take to those seconds.
 * Writes are synchronous and Node runs callbacks one at a time, so the records of two batches
 * arriving together are appended one batch after the other, never interleaved.
 *
 * Every record carries its own checksum, so a torn tail (killed mid-write, or a power loss
 * before the fsync) is simply ignored: the journal is valid up to its last whole record and
 * needs no manifest to be trusted. Once a generation that contains its vectors is committed,
 * the journal is deleted.
 *
 * Layout (little-endian): "SWJ1" | u32 dims | u32 basisLen | basis id UTF-8 (padded to 4)
 *   then records: u32 hashLen | hash UTF-8 (padded to 4) | dims × f32 | u32 check
 *   where check = first 4 bytes of sha256(record without check).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LITTLE_ENDIAN_HOST, swapFloat32 } from './binio';

export const JOURNAL_NAME = 'journal.bin';
const MAGIC = 0x314a5753; // "SWJ1"
const pad4 = (n: number) => (n + 3) & ~3;

function header(dims: number, basisId: string): Uint8Array {
  const basis = Buffer.from(basisId, 'utf8');
  const out = Buffer.alloc(12 + pad4(basis.length));
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(dims, 4);
  out.writeUInt32LE(basis.length, 8);
  basis.copy(out, 12);
  return out;
}

function check(bytes: Uint8Array): number {
  return crypto.createHash('sha256').update(bytes).digest().readUInt32LE(0);
}

export interface JournalContents {
  /** The journal's vectors by hash; only their places are in memory, the rows are read on demand. */
  readonly vectors: RunVectors;
  /** Byte length of the valid prefix (header + whole records). */
  readonly validBytes: number;
}

/** Reads are served from one block of the file at a time (rows are mostly read in the order they were written). */
const READ_BLOCK = 1 << 20;

/** Positioned reads of a file through one cached block. */
class BlockReader {
  private fd: number | undefined;
  private buf = Buffer.alloc(0);
  private start = 0;
  private len = 0;

  constructor(private readonly file: string) {}

  /** `n` bytes at `at` (a view valid until the next call), or undefined past the end of the file. */
  bytes(at: number, n: number): Buffer | undefined {
    if (at < this.start || at + n > this.start + this.len) {
      this.fd ??= fs.openSync(this.file, 'r');
      if (this.buf.length < Math.max(READ_BLOCK, n)) this.buf = Buffer.alloc(Math.max(READ_BLOCK, n));
      this.start = at;
      this.len = 0;
      for (let got = -1; got !== 0 && this.len < this.buf.length;) {
        got = fs.readSync(this.fd, this.buf, this.len, this.buf.length - this.len, at + this.len);
        this.len += got;
      }
      if (n > this.len) return undefined;
    }
    return this.buf.subarray(at - this.start, at - this.start + n);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    this.len = 0;
  }
}

/** What runIndex reads vectors through: a Map or this run's `RunVectors`. */
export interface VectorLookup {
  has(hash: string): boolean;
  get(hash: string): Float32Array | undefined;
  keys(): IterableIterator<string>;
  readonly size: number;
}

/**
 * The vectors of this run (an interrupted run's journal, what this run embedded, a team index's)
 * by hash, in the order they arrived. Journaled ones stay on disk — only their record's place is
 * kept, and `get` reads the row back — so a build holds no more vectors in memory than a read
 * block, whatever its size (100k × 1024-d rows are 400 MB). Others (`hold`) are kept in memory.
 */
export class RunVectors implements VectorLookup {
  private readonly entries = new Map<string, number | Float32Array>();
  private readonly reader: BlockReader;

  constructor(file: string, private readonly dims: number) {
    this.reader = new BlockReader(file);
  }

  get size(): number {
    return this.entries.size;
  }

  has(hash: string): boolean {
    return this.entries.has(hash);
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** A vector kept in memory (not journaled). */
  hold(hash: string, vector: Float32Array): void {
    this.entries.set(hash, vector);
  }

  /** A journal record of `hash` starts at byte `at` (it must be written before it is read). */
  journaled(hash: string, at: number): void {
    this.entries.set(hash, at);
  }

  get(hash: string): Float32Array | undefined {
    const e = this.entries.get(hash);
    if (e === undefined || typeof e !== 'number') return e;
    const len = this.reader.bytes(e, 4)?.readUInt32LE(0) ?? 0;
    const vecAt = e + 4 + pad4(len);
    const rec = this.reader.bytes(e, vecAt - e + this.dims * 4);
    // The journal is only ever appended to during a run: anything else here is a bug, not damage.
    if (!rec || rec.toString('utf8', 4, 4 + len) !== hash) throw new Error(`internal: journal record of ${hash} not found at ${e}`);
    const raw = new Uint8Array(this.dims * 4);
    raw.set(rec.subarray(vecAt - e));
    if (!LITTLE_ENDIAN_HOST) swapFloat32(raw);
    return new Float32Array(raw.buffer);
  }

  close(): void {
    this.reader.close();
  }
}

export function journalFile(spaceDir: string): string {
  return path.join(spaceDir, JOURNAL_NAME);
}

/**
 * Reads the valid prefix of a space's journal. A journal for other dimensions or another offline
 * basis holds vectors of another space: it is ignored (and replaced by the next writer). Every
 * record's checksum is checked here, block by block; the vectors themselves are read when used.
 */
export function readJournal(spaceDir: string, dims: number, basisId: string): JournalContents | undefined {
  const file = journalFile(spaceDir);
  const reader = new BlockReader(file);
  try {
    const head = header(dims, basisId);
    const got = reader.bytes(0, head.length);
    if (!got || !Buffer.from(head).equals(got)) return undefined;
    const vectors = new RunVectors(file, dims);
    let off = head.length;
    const vecBytes = dims * 4;
    for (;;) {
      const hashLen = reader.bytes(off, 4)?.readUInt32LE(0);
      if (hashLen === undefined || hashLen === 0 || hashLen > 1024) break;
      const len = 4 + pad4(hashLen) + vecBytes + 4;
      const rec = reader.bytes(off, len);
      if (!rec || check(rec.subarray(0, len - 4)) !== rec.readUInt32LE(len - 4)) break;
      vectors.journaled(rec.toString('utf8', 4, 4 + hashLen), off);
      off += len;
    }
    return { vectors, validBytes: off };
  } catch {
    return undefined;
  } finally {
    reader.close();
  }
}

/**
 * Appends records: `add()` stages one, `write()` hands the staged ones to the kernel (survives a
 * kill of the process), `flush()` writes and fsyncs (survives a power loss). All synchronous, so
 * they also work from an exit path and can never interleave.
 */
export class JournalWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private fd: number | undefined;
  /** Bytes of whole records (and header) written so far: the next record goes here. */
  private size: number;
  /** Records handed to the kernel so far (they survive a kill of the process). */
  written = 0;
  /** Records made durable (fsynced) so far. */
  flushed = 0;
  private unsynced = false;

  private constructor(private readonly file: string, private readonly dims: number, private readonly head: Uint8Array, size: number) {
    this.size = size;
  }

  /**
   * Continues an existing journal of the same space (cut back to its valid prefix, dropping a
   * torn tail) or starts a new one.
   */
  static open(spaceDir: string, dims: number, basisId: string, existing?: JournalContents): JournalWriter {
    const file = journalFile(spaceDir);
    const head = header(dims, basisId);
    const w = new JournalWriter(file, dims, head, existing ? existing.validBytes : 0);
    if (existing) fs.truncateSync(file, existing.validBytes);
    return w;
  }

  /** Stages a record; it reaches the kernel with the next `write()` or `flush()`. Returns where it will start. */
  add(hash: string, vector: Float32Array): number {
    const h = Buffer.from(hash, 'utf8');
    const rec = Buffer.alloc(4 + pad4(h.length) + this.dims * 4 + 4);
    rec.writeUInt32LE(h.length, 0);
    h.copy(rec, 4);
    const v = new Uint8Array(vector.buffer, vector.byteOffset, this.dims * 4);
    rec.set(v, 4 + pad4(h.length));
    if (!LITTLE_ENDIAN_HOST) swapFloat32(rec.subarray(4 + pad4(h.length), rec.length - 4));
    rec.writeUInt32LE(check(rec.subarray(0, rec.length - 4)), rec.length - 4);
    const at = (this.size === 0 ? this.head.length : this.size) + this.pendingBytes;
    this.pending.push(rec);
    this.pendingBytes += rec.length;
    return at;
  }

  /**
   * Hands every staged record to the kernel (no fsync): from here a kill of the process cannot
   * lose them, a power loss still can. If a write fails, the records stay staged and the next
   * call rewrites them at the same offset (a partial record left behind fails its checksum).
   */
  write(): void {
    if (this.pending.length === 0) return;
    if (this.fd === undefined) this.fd = fs.openSync(this.file, this.size === 0 ? 'w' : 'r+');
    if (this.size === 0) {
      let off = 0;
      while (off < this.head.length) off += fs.writeSync(this.fd, this.head, off, this.head.length - off, off);
      this.size = this.head.length;
    }
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    let off = 0;
    while (off < data.length) off += fs.writeSync(this.fd, data, off, data.length - off, this.size + off);
    this.size += data.length;
    this.written += this.pending.length;
    this.pending = [];
    this.pendingBytes = 0;
    this.unsynced = true;
  }

  /** Writes every staged record and makes everything written durable (fsync). */
  flush(): void {
    this.write();
    if (this.fd === undefined || !this.unsynced) return;
    fs.fsyncSync(this.fd);
    this.unsynced = false;
    this.flushed = this.written;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

export function removeJournal(spaceDir: string): void {
  fs.rmSync(path.join(spaceDir, JOURNAL_NAME), { force: true });
}
