/**
 * The CLI tells the truth about a partial index: `index --json` carries the coverage and the
 * failure class and exits 1; `status --json` has the coverage fields; a search over it prints a
 * note on stderr and a `coverage` field in every --json line. The bundled dist/cli.js, run as a
 * process, against the fake DashScope server over real HTTP.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startFakeDashScope } from '../../fake-dashscope/server';
import { cliPath, makeCorpus, tempDir } from './support';

function cli(args: readonly string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cliPath, ...args], {
      cwd: tempDir('sw-cli-cwd-'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), XDG_CACHE_HOME: tempDir('sw-cli-cache-'), LANG: 'C', ...env },
    });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('CLI: a revoked key mid-run → index exits 1 with coverage (auth); status and search say incomplete; a resumed run completes', async () => {
  const corpus = makeCorpus();
  const indexDir = path.join(tempDir('sw-cli-cov-'), 'idx');
  // One request of up to 10 texts passes, then every request is refused (401).
  const fake = await startFakeDashScope({ faults: { unauthorizedAfter: 1 }, maxBatch: 2 });
  try {
    const env = { DASHSCOPE_API_KEY: 'sk-clicoverage0123456789', DASHSCOPE_BASE_URL: fake.url };
    const common = ['--provider', 'dashscope', '--index-dir', indexDir];
    const r = await cli(['index', corpus, ...common, '--json'], env);
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout.trim());
    assert.equal(report.incomplete, true);
    assert.equal(report.error.failure, 'auth');
    assert.equal(report.coverage.complete, false);
    assert.ok(report.coverage.files.indexed < report.coverage.files.discovered);
    assert.equal(report.coverage.missing[0].reason, 'auth');

    const s = await cli(['status', corpus, ...common, '--json'], env);
    const status = JSON.parse(s.stdout.trim());
    assert.equal(status.complete, false);
    assert.deepEqual(status.coverage.files, report.coverage.files);
    assert.equal(status.coverage.stoppedBy.reason, 'auth');

    fake.setFaults(undefined);
    const q = await cli(['search', corpus, 'token bucket', ...common, '--json'], env);
    assert.equal(q.status, 0, q.stderr);
    assert.match(q.stderr, new RegExp(`index is incomplete \\(${report.coverage.files.indexed} of ${report.coverage.files.discovered} files; auth\\)`));
    const line = JSON.parse(q.stdout.trim());
    assert.equal(line.coverage.complete, false);

    const again = await cli(['index', corpus, ...common, '--json'], env);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout.trim()).coverage.complete, true);
    const q2 = await cli(['search', corpus, 'token bucket', ...common, '--json'], env);
    assert.doesNotMatch(q2.stderr, /incomplete/);
    assert.equal(JSON.parse(q2.stdout.trim()).coverage, undefined);
  } finally {
    await fake.close();
  }
});
