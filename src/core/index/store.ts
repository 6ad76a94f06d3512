/**
 * The index directory: one sub-directory ("space") per embedder fingerprint, each holding a
 * manifest (the commit point) and the data files of its current generation.
 *
 *   <indexDir>/<spaceId>/manifest.json     spaceId = sha256(Embedder.fingerprint)[0..16]
 *                       vectors-<gen>.f32  chunks-<gen>.bin  keyword-<gen>.bin
 *                       prefix-<gen>.i8 (two-stage sized indexes)
 *                       vseg-<g>.f32 + kdelta-<g>.bin per live update, rows-<gen>.u32 (segments.ts)
 *                       model-<basisId>.bin (offline)  journal.bin (while a run is embedding)
 *
 * The most recently used spaces are kept (default 3), so switching provider or model and back
 * costs nothing; recency is the manifest's mtime (touched by every run, even an unchanged one).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChunkInfo } from '../types';
import {
  BlockHasher, crashPoint, LITTLE_ENDIAN_HOST, fileSizeOr0, fsyncDir, readFileVerified,
  replaceAtomic, shortHash, swapFloat32, type FileRef,
} from './binio';
import { JOURNAL_NAME } from './journal';
import { COVERAGE_NAME } from './coverage';
import { parseManifest, referencedNames, serializeManifest, type Manifest } from './manifest';
import { RowLayout } from './rowLayout';
import { gatherRows } from './segments';
import { checkVectorsSteps, loadMetaSteps, vectorFileSteps } from './openSteps';
import { runSteps } from '../slices';

export const MANIFEST_NAME = 'manifest.json';
export const DEFAULT_KEEP_SPACES = 3;
const SPACE_DIR = /^[0-9a-f]{16}$/;

export function spaceId(embedderFingerprint: string): string {
  return shortHash(embedderFingerprint, 16);
}

export type ManifestRead =
  | { readonly status: 'missing' }
  | { readonly status: 'corrupt'; readonly reason: string }
  | { readonly status: 'ok'; readonly manifest: Manifest };

/** A fully loaded and verified generation. */
export interface LoadedSpace {
  readonly manifest: Manifest;
  readonly chunks: ChunkInfo[];
  /** The verified bytes `chunks` was decoded from (a live update patches them: chunkTable.ts). */
  readonly chunkTable: Uint8Array;
  /** All rows: chunk rows first, then `manifest.extraHashes` rows. */
  readonly vectors: Float32Array;
  readonly keyword?: Uint8Array;
  readonly model?: Uint8Array;
  /** The prefix file (prefixFile.ts), when the generation has one. */
  readonly prefix?: Uint8Array;
}

/** Prefix files verified by `loadMeta`, by manifest: the next generation's writer reuses them. */
const verifiedPrefixes = new WeakMap<Manifest, Uint8Array>();

export class IndexStore {
  constructor(readonly dir: string, readonly keepSpaces = DEFAULT_KEEP_SPACES) {}

  spaceDir(embedderFingerprint: string): string {
    return path.join(this.dir, spaceId(embedderFingerprint));
  }

  readManifest(embedderFingerprint: string): ManifestRead {
    const file = path.join(this.spaceDir(embedderFingerprint), MANIFEST_NAME);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ENOTDIR' ? { status: 'missing' } : { status: 'corrupt', reason: `manifest unreadable (${code})` };
    }
    try {
      const manifest = parseManifest(text);
      if (manifest.fingerprint.embedder !== embedderFingerprint) return { status: 'corrupt', reason: 'manifest belongs to another embedder' };
      return { status: 'ok', manifest };
    } catch (e) {
      return { status: 'corrupt', reason: (e as Error).message };
    }
  }

  /**
   * Loads and checks everything but the vectors: chunk table (consistent with the manifest's
   * files), keyword postings, offline model and prefix file, all fully checksummed (they are small).
   */
  loadMeta(manifest: Manifest, withPrefix = true, withKeyword = true): Omit<LoadedSpace, 'vectors'> {
    const dir = this.spaceDir(manifest.fingerprint.embedder);
    const { chunks, chunkTable, keyword, model } = runSteps(loadMetaSteps(dir, manifest, withKeyword));
    // Without it: the caller reads (and verifies) the prefix file itself (prefixFile.openPrefixIndex).
    const prefix = manifest.data.prefix && withPrefix ? readFileVerified(dir, manifest.data.prefix) : undefined;
    if (prefix) verifiedPrefixes.set(manifest, prefix);
    return { manifest, chunks, chunkTable, keyword, model, prefix };
  }

  /** The generation's verified prefix file (the copy `loadMeta` read, else read now), if any. */
  prefixOf(manifest: Manifest): Uint8Array | undefined {
    const ref = manifest.data.prefix;
    if (!ref) return undefined;
    return verifiedPrefixes.get(manifest) ?? readFileVerified(this.spaceDir(manifest.fingerprint.embedder), ref);
  }

  /**
   * Loads a verified generation. `fullVerify` checks every block of the vector file (~0.7 ms/MB);
   * otherwise its exact length and 16 sampled blocks are checked (truncation is always caught).
   */
  load(manifest: Manifest, fullVerify = false, withPrefix = true): LoadedSpace {
    const meta = this.loadMeta(manifest, withPrefix);
    return { ...meta, vectors: this.readVectors(manifest, fullVerify) };
  }

  /** The whole vector file (all rows, extras included), checked as `load` describes. */
  readVectors(manifest: Manifest, fullVerify = false): Float32Array {
    if (manifest.data.segments) {
      const dir = this.spaceDir(manifest.fingerprint.embedder);
      return gatherRows(dir, RowLayout.of(dir, manifest), manifest.chunkCount + manifest.extraHashes.length, fullVerify, (ref, full) => this.readVectorFile(dir, ref, full));
    }
    return this.readVectorFile(this.spaceDir(manifest.fingerprint.embedder), manifest.data.vectors, fullVerify);
  }

  private readVectorFile(dir: string, ref: FileRef, fullVerify: boolean): Float32Array {
    return runSteps(vectorFileSteps(dir, ref, fullVerify));
  }

  /**
   * What `readVectors` checks by default (exact length, 16 sampled blocks) without reading the
   * other blocks: for a load that leaves the rows on disk.
   */
  checkVectors(manifest: Manifest): void {
    runSteps(checkVectorsSteps(this.spaceDir(manifest.fingerprint.embedder), manifest));
  }

  /** Marks a space as just used (recency decides which spaces are evicted). */
  touch(embedderFingerprint: string): void {
    const now = new Date();
    try {
      fs.utimesSync(path.join(this.spaceDir(embedderFingerprint), MANIFEST_NAME), now, now);
    } catch {
      // No manifest yet: nothing to keep warm.
    }
  }

  /**
   * The commit point. The data files named by `manifest` must already be written and fsynced
   * (VectorFileWriter / writeDurable). Writes manifest.json.tmp, fsyncs, renames it over
   * manifest.json, fsyncs the directory; then removes the journal and dead files, and evicts
   * old spaces. A crash anywhere before the rename leaves the previous generation intact.
   */
  commit(manifest: Manifest, opts: { keepJournal?: boolean } = {}): void {
    const dir = this.spaceDir(manifest.fingerprint.embedder);
    crashPoint(manifest.data.segments ? 'append-before-commit' : 'full-before-commit');
    replaceAtomic(dir, MANIFEST_NAME, serializeManifest(manifest));
    crashPoint(manifest.data.segments ? 'append-after-commit' : 'full-after-commit');
    this.collectGarbage(manifest, opts.keepJournal === true);
    this.evictSpaces(spaceId(manifest.fingerprint.embedder));
  }

  /** Deletes files of dead generations and leftovers of crashed commits. */
  collectGarbage(manifest: Manifest, keepJournal: boolean): void {
    const dir = this.spaceDir(manifest.fingerprint.embedder);
    const keep = referencedNames(manifest);
    keep.add(MANIFEST_NAME);
    keep.add(COVERAGE_NAME); // rewritten right after each commit; names the generation it describes
    if (keepJournal) keep.add(JOURNAL_NAME);
    for (const name of safeReaddir(dir)) if (!keep.has(name)) fs.rmSync(path.join(dir, name), { force: true, recursive: true });
  }

  /** Keeps the `keepSpaces` most recently used spaces (always including `current`). */
  evictSpaces(current: string): void {
    const spaces = safeReaddir(this.dir)
      .filter((n) => SPACE_DIR.test(n) && n !== current)
      .map((n) => ({ n, t: mtimeOr0(path.join(this.dir, n, MANIFEST_NAME)) }))
      .sort((a, b) => b.t - a.t || (a.n < b.n ? -1 : 1));
    for (const s of spaces.slice(Math.max(0, this.keepSpaces - 1))) fs.rmSync(path.join(this.dir, s.n), { recursive: true, force: true });
  }

  ensureSpaceDir(embedderFingerprint: string): string {
    const dir = this.spaceDir(embedderFingerprint);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Bytes of a space's referenced files plus its manifest (what the index costs on disk). */
  bytesOnDisk(manifest: Manifest): number {
    const dir = this.spaceDir(manifest.fingerprint.embedder);
    let total = fileSizeOr0(path.join(dir, MANIFEST_NAME)) + fileSizeOr0(path.join(dir, COVERAGE_NAME));
    for (const n of referencedNames(manifest)) total += fileSizeOr0(path.join(dir, n));
    return total;
  }

  /** Removes the whole index directory (all spaces). */
  clear(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Streams rows into `vectors-<gen>.f32`, hashing blocks as it goes; `finish()` fsyncs. */
export class VectorFileWriter {
  private readonly fd: number;
  private readonly hasher = new BlockHasher();
  private buf: Uint8Array;
  private used = 0;
  private pos = 0;

  constructor(dir: string, readonly name: string) {
    this.fd = fs.openSync(path.join(dir, name), 'w');
    this.buf = new Uint8Array(8 << 20);
  }

  write(rows: Float32Array): void {
    const bytes = new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength);
    if (this.used + bytes.length > this.buf.length) this.drain();
    if (bytes.length > this.buf.length) this.buf = new Uint8Array(bytes.length);
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  finish(): FileRef {
    this.drain();
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    return { name: this.name, bytes: this.hasher.bytes, blocks: this.hasher.finish() };
  }

  abort(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
  }

  private drain(): void {
    const data = this.buf.subarray(0, this.used);
    if (!LITTLE_ENDIAN_HOST) swapFloat32(data);
    let off = 0;
    while (off < data.length) off += fs.writeSync(this.fd, data, off, data.length - off, this.pos + off);
    this.pos += data.length;
    this.hasher.update(data);
    this.used = 0;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function mtimeOr0(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

export { fsyncDir };
