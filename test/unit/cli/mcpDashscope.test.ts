/**
 * `mcp --provider dashscope` against the project's fake DashScope server (real HTTP on 127.0.0.1):
 * with no index nothing is uploaded until `reindex`; queries go out as text_type "query"; and a
 * server started without the flag sends nothing, even with a key and an endpoint in its environment.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startFakeDashScope, type FakeDashScope } from '../../fake-dashscope/server';
import { makeCorpus, tempDir } from './support';
import { startMcp, textOf } from './mcpSupport';

let fake: FakeDashScope;
const corpus = makeCorpus();
const indexDir = path.join(tempDir('sw-mcp-ds-'), 'idx');
let env: Record<string, string>;

before(async () => {
  fake = await startFakeDashScope();
  env = { DASHSCOPE_API_KEY: 'sk-test-mcp', DASHSCOPE_BASE_URL: fake.url };
});
after(async () => {
  await fake?.close();
});

type Body = { input?: { texts?: string[] }; parameters?: { text_type?: string } };

test('with a cloud provider and no index: an error naming reindex, nothing uploaded; reindex builds it; queries use text_type "query"', async () => {
  const s = await startMcp([corpus, '--provider', 'dashscope', '--index-dir', indexDir], env);
  try {
    const r = await s.call('search', { query: 'token bucket rate limiter' });
    assert.equal(r.isError, true);
    assert.match(textOf(r), /no dashscope index .* Call the "reindex" tool/);
    assert.match(textOf(r), /semantic-workspace index .* --provider dashscope/);
    const st = await s.call('index_status', {});
    assert.match(textOf(st), /no dashscope index yet \(call "reindex" to build it\)/);
    assert.equal(fake.counters.requests, 0, 'nothing was sent before reindex');

    const progress: number[] = [];
    const built = await s.call('reindex', {}, { onprogress: (p) => progress.push(p.progress) });
    assert.ok(!built.isError, textOf(built));
    const [report] = (built.structuredContent as { reports: Record<string, unknown>[] }).reports;
    assert.equal(report.filesIndexed, 6);
    assert.equal(report.provider, 'dashscope');
    assert.ok(fake.counters.texts >= 6, 'the chunks were embedded');
    assert.ok((fake.counters.lastBodies as Body[]).every((b) => (b.parameters?.text_type ?? 'document') === 'document'));
    assert.ok(progress.length >= 1, 'reindex sent progress');
    const uploaded = fake.counters.lastBodies.flatMap((b) => (b as Body).input?.texts ?? []).join('\n');
    assert.ok(!uploaded.includes('sk-should-never-be-read'), 'the .env file was not uploaded');

    fake.reset();
    const q = await s.call('search', { query: '列出目录内容 list directory', topK: 3 });
    assert.ok(!q.isError, textOf(q));
    assert.equal((q.structuredContent as { results: { path: string }[] }).results[0].path, 'docs/命令.md');
    const bodies = fake.counters.lastBodies as Body[];
    assert.equal(bodies.length, 1, 'one query embedding, no document re-upload');
    assert.equal(bodies[0].parameters?.text_type, 'query');
    assert.deepEqual(bodies[0].input?.texts?.length, 1);
  } finally {
    await s.close();
  }
});

test('without --provider, the server sends nothing even with a DashScope key and endpoint in its environment', async () => {
  fake.reset();
  const s = await startMcp([corpus, '--index-dir', path.join(tempDir('sw-mcp-off-'), 'idx')], env);
  try {
    const r = await s.call('search', { query: 'token bucket rate limiter', topK: 1 });
    assert.ok(!r.isError, textOf(r));
    assert.equal((r.structuredContent as { results: { path: string }[] }).results[0].path, 'src/rate_limiter.ts');
    await s.call('classify', { text: 'token bucket', labels: ['rate limiting', 'mail'] });
    await s.call('reindex', {});
    assert.equal(fake.counters.requests, 0);
  } finally {
    await s.close();
  }
});
