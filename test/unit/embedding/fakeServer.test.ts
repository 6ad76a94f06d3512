/** The fake itself: validation order, documented bodies, vectors that rank, the CLI. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { COMPAT_ROUTE, NATIVE_ROUTE, cosine, fakeEmbedding, fakeTokenCount } from '../../fake-dashscope/server';
import { TEST_KEY, withFake } from './helpers';

async function post(url: string, body: unknown, key = TEST_KEY) {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

test('native: validation order and documented error bodies', () =>
  withFake({}, async (fake) => {
    const url = fake.url + NATIVE_ROUTE;
    const ok = { model: 'text-embedding-v4', input: { texts: ['a b'] }, parameters: { dimension: 64 } };
    let r = await post(url, ok, 'sk-bad-key');
    assert.equal(r.status, 401);
    assert.match(r.text, /^\{"code":"InvalidApiKey","message":"Invalid API-key provided.","request_id":"[0-9a-f-]{36}"\}$/);
    r = await post(url, { ...ok, model: 'text-embedding-v9', input: {} });
    assert.equal(r.status, 404, 'model before input');
    assert.match(r.text, /"code":"ModelNotFound"/);
    r = await post(url, { ...ok, input: { texts: [] } });
    assert.match(r.text, /BadRequest.EmptyInput/);
    r = await post(url, { ...ok, input: { texts: Array(11).fill('') } });
    assert.match(r.text, /should not be larger than 10.: input.contents/, 'batch size before item length');
    r = await post(url, { ...ok, input: { texts: ['x'.repeat(40_000)] }, parameters: { dimension: 7 } });
    assert.match(r.text, /Range of input length should be \[1, 8192\]/, 'item length before dimension');
    r = await post(url, { ...ok, input: { texts: ['fine', ''] } });
    assert.match(r.text, /Range of input length/, 'an empty item fails the whole batch');
    r = await post(url, { ...ok, parameters: { dimension: 7 } });
    assert.match(r.text, /dimension for embedding v3 is invalid/);
    r = await post(url, { ...ok, model: 'text-embedding-v3', parameters: { dimension: 2048 } });
    assert.equal(r.status, 400);
    r = await post(url, 'x'.repeat(16 * 1024 * 1024 + 10));
    assert.equal(r.status, 413);
    r = await post(url, ok);
    assert.match(r.text, /^\{"output":\{"embeddings":\[\{"embedding":\[[^\]]+\],"text_index":0\}\]\},"usage":\{"total_tokens":\d+\},"request_id":"[0-9a-f-]{36}"\}$/);
  }));

test('compatible: success key order, 401 / 429 bodies, encoding_format modes', async () => {
  await withFake({ rpm: 60, base64: 'reject' }, async (fake) => {
    const url = fake.url + COMPAT_ROUTE;
    const ok = { model: 'text-embedding-v4', input: 'hello world', dimensions: 64 };
    let r = await post(url, ok, 'nokey');
    assert.match(r.text, /^\{"error":\{"message":"Incorrect API key provided\.[^"]*","type":"invalid_request_error","param":null,"code":"invalid_api_key"\},"request_id":"[0-9a-f-]{36}"\}$/);
    r = await post(url, { ...ok, encoding_format: 'base64' });
    assert.equal(r.status, 400);
    r = await post(url, { ...ok, encoding_format: 'int8' });
    assert.equal(r.status, 400);
    r = await post(url, ok);
    assert.match(r.text, /^\{"data":\[\{"embedding":\[[^\]]+\],"index":0,"object":"embedding"\}\],"model":"text-embedding-v4","object":"list","usage":\{"prompt_tokens":(\d+),"total_tokens":\1\},"id":"[0-9a-f-]{36}"\}$/);
    r = await post(url, ok); // rpm 60 → bucket of 1: the second request is throttled
    assert.equal(r.status, 429);
    assert.match(r.text, /"code":"limit_requests"/);
  });
  await withFake({ tpm: 60, faults: {} }, async (fake) => {
    await post(fake.url + NATIVE_ROUTE, { model: 'text-embedding-v4', input: { texts: ['one two three four five six seven'] } });
    const r = await post(fake.url + NATIVE_ROUTE, { model: 'text-embedding-v4', input: { texts: ['more words here'] } });
    assert.equal(r.status, 429);
    assert.match(r.text, /Throttling.AllocationQuota/);
  });
  await withFake({ burst: 1, faults: {} }, async (fake) => {
    await post(fake.url + NATIVE_ROUTE, { model: 'text-embedding-v4', input: { texts: ['a'] } });
    const r = await post(fake.url + NATIVE_ROUTE, { model: 'text-embedding-v4', input: { texts: ['a'] } });
    assert.match(r.text, /Throttling.BurstRate/);
  });
});

test('vectors: deterministic, normalized, Matryoshka prefixes, shared words are near, CJK too', () => {
  const p = (dims: number) => ({ model: 'text-embedding-v4', dims });
  const a = fakeEmbedding('parse the http header value', p(2048));
  assert.ok(Math.abs(Math.hypot(...a) - 1) < 1e-5);
  const a64 = fakeEmbedding('parse the http header value', p(64));
  const prefix = a.slice(0, 64);
  const n = Math.hypot(...prefix);
  assert.ok(a64.every((x, i) => Math.abs(x - prefix[i] / n) < 1e-6));
  for (const dims of [64, 256, 1024]) {
    const near = cosine(fakeEmbedding('parse http header', p(dims)), fakeEmbedding('function parseHttpHeader(raw)', p(dims)));
    const far = cosine(fakeEmbedding('parse http header', p(dims)), fakeEmbedding('render sidebar icons', p(dims)));
    assert.ok(near > far + 0.2, `${dims}: ${near} vs ${far}`);
  }
  const zh = cosine(fakeEmbedding('向量检索的余弦相似度', p(1024)), fakeEmbedding('余弦相似度计算', p(1024)));
  const zhFar = cosine(fakeEmbedding('向量检索的余弦相似度', p(1024)), fakeEmbedding('今天天气很好', p(1024)));
  assert.ok(zh > zhFar + 0.2);
  assert.equal(fakeTokenCount('你好，世界'), 4);
});

test('CLI prints exactly one line and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fake-dashscope/main.ts', '--port', '0', '--rpm', '600', '--fault', '500=0.1', '--fault-at', '3=reset'], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('\n')) await once(child.stdout, 'data');
  assert.match(out, /^fake-dashscope listening on http:\/\/127\.0\.0\.1:\d+\n$/);
  const url = /http:\/\/[\d.:]+/.exec(out)![0];
  const r = await post(url + NATIVE_ROUTE, { model: 'text-embedding-v4', input: { texts: ['a'] } });
  assert.ok(r.status === 200 || r.status === 500);
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.equal(out.split('\n').filter(Boolean).length, 1);
});
