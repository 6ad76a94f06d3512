import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchHybrid } from '../../../src/core/search/hybrid';
import { VectorIndex } from '../../../src/core/search/vectorIndex';
import { buildKeywordIndex, cjkCorpus, englishCorpus } from '../../fixtures/search/corpus';

const chunks = [...englishCorpus, ...cjkCorpus];
const keyword = buildKeywordIndex(chunks);
const id = (name: string): number => chunks.findIndex((c) => c.name === name);

/** One-hot-ish vectors: chunk i points along axis i, so the dense side is fully predictable. */
const dims = 32;
const rows = new Float32Array(chunks.length * dims);
chunks.forEach((_, i) => {
  rows[i * dims + i] = 1;
  rows[i * dims + ((i + 1) % dims)] = 0.3;
});
const vector = VectorIndex.fromRows(rows, dims);
const toward = (...names: string[]): Float32Array => {
  const q = new Float32Array(dims);
  names.forEach((n, r) => (q[id(n)] = 1 - r * 0.2));
  return q;
};

test('keyword mode: BM25 scores, terms, ranks', () => {
  const hits = searchHybrid({ keyword, chunks, query: 'parseConfig 配置', mode: 'keyword', topK: 3 });
  assert.equal(hits[0].chunk.path, 'config/config.go');
  assert.deepEqual(hits[0].why.terms, ['parseConfig', '配置']);
  assert.equal(hits[0].why.keywordRank, 1);
  assert.equal(hits[0].why.vectorRank, undefined);
  assert.ok(hits[0].score > hits[1].score);
});

test('hybrid without vectors falls back to keyword; dense without vectors is an error', () => {
  const a = searchHybrid({ keyword, chunks, query: '列出目录内容', mode: 'hybrid', topK: 3 });
  const b = searchHybrid({ keyword, chunks, query: '列出目录内容', mode: 'keyword', topK: 3 });
  assert.deepEqual(a, b);
  assert.ok(a.slice(0, 2).some((h) => h.chunk.path === 'fsutil/listdir.go'));
  assert.throws(() => searchHybrid({ keyword, chunks, query: 'x', mode: 'dense', topK: 3 }));
});

test('dense mode ranks by cosine', () => {
  const hits = searchHybrid({ keyword, vector, chunks, query: '', queryVector: toward('lruEvict'), mode: 'dense', topK: 2 });
  assert.equal(hits[0].chunk.symbol, 'LruCache.evict');
  assert.equal(hits[0].why.vectorRank, 1);
  assert.ok((hits[0].why.vectorScore ?? 0) > 0.9);
});

test('hybrid fuses both sides, one hit per chunk, with reasons from each', () => {
  // Keyword favours parseConfig; the vector favours goParseConfig then parseConfig.
  const hits = searchHybrid({
    keyword, vector, chunks, query: 'parseConfig', queryVector: toward('goParseConfig', 'parseConfig'), mode: 'hybrid', topK: 5,
  });
  const names = hits.map((h) => chunks[chunks.indexOf(h.chunk as (typeof chunks)[number])].name);
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual(names.slice(0, 2).sort(), ['goParseConfig', 'parseConfig']);
  const both = hits.find((h) => h.why.keywordRank !== undefined && h.why.vectorRank !== undefined)!;
  assert.ok(both.why.terms.includes('parseConfig'));
  assert.ok(both.why.vectorScore! > 0 && both.why.keywordScore! > 0);
  for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1].score >= hits[i].score);
});

test('filters apply to both sides', () => {
  const hits = searchHybrid({
    keyword, vector, chunks, query: 'parseConfig', queryVector: toward('goParseConfig'), mode: 'hybrid', topK: 5,
    filter: { language: 'typescript' },
  });
  assert.ok(hits.length > 0);
  assert.ok(hits.every((h) => h.chunk.language === 'typescript'));
  assert.equal(hits[0].chunk.symbol, 'parseConfig');
  const none = searchHybrid({ keyword, chunks, query: 'parseConfig', mode: 'keyword', topK: 5, filter: { pathGlob: 'nothing/here/' } });
  assert.deepEqual(none, []);
});
