/**
 * The long SIGKILL loops live in the soak suite (`npm run test:soak`), not in `npm test`: the unit
 * run gets a short version of each loop, the soak run the long one, with the same code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../support/tempDir';

const scaleIn = (env: Record<string, string>) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./test/unit/survival/scale.ts').then((m) => { const s = m.default ?? m; console.log(JSON.stringify([s.SOAK, s.scale('short', 'soak', 'heavy')])); })"], {
    cwd: repoRoot, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as [boolean, string];
};

test('npm test runs the short kill loops, npm run test:soak the long ones', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts['test:soak'], 'node scripts/run-unit.mjs --soak survival/');
  assert.match(fs.readFileSync(path.join(repoRoot, 'scripts/run-unit.mjs'), 'utf8'), /SW_SOAK: '1'/, 'run-unit --soak sets SW_SOAK=1');
  assert.deepEqual(scaleIn({}), [false, 'short']);
  assert.deepEqual(scaleIn({ SW_SOAK: '1' }), [true, 'soak']);
  assert.deepEqual(scaleIn({ SW_HEAVY: '1' }), [true, 'heavy']);
  for (const f of ['crash.test.ts', 'crashRemote.test.ts']) {
    const src = fs.readFileSync(path.join(repoRoot, 'test/unit/survival', f), 'utf8');
    const kills = /kills: scale\((\d+), (\d+), (\d+)\)/.exec(src);
    assert.ok(kills, `${f} sizes its kill loop with scale()`);
    assert.ok(Number(kills[1]) <= 8 && Number(kills[2]) >= 15, `${f}: short ${kills[1]} kills, soak ${kills[2]}`);
  }
});
