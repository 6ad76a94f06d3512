import pg from 'pg';
import { startPglite } from '../test/unit/team/support';
import { makeSyntheticEmbeddings } from '../test/support/synthetic';
import { formatVector } from '../src/core/team/store';
const N = Number(process.argv[2] ?? 2000), D = 256;
async function main() {
  const db = await startPglite();
  const c = new pg.Client({ connectionString: db.url }); await c.connect();
  await c.query('CREATE EXTENSION IF NOT EXISTS vector');
  const vecs = makeSyntheticEmbeddings(N * 2, D, 7);
  const hex = (i: number) => i.toString(16).padStart(16, '0');
  const rows = (from: number, n: number) => { const h: string[] = [], e: string[] = []; for (let i = from; i < from + n; i++) { h.push(hex(i)); e.push(formatVector(vecs.subarray(i * D, (i + 1) * D))); } return [h, e]; };
  const ins = async (t: string, from: number, n: number, batch: number) => { for (let i = from; i < from + n; i += batch) await c.query(`INSERT INTO ${t} (hash, embedding) SELECT decode(h,'hex'), e::vector FROM unnest($1::text[], $2::text[]) u(h,e) ON CONFLICT DO NOTHING`, rows(i, Math.min(batch, from + n - i))); };
  const time = async (label: string, fn: () => Promise<unknown>) => { const t = Date.now(); await fn(); const s = (Date.now() - t) / 1000; console.log(label, s.toFixed(2), 's', (N / s).toFixed(0), 'rows/s'); };
  await c.query(`CREATE TABLE a (hash bytea PRIMARY KEY, embedding vector(${D}) NOT NULL); CREATE INDEX ON a USING hnsw (embedding vector_cosine_ops)`);
  await c.query(`CREATE TABLE b (hash bytea PRIMARY KEY, embedding vector(${D}) NOT NULL)`);
  await c.query(`CREATE TABLE b2 (hash bytea PRIMARY KEY, embedding vector(${D}) NOT NULL)`);
  await time('hnsw present, batch 250', () => ins('a', 0, N, 250));
  await time('no index, batch 250', () => ins('b', 0, N, 250));
  await time('no index, batch 2000', () => ins('b2', 0, N, 2000));
  await time('create index after', () => c.query(`SET maintenance_work_mem = '256MB'; CREATE INDEX ON b USING hnsw (embedding vector_cosine_ops)`));
  const mw = await c.query('SHOW maintenance_work_mem'); console.log(mw.rows);
  await c.end(); await db.stop();
}
void main();
