/**
 * Client-side pacing: a token bucket for requests/min and one for tokens/min (DashScope enforces
 * both, per second: RPS = RPM/60, contract §6), a global pause when the server sends Retry-After,
 * and AIMD slow-down on 429 so an unknown server limit is found instead of hammered.
 * Waiters are served in FIFO order so a big batch is not starved by small ones.
 */
import { cancelledError } from './errors';

export interface RateLimits {
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
  /** Bucket size in requests; default 90% of one second's worth (DashScope limits RPS = RPM/60). */
  readonly burst?: number;
}

/** Resolves after `ms`, or rejects with a cancelled EmbedError when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(cancelledError());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

class TokenBucket {
  private level: number;
  private last: number;

  constructor(
    private readonly perMinute: number,
    readonly capacity: number,
    now: number,
  ) {
    this.level = capacity;
    this.last = now;
  }

  private refill(now: number, factor: number): void {
    this.level = Math.min(this.capacity, this.level + ((now - this.last) * this.perMinute * factor) / 60_000);
    this.last = now;
  }

  /** Milliseconds until `n` (capped at capacity, so huge batches still pass) is available. */
  waitFor(n: number, now: number, factor: number): number {
    this.refill(now, factor);
    const need = Math.min(n, this.capacity) - this.level;
    return need <= 0 ? 0 : Math.ceil((need * 60_000) / (this.perMinute * factor));
  }

  take(n: number): void {
    this.level -= Math.min(n, this.capacity);
  }
}

const MIN_FACTOR = 0.02;

export class RateLimiter {
  private readonly requests?: TokenBucket;
  private readonly tokens?: TokenBucket;
  private queue: Promise<void> = Promise.resolve();
  private blockedUntil = 0;
  /** AIMD multiplier on both rates: ×0.7 per throttling episode (≥ 200 ms apart), +2% per success. */
  private factor = 1;
  private lastCut = 0;
  private lastThrottle = -Infinity;

  constructor(
    limits: RateLimits,
    private readonly now: () => number = Date.now,
  ) {
    const t = now();
    const rpm = limits.requestsPerMinute;
    // One second deep like the server's bucket, minus 10%: requests reach the server with varying
    // delay, and a bucket identical to the server's would overrun it by a token now and then.
    // The rate keeps a 3% margin for the same reason.
    if (rpm && rpm > 0) this.requests = new TokenBucket(rpm * 0.97, Math.max(1, limits.burst ?? (rpm / 60) * 0.9), t);
    const tpm = limits.tokensPerMinute;
    if (tpm && tpm > 0) this.tokens = new TokenBucket(tpm * 0.97, Math.max(1, (tpm / 60) * 0.9), t);
  }

  /** Waits (FIFO) until one request of `tokens` estimated tokens may be sent. */
  acquire(tokens: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitAndTake(tokens, signal));
    // The next waiter proceeds whether this one succeeded or was cancelled.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitAndTake(tokens: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw cancelledError();
      const now = this.now();
      const wait = Math.max(
        this.blockedUntil - now,
        this.requests?.waitFor(1, now, this.factor) ?? 0,
        this.tokens?.waitFor(tokens, now, this.factor) ?? 0,
      );
      if (wait <= 0) {
        this.requests?.take(1);
        this.tokens?.take(tokens);
        return;
      }
      await sleep(wait, signal);
    }
  }

  /** The server said 429: pause everyone for Retry-After, and slow down once per episode. */
  throttled(retryAfterMs?: number): void {
    const now = this.now();
    if (retryAfterMs) this.blockedUntil = Math.max(this.blockedUntil, now + retryAfterMs);
    // A lone 429 (network jitter against a matching limit) only backs off that request; two
    // within a second mean we are too fast: slow down, once per 200 ms (in-flight 429s of the
    // same episode arrive together).
    const repeated = now - this.lastThrottle < 1000;
    this.lastThrottle = now;
    if (repeated && now - this.lastCut > 200) {
      this.factor = Math.max(MIN_FACTOR, this.factor * 0.7);
      this.lastCut = now;
    }
  }

  succeeded(): void {
    this.factor = Math.min(1, this.factor + 0.02);
  }

  /** Current pacing relative to the configured limits (1 = full speed). */
  get speedFactor(): number {
    return this.factor;
  }
}
