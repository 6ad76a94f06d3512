/**
 * How an engine uses the team index in VS Code, as two wrappers around the core's own seams:
 *  - `ConsentedTeam`, the engine's TeamIndexPort: nothing reaches the database unless this
 *    workspace consented to its host (naming it in settings is not consent here), and a live
 *    update (a save) takes shared vectors but publishes no snapshot — the user's uncommitted
 *    edits are the remote search's local overlay, not the team's history;
 *  - `withTeam`, the engine: reports every run's team outcome, and with remote search on runs the
 *    query in PostgreSQL within a budget, falling back to the local index when the database fails
 *    or is slow (losing the database never stops local search); with no local index the database
 *    answers alone, and its failure is an error that says to build the local index.
 */
import type { Engine, IndexRunOptions, SearchOptions, SearchResult, TeamIndexPort, TeamIndexReport } from '../core/engineTypes';
import { isCancellation } from '../core/embedding';
import { DEFAULT_QUERY_BUDGET_MS } from '../core/queryFallback';
import type { TeamIndex } from '../core/team';
import { TeamIndexError } from '../core/team';
import type { Embedder } from '../core/types';

/** Connecting may come first: the query's own budget plus a few seconds for the connection. */
export const REMOTE_SEARCH_BUDGET_MS = DEFAULT_QUERY_BUDGET_MS + 5_000;

export class ConsentedTeam implements TeamIndexPort {
  /** False during a live update (paths only): take shared vectors, publish nothing. */
  publishes = true;
  /** After a failure, live updates leave the database alone until then (a save never waits on a dead host). */
  quietUntil = 0;
  /** Called when a complete run starts publishing its snapshot (the status bar says so). */
  onPublishing: (() => void) | undefined;

  constructor(
    readonly inner: TeamIndex,
    private readonly allowed: () => boolean,
    private readonly refusal: () => string,
  ) {}

  begin(embedder: Embedder, signal?: AbortSignal): ReturnType<TeamIndexPort['begin']> {
    const host = this.inner.host;
    if (!this.allowed()) {
      const message = this.refusal();
      return {
        vectorSource: async () => new Map(),
        finish: async (): Promise<TeamIndexReport> => ({ host, shared: 0, error: { kind: 'consent', message } }),
      };
    }
    if (!this.publishes && Date.now() < this.quietUntil) {
      return { vectorSource: async () => new Map(), finish: async (): Promise<TeamIndexReport> => ({ host, shared: 0 }) };
    }
    const run = this.inner.begin(embedder, signal);
    if (this.publishes) {
      return {
        vectorSource: (hashes) => run.vectorSource(hashes),
        finish: (source, onPublish) => {
          if (source) this.onPublishing?.();
          return run.finish(source, onPublish);
        },
      };
    }
    return {
      vectorSource: (hashes) => run.vectorSource(hashes),
      // An empty source is "incomplete" to the core: report what was shared without publishing.
      finish: async () => {
        const r = await run.finish(undefined);
        return r.error?.kind === 'incomplete' ? { host: r.host, shared: r.shared } : r;
      },
    };
  }

  search(...args: Parameters<TeamIndexPort['search']>): ReturnType<TeamIndexPort['search']> {
    if (!this.allowed()) return Promise.reject(new TeamIndexError('config', this.refusal()));
    return this.inner.search(...args);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface TeamHooks {
  /** After every run with a team index (`embedded`: chunks this run embedded locally). */
  indexed(report: TeamIndexReport, embedded: number, live: boolean): void;
  /** Remote search is on for this folder (setting, consent, trust). */
  remoteOn(): boolean;
  /** False for a while after a failure: searches go local first (when there is a local index). */
  retryDue(): boolean;
  /** The error a search shows when the database failed and there is no local index to answer. */
  noFallback(error: unknown): Error;
  remoteFailed(error: unknown, hasLocal: boolean): void;
  remoteWorked(): void;
}

function withBudget<T>(p: Promise<T>, ms: number, host: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TeamIndexError('unreachable', `The team index at ${host} did not answer the search within ${Math.round(ms / 1000)} s.`)), ms);
  });
  // The late answer (or its error) is dropped, never an unhandled rejection.
  p.catch(() => undefined);
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** The engine with the team index's reports and remote search (falling back to local). */
export function withTeam(engine: Engine, team: ConsentedTeam, hooks: TeamHooks): Engine {
  // Runs of one engine are serialized here (the index lock serializes them anyway), so whether
  // the current run publishes is never mixed up between a live update and a full run.
  let queue: Promise<unknown> = Promise.resolve();
  const run = async (options: IndexRunOptions) => {
    const live = !!options.paths;
    team.publishes = !live;
    try {
      const report = await engine.index(options);
      if (report.team) hooks.indexed(report.team, report.embeddedChunks, live);
      return report;
    } finally {
      team.publishes = true;
    }
  };
  return {
    root: engine.root,
    indexDir: engine.indexDir,
    index(options: IndexRunOptions = {}) {
      // A dry run sends nothing and takes no lock (the consent dialog's estimate): never queued.
      if (options.dryRun) return engine.index(options);
      const next = queue.then(() => run(options));
      queue = next.catch(() => undefined);
      return next;
    },
    async search(query: string, options: SearchOptions = {}): Promise<SearchResult> {
      if (options.remote === undefined && hooks.remoteOn()) {
        // Without a local index the database is the only answer: tried even within the retry wait.
        const local = hooks.retryDue() ? undefined : (await engine.status()).exists;
        if (local !== true) {
          try {
            const hits = await withBudget(engine.search(query, { ...options, remote: true }), REMOTE_SEARCH_BUDGET_MS, team.inner.host);
            hooks.remoteWorked();
            return hits;
          } catch (e) {
            if (isCancellation(e) || options.signal?.aborted) throw e;
            const hasLocal = local ?? (await engine.status()).exists;
            hooks.remoteFailed(e, hasLocal);
            if (!hasLocal) throw hooks.noFallback(e);
          }
        }
      }
      return engine.search(query, options);
    },
    readText: (chunk) => engine.readText(chunk),
    status: () => engine.status(),
    clear: (options) => engine.clear(options),
    loadForAnalysis: () => engine.loadForAnalysis(),
    embedTexts: (texts, as, signal) => engine.embedTexts(texts, as, signal),
  };
}
