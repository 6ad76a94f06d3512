/**
 * The batch scheduler shared by every remote embedder. It owns the rules competitors get wrong:
 *  - never more than `maxBatch` texts per request (10 for DashScope v3/v4), shrinking further if
 *    the server says "should not be larger than N";
 *  - never a text over the per-item token limit (over-long texts are cut, with a warning);
 *  - bounded concurrency + token buckets (rpm, tpm) + AIMD on 429, and a request rate learned
 *    from 429s when the server's limit is unknown (rateLimiter.ts, learnedPace.ts);
 *  - retries with exponential backoff and full jitter (Retry-After wins) for 429/5xx/timeouts/
 *    resets/bad JSON; 400/401/403 stop the run at once with an actionable EmbedError;
 *  - `onEmbedded` per successful batch, so a failed or cancelled run keeps what it paid for;
 *    a failed batch is never reported.
 * The sender (native DashScope, or the `openai` client) only turns texts into one HTTP call.
 */
import type { Logger, RetryWait } from '../types';
import { nullLogger } from '../types';
import { sleep } from './abortableSleep';
import { EmbedError, cancelledError } from './errors';
import { BatchLimitFailure, ItemTooLongFailure, RetryableFailure, classifyFailure } from './failures';
import { BUDGET_BACKOFF_CAP_MS, overBudgetError } from './queryBudget';
import { RateLimiter, type PacingState } from './rateLimiter';
import type { BatchReply, BatchSender, EmbedStats, RunOptions, RunResult, SchedulerOptions } from './schedulerOptions';
import { exhaustedError, sendAttempt } from './sendAttempt';
import { TRUNCATE_AT_TOKENS, estimateTokens, truncateToTokens } from './tokens';
import type { SparseVector } from './vectors';
import { drainQueue } from './workQueue';

interface Batch {
  readonly indices: number[];
  texts: string[];
  /** Lowered when the server says an item is too long despite our estimate. */
  itemCap: number;
}

/** Sent instead of an empty or whitespace-only text, which the server rejects with a 400. */
export const EMPTY_TEXT_PLACEHOLDER = '(empty)';

export class EmbedScheduler {
  private readonly limiter: RateLimiter;
  private readonly log: Logger;
  private batchLimit: number;
  private readonly counters = { requests: 0, failedRequests: 0, texts: 0, tokens: 0, estimatedTokens: 0, truncatedTexts: 0 };
  private readonly retryCounts: Record<string, number> = {};

  constructor(private readonly opts: SchedulerOptions) {
    this.batchLimit = Math.max(1, opts.maxBatch);
    this.limiter = opts.limiter ?? new RateLimiter({ requestsPerMinute: opts.requestsPerMinute, tokensPerMinute: opts.tokensPerMinute, burst: opts.burst });
    this.log = opts.logger ?? nullLogger;
  }

  stats(): EmbedStats {
    return { ...this.counters, retries: { ...this.retryCounts }, batchLimit: this.batchLimit };
  }

  async run(texts: readonly string[], send: BatchSender, options: RunOptions = {}): Promise<RunResult> {
    const userSignal = options.signal;
    if (userSignal?.aborted) throw cancelledError();
    const total = texts.length;
    const vectors: Float32Array[] = new Array(total);
    const sparse: (SparseVector | undefined)[] = new Array(total);
    let anySparse = false;
    if (total === 0) return { vectors };

    const itemCap = this.opts.maxItemTokens ?? TRUNCATE_AT_TOKENS;
    const prepared = texts.map((t) => this.prepare(t, itemCap));
    const queue: Batch[] = [];
    for (let i = 0; i < total; i += this.batchLimit) {
      const indices = Array.from({ length: Math.min(this.batchLimit, total - i) }, (_, k) => i + k);
      queue.push({ indices, texts: indices.map((k) => prepared[k]), itemCap });
    }

    // `stop` ends waits (backoff, rate limiter) on a fatal error or cancellation; in-flight
    // requests are only aborted on cancellation, so work already paid for still lands.
    const stop = new AbortController();
    const onUserAbort = () => stop.abort();
    userSignal?.addEventListener('abort', onUserAbort, { once: true });
    let done = 0;
    let tokens = 0;
    const runRetries: Record<string, number> = {};
    // What the run is waiting for, shown to the user: the latest retry of any batch, or the rate limit.
    let retryWait: RetryWait | undefined;
    let limitWaits = 0;
    const progress = () => options.onProgress?.({
      done, total, tokens, retries: { ...runRetries },
      ...(retryWait ? { retry: retryWait } : {}),
      ...(limitWaits > 0 || retryWait?.failure === 'throttled' ? { waiting: 'rate-limit' as const } : {}),
    });
    const countRetry = (cause: string) => {
      runRetries[cause] = (runRetries[cause] ?? 0) + 1;
      this.retryCounts[cause] = (this.retryCounts[cause] ?? 0) + 1;
    };

    const budget = options.budget;
    const deadline = budget ? Date.now() + budget.totalMs : Infinity;
    let budgetAttempts = 0;

    const processBatch = async (batch: Batch): Promise<void> => {
      let throttledSince: number | undefined;
      let lastFailure: RetryableFailure | undefined;
      let failingSince: number | undefined;
      for (let attempt = 0; ; ) {
        if (batch.indices.length > this.batchLimit) {
          // The limit shrank while this batch waited: re-split, front of the queue.
          queue.unshift(...this.split(batch));
          return;
        }
        const est = batch.texts.reduce((s, t) => s + estimateTokens(t), 0);
        let sentAt: number;
        if (budget) {
          const left = deadline - Date.now();
          if (left <= 0 || budgetAttempts >= budget.maxAttempts) throw this.overBudget(budget, budgetAttempts, lastFailure);
          // A Retry-After pause (drawn by any request to this endpoint) that outlasts the budget: give up now, not at its end.
          const paused = this.limiter.pauseLeftMs();
          if (paused >= left) throw this.overBudget(budget, budgetAttempts, lastFailure ?? new RetryableFailure('429', `the server asked to wait ${Math.ceil(paused / 1000)} s (Retry-After)`));
          try {
            sentAt = await this.limiter.acquire(est, AbortSignal.any([stop.signal, AbortSignal.timeout(left)]));
          } catch (e) {
            if (stop.signal.aborted) throw e;
            throw this.overBudget(budget, budgetAttempts, lastFailure);
          }
        } else {
          sentAt = await this.paced(est, stop.signal, (waiting) => {
            limitWaits += waiting ? 1 : -1;
            progress();
          });
        }
        let reply: BatchReply;
        try {
          if (budget) {
            // Under a budget each attempt gets an equal share of what is left, so a hang still leaves time for the retry.
            const attemptMs = Math.max(1, Math.floor((deadline - Date.now()) / (budget.maxAttempts - budgetAttempts)));
            budgetAttempts++;
            reply = await this.sendOnce(batch.texts, send, userSignal, undefined, attemptMs);
          } else {
            // While failing, an attempt may not outlast the retry patience (retries end within 2 minutes).
            const left = failingSince === undefined ? undefined : failingSince + (this.opts.retryPatienceMs ?? 110_000) - Date.now();
            reply = await this.sendOnce(batch.texts, send, userSignal, left);
          }
        } catch (e) {
          this.counters.failedRequests++;
          if (userSignal?.aborted) throw cancelledError();
          if (e instanceof BatchLimitFailure) {
            if (e.limit < 1 || e.limit >= batch.indices.length) throw new EmbedError('bad-request', `${this.opts.label}: the server rejected a batch of ${batch.indices.length} texts but names a limit of ${e.limit}.`, 400);
            this.log.warn(`${this.opts.label}: the server accepts at most ${e.limit} texts per request; re-splitting batches.`);
            this.batchLimit = Math.min(this.batchLimit, e.limit);
            countRetry('batch-limit');
            queue.unshift(...this.split(batch));
            return;
          }
          if (e instanceof ItemTooLongFailure) {
            batch.itemCap = Math.floor(batch.itemCap * 0.75);
            if (batch.itemCap < 512) throw new EmbedError('bad-request', `${this.opts.label}: the server keeps rejecting a text as too long (${e.serverMessage}).`, 400);
            this.log.warn(`${this.opts.label}: the server found a text too long; cutting that batch at ~${batch.itemCap} tokens.`);
            batch.texts = batch.texts.map((t) => this.prepare(t, batch.itemCap));
            countRetry('too-long');
            continue;
          }
          if (!(e instanceof RetryableFailure)) throw e;
          lastFailure = e;
          if (budget) {
            // Retry-After is honoured only when it fits; otherwise a short pause, and never past the deadline.
            const wait = e.retryAfterMs ?? Math.min(BUDGET_BACKOFF_CAP_MS, this.backoff(1));
            // Told to the limiter even when the query gives up: the next batch or rerank honours it.
            if (e.retryCause === '429') this.limiter.throttled(e.retryAfterMs, sentAt);
            if (budgetAttempts >= budget.maxAttempts || Date.now() + wait >= deadline) throw this.overBudget(budget, budgetAttempts, e);
            countRetry(e.retryCause);
            progress();
            await sleep(wait, stop.signal);
            continue;
          }
          countRetry(e.retryCause);
          if (e.retryCause === '429') {
            this.limiter.throttled(e.retryAfterMs, sentAt);
            throttledSince ??= Date.now();
            if (Date.now() - throttledSince > (this.opts.rateLimitPatienceMs ?? 300_000)) throw this.exhausted(e, attempt + 1);
            attempt = Math.min(attempt + 1, 6); // backoff grows, but 429s never exhaust the retry count
          } else {
            failingSince ??= Date.now();
            if (++attempt > (this.opts.maxRetries ?? 10)) throw this.exhausted(e, attempt);
          }
          const delay = this.backoff(attempt, e.retryAfterMs);
          if (e.retryCause !== '429' && Date.now() - (failingSince ?? Date.now()) + delay > (this.opts.retryPatienceMs ?? 110_000)) throw this.exhausted(e, attempt);
          const failure = classifyFailure(e) as RetryWait['failure'];
          this.log.info(`${this.opts.label}: ${e.message}; retrying in ${Math.round(delay / 1000)} s (attempt ${attempt + 1}${e.retryCause === '429' ? '' : ` of ${(this.opts.maxRetries ?? 10) + 1}`})`);
          const wait: RetryWait = { failure, attempt: attempt + 1, ...(e.retryCause === '429' ? {} : { maxAttempts: (this.opts.maxRetries ?? 10) + 1 }), at: Date.now() + delay, reason: e.message };
          retryWait = wait;
          progress();
          try {
            await sleep(delay, stop.signal);
          } finally {
            if (retryWait === wait) retryWait = undefined;
          }
          continue;
        }
        if (reply.vectors.length !== batch.indices.length) {
          throw new EmbedError('invalid-reply', `${this.opts.label}: the server returned ${reply.vectors.length} vectors for ${batch.indices.length} texts; nothing from that request was stored.`);
        }
        this.limiter.succeeded(sentAt);
        if (retryWait && retryWait.at <= Date.now()) retryWait = undefined;
        // A streamed run hands each batch to onEmbedded only: 100k × 1024-d kept here would be 400 MB.
        batch.indices.forEach((k, j) => {
          if (!options.streamed) vectors[k] = reply.vectors[j];
          if (reply.sparse) sparse[k] = reply.sparse[j];
        });
        done += batch.indices.length;
        tokens += reply.tokens ?? 0;
        this.counters.texts += batch.indices.length;
        this.counters.tokens += reply.tokens ?? 0;
        this.counters.estimatedTokens += est;
        // Callbacks run after the batch is complete and validated: a failed batch is never reported.
        options.onEmbedded?.(batch.indices, reply.vectors);
        if (reply.sparse) {
          anySparse = true;
          options.onSparse?.(batch.indices, reply.sparse);
        }
        progress();
        return;
      }
    };

    let fatal: unknown;
    try {
      fatal = await drainQueue(queue, this.opts.concurrency ?? 4, processBatch, stop);
    } finally {
      userSignal?.removeEventListener('abort', onUserAbort);
    }
    if (userSignal?.aborted) throw cancelledError();
    if (fatal !== undefined) throw fatal instanceof Error ? fatal : new EmbedError('network', String(fatal));
    return { vectors, sparse: anySparse ? sparse : undefined };
  }

  /** The limiter's turn; `onWait(true/false)` brackets a wait longer than a second (shown as "waiting for rate limit"). */
  private async paced(tokens: number, signal: AbortSignal, onWait: (waiting: boolean) => void): Promise<number> {
    let waiting = false;
    const timer = setTimeout(() => {
      waiting = true;
      onWait(true);
    }, 1000);
    try {
      return await this.limiter.acquire(tokens, signal);
    } finally {
      clearTimeout(timer);
      if (waiting) onWait(false);
    }
  }

  /** The limiter's pacing state (for tests and diagnostics). */
  pacing(): PacingState {
    return this.limiter.pacingState();
  }

  /** One attempt with its own timeout; maps transport-level failures to retryable ones. */
  private sendOnce(texts: readonly string[], send: BatchSender, userSignal?: AbortSignal, leftMs?: number, budgetMs?: number): Promise<BatchReply> {
    // A query budget's share is exact; a retry patience's remainder never cuts an attempt below 1 s.
    const timeoutMs = budgetMs !== undefined ? Math.min(this.opts.timeoutMs ?? 60_000, budgetMs) : Math.max(1000, Math.min(this.opts.timeoutMs ?? 60_000, leftMs ?? Infinity));
    this.counters.requests++;
    return sendAttempt(texts, send, timeoutMs, userSignal);
  }

  /** Exponential backoff with full jitter; a server's Retry-After wins (plus a little jitter). */
  private backoff(attempt: number, retryAfterMs?: number): number {
    const rnd = this.opts.random ?? Math.random;
    const base = this.opts.baseDelayMs ?? 500;
    if (retryAfterMs !== undefined) return Math.round(retryAfterMs + rnd() * Math.min(250, base));
    const cap = Math.min(this.opts.maxDelayMs ?? 30_000, base * 2 ** (attempt - 1));
    return Math.round(rnd() * cap);
  }

  private overBudget(budget: NonNullable<RunOptions['budget']>, attempts: number, last: RetryableFailure | undefined): EmbedError {
    return overBudgetError(this.opts.label, budget, attempts, last);
  }

  private exhausted(e: RetryableFailure, attempts: number): EmbedError {
    return exhaustedError(this.opts.label, e, attempts, this.opts.rateLimitPatienceMs ?? 300_000);
  }

  private split(batch: Batch): Batch[] {
    const out: Batch[] = [];
    for (let i = 0; i < batch.indices.length; i += this.batchLimit) {
      out.push({ indices: batch.indices.slice(i, i + this.batchLimit), texts: batch.texts.slice(i, i + this.batchLimit), itemCap: batch.itemCap });
    }
    return out;
  }

  private prepare(text: string, cap: number): string {
    if (!text.trim()) return EMPTY_TEXT_PLACEHOLDER;
    const cut = truncateToTokens(text, cap);
    if (cut.truncated) {
      this.counters.truncatedTexts++;
      this.log.warn(`${this.opts.label}: a text of ~${estimateTokens(text)} estimated tokens was cut to ~${cap} (the limit is 8,192 per text).`);
    }
    return cut.text;
  }
}
