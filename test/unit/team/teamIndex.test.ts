/**
 * The team index end to end, through the bundled CLI, against a real PostgreSQL + pgvector
 * (PGlite over the wire protocol) and the fake DashScope server counting requests:
 * clone A publishes; clone B at another path indexes with ~0 requests and the same results; an
 * edit re-embeds only what changed; remote search equals local; two writers at once; a SIGKILL
 * mid-publish; the database vanishing mid-publish.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeDashScope, type FakeDashScope } from '../../fake-dashscope/server';
import { cliEnv, generateCorpus, parseJsonLines, runCli, startCli, tempDir, writeCorpus, writeQueries, type CliResult, type SearchLine } from '../survival/support';
import { sql, startPglite, startProxy, storeIsConsistent, type PgliteServer } from './support';

const KEY = 'sk-team0123456789abcdef0123456789';
const ORIGIN = 'git@github.com:Example/Team-Repo.git';
const QUERIES = [
  'parse the config', 'retry the request', 'cache invalidation', 'token bucket rate', 'render the template',
  'merge sorted lists', 'open the socket', 'schedule the job', 'validate user input', 'compress the buffer',
  'load the session', 'write the log', 'resolve the path', 'hash the password', 'queue the message',
  'index the folder', 'close the stream', 'count the words', '部署 回滚', 'select the row',
];

let fake: FakeDashScope;
let db: PgliteServer;
let cloneA: string;
let cloneB: string;
let queriesFile: string;

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', ['-C', cwd, '-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return cliEnv({ DASHSCOPE_API_KEY: KEY, DASHSCOPE_BASE_URL: fake.url, ...extra });
}

const human = ['--provider', 'dashscope', '--dimensions', '256'];
const common = [...human, '--json'];

async function index(dir: string, url: string, extra: string[] = [], e = env()): Promise<{ r: CliResult; report: Record<string, unknown>; requests: number }> {
  const before = fake.counters.requests;
  const r = await runCli(['index', dir, ...common, '--index-dir', path.join(dir, '..', `${path.basename(dir)}-idx`), '--team-index', url, ...extra], { env: e });
  const line = r.stdout.trim().split('\n').filter(Boolean).pop();
  return { r, report: line ? (JSON.parse(line) as Record<string, unknown>) : {}, requests: fake.counters.requests - before };
}

async function search(dir: string, extra: string[]): Promise<{ r: CliResult; lines: SearchLine[] }> {
  const r = await runCli(['search', dir, ...common, '--index-dir', path.join(dir, '..', `${path.basename(dir)}-idx`), '--queries-file', queriesFile, ...extra], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  return { r, lines: parseJsonLines(r.stdout) as unknown as SearchLine[] };
}

/** The HNSW indexes of the vector tables. */
const annIndexes = async (url: string) => (await sql<{ i: string }>(url, `SELECT indexname AS i FROM pg_indexes WHERE indexname LIKE 'sw_vectors_%_hnsw'`)).map((r) => r.i);

const keys = (l: SearchLine) => l.results.map((h) => `${h.path}:${h.startLine}-${h.endLine}`);

describe('team index on PostgreSQL + pgvector (PGlite)', { timeout: 600_000 }, () => {
  before(async () => {
    fake = await startFakeDashScope();
    db = await startPglite({ maxConnections: 4 });
    const parent = tempDir('sw-team-');
    cloneA = path.join(parent, 'alice', 'repo');
    fs.mkdirSync(cloneA, { recursive: true });
    writeCorpus(cloneA, generateCorpus(1616, 28, 5));
    fs.writeFileSync(path.join(cloneA, 'docs-zh.md'), '# 部署\n\n## 回滚\n\n回滚发布时，重新部署上一个镜像标签。\n');
    git(cloneA, 'init', '-q');
    git(cloneA, 'remote', 'add', 'origin', ORIGIN);
    git(cloneA, 'add', '-A');
    git(cloneA, 'commit', '-qm', 'initial');
    // Clone B: a copy at another path (another user's machine), same origin remote.
    cloneB = path.join(parent, 'bob', 'work', 'checkout');
    fs.mkdirSync(path.dirname(cloneB), { recursive: true });
    fs.cpSync(cloneA, cloneB, { recursive: true });
    queriesFile = writeQueries(QUERIES);
  });
  after(async () => {
    await db?.stop();
    await fake?.close();
  });

  let requestsA = 0;
  let chunks = 0;

  test('clone A indexes and publishes its snapshot', async () => {
    const a = await index(cloneA, db.url);
    assert.equal(a.r.code, 0, a.r.stderr);
    const team = a.report.team as { shared: number; published: { contentRows: number; chunkRows: number } };
    chunks = a.report.chunks as number;
    assert.ok(chunks > 40, `a corpus worth sharing (${chunks} chunks)`);
    assert.equal(team.shared, 0);
    assert.equal(team.published.chunkRows, chunks);
    assert.equal(team.published.contentRows, a.report.embeddedChunks);
    assert.equal((team.published as { bulk?: boolean }).bulk, true, 'an empty table takes the first publish as a bulk load');
    assert.equal((await annIndexes(db.url)).length, 1, 'the HNSW index was built after the load');
    requestsA = a.requests;
    assert.ok(requestsA >= 5, `A embedded through the fake server (${requestsA} requests)`);
    const c = await storeIsConsistent(db.url);
    assert.deepEqual(c, { snapshots: 1, holes: 0, rowMismatch: 0 });
    const repo = await sql<{ identity: string }>(db.url, 'SELECT identity FROM sw_repos');
    assert.deepEqual(repo.map((r) => r.identity), ['github.com/example/team-repo'], 'named by the normalized origin, not a path');
  });

  test('clone B at another path indexes with <= 2% of A\'s requests and gives the same results', async () => {
    const b = await index(cloneB, db.url);
    assert.equal(b.r.code, 0, b.r.stderr);
    assert.ok(b.requests <= 0.02 * requestsA, `B sent ${b.requests} embedding requests, A ${requestsA}`);
    assert.equal(b.report.embeddedChunks, 0);
    assert.equal((b.report.team as { shared: number }).shared, b.report.chunks);
    const sa = await search(cloneA, []);
    const sb = await search(cloneB, []);
    assert.equal(sa.lines.length, QUERIES.length);
    for (let i = 0; i < QUERIES.length; i++) assert.deepEqual(sb.lines[i].results, sa.lines[i].results, `query "${QUERIES[i]}"`);
    assert.equal((await storeIsConsistent(db.url)).snapshots, 1, 'the same content is one snapshot');
  });

  test('an edit in B re-embeds only the changed chunks and publishes a second snapshot', async () => {
    const file = fs.readdirSync(cloneB, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('.ts'))!;
    const abs = path.join(cloneB, file);
    fs.writeFileSync(abs, fs.readFileSync(abs, 'utf8') + '\nexport function brandNewTeamHelper(x: number): number {\n  return x * 42;\n}\n');
    const textsBefore = fake.counters.texts;
    const b = await index(cloneB, db.url);
    assert.equal(b.r.code, 0, b.r.stderr);
    const embedded = b.report.embeddedChunks as number;
    assert.ok(embedded >= 1 && embedded <= 3, `only the edited file's changed chunks (${embedded})`);
    assert.equal(fake.counters.texts - textsBefore, embedded);
    const team = b.report.team as { published: { contentRows: number; existed: boolean; bulk: boolean } };
    assert.equal(team.published.existed, false);
    assert.equal(team.published.bulk, false, 'a few rows go into the existing HNSW index one by one');
    assert.equal(team.published.contentRows, embedded);
    assert.deepEqual(await storeIsConsistent(db.url), { snapshots: 2, holes: 0, rowMismatch: 0 });
    // A commits the same edit: its clean snapshot is the one searches of that commit use.
    fs.cpSync(abs, path.join(cloneA, file));
    git(cloneA, 'commit', '-qam', 'edit');
  });

  test('search --remote returns the local top-10 for >= 95% of the queries, with no local index', async () => {
    await index(cloneA, db.url); // A now has B's edit: same content, same snapshot
    const local = await search(cloneA, []);
    const noIndex = path.join(tempDir('sw-team-empty-'), 'none');
    const remote = await runCli(['search', cloneA, ...common, '--index-dir', noIndex, '--remote', '--team-index', db.url, '--queries-file', queriesFile], { env: env() });
    assert.equal(remote.code, 0, remote.stderr);
    assert.ok(!fs.existsSync(noIndex), 'no local index was created or needed');
    const lines = parseJsonLines(remote.stdout) as unknown as SearchLine[];
    let same = 0;
    for (let i = 0; i < QUERIES.length; i++) if (JSON.stringify(keys(lines[i])) === JSON.stringify(keys(local.lines[i]))) same++;
    assert.ok(same / QUERIES.length >= 0.95, `${same}/${QUERIES.length} identical top-10 lists`);
    // Keyword side: BM25F in SQL gives the local engine's scores.
    const lk = await search(cloneA, ['--mode', 'keyword']);
    const rk = await runCli(['search', cloneA, ...common, '--index-dir', noIndex, '--remote', '--team-index', db.url, '--mode', 'keyword', '--queries-file', queriesFile], { env: env() });
    const rkl = parseJsonLines(rk.stdout) as unknown as SearchLine[];
    for (let i = 0; i < QUERIES.length; i++) {
      assert.deepEqual(keys(rkl[i]), keys(lk.lines[i]), `keyword "${QUERIES[i]}"`);
      rkl[i].results.forEach((h, k) => assert.ok(Math.abs(h.score - lk.lines[i].results[k].score) < 1e-5, `score ${h.score} vs ${lk.lines[i].results[k].score}`));
    }
    // Filters are applied inside the SQL queries.
    const filtered = await runCli(['search', cloneA, ...common, '--remote', '--team-index', db.url, '--kind', 'doc', '--path', '*.md', 'deploy rollback'], { env: env() });
    assert.equal(filtered.code, 0, filtered.stderr);
    const fl = parseJsonLines(filtered.stdout) as unknown as SearchLine[];
    assert.ok(fl[0].results.length > 0 && fl[0].results.every((h) => h.kind === 'doc' && h.path.endsWith('.md')));
  });

  test('search --remote: this clone\'s uncommitted edits come from its local overlay and win over the snapshot', async () => {
    const file = fs.readdirSync(cloneA, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('.py'))!;
    const abs = path.join(cloneA, file);
    const original = fs.readFileSync(abs, 'utf8');
    fs.writeFileSync(abs, original + '\n\ndef zebra_overlay_finder(stripes):\n    # counts the zebra stripes\n    return len(stripes)\n');
    const local = await runCli(['index', cloneA, ...common, '--index-dir', path.join(cloneA, '..', 'repo-idx')], { env: env() });
    assert.equal(local.code, 0, local.stderr);
    const q = ['search', cloneA, ...common, '--remote', '--team-index', db.url, '--mode', 'keyword', 'zebra overlay finder'];
    const withOverlay = await runCli([...q, '--index-dir', path.join(cloneA, '..', 'repo-idx')], { env: env() });
    assert.equal(withOverlay.code, 0, withOverlay.stderr);
    const top = (parseJsonLines(withOverlay.stdout)[0] as unknown as SearchLine).results[0];
    assert.equal(top?.path, file.split(path.sep).join('/'), 'the edited file, from the local index');
    assert.match(top.symbol, /zebra_overlay_finder/);
    const noOverlay = await runCli([...q, '--index-dir', path.join(tempDir('sw-team-none-'), 'x')], { env: env() });
    assert.equal(noOverlay.code, 0, noOverlay.stderr);
    const hits = (parseJsonLines(noOverlay.stdout)[0] as unknown as SearchLine).results;
    assert.ok(!hits.some((h) => h.symbol.includes('zebra')), 'the snapshot alone does not have the uncommitted function');
    fs.writeFileSync(abs, original);
    const back = await runCli(['index', cloneA, ...common, '--index-dir', path.join(cloneA, '..', 'repo-idx')], { env: env() });
    assert.equal(back.code, 0, back.stderr);
  });

  test('two writers publishing at once leave a consistent store', async () => {
    const w1 = path.join(tempDir('sw-team-w1-'), 'w1');
    const w2 = path.join(tempDir('sw-team-w2-'), 'w2');
    fs.cpSync(cloneA, w1, { recursive: true });
    fs.cpSync(cloneA, w2, { recursive: true });
    fs.writeFileSync(path.join(w1, 'w1.md'), '# Writer one\n\nThe first concurrent writer adds this note about lighthouses.\n');
    fs.writeFileSync(path.join(w2, 'w2.md'), '# Writer two\n\nThe second concurrent writer adds this note about volcanoes.\n');
    const [r1, r2] = await Promise.all([index(w1, db.url), index(w2, db.url)]);
    assert.equal(r1.r.code, 0, r1.r.stderr);
    assert.equal(r2.r.code, 0, r2.r.stderr);
    assert.deepEqual(await storeIsConsistent(db.url), { snapshots: 4, holes: 0, rowMismatch: 0 });
  });

  test('SIGKILL during publish leaves no partial snapshot; the next run finishes it', async () => {
    const proxy = await startProxy(db.port, 40);
    const dir = path.join(tempDir('sw-team-kill-'), 'k');
    fs.cpSync(cloneA, dir, { recursive: true });
    writeCorpus(dir, generateCorpus(99, 6, 4));
    const before = await storeIsConsistent(db.url);
    // Human output (not --json) says when publishing starts: killed right after, mid-transfer.
    const run = startCli(['index', dir, ...human, '--index-dir', path.join(dir, '..', 'k-idx'), '--team-index', proxy.url], { env: env() });
    await new Promise<void>((resolve) => {
      run.child.stderr!.on('data', (d: Buffer) => {
        if (/publishing/.test(d.toString())) {
          setTimeout(() => {
            run.child.kill('SIGKILL');
            resolve();
          }, 250);
        }
      });
    });
    const killed = await run.result;
    assert.equal(killed.signal, 'SIGKILL', `killed mid-publish (${killed.stderr})`);
    await new Promise((r) => setTimeout(r, 300));
    const mid = await storeIsConsistent(db.url);
    assert.equal(mid.snapshots, before.snapshots, 'no snapshot of the killed run is visible');
    assert.equal(mid.holes + mid.rowMismatch, 0);
    await proxy.close();
    const again = await index(dir, db.url);
    assert.equal(again.r.code, 0, again.r.stderr);
    assert.equal(again.report.embeddedChunks, 0, 'the local index was complete: nothing embedded again');
    assert.deepEqual(await storeIsConsistent(db.url), { snapshots: before.snapshots + 1, holes: 0, rowMismatch: 0 });
  });

  test('a bulk load into a new vector space, killed mid-publish: no partial snapshot, and the next run builds the HNSW index', async () => {
    const proxy = await startProxy(db.port, 40);
    const dir = path.join(tempDir('sw-team-bulk-'), 'b');
    fs.cpSync(cloneA, dir, { recursive: true });
    const d128 = ['--provider', 'dashscope', '--dimensions', '128'];
    const before = await storeIsConsistent(db.url);
    const run = startCli(['index', dir, ...d128, '--index-dir', path.join(dir, '..', 'b-idx'), '--team-index', proxy.url], { env: env() });
    await new Promise<void>((resolve) => {
      run.child.stderr!.on('data', (d: Buffer) => {
        if (/publishing/.test(d.toString())) setTimeout(() => resolve(void run.child.kill('SIGKILL')), 700);
      });
    });
    assert.equal((await run.result).signal, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    const mid = await storeIsConsistent(db.url);
    assert.equal(mid.snapshots, before.snapshots, 'no snapshot of the killed run is visible');
    assert.equal(mid.holes + mid.rowMismatch, 0);
    await proxy.close();
    const again = await runCli(['index', dir, ...d128, '--json', '--index-dir', path.join(dir, '..', 'b-idx'), '--team-index', db.url], { env: env() });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await storeIsConsistent(db.url), { snapshots: before.snapshots + 1, holes: 0, rowMismatch: 0 });
    const fp128 = (await sql<{ id: number }>(db.url, 'SELECT id FROM sw_fingerprints WHERE dims = 128'))[0].id;
    assert.ok((await annIndexes(db.url)).includes(`sw_vectors_${fp128}_hnsw`), 'the new space has its HNSW index');
    // A run killed between dropping and building (simulated exactly): the next publish builds it.
    await sql(db.url, `DROP INDEX sw_vectors_${fp128}_hnsw`);
    const rebuilt = await runCli(['index', dir, ...d128, '--json', '--index-dir', path.join(dir, '..', 'b-idx'), '--team-index', db.url], { env: env() });
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.ok((await annIndexes(db.url)).includes(`sw_vectors_${fp128}_hnsw`), 'rebuilt by the next publish');
    const remote = await runCli(['search', dir, ...d128, '--json', '--remote', '--team-index', db.url, '--index-dir', path.join(dir, '..', 'b-idx'), '--queries-file', queriesFile], { env: env() });
    assert.equal(remote.code, 0, remote.stderr);
    const local = await runCli(['search', dir, ...d128, '--json', '--index-dir', path.join(dir, '..', 'b-idx'), '--queries-file', queriesFile], { env: env() });
    const rl = parseJsonLines(remote.stdout) as unknown as SearchLine[], ll = parseJsonLines(local.stdout) as unknown as SearchLine[];
    const same = QUERIES.filter((_, i) => JSON.stringify(keys(rl[i])) === JSON.stringify(keys(ll[i]))).length;
    assert.ok(same / QUERIES.length >= 0.95, `${same}/${QUERIES.length} identical top-10 lists in the bulk-loaded space`);
  });

  test('the database disappearing mid-publish: one message, exit 1, consistent store, local index works', async () => {
    const proxy = await startProxy(db.port, 40);
    const dir = path.join(tempDir('sw-team-cut-'), 'c');
    fs.cpSync(cloneA, dir, { recursive: true });
    writeCorpus(dir, generateCorpus(77, 6, 4));
    const before = await storeIsConsistent(db.url);
    const run = startCli(['index', dir, ...human, '--index-dir', path.join(dir, '..', 'c-idx'), '--team-index', proxy.url], { env: env() });
    run.child.stderr!.on('data', (d: Buffer) => {
      if (/publishing/.test(d.toString())) setTimeout(() => proxy.cut(), 150);
    });
    const r = await run.result;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /connection to the team index at 127\.0\.0\.1:\d+ was lost while publishing/);
    assert.match(r.stderr, /Nothing of this snapshot is visible/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    const after = await storeIsConsistent(db.url);
    assert.equal(after.snapshots, before.snapshots);
    assert.equal(after.holes + after.rowMismatch, 0);
    const local = await runCli(['search', dir, ...common, '--index-dir', path.join(dir, '..', 'c-idx'), 'parse the config'], { env: env() });
    assert.equal(local.code, 0, local.stderr);
    assert.ok((parseJsonLines(local.stdout)[0].results as unknown[]).length > 0);
    await proxy.close();
  });

  test('team status and team prune', async () => {
    const s = await runCli(['team', 'status', cloneA, '--team-index', db.url, '--json'], { env: env() });
    assert.equal(s.code, 0, s.stderr);
    const st = JSON.parse(s.stdout) as { repository: string; snapshots: unknown[]; fingerprints: { vectors: number; dims: number }[]; rows: Record<string, number>; bytes: number };
    assert.equal(st.repository, 'github.com/example/team-repo');
    assert.ok(st.snapshots.length >= 4);
    assert.equal(st.fingerprints[0].dims, 256);
    assert.ok(st.fingerprints[0].vectors >= chunks);
    assert.ok(st.bytes > 0 && st.rows.sw_snapshot_chunks > 0);
    // Everything older than "now" except each repository's newest snapshot, then orphans.
    await sql(db.url, `UPDATE sw_snapshots SET last_seen = now() - interval '10 days' WHERE id <> (SELECT max(id) FROM sw_snapshots)`);
    const p = await runCli(['team', 'prune', '--older-than', '5', '--team-index', db.url, '--json'], { env: env({ SEMANTIC_WORKSPACE_PRUNE_GRACE_MINUTES: '0' }) });
    assert.equal(p.code, 0, p.stderr);
    const pr = JSON.parse(p.stdout) as { snapshots: number; vectors: number };
    assert.ok(pr.snapshots >= 3, `pruned ${pr.snapshots}`);
    assert.ok(pr.vectors > 0, 'orphan vectors removed');
    // Each vector space (256-d and the bulk test's 128-d) keeps its newest snapshot.
    assert.deepEqual(await storeIsConsistent(db.url), { snapshots: 2, holes: 0, rowMismatch: 0 });
    const remote = await runCli(['search', cloneA, ...common, '--remote', '--team-index', db.url, 'parse the config'], { env: env() });
    assert.equal(remote.code, 0, remote.stderr);
  });
});
