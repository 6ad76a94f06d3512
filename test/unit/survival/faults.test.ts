/**
 * Suite 2 — faults at scale. ~2,000 chunks (SW_HEAVY=1: ~10,000) indexed with the CLI through the
 * fake DashScope server (own process) while it throws every fault it knows: 429s of every kind
 * (injected, RateQuota / AllocationQuota / BurstRate from rotating server limits, with and without
 * Retry-After), 5% 500/503, 2% connection resets, 1% truncated JSON, hangs that never answer
 * (past the client's `--timeout`) and one wrong-length reply. In the end:
 *  - every chunk was embedded exactly once (the server's per-text counts), nothing else was sent;
 *  - every stored vector equals the server's vector for that text, and `search --mode dense`
 *    scores are the cosines of the fake's query vector with them;
 *  - `index --json` reported what it retried, and that matches what the server did.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { createEmbedder } from '../../../src/core/embedderFactory';
import { openIndex } from '../../../src/core/index';
import { cosine, fakeEmbedding } from '../../fake-dashscope/fakeVectors';
import { FakeProcess, HEAVY, STACK_TRACE, cliEnv, generateCorpus, parseJsonLines, runCli, tempDir, writeCorpus, writeQueries, type CapturedRequest, type SearchLine } from './support';

const KEY = 'sk-faults0123456789abcdef0123456789';
const FILES = HEAVY ? 2750 : 550;
const sha = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');

let fake: FakeProcess;
before(async () => {
  fake = await FakeProcess.start({
    latencyMs: 3,
    faults: {
      seed: 7,
      probabilities: { '500': 0.025, '503': 0.025, '429': 0.02, reset: 0.02, truncated: 0.01, hang: 0.002 },
      // Guaranteed whatever the dice say: three hangs.
      schedule: { 5: 'hang', 37: 'hang', 90: 'hang' },
    },
    // And exactly one wrong-length reply delivered, from request 61 on.
    wrongLengthOnceFrom: 61,
    // Server limits rotate so that every kind of throttling happens within one run. The burst
    // limit (2 requests in any second) sits below any pace the client learns from the other
    // phases' 429s, so BurstRate cannot be avoided by the client's own (correct) slow-down.
    limitPhases: [
      { ms: 1200, limits: { rpm: 900 } },
      { ms: 1200, limits: { tpm: 150_000 }, retryAfterMs: 150 },
      { ms: 1200, limits: { burst: 2 } },
      { ms: 1500, limits: {} },
    ],
  });
});
after(async () => {
  await fake?.stop();
});

test(`faults at scale: ${HEAVY ? '~10,000' : '~2,000'} chunks, every chunk embedded exactly once, vectors equal the server's`, { timeout: 20 * 60_000 }, async (t) => {
  const t0 = Date.now();
  const root = tempDir('sw-faults-root-');
  writeCorpus(root, generateCorpus(4242, FILES, 5));
  const indexDir = path.join(tempDir('sw-faults-idx-'), 'idx');
  const env = cliEnv({ DASHSCOPE_API_KEY: KEY, DASHSCOPE_BASE_URL: fake.url });
  const args = ['index', root, '--provider', 'dashscope', '--index-dir', indexDir, '--json', '--timeout', '2'];

  const runs: { code: number | null; report: Record<string, unknown>; stderr: string; ms: number }[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await runCli(args, { env, timeoutMs: 15 * 60_000 });
    assert.ok(!STACK_TRACE.test(r.stderr), r.stderr);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    runs.push({ code: r.code, report, stderr: r.stderr, ms: r.ms });
    if (r.code === 0 && !report.incomplete) break;
    // The only reason to stop is the wrong-length reply: actionable, nothing of it stored.
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /1023-dimensional vector where 1024 were expected; nothing was stored/);
    assert.match(r.stderr, /run the same command again to resume/);
  }
  const last = runs[runs.length - 1];
  assert.equal(last.code, 0, `no run completed: ${last.stderr}`);
  assert.ok(runs.length >= 2, 'the wrong-length reply stopped a run (a vector of the wrong length is never stored)');

  // Exactly once: every chunk's text delivered once; nothing else was embedded.
  const counters = await fake.counters();
  const reqs = await fake.requests();
  const textByHash = new Map<string, string>();
  for (const q of reqs) {
    let body: { input?: { texts?: string[] } };
    try {
      body = JSON.parse(q.body);
    } catch {
      continue;
    }
    for (const text of body.input?.texts ?? []) textByHash.set(sha(text), text);
  }
  const embedder = createEmbedder({ root, provider: 'dashscope', apiKey: KEY, remote: { baseUrl: fake.url } });
  const opened = openIndex({ indexDir, embedder, fullVerify: true });
  assert.equal(opened.status, 'ok');
  if (opened.status !== 'ok') return;
  const idx = opened.index;
  const chunkHashes = new Set(idx.chunks.map((c) => c.hash));
  const billed = Object.entries(counters.embedCounts);
  const twice = billed.filter(([, n]) => n !== 1);
  assert.deepEqual(twice.map(([h, n]) => `${textByHash.get(h)?.slice(0, 60)} ×${n}`), [], 'texts embedded more than once');
  const strays = billed.filter(([h]) => !chunkHashes.has(h.slice(0, 32)));
  assert.deepEqual(strays.map(([h]) => textByHash.get(h)?.slice(0, 60)), [], 'texts embedded that belong to no chunk');
  assert.equal(billed.length, chunkHashes.size, 'every chunk text embedded');
  assert.ok(idx.chunks.length >= (HEAVY ? 9000 : 1800), `${idx.chunks.length} chunks`);

  // Every stored vector is the server's.
  const byHash32 = new Map([...textByHash].map(([h, text]) => [h.slice(0, 32), text]));
  let compared = 0;
  idx.chunks.forEach((c, row) => {
    const want = fakeEmbedding(byHash32.get(c.hash)!, { model: 'text-embedding-v4', dims: idx.dims, textType: 'document' });
    const got = idx.vectors.subarray(row * idx.dims, (row + 1) * idx.dims);
    assert.ok(want.every((x, i) => x === got[i]), `row ${row} (${c.path}:${c.startLine}) differs from the server's vector`);
    compared++;
  });

  // Dense search scores are the cosines of the fake's query vectors with those rows.
  const queries = ['retry the request after a timeout', 'ledger refund invoice', 'socket stream buffer'];
  await fake.configure({ faults: {}, limitPhases: [] });
  const before = (await fake.requests()).length;
  const s = await runCli(['search', root, '--queries-file', writeQueries(queries), '--provider', 'dashscope', '--index-dir', indexDir, '--json', '--mode', 'dense', '--top-k', '5', '--timeout', '5'], { env });
  assert.equal(s.code, 0, s.stderr);
  const lines = parseJsonLines(s.stdout) as unknown as (SearchLine & { results: { why: { vectorScore?: number } }[] })[];
  const queryReqs = (await fake.requests(before)).filter((q: CapturedRequest) => q.status === 200).map((q) => JSON.parse(q.body) as { input: { texts: string[] }; parameters: { text_type: string; instruct?: string; dimension: number } });
  const rowOf = new Map<string, number>();
  idx.chunks.forEach((c, i) => rowOf.set(`${c.path}:${c.startLine}-${c.endLine}`, i));
  let scoresChecked = 0;
  for (const line of lines) {
    const q = queryReqs.find((b) => b.input.texts[0] === line.query);
    assert.ok(q && q.parameters.text_type === 'query', `the query "${line.query}" was embedded as a query`);
    const qv = fakeEmbedding(line.query, { model: 'text-embedding-v4', dims: q.parameters.dimension, textType: 'query', instruct: q.parameters.instruct });
    let best = -Infinity;
    for (let i = 0; i < idx.chunks.length; i++) best = Math.max(best, cosine(qv, idx.vectors.subarray(i * idx.dims, (i + 1) * idx.dims)));
    assert.ok(line.results.length === 5);
    assert.ok(Math.abs(line.results[0].why.vectorScore! - best) < 2e-3, `top dense hit ${line.results[0].why.vectorScore} vs brute force ${best}`);
    for (const h of line.results) {
      const row = rowOf.get(`${h.path}:${h.startLine}-${h.endLine}`)!;
      const want = cosine(qv, idx.vectors.subarray(row * idx.dims, (row + 1) * idx.dims));
      assert.ok(Math.abs(h.why.vectorScore! - want) < 2e-3, `${h.path}: score ${h.why.vectorScore} vs cosine ${want}`);
      scoresChecked++;
    }
  }

  // What the runs reported they retried, against what the server did.
  const retries: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries((r.report.retries ?? {}) as Record<string, number>)) retries[k] = (retries[k] ?? 0) + v;
  const f = counters.faults;
  const status = counters.byStatus;
  const requests = runs.reduce((a, r) => a + Number(r.report.requests ?? 0), 0);
  t.diagnostic(`chunks ${idx.chunks.length} in ${runs.length} runs (${runs.map((r) => `exit ${r.code}, ${r.ms} ms`).join('; ')}); ` +
    `delivered reply faults ${JSON.stringify(counters.delivered)}; server requests ${counters.requests} (CLI reported ${requests}); faults injected ${JSON.stringify(f)}; ` +
    `throttled by kind ${JSON.stringify(counters.phaseHits)}; HTTP statuses ${JSON.stringify(status)}`);
  t.diagnostic(`retries reported ${JSON.stringify(retries)}; texts embedded once ${billed.length}, more than once ${twice.length}; ` +
    `vectors equal to the server's ${compared}; dense scores checked ${scoresChecked}; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assert.equal(requests, counters.requests, 'the CLI counted every request it sent');
  assert.equal(retries['500'] ?? 0, status['500'] ?? 0, '500s retried');
  assert.equal(retries['503'] ?? 0, status['503'] ?? 0, '503s retried');
  assert.equal(retries['429'] ?? 0, status['429'] ?? 0, '429s retried');
  // The fake counts reply-stage faults when it picks them; a rate-limit 429 may pre-empt one.
  assert.equal(retries['bad-json'] ?? 0, counters.delivered.truncated, 'truncated replies retried');
  assert.equal(counters.delivered.wrongLength, 1, 'one wrong-length reply delivered');
  assert.equal(retries.timeout ?? 0, f.hang ?? 0, 'hangs timed out and retried');
  assert.ok((retries.reset ?? 0) >= (f.reset ?? 0), 'resets retried');
  assert.ok((f.hang ?? 0) >= 3 && (f.reset ?? 0) > 0 && (f.truncated ?? 0) > 0 && counters.delivered.truncated > 0, `every fault happened: ${JSON.stringify(f)}`);
  for (const code of ['Throttling.RateQuota', 'Throttling.AllocationQuota', 'Throttling.BurstRate']) {
    assert.ok((counters.phaseHits[code] ?? 0) > 0, `no ${code} 429 happened: ${JSON.stringify(counters.phaseHits)}`);
  }
});
