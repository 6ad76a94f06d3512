/** Retries, fatal errors, cancellation and key hygiene — over real HTTP against the fake. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDashScopeEmbedder } from '../../../src/core/embedding/dashscope';
import { EmbedError } from '../../../src/core/embedding/errors';
import { FAST_TUNING, TEST_KEY, capturingLogger, corpus, deliveredOnce, expectedDocVector, sameVector, withFake } from './helpers';

// No hangs here: a request that times out after the server already answered is legitimately
// embedded twice (at-least-once), which would make "exactly once" depend on machine load.
// Timeouts have their own test below.
test('429 storm + random 500/503/504/resets/truncated JSON: every text embedded exactly once, nothing lost', () =>
  withFake(
    // burst 5: the six workers' first requests go out together, so the server's own limit throttles
    // whatever the machine's load (rpm alone was never reached when a loaded machine sent slowly).
    { rpm: 360, burst: 5, faults: { seed: 7, schedule: { 2: 'truncated', 4: 'reset', 6: '500', 8: '503', 10: '429' }, probabilities: { '500': 0.06, '503': 0.06, '504': 0.03, reset: 0.05, truncated: 0.04, '429': 0.04 } } },
    async (fake) => {
      const texts = corpus(200);
      const log = capturingLogger();
      // Client limit far above the server's: the server's 429s must be absorbed.
      const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, requestsPerMinute: 6000, concurrency: 6, tuning: FAST_TUNING }, log);
      const got = new Map<number, Float32Array>();
      const vectors = await e.embedDocuments(texts, {
        onEmbedded: (idx, vs) => idx.forEach((k, j) => {
          assert.ok(!got.has(k), `index ${k} reported twice`);
          got.set(k, vs[j]);
        }),
      });
      assert.equal(got.size, texts.length);
      assert.ok(deliveredOnce(fake, texts), 'server delivered each text exactly once');
      assert.equal(fake.counters.texts, texts.length);
      texts.forEach((t, i) => {
        assert.ok(sameVector(vectors[i], expectedDocVector(t)));
        assert.ok(sameVector(got.get(i)!, vectors[i]));
      });
      const r = e.stats().retries;
      for (const cause of ['429', '500', '503', 'reset', 'bad-json']) assert.ok((r[cause] ?? 0) > 0, `retried ${cause}: ${JSON.stringify(r)}`);
      assert.equal(fake.counters.maxBatchSeen, 10);
      assert.ok(fake.counters.byStatus['429'] > (fake.counters.faults['429'] ?? 0), 'the rate limiter itself throttled too');
      console.log(`storm: ${fake.counters.requests} requests for ${Math.ceil(texts.length / 10)} batches; retries ${JSON.stringify(r)}`);
    },
  ));

test('401 mid-run stops at once with an actionable message; what was delivered before is intact', () =>
  withFake({ faults: { unauthorizedAfter: 3 } }, async (fake) => {
    const texts = corpus(80);
    const log = capturingLogger();
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, concurrency: 1, tuning: FAST_TUNING }, log);
    const got = new Map<number, Float32Array>();
    const err = await e.embedDocuments(texts, { onEmbedded: (idx, vs) => idx.forEach((k, j) => got.set(k, vs[j])) }).then(
      () => assert.fail('should fail'),
      (x: unknown) => x,
    );
    assert.ok(err instanceof EmbedError);
    assert.equal(err.kind, 'auth');
    assert.equal(err.status, 401);
    assert.match(err.message, /Semantic Workspace: Set API Key/);
    assert.match(err.message, /DASHSCOPE_API_KEY/);
    assert.match(err.message, /region-bound/);
    assert.equal(fake.counters.requests, 4, 'no retry on 401');
    assert.equal(got.size, 30);
    for (const [k, v] of got) assert.ok(sameVector(v, expectedDocVector(texts[k])));
  }));

test('Arrearage (HTTP 400) → billing; 403 → model not activated; no retries', async () => {
  for (const [fault, kind, re] of [['arrearage', 'billing', /arrears.*billing/], ['403', 'auth', /not activated/]] as const) {
    await withFake({ faults: { schedule: { 1: fault } } }, async (fake) => {
      const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, tuning: FAST_TUNING });
      await assert.rejects(e.embedDocuments(['a']), (x: unknown) => x instanceof EmbedError && x.kind === kind && re.test(x.message));
      assert.equal(fake.counters.requests, 1);
    });
  }
});

test('a request that hangs past the timeout is retried', { timeout: 8000 }, () =>
  withFake({ faults: { schedule: { 1: 'hang' }, hangMs: 10_000 } }, async (fake) => {
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, timeoutMs: 200, tuning: FAST_TUNING });
    // The hang lasts 10 s: only a retry after the 200 ms timeout answers before the test's own
    // timeout — counted, not timed.
    const [v] = await e.embedDocuments(['slow one']);
    assert.ok(sameVector(v, expectedDocVector('slow one')));
    assert.equal(e.stats().retries.timeout, 1);
    assert.equal(fake.counters.requests, 2);
  }));

test('Retry-After is honoured', () =>
  withFake({ faults: { schedule: { 1: '429' }, retryAfterMs: 300 } }, async (fake) => {
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, tuning: FAST_TUNING });
    const t0 = Date.now();
    await e.embedDocuments(['x']);
    assert.ok(Date.now() - t0 >= 290, `waited ${Date.now() - t0} ms`);
    assert.equal(fake.counters.requests, 2);
  }));

test('retries are bounded: persistent 503 ends with a network EmbedError', () =>
  withFake({ faults: { probabilities: { '503': 1 } } }, async (fake) => {
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, tuning: { ...FAST_TUNING, maxRetries: 3 } });
    await assert.rejects(e.embedDocuments(['x']), (x: unknown) => x instanceof EmbedError && x.kind === 'network' && /4 attempts/.test(x.message));
    assert.equal(fake.counters.requests, 4);
  }));

test('cancellation mid-run: rejects as cancelled, stops sending, keeps delivered batches', () =>
  withFake({ latencyMs: 20 }, async (fake) => {
    const texts = corpus(200);
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, concurrency: 2, tuning: FAST_TUNING });
    const ac = new AbortController();
    const got = new Map<number, Float32Array>();
    await assert.rejects(
      e.embedDocuments(texts, {
        signal: ac.signal,
        onEmbedded: (idx, vs) => {
          idx.forEach((k, j) => got.set(k, vs[j]));
          if (got.size >= 40) ac.abort();
        },
      }),
      (x: unknown) => x instanceof EmbedError && x.kind === 'cancelled',
    );
    // Requests already on the wire may still reach the server; after that, silence.
    await new Promise((r) => setTimeout(r, 50));
    const sent = fake.counters.requests;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(fake.counters.requests, sent, 'nothing sent after cancel');
    assert.ok(sent < 20);
    for (const [k, v] of got) assert.ok(sameVector(v, expectedDocVector(texts[k])));
  }));

test('the API key never appears in errors, stacks or log lines', async () => {
  const key = 'sk-LEAKCHECK0123456789abcdefLEAK';
  const log = capturingLogger();
  const seen: string[] = [];
  const collect = (x: unknown) => {
    if (x instanceof Error) seen.push(x.message, x.stack ?? '', JSON.stringify(x));
  };
  await withFake({ key: 'sk-the-only-good-key', faults: { probabilities: { '500': 0.5 }, seed: 3 } }, async (fake) => {
    for (const transport of ['native', 'compatible'] as const) {
      const e = createDashScopeEmbedder({ apiKey: key, baseUrl: fake.url, transport, tuning: FAST_TUNING }, log);
      await e.embedDocuments(corpus(20)).catch(collect);
      await e.embedQuery('q', 'doc-search').catch(collect);
    }
  });
  // A dead server: network errors.
  const e = createDashScopeEmbedder({ apiKey: key, baseUrl: 'http://127.0.0.1:1', tuning: { ...FAST_TUNING, maxRetries: 1 } }, log);
  await e.embedDocuments(['x']).catch(collect);
  assert.ok(seen.length >= 5);
  for (const line of [...seen, ...log.lines]) assert.ok(!line.includes(key) && !line.includes(key.slice(3)), `leak: ${line}`);
});

test('throttled for longer than the patience → rate-limit EmbedError with advice', () =>
  withFake({ faults: { probabilities: { '429': 1 } } }, async (fake) => {
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, tuning: { ...FAST_TUNING, rateLimitPatienceMs: 300 } });
    await assert.rejects(e.embedDocuments(['x']), (x: unknown) => x instanceof EmbedError && x.kind === 'rate-limit' && /requestsPerMinute/.test(x.message));
  }));
