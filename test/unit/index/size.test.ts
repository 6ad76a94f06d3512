import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openIndex, runIndex } from '../../../src/core/index';
import { IndexStore } from '../../../src/core/index/store';
import { HashEmbedder, tsFile, workspace } from './helpers';

test('size on disk at 1024-d: vector file ≤ 1.05× raw float32, whole index ≤ 1.25×', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 120; i++) files[`src/module${i}/file${i}.ts`] = tsFile(`m${i}`, 5);
  const ws = workspace(files);
  const e = new HashEmbedder({ dims: 1024, batchSize: 10 });
  const r = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  assert.equal(r.chunks, 600);
  const raw = r.chunks * 1024 * 4;
  const m = new IndexStore(ws.indexDir).readManifest(e.fingerprint);
  assert.equal(m.status, 'ok');
  if (m.status !== 'ok') return;
  const dir = new IndexStore(ws.indexDir).spaceDir(e.fingerprint);
  const vectorBytes = fs.statSync(path.join(dir, m.manifest.data.vectors.name)).size;
  let total = 0;
  for (const n of fs.readdirSync(dir)) total += fs.statSync(path.join(dir, n)).size;
  if (process.env.SW_VERBOSE) console.log(`vectors ${vectorBytes / raw}× raw, index ${total / raw}× raw`);
  assert.ok(vectorBytes <= 1.05 * raw, `vectors ${vectorBytes / raw}× raw`);
  assert.ok(total <= 1.25 * raw, `index ${total / raw}× raw`);
  assert.equal(r.bytesOnDisk, total);
  // An interrupted edit keeps its paid vectors as extras, still within the vector-file budget.
  ws.write('src/module0/file0.ts', tsFile('m0', 5, (i) => `return edited${i};`));
  const r2 = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: new HashEmbedder({ dims: 1024, batchSize: 2, failAfterBatches: 1 }) });
  assert.equal(r2.incomplete, true);
  const idx = openIndex({ indexDir: ws.indexDir, embedder: e });
  assert.ok(idx.status === 'ok' && idx.index.vectors.length === 600 * 1024);
});
