/**
 * The rate limiter learning an unknown server limit, on an injected clock: a discrete-event
 * simulation of the scheduler's workers (concurrency, 429 backoff with full jitter) against a
 * token-bucket server like DashScope's (one second deep), so the counts are exact and repeatable.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimiter, type RateLimits } from '../../../src/core/embedding/rateLimiter';
import { ServerBucket, simulate, type SimOptions } from './rateLimitSim';

const DASHSCOPE_DEFAULTS: RateLimits = { requestsPerMinute: 3000, tokensPerMinute: 10_000_000 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const SCENARIOS: { name: string; limits: RateLimits; serverRps: number; extra?: Partial<SimOptions> }[] = [
  { name: 'DashScope defaults (3,000 rpm) vs 10 rps, fast server', limits: DASHSCOPE_DEFAULTS, serverRps: 10 },
  { name: 'no limits at all vs 10 rps, fast server', limits: {}, serverRps: 10 },
  { name: 'DashScope defaults vs 3 rps, 15–65 ms replies', limits: DASHSCOPE_DEFAULTS, serverRps: 3, extra: { jitterMs: 50 } },
  { name: 'DashScope defaults vs 25 rps, texts produced at 30 batches/s, 15–115 ms replies', limits: DASHSCOPE_DEFAULTS, serverRps: 25, extra: { produceRps: 30, jitterMs: 100 } },
  { name: 'no limits vs 10 rps, concurrency 8, 300–400 ms replies', limits: {}, serverRps: 10, extra: { concurrency: 8, latencyMs: 300, jitterMs: 100 } },
  { name: 'no limits vs 10 rps, concurrency 16, 100–300 ms replies', limits: {}, serverRps: 10, extra: { concurrency: 16, latencyMs: 100, jitterMs: 200 } },
];

for (const sc of SCENARIOS) {
  test(`unknown limit, ${sc.name}: ≤ 1.15× the minimum requests, ≥ 85% of the limit, every text once`, () => {
    const runs = [1, 2, 3, 4, 5].map((seed) => simulate({ serverRps: sc.serverRps, limits: sc.limits, batches: Math.max(132, sc.serverRps * 14), seed, latencyMs: 15, ...sc.extra }));
    for (const r of runs) assert.ok(r.delivered.every((n) => n === 1));
    const ratio = median(runs.map((r) => r.requests / r.delivered.length));
    const fraction = median(runs.map((r) => r.fraction));
    console.log(`  ${sc.name}: ${ratio.toFixed(3)}× requests, ${(fraction * 100).toFixed(1)}% of the limit (medians of 5 seeds)`);
    assert.ok(ratio <= 1.15, `requests ${ratio}× the minimum`);
    assert.ok(fraction >= 0.85, `${fraction} of the limit`);
    // Every run on its own stays well clear of the 1.5× the limiter spent before it learned.
    for (const r of runs) assert.ok(r.requests / r.delivered.length <= 1.2);
  });
}

test('configured limits matching the server: exactly the minimum requests, no 429, nothing learned', () => {
  const r = simulate({ serverRps: 10, limits: { requestsPerMinute: 600, tokensPerMinute: 3_000_000 }, batches: 132, latencyMs: 15, jitterMs: 20 });
  assert.equal(r.throttled, 0);
  assert.equal(r.requests, 132);
  assert.ok(r.fraction >= 0.95, `${r.fraction}`);
  assert.equal(r.limiter.learnedRequestsPerMinute, undefined);
});

/** Sends as fast as `limiter` allows from `from` to `to` ms, all succeeding (an idealised server with room). */
function drive(limiter: RateLimiter, clock: { t: number }, from: number, to: number, onSend?: (t: number) => void): number {
  let sent = 0;
  for (clock.t = from; clock.t < to; clock.t++) {
    while (limiter.tryTake(100) <= 0) {
      sent++;
      limiter.succeeded(clock.t);
      onSend?.(clock.t);
    }
  }
  return sent;
}

/** A limiter without limits that has just been throttled by a 10 rps server (one second deep) at its first burst. */
function throttledAtTenRps(): { limiter: RateLimiter; clock: { t: number } } {
  const clock = { t: 0 };
  const limiter = new RateLimiter({}, () => clock.t);
  const server = new ServerBucket(10);
  // 4 requests every 10 ms, replies 20 ms later.
  const replies: { at: number; sent: number; ok: boolean }[] = [];
  for (clock.t = 0; clock.t <= 200; clock.t++) {
    for (const r of replies.filter((x) => x.at === clock.t)) {
      if (r.ok) limiter.succeeded(r.sent);
      else limiter.throttled(undefined, r.sent);
    }
    // Until it learns, nothing holds it back (no limits configured).
    if (clock.t % 10 === 0) for (let k = 0; k < 4 && limiter.tryTake(100) <= 0; k++) replies.push({ at: clock.t + 20, sent: clock.t, ok: server.admit(clock.t) });
  }
  assert.ok(replies.filter((r) => !r.ok).length >= 2);
  return { limiter, clock };
}

test('after 429s from a 10 rps server, the limiter paces at ~9 rps', () => {
  const { limiter, clock } = throttledAtTenRps();
  const rps = (limiter.learnedRequestsPerMinute ?? 0) / 60;
  assert.ok(rps >= 8.5 && rps <= 9.5, `learned ${rps} rps`);
  // Before any probe (2 s): ~9 requests per second actually pass.
  const sent = drive(limiter, clock, 200, 1900);
  assert.ok(sent >= 14 && sent <= 16, `${sent} requests in 1.7 s`);
});

test('after a quiet period it probes upward, but stays under the rate that last drew a 429 for 30 s', () => {
  const { limiter, clock } = throttledAtTenRps();
  const learned = () => (limiter.learnedRequestsPerMinute ?? 0) / 60;
  const start = learned();
  drive(limiter, clock, 200, 12_200);
  const probed = learned();
  assert.ok(probed >= start * 1.2, `probed up from ${start} to ${probed} rps in 12 s`);
  // A 429 to a request sent under that pace: it is the new ceiling.
  clock.t = 12_300;
  const sentAt = clock.t;
  limiter.tryTake(100);
  clock.t += 20;
  limiter.throttled(undefined, sentAt);
  const after = learned();
  assert.ok(after <= probed * 0.9 + 1e-9, `cut from ${probed} to ${after}`);
  let max = 0;
  drive(limiter, clock, clock.t, clock.t + 29_000, () => (max = Math.max(max, learned())));
  assert.ok(max > after, 'probes again');
  assert.ok(max <= probed * 0.97 + 1e-9, `stayed at most ${max} (ceiling ${probed}) for 29 s`);
  // Later the ceiling decays: probing may pass it again.
  drive(limiter, clock, clock.t, clock.t + 20_000);
  assert.ok(learned() > probed, `after 49 s: ${learned()} vs ceiling ${probed}`);
});

test('a lone 429 with matching configured limits only backs off that request: pacing unchanged, nothing learned', () => {
  const limits = { requestsPerMinute: 600, tokensPerMinute: 3_000_000 };
  const a = { t: 0 }, b = { t: 0 };
  const plain = new RateLimiter(limits, () => a.t);
  const hit = new RateLimiter(limits, () => b.t);
  const trace = (limiter: RateLimiter, clock: { t: number }, lone: boolean) => {
    const out: number[] = [];
    for (clock.t = 0; clock.t < 5000; clock.t++) {
      const w = limiter.tryTake(500);
      out.push(w);
      if (w <= 0) limiter.succeeded(clock.t);
      if (lone && clock.t === 2500) limiter.throttled(undefined, clock.t - 30);
    }
    return out;
  };
  assert.deepEqual(trace(hit, b, true), trace(plain, a, false));
  assert.equal(hit.learnedRequestsPerMinute, undefined);
  assert.equal(hit.speedFactor, 1);
});

test('Retry-After still pauses everyone, learned pace or not', () => {
  const { limiter, clock } = throttledAtTenRps();
  clock.t = 5000;
  limiter.throttled(2000, 4990);
  assert.ok(limiter.tryTake(1) >= 1990);
  clock.t = 7000;
  assert.ok(limiter.tryTake(1) < 200, 'only the learned pace once the pause is over');
});
