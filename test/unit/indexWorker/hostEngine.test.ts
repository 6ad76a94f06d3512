/**
 * The extension host's engine runs every index run in a worker process (src/core/indexWorker):
 * what a user sees must not change — progress, cancel (what was embedded is kept, the next run
 * resumes), coverage, failure classes, live updates, search results — and the host re-opens
 * what the worker committed. The real worker script (the source through tsx), real files, real
 * HTTP to the fake DashScope server.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openEngine } from '../../../src/core/engine';
import { EmbedError, isCancellation } from '../../../src/core/embedding/errors';
import { classifyFailure } from '../../../src/core/embedding/failures';
import type { EngineConfig, IndexProgress } from '../../../src/core/engineTypes';
import { openHostEngine } from '../../../src/core/indexWorker';
import { LOCK_FILE, acquireIndexLock } from '../../../src/core/index/lock';
import { startFakeDashScope } from '../../fake-dashscope/server';
import { capturingLogger } from '../embedding/helpers';
import { tsFile, workspace } from '../index/helpers';

const KEY = 'sk-hostworker0123456789abcdef';
const files = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`src/m${i}.ts`, tsFile(`m${i}`, 5)]));

test('an offline build and a live update run on the worker; searches see each commit; results equal an in-process run', async () => {
  const ws = workspace({ ...files(6), 'notes/zh.md': '# 向量检索\n\n计算余弦相似度并排序。\n' });
  const log = capturingLogger();
  const engine = await openHostEngine({ root: ws.root, indexDir: ws.indexDir, provider: 'offline', logger: log });
  const progress: IndexProgress[] = [];
  const r = await engine.index({ onProgress: (p) => progress.push(p) });
  assert.equal(engine.stats.workerRuns, 1);
  assert.equal(engine.stats.inProcessRuns, 0);
  assert.equal(r.filesIndexed, 7);
  assert.equal(r.coverage?.complete, true);
  assert.ok(progress.some((p) => p.phase === 'chunk') && progress.at(-1)?.phase === 'done', `phases: ${[...new Set(progress.map((p) => p.phase))].join(',')}`);
  assert.ok(progress.every((p, i) => i === 0 || p.chunksDone >= progress[i - 1].chunksDone || p.phase !== progress[i - 1].phase), 'counts only move forward');
  assert.equal((await engine.status()).chunks, r.chunks);
  const zh = await engine.search('余弦相似度', { topK: 3 });
  assert.equal(zh[0]?.chunk.path, 'notes/zh.md');

  // The same folder indexed on the main thread gives the same hits in the same order.
  const ws2 = workspace({ ...files(6), 'notes/zh.md': '# 向量检索\n\n计算余弦相似度并排序。\n' });
  const local = await openHostEngine({ root: ws2.root, indexDir: ws2.indexDir, provider: 'offline' }, { worker: null });
  await local.index();
  assert.equal(local.stats.inProcessRuns, 1);
  const a = (await engine.search('m3 function value', { topK: 5 })).map((h) => [h.chunk.path, h.chunk.startLine, h.score.toFixed(6)]);
  const b = (await local.search('m3 function value', { topK: 5 })).map((h) => [h.chunk.path, h.chunk.startLine, h.score.toFixed(6)]);
  assert.deepEqual(a, b);

  // A watcher's update: the new text is found by the next search, the deleted file is gone.
  ws.write('src/fresh.ts', 'export function quasarLantern(): number {\n  return 42;\n}\n');
  ws.remove('src/m0.ts');
  const u = await engine.index({ paths: ['src/fresh.ts', 'src/m0.ts'] });
  assert.equal(engine.stats.workerRuns, 2);
  assert.equal(engine.stats.workerStarts, 2, 'the build\'s process exited (its memory went back to the OS); the update started one');
  assert.equal(u.filesIndexed, 7);
  const hits = await engine.search('quasarLantern', { topK: 3, mode: 'keyword' });
  assert.equal(hits[0]?.chunk.path, 'src/fresh.ts');
  assert.ok(!(await engine.search('m0', { topK: 50, mode: 'keyword' })).some((h) => h.chunk.path === 'src/m0.ts'));
  // The next save within a few seconds reuses the warm process.
  ws.write('src/fresh.ts', 'export function quasarBeacon(): number {\n  return 7;\n}\n');
  await engine.index({ paths: ['src/fresh.ts'] });
  assert.equal(engine.stats.workerStarts, 2);
  assert.equal((await engine.search('quasarBeacon', { topK: 3, mode: 'keyword' }))[0]?.chunk.path, 'src/fresh.ts');
  assert.ok(!fs.existsSync(path.join(ws.indexDir, LOCK_FILE)), 'the lock is released');
});

test('cancel from the host: the worker stops, commits what was embedded, reports cancelled coverage; Resume completes', async () => {
  const ws = workspace(files(12)); // 60 chunks = 6 requests of 10
  const fake = await startFakeDashScope({ latencyMs: 150 });
  try {
    const config: EngineConfig = { root: ws.root, indexDir: ws.indexDir, provider: 'dashscope', apiKey: KEY, remote: { baseUrl: fake.url, concurrency: 1 } };
    const engine = await openHostEngine(config);
    const ac = new AbortController();
    let outcome = 'report' as 'report' | 'thrown';
    const r = await engine.index({ signal: ac.signal, onProgress: (p) => p.phase === 'embed' && p.chunksDone >= 10 && ac.abort() }).catch((e: unknown) => {
      assert.ok(isCancellation(e), `a cancel, not ${String(e)}`);
      outcome = 'thrown';
      return undefined;
    });
    assert.equal(engine.stats.workerRuns + (outcome === 'thrown' ? 1 : 0), 1);
    if (r) {
      assert.equal(r.incomplete, true);
      assert.equal(r.error?.failure, 'cancelled');
      assert.equal(r.coverage?.complete, false);
      assert.ok(r.coverage!.files.indexed >= 2 && r.coverage!.files.indexed < 12, `${r.coverage!.files.indexed} of 12 files kept`);
    }
    assert.ok(fake.counters.requests < 6, `stopped early: ${fake.counters.requests} requests`);
    assert.ok(!fs.existsSync(path.join(ws.indexDir, LOCK_FILE)), 'the lock is released');
    const r2 = await engine.index();
    assert.equal(r2.incomplete, false);
    assert.equal(r2.coverage?.complete, true);
    // (The server's own count may include a reply it finished after the worker had gone.)
    assert.ok(r2.reusedChunks >= 10 && r2.embeddedChunks === 60 - r2.reusedChunks, `resumed: ${r2.reusedChunks} reused, ${r2.embeddedChunks} embedded`);
    assert.ok((await engine.search('m7 function', { topK: 3, mode: 'keyword' })).length > 0);
  } finally {
    await fake.close();
  }
});

test('failure classes cross the process boundary: a 401 mid-run is reported as auth with coverage; a thrown EmbedError keeps its class', async () => {
  const ws = workspace(files(8));
  const fake = await startFakeDashScope({ faults: { unauthorizedAfter: 2 } });
  try {
    const engine = await openHostEngine({ root: ws.root, indexDir: ws.indexDir, provider: 'dashscope', apiKey: KEY, remote: { baseUrl: fake.url, concurrency: 1 } });
    const r = await engine.index();
    assert.equal(engine.stats.workerRuns, 1);
    assert.equal(r.error?.failure, 'auth');
    assert.match(r.error!.message, /API key/);
    assert.equal(r.coverage?.stoppedBy?.reason, 'auth');
    assert.ok(!JSON.stringify(r).includes(KEY), 'the key never appears in the report');
    // The same state is what a fresh in-process engine reads from disk.
    const again = await openEngine({ root: ws.root, indexDir: ws.indexDir, provider: 'dashscope', apiKey: KEY, remote: { baseUrl: fake.url } });
    assert.deepEqual((await again.status()).coverage, r.coverage);
  } finally {
    await fake.close();
  }
  // An OpenAI-compatible server that refuses the key while its vector length is probed: the run
  // throws before indexing, and the host gets an EmbedError of class auth (not a bare Error).
  const fake2 = await startFakeDashScope({ faults: { probabilities: { '401': 1 } } });
  try {
    const ws2 = workspace(files(2));
    const engine = await openHostEngine({ root: ws2.root, indexDir: ws2.indexDir, provider: 'openai', apiKey: KEY, remote: { baseUrl: `${fake2.url}/compatible-mode/v1`, model: 'text-embedding-v4' } });
    const err = await engine.index().then(() => assert.fail('a refused key must stop the run'), (e: unknown) => e);
    assert.ok(err instanceof EmbedError, `an EmbedError, got ${String(err)}`);
    assert.equal(classifyFailure(err), 'auth');
    assert.equal(engine.stats.workerRuns, 0);
    assert.ok(!fs.existsSync(path.join(ws2.indexDir, LOCK_FILE)), 'the lock is released');
  } finally {
    await fake2.close();
  }
});

test('another writer holds the index: the host is told who (the holder crosses back), and the run goes on once it is released', async () => {
  const ws = workspace(files(2));
  const held = await acquireIndexLock(ws.indexDir, { purpose: 'index' });
  const engine = await openHostEngine({ root: ws.root, indexDir: ws.indexDir, provider: 'offline' });
  const waits: { pid: number; purpose?: string }[] = [];
  let released = false;
  const run = engine.index({
    onWaitForLock: (h) => {
      waits.push(h);
      setTimeout(() => {
        released = true;
        held.release();
      }, 300);
    },
  });
  const r = await run;
  assert.deepEqual(waits.map((w) => [w.pid, w.purpose]), [[process.pid, 'index']]);
  assert.ok(released, 'the run finished only after the holder let go');
  assert.equal(r.filesIndexed, 2);
  assert.equal(engine.stats.workerRuns, 1);
});

test('a worker script that cannot start: the run goes on in-process with the same result, and says so in the log', async () => {
  const ws = workspace(files(3));
  const log = capturingLogger();
  const engine = await openHostEngine({ root: ws.root, indexDir: ws.indexDir, provider: 'offline', logger: log }, { worker: { file: path.join(ws.root, 'missing-indexWorker.js') } });
  const r = await engine.index();
  assert.equal(engine.stats.inProcessRuns, 1);
  assert.equal(r.filesIndexed, 3);
  assert.ok(log.lines.some((l) => /^warn index worker could not start/.test(l)), log.lines.join('\n'));
  assert.ok((await engine.search('m1', { topK: 3, mode: 'keyword' })).length > 0);
});

test('a worker that dies mid-run: the host gets a clear error, and the lock it left does not block the next run', async () => {
  const ws = workspace(files(2));
  // A stand-in worker that takes the index lock the way a run does, says it started, and dies.
  const script = path.join(ws.root, '..', 'dying-worker.js');
  fs.writeFileSync(script, `
    const fs = require('node:fs');
    const path = require('node:path');
    process.on('message', (m) => {
      if (m.type !== 'run') return;
      const stat = fs.readFileSync('/proc/self/stat', 'utf8');
      const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
      fs.mkdirSync(m.run.config.indexDir, { recursive: true });
      fs.writeFileSync(path.join(m.run.config.indexDir, ${JSON.stringify(LOCK_FILE)}), JSON.stringify({ pid: process.pid, start, since: new Date().toISOString(), purpose: 'index' }));
      process.exit(3);
    });
    process.send({ type: 'started' });
  `);
  const engine = await openHostEngine({ root: ws.root, indexDir: ws.indexDir, provider: 'offline' }, { worker: { file: script } });
  const err = await engine.index().then(() => assert.fail('the run must fail'), (e: unknown) => e as Error);
  assert.match(err.message, /indexing process stopped unexpectedly \(exit code 3\)/);
  assert.ok(fs.existsSync(path.join(ws.indexDir, LOCK_FILE)), 'the dead worker left its lock');
  // The next run (the real worker) breaks it: its pid is gone.
  const ok = await (await openHostEngine({ root: ws.root, indexDir: ws.indexDir, provider: 'offline' })).index();
  assert.equal(ok.filesIndexed, 2);
  assert.ok(!fs.existsSync(path.join(ws.indexDir, LOCK_FILE)));
});

/** The nice value in a /proc/<pid>[/task/<tid>]/stat line (field 19; the command name in parentheses may hold spaces). */
function niceOf(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** Nice value of every thread of every child process of this one (Linux /proc), sampled now. */
function childThreadNices(skip: ReadonlySet<string>, pids: Set<string>): number[] {
  const out: number[] = [];
  const kids = fs.readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  for (const pid of kids) {
    if (skip.has(pid)) continue;
    pids.add(pid);
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        out.push(niceOf(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }
  return out;
}

test('the worker process runs below the host: every thread at nice 10 while it indexes; SEMANTIC_WORKSPACE_WORKER_NICE=0 keeps the host\'s', { skip: process.platform !== 'linux' }, async () => {
  const seen: Record<string, number[]> = {};
  const pids = new Set<string>(); // a worker of the first run may still be exiting during the second
  for (const setting of ['default', '0']) {
    const ws = workspace(files(40));
    if (setting === '0') process.env.SEMANTIC_WORKSPACE_WORKER_NICE = '0';
    try {
      const engine = await openHostEngine({ root: ws.root, indexDir: ws.indexDir, provider: 'offline' });
      const nices: number[] = [];
      const earlier = new Set(pids);
      await engine.index({ onProgress: (p) => void (p.phase === 'chunk' && nices.push(...childThreadNices(earlier, pids))) });
      seen[setting] = nices;
    } finally {
      delete process.env.SEMANTIC_WORKSPACE_WORKER_NICE;
    }
  }
  const own = niceOf(fs.readFileSync('/proc/self/stat', 'utf8'));
  assert.ok(seen.default.length > 0, 'threads of the worker were seen while it chunked');
  assert.ok(seen.default.every((n) => n >= 10), `worker threads' nice values: ${[...new Set(seen.default)].join(', ')}`);
  assert.ok(seen['0'].length > 0 && seen['0'].every((n) => n === own), `with the switch off: ${[...new Set(seen['0'])].join(', ')} (host ${own})`);
});
