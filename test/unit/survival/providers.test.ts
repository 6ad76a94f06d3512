/**
 * From the DashScope issue: the remote providers end to end through the CLI against the fake
 * server (own process):
 *  - `--provider dashscope` with DASHSCOPE_BASE_URL, and `--provider openai` with OPENAI_BASE_URL
 *    at the fake's `/compatible-mode/v1` + `--model text-embedding-v4`: index, then hybrid
 *    `search --json` puts the right file first;
 *  - a key revoked mid-run (401): exit 1 with the actionable message, what was embedded is kept,
 *    and the next run embeds only the rest (server counters);
 *  - `index --dry-run --provider dashscope` sends nothing and prints `estimatedCostUSD`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SMALL_CORPUS } from '../cli/support';
import { FakeProcess, STACK_TRACE, cliEnv, generateCorpus, parseJsonLines, runCli, tempDir, writeCorpus, writeQueries, writeTree, type SearchLine } from './support';

const KEY = 'sk-providers0123456789abcdef0123456';

let fake: FakeProcess;
before(async () => {
  fake = await FakeProcess.start({ latencyMs: 2 });
});
after(async () => {
  await fake?.stop();
});

function fixture(): string {
  const root = tempDir('sw-prov-fixture-');
  writeTree(root, SMALL_CORPUS);
  return root;
}

const EXPECT: [string, string][] = [
  ['token bucket rate limiter', 'src/rate_limiter.ts'],
  ['mailbox message count', 'lib/mailbox.py'],
  ['列出目录内容', 'docs/命令.md'],
  ['roll back a release', 'docs/deploy.md'],
];

for (const provider of ['dashscope', 'openai'] as const) {
  test(`--provider ${provider} against the fake: index, then hybrid search puts the right file first`, async (t) => {
    const root = fixture();
    const indexDir = path.join(tempDir('sw-prov-idx-'), 'idx');
    const env = provider === 'dashscope'
      ? cliEnv({ DASHSCOPE_API_KEY: KEY, DASHSCOPE_BASE_URL: fake.url })
      : cliEnv({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${fake.url}/compatible-mode/v1` });
    const flags = ['--provider', provider, ...(provider === 'openai' ? ['--model', 'text-embedding-v4'] : [])];
    const before = await fake.counters();
    const ix = await runCli(['index', root, '--index-dir', indexDir, '--json', ...flags], { env });
    assert.equal(ix.code, 0, ix.stderr);
    const report = JSON.parse(ix.stdout) as { filesIndexed: number; chunks: number; embeddedChunks: number; requests?: number };
    assert.equal(report.filesIndexed, 6);
    const mid = await fake.counters();
    const route = provider === 'dashscope' ? 'native' : 'compatible';
    assert.ok(mid.byEndpoint[route] > before.byEndpoint[route], `the ${route} route was used`);
    const s = await runCli(['search', root, '--queries-file', writeQueries(EXPECT.map(([q]) => q)), '--index-dir', indexDir, '--json', '--mode', 'hybrid', '--top-k', '3', ...flags], { env });
    assert.equal(s.code, 0, s.stderr);
    assert.ok(!STACK_TRACE.test(s.stderr));
    const lines = parseJsonLines(s.stdout) as unknown as SearchLine[];
    const firsts = lines.map((l) => l.results[0]?.path);
    t.diagnostic(`${provider}: ${report.chunks} chunks, ${report.embeddedChunks} embedded in ${report.requests ?? '?'} requests; first hits ${JSON.stringify(firsts)}`);
    assert.deepEqual(firsts, EXPECT.map(([, f]) => f));
  });
}

test('a key revoked mid-run (401): exit 1 with the actionable message, the embedded part kept, the next run embeds only the rest', async (t) => {
  const root = tempDir('sw-prov-401-');
  writeCorpus(root, generateCorpus(909, 80));
  const indexDir = path.join(tempDir('sw-prov-401-idx-'), 'idx');
  const env = cliEnv({ DASHSCOPE_API_KEY: KEY, DASHSCOPE_BASE_URL: fake.url });
  await fake.reset();
  await fake.configure({ faults: { unauthorizedAfter: 12 } });
  const first = await runCli(['index', root, '--provider', 'dashscope', '--index-dir', indexDir, '--json'], { env });
  assert.equal(first.code, 1, first.stderr);
  assert.ok(!STACK_TRACE.test(first.stderr), first.stderr);
  assert.match(first.stderr, /rejected the API key \(missing, invalid or revoked\)/);
  assert.match(first.stderr, /DASHSCOPE_API_KEY/, 'says how to set the key');
  assert.match(first.stderr, /what was embedded is kept/);
  const r1 = JSON.parse(first.stdout) as { embeddedChunks: number; chunks: number; incomplete?: boolean; filesIndexed: number };
  assert.equal(r1.incomplete, true);
  assert.ok(r1.embeddedChunks > 0, 'something was embedded before the 401');
  const afterFirst = await fake.counters();
  const billedFirst = Object.keys(afterFirst.embedCounts).length;
  assert.equal(afterFirst.byStatus['401'] > 0, true);

  // The status says what is there: the files completed before the 401 are searchable now.
  const st = await runCli(['status', root, '--provider', 'dashscope', '--index-dir', indexDir, '--json'], { env });
  const status = JSON.parse(st.stdout) as { exists: boolean; chunks: number; complete?: boolean };
  assert.ok(status.exists && status.chunks > 0 && status.complete === false, st.stdout);

  await fake.configure({ faults: {} }); // a valid key again
  const second = await runCli(['index', root, '--provider', 'dashscope', '--index-dir', indexDir, '--json'], { env });
  assert.equal(second.code, 0, second.stderr);
  const r2 = JSON.parse(second.stdout) as { embeddedChunks: number; reusedChunks: number; chunks: number; incomplete?: boolean };
  assert.ok(!r2.incomplete);
  const c = await fake.counters();
  const counts = Object.values(c.embedCounts);
  t.diagnostic(`401 after 12 requests: first run embedded ${r1.embeddedChunks} (server billed ${billedFirst} texts, 401s ${afterFirst.byStatus['401']}); ` +
    `second run embedded ${r2.embeddedChunks}, reused ${r2.reusedChunks} of ${r2.chunks}; texts billed twice ${counts.filter((n) => n > 1).length}`);
  assert.equal(counts.filter((n) => n > 1).length, 0, 'nothing embedded twice');
  assert.equal(counts.length, r2.chunks, 'every chunk embedded once over the two runs');
  assert.equal(r2.embeddedChunks, r2.chunks - billedFirst, 'the second run embedded only the rest');
});

test('index --dry-run --provider dashscope sends nothing and prints estimatedCostUSD', async (t) => {
  const root = tempDir('sw-prov-dry-');
  writeCorpus(root, generateCorpus(808, 60));
  const env = cliEnv({ DASHSCOPE_API_KEY: KEY, DASHSCOPE_BASE_URL: fake.url });
  const before = await fake.counters();
  const r = await runCli(['index', root, '--provider', 'dashscope', '--index-dir', path.join(tempDir('sw-prov-dry-idx-'), 'idx'), '--dry-run', '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { estimatedCostUSD?: number; tokens: number; chunks: number; requests?: number };
  const after = await fake.counters();
  t.diagnostic(`dry run: ${report.chunks} chunks, ~${report.tokens} tokens, estimatedCostUSD ${report.estimatedCostUSD}; requests sent ${after.captured - before.captured}`);
  assert.equal(after.captured, before.captured, 'no request of any kind reached the server');
  assert.equal(typeof report.estimatedCostUSD, 'number');
  assert.ok(report.estimatedCostUSD! > 0, 'a cost is estimated');
  assert.ok(!report.requests, 'and the report says none were sent');
});
