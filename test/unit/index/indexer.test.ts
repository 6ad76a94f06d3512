import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { IndexProgress } from '../../../src/core/engineTypes';
import { openIndex, runIndex, spaceId } from '../../../src/core/index';
import { HashEmbedder, filesIn, tsFile, workspace } from './helpers';

function opened(indexDir: string, embedder: HashEmbedder) {
  const r = openIndex({ indexDir, embedder });
  assert.equal(r.status, 'ok', r.status === 'corrupt' ? r.reason : r.status);
  return (r as Extract<typeof r, { status: 'ok' }>).index;
}

test('full build, then an unchanged re-index embeds nothing', async () => {
  const ws = workspace({ 'src/a.ts': tsFile('a', 3), 'src/b.ts': tsFile('b', 2), 'notes/n.md': '# Notes\n\nSome notes about alpha.\n' });
  const e = new HashEmbedder();
  const r1 = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  assert.equal(r1.filesIndexed, 3);
  assert.equal(r1.chunks, 6);
  assert.equal(r1.embeddedChunks, 6);
  assert.equal(r1.reusedChunks, 0);
  assert.equal(r1.incomplete, false);
  assert.ok(r1.bytesOnDisk > 6 * 32 * 4);
  const idx = opened(ws.indexDir, e);
  assert.equal(idx.chunks.length, 6);
  assert.equal(idx.vectors.length, 6 * 32);
  // Row i belongs to chunk i: the stored vector is the embedder's vector of that chunk.
  const hits = idx.keywordIndex().search('bFn1', 3);
  assert.equal(idx.chunks[hits[0].id].symbol, 'bFn1');
  const before = e.sent.length;
  const r2 = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  assert.equal(e.sent.length, before);
  assert.equal(r2.embeddedChunks, 0);
  assert.equal(r2.reusedChunks, 6);
  assert.equal(r2.filesChanged, 0);
  assert.equal(opened(ws.indexDir, e).generation, idx.generation, 'nothing changed: no new generation');
});

test('editing one function re-embeds only that chunk; other rows keep their vectors', async () => {
  const ws = workspace({ 'src/a.ts': tsFile('a', 4), 'src/b.ts': tsFile('b', 2) });
  const e = new HashEmbedder();
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  const before = opened(ws.indexDir, e);
  ws.write('src/a.ts', tsFile('a', 4, (i) => (i === 2 ? 'return x - 42; // edited' : `return aValue${i} * ${i + 1};`)));
  e.sent.length = 0;
  const r = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  assert.equal(r.embeddedChunks, 1);
  assert.equal(e.sent.length, 1);
  assert.match(e.sent[0], /edited/);
  assert.equal(r.filesChanged, 1);
  const after = opened(ws.indexDir, e);
  assert.equal(after.chunks.length, before.chunks.length);
  const row = after.chunks.findIndex((c) => c.symbol === 'aFn2');
  assert.notEqual(after.chunks[row].hash, before.chunks[row].hash);
  assert.deepEqual(after.vectors.subarray(row * 32, row * 32 + 32), e.vector(e.sent[0]));
  const kw = after.keywordIndex();
  assert.equal(after.chunks[kw.search('edited', 1)[0].id].symbol, 'aFn2');
});

test('identical chunks are embedded once; touching a file without changing it costs no chunking', async () => {
  // The chunker's embed header holds the path, so identical texts share a hash within a file
  // (same path, same section name) — copies across files differ by their header.
  const dup = '# Licence\n\nCopyright (c) Example. All rights reserved.\n\n';
  const ws = workspace({ 'a/x.md': dup + dup + dup + '# Other\n\nsomething else\n', 'b/y.md': '# Y\n\nwhy\n' });
  const e = new HashEmbedder();
  const r = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  assert.equal(r.chunks, 5);
  assert.equal(r.embeddedChunks, 3);
  assert.equal(e.sent.length, 3);
  assert.equal(r.reusedChunks, 2);
  const idx = opened(ws.indexDir, e);
  assert.deepEqual(idx.vectors.subarray(0, 32), idx.vectors.subarray(64, 96), 'copies share the vector');
  const t = new Date(Date.now() + 5e6);
  fs.utimesSync(path.join(ws.root, 'a/x.md'), t, t);
  const r2 = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  assert.equal(r2.filesChanged, 0);
  assert.equal(r2.embeddedChunks, 0);
  assert.equal(Math.round(opened(ws.indexDir, e).files[0].mtimeMs), t.getTime(), 'the new mtime is recorded');
});

test('a deleted file removes its chunks, also through a `paths` live update', async () => {
  const ws = workspace({ 'a.md': '# A\n\nalpha text\n', 'b.md': '# B\n\nbeta text\n', 'c.md': '# C\n\ngamma text\n' });
  const e = new HashEmbedder();
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  ws.remove('b.md');
  const r = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  assert.equal(r.filesRemoved, 1);
  let idx = opened(ws.indexDir, e);
  assert.deepEqual(idx.files.map((f) => f.path), ['a.md', 'c.md']);
  assert.equal(idx.keywordIndex().search('beta', 5).length, 0);
  // Live update: only the given paths are looked at (a new file elsewhere is not picked up).
  ws.remove('c.md');
  ws.write('d.md', '# D\n\ndelta text\n');
  ws.write('a.md', '# A\n\nalpha text, edited\n');
  const live = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e }, { paths: ['c.md', 'a.md'] });
  assert.equal(live.filesRemoved, 1);
  assert.equal(live.filesChanged, 1);
  idx = opened(ws.indexDir, e);
  assert.deepEqual(idx.files.map((f) => f.path), ['a.md']);
  assert.equal(idx.chunks[idx.keywordIndex().search('edited', 1)[0].id].path, 'a.md');
});

test('a fingerprint change builds a new space; switching back reuses the old one', async () => {
  const ws = workspace({ 'src/a.ts': tsFile('a', 3) });
  const a = new HashEmbedder({ model: 'hash-a' });
  const b = new HashEmbedder({ model: 'hash-b', dims: 16 });
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: a });
  const rb = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: b });
  assert.equal(rb.embeddedChunks, 3);
  assert.deepEqual(filesIn(ws.indexDir), [spaceId(a.fingerprint), spaceId(b.fingerprint)].sort());
  const back = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: new HashEmbedder({ model: 'hash-a' }) });
  assert.equal(back.embeddedChunks, 0);
  assert.equal(opened(ws.indexDir, b).dims, 16);
  // Only the 3 most recently used spaces are kept.
  for (const m of ['c', 'd']) await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: new HashEmbedder({ model: m }) });
  const kept = filesIn(ws.indexDir);
  assert.equal(kept.length, 3);
  assert.ok(!kept.includes(spaceId(b.fingerprint)), 'the least recently used space is evicted');
  assert.ok(kept.includes(spaceId(a.fingerprint)));
});

test('dry run embeds and writes nothing but counts what would be embedded', async () => {
  const ws = workspace({ 'src/a.ts': tsFile('a', 3), 'x.md': '# X\n\ntext\n' });
  const e = new HashEmbedder();
  const dry = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e }, { dryRun: true });
  assert.equal(e.sent.length, 0);
  assert.equal(fs.existsSync(ws.indexDir), false);
  assert.equal(dry.chunks, 4);
  assert.equal(dry.chunksToEmbed, 4);
  assert.ok(dry.tokensToEmbed > 0 && dry.tokensToEmbed === dry.tokens);
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  ws.write('y.md', '# Y\n\nmore\n');
  const dry2 = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e }, { dryRun: true });
  assert.equal(dry2.chunksToEmbed, 1);
  assert.equal(dry2.chunks, 5);
});

test('progress only moves forward and reaches its totals', async () => {
  const ws = workspace({ 'src/a.ts': tsFile('a', 5), 'src/b.ts': tsFile('b', 5), 'c.md': '# C\n\nc\n' });
  const seen: IndexProgress[] = [];
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: new HashEmbedder({ batchSize: 2 }) }, { onProgress: (p) => seen.push(p) });
  const keys = ['filesDone', 'filesTotal', 'chunksDone', 'chunksTotal', 'tokensDone', 'tokensTotal'] as const;
  for (let i = 1; i < seen.length; i++) for (const k of keys) assert.ok(seen[i][k] >= seen[i - 1][k], `${k} went back`);
  const last = seen[seen.length - 1];
  assert.equal(last.phase, 'done');
  assert.equal(last.filesDone, 3);
  assert.equal(last.chunksDone, 11);
  assert.equal(last.chunksTotal, 11);
  assert.equal(last.tokensDone, last.tokensTotal);
});

test('token budget: stops before exceeding it, the next run continues', async () => {
  const ws = workspace({ 'a.ts': tsFile('a', 4), 'b.ts': tsFile('b', 4), 'c.ts': tsFile('c', 4) });
  const e = new HashEmbedder();
  const dry = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e }, { dryRun: true });
  const budget = Math.floor((dry.tokensToEmbed * 2) / 3) + 1;
  const r = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e, tokenBudget: budget });
  assert.equal(r.incomplete, true);
  assert.ok(r.tokensToEmbed <= budget);
  assert.equal(r.filesIndexed, 2);
  assert.match(r.warnings.join('\n'), /budget/);
  const r2 = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  assert.equal(r2.embeddedChunks, 4);
  assert.equal(r2.filesIndexed, 3);
  assert.equal(r2.incomplete, false);
});
