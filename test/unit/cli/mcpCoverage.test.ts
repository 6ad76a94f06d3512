/**
 * Coverage in the MCP answers, against the fake DashScope server (real HTTP on 127.0.0.1): the key
 * is revoked mid-run (401 after two requests), so the index stops short. index_status then says
 * "Incomplete: N of M files — API key rejected" with the missing files and never "up to date";
 * a search over it says so next to its results and carries `coverage`; once the key works again a
 * reindex completes it, and only then is it up to date and the note gone.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startFakeDashScope, type FakeDashScope } from '../../fake-dashscope/server';
import { tsFile } from '../index/helpers';
import { tempDir, writeTree } from './support';
import { startMcp, textOf } from './mcpSupport';

interface Coverage {
  complete: boolean;
  files: { indexed: number; discovered: number };
  chunks: { indexed: number; discovered: number };
  missing: { reason: string; count: number; files: string[] }[];
  skipped: { reason: string; files: string[] }[];
  stoppedBy?: { reason: string; message: string };
  lastCompleteAt?: string;
}
interface FolderJson { upToDate: boolean; coverage: Coverage }
interface SearchJson { results: { path: string }[]; coverage: { complete: boolean; files: { indexed: number; discovered: number }; reason?: string }; notes?: string[] }

let fake: FakeDashScope;
const corpus = tempDir('sw-mcp-cov-');
// 8 files × 5 functions = 40 chunks = 4 requests of 10 texts; plus one binary file skipped by policy.
writeTree(corpus, {
  ...Object.fromEntries(['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'].map((n) => [`src/${n}.ts`, tsFile(n, 5)])),
  'notes/blob.txt': 'looks like text\u0000\u0000\u0000 but is binary',
});

before(async () => {
  fake = await startFakeDashScope({ faults: { unauthorizedAfter: 2 } });
});
after(async () => {
  await fake?.close();
});

test('a key revoked mid-run: index_status and search say "Incomplete: N of 8 files — API key rejected"; a reindex with a good key completes it', async () => {
  const env = { DASHSCOPE_API_KEY: 'sk-test-mcp-coverage', DASHSCOPE_BASE_URL: fake.url };
  const s = await startMcp([corpus, '--provider', 'dashscope', '--index-dir', path.join(tempDir('sw-mcp-cov-idx-'), 'idx')], env);
  try {
    const built = await s.call('reindex', {});
    assert.match(textOf(built), /Incomplete: \d of 8 files — API key rejected: call reindex again to resume/, textOf(built));

    const st = await s.call('index_status', {});
    const [f] = (st.structuredContent as unknown as { folders: FolderJson[] }).folders;
    const c = f.coverage;
    assert.equal(c.complete, false);
    assert.equal(f.upToDate, false);
    assert.equal(c.files.discovered, 8);
    assert.ok(c.files.indexed >= 1 && c.files.indexed < 8, `${c.files.indexed} of 8 files indexed`);
    assert.equal(c.chunks.discovered, 40);
    assert.equal(c.missing[0].reason, 'auth');
    assert.equal(c.missing[0].count, 8 - c.files.indexed);
    assert.ok(c.missing[0].files.includes('src/hotel.ts'), JSON.stringify(c.missing));
    assert.match(c.stoppedBy?.message ?? '', /API key/);
    assert.equal(c.lastCompleteAt, undefined);
    assert.deepEqual(c.skipped.find((k) => k.reason === 'binary')?.files, ['notes/blob.txt']);
    const text = textOf(st);
    assert.match(text, new RegExp(`INCOMPLETE — .*\\n  Incomplete: ${c.files.indexed} of 8 files — API key rejected · ${c.chunks.indexed} of 40 chunks`), text);
    assert.match(text, /missing — API key rejected: \d file\(s\), \d+ chunk\(s\): .*src\/hotel\.ts/);
    assert.match(text, /skipped by policy — binary: 1 file\(s\): notes\/blob\.txt/);
    assert.match(text, /Last complete: never/);
    assert.doesNotMatch(text, /up to date/i, 'an index that stopped short is never "up to date"');

    // Keyword search needs no query embedding: it answers, and says the index is incomplete.
    const q = await s.call('search', { query: 'hotelFn3', mode: 'keyword', topK: 3 });
    assert.ok(!q.isError, textOf(q));
    assert.match(textOf(q), new RegExp(`note: The index is incomplete — Incomplete: ${c.files.indexed} of 8 files — API key rejected .*do not conclude that something is absent`), textOf(q));
    const sq = q.structuredContent as unknown as SearchJson;
    assert.equal(sq.coverage.complete, false);
    assert.equal(sq.coverage.reason, 'auth');
    assert.deepEqual(sq.coverage.files, { indexed: c.files.indexed, discovered: 8 });

    // The key works again: a reindex embeds the rest; only now is it complete and up to date.
    fake.setFaults(undefined);
    const done = await s.call('reindex', {});
    assert.ok(!done.isError, textOf(done));
    assert.doesNotMatch(textOf(done), /Incomplete/);
    const st2 = await s.call('index_status', {});
    const [f2] = (st2.structuredContent as unknown as { folders: FolderJson[] }).folders;
    assert.equal(f2.coverage.complete, true);
    assert.equal(f2.upToDate, true);
    assert.deepEqual(f2.coverage.files, { indexed: 8, discovered: 8 });
    assert.ok(f2.coverage.lastCompleteAt);
    assert.match(textOf(st2), /: up to date — 8 files, 40 chunks/);
    assert.match(textOf(st2), /Complete: 8 of 8 files, 40 chunks/);
    const q2 = await s.call('search', { query: 'hotel step 3', topK: 3 });
    assert.ok(!q2.isError, textOf(q2));
    assert.doesNotMatch(textOf(q2), /incomplete/i);
    assert.equal((q2.structuredContent as unknown as SearchJson).coverage.complete, true);
    assert.equal((q2.structuredContent as unknown as SearchJson).results[0].path, 'src/hotel.ts');
  } finally {
    await s.close();
  }
});
