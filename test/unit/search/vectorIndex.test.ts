import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VectorIndex } from '../../../src/core/search/vectorIndex';
import { makeSyntheticEmbeddings, makeSyntheticQueries, recallAt } from '../../support/synthetic';

/** Brute force in the plainest possible way, as the reference. */
function naiveTopK(rows: Float32Array, dims: number, q: Float32Array, k: number, skip: (id: number) => boolean = () => false): number[] {
  const qn = Math.hypot(...q);
  const scored: { id: number; s: number }[] = [];
  for (let id = 0; id < rows.length / dims; id++) {
    if (skip(id)) continue;
    let d = 0;
    for (let j = 0; j < dims; j++) d += rows[id * dims + j] * q[j];
    scored.push({ id, s: d / qn / Math.hypot(...rows.subarray(id * dims, (id + 1) * dims)) });
  }
  return scored.sort((a, b) => b.s - a.s || a.id - b.id).slice(0, k).map((x) => x.id);
}

test('exact search equals naive cosine ranking, query is normalised', () => {
  const dims = 48;
  const rows = makeSyntheticEmbeddings(300, dims, 3);
  const index = VectorIndex.fromRows(rows.slice(), dims);
  for (const q of makeSyntheticQueries(rows, dims, 5, 4)) {
    const scaled = q.map((x) => x * 7); // cosine ignores the query's length
    const hits = index.search(scaled, 10, undefined, { strategy: 'exact' });
    assert.deepEqual(hits.map((h) => h.id), naiveTopK(rows, dims, q, 10));
    assert.ok(hits[0].score <= 1 + 1e-6 && hits[0].score >= hits[9].score);
  }
});

test('two-stage search keeps recall@10 ≥ 99% on clustered Matryoshka-like vectors', () => {
  const dims = 512;
  const n = 4000;
  const rows = makeSyntheticEmbeddings(n, dims, 11);
  const index = VectorIndex.fromRows(rows.slice(), dims, { prefixDims: 128 });
  let recall = 0;
  let prefixOnlyRecall = 0;
  const queries = makeSyntheticQueries(rows, dims, 40, 12);
  for (const q of queries) {
    const exact = index.search(q, 10, undefined, { strategy: 'exact' });
    recall += recallAt(exact, index.search(q, 10, undefined, { strategy: 'two-stage' }));
    prefixOnlyRecall += recallAt(exact, index.search(q, 10, undefined, { strategy: 'two-stage', candidates: 10 }));
  }
  recall /= queries.length;
  prefixOnlyRecall /= queries.length;
  assert.ok(recall >= 0.99, `two-stage recall ${recall}`);
  // The data is not trivially separable by the prefix: re-scoring matters.
  assert.ok(prefixOnlyRecall < 0.99, `prefix-only recall ${prefixOnlyRecall}`);
});

test('WebAssembly SIMD and JS first stages agree exactly', () => {
  const dims = 256;
  const rows = makeSyntheticEmbeddings(1500, dims, 5);
  const simd = VectorIndex.fromRows(rows.slice(), dims, { prefixDims: 64 });
  const js = VectorIndex.fromRows(rows.slice(), dims, { prefixDims: 64, noSimd: true });
  assert.equal(js.usesSimd, false);
  for (const q of makeSyntheticQueries(rows, dims, 5, 6)) {
    assert.deepEqual(
      simd.search(q, 10, undefined, { strategy: 'two-stage', candidates: 20 }),
      js.search(q, 10, undefined, { strategy: 'two-stage', candidates: 20 }),
    );
  }
});

test('delete, allow filter, set and remap', () => {
  const dims = 64;
  const rows = makeSyntheticEmbeddings(500, dims, 8);
  for (const strategy of ['exact', 'two-stage'] as const) {
    const index = VectorIndex.fromRows(rows.slice(), dims, { prefixDims: 32 });
    const q = rows.slice(7 * dims, 8 * dims);
    assert.equal(index.search(q, 1, undefined, { strategy })[0].id, 7);
    index.delete(7);
    assert.equal(index.has(7), false);
    assert.equal(index.size, 499);
    assert.ok(!index.search(q, 50, undefined, { strategy }).some((h) => h.id === 7));
    const even = index.search(q, 20, (id) => id % 2 === 0, { strategy });
    assert.equal(even.length, 20);
    assert.ok(even.every((h) => h.id % 2 === 0));
    index.set(600, q); // grows, ids are rows
    assert.equal(index.search(q, 1, undefined, { strategy })[0].id, 600);
    // Compact: drop everything below 100, shift the rest down.
    const map = Int32Array.from({ length: 601 }, (_, i) => (i < 100 ? -1 : i - 100));
    index.remap(map);
    assert.equal(index.search(q, 1, undefined, { strategy })[0].id, 500);
    assert.equal(index.has(399), true);
    assert.equal(index.has(400), false, 'unused rows between 500 and 600 stay empty');
  }
  assert.throws(() => new VectorIndex(8).search(new Float32Array(4), 3));
});

test('fromPrefix: stored int8 prefix + rows read on demand give the same ids and scores as fromRows', async () => {
  const { prefixWidth, quantizePrefix, normalizeInPlace } = await import('../../../src/core/search/vectorIndex');
  const dims = 384;
  const n = 3000;
  const rows = makeSyntheticEmbeddings(n, dims, 17);
  for (let i = 0; i < rows.length; i += 7) rows[i] *= 3; // not normalised, as stored rows may be
  const w = prefixWidth(dims);
  const prefix = new Int8Array(n * w);
  const factors = new Float32Array(n);
  for (let id = 0; id < n; id++) {
    const r = rows.slice(id * dims, (id + 1) * dims);
    normalizeInPlace(r, 0, dims);
    factors[id] = quantizePrefix(r, 0, w, prefix, id * w);
  }
  let read = 0;
  let readAll = 0;
  const stored = {
    read(ids: Int32Array, out: Float32Array) {
      for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], 'ascending ids');
      ids.forEach((id, i) => out.set(rows.subarray(id * dims, (id + 1) * dims), i * dims));
      read += ids.length;
    },
    readAll() {
      readAll++;
      return rows.slice();
    },
  };
  const lazy = VectorIndex.fromPrefix(dims, n, prefix, factors, stored);
  const full = VectorIndex.fromRows(rows.slice(), dims);
  for (const q of makeSyntheticQueries(rows, dims, 12, 8)) {
    assert.deepEqual(lazy.search(q, 10), full.search(q, 10));
    assert.deepEqual(lazy.search(q, 40, (id) => id % 3 !== 0), full.search(q, 40, (id) => id % 3 !== 0));
  }
  assert.ok(lazy.rowsOnDisk && read > 0 && read <= 24 * 400 && readAll === 0, `${read} rows read`);
  // Anything needing every row reads them once, and agrees.
  const q = makeSyntheticQueries(rows, dims, 1, 9)[0];
  assert.deepEqual(lazy.search(q, 10, undefined, { strategy: 'exact' }), full.search(q, 10, undefined, { strategy: 'exact' }));
  assert.equal(readAll, 1);
  assert.equal(lazy.rowsOnDisk, false);
  assert.deepEqual(lazy.row(5), full.row(5));
  lazy.set(n, rows.subarray(0, dims));
  full.set(n, rows.subarray(0, dims));
  assert.deepEqual(lazy.search(q, 10), full.search(q, 10));
  assert.throws(() => VectorIndex.fromPrefix(dims, n, prefix.subarray(16), factors, stored), RangeError);
});

test('rows as narrow as the prefix (offline 128-d) search two-stage over all their dims: the same hits and scores as the exact scan', () => {
  const dims = 128;
  const rows = makeSyntheticEmbeddings(4000, dims, 21);
  const index = VectorIndex.fromRows(rows.slice(), dims);
  let same = 0, total = 0;
  for (const q of makeSyntheticQueries(rows, dims, 40, 22)) {
    const exact = index.search(q, 50, undefined, { strategy: 'exact' });
    const auto = index.search(q, 50);
    // The first stage is int8: only its candidates' order may differ, never what is returned.
    if (JSON.stringify(auto) === JSON.stringify(exact)) same++;
    total++;
    assert.ok(recallAt(exact, auto) >= 0.98, `recall ${recallAt(exact, auto)}`);
  }
  assert.ok(same >= total - 1, `identical answers ${same}/${total}`);
  // The first stage really is the int8 pass: with 10 candidates for 50 hits it cannot be the exact scan.
  const q = makeSyntheticQueries(rows, dims, 1, 23)[0];
  assert.equal(index.search(q, 50, undefined, { candidates: 10 }).length, 10);
});

test('fromRowsSteps in small steps builds the index fromRows builds, and marks the rows it normalised', async () => {
  const { runSteps } = await import('../../../src/core/slices');
  const dims = 128;
  const rows = makeSyntheticEmbeddings(3000, dims, 31);
  const whole = VectorIndex.fromRows(rows.slice(), dims);
  const normalized = new Uint8Array(3000);
  let steps = 0;
  const gen = VectorIndex.fromRowsSteps(rows.slice(), dims, {}, normalized, 100);
  let r = gen.next();
  while (!r.done) {
    steps++;
    r = gen.next();
  }
  assert.ok(steps >= 29, `${steps} steps`);
  assert.equal(normalized.reduce((a, b) => a + b, 0), 3000);
  for (const q of makeSyntheticQueries(rows, dims, 5, 32)) assert.deepEqual(r.value.search(q, 10), whole.search(q, 10));
  assert.ok(runSteps(VectorIndex.fromRowsSteps(rows.slice(), dims)).size === 3000);
});
