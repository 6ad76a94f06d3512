/**
 * chunkFilesInOrder: runs file tasks on a ChunkPool (or in-process) and hands the outcomes to the
 * caller strictly in task order — so skip lists, progress and everything downstream are identical
 * to a sequential run. A bounded window of tasks runs ahead of the one being consumed, which both
 * keeps every worker busy and bounds the chunks held in memory.
 */
import { chunkPoolConfig, chunkPoolSize, DEFAULT_MIN_POOL_BYTES, locateWorkerScript } from './config';
import { ChunkPool, poolAbortError } from './pool';
import { processFile, type FileOutcome, type FileTask } from './task';

export interface ChunkRunOptions {
  readonly signal?: AbortSignal;
  /** Bytes the tasks will read (sum of file sizes): small runs (live updates) stay in-process. */
  readonly bytes: number;
}

export interface ChunkRunStats {
  readonly mode: 'workers' | 'in-process';
  readonly workers: number;
  /** Set when workers were planned but could not be used (then everything ran in-process). */
  readonly fallbackReason?: string;
  /** Files lost to a worker dying under them (reported as `unreadable` skips). */
  readonly crashes: number;
}

/** In-process, the main thread gives the event loop a turn at least this often (extension host). */
const YIELD_EVERY_MS = 12;

const noop = () => undefined;

export async function chunkFilesInOrder(
  tasks: readonly (FileTask | undefined)[],
  options: ChunkRunOptions,
  onEach: (index: number, outcome: FileOutcome | undefined) => void,
): Promise<ChunkRunStats> {
  const { signal } = options;
  const config = chunkPoolConfig();
  const count = tasks.reduce((n, t) => n + (t ? 1 : 0), 0);
  const size = Math.min(chunkPoolSize(), count);
  const script = size > 0 && count >= 2 && options.bytes >= (config.minBytes ?? DEFAULT_MIN_POOL_BYTES) ? locateWorkerScript() : undefined;
  if (!script) {
    await inProcess(tasks, signal, onEach);
    return { mode: 'in-process', workers: 0, crashes: 0 };
  }

  const pool = new ChunkPool({ size, script, signal, testHooks: config.testHooks, taskTimeoutMs: config.taskTimeoutMs });
  try {
    const window = size * 4;
    const results: (Promise<FileOutcome> | undefined)[] = new Array(tasks.length);
    let started = 0;
    const startUpTo = (end: number) => {
      for (; started < Math.min(end, tasks.length); started++) {
        const t = tasks[started];
        if (!t) continue;
        const p = pool.run(t);
        p.catch(noop); // consumed later, in order; an abort must not surface as "unhandled"
        results[started] = p;
      }
    };
    for (let i = 0; i < tasks.length; i++) {
      if (signal?.aborted) throw poolAbortError();
      startUpTo(i + window);
      const outcome = tasks[i] ? await results[i] : undefined;
      results[i] = undefined; // release the chunks: the caller owns them now
      if (signal?.aborted) throw poolAbortError();
      onEach(i, outcome);
    }
    return { mode: pool.fallbackReason ? 'in-process' : 'workers', workers: pool.started, fallbackReason: pool.fallbackReason, crashes: pool.crashes };
  } finally {
    await pool.close();
  }
}

async function inProcess(
  tasks: readonly (FileTask | undefined)[],
  signal: AbortSignal | undefined,
  onEach: (index: number, outcome: FileOutcome | undefined) => void,
): Promise<void> {
  let lastYield = Date.now();
  for (let i = 0; i < tasks.length; i++) {
    if (signal?.aborted) throw poolAbortError();
    const t = tasks[i];
    onEach(i, t ? await processFile(t) : undefined);
    // A file read already returns to the event loop, but the chunking that follows (and a long
    // run of unchanged files) does not: give timers, messages and UI events their turn.
    if (Date.now() - lastYield >= YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = Date.now();
    }
  }
}
