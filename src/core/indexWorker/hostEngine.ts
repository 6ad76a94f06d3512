/**
 * The engine a long-lived host (the extension host) opens: every index run — a build, a rebuild,
 * a watcher's update — runs in a worker process (client.ts), so the host's event loop never parses, tokenizes,
 * fits or writes; searches, status and analysis stay in-process on the committed index.
 *
 * After each run the in-process engine is replaced by a fresh one: the generation it had loaded
 * (chunk table, keyword index, vectors, query vectors of an offline basis that a rebuild may have
 * refit) becomes garbage at once instead of living beside the new one. Runs are serialized (one
 * worker at a time per index), as runs in one process always were.
 *
 * In-process instead (same behaviour, on the main thread): dry runs (they read and count only),
 * a team index (its port holds a database connection the worker cannot share), `worker: null`,
 * or a worker that cannot start.
 */
import { openEngine } from '../engine';
import type { AnalysisInput, Engine, EngineConfig, IndexReport, IndexRunOptions, IndexStatus, SearchOptions, SearchResult } from '../engineTypes';
import type { ChunkInfo, QueryTask } from '../types';
import { IndexWorkerProcess, UNAVAILABLE, locateIndexWorker, type IndexWorkerScript, type WorkerOutcome } from './client';

/** After a watcher's update the worker stays up this long: the next save does not pay its start-up. */
export const KEEP_WARM_MS = 30_000;

export interface HostEngineOptions {
  /** The worker script; default: located next to the bundle (or the source through tsx); `null`: in-process. */
  readonly worker?: IndexWorkerScript | null;
}

/** Where index runs of a host engine went (for logs, tests and benches). */
export interface HostEngineStats {
  readonly workerRuns: number;
  readonly inProcessRuns: number;
  /** The largest peak RSS of a worker process so far (MB): memory the host's own RSS does not show. */
  readonly workerPeakRssMb: number;
  /** Worker processes started (an update right after another reuses the warm one). */
  readonly workerStarts: number;
}

export type HostEngine = Engine & { readonly stats: HostEngineStats };

class WorkerBackedEngine implements HostEngine {
  private queue: Promise<unknown> = Promise.resolve();
  private worker: IndexWorkerProcess | undefined;
  private readonly counts = { workerRuns: 0, inProcessRuns: 0, workerPeakRssMb: 0 };

  constructor(
    private inner: Engine,
    private readonly config: EngineConfig,
    script: IndexWorkerScript | undefined,
  ) {
    this.worker = script ? new IndexWorkerProcess(script, config.logger) : undefined;
  }

  get stats(): HostEngineStats {
    return { ...this.counts, workerStarts: this.worker?.starts ?? 0 };
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
      this.inner = await openEngine(this.config);
    }
    if (outcome !== UNAVAILABLE) {
      this.counts.workerRuns++;
      this.counts.workerPeakRssMb = Math.max(this.counts.workerPeakRssMb, outcome.peakRssMb);
      return outcome.report;
    }
    this.worker = undefined; // a worker cannot start here: stop trying
    return this.inProcess(options);
  }

  private inProcess(options: IndexRunOptions): Promise<IndexReport> {
    this.counts.inProcessRuns++;
    return this.inner.index(options);
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
  return new WorkerBackedEngine(inner, resolved, script);
}
