/**
 * Part 10 — the team index (PostgreSQL + pgvector, here PGlite over the wire protocol):
 *   - time to first search for a second clone: team index vs embedding from scratch, both against
 *     the fake DashScope server rate-limited like a real account (requests/min);
 *   - embedding requests and tokens saved; publish throughput (rows/s);
 *   - remote search p50/p95 next to the local engine (same corpus, same queries, in-process);
 *   - bytes per chunk in PostgreSQL.
 *   - at scale (bench/teamScale.ts): 30k synthetic chunks (10k with --quick, `--team-size N`).
 *   node --import tsx bench/team.ts [--quick] [--no-scale | --scale-only] [--team-size N] [--out FILE]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEngine } from '../src/core/engine';
import { TeamIndex, TeamStore, teamStatus } from '../src/core/team';
import { startFakeDashScope } from '../test/fake-dashscope/server';
import { generateCorpus, writeCorpus } from '../test/unit/survival/support';
import { startPglite } from '../test/unit/team/support';
import { teamScale } from './teamScale';
import { QUICK, check, cli, emit, fmt, info, nowMs, percentile, type Row } from './util';

const KEY = 'sk-bench-team-not-a-real-key';
const FILES = QUICK ? 60 : 400;
const RPM = 600;
const QUERIES = ['parse the config', 'retry the request', 'cache invalidation', 'token bucket rate', 'render the template',
  'merge sorted lists', 'open the socket', 'schedule the job', 'validate user input', 'compress the buffer',
  'load the session', 'write the log', 'resolve the path', 'hash the password', 'queue the message',
  'index the folder', 'close the stream', 'count the words', 'select the row', 'sort the records'];

async function main(): Promise<void> {
  const t0 = nowMs();
  if (process.argv.includes('--scale-only')) {
    const rows: Row[] = [], details: Record<string, unknown> = {};
    await teamScale(rows, details);
    return emit({ part: 10, title: 'team index at scale (PGlite)', rows, seconds: (nowMs() - t0) / 1000, details: { ...details, load: os.loadavg() } });
  }
  const fake = await startFakeDashScope({ rpm: RPM });
  const db = await startPglite();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-bench-team-'));
  const a = path.join(base, 'a'), b = path.join(base, 'b'), c = path.join(base, 'c');
  writeCorpus(a, generateCorpus(2026, FILES, 6));
  fs.cpSync(a, b, { recursive: true });
  fs.cpSync(a, c, { recursive: true });
  const env = { DASHSCOPE_API_KEY: KEY, DASHSCOPE_BASE_URL: fake.url, XDG_CACHE_HOME: path.join(base, 'cache') };
  const common = ['--provider', 'dashscope', '--dimensions', '256', '--repo-id', 'bench/team', '--json'];
  const rows: Row[] = [];
  try {
    // Clone A: embeds everything (rate-limited) and publishes.
    const reqA0 = fake.counters.requests, tokA0 = fake.counters.tokens;
    const ra = await cli(['index', a, ...common, '--rpm', String(RPM), '--index-dir', path.join(base, 'ia'), '--team-index', db.url], env);
    const reqA = fake.counters.requests - reqA0, tokA = fake.counters.tokens - tokA0;
    const team = ra.json?.team as { published: { chunkRows: number; contentRows: number; seconds: number } };
    const chunks = Number(ra.json?.chunks);
    // Clone B with the team index vs clone C from scratch: index + first search, wall clock.
    const tB = nowMs();
    const reqB0 = fake.counters.requests, tokB0 = fake.counters.tokens;
    await cli(['index', b, ...common, '--rpm', String(RPM), '--index-dir', path.join(base, 'ib'), '--team-index', db.url], env);
    const reqB = fake.counters.requests - reqB0, tokB = fake.counters.tokens - tokB0;
    await cli(['search', b, ...common, '--index-dir', path.join(base, 'ib'), QUERIES[0]], env);
    const firstB = nowMs() - tB;
    const tC = nowMs();
    await cli(['index', c, ...common, '--rpm', String(RPM), '--index-dir', path.join(base, 'ic')], env);
    await cli(['search', c, ...common, '--index-dir', path.join(base, 'ic'), QUERIES[0]], env);
    const firstC = nowMs() - tC;
    rows.push(info(10, `corpus`, `${chunks} chunks, 256-d, fake DashScope at ${RPM} requests/min`));
    rows.push(check(10, 'second clone: time to first search, team index / from scratch', firstB / firstC, fmt.ratio, { max: 0.25, label: '≤ 0.25×' }));
    rows.push(info(10, 'second clone: time to first search (team index | from scratch)', `${fmt.s(firstB / 1000)} | ${fmt.s(firstC / 1000)}`));
    rows.push(check(10, 'second clone: embedding requests vs the first clone', reqB / Math.max(1, reqA), fmt.pct, { max: 0.02, label: '≤ 2%' }));
    rows.push(info(10, 'requests | tokens saved by the second clone', `${reqA - reqB} | ${tokA - tokB}`));
    rows.push(info(10, 'publish throughput (first clone)', `${(team.published.chunkRows / team.published.seconds).toFixed(0)} snapshot rows/s, ${(team.published.contentRows / team.published.seconds).toFixed(0)} vectors+postings/s (${fmt.s(team.published.seconds)})`));

    // Search latency, in-process: remote (PostgreSQL) vs local, same queries and embedder.
    const config = { root: a, indexDir: path.join(base, 'ia'), provider: 'dashscope' as const, apiKey: KEY, remote: { baseUrl: fake.url, dimensions: 256 } };
    const teamIndex = new TeamIndex({ url: db.url, root: a, repoId: 'bench/team' });
    const remoteEngine = await openEngine({ ...config, team: teamIndex });
    const localEngine = await openEngine(config);
    for (const q of QUERIES) await localEngine.search(q); // query vectors cached, index loaded: search time only
    for (const q of QUERIES) await remoteEngine.search(q, { remote: true });
    const lat = async (fn: (q: string) => Promise<unknown>) => {
      const xs: number[] = [];
      for (let r = 0; r < (QUICK ? 2 : 5); r++) for (const q of QUERIES) {
        const s = nowMs();
        await fn(q);
        xs.push(nowMs() - s);
      }
      return xs;
    };
    const remote = await lat((q) => remoteEngine.search(q, { remote: true }));
    const local = await lat((q) => localEngine.search(q));
    rows.push(info(10, 'hybrid search p50 | p95: remote (PGlite, one WASM core)', `${fmt.ms(percentile(remote, 0.5))} | ${fmt.ms(percentile(remote, 0.95))}`));
    rows.push(info(10, 'hybrid search p50 | p95: local engine', `${fmt.ms(percentile(local, 0.5))} | ${fmt.ms(percentile(local, 0.95))}`));
    await teamIndex.close();

    const store = await TeamStore.open(db.url);
    const st = await teamStatus(store);
    await store.close();
    rows.push(info(10, 'bytes per chunk in PostgreSQL (tables + indexes, 1 snapshot)', `${(st.bytes / chunks).toFixed(0)} B (vectors+HNSW ${(st.fingerprints[0].vectorBytes / chunks).toFixed(0)} B)`, JSON.stringify(st.rows)));
    const details: Record<string, unknown> = { reqA, reqB, tokA, tokB, firstB, firstC, remote, local, status: st, load: os.loadavg() };
    if (!process.argv.includes('--no-scale')) await teamScale(rows, details);
    emit({ part: 10, title: 'team index (PostgreSQL + pgvector via PGlite)', rows, seconds: (nowMs() - t0) / 1000, details });
  } finally {
    await db.stop();
    await fake.close();
    fs.rmSync(base, { recursive: true, force: true });
  }
}

void main().then(() => process.exit(0), (e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
