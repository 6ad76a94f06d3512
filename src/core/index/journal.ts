/**
 * The vector journal (`journal.bin` in a space): an append-only log of vectors embedded by the
 * current run, fsynced every few seconds. It is the checkpoint that makes a SIGKILL cost seconds
 * of embedding instead of the run: rewriting the manifest and the vector file every few seconds
 * would cost O(index) I/O per checkpoint, appending costs O(new vectors).
 *
 * Every record carries its own checksum, so a torn tail (killed mid-write) is simply ignored:
 * the journal is valid up to its last whole record and needs no manifest to be trusted. Once a
 * generation that contains its vectors is committed, the journal is deleted.
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
  readonly vectors: Map<string, Float32Array>;
  /** Byte length of the valid prefix (header + whole records). */
  readonly validBytes: number;
}

/**
 * Reads the valid prefix of a space's journal. A journal for other dimensions or another offline
 * basis holds vectors of another space: it is ignored (and replaced by the next writer).
 */
export function readJournal(spaceDir: string, dims: number, basisId: string): JournalContents | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(path.join(spaceDir, JOURNAL_NAME));
  } catch {
    return undefined;
  }
  const head = header(dims, basisId);
  if (buf.length < head.length || !Buffer.from(head).equals(buf.subarray(0, head.length))) return undefined;
  const vectors = new Map<string, Float32Array>();
  let off = head.length;
  const vecBytes = dims * 4;
  while (off + 4 <= buf.length) {
    const hashLen = buf.readUInt32LE(off);
    const end = off + 4 + pad4(hashLen) + vecBytes + 4;
    if (hashLen === 0 || hashLen > 1024 || end > buf.length) break;
    const body = buf.subarray(off, end - 4);
    if (check(body) !== buf.readUInt32LE(end - 4)) break;
    const hash = buf.toString('utf8', off + 4, off + 4 + hashLen);
    const raw = new Uint8Array(vecBytes);
    raw.set(buf.subarray(off + 4 + pad4(hashLen), end - 4));
    if (!LITTLE_ENDIAN_HOST) swapFloat32(raw);
    vectors.set(hash, new Float32Array(raw.buffer));
    off = end;
  }
  return { vectors, validBytes: off };
}

/** Appends records; nothing reaches the disk until `flush()` (write + fsync). */
export class JournalWriter {
  private pending: Uint8Array[] = [];
  private fd: number | undefined;
  private size: number;
  /** Records made durable so far. */
  flushed = 0;
  private buffered = 0;

  private constructor(private readonly file: string, private readonly dims: number, private readonly head: Uint8Array, size: number) {
    this.size = size;
  }

  /**
   * Continues an existing journal of the same space (cut back to its valid prefix, dropping a
   * torn tail) or starts a new one.
   */
  static open(spaceDir: string, dims: number, basisId: string, existing?: JournalContents): JournalWriter {
    const file = path.join(spaceDir, JOURNAL_NAME);
    const head = header(dims, basisId);
    const w = new JournalWriter(file, dims, head, existing ? existing.validBytes : 0);
    if (existing) fs.truncateSync(file, existing.validBytes);
    return w;
  }

  add(hash: string, vector: Float32Array): void {
    const h = Buffer.from(hash, 'utf8');
    const rec = Buffer.alloc(4 + pad4(h.length) + this.dims * 4 + 4);
    rec.writeUInt32LE(h.length, 0);
    h.copy(rec, 4);
    const v = new Uint8Array(vector.buffer, vector.byteOffset, this.dims * 4);
    rec.set(v, 4 + pad4(h.length));
    if (!LITTLE_ENDIAN_HOST) swapFloat32(rec.subarray(4 + pad4(h.length), rec.length - 4));
    rec.writeUInt32LE(check(rec.subarray(0, rec.length - 4)), rec.length - 4);
    this.pending.push(rec);
    this.buffered++;
  }

  /** Makes every added record durable. Synchronous so it also works from an exit path. */
  flush(): void {
    if (this.pending.length === 0) return;
    if (this.fd === undefined) {
      this.fd = fs.openSync(this.file, this.size === 0 ? 'w' : 'r+');
      if (this.size === 0) this.size += fs.writeSync(this.fd, this.head, 0, this.head.length, 0);
    }
    const data = Buffer.concat(this.pending);
    let off = 0;
    while (off < data.length) off += fs.writeSync(this.fd, data, off, data.length - off, this.size + off);
    fs.fsyncSync(this.fd);
    this.size += data.length;
    this.pending = [];
    this.flushed += this.buffered;
    this.buffered = 0;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

export function removeJournal(spaceDir: string): void {
  fs.rmSync(path.join(spaceDir, JOURNAL_NAME), { force: true });
}
