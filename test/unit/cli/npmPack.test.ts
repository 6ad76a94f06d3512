/**
 * A CLI people can install: `npm pack` → `npm install <tgz>` into an empty npm project →
 * `npx --no-install semantic-workspace index|search` and `mcp` work from there (tree-sitter grammars
 * and the chunk worker found beside the bundle), with the same default index location as the
 * repository's CLI. The tarball's bin also runs with no node_modules at all (everything is bundled).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCorpus, repoRoot, runCli, tempDir } from './support';
import { startMcp, textOf } from './mcpSupport';

const work = tempDir('sw-pack-');
const project = path.join(work, 'project');
const cache = path.join(work, 'xdg-cache');
const corpus = makeCorpus();
let tarball = '';

function run(cmd: string, args: readonly string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), LANG: 'C', XDG_CACHE_HOME: cache, npm_config_update_notifier: 'false', ...env },
  });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

before(() => {
  const out = run('npm', ['pack', '--json', '--pack-destination', work], repoRoot, { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? '' });
  const [info] = JSON.parse(out.slice(out.indexOf('[')));
  tarball = path.join(work, info.filename);
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'empty-project', version: '1.0.0', private: true }));
  run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], project);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('the tarball holds the bundles and grammars, not sources, tests or maps', () => {
  const list = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const f of ['package/package.json', 'package/dist/cli.js', 'package/dist/chunkWorker.js', 'package/dist/wasm/tree-sitter.wasm', 'package/dist/wasm/tree-sitter-typescript.wasm', 'package/README.md']) {
    assert.ok(list.includes(f), `${f} shipped`);
  }
  assert.ok(!list.some((f) => /^package\/(src|test|bench|scripts|node_modules|out|media)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts')), list.join('\n'));
});

test('npx --no-install semantic-workspace index|search works from the install, at the default index location', () => {
  const index = JSON.parse(run('npx', ['--no-install', 'semantic-workspace', 'index', corpus, '--json'], project));
  assert.equal(index.filesIndexed, 6);
  const search = JSON.parse(run('npx', ['--no-install', 'semantic-workspace', 'search', corpus, 'token bucket rate limiter', '--json', '--top-k', '1'], project));
  assert.equal(search.results[0].path, 'src/rate_limiter.ts');
  assert.equal(search.results[0].symbol, 'TokenBucket', 'the tree-sitter grammar was found (symbols come from it)');
  // The repository's own CLI sees the same index: same default location.
  const status = runCli(['status', corpus, '--json'], { XDG_CACHE_HOME: cache });
  assert.equal(status.status, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout).indexDir, index.indexDir);
});

test('mcp runs from the install and answers a search', async () => {
  const bin = path.join(project, 'node_modules', '.bin', 'semantic-workspace');
  const s = await startMcp([corpus], { XDG_CACHE_HOME: cache }, { cmd: bin, args: [] });
  try {
    const r = await s.call('search', { query: '列出目录内容', topK: 1 });
    assert.ok(!r.isError, textOf(r));
    assert.equal((r.structuredContent as { results: { path: string }[] }).results[0].path, 'docs/命令.md');
  } finally {
    await s.close();
  }
});

test('the packed bin needs no node_modules: unpacked alone, it indexes and searches', () => {
  const alone = path.join(work, 'alone');
  fs.mkdirSync(alone);
  run('tar', ['-xzf', tarball, '-C', alone], alone);
  const cli = path.join(alone, 'package', 'dist', 'cli.js');
  const env = { XDG_CACHE_HOME: path.join(work, 'alone-cache') };
  run(process.execPath, [cli, 'index', corpus, '--json'], alone, env);
  const out = JSON.parse(run(process.execPath, [cli, 'search', corpus, 'mailbox message count', '--json', '--top-k', '1'], alone, env));
  assert.equal(out.results[0].path, 'lib/mailbox.py');
  assert.equal(out.results[0].symbol, 'Mailbox', 'the Python grammar was found');
});
