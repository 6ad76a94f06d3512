/**
 * `status` and `clear`, as the README's CLI contract states them: status reports the index
 * (exit 2 before the first index), clear removes the index and nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeCorpus, runCli, tempDir } from './support';

test('status --json: exit 2 and exists:false before indexing, the index figures after; clear removes only the index', () => {
  const corpus = makeCorpus();
  const before = fs.readdirSync(corpus, { recursive: true }).sort();
  const indexDir = path.join(tempDir('sw-cli-status-'), 'idx');
  const args = [corpus, '--index-dir', indexDir, '--json'];

  const none = runCli(['status', ...args]);
  assert.equal(none.status, 2, none.stderr);
  const noneStatus = JSON.parse(none.stdout.trim());
  assert.equal(noneStatus.exists, false);
  assert.equal(noneStatus.provider, 'offline');

  const indexed = runCli(['index', ...args]);
  assert.equal(indexed.status, 0, indexed.stderr);
  const report = JSON.parse(indexed.stdout.trim());

  const st = runCli(['status', ...args]);
  assert.equal(st.status, 0, st.stderr);
  const lines = st.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one JSON line');
  const s = JSON.parse(lines[0]);
  assert.equal(s.exists, true);
  assert.equal(s.provider, 'offline');
  assert.equal(s.files, report.filesIndexed);
  assert.equal(s.chunks, report.chunks);
  assert.ok(s.bytesOnDisk > 0);
  assert.equal(typeof s.hasVectors, 'boolean');
  assert.equal(path.resolve(s.indexDir), path.resolve(indexDir));

  const cl = runCli(['clear', ...args]);
  assert.equal(cl.status, 0, cl.stderr);
  assert.equal(path.resolve(JSON.parse(cl.stdout.trim()).cleared), path.resolve(indexDir));
  const after = runCli(['status', ...args]);
  assert.equal(after.status, 2, 'no index after clear');
  assert.equal(JSON.parse(after.stdout.trim()).exists, false);
  assert.deepEqual(fs.readdirSync(corpus, { recursive: true }).sort(), before, 'the folder itself is untouched');

  const search = runCli(['search', corpus, 'token bucket', '--index-dir', indexDir, '--json']);
  assert.equal(search.status, 2, 'search after clear says there is no index');
});
