/**
 * Each fault of a team index ends in one clear message, a consistent store and a working local
 * index: wrong password, TLS required, no pgvector (Debian postgresql-15 — PGlite has neither
 * passwords nor TLS, and Debian ships no pgvector), a newer schema, a fingerprint mismatch, the
 * offline provider, an unreachable host (PGlite + pgvector).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeDashScope, type FakeDashScope } from '../../fake-dashscope/server';
import { cliEnv, generateCorpus, parseJsonLines, runCli, tempDir, writeCorpus, type CliResult } from '../survival/support';
import { sql, startPglite, startPostgres15, storeIsConsistent, type PgliteServer, type Postgres15 } from './support';

const KEY = 'sk-teamfault0123456789abcdef012345';
let fake: FakeDashScope;
let dir: string;
let indexDir: string;

const args = (...extra: string[]) => ['--provider', 'dashscope', '--dimensions', '256', '--index-dir', indexDir, '--repo-id', 'faults/repo', ...extra];
const env = (extra: Record<string, string> = {}) => cliEnv({ DASHSCOPE_API_KEY: KEY, DASHSCOPE_BASE_URL: fake.url, ...extra });

/** The fault left the local index complete and searchable. */
async function localStillWorks(): Promise<void> {
  const r = await runCli(['search', dir, ...args('--json'), 'parse the config'], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.ok((parseJsonLines(r.stdout)[0].results as unknown[]).length > 0);
}

function oneMessage(r: CliResult, pattern: RegExp): void {
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+/, 'no stack trace');
  assert.doesNotMatch(r.stderr, /right-password-15|wrong-password/, 'the password is never printed');
}

before(async () => {
  fake = await startFakeDashScope();
  dir = path.join(tempDir('sw-team-faults-'), 'repo');
  writeCorpus(dir, generateCorpus(4242, 8, 4));
  indexDir = path.join(dir, '..', 'idx');
  const r = await runCli(['index', dir, ...args('--json')], { env: env() });
  assert.equal(r.code, 0, r.stderr);
});
after(async () => fake?.close());

describe('faults against Debian postgresql-15', { timeout: 900_000 }, () => {
  let pg15: Postgres15 | string;
  before(async () => {
    pg15 = await startPostgres15();
  });
  after(() => {
    if (typeof pg15 !== 'string') pg15.stop();
  });

  test('wrong password', async (t) => {
    if (typeof pg15 === 'string') return t.skip(pg15);
    const r = await runCli(['index', dir, ...args('--team-index', pg15.url('postgres', 'wrong-password'))], { env: env() });
    assert.equal(r.code, 1);
    oneMessage(r, /team index at 127\.0\.0\.1:\d+ rejected the user name or password/);
    await localStillWorks();
  });

  test('TLS required', async (t) => {
    if (typeof pg15 === 'string') return t.skip(pg15);
    const r = await runCli(['index', dir, ...args('--team-index', pg15.url('tlsonly', pg15.password))], { env: env() });
    assert.equal(r.code, 1);
    oneMessage(r, /accepts only TLS connections\. Add \?sslmode=require/);
    await localStillWorks();
  });

  test('missing pgvector extension (over TLS, which then works)', async (t) => {
    if (typeof pg15 === 'string') return t.skip(pg15);
    const r = await runCli(['index', dir, ...args('--team-index', pg15.url('tlsonly', pg15.password, '?sslmode=no-verify'))], { env: env() });
    assert.equal(r.code, 1);
    oneMessage(r, /has no pgvector extension/);
    const tables = await sql<{ n: string }>(pg15.url('postgres', pg15.password), `SELECT count(*) AS n FROM pg_tables WHERE tablename LIKE 'sw_%'`);
    assert.equal(Number(tables[0].n), 0, 'nothing was written');
    await localStillWorks();
  });
});

describe('faults against PGlite + pgvector', { timeout: 600_000 }, () => {
  let db: PgliteServer;
  before(async () => {
    db = await startPglite();
    const r = await runCli(['index', dir, ...args('--json', '--team-index', db.url)], { env: env() });
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => db?.stop());

  test('a schema from a newer version is refused before anything is written', async () => {
    await sql(db.url, `UPDATE sw_meta SET value = '99' WHERE key = 'schema_version'`);
    fs.appendFileSync(path.join(dir, 'new-note.md'), '# New\n\nA note written after the schema was upgraded elsewhere.\n');
    const r = await runCli(['index', dir, ...args('--team-index', db.url)], { env: env() });
    assert.equal(r.code, 1);
    oneMessage(r, /has schema version 99, made by a newer Semantic Workspace \(this one knows up to 3\)\. Update/);
    await sql(db.url, `UPDATE sw_meta SET value = '3' WHERE key = 'schema_version'`);
    assert.deepEqual(await storeIsConsistent(db.url), { snapshots: 1, holes: 0, rowMismatch: 0 });
    await localStillWorks();
  });

  test('a version-1 store (one postings row per term and chunk, no impact lists) is migrated in place: remote keyword scores unchanged', async () => {
    const q = (...extra: string[]) => ['search', dir, ...args('--json', '--mode', 'keyword', ...extra), 'parse the config'];
    const before = await runCli(q('--remote', '--team-index', db.url), { env: env() });
    assert.equal(before.code, 0, before.stderr);
    // The v1 layout, rebuilt from the v2 rows: what a store made by the previous release holds.
    await sql(db.url, `BEGIN;
      CREATE TABLE sw_chunk_terms (fp integer NOT NULL, term text NOT NULL, hash bytea NOT NULL, value integer NOT NULL, PRIMARY KEY (fp, term, hash));
      INSERT INTO sw_chunk_terms SELECT p.fp, t.term, p.hash, t.value FROM sw_chunk_postings p, unnest(p.terms, p.vals) AS t(term, value);
      DROP TABLE sw_chunk_postings; ALTER TABLE sw_snapshot_terms DROP COLUMN impacts, DROP COLUMN rest;
      UPDATE sw_meta SET value = '1' WHERE key = 'schema_version'; COMMIT`);
    const after = await runCli(q('--remote', '--team-index', db.url), { env: env() });
    assert.equal(after.code, 0, after.stderr);
    assert.deepEqual(parseJsonLines(after.stdout)[0].results, parseJsonLines(before.stdout)[0].results);
    assert.ok((parseJsonLines(after.stdout)[0].results as unknown[]).length > 0);
    const v = await sql<{ value: string }>(db.url, `SELECT value FROM sw_meta WHERE key = 'schema_version'`);
    assert.equal(v[0].value, '3');
    assert.equal((await sql(db.url, `SELECT to_regclass('sw_chunk_terms') AS t`))[0].t, null, 'the v1 table is gone');
    const cols = await sql<{ c: string }>(db.url, `SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'sw_snapshot_terms' AND column_name IN ('impacts', 'rest') ORDER BY 1`);
    assert.deepEqual(cols.map((c) => c.c), ['impacts', 'rest'], 'v3 added the impact lists (the old snapshot has none: the full scan answered)');
  });

  test('a fingerprint mismatch names what the team has', async () => {
    const r = await runCli(['search', dir, ...args('--remote', '--team-index', db.url, 'parse the config').map((a) => (a === '256' ? '512' : a))], { env: env() });
    assert.equal(r.code, 2);
    oneMessage(r, /has "faults\/repo" only for other models or settings: DashScope .*256.*This client is .*512/s);
  });

  test('the offline provider cannot share', async () => {
    const r = await runCli(['index', dir, '--index-dir', path.join(dir, '..', 'off'), '--repo-id', 'faults/repo', '--team-index', db.url], { env: env() });
    assert.equal(r.code, 1);
    oneMessage(r, /offline provider cannot use a team index: its vectors come from a basis fitted to each workspace/);
  });

  test('2,048-d vectors are stored as vector(2048) and indexed as halfvec (pgvector indexes at most 2,000 dims)', async () => {
    const idx = path.join(dir, '..', 'idx2048');
    const a = (...extra: string[]) => ['--provider', 'dashscope', '--dimensions', '2048', '--index-dir', idx, '--repo-id', 'faults/repo', '--team-index', db.url, ...extra];
    const r = await runCli(['index', dir, ...a('--json')], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    const col = await sql<{ t: string; def: string }>(db.url, `SELECT format_type(a.atttypid, a.atttypmod) AS t, (SELECT indexdef FROM pg_indexes i WHERE i.tablename = c.relname AND indexdef LIKE '%hnsw%') AS def
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN sw_fingerprints f ON c.relname = 'sw_vectors_' || f.id WHERE f.dims = 2048 AND a.attname = 'embedding'`);
    assert.equal(col[0].t, 'vector(2048)');
    assert.match(col[0].def, /halfvec\(2048\)\).*halfvec_cosine_ops/);
    const local = await runCli(['search', dir, ...a('--json', 'parse the config')], { env: env() });
    const remote = await runCli(['search', dir, ...a('--json', '--remote', 'parse the config')], { env: env() });
    assert.equal(remote.code, 0, remote.stderr);
    const keys = (out: string) => (parseJsonLines(out)[0].results as { path: string; startLine: number }[]).map((h) => `${h.path}:${h.startLine}`);
    assert.deepEqual(keys(remote.stdout), keys(local.stdout));
  });

  test('an unreachable host', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const r = await runCli(['search', dir, ...args('--remote', '--team-index', `postgres://postgres@127.0.0.1:${port}/postgres`, 'x')], { env: env() });
    assert.equal(r.code, 1);
    oneMessage(r, /Cannot reach the team index at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    // index --remote stops before embedding anything when the team index cannot be reached.
    fs.writeFileSync(path.join(dir, 'unreachable-note.md'), '# Unreachable\n\nWritten while the team index was down.\n');
    const before = fake.counters.requests;
    const ir = await runCli(['index', dir, ...args('--remote', '--team-index', `postgres://postgres@127.0.0.1:${port}/postgres`)], { env: env() });
    assert.equal(ir.code, 1);
    oneMessage(ir, /Cannot reach the team index/);
    assert.equal(fake.counters.requests, before, 'nothing embedded');
    fs.rmSync(path.join(dir, 'unreachable-note.md'));
    await localStillWorks();
  });
});
