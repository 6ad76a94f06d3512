/** Pure helpers: endpoint derivation, token estimates, truncation, cost, proxy rules, key redaction. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateCostUSD, estimateEmbeddingRun } from '../../../src/core/embedding/cost';
import { resolveDashScopeEndpoints } from '../../../src/core/embedding/dashscopeEndpoints';
import { redactKeys, registerSecretKey } from '../../../src/core/embedding/errors';
import { parseRetryAfter } from '../../../src/core/embedding/failures';
import { bypassedByNoProxy, proxyFor } from '../../../src/core/embedding/proxy';
import { estimateTokens, truncateToTokens } from '../../../src/core/embedding/tokens';

test('regions and custom base URLs derive both endpoints', () => {
  assert.equal(resolveDashScopeEndpoints({}).nativeUrl, 'https://dashscope-intl.aliyuncs.com/api/v1/services/embeddings/text-embedding/text-embedding');
  assert.equal(resolveDashScopeEndpoints({ region: 'beijing' }).compatibleBase, 'https://dashscope.aliyuncs.com/compatible-mode/v1');
  assert.equal(resolveDashScopeEndpoints({ region: 'us' }).origin, 'https://dashscope-us.aliyuncs.com');
  assert.equal(resolveDashScopeEndpoints({ region: 'hongkong' }).origin, 'https://cn-hongkong.dashscope.aliyuncs.com');
  for (const baseUrl of ['https://gw.example.com/ds', 'https://gw.example.com/ds/', 'https://gw.example.com/ds/api/v1', 'https://gw.example.com/ds/compatible-mode/v1', 'https://gw.example.com/ds/compatible-mode', 'https://gw.example.com/ds/compatible-mode/v1/embeddings']) {
    const e = resolveDashScopeEndpoints({ baseUrl });
    assert.equal(e.nativeBase, 'https://gw.example.com/ds/api/v1', baseUrl);
    assert.equal(e.compatibleUrl, 'https://gw.example.com/ds/compatible-mode/v1/embeddings', baseUrl);
    assert.equal(e.label, 'gw.example.com');
  }
  const known = resolveDashScopeEndpoints({ baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1', region: 'singapore' });
  assert.equal(known.region, 'beijing', 'a known host wins over the region setting');
  assert.throws(() => resolveDashScopeEndpoints({ baseUrl: 'ftp://x' }), /http\(s\)/);
});

test('token estimates are CJK-aware and conservative; truncation keeps whole code points', () => {
  assert.equal(estimateTokens('hello world'), Math.ceil(11 / 3.5) + 1);
  assert.equal(estimateTokens('你好世界'), Math.ceil(4 * 0.7) + 1);
  const cjk = '𠀀字'.repeat(20_000);
  const cut = truncateToTokens(cjk, 7500);
  assert.ok(cut.truncated);
  assert.ok(estimateTokens(cut.text) <= 7500);
  assert.ok(!/[\ud800-\udbff]$/.test(cut.text), 'no lone high surrogate');
  const code = 'const x = 1;\n'.repeat(5000);
  const c2 = truncateToTokens(code);
  assert.ok(c2.text.endsWith(';') && estimateTokens(c2.text) <= 7500);
  assert.deepEqual(truncateToTokens('short'), { text: 'short', truncated: false });
});

test('cost: $0.07/1M Singapore, HK, US; $0.072/1M Beijing', () => {
  assert.equal(estimateCostUSD(1_000_000), 0.07);
  assert.equal(estimateCostUSD(1_000_000, 'hongkong'), 0.07);
  assert.equal(estimateCostUSD(1_000_000, 'us'), 0.07);
  assert.equal(estimateCostUSD(2_000_000, 'beijing', 'text-embedding-v3'), 0.144);
  const r = estimateEmbeddingRun(['hello world', '你好']);
  assert.equal(r.tokens, estimateTokens('hello world') + estimateTokens('你好'));
});

test('proxy rules: HTTPS_PROXY, NO_PROXY suffixes/ports/*, loopback always direct', () => {
  const env = { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '.internal.example, exact.host:8443, 10.0.0.1' };
  assert.equal(proxyFor(new URL('https://dashscope-intl.aliyuncs.com'), env)?.host, 'proxy:3128');
  assert.equal(proxyFor(new URL('https://a.internal.example'), env), undefined);
  assert.equal(proxyFor(new URL('https://exact.host:8443'), env), undefined);
  assert.ok(proxyFor(new URL('https://exact.host'), env));
  assert.equal(proxyFor(new URL('http://127.0.0.1:8080'), { HTTP_PROXY: 'http://p:1' }), undefined);
  assert.equal(proxyFor(new URL('http://x.com'), env), undefined, 'HTTPS_PROXY is not used for http');
  assert.ok(bypassedByNoProxy(new URL('https://anything'), '*'));
});

test('Retry-After parsing and key redaction', () => {
  assert.equal(parseRetryAfter({ 'retry-after': '2' }), 2000);
  assert.equal(parseRetryAfter({ 'retry-after-ms': '150' }), 150);
  assert.equal(parseRetryAfter({}), undefined);
  registerSecretKey('my-custom-local-key-42');
  assert.equal(redactKeys('bad key my-custom-local-key-42 and sk-abcdef1234567890'), 'bad key «key» and sk-«key»');
});
