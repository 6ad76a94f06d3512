/**
 * Suite 1 — crash consistency, offline provider: the CLI indexer SIGKILLed at seeded random
 * moments (spread over a measured full run, weighted towards its write phase), files edited
 * between some runs; after every kill search works or says what to run, what it reads verifies,
 * and a final run's results equal an uninterrupted run's. Plus deliberate damage of every index
 * file: search refuses it cleanly and the next index run warns and rebuilds.
 * `npm test`: 6 kills here + 4 in crashRemote.test.ts; `npm run test:soak`: 35 + 15; SW_HEAVY=1: 100 + 50.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { crashLoop } from './supportCrash';
import { QUERIES, resultKeys, searchAll, assertCleanFailure } from './supportCrashIndex';
import { cliEnv, scale, generateCorpus, parseJsonLines, runCli, tempDir, writeCorpus, writeQueries, type SearchLine } from './support';

test('offline: the indexer survives SIGKILL at random moments', { timeout: 20 * 60_000 }, async (t) => {
  await crashLoop(t, { provider: 'offline', kills: scale(6, 35, 100), files: scale(80, 150, 300), seed: 1101 });
});

test('offline: a damaged index is refused cleanly by search and rebuilt with a warning by index', { timeout: 5 * 60_000 }, async (t) => {
  const root = tempDir('sw-damage-root-');
  writeCorpus(root, generateCorpus(77, 25));
  const env = cliEnv();
  const good = path.join(tempDir('sw-damage-good-'), 'idx');
  assert.equal((await runCli(['index', root, '--index-dir', good, '--json'], { env })).code, 0);
  const want = resultKeys((await searchAll(root, good, 'hybrid', env, 'offline')).lines);
  const space = (dir: string) => path.join(dir, fs.readdirSync(dir)[0]);
  const file = (dir: string, prefix: string) => path.join(space(dir), fs.readdirSync(space(dir)).find((n) => n.startsWith(prefix))!);
  const damages: Record<string, (dir: string) => void> = {
    'manifest: garbage': (d) => fs.writeFileSync(path.join(space(d), 'manifest.json'), '{"format": "semantic-wor'),
    'manifest: wrong counts': (d) => {
      const f = path.join(space(d), 'manifest.json');
      const m = JSON.parse(fs.readFileSync(f, 'utf8'));
      m.chunkCount += 3;
      fs.writeFileSync(f, JSON.stringify(m));
    },
    'vectors: truncated': (d) => fs.truncateSync(file(d, 'vectors-'), 1000),
    'vectors: a flipped byte': (d) => {
      const f = file(d, 'vectors-');
      const b = fs.readFileSync(f);
      b[Math.floor(b.length / 2)] ^= 0xff;
      fs.writeFileSync(f, b);
    },
    'chunks: a flipped byte': (d) => {
      const f = file(d, 'chunks-');
      const b = fs.readFileSync(f);
      b[b.length - 7] ^= 0x55;
      fs.writeFileSync(f, b);
    },
    'keyword: deleted': (d) => fs.rmSync(file(d, 'keyword-')),
    'model: truncated': (d) => fs.truncateSync(file(d, 'model-'), 10),
    'journal: garbage': (d) => fs.writeFileSync(path.join(space(d), 'journal.bin'), Buffer.from('SWJ1 garbage that is not a journal')),
  };
  const outcomes: string[] = [];
  const failures: string[] = [];
  for (const [name, damage] of Object.entries(damages)) {
    const dir = path.join(tempDir('sw-damage-'), 'idx');
    fs.cpSync(good, dir, { recursive: true });
    damage(dir);
    const s = await runCli(['search', root, '--queries-file', writeQueries(QUERIES), '--index-dir', dir, '--json', '--top-k', '8', '--mode', 'hybrid'], { env });
    assertCleanFailure(s, `search on ${name}`);
    const searchVerdict = `exit ${s.code}`;
    if (s.code === 0) {
      // Accepted: then it must be exactly right (the damage did not matter to what is read).
      const got = resultKeys(parseJsonLines(s.stdout) as unknown as SearchLine[]);
      if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${name}: search accepted the damaged index and answered differently`);
    } else if (s.code !== 2) {
      failures.push(`${name}: search exited ${s.code} (want 0 or 2): ${s.stderr.trim()}`);
    } else if (!/semantic-workspace index|index again/i.test(s.stderr)) failures.push(`${name}: exit 2 without saying what to run: ${s.stderr.trim()}`);
    const ix = await runCli(['index', root, '--index-dir', dir, '--json'], { env });
    assertCleanFailure(ix, `index on ${name}`);
    if (ix.code !== 0) {
      failures.push(`${name}: index exited ${ix.code}: ${ix.stderr.trim()}`);
      outcomes.push(`${name}: search ${searchVerdict}, index exit ${ix.code}`);
      continue;
    }
    const rep = JSON.parse(ix.stdout) as { warnings?: string[] };
    const warned = (rep.warnings ?? []).some((w) => /rebuild|damaged|unreadable/i.test(w));
    if (s.code !== 0 && name !== 'journal: garbage' && !warned) failures.push(`${name}: index rebuilt without a warning`);
    const after = resultKeys((await searchAll(root, dir, 'hybrid', env, 'offline')).lines);
    if (JSON.stringify(after) !== JSON.stringify(want)) failures.push(`${name}: results after the rebuild differ`);
    outcomes.push(`${name}: search ${searchVerdict}, index ${warned ? 'warned + rebuilt' : 'ok'}`);
  }
  t.diagnostic(`damage kinds tried ${Object.keys(damages).length}: ${outcomes.join('; ')}`);
  assert.deepEqual(failures, [], failures.join('\n'));
});
