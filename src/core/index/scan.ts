/**
 * The incremental part of a run: which files are new, changed, unchanged or gone compared with
 * the committed manifest. A file is re-read only when its mtime or size moved, and re-chunked
 * only when its content hash changed too (a `touch` or a git checkout costs a read, not a chunk).
 */
import { chunkFilesInOrder, textHash, type FileTask } from '../chunking/pool';
import { DEFAULT_MAX_FILE_BYTES, discoverFiles } from '../discovery';
import type { IndexProgress } from '../engineTypes';
import type { Chunk, SkippedFile } from '../types';
import type { ManifestFiles } from './manifest';
import type { PackedFileTerms } from '../text/termPack';

export interface OldFile {
  readonly index: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly hash: string;
}

/** A file whose chunks are (re)computed in this run. */
export interface ScannedFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly hash: string;
  readonly chunks: Chunk[];
}

export interface ScanResult {
  readonly processed: ScannedFile[];
  /** Unchanged files (by path) with their current size/mtime (may differ when only touched). */
  readonly unchanged: Map<string, { size: number; mtimeMs: number }>;
  /** Committed paths that are gone, now ignored, unreadable or empty. */
  readonly removed: Set<string>;
  readonly skipped: SkippedFile[];
  readonly filesSeen: number;
}

export interface ScanParams {
  readonly root: string;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly maxFileBytes?: number;
  readonly maxChunkTokens?: number;
  /** Committed files (undefined or `rechunkAll`: every file is processed). */
  readonly old?: ManifestFiles;
  readonly rechunkAll: boolean;
  /** Live update: only these POSIX relative paths are looked at. */
  readonly paths?: readonly string[];
  readonly signal?: AbortSignal;
  /** Each (re)chunked file as it arrives, in order (the main thread's share of the work overlaps the workers'). */
  readonly onFile?: (file: ScannedFile, terms?: PackedFileTerms) => void;
  /** The workers also tokenize each chunk (handed to `onFile` packed). */
  readonly terms?: boolean;
  readonly progress: (p: Omit<IndexProgress, 'chunksDone' | 'chunksTotal' | 'tokensDone' | 'tokensTotal'>) => void;
}

/** sha256 of the text, 128 bits (the chunk workers compute the same with `textHash`). */
export function fileHash(text: string): string {
  return textHash(text);
}

export function oldFileMap(old: ManifestFiles | undefined): Map<string, OldFile> {
  const map = new Map<string, OldFile>();
  old?.paths.forEach((p, i) => map.set(p, { index: i, size: old.sizes[i], mtimeMs: old.mtimes[i], hash: old.hashes[i] }));
  return map;
}

export async function scanWorkspace(p: ScanParams): Promise<ScanResult> {
  const maxBytes = p.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  p.progress({ phase: 'discover', filesDone: 0, filesTotal: 0 });
  // Live updates read only the folders on the way to the given paths (their ignore files apply
  // exactly as in a full walk), never the whole tree.
  const only = p.paths ? new Set(p.paths.map(normalizeRel)) : undefined;
  const found = await discoverFiles(p.root, { include: p.include, exclude: p.exclude, maxFileBytes: maxBytes, signal: p.signal, only: only && [...only] });
  const files = found.files.filter((f) => !only || only.has(f.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const skipped: SkippedFile[] = found.skipped.filter((s) => !only || only.has(s.path));
  const old = oldFileMap(p.rechunkAll ? undefined : p.old);
  const oldAll = oldFileMap(p.old);
  const seen = new Set(files.map((f) => f.path));
  const removed = new Set<string>();
  for (const path of oldAll.keys()) if ((!only || only.has(path)) && !seen.has(path)) removed.add(path);

  const processed: ScannedFile[] = [];
  const unchanged = new Map<string, { size: number; mtimeMs: number }>();
  // Unchanged by stat: no read at all. Every other file is read, hashed and (if its content hash
  // moved) chunked off the main thread when workers are available; outcomes come back in order.
  let bytes = 0;
  const tasks: (FileTask | undefined)[] = files.map((f) => {
    const prev = old.get(f.path);
    if (prev && prev.size === f.size && prev.mtimeMs === f.mtimeMs) return undefined;
    bytes += f.size;
    return { absPath: f.absPath, relPath: f.path, maxBytes, maxTokens: p.maxChunkTokens, prevHash: prev?.hash, ...(p.terms ? { terms: true } : {}) };
  });
  let done = 0;
  p.progress({ phase: 'chunk', filesDone: 0, filesTotal: files.length });
  await chunkFilesInOrder(tasks, { signal: p.signal, bytes }, (i, outcome) => {
    const f = files[i];
    if (!outcome || outcome.kind === 'unchanged') {
      unchanged.set(f.path, { size: f.size, mtimeMs: f.mtimeMs });
    } else if (outcome.kind === 'skip') {
      skipped.push({ path: f.path, reason: outcome.reason, ...(outcome.detail ? { detail: outcome.detail } : {}) });
      if (oldAll.has(f.path)) removed.add(f.path);
    } else if (outcome.chunks.length === 0) {
      skipped.push({ path: f.path, reason: 'empty' });
      if (oldAll.has(f.path)) removed.add(f.path);
    } else {
      const file: ScannedFile = { path: f.path, size: f.size, mtimeMs: f.mtimeMs, hash: outcome.hash, chunks: outcome.chunks };
      processed.push(file);
      p.onFile?.(file, outcome.terms);
    }
    done++;
    p.progress({ phase: 'chunk', filesDone: done, filesTotal: files.length, currentFile: f.path });
  });
  return { processed, unchanged, removed, skipped, filesSeen: files.length };
}

function normalizeRel(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '');
}

export function abortError(): Error {
  const e = new Error('Indexing was cancelled.');
  e.name = 'AbortError';
  return e;
}
