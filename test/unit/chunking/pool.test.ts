/**
 * The chunk worker pool gives exactly what the in-process path gives: same chunks, same hashes,
 * same skips, in the same order — from source (tsx worker) and from the bundled dist/chunkWorker.js.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { ChunkPool, chunkFilesInOrder, chunkPoolSize, configureChunkPool, locateWorkerScript, processFile, type FileOutcome, type FileTask } from '../../../src/core/chunking/pool';
import { requireBootstrap } from '../../../src/core/chunking/pool/config';
import { scanWorkspace, type ScanResult } from '../../../src/core/index/scan';
import { grammarForPath } from '../../../src/core/chunking/languages';
import { retainedCode } from '../../../src/core/chunking/treeSitter';
import { FIXTURES } from './helpers';
import { makeCorpus } from './poolSupport';

const repo = path.resolve(__dirname, '../../..');
const corpus = makeCorpus();
after(() => fs.rmSync(corpus, { recursive: true, force: true }));
afterEach(() => void configureChunkPool({}));

function plain(scan: ScanResult) {
  return { processed: scan.processed, skipped: scan.skipped, unchanged: [...scan.unchanged], removed: [...scan.removed], filesSeen: scan.filesSeen };
}

async function scanWith(size: number, extra: Parameters<typeof configureChunkPool>[0] = {}) {
  configureChunkPool({ size, minBytes: 0, ...extra });
  const progress: number[] = [];
  const scan = await scanWorkspace({ root: corpus, rechunkAll: true, progress: (p) => p.phase === 'chunk' && progress.push(p.filesDone ?? -1) });
  return { scan: plain(scan), progress };
}

describe('chunk pool: identical to in-process', () => {
  it('every fixture, default and small budgets, one task at a time', { timeout: 120_000 }, async () => {
    const script = locateWorkerScript();
    assert.ok(script, 'the source worker (tsx) is found when running from source');
    const pool = new ChunkPool({ size: 2, script });
    try {
      for (const name of fs.readdirSync(FIXTURES).sort()) {
        for (const maxTokens of [undefined, 120]) {
          const task: FileTask = { absPath: path.join(FIXTURES, name), relPath: `src/${name}`, maxBytes: 1_000_000, maxTokens };
          const [viaPool, local] = await Promise.all([pool.run(task), processFile(task)]);
          assert.equal(viaPool.kind, 'chunks', name);
          assert.deepEqual(viaPool, local, `${name} @ ${maxTokens ?? 'default'}`);
        }
      }
      assert.equal(pool.fallbackReason, undefined);
      assert.equal(pool.crashes, 0);
    } finally {
      await pool.close();
    }
    // The workers are gone; the process still holds the code they compiled, for the next live update's parse.
    const held = await retainedCode();
    const parsed = new Set(fs.readdirSync(FIXTURES).map((n) => grammarForPath(`src/${n}`)).filter(Boolean));
    assert.ok(held.includes('tree-sitter.wasm'), `the runtime is held: ${held.join(', ')}`);
    assert.ok(held.length >= 2 && held.length <= 5, `the runtime and 1–4 grammars: ${held.join(', ')}`);
    for (const g of held.filter((h) => h !== 'tree-sitter.wasm')) assert.ok(parsed.has(g), `${g} is a grammar the workers parsed`);
  });

  it('a generated corpus through scanWorkspace: 0, 1 and 2 workers agree; progress is per file and monotonic', { timeout: 180_000 }, async () => {
    const base = await scanWith(0);
    assert.ok(base.scan.processed.length > 40 && base.scan.skipped.length >= 2, 'the corpus exercises chunks and skips');
    assert.deepEqual(new Set(base.scan.skipped.map((s) => s.reason)), new Set(['binary', 'empty', 'generated']), 'odd/minified.js is a bundle by content');
    for (const size of [1, 2]) {
      const got = await scanWith(size);
      assert.deepEqual(got.scan, base.scan, `${size} worker(s)`);
      assert.deepEqual(got.progress, base.progress);
    }
    assert.deepEqual(base.progress, Array.from({ length: base.scan.filesSeen + 1 }, (_, i) => i));
  });

  it('the bundled dist/chunkWorker.js (what the CLI and the extension start) agrees too', { timeout: 120_000 }, async () => {
    const bundled = path.join(repo, 'dist', 'chunkWorker.js');
    assert.ok(fs.existsSync(bundled), 'scripts/build.mjs builds dist/chunkWorker.js (run-unit builds first)');
    const base = await scanWith(0);
    const got = await scanWith(2, { script: requireBootstrap(bundled) });
    assert.deepEqual(got.scan, base.scan);
  });

  it('an incremental scan (prevHash) through the pool: touched files stay unchanged, edited ones are re-chunked', { timeout: 120_000 }, async () => {
    configureChunkPool({ size: 0 });
    const first = await scanWorkspace({ root: corpus, rechunkAll: true, progress: () => undefined });
    const files = first.processed;
    const old = { paths: files.map((f) => f.path), sizes: files.map((f) => f.size), mtimes: files.map((f) => f.mtimeMs - 1000), hashes: files.map((f) => f.hash), counts: files.map((f) => f.chunks.length) };
    const results: ReturnType<typeof plain>[] = [];
    for (const size of [0, 2]) {
      configureChunkPool({ size, minBytes: 0 });
      results.push(plain(await scanWorkspace({ root: corpus, rechunkAll: false, old, progress: () => undefined })));
    }
    assert.deepEqual(results[1], results[0]);
    assert.equal(results[0].processed.length, 0, 'every file was only touched (mtime moved, same content)');
    assert.equal(results[0].unchanged.length, files.length);
  });
});

describe('chunk pool: configuration and fallback', () => {
  it('SEMANTIC_WORKSPACE_WORKERS sets the size (0 disables); configureChunkPool wins', () => {
    const saved = process.env.SEMANTIC_WORKSPACE_WORKERS;
    try {
      process.env.SEMANTIC_WORKSPACE_WORKERS = '0';
      assert.equal(chunkPoolSize(), 0);
      process.env.SEMANTIC_WORKSPACE_WORKERS = '3';
      assert.equal(chunkPoolSize(), 3);
      process.env.SEMANTIC_WORKSPACE_WORKERS = 'lots';
      assert.ok(chunkPoolSize() >= 1 && chunkPoolSize() <= 4, 'garbage → the default');
      configureChunkPool({ size: 1 });
      assert.equal(chunkPoolSize(), 1);
    } finally {
      if (saved === undefined) delete process.env.SEMANTIC_WORKSPACE_WORKERS;
      else process.env.SEMANTIC_WORKSPACE_WORKERS = saved;
    }
  });

  it('no worker script (a host bundled without it) → in-process, same results', { timeout: 60_000 }, async () => {
    configureChunkPool({ size: 2, minBytes: 0, script: null });
    const tasks: FileTask[] = fs.readdirSync(FIXTURES).sort().map((n) => ({ absPath: path.join(FIXTURES, n), relPath: n, maxBytes: 1e6 }));
    const got: FileOutcome[] = [];
    const stats = await chunkFilesInOrder(tasks, { bytes: 1e9 }, (_i, o) => got.push(o!));
    assert.equal(stats.mode, 'in-process');
    assert.deepEqual(got, await Promise.all(tasks.map(processFile)));
  });

  it('a worker that cannot start (broken script) → the pool finishes every task in-process, same results', { timeout: 60_000 }, async () => {
    configureChunkPool({ size: 2, minBytes: 0, script: requireBootstrap(path.join(corpus, 'no-such-worker.js')) });
    const tasks: FileTask[] = fs.readdirSync(FIXTURES).sort().map((n) => ({ absPath: path.join(FIXTURES, n), relPath: n, maxBytes: 1e6 }));
    const got: FileOutcome[] = [];
    const stats = await chunkFilesInOrder(tasks, { bytes: 1e9 }, (_i, o) => got.push(o!));
    assert.equal(stats.mode, 'in-process');
    assert.match(stats.fallbackReason ?? '', /failed to start|cannot start/);
    assert.deepEqual(got, await Promise.all(tasks.map(processFile)));
  });
});
