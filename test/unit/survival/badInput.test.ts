/**
 * Suite 3 — bad input. A generated tree holding everything a real folder can throw at the
 * indexer: binary files, invalid UTF-8, a BOM, CRLF, a 100 MB sparse file, a 1 MB single-line
 * file, empty and blank files, a 200-level deep folder, symlink loops and escapes, a FIFO and a
 * unix socket, names with spaces, Chinese and emoji, 5,000 tiny files (SW_HEAVY=1: 50,000), and a
 * background process rewriting and deleting files while the index runs. The CLI must finish
 * (no crash, no hang), give every skipped file a reason, keep its memory bounded, and still find
 * what the odd files say at the right lines.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { openEngine } from '../../../src/core/engine';
import { HEAVY, STACK_TRACE, cliEnv, parseJsonLines, runCli, tempDir, writeQueries, writeTree, type SearchLine } from './support';

const TINY = HEAVY ? 50_000 : 5_000;
const KNOWN_REASONS = new Set(['gitignore', 'semanticignore', 'default-exclude', 'security', 'excluded-by-option', 'not-included', 'too-large', 'binary', 'unreadable', 'not-a-regular-file', 'empty', 'generated']);
const sockets: net.Server[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const s of sockets) s.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** The planted files and the reason each must be skipped for (undefined: must be indexed). */
function plant(root: string): Map<string, string | undefined> {
  const expect = new Map<string, string | undefined>();
  const put = (rel: string, content: string | Buffer, reason?: string) => {
    writeTree(root, { [rel]: content });
    expect.set(rel, reason);
  };
  // Binary: NUL bytes within the sniffing window, whatever the extension says.
  put('bin/blob.dat', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, ...Array.from({ length: 5000 }, (_, i) => (i * 37) & 0xff)]), 'binary');
  put('bin/looks-like-text.md', Buffer.concat([Buffer.from('# Title\n\nSome words then a NUL:'), Buffer.from([0]), Buffer.from(' more')]), 'binary');
  put('bin/utf16.txt', Buffer.from('\ufeffhello utf16 text', 'utf16le'), 'binary');
  // Odd but text: invalid UTF-8 (replacement characters), a BOM, CRLF, a NUL after the sniff window.
  put('text/latin1.md', Buffer.concat([Buffer.from('# Caf'), Buffer.from([0xe9, 0x20, 0xff, 0xfe, 0xc3]), Buffer.from('\n\nzanzibarquokka invalid utf8 marker\n')]));
  put('text/bom.md', '\ufeff# BOM note\n\nline two\nfrobnicatewidget lives on line four\n');
  put('text/crlf.ts', ['// CRLF file', 'export function first(): number {', '  return 1;', '}', 'export function quuxlatticeCrlf(): number {', '  return 2;', '}', ''].join('\r\n'));
  put('text/late-nul.txt', Buffer.concat([Buffer.from('x'.repeat(9000) + '\nlatenulmarker\n'), Buffer.from([0]), Buffer.from('\n')]));
  // Sizes: empty, blank, a 1 MB single line of code (a bundle by content: skipped as generated),
  // a 1 MB single-line paragraph (indexed by column spans), over the limit (skipped, not read).
  put('sizes/empty.txt', '', 'empty');
  put('sizes/blank.md', '   \n\n\t\n', 'empty');
  put('sizes/one-line.js', 'var a=' + Array.from({ length: 62_000 }, (_, i) => `f${i}(x)`).join('+').slice(0, 999_000 - 40) + ';//minifiedendmarker\n', 'generated');
  put('sizes/one-line.txt', Array.from({ length: 90_000 }, (_, i) => `word${i % 997}`).join(' ').slice(0, 999_000 - 40) + ' longlinemarker\n');
  put('sizes/too-big.txt', 'a'.repeat(1_200_000), 'too-large');
  fs.mkdirSync(path.join(root, 'sizes'), { recursive: true });
  const huge = path.join(root, 'sizes/huge-sparse.log');
  fs.writeFileSync(huge, 'start\n');
  fs.truncateSync(huge, 100 * 1024 * 1024); // 100 MB, sparse: costs no disk
  expect.set('sizes/huge-sparse.log', 'too-large');
  // Names.
  put('names/my notes 笔记 🚀.md', '# 笔记\n\n会议纪要：向量检索的召回率 moonlitharbor 测试\n');
  put('names/数据 处理.py', 'def 处理(x):\n    """clockworkpelican handles 数据"""\n    return x\n');
  put('names/émoji 😀 dir/файл.txt', 'The umbrellasquid note in Cyrillic folder.\n');
  put(`names/${'n'.repeat(240)}.md`, 'A very long file name with longnamemarker inside.\n');
  // Depth: 200 nested folders.
  const deep = Array.from({ length: 200 }, (_, i) => `d${i % 10}`).join('/');
  put(`${deep}/deep.md`, '# Deep\n\nabyssalmarker at depth two hundred\n');
  // Lots of lines.
  put('text/many-lines.txt', Array.from({ length: 100_000 }, (_, i) => `l${i}`).join('\n') + '\n');
  // Special files: symlink loops, a broken link, escapes, a FIFO, a socket.
  fs.mkdirSync(path.join(root, 'special'), { recursive: true });
  fs.symlinkSync('loop-b', path.join(root, 'special/loop-a'));
  fs.symlinkSync('loop-a', path.join(root, 'special/loop-b'));
  expect.set('special/loop-a', 'not-a-regular-file');
  expect.set('special/loop-b', 'not-a-regular-file');
  fs.symlinkSync('..', path.join(root, 'special/parent-loop')); // a folder link: never followed
  fs.symlinkSync('does-not-exist', path.join(root, 'special/broken'));
  expect.set('special/broken', 'not-a-regular-file');
  fs.symlinkSync('/etc/hostname', path.join(root, 'special/escape.txt'));
  expect.set('special/escape.txt', 'not-a-regular-file');
  fs.symlinkSync('/dev/zero', path.join(root, 'special/zero.txt'));
  expect.set('special/zero.txt', 'not-a-regular-file');
  const fifo = spawnSync('mkfifo', [path.join(root, 'special/pipe.md')]);
  if (fifo.status === 0) {
    expect.set('special/pipe.md', 'not-a-regular-file');
    fs.symlinkSync('pipe.md', path.join(root, 'special/to-pipe.md'));
    expect.set('special/to-pipe.md', 'not-a-regular-file');
  }
  return expect;
}

function plantTiny(root: string, n: number): void {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
  for (let i = 0; i < n; i++) {
    const dir = path.join(root, 'tiny', `t${Math.floor(i / 500)}`);
    if (i % 500 === 0) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}.txt`), `${words[i % 8]} ${words[(i >> 3) % 8]} tiny${i}\n`);
  }
}

/** A separate process that keeps rewriting, deleting and recreating files in `churn/`. */
function startChurn(root: string): ChildProcess {
  const dir = path.join(root, 'churn');
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 200; i++) fs.writeFileSync(path.join(dir, `c${i}.md`), `# churn ${i}\n\nstable churn text ${i}\n`);
  const script = `
    const fs = require('fs'), path = require('path');
    const dir = ${JSON.stringify(dir)};
    let n = 0, ops = 0;
    const tick = () => {
      for (let k = 0; k < 10; k++) {
        const f = path.join(dir, 'c' + ((n * 7919 + k) % 200) + '.md');
        try {
          const r = (n + k) % 5;
          if (r === 0) fs.rmSync(f, { force: true });
          else if (r === 1) fs.writeFileSync(f, '');
          else if (r === 2) fs.writeFileSync(f, '# churn\\n\\n' + 'rewritten '.repeat(1 + (n % 400)) + '\\n');
          else if (r === 3) { fs.writeFileSync(f + '.tmp', 'renamed in ' + n + '\\n'); fs.renameSync(f + '.tmp', f); }
          else fs.appendFileSync(f, 'appended line ' + n + '\\n');
          ops++;
        } catch {}
      }
      n++;
      if (n % 20 === 0) process.stdout.write(String(ops) + '\\n');
      setTimeout(tick, 2); // ~3,000 operations a second, without taking a whole core
    };
    tick();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  return child;
}

test(`bad input: no crash, no hang, every skip has a reason, bounded memory (${TINY} tiny files)`, { timeout: 15 * 60_000 }, async (t) => {
  const t0 = Date.now();
  const root = tempDir('sw-bad-root-');
  const expect = plant(root);
  plantTiny(root, TINY);
  const sock = path.join(root, 'special/live.sock');
  await new Promise<void>((resolve, reject) => {
    const s = net.createServer().listen(sock, () => resolve()).on('error', reject);
    sockets.push(s);
  });
  expect.set('special/live.sock', 'not-a-regular-file');

  const indexDir = path.join(tempDir('sw-bad-idx-'), 'idx');
  const env = cliEnv();
  let churnOps = '0';
  const churn = startChurn(root);
  churn.stdout!.on('data', (d: Buffer) => (churnOps = d.toString().trim().split('\n').pop() ?? churnOps));

  // 1. Index while the churn process rewrites and deletes files under it.
  const r = await runCli(['index', root, '--index-dir', indexDir, '--json'], { env, timeoutMs: (HEAVY ? 20 : 5) * 60_000, measureRss: true });
  churn.kill('SIGKILL');
  assert.ok(!r.timedOut, `index hung (killed after ${r.ms} ms)`);
  assert.ok(!STACK_TRACE.test(r.stderr), r.stderr);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { filesIndexed: number; filesSkipped: Record<string, number>; chunks: number };
  for (const reason of Object.keys(report.filesSkipped)) assert.ok(KNOWN_REASONS.has(reason), `unknown skip reason ${reason}`);

  // 2. Once the tree holds still, a second run settles it, and every planted file gets its
  //    verdict: indexed, or skipped with the reason it deserves (per file, from the engine).
  const r2 = await runCli(['index', root, '--index-dir', indexDir, '--json'], { env, timeoutMs: (HEAVY ? 20 : 5) * 60_000, measureRss: true });
  assert.equal(r2.code, 0, r2.stderr);
  const report2 = JSON.parse(r2.stdout) as { filesIndexed: number; filesSkipped: Record<string, number>; chunks: number };
  const engine = await openEngine({ root, provider: 'offline', indexDir });
  const dry = await engine.index({ dryRun: true });
  const reasons = new Map(dry.skippedFiles.map((s) => [s.path, s]));
  const status = await engine.status();
  const wrong: string[] = [];
  let skippedWithReason = 0;
  for (const [rel, reason] of expect) {
    const got = reasons.get(rel);
    if (reason === undefined && got) wrong.push(`${rel}: skipped as ${got.reason} (${got.detail ?? ''}), should be indexed`);
    if (reason !== undefined && got?.reason !== reason) wrong.push(`${rel}: ${got ? `skipped as ${got.reason}` : 'not skipped'}, want ${reason}`);
    if (got) skippedWithReason++;
  }
  for (const s of dry.skippedFiles) assert.ok(KNOWN_REASONS.has(s.reason) && s.path, `a skip without a reason: ${JSON.stringify(s)}`);
  assert.deepEqual(wrong, []);
  assert.ok(status.files >= TINY + 10, `indexed ${status.files} files`);

  // 3. What the odd files say is found, at the right lines and under the exact names.
  const probes: [string, string][] = [
    ['frobnicatewidget', 'text/bom.md'],
    ['quuxlatticeCrlf', 'text/crlf.ts'],
    ['zanzibarquokka', 'text/latin1.md'],
    ['moonlitharbor', 'names/my notes 笔记 🚀.md'],
    ['clockworkpelican', 'names/数据 处理.py'],
    ['umbrellasquid', 'names/émoji 😀 dir/файл.txt'],
    ['abyssalmarker', `${Array.from({ length: 200 }, (_, i) => `d${i % 10}`).join('/')}/deep.md`],
    ['longlinemarker', 'sizes/one-line.txt'],
    ['longnamemarker', `names/${'n'.repeat(240)}.md`],
    ['tiny4321', 'tiny/t8/f4321.txt'],
  ];
  const s = await runCli(['search', root, '--queries-file', writeQueries(probes.map(([q]) => q)), '--index-dir', indexDir, '--json', '--mode', 'keyword', '--top-k', '3'], { env });
  assert.equal(s.code, 0, s.stderr);
  const lines = parseJsonLines(s.stdout) as unknown as SearchLine[];
  let found = 0;
  for (const [i, [term, file]] of probes.entries()) {
    const hit = lines[i].results[0];
    assert.ok(hit, `nothing found for ${term}`);
    assert.equal(hit.path, file, `${term}`);
    const text = fs.readFileSync(path.join(root, file), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
    assert.ok(text.slice(hit.startLine - 1, hit.endLine).join('\n').includes(term), `${term}: lines ${hit.startLine}-${hit.endLine} of ${file} do not hold it`);
    if (hit.startColumn !== undefined) {
      // A piece of one long line: its columns hold the term, and the piece is chunk-sized, not the whole line.
      assert.ok(text[hit.startLine - 1].slice(hit.startColumn - 1, hit.endColumn).includes(term), `${term}: columns ${hit.startColumn}-${hit.endColumn} do not hold it`);
      assert.ok(hit.endColumn! - hit.startColumn + 1 < 20_000, `${term}: a ${hit.endColumn! - hit.startColumn + 1}-character piece`);
    } else assert.notEqual(file, 'sizes/one-line.txt', 'the 1 MB line is found by its columns');
    found++;
  }

  const peak = Math.max(r.peakRssKb ?? 0, r2.peakRssKb ?? 0);
  t.diagnostic(`bad files planted ${expect.size} (+${TINY} tiny, +200 churning); skipped with the right reason ${skippedWithReason}, indexed as text ${expect.size - skippedWithReason}; ` +
    `run under churn: ${r.ms} ms (${r.cpuSeconds ?? '?'} s CPU), ${report.filesIndexed} files, skipped ${JSON.stringify(report.filesSkipped)}; churn operations during it ${churnOps}`);
  t.diagnostic(`settled run: ${r2.ms} ms (${r2.cpuSeconds ?? '?'} s CPU), ${report2.filesIndexed} files, ${report2.chunks} chunks, skipped ${JSON.stringify(report2.filesSkipped)}; ` +
    `peak RSS ${r.peakRssKb ?? '?'} KiB / ${r2.peakRssKb ?? '?'} KiB; probes found at the right lines ${found}/${probes.length}; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assert.ok(peak > 0, 'peak RSS measured');
  assert.ok(peak < (HEAVY ? 2_000_000 : 1_000_000), `peak RSS ${peak} KiB`);
});
