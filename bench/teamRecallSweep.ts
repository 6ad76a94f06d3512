/**
 * The remote hybrid's agreement with the local engine as a function of `hnsw.ef_search`: one
 * PGlite, the synthetic corpus (bench/teamData.ts) published ONCE, then each ef_search value over
 * the same queries — what bench/team.ts at `--team-size 100000` (≈ 20 min here) would need one run
 * per setting for. Per setting: remote hybrid top-10 = local top-10 (fraction of queries), dense
 * recall@50 against an exact scan (the hybrid candidate depth), remote hybrid p50/p95. The last
 * column compares with the local engine with its compound-identifier expansion off (policy
 * `compounds.weight` 0): remote search does not apply that expansion yet (its keyword list is
 * fetched without it, remoteRank.ts), and this column isolates that gap from HNSW recall.
 *   node --import tsx bench/teamRecallSweep.ts [--team-size N] [--team-queries Q] [--ef 100,200,400,800]
 */
import os from 'node:os';
import { rankSearch } from '../src/core/search/rank';
import { RANK_POLICY } from '../src/core/search/rankPolicy';
import { VectorIndex } from '../src/core/search/vectorIndex';
import { publishSnapshot } from '../src/core/team/publish';
import { denseSearch, remoteSearch } from '../src/core/team/remoteSearch';
import { findSnapshot } from '../src/core/team/snapshots';
import { TeamStore, type SpaceFacts } from '../src/core/team/store';
import { startPglite } from '../test/unit/team/support';
import { exactTopK, makeScaleData, makeScaleQueries } from './teamData';
import { fmt, nowMs, percentile } from './util';

const DIMS = 256;
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const facts: SpaceFacts = { key: 'bench-sweep|scale', provider: 'openai', model: 'synthetic', dims: DIMS, label: `synthetic ${DIMS}-d`, embedder: 'bench:sweep' };
const repo = { id: 'bench/sweep', commit: 'c0ffee', ref: 'main', dirty: false };

async function main(): Promise<void> {
  const n = Number(arg('team-size') ?? 30_000);
  const queries = Number(arg('team-queries') ?? 40);
  const efs = (arg('ef') ?? '100,200,400,800').split(',').map(Number);
  const data = makeScaleData(n, DIMS, 2026);
  const db = await startPglite();
  const store = await TeamStore.open(db.url);
  try {
    const space = (await store.space(facts, true))!;
    const t0 = nowMs();
    await publishSnapshot(store, space, repo, data.source);
    await store.q('ANALYZE');
    process.stderr.write(`published ${n} chunks in ${fmt.s((nowMs() - t0) / 1000)}\n`);
    const snap = await findSnapshot(store, space, facts, repo);
    const vectorIndex = VectorIndex.fromRows(data.source.vectors, DIMS);
    const qs = makeScaleQueries(data, queries, 99);
    const key = (h: { chunk: { path: string; startLine: number } }) => `${h.chunk.path}:${h.chunk.startLine}`;
    const noCompounds = { ...RANK_POLICY, compounds: { weight: 0 } };
    const localTop = (q: (typeof qs)[number], policy = RANK_POLICY) => JSON.stringify(rankSearch({ keyword: data.keyword, vector: vectorIndex, chunks: data.source.chunks, query: q.text, queryVector: q.vector, mode: 'hybrid', topK: 10, offline: false, policy }).map(key));
    const local = qs.map((q) => localTop(q));
    const localNoCompounds = qs.map((q) => localTop(q, noCompounds));
    const truth = qs.map((q) => exactTopK(data.source.vectors, DIMS, q.vector, 50));
    for (const q of qs.slice(0, 5)) await remoteSearch(store, space, snap, q.text, q.vector, { topK: 10 }); // warm
    console.log(`| ef_search | hybrid top-10 = local | dense recall@50 | remote hybrid p50 / p95 | top-10 = local without compound expansion |  (${n.toLocaleString('en')} × ${DIMS}-d, ${queries} queries, load ${os.loadavg()[0].toFixed(1)})`);
    console.log('|---|---|---|---|---|');
    for (const ef of efs) {
      let same = 0, sameNc = 0, r50 = 0;
      const times: number[] = [];
      for (const [i, q] of qs.entries()) {
        const s = nowMs();
        const hits = await remoteSearch(store, space, snap, q.text, q.vector, { topK: 10, efSearch: ef });
        times.push(nowMs() - s);
        if (JSON.stringify(hits.map(key)) === local[i]) same++;
        if (JSON.stringify(hits.map(key)) === localNoCompounds[i]) sameNc++;
        const got = new Set((await denseSearch(store, space, snap, q.vector, 50, undefined, [], ef)).map((h) => h.id));
        r50 += truth[i].filter((id) => got.has(id)).length / 50;
      }
      console.log(`| ${ef} | ${same}/${queries} (${fmt.pct(same / queries)}) | ${fmt.pct(r50 / queries)} | ${fmt.ms(percentile(times, 0.5))} / ${fmt.ms(percentile(times, 0.95))} | ${sameNc}/${queries} (${fmt.pct(sameNc / queries)}) |`);
    }
  } finally {
    await store.close();
    await db.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
