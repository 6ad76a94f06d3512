// Smoke test of the benchmark harness (bench/): its retrieval metrics, baselines, data-set parsers
// and generators, on toy sizes. The benchmarks themselves run with `npm run bench`, not here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Bm25, dedupeByPath, fuse, lineWindowDocs, productTokenizer, score } from '../../../bench/ir';
import { bigramTokenizer, splitName, stripRoff } from '../../../bench/chinese';
import { firstSentence } from '../../../bench/quality';
import { CodeGen, writeCodeTree } from '../../../bench/gen';
import { check, median, percentile } from '../../../bench/util';
import { tempDir } from '../../support/tempDir';

test('statistics and target rows', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95), 10);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5), 5);
  assert.equal(check(1, 'x', 0.4, String, { max: 0.5, label: '≤ 0.5' }).status, 'met');
  assert.equal(check(1, 'x', 0.4, String, { min: 0.5, label: '≥ 0.5' }).status, 'missed');
});

test('40-line windows with stride 20 cover every line', () => {
  const text = Array.from({ length: 95 }, (_, i) => `line ${i + 1}`).join('\n');
  const w = lineWindowDocs('a.js', text);
  assert.deepEqual(w.map((d) => [d.startLine, d.endLine]), [[1, 40], [21, 60], [41, 80], [61, 95]]);
  assert.equal(lineWindowDocs('b.js', 'one\ntwo').length, 1);
});

test('BM25 baseline, MRR@10 and recall@10', () => {
  const docs = [
    { path: 'a.js', startLine: 1, endLine: 3, text: 'function parseConfig(file) { return readFile(file) }' },
    { path: 'b.js', startLine: 1, endLine: 3, text: 'function chunkArray(array, size) { return [] }' },
    { path: 'c.js', startLine: 1, endLine: 3, text: 'function debounce(func, wait) { setTimeout(func, wait) }' },
  ];
  const bm = new Bm25(docs, productTokenizer);
  assert.equal(bm.search('split an array into chunks', 10)[0].doc.path, 'b.js');
  const answers = [{ path: 'b.js', startLine: 2, endLine: 2 }, { path: 'c.js', startLine: 1, endLine: 1 }];
  const m = score([[docs[0], docs[1]], [docs[0]]], answers);
  assert.equal(m.mrr, 0.25);
  assert.equal(m.recall, 0.5);
  assert.deepEqual(dedupeByPath([{ path: 'x' }, { path: 'x' }, { path: 'y' }]).length, 2);
});

test('fusion ablations: RRF and convex combination', () => {
  const t = (p: string, s: number) => ({ path: p, startLine: 1, endLine: 1, score: s });
  const kw = [t('a', 10), t('b', 9), t('c', 1)];
  const dense = [t('c', 0.9), t('b', 0.8)];
  assert.deepEqual(fuse(kw, [t('b', 1)], { kind: 'rrf', k: 60, w: 1 }).map((h) => h.path), ['b', 'a', 'c']);
  assert.deepEqual(fuse(kw, dense, { kind: 'rrf', k: 60, w: 0 }).map((h) => h.path).slice(0, 3), ['a', 'b', 'c']);
  assert.equal(fuse(kw, dense, { kind: 'cc', w: 0.1 })[0].path, 'a');
});

test('JSDoc first sentence (the CodeSearchNet-style query)', () => {
  const block = '/**\n * Creates an array of elements split into groups the length of `size`.\n * If `array` can\'t be split evenly, the final chunk will be the remaining\n *\n * @static\n */';
  assert.equal(firstSentence(block), 'Creates an array of elements split into groups the length of `size`.');
  assert.equal(firstSentence('/**\n * Checks if `value` is `_.NaN`.\n * @param x\n */'), 'Checks if `value` is `_.NaN`.');
});

test('man page: NAME description split off, roff stripped, bigram-only tokens', () => {
  const page = 'LS(1)    用户命令    LS(1)\n\n名称\n       ls - 列出目录内容\n\n概述\n       ls [选项]...\n\nGNU coreutils 9.1    2022年9月    LS(1)\n';
  const { description, body } = splitName(page);
  assert.equal(description, '列出目录内容');
  assert.ok(!body.includes('列出目录内容') && body.includes('概述'));
  assert.equal(splitName('BIFF(1)  x  BIFF(1)\n\n名称 (NAME)\n     biff — 新到邮件提醒\n').description, '新到邮件提醒');
  assert.equal(stripRoff('.\\" comment\n.SH 名称\nls \\- 列出\\fB目录\\fP内容\n.TP\n').trimEnd(), '名称\nls - 列出目录内容');
  assert.deepEqual(bigramTokenizer('列出目录 Files'), ['列出', '出目', '目录', 'files']);
});

test('generated code trees are deterministic and chunkable', () => {
  const a = new CodeGen(5).file(3), b = new CodeGen(5).file(3);
  assert.equal(a, b);
  assert.equal((a.match(/^export function /gm) ?? []).length, 3);
  const dir = tempDir('swbench-test-');
  try {
    const { paths, bytes } = writeCodeTree(dir, 12, 2, 1);
    assert.equal(paths.length, 12);
    assert.ok(bytes > 1000);
    assert.ok(fs.existsSync(path.join(dir, paths[11])));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
