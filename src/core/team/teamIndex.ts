/**
 * The team index as the engine sees it (TeamIndexPort): one lazily opened connection per process,
 * a vector source before embedding, a publisher after a complete commit, and remote search.
 * Naming a team index is the consent to publish there; nothing is sent before it is named.
 */
import type { OpenedIndex } from '../index/open';
import type { SearchOptions, TeamIndexPort, TeamIndexReport, TeamPublishSource } from '../engineTypes';
import type { Embedder, Logger, QueryTask, SearchHit } from '../types';
import { nullLogger } from '../types';
import { TeamIndexError, hostOf } from './errors';
import { repoIdentity, type RepoIdentity } from './identity';
import { publishSnapshot } from './publish';
import { remoteSearch } from './remoteSearch';
import { findSnapshot, type SnapshotRow } from './snapshots';
import { spaceFacts, TeamStore, type TeamSpace } from './store';

export interface TeamIndexOptions {
  /** postgres:// URL (the password may come from PGPASSWORD instead). */
  readonly url: string;
  /** The folder whose repository identity names the snapshots. */
  readonly root: string;
  /** Overrides the `origin` remote as the repository's name. */
  readonly repoId?: string;
  /** Also store chunk texts (off by default: vectors, hashes and locations are enough to share). */
  readonly storeText?: boolean;
  readonly logger?: Logger;
}

export class TeamIndex implements TeamIndexPort {
  private store: Promise<TeamStore> | undefined;
  readonly host: string;
  private readonly log: Logger;

  constructor(private readonly options: TeamIndexOptions) {
    this.host = hostOf(options.url);
    this.log = options.logger ?? nullLogger;
  }

  /** The one connection of this process (opened on first use; a failed open is retried next time). */
  connection(): Promise<TeamStore> {
    if (!this.store) {
      this.store = TeamStore.open(this.options.url);
      this.store.catch(() => (this.store = undefined));
    }
    return this.store;
  }

  private repoCache: { at: number; value: RepoIdentity } | undefined;

  /** The folder's identity (git asked at most every few seconds: a branch switch is seen soon). */
  repository(): RepoIdentity {
    if (this.repoCache && Date.now() - this.repoCache.at < 5_000) return this.repoCache.value;
    const value = repoIdentity(this.options.root, this.options.repoId);
    this.repoCache = { at: Date.now(), value };
    return value;
  }

  begin(embedder: Embedder, signal?: AbortSignal): ReturnType<TeamIndexPort['begin']> {
    let shared = 0;
    let failure: TeamIndexError | undefined;
    const fail = (e: unknown): TeamIndexError => {
      const err = e instanceof TeamIndexError ? e : new TeamIndexError('database', (e as Error).message ?? String(e));
      failure ??= err;
      return err;
    };
    return {
      vectorSource: async (hashes) => {
        try {
          const facts = spaceFacts(embedder);
          this.repository(); // a folder without an identity fails here, before anything is embedded
          const store = await this.connection();
          const space = await store.space(facts, false);
          if (!space) return new Map();
          const got = await store.vectorsFor(space, hashes);
          shared = got.size;
          if (got.size) this.log.info(`team index ${this.host}: ${got.size} of ${hashes.length} missing vectors shared.`);
          return got;
        } catch (e) {
          // Local indexing goes on without the team index; `finish` reports why.
          this.log.warn(`${fail(e).message} Indexing locally.`);
          return new Map();
        }
      },
      finish: async (source, onPublish): Promise<TeamIndexReport> => {
        const base = { host: this.host, shared };
        if (failure) return { ...base, error: { kind: failure.kind, message: failure.message } };
        if (!source) {
          return { ...base, error: { kind: 'incomplete', message: 'The run did not complete, so nothing was published to the team index (only complete runs publish). Index again to finish it.' } };
        }
        try {
          const facts = spaceFacts(embedder);
          const repo = this.repository();
          const store = await this.connection();
          const space = (await store.space(facts, true))!;
          const src: TeamPublishSource = source();
          this.log.info(`team index ${this.host}: publishing the snapshot of ${repo.id} (${src.chunks.length} chunks)…`);
          const published = await publishSnapshot(store, space, repo, { ...src, readText: this.options.storeText ? src.readText : undefined }, {
            signal, onProgress: onPublish && ((rowsDone, rowsTotal) => onPublish({ host: this.host, rowsDone, rowsTotal })),
          });
          // Planner statistics for the remote searches (servers without autovacuum, e.g. PGlite).
          if (!published.existed) await store.q(`ANALYZE sw_snapshot_chunks`).catch(() => undefined);
          return { ...base, published };
        } catch (e) {
          const err = fail(e);
          const msg = err.kind === 'lost' ? `${err.message} Nothing of this snapshot is visible in the team index; the local index is complete. Run index again to publish.` : err.message;
          return { ...base, error: { kind: err.kind, message: msg } };
        }
      },
    };
  }

  async search(embedder: Embedder, query: string, options: SearchOptions, embedQuery: (task: QueryTask) => Promise<Float32Array>, local?: OpenedIndex): Promise<SearchHit[]> {
    const { store, space, snap } = await this.target(embedder);
    const mode = options.mode ?? 'hybrid';
    const task: QueryTask = options.task ?? (options.filter?.kind === 'doc' ? 'doc-search' : 'code-search');
    const queryVector = mode === 'keyword' ? undefined : await embedQuery(task);
    return remoteSearch(store, space, snap, query, queryVector, { mode, topK: options.topK, filter: options.filter, hybridWeight: options.hybridWeight }, local);
  }

  private targetCache: { key: string; at: number; value: { store: TeamStore; space: TeamSpace; snap: SnapshotRow } } | undefined;

  /** The space and snapshot searches use; looked up again after a minute (a teammate may publish). */
  private async target(embedder: Embedder): Promise<{ store: TeamStore; space: TeamSpace; snap: SnapshotRow }> {
    const facts = spaceFacts(embedder);
    const repo = this.repository();
    const key = `${facts.key}\0${repo.id}\0${repo.commit ?? ''}`;
    const store = await this.connection();
    const c = this.targetCache;
    if (c && c.key === key && c.value.store === store && Date.now() - c.at < 60_000) return c.value;
    const space = await store.space(facts, false);
    const snap = await findSnapshot(store, space, facts, repo);
    this.targetCache = { key, at: Date.now(), value: { store, space: space!, snap } };
    return this.targetCache.value;
  }

  async close(): Promise<void> {
    const s = this.store;
    this.store = undefined;
    if (s) await (await s.catch(() => undefined))?.close();
  }
}
