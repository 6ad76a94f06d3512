/**
 * Dev-only experiments for the query-time refinements of rank.ts (src/core/search/rankPolicy.ts):
 * page aggregation, proximity, keyword PRF (RM3) and vector Rocchio. Each dev corpus is indexed
 * once with the engine (offline provider); every variant sets RANK_POLICY and re-runs the hybrid
 * searches. Prints hybrid MRR@10 / keyword-only and / baseline per corpus, and the mean hybrid
 * search time relative to all refinements off. Never run on test corpora (it refuses them).
 *   node --import tsx bench/quality/refineLab.ts [--corpus id,id] [--group pages,prox,prf,rocchio,combo]
 */
import fs from 'node:fs';
import path from 'node:path';
import { openEngine } from '../../src/core/engine';
import { LSA_SHAPE } from '../../src/core/embedding/offline/lsa';
import { RANK_POLICY, policyOff, type RankPolicy } from '../../src/core/search/rankPolicy';
import { Bm25 } from '../ir';
import { CACHE, nowMs, quietLogger, rm, tempDir } from '../util';
import { codeCorpus, debianReference, mixedCorpus, type Corpus } from './corpora';
import { manDevCorpus } from './manCorpora';
import { baselineTokenizer, perQuery, summarize } from './metrics';
import { baselineDocs, pageLevel } from './run';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const ONLY = arg('corpus')?.split(',');
const GROUPS = (arg('group') ?? 'pages,prox,prf,rocchio').split(',');
/** SIGMA=p: the offline basis shaped as U Σ^p (lsa.ts LSA_SHAPE) for this run. */
if (process.env.SIGMA) LSA_SHAPE.sigmaPower = Number(process.env.SIGMA);

type Variant = [string, (p: RankPolicy) => void];
const OFF: RankPolicy = policyOff();

function variants(): Variant[] {
  const out: Variant[] = [['off', () => {}]];
  if (GROUPS.includes('pages')) for (const g of [0.1, 0.25, 0.5, 1]) out.push([`pages ${g}`, (p) => (p.pages.sibling = g)]);
  if (GROUPS.includes('prox')) for (const w of [0.05, 0.1, 0.2, 0.4]) for (const win of [1, 3]) out.push([`prox w${w} win${win}`, (p) => Object.assign(p.proximity, { weight: w, window: win })]);
  if (GROUPS.includes('prf')) {
    for (const d of [3, 5, 10]) for (const w of [0.1, 0.25, 0.5]) out.push([`prf d${d} t10 w${w}`, (p) => Object.assign(p.prf, { docs: d, terms: 10, weight: w })]);
    for (const t of [5, 20]) out.push([`prf d5 t${t} w0.25`, (p) => Object.assign(p.prf, { docs: 5, terms: t, weight: 0.25 })]);
  }
  if (GROUPS.includes('compounds')) for (const w of [0.25, 0.5, 1, 2]) out.push([`compounds w${w}`, (p) => (p.compounds.weight = w)]);
  if (GROUPS.includes('rocchio')) for (const d of [3, 5, 10]) for (const w of [0.3, 0.5, 0.7]) out.push([`rocchio d${d} w${w}`, (p) => Object.assign(p.rocchio, { docs: d, weight: w })]);
  const combo = process.env.COMBO;
  if (combo) for (const c of combo.split(';')) out.push([`combo ${c}`, (p) => apply(p, c)]);
  return out;
}

/** "pages.sibling=0.5,prf.docs=5" → sets those fields. */
function apply(p: RankPolicy, spec: string): void {
  for (const kv of spec.split(',')) {
    const [k, v] = kv.split('=');
    const [a, b] = k.split('.') as [keyof RankPolicy, string];
    (p[a] as unknown as Record<string, number>)[b] = Number(v);
  }
}

async function devCorpora(base: string): Promise<Corpus[]> {
  const want = (id: string) => !ONLY || ONLY.includes(id);
  const out: Corpus[] = [];
  const add = (c: Corpus | undefined) => c && c.queries.length >= 20 && out.push(c);
  for (const id of ['dev-go', 'dev-java', 'dev-rust', 'dev-ts']) if (want(id)) add(codeCorpus(id, path.join(base, id)));
  if (want('dev-en-docs')) add(debianReference('en', path.join(base, 'dev-en-docs')));
  if (want('dev-zh-docs')) add(debianReference('zh-cn', path.join(base, 'dev-zh-docs')));
  if (want('dev-en-long')) add(debianReference('en', path.join(base, 'dev-en-long'), 260, true));
  if (want('dev-zh-long')) add(debianReference('zh-cn', path.join(base, 'dev-zh-long'), 260, true));
  if (want('dev-en-man')) add(await manDevCorpus(false, path.join(base, 'dev-en-man')));
  if (want('dev-zh-man')) add(await manDevCorpus(true, path.join(base, 'dev-zh-man')));
  if (want('dev-mixed')) {
    const g = codeCorpus('dev-go', path.join(base, 'mix-go')), d = debianReference('en', path.join(base, 'mix-en'));
    if (g && d) add(mixedCorpus('dev-mixed', 'dev', g, d, path.join(base, 'dev-mixed')));
  }
  for (const c of out) if (c.split !== 'dev') throw new Error(`refineLab runs on dev corpora only (${c.id})`);
  return out;
}

async function main(): Promise<void> {
  const base = tempDir('refinelab');
  const table = new Map<string, { vsK: number[]; vsB: number[]; ms: number[] }>();
  const ids: string[] = [];
  const saved = JSON.parse(JSON.stringify(RANK_POLICY)) as RankPolicy;
  try {
    for (const c of await devCorpora(base)) {
      ids.push(c.id);
      const answers = c.queries.map((q) => q.answer);
      const topK = c.kind === 'code' ? 10 : 30;
      const bm = new Bm25(baselineDocs(c), baselineTokenizer);
      const bMrr = summarize(perQuery(c.queries.map((q) => pageLevel(bm.search(q.query, 30).map((h) => h.doc), c)), answers)).mrr;
      const engine = await openEngine({ root: c.root, indexDir: path.join(base, `${c.id}.index`), provider: 'offline', logger: quietLogger });
      const cpu0 = process.cpuUsage();
      const rep = await engine.index();
      const cpu = process.cpuUsage(cpu0);
      const indexCpu = (cpu.user + cpu.system) / 1e6;
      const run = async (mode: 'keyword' | 'hybrid' | 'dense') => {
        const ranked = [];
        const t = nowMs();
        for (const q of c.queries) ranked.push(pageLevel((await engine.search(q.query, { mode, topK })).map((h) => h.chunk), c));
        return { mrr: summarize(perQuery(ranked, answers)).mrr, ms: (nowMs() - t) / c.queries.length };
      };
      Object.assign(RANK_POLICY, JSON.parse(JSON.stringify(OFF)));
      await run('hybrid'); // warm
      const kw = await run('keyword');
      const dense = await run('dense');
      let offMs = 1;
      process.stderr.write(`  ${c.id}: ${c.queries.length} queries, ${c.files} files, ${rep.chunks} chunks; baseline ${bMrr.toFixed(3)}, keyword ${kw.mrr.toFixed(3)}, vector ${dense.mrr.toFixed(3)} (LSA σ^${LSA_SHAPE.sigmaPower}); index CPU ${indexCpu.toFixed(1)} s\n`);
      for (const [name, set] of variants()) {
        Object.assign(RANK_POLICY, JSON.parse(JSON.stringify(OFF)));
        set(RANK_POLICY);
        const h = await run('hybrid');
        if (name === 'off') offMs = h.ms;
        if (!table.has(name)) table.set(name, { vsK: [], vsB: [], ms: [] });
        const row = table.get(name)!;
        row.vsK.push(h.mrr / kw.mrr);
        row.vsB.push(h.mrr / bMrr);
        row.ms.push(h.ms / offMs);
        process.stderr.write(`    ${name.padEnd(26)} hybrid ${h.mrr.toFixed(3)}  /kw ${(h.mrr / kw.mrr).toFixed(3)}  /base ${(h.mrr / bMrr).toFixed(3)}  ${h.ms.toFixed(2)} ms\n`);
      }
    }
  } finally {
    Object.assign(RANK_POLICY, saved);
    rm(base);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const lines = [`variant (hybrid MRR / keyword): ${ids.join(' ')} | min mean | mean /base | time ×off`];
  for (const [name, r] of table) lines.push(`${name.padEnd(26)} ${r.vsK.map((x) => x.toFixed(3)).join(' ')} | ${Math.min(...r.vsK).toFixed(3)} ${mean(r.vsK).toFixed(3)} | ${mean(r.vsB).toFixed(3)} | ${mean(r.ms).toFixed(2)}`);
  process.stderr.write('\n' + lines.join('\n') + '\n');
  fs.mkdirSync(path.join(CACHE, 'results'), { recursive: true });
  fs.appendFileSync(path.join(CACHE, 'results', 'refineLab.txt'), `\n# ${new Date().toISOString()} ${process.argv.slice(2).join(' ')} ${process.env.COMBO ?? ''}\n${lines.join('\n')}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
