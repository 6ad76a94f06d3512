/**
 * Shared vocabulary of the core. Every module of src/core speaks these types; the CLI, the
 * extension and the tests reach the core only through them and `engine.ts`.
 * No `vscode`, no DOM here (lint-enforced).
 */

export type ChunkKind = 'code' | 'doc';

/** What the index remembers about a chunk. The text itself is read back from the file on display. */
export interface ChunkInfo {
  /** POSIX path relative to the indexed root. */
  readonly path: string;
  /** 1-based, inclusive. */
  readonly startLine: number;
  /** 1-based, inclusive. */
  readonly endLine: number;
  /**
   * Only for a piece of one over-long line (minified code, a huge single-line paragraph):
   * 1-based inclusive UTF-16 columns within line `startLine` (= `endLine`). Absent = whole lines.
   */
  readonly startColumn?: number;
  readonly endColumn?: number;
  readonly kind: ChunkKind;
  /** Language id (`typescript`, `python`, `markdown`, `text`, …). */
  readonly language: string;
  /** Symbol path, e.g. `Mailbox.__len__` or `Setup › Install`; `''` when there is none. */
  readonly symbol: string;
  /** Hex content hash of `embedText` (after secret scrubbing): the vector cache key. */
  readonly hash: string;
  /** Estimated tokens of `embedText` (CJK-aware; see chunking/tokens.ts). */
  readonly tokens: number;
}

/** A chunk as produced by the chunker, before it goes to an embedder. */
export interface Chunk extends ChunkInfo {
  /** The chunk's own source text (lines startLine..endLine). */
  readonly text: string;
  /** What is embedded: a short header (path, symbol path) plus `text`. */
  readonly embedText: string;
}

/** Why a file was not indexed. Counted per reason in every index report. */
export type SkipReason =
  | 'gitignore'        // matched a .gitignore
  | 'semanticignore'   // matched a .semanticignore
  | 'default-exclude'  // node_modules, dist, lockfiles, images, archives, …
  | 'security'         // .env*, keys, certificates, credentials: never read
  | 'excluded-by-option'
  | 'not-included'
  | 'too-large'
  | 'binary'
  | 'generated'        // by content: minified/bundled code, source map, lockfile
  | 'unreadable'
  | 'not-a-regular-file' // FIFO, socket, device, broken or looping symlink
  | 'empty';

export interface SkippedFile { readonly path: string; readonly reason: SkipReason; readonly detail?: string }

// ---------------------------------------------------------------------------------------------
// Embedders

export type ProviderId = 'offline' | 'dashscope' | 'openai';

/** The task a query embedding serves; remote embedders turn it into an English instruction. */
export type QueryTask = 'code-search' | 'doc-search' | 'classification' | 'clustering' | 'similarity';

export interface EmbedProgress {
  /** Texts embedded so far in this call (monotonic). */
  readonly done: number;
  readonly total: number;
  /** Tokens reported by the server (or estimated, offline) so far. */
  readonly tokens: number;
  /** Retries so far, by cause (`429`, `500`, `timeout`, `reset`, …). */
  readonly retries?: Readonly<Record<string, number>>;
  /** Set while a failed batch waits for its next attempt ("retrying in 8 s — attempt 3 of 10"). */
  readonly retry?: RetryWait;
  /** Set while requests wait for the rate limit (client pacing or the server's 429s). */
  readonly waiting?: 'rate-limit';
}

export interface RetryWait {
  readonly failure: 'network' | 'server' | 'throttled';
  /** The attempt that will be made next (2 = the first retry), of at most `maxAttempts` (none for 429s, bounded by time). */
  readonly attempt: number;
  readonly maxAttempts?: number;
  /** When the next attempt is sent (ms since the epoch). */
  readonly at: number;
  /** The last error, short ("server error 503", "connection refused"). */
  readonly reason: string;
}

export interface EmbedOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: EmbedProgress) => void;
  /**
   * Called once per successful batch with the positions (into `texts`) it covers. The indexer
   * stores these at once, so a run that later fails or is cancelled keeps everything paid for.
   */
  readonly onEmbedded?: (indices: readonly number[], vectors: readonly Float32Array[]) => void;
  /**
   * The caller takes every vector from `onEmbedded` and ignores the result, so the embedder need
   * not keep them all until the end (the index build journals them; 100k × 1024-d is 400 MB).
   * The result may then be empty.
   */
  readonly streamed?: boolean;
}

export interface QueryEmbedOptions {
  readonly signal?: AbortSignal;
  /**
   * Remote only: the whole time this query may take, retries included (one retry at most; a
   * Retry-After that fits is honoured). Past it the call fails fast, so a search can answer from
   * keywords instead of hanging on a dead endpoint. Unset: the patient retries of indexing.
   */
  readonly budgetMs?: number;
}

export interface Embedder {
  readonly provider: ProviderId;
  /** Vector length of every returned vector. */
  readonly dimensions: number;
  /**
   * Identifies the vector space: provider, model, dimensions, text types / instruction version and
   * anything else that changes vectors. Two indexes with different fingerprints never mix.
   */
  readonly fingerprint: string;
  /** Human label, e.g. `DashScope text-embedding-v4 (1024-d, Singapore)` or `offline (keyword + LSA)`. */
  readonly label: string;
  /** Documents (chunks, labels as documents). Result i belongs to texts[i]; every vector is finite and of `dimensions` length. */
  embedDocuments(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array[]>;
  /** A query, embedded asymmetrically where the provider supports it (text_type=query + instruction). */
  embedQuery(text: string, task: QueryTask, options?: QueryEmbedOptions): Promise<Float32Array>;
}

// ---------------------------------------------------------------------------------------------
// Search

export type SearchMode = 'hybrid' | 'dense' | 'keyword';

export interface SearchFilter {
  readonly kind?: ChunkKind;
  /** Glob over the POSIX relative path (gitignore-style syntax, via the `ignore` package). */
  readonly pathGlob?: string;
  readonly language?: string;
}

/** Why a result matched: shown to people next to every result. */
export interface MatchReason {
  /** Query terms found in the chunk (keyword side). */
  readonly terms: readonly string[];
  readonly keywordScore?: number;
  readonly keywordRank?: number;
  /** Cosine similarity with the query vector (dense side). */
  readonly vectorScore?: number;
  readonly vectorRank?: number;
  /** Ranked below every confident hit (e.g. found only by weak offline vectors): kept, not dropped. */
  readonly lowConfidence?: boolean;
}

export interface SearchHit {
  readonly chunk: ChunkInfo;
  /** Higher is better. */
  readonly score: number;
  readonly why: MatchReason;
}

/** The ports through which the core logs; Node's console in the CLI, a LogOutputChannel in VS Code. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

export const nullLogger: Logger = { info() {}, warn() {}, error() {} };
