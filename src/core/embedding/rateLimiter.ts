/**
 * Client-side pacing: a token bucket for requests/min and one for tokens/min (DashScope enforces
 * both, per second: RPS = RPM/60, contract §6), a global pause when the server sends Retry-After,
 * and AIMD slow-down on 429 so an unknown server limit is found instead of hammered.
 * When the server's limit is unknown (or the configured one is too high), a throttling episode
 * teaches the limiter the rate the server accepts (learnedPace.ts).
 * Waiters are served in FIFO order so a big batch is not starved by small ones.
 */
import { sleep } from './abortableSleep';
import { cancelledError } from './errors';
import { LEARN, LearnedPace } from './learnedPace';
import { TokenBucket } from './tokenBucket';

export interface RateLimits {
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
  /** Bucket size in requests; default 90% of one second's worth (DashScope limits RPS = RPM/60). */
  readonly burst?: number;
}

const MIN_FACTOR = 0.02;

export interface PacingState {
  readonly factor: number;
  readonly learnedRequestsPerMinute?: number;
  readonly ceiling?: number;
  readonly paused: boolean;
  readonly throttledRecently: boolean;
}

export class RateLimiter {
  private readonly requests?: TokenBucket;
  private readonly tokens?: TokenBucket;
  private queue: Promise<void> = Promise.resolve();
  private blockedUntil = 0;
  /** AIMD multiplier on both rates: ×0.7 per throttling episode (≥ 200 ms apart), +2% per success. */
  private factor = 1;
  private lastCut = 0;
  private lastThrottle = -Infinity;
  private readonly pace = new LearnedPace();

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

  /**
   * Waits (FIFO) until one request of `tokens` estimated tokens may be sent; resolves with the
   * send time (on the limiter's clock), to hand back to `succeeded` / `throttled`.
   */
  acquire(tokens: number, signal?: AbortSignal): Promise<number> {
    const turn = this.queue.then(() => this.waitAndTake(tokens, signal));
    // The next waiter proceeds whether this one succeeded or was cancelled.
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async waitAndTake(tokens: number, signal?: AbortSignal): Promise<number> {
    for (;;) {
      if (signal?.aborted) throw cancelledError();
      const wait = this.tryTake(tokens);
      if (wait <= 0) return this.pace.lastSend;
      await sleep(wait, signal);
    }
  }

  /**
   * Takes one request of `tokens` and returns 0 when it may be sent now, else returns the
   * milliseconds to wait (nothing taken). Synchronous, on the injected clock: `acquire` loops on it.
   */
  tryTake(tokens: number): number {
    const now = this.now();
    this.maybeHeal(now);
    const learnedWait = this.pace.waitMs(now, this.lastThrottle);
    const wait = Math.max(
      this.blockedUntil - now,
      this.requests?.waitFor(1, now, this.factor) ?? 0,
      this.tokens?.waitFor(tokens, now, this.factor) ?? 0,
      learnedWait,
    );
    if (wait > 0) {
      if (learnedWait > 0) this.pace.held();
      return wait;
    }
    this.requests?.take(1);
    this.tokens?.take(tokens);
    this.pace.sent(now);
    return 0;
  }

  /**
   * The server said 429 to a request sent at `sentAt` (default: now): pause everyone for
   * Retry-After, slow down once per episode, and learn the rate the server accepts.
   */
  throttled(retryAfterMs?: number, sentAt?: number): void {
    const now = this.now();
    const sent = Math.min(sentAt ?? now, now);
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
    this.pace.throttled(now, sent, repeated);
  }

  /** A request sent at `sentAt` (default: now) succeeded. */
  succeeded(sentAt?: number): void {
    this.factor = Math.min(1, this.factor + 0.02);
    const now = this.now();
    this.maybeHeal(now);
    this.pace.succeeded(now, Math.min(sentAt ?? now, now));
  }

  /** No 429 for `healMs` and no Retry-After pause pending: back to the state of a fresh limiter. */
  private maybeHeal(now: number): void {
    if (now - this.lastThrottle < LEARN.healMs || now < this.blockedUntil) return;
    if (this.factor === 1 && this.pace.blank && this.lastThrottle === -Infinity) return;
    this.factor = 1;
    this.lastCut = 0;
    this.lastThrottle = -Infinity;
    this.blockedUntil = 0;
    this.pace.forget();
  }

  /**
   * What decides the pace beyond the configured buckets (for tests and the status line): equal to
   * a fresh limiter's once the server has been healthy for a minute.
   */
  pacingState(): PacingState {
    const now = this.now();
    this.maybeHeal(now);
    const learned = this.pace.learnedRequestsPerMinute;
    const ceiling = this.pace.ceilingRate;
    return {
      factor: this.factor,
      ...(learned !== undefined ? { learnedRequestsPerMinute: learned } : {}),
      ...(ceiling !== undefined ? { ceiling } : {}),
      paused: now < this.blockedUntil,
      throttledRecently: this.lastThrottle !== -Infinity,
    };
  }

  /** How long the server's Retry-After still pauses every request (0: no pause). */
  pauseLeftMs(): number {
    return Math.max(0, this.blockedUntil - this.now());
  }

  /** Current pacing relative to the configured limits (1 = full speed). */
  get speedFactor(): number {
    return this.factor;
  }

  /** The learned request rate (requests/min), once a throttling episode taught one. */
  get learnedRequestsPerMinute(): number | undefined {
    return this.pace.learnedRequestsPerMinute;
  }
}
