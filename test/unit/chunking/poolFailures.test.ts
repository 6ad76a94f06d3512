/**
 * The chunk pool under failure: a worker dying on one file costs that file only, a cancel
 * terminates even a worker stuck in a parse, and nothing keeps the process (CLI) alive afterwards.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { configureChunkPool } from '../../../src/core/chunking/pool';
import { scanWorkspace } from '../../../src/core/index/scan';
import { makeCorpus } from './poolSupport';

const repo = path.resolve(__dirname, '../../..');
// Bulk files: the CLI only starts workers for ≥ 256 KB to read (DEFAULT_MIN_POOL_BYTES).
const corpus = makeCorpus(48, 6);
fs.writeFileSync(path.join(corpus, 'src', 'boom.ts'), 'export const boom = 1;\n');
fs.writeFileSync(path.join(corpus, 'src', 'hang.ts'), 'export const hang = 1;\n');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-poolfail-'));
after(() => {
  fs.rmSync(corpus, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});
afterEach(() => void configureChunkPool({}));

const scan = () => scanWorkspace({ root: corpus, rechunkAll: true, progress: () => undefined });

/** Runs a script in a fresh Node (tsx) and reports how it ended and how long it took. */
function runChild(source: string, timeoutMs: number): Promise<{ code: number | null; ms: number; out: string }> {
  const file = path.join(tmp, `child-${Date.now()}-${Math.random().toString(36).slice(2)}.ts`);
  fs.writeFileSync(file, source);
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: repo, env: { ...process.env, NODE_OPTIONS: '' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: Date.now() - t0, out });
    });
  });
}

describe('chunk pool: failures', () => {
  it('a worker crashing on one file → that file is an unreadable skip with the reason; the rest is identical', { timeout: 180_000 }, async () => {
    configureChunkPool({ size: 0 });
    const base = await scan();
    configureChunkPool({ size: 2, minBytes: 0, testHooks: { crashOn: 'boom.ts' } });
    const got = await scan();
    const skip = got.skipped.find((s) => s.path === 'src/boom.ts');
    assert.equal(skip?.reason, 'unreadable');
    assert.match(skip?.detail ?? '', /chunk worker crashed: .*test crash on src\/boom\.ts/);
    assert.deepEqual(got.processed, base.processed.filter((f) => f.path !== 'src/boom.ts'));
    assert.deepEqual(got.skipped.filter((s) => s.path !== 'src/boom.ts'), base.skipped);
  });

  it('a worker stuck on one file past the per-file limit → terminated, that file skipped, the run completes', { timeout: 180_000 }, async () => {
    configureChunkPool({ size: 0 });
    const base = await scan();
    configureChunkPool({ size: 2, minBytes: 0, taskTimeoutMs: 15000, testHooks: { hangOn: 'hang.ts' } });
    const got = await scan();
    const skip = got.skipped.find((s) => s.path === 'src/hang.ts');
    assert.deepEqual(skip, { path: 'src/hang.ts', reason: 'unreadable', detail: 'chunk worker timed out after 15 s' });
    assert.deepEqual(got.processed, base.processed.filter((f) => f.path !== 'src/hang.ts'));
  });

  it('cancel mid-run: a worker stuck in a file is terminated, the scan rejects with AbortError, the process exits by itself', { timeout: 120_000 }, async () => {
    // In a child so "exits by itself" (no lingering worker threads, no process.exit) is observable.
    const child = await runChild(
      `import { configureChunkPool } from ${JSON.stringify(path.join(repo, 'src/core/chunking/pool'))};
       import { scanWorkspace } from ${JSON.stringify(path.join(repo, 'src/core/index/scan'))};
       configureChunkPool({ size: 2, minBytes: 0, testHooks: { hangOn: 'hang.ts' } });
       const ac = new AbortController();
       let done = 0;
       const t0 = Date.now();
       scanWorkspace({ root: ${JSON.stringify(corpus)}, rechunkAll: true, signal: ac.signal, progress: (p) => {
         // Files are consumed in order: progress stops at src/hang.ts, so abort once it stalls there.
         if (p.phase === 'chunk') done = p.filesDone ?? 0;
       } }).then(
         () => console.log('RESOLVED'),
         (e) => console.log('REJECTED', e.name, 'after abort ms', Date.now() - abortedAt),
       );
       let abortedAt = 0;
       const poll = setInterval(() => {
         if (Date.now() - t0 > 1500 && done > 0) { clearInterval(poll); abortedAt = Date.now(); ac.abort(); console.log('ABORT at', done); }
       }, 50);`,
      60_000,
    );
    assert.equal(child.code, 0, child.out);
    assert.match(child.out, /ABORT at \d+/);
    assert.match(child.out, /REJECTED AbortError after abort ms (\d+)/);
    const ms = Number(/after abort ms (\d+)/.exec(child.out)![1]);
    assert.ok(ms < 2000, `rejected ${ms} ms after the abort`);
  });

  it('the CLI (bundled worker) indexes with 2 workers, exits promptly, and writes the same index as without workers', { timeout: 240_000 }, () => {
    const cli = path.join(repo, 'dist', 'cli.js');
    // Preloaded into the CLI: counts the worker threads it starts (the bundle looks Worker up at call time).
    const counter = path.join(tmp, 'count-workers.cjs');
    fs.writeFileSync(counter, `const wt = require('node:worker_threads'); const W = wt.Worker; let n = 0;
      wt.Worker = class extends W { constructor(...a) { super(...a); n++; } };
      process.on('exit', () => process.stderr.write('WORKERS=' + n + '\\n'));`);
    const run = (workers: string) => {
      const indexDir = path.join(tmp, `idx-${workers}`);
      const t0 = Date.now();
      const r = spawnSync(process.execPath, ['--require', counter, cli, 'index', corpus, '--index-dir', indexDir, '--json'], {
        encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_OPTIONS: '', SEMANTIC_WORKSPACE_WORKERS: workers },
      });
      assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
      const space = fs.readdirSync(indexDir).find((d) => fs.statSync(path.join(indexDir, d)).isDirectory())!;
      const data = fs.readdirSync(path.join(indexDir, space)).filter((f) => /^(chunks|vectors|keyword)-/.test(f)).sort();
      return { ms: Date.now() - t0, report: JSON.parse(r.stdout), workers: Number(/WORKERS=(\d+)/.exec(r.stderr)?.[1]), data: data.map((f) => fs.readFileSync(path.join(indexDir, space, f)).toString('base64')) };
    };
    const none = run('0');
    const two = run('2');
    assert.equal(none.workers, 0);
    assert.equal(two.workers, 2, 'the CLI chunked on two worker threads');
    assert.equal(two.report.filesIndexed, none.report.filesIndexed);
    assert.equal(two.report.chunks, none.report.chunks);
    assert.deepEqual(two.data, none.data, 'chunk table, vectors and keyword index are byte-identical');
    // The process ends as soon as the work does (workers terminated, none left running): the time
    // outside the reported run is only Node's startup and exit.
    const lag = (r: { ms: number; report: { seconds: number } }) => r.ms - r.report.seconds * 1000;
    assert.ok(lag(two) < lag(none) + 3000, `exit lag with workers ${lag(two)} ms, without ${lag(none)} ms`);
  });
});
