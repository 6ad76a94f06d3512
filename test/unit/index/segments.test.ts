/**
 * Live updates append a vector segment and a keyword delta instead of rewriting the index
 * (src/core/index/appendGeneration.ts): what a user notices is that a search finds the edited
 * text and not the old, a removed file is gone, and every search ranks exactly as a fresh full
 * build of the same tree would — before and after the compaction that merges the segments.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openIndex, runIndex } from '../../../src/core/index';
import type { Manifest } from '../../../src/core/index/manifest';
import { COMPACT_DEAD_FRACTION } from '../../../src/core/index/appendGeneration';
import { IndexStore } from '../../../src/core/index/store';
import { searchHybrid } from '../../../src/core/search/hybrid';
import { KeywordIndex } from '../../../src/core/search/keywordIndex';
import { HashEmbedder, tempDir, tsFile, workspace, type Workspace } from './helpers';
import { opened, rankings } from './rankings';

const FNS = 10;
const QUERIES = ['alpha step', 'beta value', 'renamed unicorn', 'gamma 3', 'mod7 step 4', 'delta x number', 'zebra'];

function tree(files: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < files; i++) out[`src/p${i % 5}/mod${i}.ts`] = tsFile(`mod${i}`, FNS);
  out['src/p3/mod3.ts'] = tsFile('mod3', FNS, (i) => (i === 4 ? 'return oldPlatypus + 1;' : `return mod3Value${i} * ${i + 1};`));
  out['docs/notes.md'] = '# Notes\n\nalpha beta gamma delta.\n\n## More\n\nzebra crossing notes.\n';
  return out;
}

function manifestOf(indexDir: string, e: HashEmbedder): Manifest {
  const r = new IndexStore(indexDir).readManifest(e.fingerprint);
  assert.equal(r.status, 'ok');
  return (r as { manifest: Manifest }).manifest;
}

async function results(indexDir: string, e: HashEmbedder): Promise<string[]> {
  return rankings(opened(indexDir, e), e, QUERIES, 8);
}

/** The same tree indexed from scratch in a fresh index directory. */
async function rebuilt(ws: Workspace, e: HashEmbedder): Promise<string[]> {
  const dir = path.join(tempDir('sw-seg-fresh-'), 'index');
  await runIndex({ root: ws.root, indexDir: dir, embedder: e });
  return results(dir, e);
}

for (const dims of [32, 512]) {
  // 512-d over ≥ 2,000 rows also has a prefix file: rows read on demand from the segments.
  const files = dims === 32 ? 30 : 220;
  test(`${dims}-d, ${files * FNS} rows: an edit appends a segment; search finds the new text, not the old, and ranks as a rebuild`, async () => {
    const e = new HashEmbedder({ dims });
    const ws = workspace(tree(files));
    await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
    const base = manifestOf(ws.indexDir, e);
    const before = opened(ws.indexDir, e);
    assert.equal(searchHybrid({ keyword: before.keywordIndex(), chunks: before.chunks, query: 'platypus', mode: 'keyword', topK: 5 })[0]?.chunk.symbol, 'mod3Fn4');
    assert.equal(base.data.segments, undefined);
    assert.equal(!!base.data.prefix, dims === 512);

    ws.write('src/p3/mod3.ts', tsFile('mod3', FNS, (i) => (i === 4 ? 'return renamedUnicorn + 1;' : `return mod3Value${i} * ${i + 1};`)));
    const r = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e }, { paths: ['src/p3/mod3.ts'] });
    assert.equal(r.embeddedChunks, 1, 'only the edited function is embedded');
    const m = manifestOf(ws.indexDir, e);
    assert.equal(m.data.vectors.name, base.data.vectors.name, 'the vector file is not rewritten');
    assert.equal(m.data.keyword?.name, base.data.keyword?.name, 'the postings are not rewritten');
    assert.equal(m.data.segments?.length, 1);
    // One segment of the edited file's rows (all ten: keyword ids are physical rows), 4 bytes × dims each.
    assert.equal(m.data.segments![0].vectors.bytes, FNS * dims * 4);

    const idx = opened(ws.indexDir, e);
    const hits = searchHybrid({ keyword: idx.keywordIndex(), chunks: idx.chunks, query: 'renamedUnicorn', mode: 'keyword', topK: 5 });
    assert.equal(hits[0]?.chunk.path, 'src/p3/mod3.ts');
    assert.equal(hits[0]?.chunk.symbol, 'mod3Fn4');
    assert.deepEqual(searchHybrid({ keyword: idx.keywordIndex(), chunks: idx.chunks, query: 'platypus', mode: 'keyword', topK: 5 }), [], 'the old text is gone');
    // Rows line up with chunks (dense scores below equal a rebuild's); every row is there.
    assert.equal(idx.vectors.length, idx.chunks.length * dims);
    assert.deepEqual(await results(ws.indexDir, e), await rebuilt(ws, e));
    // The patched chunk table reads as a freshly encoded one.
    const fresh = path.join(tempDir('sw-seg-table-'), 'index');
    await runIndex({ root: ws.root, indexDir: fresh, embedder: e });
    assert.deepEqual(opened(ws.indexDir, e).chunks, opened(fresh, e).chunks);
    // The serialized postings a team publish reads (chunk-row ids) search as a rebuild's.
    const kwOf = (dir: string) => KeywordIndex.deserialize(opened(dir, e).keywordBytes);
    for (const q of QUERIES) assert.deepEqual(kwOf(ws.indexDir).search(q, 8), kwOf(fresh).search(q, 8), q);
  });
}

test('a removed file disappears from search without a new segment; a new file gets one', async () => {
  const e = new HashEmbedder();
  const ws = workspace(tree(20));
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  ws.remove('docs/notes.md');
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e }, { paths: ['docs/notes.md'] });
  const m = manifestOf(ws.indexDir, e);
  assert.deepEqual(m.data.segments, [], 'a deletion writes only the row map');
  assert.ok(m.data.rows);
  const idx = opened(ws.indexDir, e);
  assert.ok(!searchHybrid({ keyword: idx.keywordIndex(), chunks: idx.chunks, query: 'zebra', mode: 'keyword', topK: 5 }).length);
  ws.write('docs/new.md', '# New\n\nzebra stripes, freshly written.\n');
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e }, { paths: ['docs/new.md'] });
  assert.equal(manifestOf(ws.indexDir, e).data.segments?.length, 1);
  const again = opened(ws.indexDir, e);
  assert.equal(searchHybrid({ keyword: again.keywordIndex(), chunks: again.chunks, query: 'zebra', mode: 'keyword', topK: 5 })[0]?.chunk.path, 'docs/new.md');
  assert.deepEqual(await results(ws.indexDir, e), await rebuilt(ws, e));
});

test('compaction merges the segments and drops tombstones: same results before, after and as a rebuild; size back to raw', async () => {
  const e = new HashEmbedder({ dims: 64 });
  const files = 30;
  const ws = workspace(tree(files));
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  // Edits until the tombstones pass the threshold: the update that crosses it compacts instead.
  const rows = files * FNS + 2;
  const editsBeforeCompaction = Math.floor((COMPACT_DEAD_FRACTION * rows) / FNS);
  let compactedAt = -1;
  for (let k = 0; k < editsBeforeCompaction + 2 && compactedAt < 0; k++) {
    const rel = `src/p${k % 5}/mod${k}.ts`;
    ws.write(rel, tsFile(`mod${k}`, FNS, (i) => `return edit${k}x${i} + ${i};`));
    await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e }, { paths: [rel] });
    const m = manifestOf(ws.indexDir, e);
    if (!m.data.segments) compactedAt = k;
    else assert.equal(m.data.segments.length, k + 1);
  }
  assert.ok(compactedAt > 0, 'the threshold triggered a compaction');
  const m = manifestOf(ws.indexDir, e);
  assert.equal(m.data.rows, undefined);
  const raw = (m.chunkCount) * 64 * 4;
  assert.ok(m.data.vectors.bytes <= 1.05 * raw, `vector file ${m.data.vectors.bytes} ≤ 1.05 × ${raw}`);
  assert.deepEqual(await results(ws.indexDir, e), await rebuilt(ws, e));

  // An explicit compaction of a segmented index changes no result.
  ws.write('src/p0/mod0.ts', tsFile('mod0', FNS, (i) => `return again${i};`));
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e }, { paths: ['src/p0/mod0.ts'] });
  assert.equal(manifestOf(ws.indexDir, e).data.segments?.length, 1);
  const before = await results(ws.indexDir, e);
  const r = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e, compact: true });
  assert.equal(r.embeddedChunks, 0);
  const after = manifestOf(ws.indexDir, e);
  assert.equal(after.data.segments, undefined);
  const space = new IndexStore(ws.indexDir).spaceDir(e.fingerprint);
  assert.ok(!fs.readdirSync(space).some((n) => /^(vseg|kdelta|rows)-/.test(n)), 'segment files are collected');
  assert.deepEqual(await results(ws.indexDir, e), before);
  assert.deepEqual(before, await rebuilt(ws, e));
});

test('damage in a segment is reported at open and rebuilt by the next run', async () => {
  const e = new HashEmbedder();
  const ws = workspace(tree(10));
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  ws.write('src/p1/mod1.ts', tsFile('mod1', FNS, (i) => `return changed${i};`));
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e }, { paths: ['src/p1/mod1.ts'] });
  const m = manifestOf(ws.indexDir, e);
  const space = new IndexStore(ws.indexDir).spaceDir(e.fingerprint);
  const seg = path.join(space, m.data.segments![0].vectors.name);
  const b = fs.readFileSync(seg);
  b[7] ^= 0x40;
  fs.writeFileSync(seg, b);
  const o = openIndex({ indexDir: ws.indexDir, embedder: e });
  assert.equal(o.status, 'corrupt');
  assert.match(o.status === 'corrupt' ? o.reason : '', /vseg-.*checksum/);
  const r = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  assert.ok(r.warnings.some((w) => /damaged|rebuild/.test(w)), r.warnings.join('\n'));
  assert.deepEqual(await results(ws.indexDir, e), await rebuilt(ws, e));
});
