/**
 * One engine per folder served over MCP, and how each stays fresh.
 *
 * Freshness: before a tool answers, the folder is re-scanned (the indexer's own discovery, so the
 * same ignore rules; a stat walk — about 10–30 ms on this repository) and the files whose size or
 * mtime moved since the last look are re-indexed with `engine.index({ paths })`. Chosen over a
 * file watcher because: an answer is then never older than the question (no debounce window, no
 * missed events on network mounts or after inotify's watch limit), an idle server does no work
 * and holds no index lock, and Node's recursive watcher on Linux walks every directory (also
 * node_modules and other ignored trees) to place its watches.
 */
import path from 'node:path';
import { discoverFiles } from '../../core/discovery';
import type { Engine, EngineConfig, IndexProgress, IndexReport, IndexStatus } from '../../core/engineTypes';
import type { ProviderId } from '../../core/types';

/** What `stat` says about every indexable file: path → "size:mtime". */
type Snapshot = Map<string, string>;

export type BuildState = 'idle' | 'building' | 'failed';

export interface FolderStatus extends IndexStatus {
  readonly folder: string;
  readonly indexDir: string;
  readonly fingerprint?: string;
  readonly complete?: boolean;
  /** An index run is in progress (the initial build or a reindex). */
  readonly building: boolean;
  /** Files changed, added or deleted since the last update (re-indexed before the next answer). */
  readonly stale: readonly string[];
  readonly lastError?: string;
}

export class McpFolder {
  private snapshot: Snapshot | undefined;
  /** Index runs and freshness checks of this folder, one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private running = 0;
  private progressListeners = new Set<(p: IndexProgress) => void>();
  lastError: string | undefined;

  constructor(
    /** The name that prefixes paths when several folders are served. */
    readonly name: string,
    readonly engine: Engine,
    readonly provider: ProviderId,
    private readonly config: EngineConfig,
    private readonly log: (message: string) => void,
  ) {}

  get root(): string {
    return this.engine.root;
  }

  get building(): boolean {
    return this.running > 0;
  }

  /** Follows the progress of whatever index run is going on (the initial build included). */
  onProgress(listener: (p: IndexProgress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** Resolves when no index run or check of this folder is queued. */
  async idle(): Promise<void> {
    let q: Promise<unknown>;
    do {
      q = this.queue;
      await q;
    } while (q !== this.queue);
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async scan(signal?: AbortSignal): Promise<Snapshot> {
    const found = await discoverFiles(this.root, {
      include: this.config.include,
      exclude: this.config.exclude,
      maxFileBytes: this.config.maxFileBytes,
      signal,
    });
    return new Map(found.files.map((f) => [f.path, `${f.size}:${f.mtimeMs}`]));
  }

  private static changed(before: Snapshot, now: Snapshot): string[] {
    const out: string[] = [];
    for (const [p, st] of now) if (before.get(p) !== st) out.push(p);
    for (const p of before.keys()) if (!now.has(p)) out.push(p);
    return out.sort();
  }

  /** A full (incremental) index run: the initial build, a `reindex` without paths, a rebuild. */
  index(options: { rebuild?: boolean; paths?: readonly string[]; signal?: AbortSignal; onProgress?: (p: IndexProgress) => void } = {}): Promise<IndexReport> {
    return this.serialize(async () => {
      this.running++;
      const forward = (p: IndexProgress) => {
        options.onProgress?.(p);
        for (const l of this.progressListeners) l(p);
      };
      try {
        // Taken before the run: an edit made while it runs is picked up by the next check.
        const before = await this.scan(options.signal);
        const report = await this.engine.index({ rebuild: options.rebuild, paths: options.paths, signal: options.signal, onProgress: forward });
        // A run that stopped early (cancel, cloud error, budget) leaves the folder to be checked in full again.
        if (report.incomplete || report.error) this.snapshot = undefined;
        else if (!options.paths) this.snapshot = before;
        else if (this.snapshot) {
          for (const p of options.paths) {
            const st = before.get(p);
            if (st === undefined) this.snapshot.delete(p);
            else this.snapshot.set(p, st);
          }
        }
        this.lastError = report.error?.message;
        return report;
      } catch (e) {
        this.lastError = (e as Error).message;
        throw e;
      } finally {
        this.running--;
      }
    });
  }

  /**
   * Brings the index up to date with the folder before an answer. Returns the paths re-indexed.
   * A failed update (a cloud error) is logged and noted, and the answer comes from the index as it is.
   */
  refresh(signal?: AbortSignal): Promise<{ updated: string[]; warning?: string }> {
    return this.serialize(async () => {
      if (!(await this.engine.status()).exists) return { updated: [] };
      const now = await this.scan(signal);
      if (!this.snapshot) {
        // First look at an index built by someone else (`index <dir>`, the extension): trust
        // the indexer's own stat check once, then follow changes from here.
        const report = await this.runQuiet(undefined, signal);
        if (!report.incomplete && !report.error) this.snapshot = now;
        return { updated: [], warning: report.error?.message };
      }
      const changed = McpFolder.changed(this.snapshot, now);
      if (!changed.length) return { updated: [] };
      this.log(`${this.name}: re-indexing ${changed.length} changed file(s) before answering`);
      const report = await this.runQuiet(changed, signal);
      // Not marked fresh unless it worked: the next answer tries again.
      if (!report.incomplete && !report.error) this.snapshot = now;
      return { updated: changed, warning: report.error?.message };
    });
  }

  private async runQuiet(paths: readonly string[] | undefined, signal?: AbortSignal): Promise<IndexReport> {
    this.running++;
    try {
      const report = await this.engine.index({ paths, signal });
      this.lastError = report.error?.message;
      return report;
    } finally {
      this.running--;
    }
  }

  /** True when the indexer would index this file (not ignored, not secret-looking, not binary/huge). */
  async indexable(rel: string): Promise<boolean> {
    return (await this.scan()).has(rel);
  }

  /** Paths that changed since the last update, without updating anything. */
  async stale(): Promise<string[]> {
    if (!this.snapshot) return [];
    return McpFolder.changed(this.snapshot, await this.scan());
  }

  async status(): Promise<FolderStatus> {
    const s = (await this.engine.status()) as IndexStatus & { fingerprint?: string; complete?: boolean };
    return { ...s, folder: this.name, indexDir: this.engine.indexDir, building: this.building, stale: s.exists ? await this.stale() : [], ...(this.lastError ? { lastError: this.lastError } : {}) };
  }
}

/** Folder names as agents see them: the base name, made unique with `-2`, `-3`, … */
export function folderNames(roots: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return roots.map((r) => {
    const base = path.basename(path.resolve(r)) || 'root';
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}
