/**
 * One writer per index (core/index/lock.ts, issue #13): two concurrent CLI `index` runs against
 * the fake DashScope server both succeed and no text is embedded twice; a SIGKILLed holder, a
 * dead pid or a reused pid never blocks the next run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { LOCK_FILE, acquireIndexLock, isStale, processStartTime } from '../../../src/core/index/lock';
import { startFakeDashScope, type FakeDashScope } from '../../fake-dashscope/server';
import { runCliAsync, startCli } from '../cli/asyncCli';
import { tempDir, writeTree } from '../cli/support';

let fake: FakeDashScope;
before(async () => {
  fake = await startFakeDashScope({ latencyMs: 150 });
});
after(() => fake.close());

/** 40 small distinct files: a few batches of 10, slow enough (latency, one request at a time) to overlap two runs. */
function corpus(): string {
  const root = tempDir('sw-lock-corpus-');
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`notes/note-${i}.md`] = `# Note ${i}\n\nTopic ${i}: ${'alpha beta gamma '.repeat(3)} item-${i * 7919}.\n`;
  writeTree(root, files);
  return root;
}
const env = () => ({ DASHSCOPE_BASE_URL: fake.url, DASHSCOPE_API_KEY: 'sk-test-lock' });
const args = (root: string, indexDir: string) => ['index', root, '--provider', 'dashscope', '--index-dir', indexDir, '--concurrency', '1', '--json'];

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

test('two concurrent index runs: the second waits (stderr), then runs incrementally; both exit 0, nothing embedded twice', async () => {
  const root = corpus();
  const indexDir = path.join(tempDir('sw-lock-idx-'), 'idx');
  fake.reset();
  // One request of the first run hangs a few seconds (then drops and is retried), so the second surely meets it.
  fake.setFaults({ schedule: { 2: 'hang' }, hangMs: 4000 });
  const first = startCli(args(root, indexDir), env());
  await until(() => fake.counters.requests >= 1, 'the first run to start embedding');
  const second = runCliAsync(args(root, indexDir), env());
  const [a, b] = await Promise.all([first.done, second]);
  fake.setFaults(undefined);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stderr, /Another indexer \(pid \d+\) is writing this index/);
  for (const r of [a, b]) assert.equal(r.stdout.trim().split('\n').length, 1, 'stdout keeps its one JSON summary');
  const ra = JSON.parse(a.stdout);
  const rb = JSON.parse(b.stdout);
  assert.ok(ra.embeddedChunks >= 40);
  assert.equal(rb.embeddedChunks, 0, 'the second run found everything committed');
  const counts = [...fake.counters.embedCounts.values()];
  assert.ok(counts.length >= 40);
  assert.equal(Math.max(...counts), 1, 'no text embedded twice');
  assert.ok(!fs.existsSync(path.join(indexDir, LOCK_FILE)), 'the lock is released when the run ends');
});

test('a search while another run holds the lock answers at once from the last committed index', async () => {
  const root = corpus();
  const indexDir = path.join(tempDir('sw-lock-idx-'), 'idx');
  const first = await runCliAsync(args(root, indexDir), env());
  assert.equal(first.status, 0, first.stderr);
  for (let i = 0; i < 40; i++) fs.appendFileSync(path.join(root, `notes/note-${i}.md`), `\nEdited ${i}: zeta eta theta.\n`);
  fake.reset();
  // The writer's first request hangs for a while (then the connection drops and it retries): it holds the lock meanwhile.
  fake.setFaults({ schedule: { 1: 'hang' }, hangMs: 6000 });
  const writer = startCli(args(root, indexDir), env());
  await until(() => fake.counters.requests >= 1 && fs.existsSync(path.join(indexDir, LOCK_FILE)), 'the writer to hold the lock');
  const search = await runCliAsync(['search', root, 'Topic 7', '--index-dir', indexDir, '--provider', 'dashscope', '--mode', 'keyword', '--json'], env());
  const stillWriting = writer.child.exitCode === null;
  assert.equal(search.status, 0, search.stderr);
  assert.ok(JSON.parse(search.stdout).results.length > 0);
  assert.doesNotMatch(search.stderr, /Another indexer/, 'searches never wait for the lock');
  assert.ok(stillWriting, 'the search ran while the writer was still indexing');
  const done = await writer.done;
  fake.setFaults(undefined);
  assert.equal(done.status, 0, done.stderr);
});

test('a SIGKILLed holder does not block the next run', async () => {
  const root = corpus();
  const indexDir = path.join(tempDir('sw-lock-idx-'), 'idx');
  fake.reset();
  const victim = startCli(args(root, indexDir), env());
  await until(() => fake.counters.requests >= 2, 'the victim to be embedding');
  const held = JSON.parse(fs.readFileSync(path.join(indexDir, LOCK_FILE), 'utf8'));
  assert.equal(held.pid, victim.child.pid);
  victim.child.kill('SIGKILL');
  await victim.done;
  assert.ok(fs.existsSync(path.join(indexDir, LOCK_FILE)), 'the dead holder left its lock behind');
  const next = await runCliAsync(args(root, indexDir), env());
  assert.equal(next.status, 0, next.stderr);
  assert.doesNotMatch(next.stderr, /Another indexer/, 'a dead holder is not waited for');
  assert.equal(JSON.parse(next.stdout).chunks, 40);
});

test('lock file: a dead pid or a reused pid (start time differs) is stale; a live holder makes the next writer wait', async () => {
  const dir = tempDir('sw-lock-unit-');
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  assert.equal(isStale({ pid: dead, since: '' }), true);
  const myStart = processStartTime(process.pid);
  if (myStart !== undefined) {
    assert.equal(isStale({ pid: process.pid, start: myStart, since: '' }), false);
    assert.equal(isStale({ pid: process.pid, start: String(Number(myStart) + 1), since: '' }), true, 'same pid, other process');
  }
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, start: String(Number(myStart ?? 0) + 1), since: 'then' }));
  const lock = await acquireIndexLock(dir); // broken at once
  let waited: number | undefined;
  let secondHeld = false;
  const second = acquireIndexLock(dir, { onWait: (h) => (waited = h.pid) }).then((l) => {
    secondHeld = true;
    return l;
  });
  await delay(500);
  assert.equal(secondHeld, false, 'a live holder is waited for');
  assert.equal(waited, process.pid);
  lock.release();
  (await second).release();
  assert.equal(secondHeld, true);
  assert.ok(!fs.existsSync(path.join(dir, LOCK_FILE)));
});
