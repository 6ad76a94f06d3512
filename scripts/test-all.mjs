// The README's test command. Builds, lints and type-checks, then runs every suite:
//   unit (node --test over the core, the CLI and the fake DashScope server),
//   e2e (code-server: extension-host mocha suite + Playwright UI suite; installs its own tools).
// Each suite prints `<suite>: N passed, N failed`; this script sums them into one closing line.
// SW_SKIP_E2E=1 skips the code-server suites (for quick local loops; CI never sets it).
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const COUNT = /^([\w:. -]*?):?\s*(\d+) passed, (\d+) failed/;
let passed = 0;
let failed = 0;
const summary = [];

function run(name, cmd, args, { counted }) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    let p = 0;
    let f = 0;
    let buf = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const line of lines) {
        const m = COUNT.exec(line.trim());
        if (m && counted) { p += Number(m[2]); f += Number(m[3]); }
      }
    });
    child.on('close', (code) => {
      const m = COUNT.exec(buf.trim());
      if (m && counted) { p += Number(m[2]); f += Number(m[3]); }
      // A step that fails without reporting a failed test still counts as one failure.
      if (code !== 0 && f === 0) f = 1;
      if (!counted) p = 0; // build, lint and typecheck are gates, not tests: they only count when they fail
      passed += p;
      failed += f;
      summary.push(`${name.padEnd(10)} ${String(p).padStart(4)} passed ${String(f).padStart(3)} failed  ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      resolve();
    });
  });
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
await run('build', npm, ['run', '-s', 'build'], { counted: false });
await run('lint', npm, ['run', '-s', 'lint'], { counted: false });
await run('typecheck', npm, ['run', '-s', 'typecheck'], { counted: false });
process.env.SW_BUILT = '1';
await run('unit', process.execPath, ['scripts/run-unit.mjs'], { counted: true });
if (process.env.SW_SKIP_E2E !== '1') await run('e2e', 'bash', ['scripts/e2e/run.sh'], { counted: true });

console.log('\n=== summary');
for (const s of summary) console.log(s);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
