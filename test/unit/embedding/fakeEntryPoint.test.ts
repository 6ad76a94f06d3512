/**
 * The fake DashScope's one entry point (test/fake-dashscope/main.ts), as every harness uses it:
 * flags and --config, the /__fake/ control routes (counters, captured requests, reset, config),
 * the e2e request log (--log, key reduced to a hash) and the ready file (--ready).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FakeDashScopeProcess } from '../../fake-dashscope/process';
import { NATIVE_ROUTE } from '../../fake-dashscope/server';
import { tempDir } from '../../support/tempDir';

const KEY = 'sk-entry-point-7f3a';
const embed = (url: string, texts: string[], key = KEY) =>
  fetch(url + NATIVE_ROUTE, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'text-embedding-v4', input: { texts } }) });

test('one entry point: --config + flags, control routes, capture, the JSONL request log and the ready file', async () => {
  const dir = tempDir('sw-fake-entry-');
  const log = path.join(dir, 'requests.jsonl');
  const ready = path.join(dir, 'ready.json');
  const fake = await FakeDashScopeProcess.start(['--config', JSON.stringify({ key: KEY, maxBatch: 10 }), '--fault-at', '2=500', '--capture', '--log', log, '--ready', ready]);
  try {
    assert.deepEqual(JSON.parse(fs.readFileSync(ready, 'utf8')), { url: fake.url, log });
    assert.equal((await embed(fake.url, ['缓存策略', 'cache policy'])).status, 200);
    assert.equal((await embed(fake.url, ['second'])).status, 500, '--fault-at from the command line applies');
    assert.equal((await embed(fake.url, ['third'], 'sk-other')).status, 401, "--config's key is the one accepted");

    const c = await fake.control<{ requests: number; texts: number; byStatus: Record<string, number>; embedCounts: Record<string, number>; serverCpuMs: number; successTimes: number[] }>('counters');
    assert.equal(c.requests, 3);
    assert.equal(c.texts, 2);
    assert.deepEqual(c.byStatus, { 200: 1, 500: 1, 401: 1 });
    assert.equal(c.successTimes.length, 1);
    assert.ok(c.serverCpuMs > 0);
    const captured = await fake.control<{ method: string; url: string; headers: Record<string, string>; body: string }[]>('requests');
    assert.equal(captured.length, 3, 'control requests are never captured');
    assert.equal(captured[0].url, NATIVE_ROUTE);
    assert.equal(JSON.parse(captured[0].body).input.texts[1], 'cache policy');
    assert.match(fake.logs, /#1 POST \S+ -> 200\n#2 POST \S+ -> 500\n#3 POST \S+ -> 401/);

    const lines = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { path: string; auth: string; body: { input: { texts: string[] } } });
    assert.equal(lines.length, 3);
    assert.equal(lines[0].path, NATIVE_ROUTE);
    assert.deepEqual(lines[0].body.input.texts, ['缓存策略', 'cache policy']);
    assert.equal(lines[0].auth, `sha256:${crypto.createHash('sha256').update(`Bearer ${KEY}`).digest('hex').slice(0, 12)}`);
    assert.ok(!fs.readFileSync(log, 'utf8').includes(KEY), 'the key itself is never written');

    await fake.control('config', { faults: { schedule: { 4: '503' } } });
    assert.equal((await embed(fake.url, ['fourth'])).status, 503, 'faults changed over the control route');
    await fake.control('reset', {});
    assert.equal((await fake.control<{ requests: number }>('counters?lite=1')).requests, 0);
  } finally {
    await fake.stop();
  }
  assert.ok(fake.child.exitCode === 0 || fake.child.signalCode !== null, 'stops on SIGTERM');
});

test('outage modes (POST /__e2e/mode): throttled, revoked key, down — then served again', async () => {
  const log = path.join(tempDir('sw-fake-outage-'), 'requests.jsonl');
  const fake = await FakeDashScopeProcess.start(['--log', log]);
  const mode = (m: unknown) => fetch(`${fake.url}/__e2e/mode`, { method: 'POST', body: JSON.stringify(m) }).then((r) => r.json() as Promise<{ kind: string }>);
  try {
    assert.equal((await mode({ kind: 'throttle', after: 1, count: 2 })).kind, 'throttle');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await embed(fake.url, [`t${i}`])).status);
    assert.deepEqual(statuses, [200, 429, 429, 200], 'one served, two throttled, then served again');
    await mode({ kind: 'unauthorized', after: 0 });
    const r = await embed(fake.url, ['revoked']);
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as { code: string }).code, 'InvalidApiKey');
    await mode({ kind: 'down', after: 0 });
    await assert.rejects(embed(fake.url, ['down']), 'the connection is dropped');
    await mode({ kind: 'ok', delayMs: 50 });
    assert.equal((await embed(fake.url, ['back'])).status, 200);
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { status?: number; body: { input: { texts: string[] } } });
    assert.deepEqual(lines.map((l) => [l.body.input.texts[0], l.status ?? 'served']), [['t0', 'served'], ['t3', 'served'], ['revoked', 401], ['back', 'served']],
      'the log holds what was served and the refused key; throttled and dropped requests never reached the service');
  } finally {
    await fake.stop();
  }
});
