/**
 * A rerank paces against the same limiter as the embedder of its endpoint (issue #17 item 4: "the
 * same scheduler rules — limits, 429, Retry-After"), over real HTTP to the fake DashScope server:
 * a Retry-After drawn while embedding holds the next rerank back, one drawn by a rerank holds back
 * the next embedding, and a rate learned from embedding 429s paces the rerank — always within the
 * rerank's budget, falling back to first-stage order with a note.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDashScopeEmbedder } from '../../../src/core/embedding/dashscope';
import { EmbedError } from '../../../src/core/embedding/errors';
import type { RateLimiter } from '../../../src/core/embedding/rateLimiter';
import { resolveRerankConfig } from '../../../src/core/embedding/rerankConfig';
import { rerankHits } from '../../../src/core/embedding/rerankStage';
import type { EmbedProgress, SearchHit } from '../../../src/core/types';
import { FAST_TUNING, TEST_KEY, corpus, withFake } from './helpers';

const QUERY = 'rotate the log files every night and compress the old ones';
const ANSWER = 'logrotate: rotate log files daily, compress old logs with gzip, keep seven rotations';
const DISTRACTORS = ['parse an HTTP header into a map of names to values', 'draw a bar chart of monthly sales', '读取配置文件并返回默认值'];

function hits(): (SearchHit & { text: string })[] {
  return [...DISTRACTORS.map((d, i) => ({ path: `d${i}.md`, text: d })), { path: 'logrotate.md', text: ANSWER }].map(({ path, text }) => ({
    chunk: { path, startLine: 1, endLine: 3, kind: 'doc', language: 'markdown', id: 0 } as unknown as SearchHit['chunk'],
    score: 1,
    why: { terms: [] },
    text,
  }));
}
const textOf = async (h: SearchHit) => (h as SearchHit & { text: string }).text;

/** Each test runs on its own fake server (its own origin), so it starts with a fresh endpoint limiter. */
function setup(url: string) {
  const embedder = createDashScopeEmbedder({ apiKey: TEST_KEY, baseUrl: url, dimensions: 64, tuning: FAST_TUNING });
  const cfg = resolveRerankConfig({ provider: 'dashscope', baseUrl: url, apiKey: TEST_KEY, keyHint: 'set DASHSCOPE_API_KEY' });
  const limiter = () => (typeof cfg.limiter === 'function' ? cfg.limiter() : cfg.limiter) as RateLimiter;
  return { embedder, cfg, limiter };
}

test('a Retry-After drawn by a query embedding holds the next rerank back: beyond its budget it falls back at once, sending nothing', () =>
  withFake({ faults: { schedule: { 1: '429' }, retryAfterMs: 30_000 } }, async (fake) => {
    const { embedder, cfg } = setup(fake.url);
    await assert.rejects(embedder.embedQuery('where is the log rotated', 'code-search', { budgetMs: 1500 }), (e) => e instanceof EmbedError && e.kind === 'rate-limit');
    assert.equal(fake.counters.byStatus[429], 1);
    const sent = fake.counters.requests;

    const r = await rerankHits(cfg, QUERY, hits(), textOf, { topK: 2 });
    assert.equal(r.reranked, false);
    assert.deepEqual(r.hits.map((h) => h.chunk.path), ['d0.md', 'd1.md'], 'not the first-stage order');
    assert.match(r.note ?? '', /first-stage order.*Retry-After/);
    assert.equal(fake.counters.requests, sent, 'a rerank went to a server that asked for 30 s of quiet');
  }));

test('a 429 drawn by a rerank is honoured by the next embedding: the query falls back unsent, a batch waits for the rate limit', () =>
  withFake({ faults: { schedule: { 1: '429' }, retryAfterMs: 30_000 } }, async (fake) => {
    const { embedder, cfg } = setup(fake.url);
    const r = await rerankHits(cfg, QUERY, hits(), textOf, { topK: 2, budgetMs: 1000 });
    assert.equal(r.reranked, false);
    assert.match(r.note ?? '', /first-stage order/);
    assert.equal(fake.counters.byStatus[429], 1, 'the rerank was not throttled');
    const sent = fake.counters.requests;

    await assert.rejects(embedder.embedQuery('where is the log rotated', 'code-search', { budgetMs: 1500 }), (e) => e instanceof EmbedError && e.kind === 'rate-limit' && /Retry-After/.test(e.message));
    assert.equal(fake.counters.requests, sent, 'the query embedding ignored the rerank\'s Retry-After');

    // Indexing waits out the pause, and says so ("waiting for rate limit"); nothing is sent meanwhile.
    const stop = new AbortController();
    const waiting = new Promise<EmbedProgress>((resolve) => {
      void embedder.embedDocuments(corpus(3), { signal: stop.signal, onProgress: (p) => p.waiting === 'rate-limit' && resolve(p) }).catch(() => undefined);
    });
    const p = await waiting;
    assert.equal(p.done, 0);
    assert.equal(fake.counters.requests, sent, 'an embedding batch went out during the rerank\'s Retry-After pause');
    stop.abort();
  }));

test('a rate learned from embedding 429s paces the rerank, which still answers within its budget', () =>
  withFake({ rpm: 240 }, async (fake) => {
    const { embedder, cfg, limiter } = setup(fake.url);
    const texts = corpus(120);
    const vectors = await embedder.embedDocuments(texts);
    assert.equal(vectors.length, texts.length);
    assert.ok((fake.counters.byStatus[429] ?? 0) > 0, 'the server never throttled: nothing to learn');
    const learned = limiter().pacingState().learnedRequestsPerMinute;
    assert.ok(learned !== undefined && learned <= 240, `the rerank's limiter does not carry the embedder's learned pace (${learned})`);

    const r = await rerankHits(cfg, QUERY, hits(), textOf, { topK: 2 });
    assert.equal(r.reranked, true, r.note);
    assert.equal(r.hits[0].chunk.path, 'logrotate.md');
  }));
