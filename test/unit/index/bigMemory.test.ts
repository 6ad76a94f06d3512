/**
 * The large buffers of an opened generation come from WebAssembly memories (src/core/bigMemory.ts),
 * so that a long-lived host gives an old generation's memory back to the OS. What a user notices:
 * nothing but the memory — an index built, updated and searched with them ranks exactly as with
 * ordinary buffers (`SEMANTIC_WORKSPACE_BIG_MEMORY=0`), edits included.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runIndex } from '../../../src/core/index';
import { BIG_BYTES, bigArrayBuffer, bigBytes, bigMemoriesTaken } from '../../../src/core/bigMemory';
import { HashEmbedder, tsFile, workspace } from './helpers';
import { opened, rankings } from './rankings';

const QUERIES = ['mod7 step 4', 'platypus', 'renamed unicorn', 'mod42Value3'];

function withSwitch<T>(on: boolean, f: () => Promise<T>): Promise<T> {
  const before = process.env.SEMANTIC_WORKSPACE_BIG_MEMORY;
  process.env.SEMANTIC_WORKSPACE_BIG_MEMORY = on ? '1' : '0';
  return f().finally(() => {
    if (before === undefined) delete process.env.SEMANTIC_WORKSPACE_BIG_MEMORY;
    else process.env.SEMANTIC_WORKSPACE_BIG_MEMORY = before;
  });
}

/** Build ~640 chunks × 512-d (vector rows > 1 MiB), search, edit one file, update, search again. */
async function buildUpdateSearch(): Promise<{ before: string[]; after: string[]; vectorBytes: number }> {
  const e = new HashEmbedder({ dims: 512 });
  const files: Record<string, string> = {};
  for (let i = 0; i < 80; i++) files[`src/mod${i}.ts`] = tsFile(`mod${i}`, 8, (k) => (i === 3 && k === 2 ? 'return platypus + 1;' : `return mod${i}Value${k} * ${k + 1};`));
  const ws = workspace(files);
  await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e });
  const before = await rankings(opened(ws.indexDir, e), e, QUERIES, 8);
  const edited = path.join(ws.root, 'src/mod7.ts');
  fs.writeFileSync(edited, fs.readFileSync(edited, 'utf8').replace('return mod7Value4 * 5;', 'return renamedUnicorn(mod7Value4);'));
  const upd = await runIndex({ root: ws.root, indexDir: ws.indexDir, embedder: e }, { paths: ['src/mod7.ts'] });
  assert.ok(upd.embeddedChunks >= 1, 'the edited chunk was embedded again');
  const after = await rankings(opened(ws.indexDir, e), e, QUERIES, 8);
  let vectorBytes = 0;
  for (const f of fs.readdirSync(ws.indexDir, { recursive: true }) as string[]) {
    const st = /vectors/.test(f) ? fs.statSync(path.join(ws.indexDir, f)) : undefined;
    if (st?.isFile()) vectorBytes = Math.max(vectorBytes, st.size);
  }
  return { before, after, vectorBytes };
}

test('an index built, updated and searched with big-memory buffers ranks exactly as with ordinary ones, the edit included', async () => {
  const takenBefore = bigMemoriesTaken();
  const plain = await withSwitch(false, buildUpdateSearch);
  assert.equal(bigMemoriesTaken(), takenBefore, 'switched off: no WebAssembly memory taken');
  const big = await withSwitch(true, buildUpdateSearch);
  assert.ok(big.vectorBytes >= BIG_BYTES, `the vector data (${big.vectorBytes} bytes) is large enough to take the big-memory path`);
  assert.ok(bigMemoriesTaken() > takenBefore, 'switched on: the large buffers came from WebAssembly memories');
  assert.deepEqual(big.before, plain.before);
  assert.deepEqual(big.after, plain.after);
  assert.notDeepEqual(big.after, big.before, 'the edit changed what the queries find');
  assert.match(big.after.find((r) => r.startsWith('keyword renamed unicorn'))!, /src\/mod7\.ts:/, 'the edited function is found by its new words');
});

test('big buffers are zeroed and at least as large as asked; switched off, exactly as large', async () => {
  const bytes = BIG_BYTES + BIG_BYTES / 2 + 1;
  const on = await withSwitch(true, async () => bigArrayBuffer(bytes));
  assert.ok(on.byteLength >= bytes);
  assert.ok(new Uint8Array(on).every((b) => b === 0));
  const view = await withSwitch(true, async () => bigBytes(bytes));
  assert.equal(view.length, bytes);
  view.fill(7);
  assert.equal(view[bytes - 1], 7);
  const off = await withSwitch(false, async () => bigArrayBuffer(bytes));
  assert.equal(off.byteLength, bytes);
});
