/**
 * Issue #13: nothing reaches an endpoint before consent (`status` never touches the network), and
 * a search on a dead endpoint answers from keywords at once instead of hanging. The bundled CLI
 * runs as a process against the fake DashScope server (real HTTP on 127.0.0.1), which counts
 * every request it receives.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startFakeDashScope, type FakeDashScope } from '../../fake-dashscope/server';
import { runCliAsync } from './asyncCli';
import { makeCorpus, tempDir } from './support';

let fake: FakeDashScope;
const corpus = makeCorpus();
const requests = () => fake.counters.requests + fake.counters.byEndpoint.other;

before(async () => {
  fake = await startFakeDashScope();
});
after(() => fake.close());

function openaiArgs(indexDir: string): string[] {
  return ['--provider', 'openai', '--model', 'text-embedding-v4', '--index-dir', indexDir, '--json'];
}
const openaiEnv = () => ({ OPENAI_BASE_URL: `${fake.url}/compatible-mode/v1`, OPENAI_API_KEY: 'sk-test-openai' });
const dashEnv = (extra: Record<string, string> = {}) => ({ DASHSCOPE_BASE_URL: fake.url, DASHSCOPE_API_KEY: 'sk-test-dash', ...extra });

test('status, search without an index and a dry run send nothing, even for an OpenAI-compatible server of unknown vector length', async () => {
  const indexDir = path.join(tempDir('sw-quiet-'), 'idx');
  fake.reset();
  const status = await runCliAsync(['status', corpus, ...openaiArgs(indexDir)], openaiEnv());
  assert.equal(status.status, 2, status.stderr); // no index yet
  assert.equal(JSON.parse(status.stdout).exists, false);
  const search = await runCliAsync(['search', corpus, 'token bucket', ...openaiArgs(indexDir)], openaiEnv());
  assert.equal(search.status, 2, search.stderr);
  const dry = await runCliAsync(['index', corpus, '--dry-run', ...openaiArgs(indexDir)], openaiEnv());
  assert.equal(dry.status, 0, dry.stderr);
  assert.ok(JSON.parse(dry.stdout).chunks > 0);
  const dashStatus = await runCliAsync(['status', corpus, '--provider', 'dashscope', '--index-dir', indexDir, '--json'], dashEnv());
  assert.equal(dashStatus.status, 2, dashStatus.stderr);
  assert.equal(requests(), 0, 'the server saw no request before the first real index run');
});

test('after an index run, status finds the index from disk (the learned vector length is remembered) with 0 requests', async () => {
  const indexDir = path.join(tempDir('sw-quiet-'), 'idx');
  const indexed = await runCliAsync(['index', corpus, ...openaiArgs(indexDir)], openaiEnv());
  assert.equal(indexed.status, 0, indexed.stderr);
  fake.reset();
  const status = await runCliAsync(['status', corpus, ...openaiArgs(indexDir)], openaiEnv());
  assert.equal(status.status, 0, status.stderr);
  const s = JSON.parse(status.stdout);
  assert.equal(s.exists, true);
  assert.ok(s.chunks > 0 && s.hasVectors);
  assert.equal(requests(), 0, 'status never touches the network');
  // A search sends exactly its query — no dimension probe first.
  const search = await runCliAsync(['search', corpus, 'token bucket', ...openaiArgs(indexDir)], openaiEnv());
  assert.equal(search.status, 0, search.stderr);
  assert.equal(fake.counters.requests, 1);
  assert.equal(JSON.parse(search.stdout).degraded, undefined);
});

test('a search on a never-answering endpoint answers from keywords: degraded on every line, one stderr line, exit 0, ≤ 2 attempts', async () => {
  const indexDir = path.join(tempDir('sw-degraded-'), 'idx');
  fake.reset();
  fake.setFaults(undefined);
  const indexed = await runCliAsync(['index', corpus, '--provider', 'dashscope', '--index-dir', indexDir, '--json'], dashEnv());
  assert.equal(indexed.status, 0, indexed.stderr);

  const queries = path.join(tempDir('sw-degraded-q-'), 'q.jsonl');
  fs.writeFileSync(queries, ['token bucket rate limiter', 'mailbox message count', '列出目录内容'].map((query) => JSON.stringify({ query })).join('\n'));
  fake.reset();
  fake.setFaults({ probabilities: { hang: 1 }, hangMs: 60_000 });
  try {
    const r = await runCliAsync(['search', corpus, '--queries-file', queries, '--provider', 'dashscope', '--index-dir', indexDir, '--json', '--top-k', '3'],
      dashEnv({ SEMANTIC_WORKSPACE_QUERY_BUDGET_MS: '1200' }));
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    for (const line of lines) {
      assert.equal(line.degraded, 'keyword');
      assert.ok(line.results.length >= 1, `keyword results for ${line.query}`);
    }
    assert.equal(lines[0].results[0].path, 'src/rate_limiter.ts');
    assert.equal(lines[2].results[0].path, 'docs/命令.md');
    const stderrLines = r.stderr.trim().split('\n').filter((l) => l.trim());
    assert.equal(stderrLines.length, 1, r.stderr);
    assert.match(stderrLines[0], /Keyword results only/);
    assert.ok(fake.counters.requests >= 1 && fake.counters.requests <= 2, `attempts: ${fake.counters.requests}`);
  } finally {
    fake.setFaults(undefined);
  }
});

test('a 429 whose Retry-After fits the budget is waited out and the search is not degraded', async () => {
  const indexDir = path.join(tempDir('sw-degraded-'), 'idx');
  const indexed = await runCliAsync(['index', corpus, '--provider', 'dashscope', '--index-dir', indexDir, '--json'], dashEnv());
  assert.equal(indexed.status, 0, indexed.stderr);
  fake.reset();
  fake.setFaults({ schedule: { 1: '429' }, retryAfterMs: 300 });
  try {
    const r = await runCliAsync(['search', corpus, 'token bucket', '--provider', 'dashscope', '--index-dir', indexDir, '--json'], dashEnv());
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).degraded, undefined);
    assert.equal(fake.counters.requests, 2);
  } finally {
    fake.setFaults(undefined);
  }
});

test('topK means topK: offline `search 缓存策略 --top-k 10` over the fixture workspace returns 10 hits', async () => {
  const ws = path.resolve(__dirname, '../../fixtures/workspace');
  const indexDir = path.join(tempDir('sw-topk-'), 'idx');
  const indexed = await runCliAsync(['index', ws, '--index-dir', indexDir, '--json']);
  assert.equal(indexed.status, 0, indexed.stderr);
  const chunks = JSON.parse(indexed.stdout).chunks as number;
  assert.ok(chunks > 10, `chunks: ${chunks}`);
  for (const topK of [10, 50]) {
    const r = await runCliAsync(['search', ws, '缓存策略', '--index-dir', indexDir, '--json', '--top-k', String(topK)]);
    assert.equal(r.status, 0, r.stderr);
    const { results } = JSON.parse(r.stdout);
    assert.equal(results.length, Math.min(topK, chunks), `--top-k ${topK}`);
    assert.equal(results[0].path, 'notes/缓存策略.md');
  }
});
