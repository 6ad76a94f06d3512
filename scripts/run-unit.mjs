// Runs the core's unit tests with Node's own test runner (TypeScript through tsx).
// Prints the spec report, then `unit: N passed, N failed` for scripts/test-all.mjs to sum.
//   node scripts/run-unit.mjs [filters…]          only the test files whose path contains a filter
//   node scripts/run-unit.mjs --soak [filters…]   the soak suite (`npm run test:soak`): SW_SOAK=1,
//     the survival suites at full length (tens of minutes of SIGKILL loops); prints `soak: …`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const soak = process.argv.includes('--soak');
const only = process.argv.slice(2).filter((a) => a !== '--soak');
const label = soak ? 'soak' : 'unit';
const files = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.ts')) files.push(path.relative(root, p));
  }
})(path.join(root, 'test/unit'));
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
files.sort();
// Without file arguments `node --test` would run every test file it can find in the repo.
if (!selected.length) {
  console.error(`no test file under test/unit matches ${only.map((o) => JSON.stringify(o)).join(', ')}`);
  console.log(`${label}: 0 passed, 1 failed`);
  process.exit(1);
}
// The CLI contract tests run the bundled dist/cli.js, exactly what users run: build it first
// (test-all.mjs has just built, and says so).
if (process.env.SW_BUILT !== '1') {
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) { console.log(`${label}: 0 passed, 1 failed`); process.exit(1); }
}
// The TAP copy lives in a temp folder removed below: a run leaves nothing behind for the next one.
const tapDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-unit-'));
const tap = path.join(tapDir, 'report.tap');
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...selected.sort()],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '', ...(soak ? { SW_SOAK: '1' } : {}) } },
);
const report = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
fs.rmSync(tapDir, { recursive: true, force: true });
const count = (k) => Number((report.match(new RegExp(`^# ${k} (\\d+)`, 'm')) || [])[1] || 0);
const passed = count('pass');
let failed = count('fail') + count('cancelled');
if (r.status !== 0 && failed === 0) failed = 1; // the runner itself failed
console.log(`${label}: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
