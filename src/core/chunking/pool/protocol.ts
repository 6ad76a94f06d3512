/** Messages between the chunk pool (main thread) and its workers. */
import type { Chunk } from '../../types';
import type { FileOutcome, FileTask } from './task';

/** Test-only behaviours, honoured only when the pool was configured with them (never by default). */
export interface WorkerTestHooks {
  /** A task whose relPath contains this throws an uncaught exception in the worker (thread dies). */
  readonly crashOn?: string;
  /** A task whose relPath contains this spins forever (only terminate() ends it). */
  readonly hangOn?: string;
}

export interface WorkerInit {
  /** The directory the main thread resolved for tree-sitter wasm: the worker must use the same. */
  readonly wasmDir?: string;
  readonly testHooks?: WorkerTestHooks;
}

export type ToWorker = { readonly id: number; readonly task: FileTask };

/**
 * A chunk's `text` is almost always the tail of its `embedText` (header + text): the worker sends
 * it as `textFrom` (where it starts in embedText) instead of a second copy — half the bytes to
 * clone, and on the main thread the text is a slice sharing the embed text's memory.
 */
export function packOutcome(o: FileOutcome): FileOutcome {
  if (o.kind !== 'chunks') return o;
  return {
    ...o,
    chunks: o.chunks.map((c) => (c.text.length > 0 && c.embedText.endsWith(c.text) ? ({ ...c, text: '', textFrom: c.embedText.length - c.text.length } as Chunk) : c)),
  };
}

export function unpackOutcome(o: FileOutcome): FileOutcome {
  if (o.kind !== 'chunks') return o;
  for (const c of o.chunks as (Chunk & { textFrom?: number; text: string })[]) {
    if (c.textFrom === undefined) continue;
    c.text = c.embedText.slice(c.textFrom);
    delete c.textFrom;
  }
  return o;
}

export type ToMain =
  | { readonly type: 'ready' }
  | { readonly type: 'init-failed'; readonly message: string }
  | { readonly type: 'done'; readonly id: number; readonly outcome: FileOutcome };
