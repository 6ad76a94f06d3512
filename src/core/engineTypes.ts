/**
 * The engine's public contract: the one door through which the CLI and the extension reach the
 * core. Implemented in engine.ts.
 */
import type { FailureClass } from './embedding/failures';
import type { OpenedIndex } from './index/open';
import type { ChunkInfo, Embedder, Logger, RetryWait, ProviderId, QueryTask, SearchFilter, SearchHit, SearchMode, SkippedFile } from './types';

export type DashScopeRegion = 'singapore' | 'beijing' | 'us' | 'hongkong';

/** Settings of the remote providers; the key is passed separately and never stored. */
export interface RemoteSettings {
  readonly region?: DashScopeRegion;
  /** Overrides the region: a bare origin, an `/api/v1` URL or a `/compatible-mode/v1` URL. */
  readonly baseUrl?: string;
  readonly model?: string;
  readonly dimensions?: number;
  readonly transport?: 'native' | 'compatible';
  /** DashScope `output_type: "dense&sparse"` (native only). */
  readonly sparse?: boolean;
  readonly concurrency?: number;
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
  readonly timeoutMs?: number;
  /** OpenAI-compatible: texts per request. */
  readonly batchSize?: number;
  /** OpenAI-compatible: query instruction template, `{task}` and `{query}` placeholders. */
  readonly queryTemplate?: string;
  /**
   * The whole time a search's query embedding may take, one retry included (default 5,000 ms);
   * past it the search answers from the keyword index (`SearchResult.degraded`). Indexing keeps
   * its patient retries.
   */
  readonly queryBudgetMs?: number;
}

export interface EngineConfig {
  /** The folder to index (absolute). */
  readonly root: string;
  /** Where the index lives; default: a per-folder directory under the user's cache dir. */
  readonly indexDir?: string;
  readonly provider: ProviderId;
  readonly remote?: RemoteSettings;
  /** API key for dashscope/openai; from SecretStorage or the environment, never from settings. */
  readonly apiKey?: string;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly maxFileBytes?: number;
  /** Token budget per chunk (default ~1000, never above 8192). */
  readonly maxChunkTokens?: number;
  /** Stop a run before its embedded tokens would exceed this. */
  readonly tokenBudget?: number;
  readonly logger?: Logger;
  /** A team index (core/team): vectors taken before embedding, the complete index published after. */
  readonly team?: TeamIndexPort;
}

/** What a committed local index hands to a team index (rows of `vectors` ↔ `chunks`). */
export interface TeamPublishSource {
  readonly chunks: readonly ChunkInfo[];
  readonly vectors: Float32Array;
  readonly dims: number;
  readonly files: readonly { readonly path: string; readonly hash: string }[];
  readonly keywordBytes: Uint8Array;
  readonly readText: (chunk: ChunkInfo) => Promise<string | undefined>;
}

/** How an index run went with the team index. */
export interface TeamIndexReport {
  /** Host:port of the team index (what the user consented to send to). */
  readonly host: string;
  /** Chunk vectors taken from the team index instead of being embedded here. */
  readonly shared: number;
  /** Chunk texts whose vector this run published, and the snapshot (undefined when not published). */
  readonly published?: { readonly contentRows: number; readonly chunkRows: number; readonly snapshotId: number; readonly existed: boolean; readonly seconds: number };
  /** Why nothing was published (the local index is complete and usable either way). */
  readonly error?: { readonly kind: string; readonly message: string };
}

/** The engine's two seams into a team index, and remote search. Implemented in core/team. */
export interface TeamIndexPort {
  /** Every vector the team has for these chunk hashes; never throws (a failure is reported by `finish`). */
  begin(embedder: Embedder, signal?: AbortSignal): {
    vectorSource(hashes: readonly string[]): Promise<ReadonlyMap<string, Float32Array>>;
    /** `source` is undefined when the run was incomplete: only a complete run publishes. */
    finish(source: (() => TeamPublishSource) | undefined, onPublish?: (p: PublishProgress) => void): Promise<TeamIndexReport>;
  };
  /**
   * The query inside PostgreSQL against the repository's snapshot (no local index needed). With
   * `local` (this clone's index), files whose content differs from the snapshot — uncommitted
   * edits, new and deleted files — are answered from it instead: the local overlay wins.
   */
  search(embedder: Embedder, query: string, options: SearchOptions, embedQuery: (task: QueryTask) => Promise<Float32Array>, local?: OpenedIndex): Promise<SearchHit[]>;
  close(): Promise<void>;
}

export type IndexPhase = 'discover' | 'chunk' | 'embed' | 'write' | 'done';

/** Progress of an index run; every count only moves forward. */
export interface IndexProgress {
  readonly phase: IndexPhase;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly chunksDone: number;
  readonly chunksTotal: number;
  readonly tokensDone: number;
  readonly tokensTotal: number;
  readonly currentFile?: string;
  /** While a failed request waits for its next attempt (embed phase). */
  readonly retry?: RetryWait;
  /** While requests wait for the rate limit. */
  readonly waiting?: 'rate-limit';
  /** After the local index is complete: the snapshot going to the team index (rows sent of all it sends). */
  readonly publishing?: PublishProgress;
}

/** A publish to the team index: new vectors, then the snapshot's chunk rows (one transaction). */
export interface PublishProgress {
  readonly host: string;
  readonly rowsDone: number;
  readonly rowsTotal: number;
}

export interface IndexReport {
  readonly filesIndexed: number;
  readonly filesSkipped: Readonly<Record<string, number>>;
  readonly skippedFiles: readonly SkippedFile[];
  readonly chunks: number;
  /** Tokens of all indexed chunks (estimated offline; as reported by the server when embedded remotely). */
  readonly tokens: number;
  /** Chunks sent to the embedder in this run (0 on an unchanged re-index). */
  readonly embeddedChunks: number;
  /** Chunks whose vector came from the cache (unchanged or identical content). */
  readonly reusedChunks: number;
  readonly seconds: number;
  readonly bytesOnDisk: number;
  /** Remote only: HTTP requests sent, retries by cause. */
  readonly requests?: number;
  readonly retries?: Readonly<Record<string, number>>;
  /** Dry run only. */
  readonly estimatedCostUSD?: number;
  /** True when the run stopped early (cancelled, budget, error) — what was embedded is kept. */
  readonly incomplete?: boolean;
  readonly warnings: readonly string[];
  /** The embedder error that stopped the run (actionable; what was embedded before it is kept). */
  readonly error?: { readonly kind: string; readonly message: string; readonly failure?: MissingReason };
  /** With a team index: what was shared and published. */
  readonly team?: TeamIndexReport;
  /** Coverage of the index after the run (not on dry runs). */
  readonly coverage?: CoverageSummary;
}

/**
 * Why a discovered file is not (or not with its current content) in the index: a failure class
 * of the embedder (src/core/embedding/failures.ts), a cancel, the token budget, or another error.
 */
export type MissingReason = 'auth' | 'quota' | 'network' | 'throttled' | 'server' | 'badInput' | 'cancelled' | 'budget' | 'error';

/** Coverage of an index: part of its state, persisted with it (src/core/index/coverage.ts). */
export interface CoverageSummary {
  /** True only when every discovered file is indexed with its current content (skipped ones aside). */
  readonly complete: boolean;
  /** Files to index (discovered, not skipped) and those indexed with their current content. */
  readonly files: { readonly indexed: number; readonly discovered: number };
  readonly chunks: { readonly indexed: number; readonly discovered: number };
  /** Missing files per reason, most first (up to 50 paths each). */
  readonly missing: readonly { readonly reason: MissingReason; readonly count: number; readonly chunks: number; readonly files: readonly string[] }[];
  /** Files skipped by policy or because they cannot be read, per reason (up to 50 paths each). */
  readonly skipped: readonly { readonly reason: string; readonly count: number; readonly files: readonly string[] }[];
  /** What stopped the last run short (the actionable message). */
  readonly stoppedBy?: { readonly reason: MissingReason; readonly message: string };
  /** When a run last left the index complete. */
  readonly lastCompleteAt?: string;
  readonly updatedAt: string;
  /** False for an index written before coverage existed (only the complete flag is known). */
  readonly detail: boolean;
}

export interface IndexRunOptions {
  readonly signal?: AbortSignal;
  /**
   * Another process is writing this index: called once with its pid before this run waits for it
   * (no timeout; the run then continues incrementally on what that one committed).
   */
  readonly onWaitForLock?: (holder: { readonly pid: number; readonly since: string; readonly purpose?: string }) => void;
  readonly onProgress?: (p: IndexProgress) => void;
  readonly dryRun?: boolean;
  /** Throw away the current generation and build from scratch (refits the offline basis). */
  readonly rebuild?: boolean;
  /** Restrict the run to these POSIX relative paths (live updates); deleted ones are removed. */
  readonly paths?: readonly string[];
}

export interface SearchOptions {
  readonly topK?: number;
  readonly mode?: SearchMode;
  readonly filter?: SearchFilter;
  readonly task?: QueryTask;
  /** Weight of the dense list against the keyword list in hybrid fusion, as a ratio (default 1; offline 3/7, score fusion). */
  readonly hybridWeight?: number;
  readonly signal?: AbortSignal;
  /** Search the team index's snapshot in PostgreSQL instead of the local index. */
  readonly remote?: boolean;
}

/** Failure classes: core/embedding/failures.ts (classifyFailure). */
export type DegradedFailure = FailureClass;

/** Why a search answered from keywords only: the query could not be embedded within its budget. */
export interface SearchDegraded {
  readonly to: 'keyword';
  /** A sentence for people (names the endpoint's failure; never the key). */
  readonly reason: string;
  readonly failure?: DegradedFailure;
}

/**
 * Hits best first — an array, so existing callers keep working — that says when it is a keyword
 * fallback. Spreading or mapping it drops `degraded`: read it from the result itself.
 */
export type SearchResult = SearchHit[] & { readonly degraded?: SearchDegraded };

export interface IndexStatus {
  readonly exists: boolean;
  readonly provider: ProviderId;
  readonly label: string;
  readonly chunks: number;
  readonly files: number;
  readonly hasVectors: boolean;
  readonly bytesOnDisk: number;
  readonly updatedAt?: string;
  /** What is covered and what is missing, and why. */
  readonly coverage?: CoverageSummary;
  /** Names the vector space (provider, model, dimensions, …): indexes of different fingerprints never mix. */
  readonly fingerprint?: string;
}

export interface Engine {
  readonly root: string;
  readonly indexDir: string;
  index(options?: IndexRunOptions): Promise<IndexReport>;
  /** Never waits long on a dead endpoint: past the query budget it answers from keywords (`degraded`). */
  search(query: string, options?: SearchOptions): Promise<SearchResult>;
  /** The chunk's current text read from its file (undefined if the file changed or vanished). */
  readText(chunk: ChunkInfo): Promise<string | undefined>;
  /** From disk only: never sends anything to any endpoint. */
  status(): Promise<IndexStatus>;
  /** Deletes the index: every provider's (default), or with `onlyThisProvider` just this engine's. */
  clear(options?: { readonly onlyThisProvider?: boolean }): Promise<void>;
  /** Vectors and chunks of the loaded index, for analysis (undefined when there is no index). */
  loadForAnalysis(): Promise<AnalysisInput | undefined>;
  /** Embeds ad-hoc texts the way this index's provider does (labels, selections). */
  embedTexts(texts: readonly string[], as: 'document' | QueryTask, signal?: AbortSignal): Promise<Float32Array[]>;
}

export interface AnalysisInput {
  readonly chunks: readonly ChunkInfo[];
  /** Row i belongs to chunks[i]; `dims` floats per row. */
  readonly vectors: Float32Array;
  readonly dims: number;
  readonly provider: ProviderId;
  /** Reads a chunk's text (for topic names and keyword fallbacks). */
  readText(chunk: ChunkInfo): Promise<string | undefined>;
}
