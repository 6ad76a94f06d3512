import pg from 'pg';
import { startPglite } from '../test/unit/team/support';
import { makeSyntheticEmbeddings } from '../test/support/synthetic';
import { hashArray, vectorArray } from '../src/core/team/binary';
const N = Number(process.argv[2] ?? 20000), D = 256, MWM = process.argv[3] ?? '37MB';
async function main() {
  const db = await startPglite();
  const c = new pg.Client({ connectionString: db.url }); await c.connect();
  c.on('notice', (m) => console.log('NOTICE', m.message));
  await c.query('CREATE EXTENSION IF NOT EXISTS vector');
  const oid = Number((await c.query(`SELECT 'vector'::regtype::oid AS o`)).rows[0].o);
  const vecs = makeSyntheticEmbeddings(N, D, 7);
  await c.query(`CREATE TABLE b (hash bytea PRIMARY KEY, embedding vector(${D}) NOT NULL)`);
  for (let i = 0; i < N; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, N - i) }, (_, k) => i + k);
    await c.query(`INSERT INTO b SELECT h, e FROM unnest($1::bytea[], $2::vector[]) u(h,e)`, [hashArray(rows.map((r) => r.toString(16).padStart(32, '0'))), vectorArray(oid, vecs, D, rows)]);
  }
  const t = Date.now();
  await c.query(`SET maintenance_work_mem = '${MWM}'`);
  await c.query(`CREATE INDEX ON b USING hnsw (embedding vector_cosine_ops)`);
  console.log('build', N, MWM, (Date.now() - t) / 1000, 's');
  await c.end(); await db.stop();
}
void main();
