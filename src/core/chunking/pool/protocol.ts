/** Messages between the chunk pool (main thread) and its workers. */
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

export type ToMain =
  | { readonly type: 'ready' }
  | { readonly type: 'init-failed'; readonly message: string }
  | { readonly type: 'done'; readonly id: number; readonly outcome: FileOutcome };
