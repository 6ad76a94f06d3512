/**
 * The engine: the one façade over discovery, chunking, embedders, the index store and search.
 * The CLI and the extension create one per indexed folder with `openEngine`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEmbedder, costOf } from './embedderFactory';
import type { AnalysisInput, Engine, EngineConfig, IndexReport, IndexRunOptions, IndexStatus, SearchDegraded, SearchOptions, SearchResult, TeamPublishSource } from './engineTypes';
import { IndexCorruptError, clearIndex, openIndex, openIndexInSlices, readIndexInfo, runIndex, type OpenedIndex, type SliceStats } from './index';
import { DIMENSIONS_FILE, diffCounts, readDimensions, remoteStats } from './engineSupport';
import { acquireIndexLock, type IndexLock } from './index/lock';
import { indexWithTeam, searchTeam } from './team/engineTeam';
import { DEFAULT_QUERY_BUDGET_MS, degradedBy, withDegraded } from './queryFallback';
import { fileTextReader, rankSearch, type VectorIndex } from './search';
import type { ChunkInfo, Embedder, QueryTask } from './types';
import { nullLogger } from './types';

/** Per-folder index directory under the user's cache dir — never inside the folder itself. */
export function defaultIndexDir(root: string): string {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const abs = path.resolve(root);
  const id = crypto.createHash('sha256').update(abs).digest('hex').slice(0, 16);
  const name = path.basename(abs).replace(/[^\w.-]+/g, '_').slice(0, 40) || 'root';
  return path.join(cacheHome, 'semantic-workspace', 'indexes', `${name}-${id}`);
}

/** Thrown by search when the folder has no index for the configured provider. */
export class NoIndexError extends Error {
  constructor(
    readonly reason: 'missing' | 'corrupt',
    detail?: string,
  ) {
    super(reason === 'missing' ? 'There is no index for this folder and provider yet.' : `The index is damaged (${detail}); index again to rebuild it.`);
    this.name = 'NoIndexError';
  }
}

const QUERY_CACHE_SIZE = 128;

/** An OpenAI-compatible embedder whose vector length may still be unknown. */
type AutoDimensions = Embedder & {
  resolveDimensions?: (s?: AbortSignal) => Promise<number>;
  adoptDimensions?: (n: number) => void;
  readonly autoFingerprint?: string;
};

interface Loaded {
  readonly index: OpenedIndex;
  vectorIndex?: VectorIndex;
  /** The background read of every vector row has been started. */
  preloading?: boolean;
}

class WorkspaceEngine implements Engine {
  private loaded: Loaded | undefined;
  private readonly queryCache = new Map<string, Float32Array>();
  private readonly log;
  /** The vector length was not configured: the server tells it, and the index dir remembers it. */
  private readonly learnsDimensions: boolean;

  constructor(
    readonly root: string,
    readonly indexDir: string,
    private readonly embedder: Embedder,
    private readonly config: EngineConfig,
  ) {
    this.log = config.logger ?? nullLogger;
    this.learnsDimensions = embedder.dimensions === 0;
  }

  async index(options: IndexRunOptions = {}): Promise<IndexReport> {
    // One writer per index, taken before the first request (the dimension probe included). A dry
    // run writes nothing, sends nothing (it runs before consent) and takes no lock.
    const lock = options.dryRun ? undefined : await this.lock('index', options);
    try {
      this.adoptKnownDimensions();
      if (!options.dryRun) await this.ensureDimensions(options.signal);
      const report = await this.indexLocked(options);
      if (!options.dryRun) this.rememberDimensions();
      return report;
    } finally {
      lock?.release();
    }
  }

  private lock(purpose: string, options: IndexRunOptions): Promise<IndexLock> {
    return acquireIndexLock(this.indexDir, {
      purpose,
      signal: options.signal,
      onWait: options.onWaitForLock ?? ((h) => this.log.info(`Another process (pid ${h.pid}) is writing this index; waiting for it to finish…`)),
    });
  }

  private async indexLocked(options: IndexRunOptions): Promise<IndexReport> {
    const before = remoteStats(this.embedder);
    const run = (opts: IndexRunOptions, vectorSource?: (hashes: readonly string[]) => Promise<ReadonlyMap<string, Float32Array>>) => runIndex(
      {
        root: this.root,
        indexDir: this.indexDir,
        embedder: this.embedder,
        include: this.config.include,
        exclude: this.config.exclude,
        maxFileBytes: this.config.maxFileBytes,
        maxChunkTokens: this.config.maxChunkTokens,
        tokenBudget: this.config.tokenBudget,
        logger: this.log,
        vectorSource,
      },
      opts,
    ).then((report) => {
      if (!opts.dryRun) this.loaded = undefined;
      return report;
    });
    const { report, team: teamReport } = await indexWithTeam(this.config.team, this.embedder, options, run, () => this.publishSource());
    const after = remoteStats(this.embedder);
    const out: IndexReport = {
      ...report,
      ...(options.dryRun ? { estimatedCostUSD: costOf(this.embedder, this.config, report.tokensToEmbed) } : {}),
      ...(after && before ? { requests: after.requests - before.requests, retries: diffCounts(after.retries, before.retries) } : {}),
      ...(teamReport ? { team: teamReport } : {}),
    };
    return out;
  }

  /** This clone's index for the remote search's overlay; none (searched from the snapshot alone) when missing or damaged. */
  private localOrNone(): OpenedIndex | undefined {
    try {
      return this.load().index;
    } catch (e) {
      if (e instanceof NoIndexError || e instanceof IndexCorruptError) return undefined;
      throw e;
    }
  }

  /** The committed index as the team index publishes it. */
  private publishSource(): TeamPublishSource {
    const { index } = this.load();
    return {
      chunks: index.chunks, vectors: index.vectors, dims: index.dims, files: index.files, keywordBytes: index.keywordBytes,
      readText: (c) => this.readText(c),
    };
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    // No probe: a length never learned means there is no index for this server yet (NoIndexError).
    this.adoptKnownDimensions();
    if (options.remote) {
      // The team index's search is an explicit act (--remote): it may ask an unknown vector length.
      await this.ensureDimensions(options.signal);
      return searchTeam(this.config.team, this.embedder, query, options, (task) => this.queryVector(query, task, options.signal), () => this.localOrNone());
    }
    try {
      return await this.searchLoaded(this.load(), query, options);
    } catch (e) {
      if (!(e instanceof IndexCorruptError)) throw e;
      // A row read on demand failed its check: damage, or our generation was replaced (and its
      // files collected) by another process's commit. Reopen; the same generation again is damage.
      const failed = this.loaded?.index.generation;
      this.loaded = undefined;
      const again = this.load();
      if (again.index.generation === failed) {
        this.loaded = undefined;
        throw new NoIndexError('corrupt', e.message);
      }
      try {
        return await this.searchLoaded(again, query, options);
      } catch (e2) {
        if (!(e2 instanceof IndexCorruptError)) throw e2;
        this.loaded = undefined;
        throw new NoIndexError('corrupt', e2.message);
      }
    }
  }

  private async searchLoaded(loaded: Loaded, query: string, options: SearchOptions): Promise<SearchResult> {
    const offline = this.embedder.provider === 'offline';
    const wantsVector = (options.mode ?? 'hybrid') !== 'keyword' && loaded.index.chunks.length > 0;
    let queryVector: Float32Array | undefined;
    let degraded: SearchDegraded | undefined;
    if (wantsVector) {
      const task: QueryTask = options.task ?? (options.filter?.kind === 'doc' ? 'doc-search' : 'code-search');
      try {
        queryVector = await this.queryVector(query, task, options.signal, this.config.remote?.queryBudgetMs ?? DEFAULT_QUERY_BUDGET_MS);
      } catch (e) {
        // Past the budget (or refused): answer from keywords at once and say so; the next search tries again.
        degraded = degradedBy(e);
        if (!degraded) throw e;
        this.log.debug?.(degraded.reason); // callers show it (the CLI: one stderr line)
      }
      // From the stored prefix when the index has one (rows read on demand), else from the rows.
      if (queryVector) {
        loaded.vectorIndex ??= loaded.index.vectorIndex();
        this.preloadRows(loaded);
      }
    }
    const hits = rankSearch({
      keyword: loaded.index.keywordIndex(),
      vector: loaded.vectorIndex,
      chunks: loaded.index.chunks,
      query,
      queryVector,
      mode: degraded ? 'keyword' : options.mode ?? 'hybrid',
      topK: options.topK ?? 10,
      filter: options.filter,
      offline,
      hybridWeight: options.hybridWeight,
      textOf: fileTextReader(this.root),
    });
    return withDegraded(hits, degraded);
  }

  async readText(chunk: ChunkInfo): Promise<string | undefined> {
    const abs = path.join(this.root, ...chunk.path.split('/'));
    try {
      const text = await fs.promises.readFile(abs, 'utf8');
      const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
      if (chunk.endLine > lines.length) return undefined;
      // A piece of one long line: its columns only (a hit in a minified line is ~3 KB, not the whole line).
      if (chunk.startColumn !== undefined && chunk.endColumn !== undefined) return lines[chunk.startLine - 1].slice(chunk.startColumn - 1, chunk.endColumn);
      return lines.slice(chunk.startLine - 1, chunk.endLine).join('\n');
    } catch {
      return undefined;
    }
  }

  async status(): Promise<IndexStatus & { corrupt?: string; complete?: boolean }> {
    // From disk only — status runs at activation and before consent. The space is named by the
    // vector length, which an OpenAI-compatible server told the run that built the index.
    this.adoptKnownDimensions();
    const info = readIndexInfo(this.indexDir, this.embedder.fingerprint);
    return {
      exists: info.exists,
      provider: this.embedder.provider,
      label: this.embedder.label,
      chunks: info.chunks,
      files: info.files,
      hasVectors: info.exists && this.embedder.dimensions > 0,
      bytesOnDisk: info.bytesOnDisk,
      updatedAt: info.updatedAt,
      fingerprint: this.embedder.fingerprint,
      ...(info.corrupt ? { corrupt: info.corrupt } : {}),
      ...(info.complete !== undefined ? { complete: info.complete } : {}),
      ...(info.coverage ? { coverage: info.coverage } : {}),
    };
  }

  async clear(options: { readonly onlyThisProvider?: boolean } = {}): Promise<void> {
    this.loaded = undefined;
    // The space is named by the vector length: the one an earlier run learned (nothing is asked).
    if (options.onlyThisProvider) this.adoptKnownDimensions();
    const lock = await this.lock('clear', {});
    try {
      // The whole directory (the lock file with it), or just this provider's space.
      clearIndex(this.indexDir, options.onlyThisProvider ? this.embedder.fingerprint : undefined);
    } finally {
      lock.release();
    }
  }

  async loadForAnalysis(): Promise<AnalysisInput | undefined> {
    this.adoptKnownDimensions();
    let loaded: Loaded;
    let vectors: Float32Array;
    try {
      loaded = this.load();
      // Every row: with a prefix file this is the first read of the whole vector file.
      vectors = loaded.index.vectors;
    } catch (e) {
      if (e instanceof NoIndexError) return undefined;
      if (e instanceof IndexCorruptError) {
        this.loaded = undefined;
        return undefined;
      }
      throw e;
    }
    return {
      chunks: loaded.index.chunks,
      vectors,
      dims: loaded.index.dims,
      provider: this.embedder.provider,
      readText: (c) => this.readText(c),
    };
  }

  async embedTexts(texts: readonly string[], as: 'document' | QueryTask, signal?: AbortSignal): Promise<Float32Array[]> {
    this.adoptKnownDimensions();
    if (this.embedder.provider === 'offline') this.load(); // the offline basis comes from the index
    else await this.ensureDimensions(signal);
    if (as === 'document') return this.embedder.embedDocuments(texts, { signal });
    const out: Float32Array[] = [];
    for (const t of texts) out.push(await this.queryVector(t, as, signal));
    return out;
  }

  /**
   * After the first vector search of a loaded index whose rows are on disk: read every row in the
   * background, a few MiB per event-loop turn, so later searches re-score from memory instead of
   * reading their candidates' rows. Unref'd timers: a CLI process exits without waiting for it.
   * Damage or a replaced generation just stops it (searches still read and check their rows).
   */
  private preloadRows(loaded: Loaded): void {
    if (loaded.preloading || !loaded.vectorIndex?.rowsOnDisk) return;
    const loader = loaded.index.vectorLoader();
    if (!loader) return;
    loaded.preloading = true;
    const tick = (): void => {
      if (this.loaded !== loaded) return;
      try {
        if (!loader.step()) setTimeout(tick, 0).unref();
      } catch {
        // Left to the searches' own row checks.
      }
    };
    setTimeout(tick, 0).unref();
  }

  /** Opens the index in slices (the event loop free between them), warmed for the first search: a host's next engine, before it is swapped in. */
  async preload(budgetMs: number, stats?: SliceStats): Promise<void> {
    if (this.loaded) return;
    this.adoptKnownDimensions();
    const opened = await openIndexInSlices({ indexDir: this.indexDir, embedder: this.embedder }, budgetMs, stats);
    // Missing or damaged: the first search opens it again and says so, as without a preload.
    if (opened.status === 'ok') this.loaded ??= { index: opened.index };
  }

  private load(): Loaded {
    if (this.loaded) return this.loaded;
    const opened = openIndex({ indexDir: this.indexDir, embedder: this.embedder });
    if (opened.status === 'missing') throw new NoIndexError('missing');
    if (opened.status === 'corrupt') throw new NoIndexError('corrupt', opened.reason);
    this.loaded = { index: opened.index };
    return this.loaded;
  }

  private async queryVector(query: string, task: QueryTask, signal?: AbortSignal, budgetMs?: number): Promise<Float32Array> {
    const key = `${task}\u0000${query}`;
    const hit = this.queryCache.get(key);
    if (hit) {
      this.queryCache.delete(key);
      this.queryCache.set(key, hit);
      return hit;
    }
    const v = await this.embedder.embedQuery(query, task, { signal, budgetMs });
    this.queryCache.set(key, v);
    if (this.queryCache.size > QUERY_CACHE_SIZE) this.queryCache.delete(this.queryCache.keys().next().value as string);
    return v;
  }

  /**
   * OpenAI-compatible servers may not say their vector length until asked once: only `index` and
   * ad-hoc embeddings (after consent) ask. Everything else uses `adoptKnownDimensions`.
   */
  private async ensureDimensions(signal?: AbortSignal): Promise<void> {
    const e = this.embedder as AutoDimensions;
    if (e.dimensions === 0 && typeof e.resolveDimensions === 'function') await e.resolveDimensions(signal);
  }

  /** Takes the vector length an earlier run learned for this model (from the index dir), without asking. */
  private adoptKnownDimensions(): void {
    const e = this.embedder as AutoDimensions;
    if (e.dimensions !== 0 || !e.adoptDimensions || !e.autoFingerprint) return;
    const n = readDimensions(this.indexDir)[e.autoFingerprint];
    if (typeof n === 'number') e.adoptDimensions(n);
  }

  private rememberDimensions(): void {
    const e = this.embedder as AutoDimensions;
    if (!this.learnsDimensions || !e.autoFingerprint || e.dimensions === 0) return;
    const known = readDimensions(this.indexDir);
    if (known[e.autoFingerprint] === e.dimensions) return;
    known[e.autoFingerprint] = e.dimensions;
    const file = path.join(this.indexDir, DIMENSIONS_FILE);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(known));
    fs.renameSync(`${file}.tmp`, file);
  }
}

/** `WorkspaceEngine.preload` of an engine `openEngine` made (nothing for any other). */
export function preloadEngine(engine: Engine, budgetMs: number, stats?: SliceStats): Promise<void> {
  return engine instanceof WorkspaceEngine ? engine.preload(budgetMs, stats) : Promise.resolve();
}

export async function openEngine(config: EngineConfig): Promise<Engine> {
  const root = path.resolve(config.root);
  const indexDir = config.indexDir ? path.resolve(config.indexDir) : defaultIndexDir(root);
  const embedder = createEmbedder(config);
  return new WorkspaceEngine(root, indexDir, embedder, config);
}
