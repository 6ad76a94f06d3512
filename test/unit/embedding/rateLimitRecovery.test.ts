/**
 * The limiter recovers by itself once the server is healthy again: after a heavy 429/503 storm
 * (the learned pace falls to a fraction of the real limit), a minute of healthy replies leaves it
 * in the state of a fresh limiter — same pacing state, same send times — with no reload.
 * Injected clock: the counts are exact and repeatable.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../src/core/embedding/offline/prng';
import { RateLimiter, type RateLimits } from '../../../src/core/embedding/rateLimiter';

const DASHSCOPE_DEFAULTS: RateLimits = { requestsPerMinute: 3000, tokensPerMinute: 10_000_000 };

/** Sends as fast as `limiter` allows from `from` to `to` ms; `reply` says how each request ends (20 ms later). */
function drive(limiter: RateLimiter, clock: { t: number }, from: number, to: number, reply: (t: number) => 'ok' | '429' | '503'): number[] {
  const sends: number[] = [];
  const pending: { at: number; sent: number; kind: 'ok' | '429' | '503' }[] = [];
  for (clock.t = from; clock.t < to; clock.t++) {
    for (const r of pending.filter((p) => p.at === clock.t)) {
      if (r.kind === 'ok') limiter.succeeded(r.sent);
      else if (r.kind === '429') limiter.throttled(undefined, r.sent);
      // A 503 is the scheduler's backoff, not the limiter's: nothing to tell it.
    }
    for (let k = 0; k < 4 && limiter.tryTake(300) <= 0; k++) {
      sends.push(clock.t - from);
      pending.push({ at: clock.t + 20, sent: clock.t, kind: reply(clock.t) });
    }
  }
  return sends;
}

test('after heavy 429/503 then a healthy server, the limiter state equals a fresh one’s (no reload)', () => {
  const clock = { t: 0 };
  const limiter = new RateLimiter(DASHSCOPE_DEFAULTS, () => clock.t);
  const rnd = mulberry32(7);
  // 20 s storm: 60% of requests 429, 20% 503.
  drive(limiter, clock, 0, 20_000, () => {
    const x = rnd();
    return x < 0.6 ? '429' : x < 0.8 ? '503' : 'ok';
  });
  const stormed = limiter.pacingState();
  assert.ok(stormed.factor < 1 || stormed.learnedRequestsPerMinute !== undefined, `the storm slowed it: ${JSON.stringify(stormed)}`);
  assert.ok((stormed.learnedRequestsPerMinute ?? 3000) < 3000 * 0.5, `learned pace well below the limit: ${stormed.learnedRequestsPerMinute} rpm`);

  // The server is healthy again: a minute of successes. The fresh limiter, made when the storm
  // ended, sees the same healthy minute (so its buckets are as drained as the other's).
  const freshClock = { t: 20_000 };
  const fresh = new RateLimiter(DASHSCOPE_DEFAULTS, () => freshClock.t);
  drive(limiter, clock, 20_000, 100_000, () => 'ok');
  drive(fresh, freshClock, 20_000, 100_000, () => 'ok');
  assert.deepEqual(limiter.pacingState(), fresh.pacingState());
  assert.equal(limiter.speedFactor, 1);
  assert.equal(limiter.learnedRequestsPerMinute, undefined);
  // And it behaves like one: the same throughput over the next 3 s (send times may differ by the
  // phase of the bucket refill, a millisecond or two).
  const start = clock.t;
  const after = drive(limiter, clock, start, start + 3000, () => 'ok');
  const baseline = drive(fresh, freshClock, start, start + 3000, () => 'ok');
  assert.ok(Math.abs(after.length - baseline.length) <= 1, `${after.length} vs fresh ${baseline.length} requests in 3 s`);
  assert.ok(after.length >= 140, `${after.length} requests in 3 s at ~48.5 rps`);
});

test('within the minute after a storm it stays careful (a real lower limit is not forgotten at once)', () => {
  const clock = { t: 0 };
  const limiter = new RateLimiter(DASHSCOPE_DEFAULTS, () => clock.t);
  const rnd = mulberry32(3);
  drive(limiter, clock, 0, 10_000, () => (rnd() < 0.6 ? '429' : 'ok'));
  drive(limiter, clock, 10_000, 40_000, () => 'ok');
  const s = limiter.pacingState();
  assert.ok(s.throttledRecently, 'still remembers the 429s 30 s later');
});

test('idle for a minute after throttling (the next run): paces like a fresh limiter', () => {
  const clock = { t: 0 };
  const limiter = new RateLimiter({}, () => clock.t);
  const rnd = mulberry32(11);
  drive(limiter, clock, 0, 5000, () => (rnd() < 0.7 ? '429' : 'ok'));
  assert.notEqual(limiter.learnedRequestsPerMinute, undefined, 'learned a pace from the storm');
  clock.t = 5000 + 61_000;
  const fresh = new RateLimiter({}, () => clock.t);
  assert.deepEqual(limiter.pacingState(), fresh.pacingState());
  assert.equal(limiter.tryTake(300), 0);
});
