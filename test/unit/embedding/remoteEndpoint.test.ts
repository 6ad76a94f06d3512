/**
 * The endpoint the consent dialog names is the one the request goes to: `remoteEndpoint` (used by
 * the extension's settings.ts) and the embedders share one resolver each (issue #13).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createEmbedder, remoteEndpoint } from '../../../src/core/embedderFactory';
import { DASHSCOPE_REGION_ORIGINS } from '../../../src/core/embedding/dashscopeEndpoints';
import { COMPAT_ROUTE, NATIVE_ROUTE, startFakeDashScope, type FakeDashScope } from '../../fake-dashscope/server';

let fake: FakeDashScope;
before(async () => {
  fake = await startFakeDashScope();
});
after(() => fake.close());

test('defaults come from the core tables: DashScope regions and api.openai.com', () => {
  for (const [region, origin] of Object.entries(DASHSCOPE_REGION_ORIGINS)) {
    const e = remoteEndpoint('dashscope', { region: region as never })!;
    assert.equal(e.origin, origin);
    assert.equal(e.region, region);
    assert.ok(e.url.endsWith(NATIVE_ROUTE));
  }
  assert.equal(remoteEndpoint('openai', {})!.url, 'https://api.openai.com/v1/embeddings');
  assert.equal(remoteEndpoint('offline'), undefined);
});

test('the URL named is the URL the embedder POSTs to (native, compatible, OpenAI-compatible)', async () => {
  const cases = [
    { provider: 'dashscope' as const, remote: { baseUrl: fake.url, transport: 'native' as const }, route: 'native' as const },
    { provider: 'dashscope' as const, remote: { baseUrl: `${fake.url}/compatible-mode/v1`, transport: 'compatible' as const }, route: 'compatible' as const },
    { provider: 'openai' as const, remote: { baseUrl: `${fake.url}/compatible-mode/v1/`, model: 'text-embedding-v4', dimensions: 64 }, route: 'compatible' as const },
  ];
  for (const c of cases) {
    const named = remoteEndpoint(c.provider, c.remote)!;
    assert.equal(named.origin, fake.url);
    assert.equal(named.url, `${fake.url}${c.route === 'native' ? NATIVE_ROUTE : COMPAT_ROUTE}`);
    fake.reset();
    const embedder = createEmbedder({ root: '/tmp', provider: c.provider, apiKey: 'sk-test-endpoint', remote: c.remote });
    await embedder.embedQuery('where is the rate limiter', 'code-search');
    assert.equal(fake.counters.byEndpoint[c.route], 1, `${c.provider}/${c.route}: the request went to the named route`);
    assert.equal(fake.counters.requests, 1);
  }
});
