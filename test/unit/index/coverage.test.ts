/**
 * Coverage is part of the index's state: a run that stops short says how much is in (files and
 * chunks of those discovered), what is missing and why (per failure class, with the files), and
 * that survives a restart (a new engine on the same index directory). Only a resumed run that
 * embeds everything makes it complete again. Real HTTP against the fake DashScope server.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openEngine } from '../../../src/core/engine';
import type { EngineConfig } from '../../../src/core/engineTypes';
import { startFakeDashScope, type FakeDashScope } from '../../fake-dashscope/server';
import { tsFile, workspace } from './helpers';

const KEY = 'sk-coverage0123456789abcdef';
// 8 files × 5 functions = 40 chunks = 4 requests of 10 texts.
const files = () => ({
  ...Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((n) => [`src/${n}.ts`, tsFile(n, 5)])),
  'notes/blob.txt': 'looks like text\u0000\u0000\u0000 but is binary',
});

function config(root: string, indexDir: string, fake: FakeDashScope): EngineConfig {
  return { root, indexDir, provider: 'dashscope', apiKey: KEY, remote: { baseUrl: fake.url, concurrency: 1 } };
}

test('a 401 mid-run: coverage says N of M files, auth, which files; it survives a restart; Resume completes it', async () => {
  const ws = workspace(files());
  const fake = await startFakeDashScope({ faults: { unauthorizedAfter: 2 } });
  try {
    const e1 = await openEngine(config(ws.root, ws.indexDir, fake));
    const r1 = await e1.index();
    assert.equal(r1.incomplete, true);
    assert.equal(r1.error?.failure, 'auth');
    assert.equal(fake.counters.requests, 3, 'no retry after the 401');
    const c1 = r1.coverage!;
    assert.equal(c1.complete, false);
    assert.equal(c1.files.discovered, 8);
    assert.ok(c1.files.indexed >= 3 && c1.files.indexed <= 4, `${c1.files.indexed} of 8 files (20 chunks embedded)`);
    assert.equal(c1.chunks.discovered, 40);
    assert.equal(c1.chunks.indexed, c1.files.indexed * 5);
    assert.equal(c1.missing.length, 1);
    assert.equal(c1.missing[0].reason, 'auth');
    assert.equal(c1.missing[0].count, 8 - c1.files.indexed);
    assert.ok(c1.missing[0].files.includes('src/h.ts'));
    assert.equal(c1.stoppedBy?.reason, 'auth');
    assert.match(c1.stoppedBy!.message, /API key/);
    assert.equal(c1.lastCompleteAt, undefined, 'never complete yet');
    assert.deepEqual(c1.skipped.find((s) => s.reason === 'binary')?.files, ['notes/blob.txt']);

    // Restart: a new engine (a new process, as far as the index knows) reads the same coverage.
    const e2 = await openEngine(config(ws.root, ws.indexDir, fake));
    const s2 = await e2.status();
    assert.deepEqual(s2.coverage, c1);

    // The key is fixed: Resume embeds only what is missing, and only now is it complete.
    fake.setFaults(undefined);
    fake.reset();
    const r3 = await e2.index();
    assert.equal(r3.incomplete, false);
    assert.equal(r3.embeddedChunks, 40 - c1.chunks.indexed);
    const s3 = await (await openEngine(config(ws.root, ws.indexDir, fake))).status();
    assert.equal(s3.coverage?.complete, true);
    assert.deepEqual(s3.coverage?.files, { indexed: 8, discovered: 8 });
    assert.deepEqual(s3.coverage?.chunks, { indexed: 40, discovered: 40 });
    assert.deepEqual(s3.coverage?.missing, []);
    assert.equal(s3.coverage?.stoppedBy, undefined);
    assert.ok(s3.coverage?.lastCompleteAt);
  } finally {
    await fake.close();
  }
});

test('server stopped mid-run → network; a changed file that fails keeps its old version but counts as missing', async () => {
  const ws = workspace(files());
  const fake = await startFakeDashScope({});
  const cfg = config(ws.root, ws.indexDir, fake);
  // Fast retries (the default patience is 110 s): the embedder takes the scheduler's tuning.
  const remote = { ...cfg.remote, timeoutMs: 2000, tuning: { baseDelayMs: 20, maxDelayMs: 100 } };
  const e = await openEngine({ ...cfg, remote });
  assert.equal((await e.index()).coverage?.complete, true);
  ws.write('src/a.ts', tsFile('a2', 5));
  await fake.close(); // the service is gone: connection refused
  const r = await e.index();
  assert.equal(r.error?.failure, 'network');
  const c = r.coverage!;
  assert.equal(c.complete, false);
  assert.deepEqual(c.files, { indexed: 7, discovered: 8 });
  assert.deepEqual(c.missing.map((m) => [m.reason, m.files]), [['network', ['src/a.ts']]]);
  assert.ok(c.lastCompleteAt, 'it was complete once: when is kept');
  // The coverage file is the store's: it names the manifest generation it describes.
  const space = fs.readdirSync(ws.indexDir).find((n) => fs.existsSync(path.join(ws.indexDir, n, 'coverage.json')))!;
  const stored = JSON.parse(fs.readFileSync(path.join(ws.indexDir, space, 'coverage.json'), 'utf8'));
  assert.equal(typeof stored.generation, 'number');
});

test('an index from before coverage (no coverage.json): complete flag only, never invented detail', async () => {
  const ws = workspace(files());
  const fake = await startFakeDashScope({});
  try {
    const e = await openEngine(config(ws.root, ws.indexDir, fake));
    await e.index();
    for (const n of fs.readdirSync(ws.indexDir)) fs.rmSync(path.join(ws.indexDir, n, 'coverage.json'), { force: true });
    const s = await e.status();
    assert.equal(s.coverage?.complete, true);
    assert.equal(s.coverage?.detail, false);
    assert.deepEqual(s.coverage?.files, { indexed: 8, discovered: 8 });
  } finally {
    await fake.close();
  }
});
