import pg from 'pg';
import { startPglite } from '../test/unit/team/support';
import { makeSyntheticEmbeddings } from '../test/support/synthetic';
const N = Number(process.argv[2] ?? 2000), D = 256;
function binArray(oid: number, elems: Buffer[]): Buffer {
  const head = Buffer.alloc(20);
  head.writeInt32BE(1, 0); head.writeInt32BE(0, 4); head.writeUInt32BE(oid, 8); head.writeInt32BE(elems.length, 12); head.writeInt32BE(1, 16);
  const parts: Buffer[] = [head];
  for (const e of elems) { const l = Buffer.alloc(4); l.writeInt32BE(e.length, 0); parts.push(l, e); }
  return Buffer.concat(parts);
}
function vecBin(v: Float32Array): Buffer { const b = Buffer.alloc(4 + 4 * v.length); b.writeInt16BE(v.length, 0); b.writeInt16BE(0, 2); for (let i = 0; i < v.length; i++) b.writeFloatBE(v[i], 4 + 4 * i); return b; }
async function main() {
  const db = await startPglite();
  const c = new pg.Client({ connectionString: db.url }); await c.connect();
  await c.query('CREATE EXTENSION IF NOT EXISTS vector');
  const oid = Number((await c.query(`SELECT 'vector'::regtype::oid AS o`)).rows[0].o);
  const vecs = makeSyntheticEmbeddings(N, D, 7);
  const hash = (i: number) => { const b = Buffer.alloc(16); b.writeUInt32BE(i * 2654435761 >>> 0, 0); b.writeUInt32BE(i, 4); return b; };
  const time = async (label: string, n: number, fn: () => Promise<unknown>) => { const t = Date.now(); await fn(); const s = (Date.now() - t) / 1000; console.log(label, s.toFixed(2), 's', (n / s).toFixed(0), 'rows/s'); };
  await c.query(`CREATE TABLE b (hash bytea PRIMARY KEY, embedding vector(${D}) NOT NULL)`);
  await time('binary vectors, no index, batch 1000', N, async () => {
    for (let i = 0; i < N; i += 1000) {
      const hs: Buffer[] = [], vs: Buffer[] = [];
      for (let k = i; k < Math.min(N, i + 1000); k++) { hs.push(hash(k)); vs.push(vecBin(vecs.subarray(k * D, (k + 1) * D))); }
      await c.query(`INSERT INTO b (hash, embedding) SELECT h, e FROM unnest($1::bytea[], $2::vector[]) u(h,e) ON CONFLICT DO NOTHING`, [binArray(17, hs), binArray(oid, vs)]);
    }
  });
  const chk = await c.query(`SELECT embedding::text AS e FROM b WHERE hash = $1`, [hash(5)]);
  const back = chk.rows[0].e.slice(1, -1).split(',').map(Number);
  console.log('bit-identical', back.every((x: number, i: number) => Math.fround(x) === vecs[5 * D + i]));
  await time('create index', N, () => c.query(`SET maintenance_work_mem = '512MB'; CREATE INDEX ON b USING hnsw (embedding vector_cosine_ops)`));
  // postings: 21 per chunk
  const P = N * 21;
  for (const withIdx of [true, false]) {
    const t = withIdx ? 'ct1' : 'ct2';
    await c.query(`CREATE TABLE ${t} (fp integer NOT NULL, term text NOT NULL, hash bytea NOT NULL, value integer NOT NULL, PRIMARY KEY (fp, term, hash))`);
    if (withIdx) await c.query(`CREATE INDEX ON ${t} (fp, hash)`);
    await time(`postings ${withIdx ? 'with' : 'without'} hash index, batch 20k`, P, async () => {
      for (let i = 0; i < P; i += 20000) {
        const terms: string[] = [], hs: Buffer[] = [], vals: number[] = [];
        for (let k = i; k < Math.min(P, i + 20000); k++) { terms.push('term' + ((k * 7919) % 30000)); hs.push(hash(Math.floor(k / 21))); vals.push(4); }
        await c.query(`INSERT INTO ${t} (fp, term, hash, value) SELECT 1, t, h, v FROM unnest($1::text[], $2::bytea[], $3::int[]) u(t,h,v) ON CONFLICT DO NOTHING`, [terms, binArray(17, hs), vals]);
      }
    });
  }
  await c.end(); await db.stop();
}
void main();
