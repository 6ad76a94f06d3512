/**
 * A discrete-event simulation on the rate limiter's injected clock: the scheduler's workers
 * (concurrency, 429 backoff with full jitter) against a token-bucket server like DashScope's (one
 * second deep). Counts and throughput fractions come out exact and repeatable — no wall clock,
 * so a loaded machine cannot change them.
 */
import { mulberry32 } from '../../../src/core/embedding/offline/prng';
import { RateLimiter, type RateLimits } from '../../../src/core/embedding/rateLimiter';

const prng = mulberry32;

/** The server's request bucket: `rps` per second, one second deep, full at the start. */
export class ServerBucket {
  private level: number;
  private last = 0;
  constructor(private readonly rps: number) {
    this.level = rps;
  }
  admit(now: number): boolean {
    this.level = Math.min(this.rps, this.level + ((now - this.last) * this.rps) / 1000);
    this.last = now;
    if (this.level < 1) return false;
    this.level -= 1;
    return true;
  }
}

export interface SimOptions {
  readonly serverRps: number;
  readonly limits: RateLimits;
  readonly batches: number;
  readonly concurrency?: number;
  readonly latencyMs?: number;
  readonly seed?: number;
  /** The scheduler's default first backoff is up to 500 ms (full jitter, doubling per attempt). */
  readonly baseDelayMs?: number;
  /** Batches become available at this rate (texts produced by chunking), default all at once. */
  readonly produceRps?: number;
  /** Extra latency per request, uniform in [0, jitterMs) (a loaded network or machine). */
  readonly jitterMs?: number;
}

export interface SimResult {
  requests: number;
  throttled: number;
  delivered: number[];
  /** Successful replies per second in steady state (from 1 s after the first one) / server rate. */
  fraction: number;
  limiter: RateLimiter;
  endMs: number;
}

export function simulate(o: SimOptions): SimResult {
  let t = 0;
  const limiter = new RateLimiter(o.limits, () => t);
  const server = new ServerBucket(o.serverRps);
  const rnd = prng(o.seed ?? 1);
  const latency = o.latencyMs ?? 20;
  const base = o.baseDelayMs ?? 500;
  // Event queue ordered by time, then by insertion.
  const events: { at: number; seq: number; fn: () => void }[] = [];
  let seq = 0;
  const at = (when: number, fn: () => void) => {
    const e = { at: when, seq: seq++, fn };
    let i = events.length;
    while (i > 0 && (events[i - 1].at > e.at || (events[i - 1].at === e.at && events[i - 1].seq > e.seq))) i--;
    events.splice(i, 0, e);
  };
  const delivered = new Array<number>(o.batches).fill(0);
  const successTimes: number[] = [];
  let requests = 0, throttled = 0, next = 0;
  const available = () => (o.produceRps ? Math.min(o.batches, Math.floor((t * o.produceRps) / 1000) + 1) : o.batches);
  const startWorker = () => {
    if (next >= o.batches) return;
    if (next >= available()) return at(t + 50, startWorker);
    attempt(next++, 0);
  };
  const attempt = (b: number, n: number): void => {
    const wait = limiter.tryTake(1000);
    if (wait > 0) return at(t + wait, () => attempt(b, n));
    requests++;
    const sentAt = t;
    const ok = server.admit(t);
    at(t + latency + Math.floor(rnd() * (o.jitterMs ?? 0)), () => {
      if (ok) {
        limiter.succeeded(sentAt);
        delivered[b]++;
        successTimes.push(t);
        startWorker();
        return;
      }
      throttled++;
      limiter.throttled(undefined, sentAt);
      const k = Math.min(n + 1, 6);
      at(t + Math.round(rnd() * base * 2 ** (k - 1)), () => attempt(b, k));
    });
  };
  for (let w = 0; w < (o.concurrency ?? 4); w++) startWorker();
  while (events.length) {
    const e = events.shift()!;
    t = e.at;
    e.fn();
  }
  const steady = successTimes.filter((x) => x >= successTimes[0] + 1000);
  const fraction = ((steady.length - 1) / (steady[steady.length - 1] - steady[0])) * 1000 / o.serverRps;
  return { requests, throttled, delivered, fraction, limiter, endMs: t };
}

