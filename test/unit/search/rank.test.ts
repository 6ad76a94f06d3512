/** The one ranking function (core/search/rank.ts): the policy runs before the cut to topK. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankSearch } from '../../../src/core/search/rank';
import { VectorIndex } from '../../../src/core/search/vectorIndex';
import { buildKeywordIndex, cjkCorpus, englishCorpus } from '../../fixtures/search/corpus';

const chunks = [...englishCorpus, ...cjkCorpus];
const keyword = buildKeywordIndex(chunks);
const dims = 32;
const rows = new Float32Array(chunks.length * dims);
chunks.forEach((_, i) => {
  rows[i * dims + (i % dims)] = 1;
  rows[i * dims + ((i + 1) % dims)] = 0.3;
});
const vector = VectorIndex.fromRows(rows, dims);
// A weak query vector: cosines near 0.05 for most chunks (offline LSA of unrelated text).
const queryVector = new Float32Array(dims).fill(0.05);
queryVector[0] = 1;
const base = { keyword, vector, chunks, queryVector, mode: 'hybrid' as const };
const docs = chunks.filter((c) => c.kind === 'doc').length;

test('offline hybrid: topK N returns exactly min(N, chunks with vectors), doubtful hits last instead of dropped', () => {
  assert.ok(docs >= 1, 'the corpus has prose');
  for (const topK of [1, 3, 5, 10, chunks.length, chunks.length + 7]) {
    const hits = rankSearch({ ...base, query: 'parseConfig', topK, offline: true });
    assert.equal(hits.length, Math.min(topK, chunks.length), `topK ${topK}`);
    const firstDoubt = hits.findIndex((h) => h.why.lowConfidence);
    if (firstDoubt >= 0) assert.ok(hits.slice(firstDoubt).every((h) => h.why.lowConfidence), 'every doubtful hit is below every confident one');
    for (let i = 1; i < hits.length; i++) {
      if (!!hits[i - 1].why.lowConfidence === !!hits[i].why.lowConfidence) assert.ok(hits[i - 1].score >= hits[i].score, 'best first within a tier');
    }
  }
  const all = rankSearch({ ...base, query: 'parseConfig', topK: chunks.length, offline: true });
  assert.ok(all.some((h) => h.chunk.kind === 'doc' && h.why.lowConfidence), 'prose with no keyword match is kept, at the bottom');
  assert.ok(all.slice(0, 2).every((h) => !h.why.lowConfidence && h.why.terms.includes('parseConfig')));
});

test('a shorter list is the head of a longer one (the cut is the last step)', () => {
  const long = rankSearch({ ...base, query: 'split text words', topK: chunks.length, offline: true });
  for (const topK of [1, 4, 9]) {
    const short = rankSearch({ ...base, query: 'split text words', topK, offline: true });
    assert.deepEqual(short.map((h) => h.chunk.hash), long.slice(0, topK).map((h) => h.chunk.hash));
  }
});

test('remote vectors: nothing is floored; the best possible hit scores 1', () => {
  const hits = rankSearch({ ...base, query: 'parseConfig', topK: chunks.length, offline: false });
  assert.equal(hits.length, chunks.length);
  assert.ok(hits.every((h) => !h.why.lowConfidence));
  assert.ok(hits[0].score <= 1 + 1e-9 && hits[0].score > 0.5);
});

test('keyword mode: min(N, chunks matching a term); dense mode: min(N, chunks with vectors)', () => {
  const matching = keyword.search('parseConfig', 1000).length;
  assert.ok(matching >= 1 && matching < chunks.length);
  assert.equal(rankSearch({ ...base, mode: 'keyword', query: 'parseConfig', topK: 50, offline: true }).length, matching);
  assert.equal(rankSearch({ ...base, mode: 'dense', query: 'parseConfig', topK: 50, offline: true }).length, chunks.length);
  assert.equal(rankSearch({ ...base, mode: 'dense', query: 'parseConfig', topK: 3, offline: true }).length, 3);
  // A hybrid search without a query vector (keyword fallback) ranks like keyword mode.
  assert.deepEqual(
    rankSearch({ ...base, queryVector: undefined, query: 'parseConfig', topK: 50, offline: false }).map((h) => h.chunk.hash),
    rankSearch({ ...base, mode: 'keyword', query: 'parseConfig', topK: 50, offline: false }).map((h) => h.chunk.hash),
  );
});
