/**
 * The remote keyword search's pruning (impact lists, schema v3) against a real PostgreSQL +
 * pgvector (PGlite): on a corpus where common words sit in most chunks and the impact lists are
 * cut short (so the bounds, not complete lists, must settle the top k), the remote top k equals
 * the local engine's — same rows, same order, same scores — with filters and overlay-hidden paths
 * too, and it re-scores far fewer rows than the full scan would.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeScaleData, makeScaleQueries, type ScaleData } from '../../../bench/teamData';
import { rankSearch } from '../../../src/core/search/rank';
import { RANK_POLICY } from '../../../src/core/search/rankPolicy';
import { compoundTerms } from '../../../src/core/search/refine';
import { VectorIndex } from '../../../src/core/search/vectorIndex';
import { publishSnapshot } from '../../../src/core/team/publish';
import { remoteSearch } from '../../../src/core/team/remoteSearch';
import { keywordSearch, type KeywordSearchStats } from '../../../src/core/team/remoteKeyword';
import { findSnapshot, type SnapshotRow } from '../../../src/core/team/snapshots';
import { TeamStore, type SpaceFacts, type TeamSpace } from '../../../src/core/team/store';
import { startPglite, type PgliteServer } from './support';

const N = 1500;
const facts: SpaceFacts = { key: 'test|pruning', provider: 'openai', model: 'synthetic', dims: 8, label: 'synthetic 8-d', embedder: 'test:pruning' };
const repo = { id: 'test/pruning', commit: 'c0ffee', ref: 'main', dirty: false };

describe('remote keyword search prunes with impact lists and scores as the local engine', { timeout: 300_000 }, () => {
  let db: PgliteServer;
  let store: TeamStore;
  let space: TeamSpace;
  let snap: SnapshotRow;
  let data: ScaleData;
  before(async () => {
    db = await startPglite();
    store = await TeamStore.open(db.url);
    space = (await store.space(facts, true))!;
    data = makeScaleData(N, facts.dims, 7);
    // Lists of 24 postings (a real one keeps ≥ 2,048): most query words are in hundreds of chunks.
    await publishSnapshot(store, space, repo, data.source, { impactDepth: () => 24 });
    snap = await findSnapshot(store, space, facts, repo);
  });
  after(async () => {
    await store?.close();
    await db?.stop();
  });

  const same = (label: string, remote: { id: number; score: number }[], local: { id: number; score: number }[]) => {
    assert.deepEqual(remote.map((h) => h.id), local.map((h) => h.id), label);
    remote.forEach((h, i) => assert.ok(Math.abs(h.score - local[i].score) < 1e-9, `${label}: score ${h.score} vs ${local[i].score}`));
  };

  test('top 10 and top 50 equal the local engine on 25 queries, reading a fraction of the rows', async () => {
    const stats: KeywordSearchStats = { rescored: 0, fullScans: 0 };
    let scanned = 0;
    for (const q of makeScaleQueries(data, 25, 11)) {
      for (const depth of [10, 50]) {
        const remote = await keywordSearch(store, space, snap, q.text, depth, undefined, [], stats);
        same(`"${q.text}" top ${depth}`, remote, data.keyword.search(q.text, depth));
        // What a full scan reads: every chunk holding a query word.
        scanned += data.keyword.search(q.text, N).length;
      }
    }
    assert.ok(stats.rescored < scanned / 3, `re-scored ${stats.rescored} rows of the ${scanned} a full scan reads`);
  });

  test('with a language filter and overlay-hidden paths: still the local engine top k', async () => {
    const hidden = [...new Set(data.source.chunks.slice(0, 300).map((c) => c.path))];
    const chunk = (id: number) => data.source.chunks[id];
    for (const q of makeScaleQueries(data, 10, 23)) {
      const go = await keywordSearch(store, space, snap, q.text, 10, { language: 'go' });
      same(`"${q.text}" language go`, go, data.keyword.search(q.text, 10, (id) => chunk(id).language === 'go'));
      const mine = await keywordSearch(store, space, snap, q.text, 10, undefined, hidden);
      same(`"${q.text}" hidden`, mine, data.keyword.search(q.text, 10, (id) => !hidden.includes(chunk(id).path)));
    }
  });

  test('hybrid: queries whose words join into identifiers the corpus has rank as the local engine ranks them', async () => {
    const vectors = VectorIndex.fromRows(data.source.vectors, facts.dims);
    const key = (h: { chunk: { path: string; startLine: number } }) => `${h.chunk.path}:${h.chunk.startLine}`;
    let joined = 0;
    for (const q of makeScaleQueries(data, 40, 41)) {
      if (compoundTerms(q.text, data.keyword, RANK_POLICY.compounds.weight).size > 0) joined++;
      const local = rankSearch({ keyword: data.keyword, vector: vectors, chunks: data.source.chunks, query: q.text, queryVector: q.vector, mode: 'hybrid', topK: 10, offline: false });
      const remote = await remoteSearch(store, space, snap, q.text, q.vector, { mode: 'hybrid', topK: 10 });
      assert.deepEqual(remote.map(key), local.map(key), `"${q.text}"`);
    }
    assert.ok(joined >= 3, `only ${joined} of 40 queries join into an identifier: the test would not test the expansion`);
  });

  test('a snapshot published before impact lists (schema v2) is searched by the full scan, same results', async () => {
    const q = makeScaleQueries(data, 3, 31);
    const before = [];
    for (const x of q) before.push(await keywordSearch(store, space, snap, x.text, 10));
    await store.q(`UPDATE sw_snapshot_terms SET impacts = NULL, rest = NULL WHERE snapshot = $1`, [snap.id]);
    const stats: KeywordSearchStats = { rescored: 0, fullScans: 0 };
    for (let i = 0; i < q.length; i++) same(`"${q[i].text}" full scan`, await keywordSearch(store, space, snap, q[i].text, 10, undefined, [], stats), before[i]);
    assert.equal(stats.fullScans, q.length);
  });
});
