/**
 * How many chunk workers a run gets, and where the worker script is.
 *
 * Size: `configureChunkPool({ size })` (hosts, tests) > `SEMANTIC_WORKSPACE_WORKERS` (0 disables)
 * > one per core, capped at 4. While the pool chunks, the main thread only hands out tasks and
 * receives chunks, so a worker per core (not cores - 1) is what keeps every core busy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkerTestHooks } from './protocol';

export const MAX_WORKERS = 4;
/** Below this many bytes to read, starting workers (~50-400 ms) costs more than it saves. */
export const DEFAULT_MIN_POOL_BYTES = 256 * 1024;

export interface WorkerScript {
  /** A file path, or (with `eval`) the source of a bootstrap. */
  readonly file: string;
  readonly eval?: boolean;
}

export interface ChunkPoolConfig {
  readonly size?: number;
  readonly minBytes?: number;
  readonly script?: WorkerScript | null;
  readonly testHooks?: WorkerTestHooks;
  /** Per-file limit on a worker (default 120 s); over it the file is skipped as `unreadable`. */
  readonly taskTimeoutMs?: number;
  /** Offline builds: tokenize in the workers (default: only with 3+ workers, see `tokenizeInWorkers`). */
  readonly tokenizeInWorkers?: boolean;
}

let overrides: ChunkPoolConfig = {};

/** Sets pool options for later runs; returns the previous ones (tests restore them). */
export function configureChunkPool(config: ChunkPoolConfig): ChunkPoolConfig {
  const previous = overrides;
  overrides = { ...config };
  return previous;
}

export function chunkPoolConfig(): ChunkPoolConfig {
  return overrides;
}

export function defaultPoolSize(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(MAX_WORKERS, cores));
}

/**
 * Whether offline builds tokenize in the chunk workers rather than on the main thread as files
 * arrive. Measured on 60 MB of /usr/include with 2 workers: the workers are the bottleneck of the
 * scan (~7.5 s CPU each) while the main thread is idle half of it, so tokenizing there is free and
 * moving it into the workers made the scan longer (+1.5 s CPU, +170 MB of worker heap). With 3+
 * workers the main thread becomes the bottleneck, and the workers take the tokenization.
 */
export function tokenizeInWorkers(): boolean {
  return overrides.tokenizeInWorkers ?? chunkPoolSize() >= 3;
}

/** Workers for a run; 0 = chunk in-process. */
export function chunkPoolSize(): number {
  if (overrides.size !== undefined) return Math.max(0, Math.floor(overrides.size));
  const env = process.env.SEMANTIC_WORKSPACE_WORKERS;
  if (env !== undefined && env.trim() !== '' && Number.isFinite(Number(env))) return Math.max(0, Math.min(16, Math.floor(Number(env))));
  return defaultPoolSize();
}

/**
 * Bundled (dist/cli.js, dist/extension.js): `chunkWorker.js` next to the bundle. From source
 * (tsx): this folder's worker.ts through tsx's require hook — `--import tsx` in a worker's
 * execArgv does not reach a .ts entry on Node 20, a `require('tsx/cjs')` bootstrap does.
 * Undefined when neither is there (e.g. a host that bundled without the worker): in-process.
 */
export function locateWorkerScript(): WorkerScript | undefined {
  if (overrides.script !== undefined) return overrides.script ?? undefined;
  if (typeof __dirname !== 'string') return undefined;
  const bundled = path.join(__dirname, 'chunkWorker.js');
  if (fs.existsSync(bundled)) return requireBootstrap(bundled);
  const source = path.join(__dirname, 'worker.ts');
  if (!fs.existsSync(source)) return undefined;
  let tsx: string;
  try {
    tsx = require.resolve('tsx/cjs');
  } catch {
    return undefined;
  }
  return requireBootstrap(tsx, source);
}

/**
 * A worker started from a .js path goes through Node 20's ESM loader, which pre-parses the whole
 * 0.5 MB bundle with cjs-module-lexer (~0.2 s CPU per worker); `require` from an eval bootstrap
 * loads it as plain CommonJS.
 */
export function requireBootstrap(...files: string[]): WorkerScript {
  return { file: files.map((f) => `require(${JSON.stringify(f)});`).join('\n'), eval: true };
}
