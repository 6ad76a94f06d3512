/**
 * Search latency of each query-time refinement (rankPolicy.ts), measured in one process on one
 * index, variants interleaved query by query (so machine load hits them alike), as CPU time of
 * the engine's hybrid search. A large Go corpus (default 3,000 files of golang-1.19-src, ~45k chunks).
 *   node --import tsx bench/quality/refineLatency.ts [--files N] [--queries N]
 */
import path from 'node:path';
import os from 'node:os';
import { openEngine } from '../../src/core/engine';
import { RANK_POLICY, policyOff, type RankPolicy } from '../../src/core/search/rankPolicy';
import { quietLogger, rm, tempDir } from '../util';
import { codeCorpus } from './corpora';

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};

const OFF = policyOff;
const VARIANTS: [string, (p: RankPolicy) => void][] = [
  ['all off', () => {}],
  ['compounds 0.5 (shipped)', (p) => (p.compounds.weight = 0.5)],
  ['pages sibling 0.25', (p) => (p.pages.sibling = 0.25)],
  ['proximity w0.2, depth 30', (p) => (p.proximity.weight = 0.2)],
  ['PRF 5 docs, 10 terms', (p) => Object.assign(p.prf, { docs: 5, weight: 0.1 })],
  ['Rocchio 5 docs', (p) => Object.assign(p.rocchio, { docs: 5, weight: 0.5 })],
];

async function main(): Promise<void> {
  const base = tempDir('refinelat');
  const saved = JSON.parse(JSON.stringify(RANK_POLICY)) as RankPolicy;
  try {
    const c = codeCorpus('dev-go', path.join(base, 'go'), arg('files', 3000), arg('queries', 300))!;
    const engine = await openEngine({ root: c.root, indexDir: path.join(base, 'index'), provider: 'offline', logger: quietLogger });
    const rep = await engine.index();
    const cpu = new Map<string, number[]>(VARIANTS.map(([n]) => [n, []]));
    for (const q of c.queries.slice(0, 20)) await engine.search(q.query, { mode: 'hybrid', topK: 10 }); // warm
    for (const q of c.queries) {
      for (const [name, set] of VARIANTS) {
        Object.assign(RANK_POLICY, OFF());
        set(RANK_POLICY);
        const t = process.cpuUsage();
        await engine.search(q.query, { mode: 'hybrid', topK: 10 });
        const d = process.cpuUsage(t);
        cpu.get(name)!.push((d.user + d.system) / 1000);
      }
    }
    const p = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(f * xs.length))];
    const off = p(cpu.get('all off')!, 0.5);
    process.stderr.write(`${c.queries.length} queries, ${rep.chunks} chunks; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
    for (const [name, xs] of cpu) process.stderr.write(`  ${name.padEnd(26)} CPU p50 ${p(xs, 0.5).toFixed(2)} ms, p95 ${p(xs, 0.95).toFixed(2)} ms (p50 ${(p(xs, 0.5) - off) >= 0 ? '+' : ''}${(p(xs, 0.5) - off).toFixed(2)} ms vs all off)\n`);
  } finally {
    Object.assign(RANK_POLICY, saved);
    rm(base);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
