/**
 * The prefix file (`prefix-<gen>.i8`): a two-stage sized index (≥ 2,000 rows, prefix narrower than
 * the vectors) is loaded without reading its vector file; searches read only their candidates'
 * rows, verified by per-row CRCs. Results must equal the old way (every row in memory), damage must
 * still be found, and an index written before prefix files existed must still open and search.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NoIndexError, openEngine } from '../../../src/core/engine';
import { IndexCorruptError, openIndex, runIndex, type OpenedIndex } from '../../../src/core/index';
import { BLOCK_SIZE, writeDurable } from '../../../src/core/index/binio';
import { parseManifest, serializeManifest } from '../../../src/core/index/manifest';
import { decodePrefix } from '../../../src/core/index/prefixFile';
import { IndexStore } from '../../../src/core/index/store';
import { searchHybrid } from '../../../src/core/search/hybrid';
import { KeywordIndex } from '../../../src/core/search/keywordIndex';
import { VectorIndex } from '../../../src/core/search/vectorIndex';
import type { EmbedOptions, Embedder } from '../../../src/core/types';
import { makeSyntheticEmbeddings, rng } from '../../support/synthetic';
import { tempDir, tsFile, workspace } from './helpers';

// 1024-d: the 20 MiB vector file has blocks the open-time sample (16 blocks) does not cover.
const DIMS = 1024;
const FILES = 500;
const FNS = 10;

/** Matryoshka-like vectors (test/support/synthetic.ts), one fixed row per text (by hash). */
class MatrixEmbedder implements Embedder {
  readonly provider = 'openai' as const;
  readonly dimensions = DIMS;
  readonly fingerprint = `test:matrix:d${DIMS}`;
  readonly label = 'matrix';
  private readonly rows = makeSyntheticEmbeddings(8192, DIMS, 21);

  vector(text: string): Float32Array {
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    const r = (h >>> 0) % 8192;
    return this.rows.slice(r * DIMS, (r + 1) * DIMS);
  }

  async embedDocuments(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    const out = texts.map((t) => this.vector(t));
    for (let i = 0; i < out.length; i += 64) {
      const idx = out.slice(i, i + 64).map((_, k) => i + k);
      options.onEmbedded?.(idx, out.slice(i, i + 64));
    }
    return out;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return this.vector(text);
  }
}

const embedder = new MatrixEmbedder();

let base: Promise<{ root: string; indexDir: string }> | undefined;
/** One 5,000-chunk index, built once; tests work on copies of its index directory. */
function built(): Promise<{ root: string; indexDir: string }> {
  base ??= (async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < FILES; i++) files[`src/pkg${i % 20}/mod${i}.ts`] = tsFile(`m${i}`, FNS);
    const ws = workspace(files);
    const r = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder });
    assert.equal(r.chunks, FILES * FNS);
    return { root: ws.root, indexDir: ws.indexDir };
  })();
  return base;
}

async function copyOfIndex(): Promise<{ root: string; indexDir: string; space: string }> {
  const b = await built();
  const indexDir = path.join(tempDir('sw-prefix-'), 'index');
  fs.cpSync(b.indexDir, indexDir, { recursive: true });
  return { root: b.root, indexDir, space: new IndexStore(indexDir).spaceDir(embedder.fingerprint) };
}

function open(indexDir: string, fullVerify = false): OpenedIndex {
  const r = openIndex({ indexDir, embedder, fullVerify });
  assert.equal(r.status, 'ok', r.status === 'corrupt' ? r.reason : r.status);
  return (r as Extract<typeof r, { status: 'ok' }>).index;
}

function manifestOf(indexDir: string) {
  const read = new IndexStore(indexDir).readManifest(embedder.fingerprint);
  assert.equal(read.status, 'ok');
  return (read as Extract<typeof read, { status: 'ok' }>).manifest;
}

/** Queries: stored rows plus noise (near neighbours matter), and a few unrelated directions. */
function queries(n: number): Float32Array[] {
  const rand = rng(5);
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const q = embedder.vector(`export function m${Math.floor(rand() * FILES)}Fn${i % FNS}`);
    for (let j = 0; j < DIMS; j++) q[j] += (rand() - 0.5) * (i % 3 === 0 ? 2 : 0.05);
    out.push(q);
  }
  return out;
}

/** Every search the engine and the analysis make, from `a` and `b`, must agree exactly. */
function assertSameSearches(a: OpenedIndex, va: VectorIndex, b: OpenedIndex, vb: VectorIndex): void {
  const even = (id: number) => id % 2 === 0;
  for (const q of queries(24)) {
    assert.deepEqual(va.search(q, 10), vb.search(q, 10));
    assert.deepEqual(va.search(q, 50, even), vb.search(q, 50, even));
  }
  const ka = a.keywordIndex(), kb = b.keywordIndex();
  for (const [i, q] of queries(8).entries()) {
    const query = `m${i * 37}Value${i} step ${i % FNS} number`;
    assert.deepEqual(ka.search(query, 20), kb.search(query, 20));
    const hybrid = (idx: OpenedIndex, keyword: KeywordIndex, vector: VectorIndex) =>
      searchHybrid({ keyword, vector, chunks: idx.chunks, query, queryVector: q, mode: 'hybrid', topK: 10 });
    assert.deepEqual(hybrid(a, ka, va), hybrid(b, kb, vb));
  }
}

test('a two-stage sized index gets a prefix file: written, in the manifest, within the size budget', async () => {
  const { indexDir, space } = await copyOfIndex();
  const m = manifestOf(indexDir);
  const ref = m.data.prefix;
  assert.ok(ref, 'the manifest lists the prefix file');
  assert.equal(ref.name, `prefix-${m.generation}.i8`);
  assert.equal(fs.statSync(path.join(space, ref.name)).size, ref.bytes);
  assert.equal(ref.blocks.length, Math.ceil(ref.bytes / BLOCK_SIZE));
  const p = decodePrefix(new Uint8Array(fs.readFileSync(path.join(space, ref.name))));
  assert.deepEqual([p.rows, p.dims, p.width], [m.chunkCount, DIMS, 256]);
  const raw = m.chunkCount * DIMS * 4;
  let total = 0;
  for (const n of fs.readdirSync(space)) total += fs.statSync(path.join(space, n)).size;
  assert.ok(m.data.vectors.bytes <= 1.05 * raw);
  assert.ok(total <= 1.25 * raw, `index ${total / raw}× raw`);
  assert.ok(ref.bytes < 0.08 * raw, `prefix ${ref.bytes / raw}× raw`);
  const idx = open(indexDir);
  assert.equal(idx.bytesOnDisk, total);
  // Searching reads candidates only: the rows stay on disk.
  const v = idx.vectorIndex();
  assert.ok(v.rowsOnDisk);
  v.search(queries(1)[0], 10);
  assert.ok(v.rowsOnDisk, 'a two-stage search does not read every row');
  // Small indexes have none (exact search reads every row anyway).
  const small = workspace({ 'a.ts': tsFile('a', 5) });
  await runIndex({ root: small.root, indexDir: small.indexDir, embedder });
  assert.equal(manifestOf(small.indexDir).data.prefix, undefined);
});

test('search results (ids and scores) from the prefix file equal those from every row in memory', async () => {
  const { indexDir } = await copyOfIndex();
  const lazy = open(indexDir);
  // The way the engine searched before prefix files: every row loaded, the prefix computed.
  const eager = open(indexDir);
  const full = VectorIndex.fromRows(eager.vectors, eager.dims);
  assertSameSearches(lazy, lazy.vectorIndex(), eager, full);
  assert.ok(lazy.vectorIndex().rowsOnDisk);
  // Exact search (or anything needing every row) reads them all, and still agrees.
  const q = queries(1)[0];
  assert.deepEqual(lazy.vectorIndex().search(q, 10, undefined, { strategy: 'exact' }), full.search(q, 10, undefined, { strategy: 'exact' }));
  assert.equal(lazy.vectorIndex().rowsOnDisk, false);
  // The analysis view of the rows (read on first use) is the vector file's chunk rows, as stored.
  const other = open(indexDir);
  const file = fs.readFileSync(path.join(new IndexStore(indexDir).spaceDir(embedder.fingerprint), manifestOf(indexDir).data.vectors.name));
  assert.equal(other.vectors.length, other.chunks.length * DIMS);
  assert.deepEqual(Buffer.from(other.vectors.buffer, other.vectors.byteOffset, other.vectors.byteLength), file.subarray(0, other.vectors.byteLength));
  // The background read of every row (the engine's, after a first result): same results, from memory.
  const bg = open(indexDir);
  const bgIndex = bg.vectorIndex();
  bgIndex.search(q, 10);
  const loader = bg.vectorLoader();
  assert.ok(loader);
  let steps = 1;
  while (!loader.step()) steps++;
  assert.ok(steps > 1, 'spread over several steps');
  assert.equal(bgIndex.rowsOnDisk, false);
  assert.equal(bg.vectorLoader(), undefined);
  assertSameSearches(bg, bgIndex, eager, full);
  assert.deepEqual(bg.vectors, eager.vectors, 'vectors: the same normalised rows');
  // fullVerify reads and checks everything at open, and searches the same.
  const verified = open(indexDir, true);
  assertSameSearches(verified, verified.vectorIndex(), eager, full);
});

test('a damaged prefix file is refused at open; the next run warns and rebuilds', async () => {
  const { root, indexDir, space } = await copyOfIndex();
  const name = manifestOf(indexDir).data.prefix!.name;
  const f = path.join(space, name);
  const b = fs.readFileSync(f);
  b[Math.floor(b.length * 0.7)] ^= 0x40;
  fs.writeFileSync(f, b);
  const r = openIndex({ indexDir, embedder });
  assert.equal(r.status, 'corrupt');
  assert.match((r as { reason: string }).reason, /prefix-\d+\.i8: checksum mismatch/);
  const rep = await runIndex({ root, indexDir, embedder });
  assert.ok(rep.warnings.some((w) => /damaged/.test(w)), rep.warnings.join('\n'));
  const again = open(indexDir);
  const ref = open((await built()).indexDir);
  assertSameSearches(again, again.vectorIndex(), ref, ref.vectorIndex());

  // Deleted: the manifest names it, so the index is damaged too.
  fs.rmSync(path.join(space, manifestOf(indexDir).data.prefix!.name));
  assert.equal(openIndex({ indexDir, embedder }).status, 'corrupt');
});

test('a damaged vector row is found when a search reads it (and by a full check, and by the indexer)', async () => {
  const { root, indexDir, space } = await copyOfIndex();
  const m = manifestOf(indexDir);
  const rows = m.chunkCount;
  // A row in a block the open-time sample does not cover.
  const blocks = Math.ceil(m.data.vectors.bytes / BLOCK_SIZE);
  const sampled = new Set(Array.from({ length: 16 }, (_, i) => Math.round((i * (blocks - 1)) / 15)));
  let row = Math.floor(rows / 3);
  while (sampled.has(Math.floor((row * DIMS * 4) / BLOCK_SIZE)) || sampled.has(Math.floor(((row + 1) * DIMS * 4 - 1) / BLOCK_SIZE))) row++;
  const f = path.join(space, m.data.vectors.name);
  const before = open(indexDir);
  const q = before.vectors.slice(row * DIMS, (row + 1) * DIMS);
  const fd = fs.openSync(f, 'r+');
  const byte = Buffer.alloc(1);
  fs.readSync(fd, byte, 0, 1, row * DIMS * 4 + 13);
  byte[0] ^= 0x21;
  fs.writeSync(fd, byte, 0, 1, row * DIMS * 4 + 13);
  fs.closeSync(fd);

  const idx = open(indexDir); // length and sampled blocks are fine
  assert.throws(() => idx.vectorIndex().search(q, 10), (e: unknown) => e instanceof IndexCorruptError && new RegExp(`row ${row}\\b`).test(e.message));
  // Rows it does not read are not its business: a search far from the damage still answers.
  const far = before.vectors.slice(((row + rows / 2) % rows) * DIMS, (((row + rows / 2) % rows) + 1) * DIMS);
  const hits = idx.vectorIndex().search(far, 10);
  assert.ok(hits.length === 10 && !hits.some((h) => h.id === row));
  const full = openIndex({ indexDir, embedder, fullVerify: true });
  assert.equal(full.status, 'corrupt');
  // The background read checks every block: it stops at the damaged one.
  const loader = idx.vectorLoader();
  assert.ok(loader);
  assert.throws(() => {
    while (!loader.step());
  }, (e: unknown) => e instanceof IndexCorruptError && /checksum mismatch in block/.test(e.message));
  assert.ok(idx.vectorIndex().rowsOnDisk, 'still reading (and checking) candidates from disk');
  const rep = await runIndex({ root, indexDir, embedder });
  assert.ok(rep.warnings.some((w) => /damaged/.test(w)), rep.warnings.join('\n'));
  const fixed = open(indexDir);
  assert.equal(fixed.vectorIndex().search(q, 1)[0].id, row);
});

test('an index written before prefix files opens, searches the same, and gets one on the next run', async () => {
  const { root, indexDir, space } = await copyOfIndex();
  const m = manifestOf(indexDir);
  // The previous format: no prefix file, keyword postings in format 1.
  const keywordV1 = KeywordIndex.deserialize(new Uint8Array(fs.readFileSync(path.join(space, m.data.keyword!.name)))).serialize(1);
  const keyword = writeDurable(space, 'keyword-old.bin', [keywordV1]);
  fs.rmSync(path.join(space, m.data.prefix!.name));
  const { prefix: _dropped, ...data } = m.data;
  const old = { ...m, data: { ...data, keyword } };
  fs.writeFileSync(path.join(space, 'manifest.json'), serializeManifest(parseManifest(JSON.stringify(old))));
  fs.rmSync(path.join(space, m.data.keyword!.name));

  const ref = open((await built()).indexDir);
  const opened = open(indexDir);
  assert.equal(opened.vectorIndex().rowsOnDisk, false, 'no prefix file: rows loaded, prefix computed');
  assertSameSearches(opened, opened.vectorIndex(), ref, ref.vectorIndex());

  // A run with nothing to do leaves it as it is (it only touches the manifest)…
  assert.equal((await runIndex({ root, indexDir, embedder })).embeddedChunks, 0);
  assert.equal(manifestOf(indexDir).data.prefix, undefined);
  assert.equal(open(indexDir).vectorIndex().rowsOnDisk, false);
  // …the next commit (here: only an mtime moved) keeps every data file and adds the prefix file.
  const touched = path.join(root, 'src/pkg0/mod0.ts');
  const st = fs.statSync(touched);
  fs.utimesSync(touched, st.atime, new Date(st.mtimeMs + 5000));
  const r = await runIndex({ root, indexDir, embedder });
  assert.equal(r.embeddedChunks, 0);
  const after = manifestOf(indexDir);
  assert.ok(after.data.prefix && fs.existsSync(path.join(space, after.data.prefix.name)));
  assert.equal(after.data.vectors.name, m.data.vectors.name);
  assert.deepEqual(fs.readFileSync(path.join(space, after.data.prefix.name)), fs.readFileSync(path.join(new IndexStore((await built()).indexDir).spaceDir(embedder.fingerprint), m.data.prefix!.name)).subarray(0));
  const upgraded = open(indexDir);
  assert.ok(upgraded.vectorIndex().rowsOnDisk);
  assertSameSearches(upgraded, upgraded.vectorIndex(), ref, ref.vectorIndex());
});

test('an edit copies the prefix of unchanged rows and computes the new ones: same bytes as a fresh build', async () => {
  const { root, indexDir, space } = await copyOfIndex();
  const edited = path.join(root, 'src/pkg3/mod3.ts');
  const original = fs.readFileSync(edited, 'utf8');
  try {
    fs.writeFileSync(edited, tsFile('m3', FNS, (i) => `return edited${i} + ${i};`));
    const r = await runIndex({ root, indexDir, embedder }, { paths: ['src/pkg3/mod3.ts'] });
    assert.ok(r.embeddedChunks > 0);
    const m = manifestOf(indexDir);
    const fresh = path.join(tempDir('sw-prefix-fresh-'), 'index');
    await runIndex({ root, indexDir: fresh, embedder });
    const fm = manifestOf(fresh);
    const freshSpace = new IndexStore(fresh).spaceDir(embedder.fingerprint);
    assert.deepEqual(fs.readFileSync(path.join(space, m.data.prefix!.name)), fs.readFileSync(path.join(freshSpace, fm.data.prefix!.name)));
    // Chunk rows equal (the edit appends a segment; the replaced vectors stay as tombstones or extras).
    assert.ok(m.data.segments && m.data.segments.length === 1, 'the edit appended one segment');
    assert.equal(m.chunkCount, fm.chunkCount);
    const rows = (dir: string, man: typeof m) => Buffer.from(new IndexStore(dir).readVectors(man, true).buffer).subarray(0, m.chunkCount * DIMS * 4);
    assert.ok(rows(indexDir, m).equals(rows(fresh, fm)), 'the chunk rows equal a fresh build');
  } finally {
    fs.writeFileSync(edited, original);
  }
});

test('engine: damage found by a search is a damaged index (index again); a generation replaced meanwhile is reopened', async () => {
  // The engine's OpenAI-compatible embedder against a tiny local server serving MatrixEmbedder's
  // vectors; the index is built by runIndex with the same fingerprint, so the engine opens it.
  const model = 'matrix-test';
  const served = new MatrixEmbedder();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const input = (JSON.parse(body) as { input: string | string[] }).input;
      const texts = Array.isArray(input) ? input : [input];
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        object: 'list', model, usage: { prompt_tokens: 1, total_tokens: 1 },
        data: texts.map((t, index) => ({ object: 'embedding', index, embedding: [...served.vector(t)] })),
      }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { root } = await copyOfIndex();
    const fingerprint = `openai/${model}/${DIMS}/doc=plain/query=plain`;
    const asOpenAI: Embedder = Object.assign(new MatrixEmbedder(), { fingerprint });
    const engineIndex = path.join(tempDir('sw-prefix-engine-'), 'index');
    await runIndex({ root, indexDir: engineIndex, embedder: asOpenAI });
    const engine = await openEngine({
      root, indexDir: engineIndex, provider: 'openai',
      remote: { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, model, dimensions: DIMS },
    });
    const query = 'export function m7Fn3(x: number): number';
    const first = await engine.search(query, { mode: 'dense', topK: 5 });
    assert.equal(first.length, 5);

    // Another commit replaces the generation (and collects the files this engine reads from).
    const touched = path.join(root, 'src/pkg0/mod0.ts');
    const st = fs.statSync(touched);
    fs.utimesSync(touched, st.atime, new Date(st.mtimeMs + 7000));
    await runIndex({ root, indexDir: engineIndex, embedder: asOpenAI });
    assert.deepEqual(await engine.search(query, { mode: 'dense', topK: 5 }), first, 'reopened the new generation');

    // A damaged row the search reads (in a block the open-time sample skips): refused as a
    // damaged index, with what to do.
    const store = new IndexStore(engineIndex);
    const read = store.readManifest(fingerprint);
    assert.equal(read.status, 'ok');
    const man = (read as Extract<typeof read, { status: 'ok' }>).manifest;
    const blocks = Math.ceil(man.data.vectors.bytes / BLOCK_SIZE);
    const sampled = new Set(Array.from({ length: 16 }, (_, i) => Math.round((i * (blocks - 1)) / 15)));
    const rowsOf = opened(engineIndex, asOpenAI).chunks;
    let row = -1;
    let damagedQuery = '';
    for (let i = 0; i < 200 && row < 0; i++) {
      const q = `export function m${i}Fn${i % FNS}(x: number)`;
      const top = (await engine.search(q, { mode: 'dense', topK: 1 }))[0];
      const r = rowsOf.findIndex((c) => c.path === top.chunk.path && c.startLine === top.chunk.startLine);
      if (!sampled.has(Math.floor((r * DIMS * 4) / BLOCK_SIZE)) && !sampled.has(Math.floor(((r + 1) * DIMS * 4 - 1) / BLOCK_SIZE))) {
        row = r;
        damagedQuery = q;
      }
    }
    assert.ok(row >= 0);
    const f = path.join(store.spaceDir(fingerprint), man.data.vectors.name);
    const fd = fs.openSync(f, 'r+');
    fs.writeSync(fd, Buffer.from([0x7f, 0x7f]), 0, 2, row * DIMS * 4 + 100);
    fs.closeSync(fd);
    const fresh = await openEngine({
      root, indexDir: engineIndex, provider: 'openai',
      remote: { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, model, dimensions: DIMS },
    });
    assert.equal((await fresh.search(damagedQuery, { mode: 'keyword', topK: 5 })).length > 0, true, 'opens: the damage is not sampled');
    await assert.rejects(fresh.search(damagedQuery, { mode: 'hybrid', topK: 5 }), (e: unknown) =>
      e instanceof NoIndexError && e.reason === 'corrupt' && /index again/.test(e.message) && /checksum mismatch in row/.test(e.message));
  } finally {
    server.close();
  }
});

function opened(indexDir: string, e: Embedder): OpenedIndex {
  const r = openIndex({ indexDir, embedder: e });
  assert.equal(r.status, 'ok');
  return (r as Extract<typeof r, { status: 'ok' }>).index;
}
