import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openIndex, runIndex } from '../../../src/core/index';
import { JournalWriter, readJournal } from '../../../src/core/index/journal';
import { IndexStore } from '../../../src/core/index/store';
import { HashEmbedder, tempDir, tsFile, workspace } from './helpers';

// 6 files × 5 functions = 30 chunks; batches of 4 texts.
const corpus = () => Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => [`src/${n}.ts`, tsFile(n, 5)]));

test('a failure keeps what was embedded; the resumed run embeds only what is missing', async () => {
  const ws = workspace(corpus());
  const failing = new HashEmbedder({ failAfterBatches: 3 });
  const r1 = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: failing });
  assert.equal(r1.incomplete, true);
  assert.equal(r1.error?.kind, 'network');
  assert.equal(r1.embeddedChunks, 12);
  // The complete files are committed and searchable; the rest is cached as extras.
  const idx = openIndex({ indexDir: ws.indexDir, embedder: failing });
  assert.equal(idx.status, 'ok');
  assert.equal(idx.status === 'ok' && idx.index.files.length, 2);
  assert.equal(idx.status === 'ok' && idx.index.complete, false);
  const ok = new HashEmbedder();
  const r2 = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: ok });
  assert.equal(r2.embeddedChunks, 18);
  assert.equal(ok.sent.length, 18);
  assert.equal(r2.chunks, 30);
  assert.equal(r2.incomplete, false);
  const done = openIndex({ indexDir: ws.indexDir, embedder: ok });
  assert.ok(done.status === 'ok' && done.index.complete && done.index.chunks.length === 30);
});

test('cancel via AbortSignal leaves a loadable index and loses nothing embedded', async () => {
  const ws = workspace(corpus());
  const controller = new AbortController();
  const e1 = new HashEmbedder({ cancelAfter: { batches: 2, controller } });
  const r1 = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e1 }, { signal: controller.signal });
  assert.equal(r1.incomplete, true);
  assert.equal(r1.error?.kind, 'cancelled');
  assert.match(r1.warnings.join('\n'), /cancelled/);
  assert.equal(openIndex({ indexDir: ws.indexDir, embedder: e1 }).status, 'ok');
  const e2 = new HashEmbedder();
  const r2 = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e2 });
  assert.equal(e2.sent.length, 30 - 8);
  assert.equal(r2.chunks, 30);
});

test('cancelled during discovery/chunking: nothing is written, the old index stays', async () => {
  const ws = workspace(corpus());
  const e = new HashEmbedder();
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  ws.write('src/z.ts', tsFile('z', 2));
  const controller = new AbortController();
  controller.abort();
  const r = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e }, { signal: controller.signal });
  assert.equal(r.incomplete, true);
  assert.equal(r.error?.kind, 'cancelled');
  assert.equal(r.chunks, 30);
  const idx = openIndex({ indexDir: ws.indexDir, embedder: e });
  assert.ok(idx.status === 'ok' && idx.index.chunks.length === 30);
});

test('SIGKILL mid-embedding loses seconds, not the run (journal checkpoint)', { timeout: 60_000 }, async () => {
  const ws = workspace(corpus());
  const child = path.join(path.dirname(ws.indexDir), 'child.ts');
  const helpers = path.resolve('test/unit/index/helpers.ts');
  const indexer = path.resolve('src/core/index/index.ts');
  fs.writeFileSync(child, `
    import { runIndex } from ${JSON.stringify(indexer)};
    import { HashEmbedder } from ${JSON.stringify(helpers)};
    const e = new HashEmbedder({ delayMs: 150, batchSize: 1 });
    void runIndex({ root: ${JSON.stringify(ws.root)}, indexDir: ${JSON.stringify(ws.indexDir)}, embedder: e, checkpointMs: 100 });
    setInterval(() => process.stdout.write(String(e.batches) + '\\n'), 50);
  `);
  const proc = spawn(process.execPath, ['--import', 'tsx', child], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => {
    proc.stdout.on('data', (d: Buffer) => {
      if (Number(d.toString().trim().split('\n').pop()) >= 10) resolve();
    });
  });
  proc.kill('SIGKILL');
  await new Promise((r) => proc.on('exit', r));
  const store = new IndexStore(ws.indexDir);
  const e = new HashEmbedder();
  assert.equal(store.readManifest(e.fingerprint).status, 'missing', 'killed before any commit');
  const r = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  assert.equal(r.chunks, 30);
  assert.ok(e.sent.length <= 30 - 8, `resumed run embedded ${e.sent.length} of 30`);
  assert.ok(!fs.existsSync(path.join(store.spaceDir(e.fingerprint), 'journal.bin')), 'journal removed after commit');
});

test('journal: a torn tail or a foreign basis is ignored, the valid prefix is kept', () => {
  const dir = tempDir();
  const w = JournalWriter.open(dir, 4, 'basis-1');
  for (let i = 0; i < 5; i++) w.add(`h${i}`, Float32Array.from([i, i + 0.5, -i, 1]));
  w.flush();
  w.close();
  const file = path.join(dir, 'journal.bin');
  const full = fs.statSync(file).size;
  fs.truncateSync(file, full - 7); // killed mid-record
  let j = readJournal(dir, 4, 'basis-1');
  assert.deepEqual([...(j?.vectors.keys() ?? [])], ['h0', 'h1', 'h2', 'h3']);
  assert.deepEqual(j?.vectors.get('h3'), Float32Array.from([3, 3.5, -3, 1]));
  // Appending continues after the valid prefix.
  const w2 = JournalWriter.open(dir, 4, 'basis-1', j);
  w2.add('h9', Float32Array.from([9, 9, 9, 9]));
  w2.flush();
  w2.close();
  j = readJournal(dir, 4, 'basis-1');
  assert.deepEqual([...(j?.vectors.keys() ?? [])], ['h0', 'h1', 'h2', 'h3', 'h9']);
  // A flipped bit invalidates that record and everything after it.
  const b = fs.readFileSync(file);
  b[b.length - 10] ^= 1;
  fs.writeFileSync(file, b);
  assert.equal(readJournal(dir, 4, 'basis-1')?.vectors.size, 4);
  assert.equal(readJournal(dir, 4, 'basis-2'), undefined, 'another offline basis: other vectors');
  assert.equal(readJournal(dir, 8, 'basis-1'), undefined);
});
