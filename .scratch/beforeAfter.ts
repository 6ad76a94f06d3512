// One run, same load: the previous publish code (git HEAD~2's publish.ts, text vectors, row-by-row HNSW,
// one postings row per term) vs the current one, on the same synthetic source, each into an empty space.
import os from 'node:os';
import { TeamStore } from '../src/core/team/store';
import { publishSnapshot } from '../src/core/team/publish';
import { publishSnapshot as publishOld } from './publishOld';
import { startPglite } from '../test/unit/team/support';
import { makeScaleData } from '../bench/teamData';
const N = Number(process.argv[2] ?? 2000);
async function main() {
  const db = await startPglite();
  const store = await TeamStore.open(db.url);
  await store.q(`CREATE TABLE sw_chunk_terms (fp integer NOT NULL, term text NOT NULL, hash bytea NOT NULL, value integer NOT NULL, PRIMARY KEY (fp, term, hash)); CREATE INDEX ON sw_chunk_terms (fp, hash)`);
  const f = (k: string) => ({ key: k, provider: 'openai', model: 'm', dims: 256, label: k, embedder: k });
  const src = makeScaleData(N, 256, 5).source;
  const a = (await store.space(f('old'), true))!, b = (await store.space(f('new'), true))!;
  const c0 = process.cpuUsage();
  const r1 = await publishOld(store, a, { id: 'x/old' }, src);
  const r2 = await publishSnapshot(store, b, { id: 'x/new' }, src);
  console.log(JSON.stringify({ N, load: os.loadavg(), old: { s: r1.seconds, rowsPerS: N / r1.seconds }, new: { s: r2.seconds, rowsPerS: N / r2.seconds, bulk: r2.bulk, indexS: r2.indexSeconds }, ratio: r1.seconds / r2.seconds, clientCpuMs: process.cpuUsage(c0) }));
  await store.close(); await db.stop();
}
void main();
