/**
 * Client-side pacing: a token bucket for requests/min and one for tokens/min (DashScope enforces
 * both, per second: RPS = RPM/60, contract §6), a global pause when the server sends Retry-After,
 * and AIMD slow-down on 429 so an unknown server limit is found instead of hammered.
 * When the server's limit is unknown (or the configured one is too high), a throttling episode
 * teaches the limiter the rate the server accepts: a learned request bucket at 90% of it, probed
 * upward slowly, never back above the rate that last caused 429s for a while (see `learn`).
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
    private perMinute: number,
    private capacity: number,
    now: number,
    initialLevel = capacity,
  ) {
    this.level = initialLevel;
    this.last = now;
  }

  /** New rate and depth from now on (the learned bucket); the level is kept, capped at the new depth. */
  reset(perMinute: number, capacity: number, now: number, factor = 1): void {
    this.refill(now, factor);
    this.perMinute = perMinute;
    this.capacity = capacity;
    this.level = Math.min(this.level, capacity);
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

/** Learning an unknown limit (rates in requests per second). */
const LEARN = {
  /** Pace at this fraction of the rate the server was seen to accept. */
  margin: 0.9,
  /** Successes over this window (by send time) estimate the accepted rate at a first episode. */
  windowMs: 2000,
  /** A pause this long refills the server's bucket (one second deep, contract §6). */
  idleMs: 1000,
  /** At most one first-episode estimate per this (the in-flight 429s of one episode arrive together). */
  episodeMs: 250,
  /** Two 429s at least this far apart (by send time) bound the accepted rate from below. */
  betweenMinMs: 500,
  /** Additive increase: +5% of the learned rate per 2 s without a 429, while the bucket binds. */
  probeMs: 2000,
  probeStep: 0.05,
  /** After 429s at a learned pace: stay ≤ 97% of it for 30 s, then allow +1% of it per second. */
  ceilingMargin: 0.97,
  ceilingHoldMs: 30_000,
  ceilingDecayPerS: 0.01,
  minRate: 0.05,
  /** Replies to requests sent before a 429 are awaited up to this long to refine its estimate. */
  maxSettleMs: 5000,
  /**
   * A minute without a 429 (DashScope's limits "typically recover within one minute", contract
   * §5): everything learned is forgotten and the limiter paces like a fresh one. Without this a
   * long-lived embedder kept a pace learned from a fault storm (as low as 0.05 rps, probed up by
   * 5% of itself per 2 s) for the rest of the session: the next run stayed slow until a reload.
   */
  healMs: 60_000,
} as const;

/** A pending re-estimate of a throttling episode once the replies of earlier requests are in. */
interface Refinement {
  readonly at: number;
  /** Send time of the latest 429 of the episode, and when the estimate was made. */
  readonly sentAt: number;
  readonly learnedAt: number;
  /** The new pace may not exceed this (90% of a pace that drew the 429). */
  readonly cap: number;
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
  /** The learned request bucket (`learnedRate` requests/s), made by the first throttling episode. */
  private learned?: TokenBucket;
  private learnedRate = 0;
  /** The rate the last estimate gave (the unit of additive increase). */
  private learnedBase = 0;
  private lastLearn = -Infinity;
  private lastProbe = -Infinity;
  /** The learned bucket made a request wait since the last probe: the rate binds, probing is meaningful. */
  private pressured = false;
  /** A learned pace that still drew 429s, and when. */
  private ceiling?: number;
  private ceilingAt = -Infinity;
  private refinement?: Refinement;
  /** Send time of the latest request. */
  private lastSend = -Infinity;
  /** Send times of recent requests that succeeded and of those that drew a 429. */
  private successes: number[] = [];
  private throttles: number[] = [];
  /** Recent reply latencies (now − send time), to know when earlier replies should be in. */
  private latencies: { at: number; ms: number }[] = [];
  private activityStart = -Infinity;

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
      if (wait <= 0) return this.lastSend;
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
    this.maybeRefine(now);
    if (this.learned) this.probe(now);
    const learnedWait = this.learned?.waitFor(1, now, 1) ?? 0;
    const wait = Math.max(
      this.blockedUntil - now,
      this.requests?.waitFor(1, now, this.factor) ?? 0,
      this.tokens?.waitFor(tokens, now, this.factor) ?? 0,
      learnedWait,
    );
    if (wait > 0) {
      if (learnedWait > 0) this.pressured = true;
      return wait;
    }
    this.requests?.take(1);
    this.tokens?.take(tokens);
    this.learned?.take(1);
    if (now - this.lastSend > LEARN.idleMs) this.activityStart = now;
    this.lastSend = now;
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
    this.noteLatency(now, sent);
    if (repeated && now - this.lastCut > 200) {
      this.factor = Math.max(MIN_FACTOR, this.factor * 0.7);
      this.lastCut = now;
    }
    this.maybeRefine(now);
    // Learning: on a throttling episode; once a pace is learned, on any 429 to a request sent
    // under it (that pace was too fast: even a lone 429 says so). 429s to requests sent before
    // the last estimate are its own episode's.
    if (this.learned ? sent > this.lastLearn : repeated && now - this.lastLearn > LEARN.episodeMs) this.learn(now, sent);
    this.throttles.push(sent);
    this.prune(now);
  }

  /** A request sent at `sentAt` (default: now) succeeded. */
  succeeded(sentAt?: number): void {
    this.factor = Math.min(1, this.factor + 0.02);
    const now = this.now();
    this.maybeHeal(now);
    const sent = Math.min(sentAt ?? now, now);
    this.successes.push(sent);
    this.noteLatency(now, sent);
    this.prune(now);
    this.maybeRefine(now);
  }

  /**
   * Estimates the rate the server accepts, from the send times of successes (the server admits a
   * request about when it is sent), up to `end` = the send time of the 429:
   *  - after earlier 429s 0.5–3 s before it: the server's bucket was empty at both 429s, so the
   *    successes in between are at most what it refilled: successes / interval is a lower bound
   *    (exact while we kept it empty); the best over those earlier 429s;
   *  - otherwise: successes over the 2 s before `end`, per second; when that window reaches back to
   *    the start of the activity (after ≥ 1 s idle the server's bucket was full), one second is
   *    added to it, as the server let one second's worth through at once (DashScope's bucket is
   *    one second deep).
   */
  private estimate(end: number): number | undefined {
    const accepted = (from: number) => this.successes.filter((t) => t >= from && t <= end).length;
    let best: number | undefined;
    for (const prev of this.throttles) {
      const n = accepted(prev);
      if (end - prev >= LEARN.betweenMinMs && n >= 2) best = Math.max(best ?? 0, n / ((end - prev) / 1000));
    }
    if (best !== undefined) return best;
    const from = Math.max(end - LEARN.windowMs, this.activityStart);
    const n = accepted(from);
    const seconds = (end - from) / 1000 + (from === this.activityStart ? LEARN.idleMs / 1000 : 0);
    return n >= 2 ? n / Math.max(seconds, 0.25) : undefined;
  }

  /**
   * A throttling episode: pace at 90% of the estimated accepted rate. When a learned pace drew the
   * 429, that pace becomes the ceiling probing stays under for a while, and the new pace is at most
   * 90% of it. Replies to requests sent before the 429 may still be on the way: the estimate is
   * made again once they should be in (`maybeRefine`), and may then raise the pace.
   */
  private learn(now: number, sentAt: number): void {
    this.prune(now);
    // The server's bucket was empty when it refused each of these: the latest is the best bound
    // (replies come back out of order).
    const end = Math.max(sentAt, ...this.throttles);
    let estimate = this.estimate(end);
    const cap = this.learned ? this.learnedRate * LEARN.margin : Infinity;
    // Too few successes to tell: wait for the next 429, unless a learned pace drew this one.
    if (estimate === undefined && !this.learned) return;
    if (estimate !== undefined && this.learned) estimate = Math.min(estimate, this.learnedRate);
    const rate = Math.max(LEARN.minRate, Math.min(cap, estimate !== undefined ? estimate * LEARN.margin : this.learnedRate / 2));
    if (this.learned) {
      this.ceiling = this.learnedRate;
      this.ceilingAt = now;
    }
    this.setRate(rate, now);
    this.learnedBase = rate;
    this.lastLearn = this.lastProbe = now;
    this.pressured = false;
    const settle = Math.min(LEARN.maxSettleMs, 1.5 * Math.max(0, ...this.latencies.map((l) => l.ms)) + 20);
    this.refinement = { at: now + settle, sentAt: end, learnedAt: now, cap };
  }

  /** Once the replies to requests sent before the episode's 429 are in: estimate again, raise the pace if it was too low. */
  private maybeRefine(now: number): void {
    const r = this.refinement;
    if (!r || now < r.at) return;
    this.refinement = undefined;
    // 429s that arrived since, to requests sent before the estimate, are of the same episode.
    const estimate = this.estimate(Math.max(r.sentAt, ...this.throttles.filter((t) => t <= r.learnedAt)));
    if (estimate === undefined) return;
    const rate = Math.min(r.cap, estimate * LEARN.margin);
    if (rate <= this.learnedBase) return;
    this.learnedRate = Math.max(this.learnedRate, rate);
    this.learnedBase = rate;
    this.setRate(this.learnedRate, now);
  }

  private setRate(rate: number, now: number): void {
    this.learnedRate = rate;
    // Short bucket (a quarter second): smooth pacing, the server's own bucket absorbs the jitter.
    const capacity = Math.max(1, rate / 4);
    if (this.learned) this.learned.reset(rate * 60, capacity, now);
    else this.learned = new TokenBucket(rate * 60, capacity, now, 0); // the server's bucket is empty now
  }

  /** Additive increase of the learned rate while it binds and no 429 came, under the ceiling. */
  private probe(now: number): void {
    if (now - this.lastProbe < LEARN.probeMs || now - this.lastThrottle < LEARN.probeMs) return;
    this.lastProbe = now;
    if (!this.pressured) return;
    this.pressured = false;
    const next = Math.min(this.learnedRate + this.learnedBase * LEARN.probeStep, this.ceilingCap(now));
    if (next <= this.learnedRate) return;
    this.setRate(next, now);
  }

  /** No ceiling yet: none; else 97% of it for 30 s after it was set, then +1% of it per second. */
  private ceilingCap(now: number): number {
    if (this.ceiling === undefined) return Infinity;
    const over = Math.max(0, now - this.ceilingAt - LEARN.ceilingHoldMs) / 1000;
    return this.ceiling * (LEARN.ceilingMargin + over * LEARN.ceilingDecayPerS);
  }

  private noteLatency(now: number, sentAt: number): void {
    this.latencies.push({ at: now, ms: now - sentAt });
  }

  private prune(now: number): void {
    const old = now - LEARN.windowMs - LEARN.idleMs - LEARN.maxSettleMs;
    while (this.throttles.length && this.throttles[0] <= old) this.throttles.shift();
    while (this.latencies.length && this.latencies[0].at <= now - LEARN.windowMs) this.latencies.shift();
    if (this.successes.length && this.successes[0] <= old) this.successes = this.successes.filter((t) => t > old);
  }

  /** No 429 for `healMs` and no Retry-After pause pending: back to the state of a fresh limiter. */
  private maybeHeal(now: number): void {
    if (now - this.lastThrottle < LEARN.healMs || now < this.blockedUntil) return;
    if (this.factor === 1 && !this.learned && this.ceiling === undefined && this.lastThrottle === -Infinity) return;
    this.factor = 1;
    this.lastCut = 0;
    this.lastThrottle = -Infinity;
    this.learned = undefined;
    this.learnedRate = this.learnedBase = 0;
    this.lastLearn = this.lastProbe = -Infinity;
    this.pressured = false;
    this.ceiling = undefined;
    this.ceilingAt = -Infinity;
    this.refinement = undefined;
    this.blockedUntil = 0;
    this.throttles = [];
  }

  /**
   * What decides the pace beyond the configured buckets (for tests and the status line): equal to
   * a fresh limiter's once the server has been healthy for a minute.
   */
  pacingState(): { readonly factor: number; readonly learnedRequestsPerMinute?: number; readonly ceiling?: number; readonly paused: boolean; readonly throttledRecently: boolean } {
    const now = this.now();
    this.maybeHeal(now);
    return {
      factor: this.factor,
      ...(this.learned ? { learnedRequestsPerMinute: this.learnedRate * 60 } : {}),
      ...(this.ceiling !== undefined ? { ceiling: this.ceiling } : {}),
      paused: now < this.blockedUntil,
      throttledRecently: this.lastThrottle !== -Infinity,
    };
  }

  /** Current pacing relative to the configured limits (1 = full speed). */
  get speedFactor(): number {
    return this.factor;
  }

  /** The learned request rate (requests/min), once a throttling episode taught one. */
  get learnedRequestsPerMinute(): number | undefined {
    return this.learned ? this.learnedRate * 60 : undefined;
  }
}
