// Related files, outliers and near-duplicates: the analyses built on per-file / per-chunk neighbours.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterNotes, computeFileVectors, findDuplicates, findOutliers, relatedFiles } from '../../../src/core/analysis';
import type { ChunkInfo } from '../../../src/core/types';
import { fakeVector, loadCorpus, shuffled } from './support';

const CODE = 'workspace-code';
const PAIRS: [string, string][] = [
  [`${CODE}/src/csvParser.ts`, `${CODE}/docs/csv-format.md`],
  [`${CODE}/src/smtpMailer.ts`, `${CODE}/docs/email-delivery.md`],
  [`${CODE}/src/imageResizer.ts`, `${CODE}/docs/image-pipeline.md`],
];

describe('relatedFiles', () => {
  const { input } = loadCorpus([CODE, 'notes-en']);

  it('ranks the planted neighbour first, code → doc and doc → code', () => {
    for (const [code, doc] of PAIRS) {
      assert.equal(relatedFiles(input, code).results[0].path, doc, code);
      assert.equal(relatedFiles(input, doc).results[0].path, code, doc);
    }
    assert.equal(relatedFiles(input, 'notes-en/running/long-run-pacing.md').results[0].path, 'notes-en/running/long-run-pacing-copy.md');
  });

  it('excludes the file itself, sorts by score and reports unknown files', () => {
    const { results, found } = relatedFiles(input, PAIRS[0][0], { topK: 5 });
    assert.ok(found);
    assert.equal(results.length, 5);
    assert.ok(!results.some((r) => r.path === PAIRS[0][0]));
    for (let i = 1; i < results.length; i++) assert.ok(results[i - 1].score >= results[i].score);
    assert.deepEqual(relatedFiles(input, 'nope.md'), { results: [], found: false });
  });

  it('respects pinned, hidden and kind', () => {
    const [code, doc] = PAIRS[0];
    const pinned = 'notes-en/baking/flour-types.md';
    const { results } = relatedFiles(input, code, { pinned: [pinned, 'missing.md', code], hidden: [doc] });
    assert.equal(results[0].path, pinned);
    assert.equal(results[0].pinned, true);
    assert.ok(!results.some((r) => r.path === doc || r.path === 'missing.md' || r.path === code));
    assert.equal(results.filter((r) => r.path === pinned).length, 1);
    const onlyCode = relatedFiles(input, doc, { kind: 'code' }).results;
    assert.ok(onlyCode.length > 0 && onlyCode.every((r) => r.kind === 'code'));
  });

  it('blends in a profile of recently opened files', () => {
    const [code] = PAIRS[0];
    const target = `${CODE}/docs/image-pipeline.md`;
    const rank = (r: readonly { path: string }[]) => r.findIndex((x) => x.path === target);
    const plain = relatedFiles(input, code).results;
    const recent = relatedFiles(input, code, { recent: [{ path: target, weight: 2 }, `${CODE}/src/imageResizer.ts`], recentWeight: 0.5 }).results;
    assert.ok(rank(recent) < rank(plain), `rank ${rank(plain)} → ${rank(recent)}`);
    assert.deepEqual(relatedFiles(input, code, { recent: [code] }), relatedFiles(input, code), 'the active file alone is no profile');
  });

  it('reuses precomputed file vectors and ignores chunk order', () => {
    const fileVectors = computeFileVectors(input);
    assert.deepEqual(relatedFiles(input, PAIRS[1][0], { fileVectors }), relatedFiles(shuffled(input), PAIRS[1][0]));
  });
});

describe('findOutliers', () => {
  const { input } = loadCorpus(['notes-en']);

  it('finds the misplaced note (vs its folder) and the off-topic note (vs the workspace)', () => {
    const { results } = findOutliers(input);
    const top2 = results.slice(0, 2).map((r) => r.path).sort();
    assert.deepEqual(top2, ['notes-en/baking/kubectl-cheatsheet.md', 'notes-en/misc/tax-return.md']);
    const misplaced = results.find((r) => r.path.endsWith('kubectl-cheatsheet.md'))!;
    assert.deepEqual([misplaced.group, misplaced.reference], ['folder', 'notes-en/baking']);
    const lonely = results.find((r) => r.path.endsWith('tax-return.md'))!;
    assert.deepEqual([lonely.group, lonely.reference], ['global', ''], 'a folder of one file uses the global centroid');
    for (let i = 1; i < results.length; i++) assert.ok(results[i - 1].score >= results[i].score);
    for (const r of results) assert.ok(r.score >= 0 && r.score <= 2);
  });

  it('compares notes with their topic when a clustering is given', async () => {
    const topics = await clusterNotes(input);
    const { results } = findOutliers(input, { topics, topK: 100 });
    assert.equal(results[0].path, 'notes-en/misc/tax-return.md');
    const misplaced = results.find((r) => r.path.endsWith('kubectl-cheatsheet.md'))!;
    assert.equal(misplaced.group, 'topic');
    assert.ok(misplaced.score < 0.5, 'in its topic, the kubectl note fits well');
  });

  it('uses folders for code and files outside any topic', async () => {
    const mixed = loadCorpus(['notes-en', CODE]).input;
    const { results } = findOutliers(mixed, { topics: await clusterNotes(mixed, { notesGlobs: ['notes-en/**'] }), topK: 1000 });
    const code = results.filter((r) => r.path.startsWith(`${CODE}/`));
    assert.equal(code.length, 6);
    assert.ok(code.every((r) => r.group === 'folder' && (r.reference === `${CODE}/src` || r.reference === `${CODE}/docs`)));
  });
});

describe('findDuplicates', () => {
  it('finds the planted copy as one row and nothing else', async () => {
    const { input } = loadCorpus(['notes-en', 'notes-zh', CODE], { minWords: 1000 });
    const result = await findDuplicates(input);
    assert.equal(result.threshold, 0.95);
    assert.equal(result.method, 'exact');
    assert.deepEqual(result.pairs.map((p) => [p.a, p.b]), [['notes-en/running/long-run-pacing-copy.md', 'notes-en/running/long-run-pacing.md']]);
    assert.ok(result.pairs[0].score >= 0.95 && result.pairs[0].score <= 1);
    assert.ok(result.pairs[0].share >= 0.85 && result.pairs[0].share < 1, String(result.pairs[0].share));
  });

  it('LSH finds the same pairs as the exact search', async () => {
    const { input } = loadCorpus(['notes-en', 'notes-zh', CODE], { minWords: 1000 });
    const exact = await findDuplicates(input, { method: 'exact', threshold: 0.9 });
    const lsh = await findDuplicates(input, { method: 'lsh', threshold: 0.9 });
    assert.equal(lsh.method, 'lsh');
    assert.ok(exact.pairs.length >= 1);
    assert.deepEqual(lsh.pairs, exact.pairs);
  });

  const synthetic = (provider: 'dashscope' | 'offline', texts: string[], vectorOf: (i: number) => Float32Array, tokens = 50) => {
    const dims = vectorOf(0).length;
    const chunks: ChunkInfo[] = texts.map((_, i) => ({ path: `f${i}.ts`, startLine: 1, endLine: 5, kind: 'code', language: 'typescript', symbol: '', hash: String(i), tokens }));
    const vectors = new Float32Array(texts.length * dims);
    texts.forEach((_, i) => vectors.set(vectorOf(i), i * dims));
    return { chunks, vectors, dims, provider, readText: async (c: ChunkInfo) => texts[Number(c.path.slice(1, -3))] };
  };
  const filePairs = (r: { pairs: readonly { a: string; b: string }[] }) => r.pairs.map((p) => [p.a, p.b]);

  it('offline: text confirmation rejects same-subject non-copies', async () => {
    const texts = ['parse the csv rows and quoted fields', 'send the email through the smtp relay', 'parse the csv rows and quoted fields!'];
    const same = fakeVector('csv parsing');
    const input = synthetic('offline', texts, () => same); // LSA-like: all three look identical
    const offline = await findDuplicates(input);
    assert.equal(offline.threshold, 0.95);
    assert.deepEqual(filePairs(offline), [['f0.ts', 'f2.ts']]);
    const remote = await findDuplicates({ ...input, provider: 'dashscope' });
    assert.deepEqual(filePairs(remote), [['f0.ts', 'f1.ts'], ['f0.ts', 'f2.ts'], ['f1.ts', 'f2.ts']]);
    assert.ok(remote.pairs.every((p) => p.kind === 'code' && p.share === 1 && p.places.length === 1));
  });

  it('skips code chunks below the minimum size, and a file is never its own duplicate', async () => {
    const v = fakeVector('same text');
    const tiny = synthetic('dashscope', ['a', 'a'], () => v, 30);
    assert.equal((await findDuplicates(tiny)).pairs.length, 0);
    const twoLines = synthetic('dashscope', ['a', 'a'], () => v);
    assert.equal((await findDuplicates({ ...twoLines, chunks: twoLines.chunks.map((c) => ({ ...c, endLine: 2 })) })).pairs.length, 0);
    const windows = synthetic('dashscope', ['x', 'x'], () => v);
    const overlapping = { ...windows, chunks: windows.chunks.map((c, i) => ({ ...c, path: 'same.ts', startLine: 1 + i * 2, endLine: 10 + i * 2 })) };
    assert.equal((await findDuplicates(overlapping)).pairs.length, 0);
  });

  it('handles 20k chunks with LSH and finds planted copies', async () => {
    const n = 20_000;
    const dims = 256;
    let s = 99;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
    const base = Array.from({ length: 100 }, () => Float32Array.from({ length: dims }, rnd));
    const rows = Array.from({ length: n }, (_, i) => Float32Array.from(base[i % 100], (x) => x + 0.7 * rnd()));
    for (let p = 0; p < 20; p++) rows[p * 977 + 1] = Float32Array.from(rows[p * 977], (x) => x + 0.02 * rnd());
    const input = synthetic('dashscope', rows.map(() => ''), (i) => rows[i]);
    // Its speed is the benchmark's business (BENCHMARKS.md); here: LSH finds every planted pair.
    const result = await findDuplicates(input);
    assert.equal(result.method, 'lsh');
    const found = result.pairs.filter((p) => Math.abs(Number(p.b.slice(1, -3)) - Number(p.a.slice(1, -3))) === 1);
    assert.equal(found.length, 20, `found ${found.length} planted pairs`);
  });
});
