/**
 * The engine a long-lived host (the extension host) opens: every index run — a build, a rebuild,
 * a watcher's update — runs in a worker process (client.ts), so the host's event loop never parses, tokenizes,
 * fits or writes; searches, status and analysis stay in-process on the committed index.
 *
 * After each run the in-process engine is replaced by a fresh one: the generation it had loaded
 * (chunk table, keyword index, vectors, query vectors of an offline basis that a rebuild may have
 * refit) becomes garbage once the new one is in instead of living beside it. The fresh engine
 * opens the committed generation first, in slices of ~`sliceMs` with the event loop free between
 * them (index/slices.ts; reusing what the current one read: index/reuse.ts), while searches keep
 * answering from the current engine — its own embedder and basis, its in-memory generation;
 * then one assignment swaps it in, so no search ever waits on an open (it took the host's
 * loop 0.15–0.65 s at 64k chunks on the first search after every update). `index()` resolves
 * after the swap: a search issued after it sees what the run committed. Runs are serialized (one
 * worker at a time per index), as runs in one process always were.
 *
 * In-process instead (same behaviour, on the main thread): dry runs (they read and count only),
 * a team index (its port holds a database connection the worker cannot share), `worker: null`,
 * or a worker that cannot start.
 */
import { openEngine, preloadEngine } from '../engine';
import type { SliceStats } from '../index';
import type { AnalysisInput, Engine, EngineConfig, IndexReport, IndexRunOptions, IndexStatus, SearchOptions, SearchResult } from '../engineTypes';
import type { ChunkInfo, QueryTask } from '../types';
import { IndexWorkerProcess, UNAVAILABLE, locateIndexWorker, type IndexWorkerScript, type WorkerOutcome } from './client';

/** After a watcher's update the worker stays up this long: the next save does not pay its start-up. */
export const KEEP_WARM_MS = 30_000;

export interface HostEngineOptions {
  /** The worker script; default: located next to the bundle (or the source through tsx); `null`: in-process. */
  readonly worker?: IndexWorkerScript | null;
  /** Main-thread budget of one slice of opening a committed generation (ms; 0: one step per slice). */
  readonly sliceMs?: number;
  /** Called when the open of a committed generation starts (searches still answer from the previous one). */
  readonly onOpening?: () => void;
}

/** ~10 ms slices: well under the 50 ms a host's event loop may be held, few enough turns to finish quickly. */
export const SLICE_MS = 8;

/** Where index runs of a host engine went (for logs, tests and benches). */
export interface HostEngineStats {
  readonly workerRuns: number;
  readonly inProcessRuns: number;
  /** The largest peak RSS of a worker process so far (MB): memory the host's own RSS does not show. */
  readonly workerPeakRssMb: number;
  /** Worker processes started (an update right after another reuses the warm one). */
  readonly workerStarts: number;
  /** Generations opened in slices and swapped in. */
  readonly swaps: number;
  /** The last of them: slices, the longest one and the main thread's total (ms). */
  readonly lastOpen?: SliceStats & { readonly wallMs: number };
}

export type HostEngine = Engine & { readonly stats: HostEngineStats };

class WorkerBackedEngine implements HostEngine {
  private queue: Promise<unknown> = Promise.resolve();
  private worker: IndexWorkerProcess | undefined;
  private readonly counts = { workerRuns: 0, inProcessRuns: 0, workerPeakRssMb: 0, swaps: 0 };
  private lastOpen: (SliceStats & { wallMs: number }) | undefined;

  constructor(
    private inner: Engine,
    private readonly config: EngineConfig,
    script: IndexWorkerScript | undefined,
    private readonly options: HostEngineOptions,
  ) {
    this.worker = script ? new IndexWorkerProcess(script, config.logger) : undefined;
  }

  get stats(): HostEngineStats {
    return { ...this.counts, workerStarts: this.worker?.starts ?? 0, ...(this.lastOpen ? { lastOpen: { ...this.lastOpen } } : {}) };
  }

  get root(): string {
    return this.inner.root;
  }

  get indexDir(): string {
    return this.inner.indexDir;
  }

  index(options: IndexRunOptions = {}): Promise<IndexReport> {
    const run = this.queue.then(() => this.runOne(options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runOne(options: IndexRunOptions): Promise<IndexReport> {
    if (!this.worker || options.dryRun || this.config.team) return this.inProcess(options);
    let outcome: WorkerOutcome | typeof UNAVAILABLE;
    try {
      // A full build's process exits at once (its memory goes back to the OS); an update's stays warm.
      outcome = await this.worker.run(this.config, options, options.paths ? KEEP_WARM_MS : 0);
    } finally {
      // Whatever the run committed (a cancel commits too), searches read it from a fresh engine.
      await this.swapIn(await openEngine(this.config));
    }
    if (outcome !== UNAVAILABLE) {
      this.counts.workerRuns++;
      this.counts.workerPeakRssMb = Math.max(this.counts.workerPeakRssMb, outcome.peakRssMb);
      return outcome.report;
    }
    this.worker = undefined; // a worker cannot start here: stop trying
    return this.inProcess(options);
  }

  /** Opens `next`'s generation in slices while `inner` answers, then swaps it in. */
  private async swapIn(next: Engine): Promise<void> {
    const stats = { slices: 0, longestMs: 0, totalMs: 0 };
    const t0 = performance.now();
    this.options.onOpening?.();
    try {
      await preloadEngine(next, this.options.sliceMs ?? SLICE_MS, stats);
    } catch {
      // Whatever failed, the first search reports it (it opens the index itself, as without a preload).
    }
    this.lastOpen = { ...stats, wallMs: performance.now() - t0 };
    this.counts.swaps++;
    this.inner = next;
  }

  private async inProcess(options: IndexRunOptions): Promise<IndexReport> {
    this.counts.inProcessRuns++;
    const report = await this.inner.index(options);
    // The run dropped what this engine had loaded: a fresh one opens the commit in slices (dry runs commit nothing).
    if (!options.dryRun && !this.config.team) await this.swapIn(await openEngine(this.config));
    return report;
  }

  search(query: string, options?: SearchOptions): Promise<SearchResult> {
    return this.inner.search(query, options);
  }

  readText(chunk: ChunkInfo): Promise<string | undefined> {
    return this.inner.readText(chunk);
  }

  status(): Promise<IndexStatus> {
    return this.inner.status();
  }

  clear(options?: { readonly onlyThisProvider?: boolean }): Promise<void> {
    return this.inner.clear(options);
  }

  loadForAnalysis(): Promise<AnalysisInput | undefined> {
    return this.inner.loadForAnalysis();
  }

  embedTexts(texts: readonly string[], as: 'document' | QueryTask, signal?: AbortSignal): Promise<Float32Array[]> {
    return this.inner.embedTexts(texts, as, signal);
  }
}

export async function openHostEngine(config: EngineConfig, options: HostEngineOptions = {}): Promise<HostEngine> {
  const inner = await openEngine(config);
  // The worker must open the very same directory (the default one is derived from the root).
  const resolved: EngineConfig = { ...config, root: inner.root, indexDir: inner.indexDir };
  const script = options.worker === null ? undefined : options.worker ?? locateIndexWorker();
  return new WorkerBackedEngine(inner, resolved, script, options);
}
