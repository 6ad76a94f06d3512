/**
 * The CLI contract, end to end: the bundled dist/cli.js run as a process over a real folder.
 * External tooling relies on these shapes and exit codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeCorpus, runCli, tempDir } from './support';

const corpus = makeCorpus();
const indexDir = path.join(tempDir('sw-cli-index-'), 'idx');

test('index --json prints one object with the contract keys and skips secrets with a reason', () => {
  const r = runCli(['index', corpus, '--index-dir', indexDir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'stdout carries exactly one JSON object');
  const report = JSON.parse(lines[0]);
  for (const key of ['filesIndexed', 'chunks', 'tokens', 'bytesOnDisk']) assert.ok(Number.isInteger(report[key]) && report[key] > 0, key);
  assert.equal(typeof report.seconds, 'number');
  assert.equal(typeof report.filesSkipped, 'object');
  assert.ok(report.filesSkipped.security >= 2, `security skips: ${JSON.stringify(report.filesSkipped)}`);
  assert.ok(report.filesSkipped['default-exclude'] >= 1, 'node_modules is excluded');
  assert.equal(report.filesIndexed, 6);
  assert.ok(fs.existsSync(indexDir), 'index written where --index-dir says');
  assert.ok(!fs.readdirSync(corpus).some((f) => f.includes('index') || f.startsWith('.semantic')), 'nothing written inside the folder');
});

test('search --json prints one line per query in input order, 1-based inclusive lines, POSIX paths', () => {
  const queriesFile = path.join(tempDir('sw-cli-q-'), 'q.jsonl');
  fs.writeFileSync(queriesFile, ['token bucket rate limiter', 'mailbox message count', '列出目录内容'].map((q) => JSON.stringify({ query: q })).join('\n') + '\n');
  const r = runCli(['search', corpus, '--queries-file', queriesFile, '--index-dir', indexDir, '--json', '--top-k', '3']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.query), ['token bucket rate limiter', 'mailbox message count', '列出目录内容']);
  for (const { results } of lines) {
    assert.ok(results.length >= 1 && results.length <= 3);
    for (const hit of results) {
      assert.ok(hit.startLine >= 1 && hit.endLine >= hit.startLine);
      assert.ok(!hit.path.includes('\\') && !path.isAbsolute(hit.path));
      assert.ok(hit.kind === 'code' || hit.kind === 'doc');
      assert.equal(typeof hit.symbol, 'string');
      assert.equal(typeof hit.score, 'number');
    }
    for (let i = 1; i < results.length; i++) assert.ok(results[i - 1].score >= results[i].score, 'best first');
  }
  assert.equal(lines[0].results[0].path, 'src/rate_limiter.ts');
  assert.equal(lines[0].results[0].symbol, 'TokenBucket');
  assert.equal(lines[1].results[0].path, 'lib/mailbox.py');
  assert.equal(lines[2].results[0].path, 'docs/命令.md', 'a Chinese query finds the Chinese note');
  const lsLines = fs.readFileSync(path.join(corpus, 'docs/命令.md'), 'utf8').split('\n');
  const hit = lines[2].results[0];
  assert.ok(lsLines.slice(hit.startLine - 1, hit.endLine).join('\n').includes('列出目录内容'), 'the lines named hold the answer');
});

test('search with no index exits 2 and says what to run; so does a provider mismatch', () => {
  const other = makeCorpus();
  const r = runCli(['search', other, 'anything', '--index-dir', path.join(tempDir('sw-cli-none-'), 'x'), '--json']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '', 'no JSON on failure');
  assert.match(r.stderr, /semantic-workspace index/);
  const mismatch = runCli(['search', corpus, 'anything', '--index-dir', indexDir, '--provider', 'dashscope', '--json'], { DASHSCOPE_API_KEY: 'sk-test-not-used', DASHSCOPE_BASE_URL: 'http://127.0.0.1:9' });
  assert.equal(mismatch.status, 2, mismatch.stderr);
  assert.match(mismatch.stderr, /--provider dashscope/);
});

test('bad usage exits 2 with the usage text', () => {
  for (const argv of [['frobnicate', corpus], ['search', corpus, 'q', '--mode', 'fuzzy'], ['search', corpus, 'q', '--top-k', 'zero'], ['index']]) {
    const r = runCli(argv);
    assert.equal(r.status, 2, argv.join(' '));
    assert.match(r.stderr, /Usage|usage|missing/);
  }
});

test('--dry-run reports counts and a cost without writing an index', () => {
  const dir = path.join(tempDir('sw-cli-dry-'), 'idx');
  const r = runCli(['index', corpus, '--index-dir', dir, '--dry-run', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.filesIndexed, 6);
  assert.ok(report.chunks > 0 && report.tokens > 0);
  assert.equal(typeof report.estimatedCostUSD, 'number');
  assert.ok(!fs.existsSync(path.join(dir, 'manifest.json')) && !(fs.existsSync(dir) && fs.readdirSync(dir).length), 'nothing written');
});

test('human output shows path:line, symbol and a snippet, and follows LANG', () => {
  const r = runCli(['search', corpus, 'rate limiter', '--index-dir', indexDir, '--top-k', '2']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /src\/rate_limiter\.ts:\d+-\d+/);
  assert.match(r.stdout, /TokenBucket/);
  assert.match(r.stdout, /refill/, 'snippet read from the file');
  const zh = runCli(['index', corpus, '--index-dir', indexDir], { LANG: 'zh_CN.UTF-8' });
  assert.equal(zh.status, 0, zh.stderr);
  assert.match(zh.stdout, /已索引 6 个文件/);
});

test('a second index run of an unchanged folder embeds nothing', () => {
  const r = runCli(['index', corpus, '--index-dir', indexDir, '--json']);
  const report = JSON.parse(r.stdout);
  assert.equal(report.embeddedChunks, 0);
  assert.equal(report.reusedChunks, report.chunks);
});
