import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchHybrid } from '../../../src/core/search/hybrid';
import { fuseScored, keywordConfidence } from '../../../src/core/search/scoreFusion';
import { VectorIndex } from '../../../src/core/search/vectorIndex';
import { buildKeywordIndex, cjkCorpus, englishCorpus } from '../../fixtures/search/corpus';

const list = (...pairs: [number, number][]) => pairs.map(([id, score]) => ({ id, score }));

test('a clear keyword winner stays first however the vectors disagree; a flat keyword list lets them decide', () => {
  // Keyword: id 1 far ahead. Dense: prefers 3, then 2.
  const confident = list([1, 20], [3, 4], [2, 3.9], [4, 3.8], [5, 3.7]);
  const dense = list([3, 0.9], [2, 0.8], [1, 0.1], [9, 0.05]);
  const p = { denseWeight: 0.4, gate: 1, gapAt: 5 };
  assert.equal(fuseScored(confident, dense, p)[0].id, 1);
  // Same order, near-equal keyword scores: the vectors' favourite wins.
  const flat = list([1, 4.1], [3, 4.05], [2, 4], [4, 3.9], [5, 3.85]);
  const fused = fuseScored(flat, dense, p);
  assert.equal(fused[0].id, 3);
  assert.ok(keywordConfidence(confident) > 0.8 && keywordConfidence(flat) < 0.1);
});

test('fused scores lie in [0, 1], best first, one entry per id, with the rank in each list', () => {
  const kw = list([1, 9], [2, 5], [2, 4], [3, 1]);
  const dense = list([3, 0.7], [4, 0.6], [1, 0.2]);
  const fused = fuseScored(kw, dense, { denseWeight: 0.5 });
  assert.deepEqual(fused.map((f) => f.id).sort(), [1, 2, 3, 4]);
  for (const f of fused) assert.ok(f.score >= 0 && f.score <= 1);
  for (let i = 1; i < fused.length; i++) assert.ok(fused[i - 1].score >= fused[i].score);
  assert.deepEqual(fused.find((f) => f.id === 1)!.ranks, [1, 3]);
  assert.deepEqual(fused.find((f) => f.id === 4)!.ranks, [undefined, 2]);
  // Weight 0 is keyword order exactly; weight 1 is dense order for the ids the dense list has.
  assert.deepEqual(fuseScored(kw, dense, { denseWeight: 0 }).slice(0, 3).map((f) => f.id), [1, 2, 3]);
  assert.deepEqual(fuseScored(kw, dense, { denseWeight: 1 }).slice(0, 3).map((f) => f.id), [3, 4, 1]);
});

test('hybrid search with score fusion returns topK hits, best first, filters kept', () => {
  const chunks = [...englishCorpus, ...cjkCorpus];
  const keyword = buildKeywordIndex(chunks);
  const dims = 32;
  const rows = new Float32Array(chunks.length * dims);
  chunks.forEach((_, i) => (rows[i * dims + (i % dims)] = 1));
  const vector = VectorIndex.fromRows(rows, dims);
  const q = new Float32Array(dims);
  const target = chunks.findIndex((c) => c.name === 'goParseConfig');
  q[target] = 1;
  const scored = { denseWeight: 0.4, gate: 1, gapAt: 5 };
  for (const topK of [1, 3, 5]) {
    const hits = searchHybrid({ keyword, vector, chunks, query: 'parse config', queryVector: q, mode: 'hybrid', topK, scored });
    assert.equal(hits.length, topK);
    assert.equal(new Set(hits.map((h) => h.chunk)).size, topK);
    for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1].score >= hits[i].score);
    assert.ok(hits.every((h) => h.score <= 1 && h.score >= 0));
  }
  const ts = searchHybrid({ keyword, vector, chunks, query: 'parse config', queryVector: q, mode: 'hybrid', topK: 5, scored, filter: { language: 'typescript' } });
  assert.ok(ts.length > 0 && ts.every((h) => h.chunk.language === 'typescript'));
});
