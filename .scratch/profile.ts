import { TeamStore } from '../src/core/team/store';
import { publishSnapshot } from '../src/core/team/publish';
import { startPglite } from '../test/unit/team/support';
import { makeScaleData } from '../bench/teamData';
const N = Number(process.argv[2] ?? 2000);
async function main() {
  const db = await startPglite();
  const store = await TeamStore.open(db.url);
  const f = (k: string) => ({ key: k, provider: 'openai', model: 'm', dims: 256, label: k, embedder: k });
  const src = makeScaleData(N, 256, 5).source;
  const b = (await store.space(f('new'), true))!;
  if (process.argv[3] === 'nogin') await store.q('DROP INDEX sw_chunk_postings_terms');
  const orig = store.q.bind(store);
  const acc = new Map<string, number>();
  (store as unknown as { q: typeof store.q }).q = (async (sql: string, params?: unknown[], during?: string) => {
    const t = Date.now(); try { return await orig(sql, params, during); } finally { const k = sql.replace(/\s+/g, ' ').slice(0, 60); acc.set(k, (acc.get(k) ?? 0) + Date.now() - t); }
  }) as typeof store.q;
  const r2 = await publishSnapshot(store, b, { id: 'x/new' }, src, process.argv[3] === 'never' ? { annRebuild: 'never' } : {});
  const tg = Date.now(); if (process.argv[3] === 'nogin') await store.q("SET maintenance_work_mem = '256MB'; CREATE INDEX sw_chunk_postings_terms ON sw_chunk_postings USING gin (terms)"); console.log('gin build', Date.now() - tg);
  console.log(r2.seconds, [...acc].sort((a, b) => b[1] - a[1]).slice(0, 10));
  await store.close(); await db.stop();
}
void main();
