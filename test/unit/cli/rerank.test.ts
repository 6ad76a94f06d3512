/** `search --rerank` through the bundled CLI against the fake DashScope server (real HTTP, real processes). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { startFakeDashScope } from '../../fake-dashscope/server';
import { SMALL_CORPUS, cliPath, tempDir, writeTree } from './support';

function run(args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, NODE_OPTIONS: '', LANG: 'C', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

test('search --rerank: waits for the reranker, reports it, and falls back to first-stage order when it is refused', async () => {
  const fake = await startFakeDashScope();
  try {
    const corpus = tempDir('sw-rerank-');
    writeTree(corpus, SMALL_CORPUS);
    const indexDir = path.join(tempDir('sw-rerank-index-'), 'idx');
    const env = { DASHSCOPE_API_KEY: 'sk-test-rerank', DASHSCOPE_BASE_URL: fake.url };
    const common = ['--index-dir', indexDir, '--provider', 'dashscope', '--json'];
    const idx = await run(['index', corpus, ...common], env);
    assert.equal(idx.code, 0, idx.stderr);
    // The dry run states what reranking each search would add (the estimate), sending nothing.
    fake.reset();
    const dry = await run(['index', corpus, ...common, '--dry-run', '--rerank'], env);
    assert.equal(dry.code, 0, dry.stderr);
    const est = JSON.parse(dry.stdout) as { chunks: number; rerank: { model: string; candidates: number; tokensPerSearch: number; costPer1000SearchesUSD: number } };
    assert.equal(est.rerank.model, 'qwen3-rerank');
    assert.equal(est.rerank.candidates, Math.min(50, est.chunks));
    assert.ok(est.rerank.tokensPerSearch > 0 && est.rerank.costPer1000SearchesUSD > 0);
    assert.equal(fake.rerank.requests, 0, 'a dry run sent a rerank');

    fake.reset();
    const ok = await run(['search', corpus, 'a token bucket that refills at a fixed rate', '--top-k', '3', '--rerank', ...common], env);
    assert.equal(ok.code, 0, ok.stderr);
    const out = JSON.parse(ok.stdout) as { results: { path: string; score: number }[]; rerank: { applied: boolean; model: string; tokens: number; estimatedCostUSD: number } };
    assert.equal(out.rerank.applied, true);
    assert.equal(out.rerank.model, 'qwen3-rerank');
    assert.ok(out.rerank.tokens > 0 && out.rerank.estimatedCostUSD > 0);
    assert.equal(out.results.length, 3);
    assert.equal(out.results[0].path, 'src/rate_limiter.ts');
    assert.equal(fake.rerank.requests, 1);
    const body = fake.rerank.lastBodies[0] as { input: { documents: string[] }; parameters: { top_n: number } };
    assert.ok(body.input.documents.length >= 3 && body.input.documents.length <= 50);
    assert.equal(body.parameters.top_n, 3);

    // The key is revoked after the query embedding: the rerank is refused, the search still answers.
    fake.reset();
    fake.setFaults({ unauthorizedAfter: 1 });
    const refused = await run(['search', corpus, 'a token bucket that refills at a fixed rate', '--top-k', '3', '--rerank', ...common], env);
    assert.equal(refused.code, 0, refused.stderr);
    const r2 = JSON.parse(refused.stdout) as { results: unknown[]; rerank: { applied: boolean; note: string } };
    assert.equal(r2.rerank.applied, false);
    assert.match(r2.rerank.note, /first-stage order/);
    assert.equal(r2.results.length, 3);

    // --token-budget bounds a run's reranks: with 1.5 reranks' worth, the first of two equal
    // queries fits and the second would pass it, so it keeps first-stage order and sends nothing.
    fake.reset();
    fake.setFaults(undefined);
    const queries = path.join(tempDir('sw-rerank-q-'), 'q.jsonl');
    const q = 'a token bucket that refills at a fixed rate';
    writeTree(path.dirname(queries), { 'q.jsonl': `${JSON.stringify({ query: q })}\n${JSON.stringify({ query: q })}\n` });
    const budgeted = await run(['search', corpus, '--queries-file', queries, '--top-k', '3', '--rerank', '--token-budget', String(Math.round(out.rerank.tokens * 1.5)), ...common], env);
    assert.equal(budgeted.code, 0, budgeted.stderr);
    const lines = budgeted.stdout.trim().split('\n').map((l) => JSON.parse(l) as { rerank: { applied: boolean; note?: string } });
    assert.equal(lines.length, 2);
    assert.equal(lines[0].rerank.applied, true, lines[0].rerank.note);
    assert.equal(lines[1].rerank.applied, false);
    assert.match(lines[1].rerank.note ?? '', /token budget/);
    assert.equal(fake.rerank.requests, 1, 'the rerank over budget was sent');

    const offline = await run(['search', corpus, 'token bucket', '--rerank', '--index-dir', indexDir], {});
    assert.equal(offline.code, 2);
    assert.match(offline.stderr, /--rerank needs --provider dashscope or openai/);
  } finally {
    await fake.close();
  }
});
