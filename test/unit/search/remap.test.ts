/** KeywordIndex.remap (what every index update runs over all postings): any id mapping gives the index a fresh build would. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeywordIndex } from '../../../src/core/search/keywordIndex';
import { buildKeywordIndex, cjkCorpus, englishCorpus } from '../../fixtures/search/corpus';

const docs = [...englishCorpus, ...cjkCorpus];
const queries = ['least recently used', 'parse config', 'list directory', '向量 检索', 'cache', 'token'];

function searchAll(index: KeywordIndex): unknown[] {
  return queries.map((q) => index.search(q, 10).map((h) => [h.id, h.score.toFixed(9)]));
}

test('remap with a non-monotonic mapping (reversed, some dropped) equals an index built in that order', () => {
  const n = docs.length;
  // Reverse the ids and drop every fifth document.
  const kept = docs.map((_, i) => i).filter((i) => i % 5 !== 3);
  const map = new Int32Array(n).fill(-1);
  kept.forEach((i, k) => (map[i] = kept.length - 1 - k));
  const remapped = KeywordIndex.deserialize(buildKeywordIndex(docs).serialize());
  remapped.remap(map);
  const fresh = KeywordIndex.empty();
  kept.forEach((i, k) => fresh.add(kept.length - 1 - k, docs[i]));
  assert.equal(remapped.size, kept.length);
  assert.deepEqual(searchAll(remapped), searchAll(fresh));
  assert.deepEqual(searchAll(KeywordIndex.deserialize(remapped.serialize())), searchAll(fresh));
});

test('remap with a shift (the usual update: rows after an edited file move) keeps every posting', () => {
  const index = buildKeywordIndex(docs);
  const map = Int32Array.from(docs, (_, i) => i + 3);
  const before = searchAll(index);
  index.remap(map);
  const shifted = (before as [number, string][][]).map((hits) => hits.map(([id, s]) => [id + 3, s]));
  assert.deepEqual(searchAll(index), shifted);
});
