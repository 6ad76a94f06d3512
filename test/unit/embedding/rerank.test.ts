/** Reranking over real HTTP against the fake server: request shapes, limits, retries inside a budget, fallback. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NATIVE_RERANK_PATH, estimateRerankCostUSD, fitToLimits, limitsFor, rerank, rerankRequestTokens, type RerankConfig } from '../../../src/core/embedding/rerank';
import { rerankHits } from '../../../src/core/embedding/rerankStage';
import type { SearchHit } from '../../../src/core/types';
import { RERANK_OPENAI_ROUTE } from '../../fake-dashscope/rerank';
import { TEST_KEY, withFake } from './helpers';

const ctx = { provider: 'dashscope' as const, service: 'DashScope (test)', model: 'qwen3-rerank', keyHint: 'set DASHSCOPE_API_KEY' };
const native = (url: string, extra: Partial<RerankConfig> = {}): RerankConfig => ({ api: 'dashscope', url: `${url}/api/v1${NATIVE_RERANK_PATH}`, apiKey: TEST_KEY, model: 'qwen3-rerank', ctx, ...extra });

const QUERY = 'rotate the log files every night and compress the old ones';
const ANSWER = 'logrotate: rotate log files daily, compress old logs with gzip, keep seven rotations';
const DISTRACTORS = ['parse an HTTP header into a map of names to values', 'draw a bar chart of monthly sales', '读取配置文件并返回默认值', 'open a TCP socket and send a greeting'];

test('native request shape: model, input {query, documents}, parameters {top_n, instruct}; the planted answer wins', () =>
  withFake({}, async (fake) => {
    const docs = [...DISTRACTORS.slice(0, 2), ANSWER, ...DISTRACTORS.slice(2)];
    const r = await rerank(native(fake.url), QUERY, docs, { topN: 3 });
    assert.equal(r.order[0].index, 2);
    assert.equal(r.order.length, 3);
    for (let i = 1; i < r.order.length; i++) assert.ok(r.order[i - 1].score >= r.order[i].score);
    const body = fake.rerank.lastBodies.at(-1) as { model: string; input: { query: string; documents: string[] }; parameters: Record<string, unknown> };
    assert.equal(body.model, 'qwen3-rerank');
    assert.equal(body.input.query, QUERY);
    assert.deepEqual(body.input.documents, docs);
    assert.equal(body.parameters.top_n, 3);
    assert.equal(body.parameters.return_documents, false);
    assert.match(String(body.parameters.instruct), /retrieve/i);
    // Usage is the §10 formula, and what the client reports.
    assert.equal(r.tokens, fake.rerank.tokens);
    assert.ok(r.tokens > 0);
  }));

test('OpenAI-compatible /v1/rerank shape: {model, query, documents, top_n} → results[index, relevance_score]', () =>
  withFake({}, async (fake) => {
    const cfg: RerankConfig = { api: 'openai', url: `${fake.url}${RERANK_OPENAI_ROUTE}`, model: 'Qwen/Qwen3-Reranker-0.6B', apiKey: TEST_KEY, ctx: { ...ctx, provider: 'openai' } };
    const r = await rerank(cfg, QUERY, [ANSWER, ...DISTRACTORS], { topN: 2 });
    assert.equal(r.order[0].index, 0);
    assert.deepEqual(Object.keys(fake.rerank.lastBodies.at(-1) as object).sort(), ['documents', 'model', 'query', 'top_n']);
  }));

test('limits: ≤ 500 documents, items cut to 4,000 tokens, the tail dropped to fit 120,000 tokens per request', () =>
  withFake({}, async (fake) => {
    const limits = limitsFor('qwen3-rerank');
    const many = Array.from({ length: 600 }, (_, i) => `document ${i} about topic ${i % 7}`);
    const fit = fitToLimits('topic', many, limits);
    assert.equal(fit.documents.length, 500);
    const long = 'word '.repeat(30_000);
    const big = fitToLimits('topic', Array.from({ length: 60 }, () => long), limits);
    assert.ok(big.documents.length < 60 && big.documents.length >= 25, `kept ${big.documents.length}`);
    assert.ok(rerankRequestTokens('topic', big.documents, limits) <= limits.maxRequestTokens);
    // Against the fake: the client's fitted request is accepted …
    const r = await rerank(native(fake.url), 'topic 3', many, { topN: 5 });
    assert.equal(r.sent, 500);
    assert.equal(fake.rerank.maxDocumentsSeen, 500);
    // … and the fake enforces the documented limits on a raw request.
    const post = (documents: string[]) => fetch(`${fake.url}/api/v1${NATIVE_RERANK_PATH}`, {
      method: 'POST', headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'qwen3-rerank', input: { query: 'q', documents } }),
    });
    const tooMany = await post(Array.from({ length: 501 }, () => 'x'));
    assert.equal(tooMany.status, 400);
    assert.match(((await tooMany.json()) as { message: string }).message, /500/);
    const tooBig = await post(Array.from({ length: 40 }, () => long));
    assert.equal(tooBig.status, 400);
    assert.match(((await tooBig.json()) as { message: string }).message, /120000/);
    const truncated = await post([long]);
    assert.equal(truncated.status, 200);
    assert.ok(((await truncated.json()) as { usage: { total_tokens: number } }).usage.total_tokens <= 4002);
  }));

test('a 429 with Retry-After inside the budget is waited out and retried; a 5xx storm falls back within the budget', () =>
  withFake({ faults: { schedule: { 1: '429' }, retryAfterMs: 100 } }, async (fake) => {
    const r = await rerank(native(fake.url), QUERY, [ANSWER, ...DISTRACTORS], { topN: 3, budgetMs: 3000 });
    assert.equal(r.attempts, 2);
    assert.equal(r.order[0].index, 0);
    fake.setFaults({ probabilities: { '500': 1 } });
    const t0 = Date.now();
    await assert.rejects(rerank(native(fake.url), QUERY, [ANSWER], { topN: 1, budgetMs: 600 }));
    assert.ok(Date.now() - t0 < 2000, 'gave up within the budget');
  }));

function hit(path: string, text: string): SearchHit & { text: string } {
  return { chunk: { path, startLine: 1, endLine: 3, kind: 'doc', language: 'markdown', id: 0 } as unknown as SearchHit['chunk'], score: 1, why: { terms: [] }, text };
}

test('rerank stage: re-orders to topK; a hang, a refused key or a throttle beyond the budget keep first-stage order with a note', () =>
  withFake({}, async (fake) => {
    const hits = [...DISTRACTORS.map((d, i) => hit(`d${i}.md`, d)), hit('logrotate.md', ANSWER)];
    const textOf = async (h: SearchHit) => (h as SearchHit & { text: string }).text;
    const ok = await rerankHits(native(fake.url), QUERY, hits, textOf, { topK: 3 });
    assert.equal(ok.reranked, true);
    assert.equal(ok.hits.length, 3);
    assert.equal(ok.hits[0].chunk.path, 'logrotate.md');
    assert.ok(estimateRerankCostUSD(ok.tokens ?? 0) > 0);

    fake.setFaults({ probabilities: { hang: 1 }, hangMs: 5000 });
    const t0 = Date.now();
    const hung = await rerankHits(native(fake.url), QUERY, hits, textOf, { topK: 3, budgetMs: 400 });
    assert.ok(Date.now() - t0 < 2000, `answered after ${Date.now() - t0} ms`);
    assert.equal(hung.reranked, false);
    assert.deepEqual(hung.hits.map((h) => h.chunk.path), ['d0.md', 'd1.md', 'd2.md']);
    assert.match(hung.note ?? '', /first-stage order/);

    fake.setFaults(undefined);
    const before = fake.counters.requests;
    const refused = await rerankHits(native(fake.url, { apiKey: 'sk-bad-key' }), QUERY, hits, textOf, { topK: 3 });
    assert.equal(refused.reranked, false);
    assert.match(refused.note ?? '', /API key/);
    assert.equal(fake.counters.requests - before, 1, 'a refused key is not retried');

    fake.setFaults({ probabilities: { '429': 1 }, retryAfterMs: 60_000 });
    const throttled = await rerankHits(native(fake.url), QUERY, hits, textOf, { topK: 2, budgetMs: 1000 });
    assert.equal(throttled.reranked, false);
    assert.equal(throttled.hits.length, 2);
  }));
