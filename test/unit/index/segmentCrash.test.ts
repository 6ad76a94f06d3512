/**
 * SIGKILL during a live update's segment append and during a compaction (the real CLI, offline
 * provider, killed at named points of the commit by the `SW_TEST_CRASH` seam, and at a random
 * moment while the data files are written): afterwards search works and answers exactly as the
 * generation before the update or the one after it, and the next index run answers as an
 * uninterrupted update would have.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cliEnv, generateCorpus, runCli, startCli, tempDir, writeCorpus } from '../survival/support';
import { resultKeys, searchAll } from '../survival/supportCrashIndex';

const env = cliEnv();

async function index(root: string, dir: string, extra: Record<string, string> = {}) {
  return runCli(['index', root, '--index-dir', dir, '--json'], { env: { ...env, ...extra }, timeoutMs: 120_000 });
}

async function answers(root: string, dir: string): Promise<string> {
  return JSON.stringify(resultKeys((await searchAll(root, dir, 'hybrid', env, 'offline')).lines));
}

function copyIndex(from: string): string {
  const dir = path.join(tempDir('sw-segcrash-'), 'idx');
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

function spaceFiles(dir: string): string[] {
  const space = fs.readdirSync(dir).find((n) => /^[0-9a-f]{16}$/.test(n));
  return space ? fs.readdirSync(path.join(dir, space)) : [];
}

interface Scenario {
  readonly name: string;
  /** Kill points of store.commit / the writers (src/core/index/binio.ts crashPoint). */
  readonly points: readonly string[];
  /** The update's data file (generation 3) appearing is the moment for the random kill. */
  readonly writing: RegExp;
  /** Files edited (share of the tree): one file appends, 40 % compacts. */
  readonly share: number;
}

const scenarios: Scenario[] = [
  { name: 'segment append', points: ['append-segment-written', 'append-before-commit', 'append-after-commit'], writing: /^vseg-3\.f32$/, share: 0 },
  { name: 'compaction', points: ['full-vectors-written', 'full-before-commit', 'full-after-commit'], writing: /^vectors-3\.f32$/, share: 0.4 },
];

for (const s of scenarios) {
  test(`SIGKILL during a ${s.name}: the index loads and answers as before or after; the next run as an uninterrupted one`, { timeout: 10 * 60_000 }, async () => {
    const root = tempDir('sw-segcrash-root-');
    const corpus = generateCorpus(1807, 60);
    writeCorpus(root, corpus);
    const base = path.join(tempDir('sw-segcrash-base-'), 'idx');
    assert.equal((await index(root, base)).code, 0);
    // The base is itself segmented (one live update), so a compaction merges real segments.
    const paths = [...corpus.keys()].sort();
    fs.appendFileSync(path.join(root, paths[0]), '\n// first update: lighthouse keeper\n');
    assert.equal((await index(root, base)).code, 0);
    assert.ok(spaceFiles(base).some((n) => n.startsWith('vseg-')), 'the base has a segment');
    const before = await answers(root, base);

    // The update under test, run once cleanly for the reference answers.
    const edited = s.share === 0 ? [paths[1]] : paths.slice(2, 2 + Math.ceil(paths.length * s.share));
    for (const p of edited) fs.appendFileSync(path.join(root, p), `\n// edited: harbour crane ${p.length}\n`);
    const clean = copyIndex(base);
    assert.equal((await index(root, clean)).code, 0);
    const files = spaceFiles(clean);
    if (s.share === 0) assert.ok(files.filter((n) => n.startsWith('vseg-')).length === 2, 'the clean update appended');
    else assert.ok(!files.some((n) => n.startsWith('vseg-')), 'the clean update compacted');
    const after = await answers(root, clean);
    assert.notEqual(after, before, 'the update changes some answer');

    for (const point of s.points) {
      const dir = copyIndex(base);
      const r = await index(root, dir, { SW_TEST_CRASH: point });
      assert.equal(r.signal, 'SIGKILL', `${point}: killed (exit ${r.code}: ${r.stderr})`);
      const got = await answers(root, dir);
      const want = point.endsWith('after-commit') ? after : before;
      assert.equal(got, want, `${point}: answers as the generation ${point.endsWith('after-commit') ? 'after' : 'before'} the update`);
      assert.equal((await index(root, dir)).code, 0);
      assert.equal(await answers(root, dir), after, `${point}: the next run finishes the update`);
    }

    // A kill at whatever moment the data file of the update appears (mid-write, usually).
    const dir = copyIndex(base);
    const space = path.join(dir, fs.readdirSync(dir).find((n) => /^[0-9a-f]{16}$/.test(n))!);
    const run = startCli(['index', root, '--index-dir', dir, '--json'], { env, timeoutMs: 120_000 });
    const poll = setInterval(() => {
      if (fs.readdirSync(space).some((n) => s.writing.test(n))) run.child.kill('SIGKILL');
    }, 1);
    await run.result;
    clearInterval(poll);
    const got = await answers(root, dir);
    assert.ok(got === before || got === after, 'answers as before or after the update');
    assert.equal((await index(root, dir)).code, 0);
    assert.equal(await answers(root, dir), after);
  });
}
