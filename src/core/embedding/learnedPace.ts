/**
 * The request rate a server accepts, learned from its 429s when its limit is unknown (or the
 * configured one is too high): a learned request bucket at 90% of the accepted rate, probed upward
 * slowly, never back above the rate that last caused 429s for a while. The RateLimiter
 * (rateLimiter.ts) consults it on every turn and tells it of every send, success and 429.
 */
import { TokenBucket } from './tokenBucket';

/** Learning an unknown limit (rates in requests per second). */
export const LEARN = {
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

export class LearnedPace {
  /** The learned request bucket (`rate` requests/s), made by the first throttling episode. */
  private bucket?: TokenBucket;
  private rate = 0;
  /** The rate the last estimate gave (the unit of additive increase). */
  private base = 0;
  private lastLearn = -Infinity;
  private lastProbe = -Infinity;
  /** The learned bucket made a request wait since the last probe: the rate binds, probing is meaningful. */
  private pressured = false;
  /** A learned pace that still drew 429s, and when. */
  private ceiling?: number;
  private ceilingAt = -Infinity;
  private refinement?: Refinement;
  /** Send time of the latest request. */
  private lastSendAt = -Infinity;
  /** Send times of recent requests that succeeded and of those that drew a 429. */
  private successes: number[] = [];
  private throttles: number[] = [];
  /** Recent reply latencies (now − send time), to know when earlier replies should be in. */
  private latencies: { at: number; ms: number }[] = [];
  private activityStart = -Infinity;

  /** Send time of the latest request (what `acquire` hands back). */
  get lastSend(): number {
    return this.lastSendAt;
  }

  /** Nothing learned and no ceiling: a fresh limiter's state. */
  get blank(): boolean {
    return !this.bucket && this.ceiling === undefined;
  }

  get learnedRequestsPerMinute(): number | undefined {
    return this.bucket ? this.rate * 60 : undefined;
  }

  get ceilingRate(): number | undefined {
    return this.ceiling;
  }

  /** Milliseconds the learned pace makes the next request wait (0: none learned, or a turn is free). */
  waitMs(now: number, lastThrottle: number): number {
    this.maybeRefine(now);
    if (this.bucket) this.probe(now, lastThrottle);
    return this.bucket?.waitFor(1, now, 1) ?? 0;
  }

  /** The learned pace held a request back: it binds, so probing upward means something. */
  held(): void {
    this.pressured = true;
  }

  /** A request is sent now. */
  sent(now: number): void {
    this.bucket?.take(1);
    if (now - this.lastSendAt > LEARN.idleMs) this.activityStart = now;
    this.lastSendAt = now;
  }

  /**
   * A 429 to a request sent at `sent`. Learning: on a throttling episode (`repeated`: a second 429
   * within a second); once a pace is learned, on any 429 to a request sent under it (that pace was
   * too fast: even a lone 429 says so). 429s to requests sent before the last estimate are its own
   * episode's.
   */
  throttled(now: number, sent: number, repeated: boolean): void {
    this.noteLatency(now, sent);
    this.maybeRefine(now);
    if (this.bucket ? sent > this.lastLearn : repeated && now - this.lastLearn > LEARN.episodeMs) this.learn(now, sent);
    this.throttles.push(sent);
    this.prune(now);
  }

  succeeded(now: number, sent: number): void {
    this.successes.push(sent);
    this.noteLatency(now, sent);
    this.prune(now);
    this.maybeRefine(now);
  }

  /** The server has been healthy for a while: forget the learned pace (recent successes stay). */
  forget(): void {
    this.bucket = undefined;
    this.rate = this.base = 0;
    this.lastLearn = this.lastProbe = -Infinity;
    this.pressured = false;
    this.ceiling = undefined;
    this.ceilingAt = -Infinity;
    this.refinement = undefined;
    this.throttles = [];
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
    const cap = this.bucket ? this.rate * LEARN.margin : Infinity;
    // Too few successes to tell: wait for the next 429, unless a learned pace drew this one.
    if (estimate === undefined && !this.bucket) return;
    if (estimate !== undefined && this.bucket) estimate = Math.min(estimate, this.rate);
    const rate = Math.max(LEARN.minRate, Math.min(cap, estimate !== undefined ? estimate * LEARN.margin : this.rate / 2));
    if (this.bucket) {
      this.ceiling = this.rate;
      this.ceilingAt = now;
    }
    this.setRate(rate, now);
    this.base = rate;
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
    if (rate <= this.base) return;
    this.rate = Math.max(this.rate, rate);
    this.base = rate;
    this.setRate(this.rate, now);
  }

  private setRate(rate: number, now: number): void {
    this.rate = rate;
    // Short bucket (a quarter second): smooth pacing, the server's own bucket absorbs the jitter.
    const capacity = Math.max(1, rate / 4);
    if (this.bucket) this.bucket.reset(rate * 60, capacity, now);
    else this.bucket = new TokenBucket(rate * 60, capacity, now, 0); // the server's bucket is empty now
  }

  /** Additive increase of the learned rate while it binds and no 429 came, under the ceiling. */
  private probe(now: number, lastThrottle: number): void {
    if (now - this.lastProbe < LEARN.probeMs || now - lastThrottle < LEARN.probeMs) return;
    this.lastProbe = now;
    if (!this.pressured) return;
    this.pressured = false;
    const next = Math.min(this.rate + this.base * LEARN.probeStep, this.ceilingCap(now));
    if (next <= this.rate) return;
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
}
