/**
 * Suite 5 — key leakage. One known fake API key, used through the CLI for everything a user does
 * and everything that can go wrong: index, search (every mode), status, dry run, human output in
 * two languages, a key revoked mid-run (401), a 500 storm, billing (Arrearage), a wrong model
 * (404), a bad reply, the debug flag, the key read from `./.env`, and the OpenAI-compatible
 * provider. The key (or any 10-character piece of it) must appear in no stdout/stderr, no index
 * file (every byte of the index directory), and nowhere the server saw except the Authorization
 * header — nor in the server's own logs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FakeProcess, STACK_TRACE, cliEnv, generateCorpus, readAllFiles, runCli, tempDir, writeCorpus, writeQueries, type CliResult } from './support';

// Not `sk-`-shaped, so only the CLI's knowledge of the key (not a key-shape regex) can hide it.
const KEY = 'dsk_LEAKCANARY_7f3a9c2e1b4d6f8a0c2e4b6dQ';
const SK_KEY = 'sk-leakcanary91c4e7a2b5d8f0a3c6e9b1d4f7';
const pieces = (key: string) => Array.from({ length: key.length - 9 }, (_, i) => key.slice(i, i + 10)).filter((p) => !/^(?:sk-|dsk_)/.test(p) || p.length >= 10);

let fake: FakeProcess;
let plain: FakeProcess;
let root: string;
let someFile: string;
const outputs: { what: string; r: CliResult }[] = [];
const indexDirs: string[] = [];

before(async () => {
  fake = await FakeProcess.start({ latencyMs: 1, key: KEY });
  plain = await FakeProcess.start({}, { wrapper: false, plainArgs: ['--key', SK_KEY, '--unauthorized-after', '3', '--fault', '500=0.3', '--seed', '3'] });
  root = tempDir('sw-key-root-');
  const corpus = generateCorpus(55, 40);
  writeCorpus(root, corpus);
  someFile = [...corpus.keys()][0];
});
after(async () => {
  await fake?.stop();
  await plain?.stop();
});

async function cli(what: string, args: string[], env: Record<string, string>, cwd?: string): Promise<CliResult> {
  const r = await runCli(args, { env, cwd, timeoutMs: 180_000 });
  outputs.push({ what, r });
  return r;
}

function findLeaks(key: string): string[] {
  const needles = [key, ...pieces(key)];
  const leaks: string[] = [];
  for (const { what, r } of outputs) {
    for (const [stream, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
      const n = needles.find((x) => text.includes(x));
      if (n) leaks.push(`${what}: ${stream} holds "${n}": ${text.slice(Math.max(0, text.indexOf(n) - 80), text.indexOf(n) + 40)}`);
    }
  }
  for (const dir of indexDirs) {
    for (const [file, bytes] of readAllFiles(dir)) {
      const n = needles.find((x) => bytes.includes(x) || bytes.includes(Buffer.from(x, 'utf16le')));
      if (n) leaks.push(`index file ${file} holds "${n}"`);
    }
  }
  return leaks;
}

test('the API key appears in no output, index file, request body or server log — across success and every failure', { timeout: 10 * 60_000 }, async (t) => {
  const env = (extra: Record<string, string> = {}) => cliEnv({ DASHSCOPE_API_KEY: KEY, DASHSCOPE_BASE_URL: fake.url, ...extra });
  const idx = (name: string) => {
    const d = path.join(tempDir(`sw-key-${name}-`), 'idx');
    indexDirs.push(d);
    return d;
  };
  const ok = idx('ok');
  const q = writeQueries(['retry the request', 'ledger refund']);

  // Success paths.
  assert.equal((await cli('index --json', ['index', root, '--provider', 'dashscope', '--index-dir', ok, '--json'], env())).code, 0);
  for (const mode of ['hybrid', 'dense', 'keyword']) {
    assert.equal((await cli(`search ${mode}`, ['search', root, '--queries-file', q, '--provider', 'dashscope', '--index-dir', ok, '--json', '--mode', mode], env())).code, 0);
  }
  assert.equal((await cli('search human (zh)', ['search', root, 'retry the request', '--provider', 'dashscope', '--index-dir', ok], env({ LANG: 'zh_CN.UTF-8' }))).code, 0);
  await cli('status', ['status', root, '--provider', 'dashscope', '--index-dir', ok, '--json'], env());
  assert.equal((await cli('dry run (human)', ['index', root, '--provider', 'dashscope', '--index-dir', idx('dry'), '--dry-run'], env())).code, 0);
  assert.equal((await cli('related', ['related', root, someFile, '--provider', 'dashscope', '--index-dir', ok, '--json'], env())).code, 0);

  // Failure paths: the key revoked mid-run (401), billing, a 500 storm, a wrong model, a bad reply.
  await fake.configure({ faults: { unauthorizedAfter: fake ? (await fake.counters()).requests + 2 : 2 } });
  const revoked = await cli('401 mid-run', ['index', root, '--provider', 'dashscope', '--index-dir', idx('401'), '--json'], env({ SEMANTIC_WORKSPACE_DEBUG: '1' }));
  assert.equal(revoked.code, 1, revoked.stderr);
  assert.match(revoked.stderr, /rejected the API key/);
  await fake.configure({ faults: { arrearageAfter: (await fake.counters()).requests } });
  const billing = await cli('arrearage', ['index', root, '--provider', 'dashscope', '--index-dir', idx('bill'), '--json'], env());
  assert.equal(billing.code, 1, billing.stderr);
  const start = (await fake.counters()).requests;
  await fake.configure({ faults: { schedule: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [start + 1 + i, i % 2 ? '500' : '503'])) } });
  assert.equal((await cli('500 storm', ['index', root, '--provider', 'dashscope', '--index-dir', idx('storm'), '--json'], env())).code, 0);
  await fake.configure({ faults: {} });
  await cli('unknown model (404)', ['index', root, '--provider', 'dashscope', '--model', 'text-embedding-v9', '--index-dir', idx('404'), '--json'], env({ SEMANTIC_WORKSPACE_DEBUG: '1' }));
  await fake.configure({ faults: { schedule: { [(await fake.counters()).requests + 1]: 'wrong-length' } } });
  await cli('wrong-length reply', ['index', root, '--provider', 'dashscope', '--index-dir', idx('wl'), '--json'], env({ SEMANTIC_WORKSPACE_DEBUG: '1' }));
  await fake.configure({ faults: {} });
  const wrongKey = await cli('a wrong key', ['index', root, '--provider', 'dashscope', '--index-dir', idx('wrong'), '--json'], env({ DASHSCOPE_API_KEY: KEY.slice(0, -1) + 'Z' }));
  assert.equal(wrongKey.code, 1);

  // The key from ./.env (the folder being indexed is the current directory and holds that .env).
  const envRoot = tempDir('sw-key-dotenv-');
  writeCorpus(envRoot, generateCorpus(56, 10));
  fs.writeFileSync(path.join(envRoot, '.env'), `# local settings\nDASHSCOPE_API_KEY=${KEY}\n`);
  const dotenv = await cli('key from ./.env', ['index', '.', '--provider', 'dashscope', '--index-dir', idx('dotenv'), '--json'], cliEnv({ DASHSCOPE_BASE_URL: fake.url }), envRoot);
  assert.equal(dotenv.code, 0, dotenv.stderr);

  // The OpenAI-compatible provider against the fake's compatible-mode endpoint.
  const oenv = cliEnv({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${fake.url}/compatible-mode/v1` });
  assert.equal((await cli('openai index', ['index', root, '--provider', 'openai', '--model', 'text-embedding-v4', '--index-dir', idx('openai'), '--json'], oenv)).code, 0);
  await cli('openai wrong key', ['index', root, '--provider', 'openai', '--model', 'text-embedding-v4', '--index-dir', idx('openai-bad'), '--json'], cliEnv({ OPENAI_API_KEY: 'sk-bad' + KEY.slice(6), OPENAI_BASE_URL: `${fake.url}/compatible-mode/v1` }));

  // An sk- key against the project's own fake (its CLI): 401 after 3 requests, 30% 500s.
  const penv = cliEnv({ DASHSCOPE_API_KEY: SK_KEY, DASHSCOPE_BASE_URL: plain.url });
  const p = await cli('sk- key, 401 after 3 (plain fake)', ['index', root, '--provider', 'dashscope', '--index-dir', idx('plain'), '--json'], penv);
  assert.equal(p.code, 1, p.stderr);

  // No output is a stack trace unless the debug flag asked for one.
  for (const { what, r } of outputs) if (!/404|wrong-length|401 mid-run/.test(what)) assert.ok(!STACK_TRACE.test(r.stderr), `${what}: ${r.stderr}`);

  const leaks = [...findLeaks(KEY), ...findLeaks(SK_KEY)];
  // What the server saw: the key only ever in the Authorization header.
  const reqs = await fake.requests();
  const serverLeaks: string[] = [];
  let authHeaders = 0;
  for (const r of reqs) {
    if (r.url.includes(KEY)) serverLeaks.push(`#${r.n}: URL`);
    if (pieces(KEY).some((x) => r.body.includes(x))) serverLeaks.push(`#${r.n}: body`);
    for (const [h, v] of Object.entries(r.headers)) {
      if (h === 'authorization') {
        if (v.includes(KEY)) authHeaders++;
      } else if (pieces(KEY).some((x) => v.includes(x))) serverLeaks.push(`#${r.n}: header ${h}`);
    }
  }
  for (const [name, logs] of [['wrapper', fake.logs], ['plain fake', plain.logs]] as const) {
    for (const k of [KEY, SK_KEY]) if (pieces(k).some((x) => logs.includes(x))) serverLeaks.push(`${name} server logs`);
  }
  const indexBytes = indexDirs.reduce((a, d) => a + readAllFiles(d).reduce((b, [, x]) => b + x.length, 0), 0);
  t.diagnostic(`CLI runs ${outputs.length} (${outputs.filter((o) => o.r.code !== 0).length} failing on purpose: 401, arrearage, 404, wrong-length, wrong key, openai 401, plain 401); ` +
    `bytes of output scanned ${outputs.reduce((a, o) => a + o.r.stdout.length + o.r.stderr.length, 0)}; index bytes scanned ${indexBytes} in ${indexDirs.length} dirs; ` +
    `requests seen ${reqs.length} (key in the Authorization header of ${authHeaders}); leaks ${leaks.length + serverLeaks.length}`);
  t.diagnostic(`runs: ${outputs.map((o) => `${o.what} → exit ${o.r.code}${o.r.code ? ` (${o.r.stderr.trim().split('\n').pop()!.slice(0, 70)})` : ''}`).join('; ')}`);
  assert.deepEqual(leaks, []);
  assert.deepEqual(serverLeaks, []);
  assert.ok(authHeaders > 0);
});
