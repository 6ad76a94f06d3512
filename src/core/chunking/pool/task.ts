/**
 * One file's read → hash → chunk, as a pure function of its task. The chunk workers and the
 * in-process fallback both call exactly this, so a run gives the same chunks and hashes whichever
 * path handled a file (and the worker never ships the file text back, only the chunks).
 */
import crypto from 'node:crypto';
import { readTextFile } from '../../discovery/readText';
import type { Chunk, SkipReason } from '../../types';
import { chunkFile } from '../chunker';
import { notWorthIndexing } from '../generated';
import { packTerms, type PackedFileTerms } from '../../text/termPack';

export interface FileTask {
  readonly absPath: string;
  /** POSIX path relative to the root: chunk paths and headers use it. */
  readonly relPath: string;
  readonly maxBytes: number;
  readonly maxTokens?: number;
  /** Content hash committed for this path: an equal hash means "unchanged", nothing is chunked. */
  readonly prevHash?: string;
  /** Also tokenize the chunks (offline index builds): the terms travel back packed, not as text. */
  readonly terms?: boolean;
}

export type FileOutcome =
  | { readonly kind: 'skip'; readonly reason: SkipReason; readonly detail?: string }
  | { readonly kind: 'unchanged'; readonly hash: string }
  /** `chunks` may be empty (a blank file): the caller decides what that means. */
  | { readonly kind: 'chunks'; readonly hash: string; readonly chunks: Chunk[]; readonly terms?: PackedFileTerms };

/** sha256 of the text, 128 bits: the manifest's per-file content hash. */
export function textHash(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
}

export async function processFile(task: FileTask): Promise<FileOutcome> {
  const read = await readTextFile(task.absPath, task.maxBytes);
  if ('skip' in read) return { kind: 'skip', reason: read.skip, ...(read.detail ? { detail: read.detail } : {}) };
  const hash = textHash(read.text);
  if (task.prevHash === hash) return { kind: 'unchanged', hash };
  const generated = notWorthIndexing(task.relPath, read.text);
  if (generated) return { kind: 'skip', reason: 'generated', detail: generated };
  try {
    const chunks = await chunkFile(task.relPath, read.text, { maxTokens: task.maxTokens });
    return { kind: 'chunks', hash, chunks, ...(task.terms && chunks.length > 0 ? { terms: packTerms(chunks) } : {}) };
  } catch (e) {
    // One file the chunker chokes on must not cost the whole run: skip it, say why.
    return { kind: 'skip', reason: 'unreadable', detail: `chunking failed: ${(e as Error).message}` };
  }
}
