import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { decodeChunkTable, encodeChunkTable } from '../../../src/core/index/chunkTable';
import { openIndex, runIndex } from '../../../src/core/index';
import { parseManifest } from '../../../src/core/index/manifest';
import { IndexStore } from '../../../src/core/index/store';
import type { ChunkInfo } from '../../../src/core/types';
import { HashEmbedder, filesIn, tsFile, workspace } from './helpers';

const chunk = (i: number, over: Partial<ChunkInfo> = {}): ChunkInfo => ({
  path: `src/f${i % 3}.ts`, startLine: i * 10 + 1, endLine: i * 10 + 9, kind: i % 2 ? 'doc' : 'code',
  language: i % 2 ? 'markdown' : 'typescript', symbol: i % 4 ? `Sym${i}.m` : '', hash: (i * 7919).toString(16).padStart(32, '0'), tokens: 100 + i,
  ...over,
});

test('chunk table round trip (hex hashes as bytes, odd hashes as strings, unicode)', () => {
  const chunks = Array.from({ length: 50 }, (_, i) => chunk(i));
  assert.deepEqual(decodeChunkTable(encodeChunkTable(chunks)), chunks);
  const odd = [chunk(1, { hash: 'not-hex!', path: '笔记/设计.md', symbol: '设置 › 安装' }), chunk(2, { hash: 'abc' })];
  assert.deepEqual(decodeChunkTable(encodeChunkTable(odd)), odd);
  assert.deepEqual(decodeChunkTable(encodeChunkTable([])), []);
  const bytes = encodeChunkTable(chunks);
  assert.throws(() => decodeChunkTable(bytes.subarray(0, bytes.length - 3)), /length/);
  assert.ok(bytes.length < chunks.length * 64, `compact: ${bytes.length} bytes for ${chunks.length} chunks`);
});

async function built() {
  const ws = workspace({ 'src/a.ts': tsFile('a', 3), 'src/b.ts': tsFile('b', 2), 'n.md': '# N\n\nnote\n' });
  const e = new HashEmbedder();
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  const store = new IndexStore(ws.indexDir);
  const dir = store.spaceDir(e.fingerprint);
  const read = store.readManifest(e.fingerprint);
  assert.equal(read.status, 'ok');
  return { ws, e, store, dir, manifest: (read as Extract<typeof read, { status: 'ok' }>).manifest };
}

test('store round trip: vectors are raw little-endian float32 rows, no snippet text on disk', async () => {
  const { e, dir, manifest, ws } = await built();
  const names = filesIn(dir);
  assert.deepEqual(names, ['chunks-1.bin', 'coverage.json', 'keyword-1.bin', 'manifest.json', 'vectors-1.f32']);
  const raw = fs.readFileSync(path.join(dir, 'vectors-1.f32'));
  assert.equal(raw.length, manifest.chunkCount * 32 * 4);
  const idx = openIndex({ indexDir: ws.indexDir, embedder: e });
  assert.equal(idx.status, 'ok');
  if (idx.status !== 'ok') return;
  for (let i = 0; i < idx.index.vectors.length; i++) assert.equal(raw.readFloatLE(i * 4), idx.index.vectors[i]);
  assert.equal(idx.index.files.reduce((a, f) => a + f.chunkCount, 0), idx.index.chunks.length);
  // Snippets are read from the files at display time: no chunk text in any index file.
  for (const n of names) assert.ok(!fs.readFileSync(path.join(dir, n), 'latin1').includes('step 1'), n);
});

test('a crash between the data writes and the manifest rename leaves the old index loadable', async () => {
  const { ws, e, dir, manifest } = await built();
  // Simulate the crashed commit of generation 2: its data files are written, the manifest
  // temp file too, but the rename never happened.
  fs.writeFileSync(path.join(dir, 'vectors-2.f32'), Buffer.alloc(1000, 1));
  fs.writeFileSync(path.join(dir, 'chunks-2.bin'), 'partial');
  fs.writeFileSync(path.join(dir, 'manifest.json.tmp'), '{"format":"semantic-workspace-index","vers');
  const idx = openIndex({ indexDir: ws.indexDir, embedder: e });
  assert.equal(idx.status, 'ok');
  assert.equal(idx.status === 'ok' && idx.index.generation, manifest.generation);
  // The next commit overwrites / collects the strays of the dead generation.
  ws.write('new.md', '# New\n\nnew file\n');
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  // (A small update appends a segment: generation 1's vectors and postings stay, the strays go.)
  assert.deepEqual(filesIn(dir), ['chunks-2.bin', 'coverage.json', 'kdelta-2.bin', 'keyword-1.bin', 'manifest.json', 'rows-2.u32', 'vectors-1.f32', 'vseg-2.f32']);
  assert.equal(openIndex({ indexDir: ws.indexDir, embedder: e }).status, 'ok');
});

const damages: [string, (dir: string) => void, RegExp][] = [
  ['truncated manifest', (d) => fs.truncateSync(path.join(d, 'manifest.json'), 50), /JSON/],
  ['manifest that is not JSON', (d) => fs.writeFileSync(path.join(d, 'manifest.json'), '\u0000\u0000garbage'), /JSON/],
  ['manifest with a wrong chunk count', (d) => {
    const m = JSON.parse(fs.readFileSync(path.join(d, 'manifest.json'), 'utf8'));
    m.chunkCount += 1;
    fs.writeFileSync(path.join(d, 'manifest.json'), JSON.stringify(m));
  }, /add up|length/],
  ['truncated vector file', (d) => fs.truncateSync(path.join(d, 'vectors-1.f32'), 64), /bytes/],
  ['flipped bytes in the vector file', (d) => {
    const f = path.join(d, 'vectors-1.f32');
    const b = fs.readFileSync(f);
    b[b.length - 5] ^= 0xff;
    fs.writeFileSync(f, b);
  }, /checksum/],
  ['missing chunk table', (d) => fs.rmSync(path.join(d, 'chunks-1.bin')), /missing/],
  ['corrupt keyword postings', (d) => fs.writeFileSync(path.join(d, 'keyword-1.bin'), Buffer.alloc(fs.statSync(path.join(d, 'keyword-1.bin')).size)), /checksum/],
];

for (const [name, damage, reason] of damages) {
  test(`detected and reported, then rebuilt: ${name}`, async () => {
    const { ws, e, dir } = await built();
    damage(dir);
    const idx = openIndex({ indexDir: ws.indexDir, embedder: e });
    assert.equal(idx.status, 'corrupt');
    assert.match(idx.status === 'corrupt' ? idx.reason : '', reason);
    const r = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
    assert.match(r.warnings.join('\n'), /rebuilding/);
    assert.equal(r.chunks, 6);
    assert.equal(openIndex({ indexDir: ws.indexDir, embedder: e }).status, 'ok');
  });
}

test('manifest parsing rejects wrong versions and unsafe file names', async () => {
  const { dir } = await built();
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  assert.throws(() => parseManifest(JSON.stringify({ ...m, version: 99 })), /version/);
  assert.throws(() => parseManifest(JSON.stringify({ ...m, data: { ...m.data, vectors: { ...m.data.vectors, name: '../../etc/passwd' } } })), /vectors/);
  assert.throws(() => parseManifest('null'), /manifest/);
  assert.doesNotThrow(() => parseManifest(JSON.stringify(m)));
});

test('a missing index is reported as missing, not corrupt', () => {
  const ws = workspace({});
  assert.equal(openIndex({ indexDir: ws.indexDir, embedder: new HashEmbedder() }).status, 'missing');
});
