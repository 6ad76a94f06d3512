/**
 * Every way a DashScope run can fail lands in exactly one failure class, with that class's
 * behaviour: auth and quota stop at once (one request, no retry), network and server retry
 * visibly (the progress carries "retrying in … — attempt n of m") and stop within the patience,
 * throttled waits for the rate limit, bad input stops. Real HTTP against the fake server.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { createDashScopeEmbedder } from '../../../src/core/embedding/dashscope';
import { EmbedError } from '../../../src/core/embedding/errors';
import { classifyFailure, stopsAtOnce, type FailureClass } from '../../../src/core/embedding/failures';
import type { EmbedProgress } from '../../../src/core/types';
import { FAST_TUNING, TEST_KEY, withFake } from './helpers';
import type { FaultKind } from '../../fake-dashscope/server';

async function failureOf(fault: FaultKind, tuning: object = FAST_TUNING): Promise<{ cls: FailureClass | undefined; requests: number; err: EmbedError; progress: EmbedProgress[] }> {
  return withFake({ faults: { probabilities: { [fault]: 1 } } }, async (fake) => {
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, tuning });
    const progress: EmbedProgress[] = [];
    const err = await e.embedDocuments(['one text'], { onProgress: (p) => progress.push(p) }).then(
      () => assert.fail(`${fault} should fail`),
      (x: unknown) => x,
    );
    assert.ok(err instanceof EmbedError, `${fault}: ${String(err)}`);
    return { cls: classifyFailure(err), requests: fake.counters.requests, err, progress };
  });
}

test('401 → auth, Arrearage → quota, 403 → auth: one request each, no retry', async () => {
  for (const [fault, cls] of [['401', 'auth'], ['arrearage', 'quota'], ['403', 'auth']] as const) {
    const r = await failureOf(fault);
    assert.equal(r.cls, cls, `${fault} is ${cls}`);
    assert.ok(stopsAtOnce(r.cls!));
    assert.equal(r.requests, 1, `${fault}: no retry`);
    assert.equal(r.progress.filter((p) => p.retry).length, 0, `${fault}: no retry shown`);
  }
});

test('persistent 503 / 500 → server, retried visibly with "attempt n of m", then stops', async () => {
  for (const fault of ['503', '500'] as const) {
    const r = await failureOf(fault, { ...FAST_TUNING, maxRetries: 3 });
    assert.equal(r.cls, 'server');
    assert.equal(r.requests, 4);
    const shown = r.progress.filter((p) => p.retry).map((p) => p.retry!);
    assert.deepEqual(shown.map((w) => `${w.failure} ${w.attempt}/${w.maxAttempts}`), ['server 2/4', 'server 3/4', 'server 4/4']);
    assert.ok(shown.every((w) => w.at >= Date.now() - 5000 && /503|500/.test(w.reason)));
  }
});

test('connection refused → network, retried visibly, and retries end within the patience (≤ 2 min by default)', async () => {
  // A port that refuses: listen, learn the port, close.
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: `http://127.0.0.1:${port}`, tuning: { baseDelayMs: 200, maxDelayMs: 400, maxRetries: 100, retryPatienceMs: 1500 } });
  const progress: EmbedProgress[] = [];
  const t0 = Date.now();
  const err = await e.embedDocuments(['x'], { onProgress: (p) => progress.push(p) }).then(() => assert.fail('refused'), (x: unknown) => x);
  const took = Date.now() - t0;
  assert.equal(classifyFailure(err), 'network');
  assert.ok(took < 2500, `stopped after ${took} ms with a 1.5 s patience`);
  assert.ok(progress.some((p) => p.retry?.failure === 'network' && p.retry.maxAttempts === 101), 'the retry was shown');
  assert.match((err as Error).message, /reachable/);
});

test('429s → throttled, shown as waiting for the rate limit; delivered once the limit lets it through', () =>
  withFake({ faults: { schedule: { 1: '429', 2: '429' } } }, async (fake) => {
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, tuning: FAST_TUNING });
    const progress: EmbedProgress[] = [];
    await e.embedDocuments(['x'], { onProgress: (p) => progress.push(p) });
    assert.ok(progress.some((p) => p.waiting === 'rate-limit' && p.retry?.failure === 'throttled' && p.retry.maxAttempts === undefined));
    assert.equal(progress.at(-1)?.waiting, undefined, 'no longer waiting once delivered');
    assert.equal(fake.counters.requests, 3);
  }));

test('a wrong model → badInput; still throttled after the patience → throttled', async () => {
  await withFake({}, async (fake) => {
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, model: 'text-embedding-v9', tuning: FAST_TUNING });
    const err = await e.embedDocuments(['x']).then(() => undefined, (x: unknown) => x);
    assert.equal(classifyFailure(err), 'badInput');
  });
  const r = await failureOf('429', { ...FAST_TUNING, rateLimitPatienceMs: 300 });
  assert.equal(r.cls, 'throttled');
});

test('hanging requests → network; the attempts after the first failure never outlast the retry patience', () =>
  withFake({ faults: { probabilities: { hang: 1 }, hangMs: 20_000 } }, async (fake) => {
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, timeoutMs: 1000, tuning: { baseDelayMs: 50, maxDelayMs: 100, maxRetries: 100, retryPatienceMs: 2000 } });
    const t0 = Date.now();
    const err = await e.embedDocuments(['x']).then(() => assert.fail('hangs'), (x: unknown) => x);
    const took = Date.now() - t0;
    assert.equal(classifyFailure(err), 'network');
    assert.ok(took < 1000 + 2000 + 1000, `stopped after ${took} ms (first timeout 1 s + patience 2 s)`);
  }));
