/**
 * First contact, exactly as a new user meets the project: a clean `git clone` of this commit,
 * `npm install`, `npm run demo`, and plain `npx @vscode/vsce package` with no flags. Each must
 * write a .vsix in the clone's root, and install must print no EBADENGINE warning on this Node.
 * Uncommitted changes are not in the clone: the test checks what a clone of HEAD gets (CI runs on
 * a clean clone, so there HEAD is what is tested). npm's cache makes it fast and offline-capable
 * (`--prefer-offline`; the registry is asked only for what the cache lacks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, tempDir } from '../../support/tempDir';

const MINUTE = 60_000;

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeout: number): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const said = `${cmd} ${args.join(' ')} (exit ${r.status}, signal ${r.signal ?? '-'})\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`;
  assert.ifError(r.error);
  assert.equal(r.status, 0, said);
  return r;
}

/** The names in a zip's central directory (stored uncompressed). */
function zipEntries(file: string): string[] {
  const buf = fs.readFileSync(file);
  const names: string[] = [];
  for (let i = buf.indexOf('PK\x01\x02'); i >= 0; i = buf.indexOf('PK\x01\x02', i + 4)) {
    const len = buf.readUInt16LE(i + 28);
    names.push(buf.toString('utf8', i + 46, i + 46 + len));
  }
  return names;
}

test('a clean clone: npm install (no engine warning), npm run demo and plain vsce package each write a .vsix', { timeout: 20 * MINUTE }, () => {
  const head = run('git', ['rev-parse', 'HEAD'], repoRoot, process.env, MINUTE).stdout.trim();
  const clone = path.join(tempDir('sw-clone-'), 'semantic-workspace');
  run('git', ['clone', '--quiet', '--no-checkout', repoRoot, clone], repoRoot, process.env, 5 * MINUTE);
  run('git', ['checkout', '--quiet', head], clone, process.env, MINUTE);

  // The user's environment, minus anything that would point the demo at this checkout's state.
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: tempDir('sw-clone-cache-'), NODE_OPTIONS: '', npm_config_audit: 'false', npm_config_fund: 'false' };
  for (const k of Object.keys(env)) if (k.startsWith('SW_') || k.startsWith('DASHSCOPE_') || k.startsWith('OPENAI_')) delete env[k];

  const install = run('npm', ['install', '--prefer-offline'], clone, env, 10 * MINUTE);
  assert.doesNotMatch(install.stdout + install.stderr, /EBADENGINE|Unsupported engine/, 'npm install warns about no engine on this Node');

  const demo = run('npm', ['run', 'demo'], clone, env, 10 * MINUTE);
  const hits = demo.stdout.match(/^\s*1\. \S+:\d+-\d+/gm) ?? [];
  assert.equal(hits.length, 4, `every demo search printed a first result:\n${demo.stdout.slice(0, 3000)}`);
  assert.match(demo.stdout, /» 中文分词 关键词搜索\n\s*1\. /, 'the Chinese query has results');
  const demoVsix = path.join(clone, 'semantic-workspace.vsix');
  assert.ok(fs.existsSync(demoVsix), 'npm run demo wrote semantic-workspace.vsix in the repository root');

  // What every extension author types: no flags (vsce's settings come from package.json).
  run('npx', ['@vscode/vsce', 'package'], clone, env, 5 * MINUTE);
  const version = (JSON.parse(fs.readFileSync(path.join(clone, 'package.json'), 'utf8')) as { version: string }).version;
  const plainVsix = path.join(clone, `semantic-workspace-${version}.vsix`);
  assert.ok(fs.existsSync(plainVsix), 'plain vsce package wrote the .vsix in the repository root');

  for (const vsix of [demoVsix, plainVsix]) {
    const entries = zipEntries(vsix);
    for (const must of ['extension/package.json', 'extension/readme.md', 'extension/dist/extension.js', 'extension/dist/chunkWorker.js', 'extension/dist/indexWorker.js', 'extension/media/dist/webview.js']) {
      assert.ok(entries.includes(must), `${path.basename(vsix)} holds ${must}`);
    }
    assert.ok(!entries.some((e) => e.includes('node_modules/') || e.startsWith('extension/src/') || e.startsWith('extension/test/')), 'ships no sources, tests or node_modules');
  }
});
