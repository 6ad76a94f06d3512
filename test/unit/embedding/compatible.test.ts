/** The OpenAI-compatible path (DashScope compatible-mode and the generic OpenAI embedder) via the `openai` package. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDashScopeEmbedder } from '../../../src/core/embedding/dashscope';
import { EmbedError } from '../../../src/core/embedding/errors';
import { QUERY_INSTRUCTIONS } from '../../../src/core/embedding/instructions';
import { createOpenAIEmbedder } from '../../../src/core/embedding/openaiEmbedder';
import { decodeBase64Floats } from '../../../src/core/embedding/vectors';
import { FAST_TUNING, TEST_KEY, capturingLogger, corpus, deliveredOnce, expectedDocVector, sameVector, withFake } from './helpers';

type CompatBody = { model: string; input: string[]; dimensions?: number; encoding_format?: string };

test('DashScope compatible transport: ≤ 10 per request, encoding_format float, `dimensions` (plural)', () =>
  withFake({}, async (fake) => {
    const texts = corpus(33);
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: `${fake.url}/compatible-mode/v1`, transport: 'compatible', dimensions: 512, tuning: FAST_TUNING });
    const v = await e.embedDocuments(texts);
    assert.equal(fake.counters.byEndpoint.compatible, 4);
    assert.equal(fake.counters.byEndpoint.native, 0);
    assert.ok(deliveredOnce(fake, texts));
    texts.forEach((t, i) => assert.ok(sameVector(v[i], expectedDocVector(t, 512))));
    for (const b of fake.counters.lastBodies as CompatBody[]) {
      assert.equal(b.encoding_format, 'float');
      assert.equal(b.dimensions, 512);
      assert.ok(b.input.length <= 10);
    }
    assert.match(e.fingerprint, /query=plain$/);
    assert.equal(e.stats().tokens, fake.counters.tokens);
  }));

for (const mode of ['honor', 'ignore', 'reject', 'always'] as const) {
  test(`base64 mode "${mode}": our float request works; base64 replies are decoded`, () =>
    withFake({ base64: mode }, async (fake) => {
      const texts = corpus(12);
      const e = createOpenAIEmbedder({ apiKey: TEST_KEY, baseUrl: `${fake.url}/compatible-mode/v1`, model: 'text-embedding-v4', dimensions: 256, tuning: FAST_TUNING });
      const v = await e.embedDocuments(texts);
      texts.forEach((t, i) => assert.ok(sameVector(v[i], expectedDocVector(t, 256)), `${mode} ${i}`));
      assert.equal(fake.counters.byStatus['400'], undefined);
    }));
}

test('the fake honours base64 when asked (raw HTTP), and the decoder round-trips', () =>
  withFake({ base64: 'honor' }, async (fake) => {
    const res = await fetch(`${fake.url}/compatible-mode/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'text-embedding-v4', input: ['hello world'], dimensions: 64, encoding_format: 'base64' }),
    });
    const json = (await res.json()) as { data: { embedding: string }[] };
    assert.equal(typeof json.data[0].embedding, 'string');
    assert.ok(sameVector(decodeBase64Floats(json.data[0].embedding), expectedDocVector('hello world', 64)));
  }));

test('wrong-length vectors are rejected with a clear error and never reported as done', async () => {
  for (const fault of ['wrong-length', 'non-finite'] as const) {
    await withFake({ faults: { schedule: { 2: fault } } }, async (fake) => {
      const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, transport: 'compatible', concurrency: 1, tuning: FAST_TUNING });
      const done: number[] = [];
      await assert.rejects(
        e.embedDocuments(corpus(30), { onEmbedded: (idx) => done.push(...idx) }),
        (x: unknown) => x instanceof EmbedError && x.kind === 'invalid-reply' && (fault === 'wrong-length' ? /1023-dimensional vector where 1024/ : /non-finite/).test(x.message),
      );
      assert.deepEqual(done, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'only the first (good) batch');
    });
  }
  // Same on the native path.
  await withFake({ faults: { schedule: { 1: 'wrong-length' } } }, async (fake) => {
    const e = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: fake.url, tuning: FAST_TUNING });
    await assert.rejects(e.embedDocuments(['a']), (x: unknown) => x instanceof EmbedError && x.kind === 'invalid-reply');
  });
});

test('OpenAI-compatible embedder: learns dimensions from the first reply, then enforces them', () =>
  withFake({}, async (fake) => {
    const log = capturingLogger();
    const e = createOpenAIEmbedder({ apiKey: TEST_KEY, baseUrl: `${fake.url}/compatible-mode/v1/`, model: 'text-embedding-v4', tuning: FAST_TUNING }, log);
    assert.equal(e.dimensions, 0);
    assert.match(e.fingerprint, /\/auto\//);
    assert.equal(await e.resolveDimensions(), 1024);
    assert.equal(e.fingerprint, 'openai/text-embedding-v4/1024/doc=plain/query=plain');
    const body = fake.counters.lastBodies.at(-1) as CompatBody;
    assert.equal(body.dimensions, undefined, 'not sent when not configured');
    assert.equal(body.encoding_format, 'float');
    const texts = corpus(25);
    const v = await e.embedDocuments(texts);
    assert.equal(fake.counters.maxBatchSeen, 10, 'DashScope model → 10 per request');
    texts.forEach((t, i) => assert.ok(sameVector(v[i], expectedDocVector(t))));
    assert.ok(log.lines.some((l) => /1024-dimensional/.test(l)));
  }));

test('OpenAI-compatible embedder: Qwen3 query template, configurable batch size, adapts to a server cap', () =>
  withFake({ maxBatch: 4 }, async (fake) => {
    const e = createOpenAIEmbedder({ apiKey: TEST_KEY, baseUrl: `${fake.url}/compatible-mode/v1`, model: 'text-embedding-v4', batchSize: 8, dimensions: 128, queryTemplate: 'Instruct: {task}\nQuery:{query}', tuning: FAST_TUNING });
    const texts = corpus(20);
    await e.embedDocuments(texts);
    assert.ok(deliveredOnce(fake, texts));
    assert.equal(e.stats().batchLimit, 4);
    await e.embedQuery('find the parser', 'code-search');
    const body = fake.counters.lastBodies.at(-1) as CompatBody;
    assert.deepEqual(body.input, [`Instruct: ${QUERY_INSTRUCTIONS['code-search']}\nQuery:find the parser`]);
    assert.match(e.fingerprint, /query=t[0-9a-f]{8}$/);
  }));

test('OpenAI-compatible embedder: 401 names OPENAI_API_KEY, 429 limit_requests is retried, model required', async () => {
  await withFake({ key: 'sk-right' }, async (fake) => {
    const e = createOpenAIEmbedder({ apiKey: 'sk-wrong-key-123456', baseUrl: `${fake.url}/compatible-mode/v1`, model: 'text-embedding-v4', tuning: FAST_TUNING });
    await assert.rejects(e.embedDocuments(['a']), (x: unknown) => x instanceof EmbedError && x.kind === 'auth' && /OPENAI_API_KEY/.test(x.message) && !x.message.includes('sk-wrong-key-123456'));
  });
  await withFake({ faults: { schedule: { 1: '429', 2: '503' } } }, async (fake) => {
    const e = createOpenAIEmbedder({ apiKey: TEST_KEY, baseUrl: `${fake.url}/compatible-mode/v1`, model: 'text-embedding-v4', tuning: FAST_TUNING });
    await e.embedDocuments(['a']);
    assert.deepEqual(e.stats().retries, { '429': 1, '503': 1 });
  });
  await withFake({}, async (fake) => {
    const e = createOpenAIEmbedder({ apiKey: TEST_KEY, baseUrl: `${fake.url}/compatible-mode/v1`, model: 'no-such-model', tuning: FAST_TUNING });
    await assert.rejects(e.embedDocuments(['a']), (x: unknown) => x instanceof EmbedError && x.kind === 'bad-request' && /no-such-model/.test(x.message));
  });
  assert.throws(() => createOpenAIEmbedder({ baseUrl: 'http://localhost:11434/v1' }), /needs a model name/);
});
