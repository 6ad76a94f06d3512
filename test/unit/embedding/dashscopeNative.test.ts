/** DashScope native API over real HTTP against the fake: batching, text types, limits, sparse. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDashScopeEmbedder } from '../../../src/core/embedding/dashscope';
import { EmbedError } from '../../../src/core/embedding/errors';
import { QUERY_INSTRUCTIONS } from '../../../src/core/embedding/instructions';
import { cosine, fakeEmbedding } from '../../fake-dashscope/server';
import { FAST_TUNING, TEST_KEY, capturingLogger, corpus, deliveredOnce, expectedDocVector, sameVector, withFake } from './helpers';

test('documents: ≤ 10 texts per request, ceil(n/10) requests, text_type document, vectors equal the server’s', () =>
  withFake({}, async (fake) => {
    const texts = corpus(95);
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, tuning: FAST_TUNING });
    const seen: number[] = [];
    const vectors = await e.embedDocuments(texts, { onEmbedded: (idx) => seen.push(...idx) });
    assert.equal(fake.counters.requests, Math.ceil(95 / 10));
    assert.equal(fake.counters.maxBatchSeen, 10);
    assert.ok(deliveredOnce(fake, texts));
    assert.deepEqual([...seen].sort((a, b) => a - b), texts.map((_, i) => i));
    texts.forEach((t, i) => assert.ok(sameVector(vectors[i], expectedDocVector(t)), `vector ${i}`));
    for (const body of fake.counters.lastBodies as { input: { texts: string[] }; parameters: Record<string, unknown> }[]) {
      assert.equal(body.parameters.text_type, 'document');
      assert.equal(body.parameters.dimension, 1024);
      assert.equal(body.parameters.instruct, undefined);
      assert.ok(body.input.texts.length <= 10);
    }
    const s = e.stats();
    assert.equal(s.requests, 10);
    assert.equal(s.texts, 95);
    assert.equal(s.tokens, fake.counters.tokens);
    assert.equal(e.dimensions, 1024);
    assert.match(e.fingerprint, /^dashscope\/text-embedding-v4\/1024\/doc=document\/query=query\+instruct\.v1$/);
  }));

test('queries: text_type query + the task instruction; the matching document ranks first', () =>
  withFake({}, async (fake) => {
    const docs = ['function parseHttpHeader(raw) { return headers }', 'open database connection pool', '计算向量的余弦相似度', 'render sidebar tree view'];
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, dimensions: 256 });
    const dv = await e.embedDocuments(docs);
    for (const [query, want] of [['parse http header', 0], ['database connection', 1], ['余弦相似度', 2]] as const) {
      const q = await e.embedQuery(query, 'code-search');
      const body = fake.counters.lastBodies.at(-1) as { parameters: Record<string, unknown> };
      assert.equal(body.parameters.text_type, 'query');
      assert.equal(body.parameters.instruct, QUERY_INSTRUCTIONS['code-search']);
      assert.ok(sameVector(q, fakeEmbedding(query, { model: 'text-embedding-v4', dims: 256, textType: 'query', instruct: QUERY_INSTRUCTIONS['code-search'] })));
      const scores = dv.map((d) => cosine(q, d));
      assert.equal(scores.indexOf(Math.max(...scores)), want, `${query}: ${scores.map((s) => s.toFixed(3))}`);
    }
    for (const task of Object.keys(QUERY_INSTRUCTIONS) as (keyof typeof QUERY_INSTRUCTIONS)[]) {
      assert.match(QUERY_INSTRUCTIONS[task], /^[A-Z][A-Za-z ,()-]+$/, 'English, one sentence');
    }
  }));

test('v3: no instruct (v4 only), text_type still query', () =>
  withFake({}, async (fake) => {
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: `${fake.url}/api/v1`, model: 'text-embedding-v3', dimensions: 512 });
    await e.embedQuery('hello', 'doc-search');
    const body = fake.counters.lastBodies.at(-1) as { model: string; parameters: Record<string, unknown> };
    assert.equal(body.model, 'text-embedding-v3');
    assert.equal(body.parameters.text_type, 'query');
    assert.equal(body.parameters.instruct, undefined);
    assert.match(e.fingerprint, /query=query$/);
  }));

test('no text over 8,192 tokens is ever sent: long texts are cut (CJK-aware) with a warning', () =>
  withFake({}, async (fake) => {
    const log = capturingLogger();
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, tuning: FAST_TUNING }, log);
    const texts = ['x = compute(y);\n'.repeat(4000), '中文段落，讲述向量检索。'.repeat(2000), 'short one'];
    const v = await e.embedDocuments(texts);
    assert.equal(v.length, 3);
    assert.equal(fake.counters.byStatus['400'], undefined);
    assert.ok(fake.counters.maxItemTokensSeen <= 8192, `max item ${fake.counters.maxItemTokensSeen}`);
    assert.ok(fake.counters.maxItemTokensSeen > 5000, 'truncation keeps most of the text');
    assert.equal(e.stats().truncatedTexts, 2);
    assert.equal(log.lines.filter((l) => l.startsWith('warn') && /cut to/.test(l)).length, 2);
  }));

test('adapts to "should not be larger than N" and re-splits', () =>
  withFake({ maxBatch: 6 }, async (fake) => {
    const texts = corpus(47);
    const log = capturingLogger();
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, tuning: FAST_TUNING, concurrency: 3 }, log);
    const vectors = await e.embedDocuments(texts);
    assert.ok(deliveredOnce(fake, texts));
    texts.forEach((t, i) => assert.ok(sameVector(vectors[i], expectedDocVector(t))));
    assert.equal(e.stats().batchLimit, 6);
    assert.ok((e.stats().retries['batch-limit'] ?? 0) >= 1);
    assert.ok(log.lines.some((l) => /at most 6 texts/.test(l)));
    // Once learned, later runs go straight to 6.
    fake.reset();
    await e.embedDocuments(corpus(12, 'again'));
    assert.equal(fake.counters.requests, 2);
  }));

test('sparse output: dense&sparse parsed into {index, value, token}', () =>
  withFake({}, async (fake) => {
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, sparse: true, dimensions: 64 });
    const r = await e.embedDocumentsWithSparse(['vector search with sparse weights', 'another text']);
    const body = fake.counters.lastBodies.at(-1) as { parameters: Record<string, unknown> };
    assert.equal(body.parameters.output_type, 'dense&sparse');
    assert.equal(r.vectors[0].length, 64);
    assert.ok(r.sparse?.[0]?.some((s) => s.token === 'vector' && s.value > 0 && s.index >= 0 && s.index < 151_643));
  }));

test('empty / whitespace texts are sent as a placeholder, never as ""', () =>
  withFake({}, async (fake) => {
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url });
    const v = await e.embedDocuments(['', '   ', 'real']);
    assert.equal(v.length, 3);
    assert.equal(fake.counters.byStatus['400'], undefined);
  }));

test('settings are validated up front: dimensions per model, key, URL', () => {
  const bad = (s: Parameters<typeof createDashScopeEmbedder>[0], re: RegExp) =>
    assert.throws(() => createDashScopeEmbedder(s), (e: unknown) => e instanceof EmbedError && re.test(e.message));
  bad({ apiKey: TEST_KEY, dimensions: 100 }, /does not support 100 dimensions.*2048, 1536, 1024/);
  bad({ apiKey: TEST_KEY, model: 'text-embedding-v3', dimensions: 2048 }, /does not support 2048/);
  bad({ apiKey: '' }, /Set API Key.*DASHSCOPE_API_KEY/);
  bad({ apiKey: TEST_KEY, baseUrl: 'not a url' }, /not a valid URL/);
  for (const d of [2048, 1536, 1024, 768, 512, 256, 128, 64]) assert.equal(createDashScopeEmbedder({ apiKey: TEST_KEY, dimensions: d }).dimensions, d);
  assert.equal(createDashScopeEmbedder({ apiKey: TEST_KEY, model: 'text-embedding-v3' }).dimensions, 1024);
  const log = capturingLogger();
  createDashScopeEmbedder({ apiKey: TEST_KEY, model: 'text-embedding-v3', dimensions: 128 }, log);
  assert.ok(log.lines.some((l) => /China site/.test(l)));
  const e = createDashScopeEmbedder({ apiKey: TEST_KEY, region: 'beijing' });
  assert.equal(e.label, 'DashScope text-embedding-v4 (1024-d, Beijing)');
  assert.ok(Math.abs(e.estimateCostUSD(1_000_000) - 0.072) < 1e-12);
});
