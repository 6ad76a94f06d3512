/**
 * `semantic-workspace mcp`, end to end: the SDK's Client + StdioClientTransport spawn the bundled
 * dist/cli.js on a real temp corpus; answers are checked against the CLI's --json for the same
 * question, bad input gets an error result and the server keeps serving, edits are seen at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeCorpus, runCli, tempDir, writeTree } from './support';
import { startMcp, textOf, withoutText, type McpSession } from './mcpSupport';

const corpus = makeCorpus();
writeTree(corpus, {
  // A near copy of the rate limiter (renamed): something for duplicates and find_similar to find.
  'src/throttle.ts': fs.readFileSync(path.join(corpus, 'src/rate_limiter.ts'), 'utf8').replace(/TokenBucket/g, 'Throttle'),
  'notes/ideas.md': '# Ideas\n\nA token bucket for the upload queue. Deploy rollback notes.\n',
});
const indexDir = path.join(tempDir('sw-mcp-index-'), 'idx');
const cliJson = (args: string[]) => {
  const r = runCli([...args, '--index-dir', indexDir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};
let s: McpSession;

before(async () => {
  assert.equal(runCli(['index', corpus, '--index-dir', indexDir, '--json']).status, 0);
  s = await startMcp([corpus, '--index-dir', indexDir]);
});
after(async () => {
  await s?.close();
});

test('lists every tool with a zod-built JSON schema', async () => {
  const { tools } = await s.client.listTools();
  const names = tools.map((t) => t.name).sort();
  assert.deepEqual(names, ['classify', 'duplicates', 'find_similar', 'index_status', 'outliers', 'reindex', 'related', 'search', 'topics']);
  const search = tools.find((t) => t.name === 'search')!;
  assert.equal(search.inputSchema.type, 'object');
  assert.deepEqual(Object.keys(search.inputSchema.properties ?? {}).sort(), ['kind', 'language', 'mode', 'path', 'query', 'topK']);
  assert.deepEqual(search.inputSchema.required, ['query']);
  assert.match(search.description ?? '', /grep/, 'tells an agent when to prefer it over grep');
  const classify = tools.find((t) => t.name === 'classify')!;
  assert.deepEqual([...(classify.inputSchema.required ?? [])].sort(), ['labels', 'text']);
});

test('search answers what the CLI answers, plus the chunk text; Chinese queries too', async () => {
  for (const query of ['token bucket rate limiter', '列出目录内容']) {
    const r = await s.call('search', { query, topK: 3 });
    assert.ok(!r.isError, textOf(r));
    const sc = r.structuredContent as { query: string; results: Record<string, unknown>[] };
    const cli = cliJson(['search', corpus, query, '--top-k', '3']);
    assert.deepEqual(withoutText(sc.results), cli.results);
    const first = sc.results[0] as { path: string; startLine: number; endLine: number; text: string };
    const lines = fs.readFileSync(path.join(corpus, first.path), 'utf8').split('\n').slice(first.startLine - 1, first.endLine).join('\n');
    assert.equal(first.text, lines, 'the text is the chunk\'s lines, 1-based inclusive');
    assert.ok(textOf(r).includes(`${first.path}:${first.startLine}-${first.endLine}`), 'the readable text names path:lines');
  }
});

test('search filters: kind, path glob and language narrow like the CLI', async () => {
  const r = await s.call('search', { query: 'rollback deploy', kind: 'doc', path: 'docs/**', language: 'markdown' });
  const sc = r.structuredContent as { results: { path: string; kind: string }[] };
  assert.ok(sc.results.length >= 1);
  assert.ok(sc.results.every((h) => h.path.startsWith('docs/') && h.kind === 'doc'));
  assert.deepEqual(withoutText(sc.results as never), cliJson(['search', corpus, 'rollback deploy', '--kind', 'doc', '--path', 'docs/**', '--language', 'markdown']).results);
});

test('related, classify, topics, outliers and duplicates return the CLI\'s JSON', async () => {
  const rel = await s.call('related', { path: 'src/rate_limiter.ts' });
  assert.deepEqual((rel.structuredContent as { results: unknown }).results, cliJson(['related', corpus, 'src/rate_limiter.ts']).results);
  assert.equal((rel.structuredContent as { results: { path: string }[] }).results[0].path, 'src/throttle.ts');

  const cls = await s.call('classify', { text: 'the token bucket refills too slowly', labels: ['rate limiting', 'deployment', 'mail'] });
  assert.deepEqual(cls.structuredContent, cliJson(['classify', corpus, 'the token bucket refills too slowly', '--labels', 'rate limiting,deployment,mail']));

  const topics = await s.call('topics', {});
  assert.deepEqual(topics.structuredContent, cliJson(['cluster', corpus]));
  const topicsK = await s.call('topics', { notes: 'docs/**', k: 2 });
  assert.deepEqual(topicsK.structuredContent, cliJson(['cluster', corpus, '--notes', 'docs/**', '--k', '2']));

  const out = await s.call('outliers', {});
  assert.deepEqual(out.structuredContent, cliJson(['outliers', corpus]));

  const dup = await s.call('duplicates', {});
  assert.deepEqual(dup.structuredContent, cliJson(['duplicates', corpus]));
  const dupT = await s.call('duplicates', { threshold: 0.9 });
  assert.deepEqual(dupT.structuredContent, cliJson(['duplicates', corpus, '--threshold', '0.9']));
  assert.ok(JSON.stringify(dupT.structuredContent).includes('src/throttle.ts'), 'the renamed copy is found');
});

test('find_similar by text and by path+lines; the passage itself is left out', async () => {
  const byText = await s.call('find_similar', { text: 'class TokenBucket { tryTake(now) { refill } }' });
  assert.ok(!byText.isError, textOf(byText));
  const paths = (byText.structuredContent as { results: { path: string }[] }).results.map((h) => h.path);
  assert.ok(paths.includes('src/rate_limiter.ts') && paths.includes('src/throttle.ts'), paths.join(','));

  const byRange = await s.call('find_similar', { path: 'src/rate_limiter.ts', startLine: 1, endLine: 22 });
  const hits = (byRange.structuredContent as { results: { path: string; startLine: number }[] }).results;
  assert.equal(hits[0].path, 'src/throttle.ts');
  assert.ok(!hits.some((h) => h.path === 'src/rate_limiter.ts' && h.startLine <= 22), 'its own range is not a result');

  const secret = await s.call('find_similar', { path: '.env', startLine: 1, endLine: 1 });
  assert.equal(secret.isError, true, 'a secret-looking file is never read as a query');
});

test('index_status says files, chunks, provider, fingerprint and that nothing is stale', async () => {
  const r = await s.call('index_status', {});
  const [f] = (r.structuredContent as { folders: Record<string, unknown>[] }).folders;
  assert.equal(f.exists, true);
  assert.equal(f.files, 8);
  assert.equal(f.provider, 'offline');
  assert.equal(typeof f.fingerprint, 'string');
  assert.equal(typeof f.updatedAt, 'string');
  assert.deepEqual(f.stale, []);
  assert.match(textOf(r), /8 files/);
});

test('bad input gets an actionable error result and the server keeps serving', async () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['search', {}, /query is required/],
    ['search', { query: '   ' }, /query is empty/],
    ['search', { query: 'x', topK: 1_000_000 }, /topK is at most 50/],
    ['search', { query: 'x', mode: 'fuzzy' }, /mode/],
    ['classify', { text: 'x', labels: ['bug', ': no name'] }, /Unknown label format.*"bug: something is broken"/],
    ['classify', { text: 'x', labels: ['only-one'] }, /at least two/],
    ['related', { path: '../../etc/passwd' }, /outside the workspace/],
    ['related', { path: '/etc/passwd' }, /outside the workspace/],
    ['related', { path: 'src/nope.ts' }, /not in the index/],
    ['search', { query: 'x', path: '../**' }, /outside the workspace/],
    ['find_similar', {}, /needs text, or path/],
    ['duplicates', { threshold: 7 }, /threshold is a cosine/],
    ['topics', { folder: 'other' }, /Unknown folder "other"/],
  ];
  for (const [name, args, expected] of cases) {
    const r = await s.call(name, args);
    assert.equal(r.isError, true, `${name} ${JSON.stringify(args)} → ${textOf(r)}`);
    assert.match(textOf(r), expected);
    const ok = await s.call('search', { query: 'mailbox message count', topK: 1 });
    assert.equal((ok.structuredContent as { results: { path: string }[] }).results[0].path, 'lib/mailbox.py', 'the next call still works');
  }
});

test('an edit, a new file and a deletion are visible to the next search', async () => {
  const q = 'quokka telemetry uplink';
  const none = await s.call('search', { query: q, mode: 'keyword' });
  assert.equal((none.structuredContent as { results: unknown[] }).results.length, 0);
  fs.appendFileSync(path.join(corpus, 'cmd/health.go'), '\n// quokkaUplink sends quokka telemetry over the uplink.\nfunc quokkaUplink() {}\n');
  fs.writeFileSync(path.join(corpus, 'notes/quokka.md'), '# Quokka telemetry\n\nThe uplink carries quokka telemetry.\n');
  const seen = await s.call('search', { query: q, mode: 'keyword' });
  const paths = (seen.structuredContent as { results: { path: string }[] }).results.map((h) => h.path).sort();
  assert.deepEqual(paths.filter((p, i) => paths.indexOf(p) === i), ['cmd/health.go', 'notes/quokka.md']);
  fs.rmSync(path.join(corpus, 'notes/quokka.md'));
  const gone = await s.call('search', { query: q, mode: 'keyword' });
  assert.deepEqual((gone.structuredContent as { results: { path: string }[] }).results.map((h) => h.path), ['cmd/health.go']);
});

test('reindex reports progress notifications and the CLI index report', async () => {
  const progress: number[] = [];
  const r = await s.call('reindex', { rebuild: true }, { onprogress: (p) => progress.push(p.progress) });
  assert.ok(!r.isError, textOf(r));
  const [report] = (r.structuredContent as { reports: Record<string, unknown>[] }).reports;
  assert.equal(report.filesIndexed, 8, 'the deleted note is gone');
  assert.equal(report.provider, 'offline');
  // Notifications are paced (≤ 1 per 100 ms, and each must move forward), so a fast rebuild of this
  // small corpus may send just one: what matters is that progress arrives and only moves forward.
  assert.ok(progress.length >= 1, `progress notifications: ${progress.length}`);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i] > progress[i - 1], 'progress only moves forward');
  const only = await s.call('reindex', { paths: ['docs/deploy.md'] });
  assert.equal(((only.structuredContent as { reports: Record<string, unknown>[] }).reports[0]).embeddedChunks, 0, 'an unchanged file is not re-embedded');
});

test('a cancelled reindex stops; the server keeps serving', async () => {
  const ac = new AbortController();
  const pending = s.call('reindex', { rebuild: true }, { signal: ac.signal, onprogress: () => ac.abort() });
  await assert.rejects(pending, /abort/i);
  const ok = await s.call('search', { query: 'token bucket', topK: 1 });
  assert.ok(!ok.isError, textOf(ok));
  assert.ok((ok.structuredContent as { results: unknown[] }).results.length === 1);
});

test('with no index yet, the offline server builds it at start and the first search waits for it', async () => {
  const fresh = makeCorpus();
  const session = await startMcp([fresh, '--index-dir', path.join(tempDir('sw-mcp-fresh-'), 'idx')]);
  try {
    const r = await session.call('search', { query: 'token bucket rate limiter', topK: 1 });
    assert.ok(!r.isError, textOf(r));
    assert.equal((r.structuredContent as { results: { path: string }[] }).results[0].path, 'src/rate_limiter.ts');
    // stderr is another pipe: give its last lines a moment to arrive.
    for (let i = 0; i < 40 && !/no index yet; building it offline/.test(session.stderr()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(session.stderr(), /no index yet; building it offline/, 'the log says what happens (on stderr, never stdout)');
  } finally {
    await session.close();
  }
});

test('several folders: paths carry the folder name; a path must name one', async () => {
  const a = makeCorpus();
  const b = tempDir('sw-mcp-b-');
  writeTree(b, { 'src/quokka.ts': 'export function quokkaTelemetry() { return "uplink"; }\n' });
  const session = await startMcp([a, b]);
  try {
    const r = await session.call('search', { query: 'quokka telemetry', topK: 3 });
    const hits = (r.structuredContent as { results: { path: string }[] }).results;
    assert.equal(hits[0].path, `${path.basename(b)}/src/quokka.ts`);
    const rel = await session.call('related', { path: `${path.basename(a)}/src/rate_limiter.ts` });
    assert.ok(!rel.isError, textOf(rel));
    const bare = await session.call('related', { path: 'src/rate_limiter.ts' });
    assert.equal(bare.isError, true);
    assert.match(textOf(bare), /start with a served folder's name/);
  } finally {
    await session.close();
  }
});
