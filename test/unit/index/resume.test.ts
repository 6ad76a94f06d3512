import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createEmbedder } from '../../../src/core/embedderFactory';
import { openIndex, runIndex } from '../../../src/core/index';
import { JournalWriter, readJournal } from '../../../src/core/index/journal';
import { IndexStore } from '../../../src/core/index/store';
import { startFakeDashScope } from '../../fake-dashscope/server';
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

test('SIGKILL right after a DashScope delivery re-bills only the batches in flight (journal written per batch)', { timeout: 120_000 }, async () => {
  // 40 files × 8 functions = 320 distinct texts = 32 requests of 10. The child indexes them
  // through the fake DashScope server (in this process, so its counters are exact) with the
  // default 2 s fsync interval, and is SIGKILLed within a millisecond of the server's 12th
  // delivery — long before the first fsync. Every batch the client had received by then must be
  // in the journal already (written to the kernel at once; SIGKILL keeps the page cache), so the
  // next run re-bills only what was in flight: at most one request per worker.
  const CONCURRENCY = 4, BATCH = 10, KILL_AT_TEXTS = 12 * BATCH;
  const ws = workspace(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`src/m${i}.ts`, tsFile(`m${i}`, 8)])));
  const fake = await startFakeDashScope({ latencyMs: 20 });
  let proc: ReturnType<typeof spawn> | undefined;
  try {
    const config = { root: ws.root, provider: 'dashscope' as const, apiKey: 'sk-resume0123456789abcdef', remote: { baseUrl: fake.url, concurrency: CONCURRENCY } };
    const child = path.join(path.dirname(ws.indexDir), 'child.ts');
    fs.writeFileSync(child, `
      import { createEmbedder } from ${JSON.stringify(path.resolve('src/core/embedderFactory.ts'))};
      import { runIndex } from ${JSON.stringify(path.resolve('src/core/index/index.ts'))};
      const config = ${JSON.stringify(config)};
      void runIndex({ root: config.root, indexDir: ${JSON.stringify(ws.indexDir)}, embedder: createEmbedder(config) });
    `);
    proc = spawn(process.execPath, ['--import', 'tsx', child], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
    const p = proc;
    const exited = new Promise((r) => p.on('exit', r));
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (fake.counters.texts >= KILL_AT_TEXTS) {
          p.kill('SIGKILL'); // the server counts a delivery just before writing it
          clearInterval(poll);
          resolve();
        } else if (p.exitCode !== null) {
          clearInterval(poll);
          reject(new Error(`the child exited (${p.exitCode}) before ${KILL_AT_TEXTS} texts were delivered`));
        }
      }, 1);
    });
    await exited;
    // Requests the server had already received are still answered (and billed) after the kill:
    // wait until it has answered every one, so the counts below are final.
    const answered = () => Object.values(fake.counters.byStatus).reduce((a, b) => a + b, 0);
    do await new Promise((r) => setTimeout(r, 50));
    while (answered() < fake.counters.requests);
    const billed1 = new Map(fake.counters.embedCounts);
    assert.ok(billed1.size >= KILL_AT_TEXTS && billed1.size < 320, `run 1 was killed mid-embedding (${billed1.size} texts billed)`);
    assert.ok([...billed1.values()].every((n) => n === 1), 'run 1 billed every text once');

    const embedder = createEmbedder(config);
    const store = new IndexStore(ws.indexDir);
    assert.equal(store.readManifest(embedder.fingerprint).status, 'missing', 'killed before any commit');
    const journaled = readJournal(store.spaceDir(embedder.fingerprint), embedder.dimensions, '')?.vectors.size ?? 0;
    // What the journal lacks was in flight at the kill: at most one request per worker.
    const lost = billed1.size - journaled;
    assert.ok(lost >= 0 && lost <= CONCURRENCY * BATCH, `${billed1.size} texts billed, ${journaled} journaled: ${lost} lost (at most ${CONCURRENCY * BATCH} were in flight)`);

    const r = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder });
    assert.equal(r.chunks, 320);
    assert.equal(r.incomplete, false);
    const rebilled = [...billed1].filter(([h, n]) => (fake.counters.embedCounts.get(h) ?? 0) > n).length;
    assert.equal(rebilled, lost, 're-billed exactly the texts the journal lacked');
    assert.ok(rebilled <= CONCURRENCY * BATCH, `re-billed ${rebilled} texts (in flight at the kill: at most ${CONCURRENCY * BATCH})`);
    assert.equal(fake.counters.texts, billed1.size + 320 - journaled, 'the resumed run embedded exactly what the journal lacked');
    assert.ok([...fake.counters.embedCounts.values()].every((n) => n <= 2), 'nothing billed more than twice');
    assert.ok(!fs.existsSync(path.join(store.spaceDir(embedder.fingerprint), 'journal.bin')), 'journal removed after commit');
  } finally {
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await fake.close();
  }
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

test('journal: write() hands each batch to the kernel at once, in order; flush() adds the fsync', () => {
  const dir = tempDir();
  const file = path.join(dir, 'journal.bin');
  const vec = (i: number) => Float32Array.from([i, -i, i / 2, 1]);
  const w = JournalWriter.open(dir, 4, 'b');
  w.add('a0', vec(0));
  w.add('a1', vec(1));
  assert.equal(readJournal(dir, 4, 'b'), undefined, 'staged records are not written before write()');
  w.write(); // batch A: readable by another reader (another process) without fsync or close
  assert.deepEqual([...(readJournal(dir, 4, 'b')?.vectors.keys() ?? [])], ['a0', 'a1']);
  assert.equal(w.written, 2);
  assert.equal(w.flushed, 0);
  for (let i = 0; i < 3; i++) w.add(`b${i}`, vec(10 + i));
  w.write(); // batch B appends after A, whole
  w.add('c0', vec(20));
  w.flush(); // writes what is staged, then fsyncs
  assert.equal(w.flushed, 6);
  const j = readJournal(dir, 4, 'b');
  assert.deepEqual([...(j?.vectors.keys() ?? [])], ['a0', 'a1', 'b0', 'b1', 'b2', 'c0']);
  assert.deepEqual(j?.vectors.get('b2'), vec(12));
  w.close();
  fs.truncateSync(file, fs.statSync(file).size - 3); // killed mid-write of c0
  assert.deepEqual([...(readJournal(dir, 4, 'b')?.vectors.keys() ?? [])], ['a0', 'a1', 'b0', 'b1', 'b2']);
});
