/** Rerank cost in the estimate, the token budget across searches, and where a rerank is sent. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NATIVE_RERANK_PATH, estimateRerankCostUSD, type RerankConfig } from '../../../src/core/embedding/rerank';
import { RerankMeter, estimateRerankPerSearch } from '../../../src/core/embedding/rerankBudget';
import { RerankSetupError, resolveRerankConfig } from '../../../src/core/embedding/rerankConfig';
import { rerankItems } from '../../../src/core/embedding/rerankStage';
import { TEST_KEY, withFake } from './helpers';

const ctx = { provider: 'dashscope' as const, service: 'DashScope (test)', model: 'qwen3-rerank', keyHint: 'set DASHSCOPE_API_KEY' };
const native = (url: string): RerankConfig => ({ api: 'dashscope', url: `${url}/api/v1${NATIVE_RERANK_PATH}`, apiKey: TEST_KEY, model: 'qwen3-rerank', ctx });

const QUERY = 'rotate the log files every night and compress the old ones';
const items = [
  { id: 'sales', score: 0.9, text: 'draw a bar chart of monthly sales' },
  { id: 'http', score: 0.8, text: 'parse an HTTP header into a map of names to values' },
  { id: 'logrotate', score: 0.7, text: 'logrotate: rotate log files daily, compress old logs with gzip, keep seven rotations' },
  { id: 'config', score: 0.6, text: '读取配置文件并返回默认值' },
];
const docOf = async (it: (typeof items)[number]) => it.text;

test('estimate: a rerank over 50 mean-sized chunks, per search and per 1,000 searches, at the model price', () => {
  // 1,000 chunks of 200 tokens: 50 candidates × (12 query + 200 + 8 heading) = 11,000 tokens.
  const e = estimateRerankPerSearch(200_000, 1000);
  assert.equal(e.model, 'qwen3-rerank');
  assert.equal(e.candidates, 50);
  assert.equal(e.tokensPerSearch, 11_000);
  assert.equal(e.costPerSearchUSD, estimateRerankCostUSD(11_000));
  assert.ok(Math.abs(e.costPer1000SearchesUSD - 1.1) < 1e-9, String(e.costPer1000SearchesUSD));
  // A tiny index has fewer candidates; huge chunks are capped by the request limit.
  assert.equal(estimateRerankPerSearch(600, 3).candidates, 3);
  assert.equal(estimateRerankPerSearch(1e9, 1000).tokensPerSearch, 120_000);
  assert.equal(estimateRerankPerSearch(0, 0).tokensPerSearch, 0);
});

test('token budget: reranks count across searches; the one that would pass the budget sends nothing and keeps first-stage order', () =>
  withFake({}, async (fake) => {
    const meter = new RerankMeter();
    const first = await rerankItems(native(fake.url), QUERY, items, docOf, { topK: 3, meter, tokenBudget: 10_000 });
    assert.equal(first.reranked, true);
    assert.equal(first.hits[0].id, 'logrotate');
    assert.notEqual(first.hits[0].score, 0.7, 'the score is the reranker\'s, not the first stage\'s');
    assert.equal(meter.tokens, fake.rerank.tokens, 'the meter counts what the server billed');
    const spent = meter.tokens;
    // A budget just above what was spent: the next rerank would pass it.
    const before = fake.rerank.requests;
    const second = await rerankItems(native(fake.url), QUERY, items, docOf, { topK: 3, meter, tokenBudget: spent + 5 });
    assert.equal(second.reranked, false);
    assert.equal(second.skipped, 'budget');
    assert.deepEqual(second.hits.map((h) => h.id), ['sales', 'http', 'logrotate']);
    assert.match(second.note ?? '', /token budget/);
    assert.equal(fake.rerank.requests, before, 'a rerank over budget must not be sent');
    assert.equal(meter.tokens, spent);
    // No budget: no limit.
    const third = await rerankItems(native(fake.url), QUERY, items, docOf, { topK: 2, meter });
    assert.equal(third.reranked, true);
    assert.ok(meter.tokens > spent);
  }));

test('rerank target: DashScope native route of the region or base URL; an OpenAI-compatible server needs base URL and model', () => {
  const sg = resolveRerankConfig({ provider: 'dashscope', keyHint: 'k' });
  assert.equal(sg.url, `https://dashscope-intl.aliyuncs.com/api/v1${NATIVE_RERANK_PATH}`);
  assert.equal(sg.model, 'qwen3-rerank');
  const bj = resolveRerankConfig({ provider: 'dashscope', region: 'beijing', keyHint: 'k', model: 'gte-rerank-v2' });
  assert.equal(bj.url, `https://dashscope.aliyuncs.com/api/v1${NATIVE_RERANK_PATH}`);
  assert.equal(bj.model, 'gte-rerank-v2');
  const custom = resolveRerankConfig({ provider: 'dashscope', baseUrl: 'http://127.0.0.1:9/compatible-mode/v1', keyHint: 'k' });
  assert.equal(custom.url, `http://127.0.0.1:9/api/v1${NATIVE_RERANK_PATH}`);
  const vllm = resolveRerankConfig({ provider: 'openai', baseUrl: 'http://127.0.0.1:8000/v1/', model: 'Qwen/Qwen3-Reranker-0.6B', keyHint: 'k' });
  assert.equal(vllm.url, 'http://127.0.0.1:8000/v1/rerank');
  assert.equal(vllm.api, 'openai');
  assert.throws(() => resolveRerankConfig({ provider: 'openai', model: 'm', keyHint: 'k' }), (e: unknown) => e instanceof RerankSetupError && /base URL/.test((e as Error).message));
  assert.throws(() => resolveRerankConfig({ provider: 'openai', baseUrl: 'http://x/v1', keyHint: 'k' }), (e: unknown) => e instanceof RerankSetupError && /model/.test((e as Error).message));
});
