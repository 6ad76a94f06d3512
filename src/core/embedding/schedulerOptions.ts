/**
 * The batch scheduler's contract (scheduler.ts): what a sender returns, the knobs a remote embedder
 * sets, what a run reports back and the counters kept over an embedder's life.
 */
import type { EmbedOptions, Logger } from '../types';
import type { QueryBudget } from './queryBudget';
import type { RateLimiter } from './rateLimiter';
import type { SparseVector } from './vectors';

export interface BatchReply {
  /** One vector per text, in order, already validated by the sender. */
  readonly vectors: readonly Float32Array[];
  /** Tokens the server billed for this request, when it says. */
  readonly tokens?: number;
  readonly sparse?: readonly (SparseVector | undefined)[];
}

/** Sends one batch as one HTTP request. Must respect `signal` (timeouts and cancellation). */
export type BatchSender = (texts: readonly string[], signal: AbortSignal) => Promise<BatchReply>;

export interface SchedulerOptions {
  /** For log lines: `DashScope text-embedding-v4`. */
  readonly label: string;
  readonly maxBatch: number;
  /** Texts estimated above this are truncated (default 7,500, below the 8,192 limit). */
  readonly maxItemTokens?: number;
  readonly concurrency?: number;
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
  readonly burst?: number;
  /**
   * The endpoint's limiter when others pace against it too (reranks, other embedders of the same
   * endpoint: endpointLimiters.ts); default: one of this scheduler's own from the limits above.
   */
  readonly limiter?: RateLimiter;
  /** Per request attempt (default 60 s). */
  readonly timeoutMs?: number;
  /** Retries per batch for errors other than 429 before the run stops (default 10). */
  readonly maxRetries?: number;
  /**
   * How long a batch may keep failing with network/server errors before the run stops (default
   * 110 s): retries end within 2 minutes whatever the backoff and timeouts add up to.
   */
  readonly retryPatienceMs?: number;
  /**
   * How long one batch may stay throttled (429) before the run stops (default 5 min). Rate limits
   * recover within a minute (contract §5), so 429s are bounded by time, not by a retry count.
   */
  readonly rateLimitPatienceMs?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly logger?: Logger;
  /** Injected in tests for reproducible jitter. */
  readonly random?: () => number;
}

export interface EmbedStats {
  /** HTTP requests sent (attempts, including retried ones). */
  readonly requests: number;
  readonly failedRequests: number;
  /** Texts embedded successfully. */
  readonly texts: number;
  /** Tokens the server reported (billed). */
  readonly tokens: number;
  /** Our estimate of the tokens sent in successful requests. */
  readonly estimatedTokens: number;
  /** Retries by cause: `429`, `500`, `503`, `timeout`, `reset`, `bad-json`, `batch-limit`, `too-long`, … */
  readonly retries: Readonly<Record<string, number>>;
  readonly truncatedTexts: number;
  /** The batch limit in force (lowered when the server names a smaller one). */
  readonly batchLimit: number;
}

export interface RunOptions extends EmbedOptions {
  /** Sparse vectors per successful batch (DashScope `dense&sparse`). */
  readonly onSparse?: (indices: readonly number[], sparse: readonly (SparseVector | undefined)[]) => void;
  /** A query's short leash instead of indexing's patience (see `queryBudget`). */
  readonly budget?: QueryBudget;
}

export interface RunResult {
  readonly vectors: Float32Array[];
  readonly sparse?: (SparseVector | undefined)[];
}
