/**
 * Dev-only keyword experiments: BM25F field weights and saturation over the product's own chunks
 * of every dev corpus (no engine, no vectors), MRR@10 relative to the shipped settings.
 *   node --import tsx bench/quality/keywordLab.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { chunkFile } from '../../src/core/chunking';
import { BM25F, KeywordIndex } from '../../src/core/search/keywordIndex';
import type { Chunk } from '../../src/core/types';
import { rm, tempDir } from '../util';
import { codeCorpus, debianReference, type Corpus } from './corpora';
import { manDevCorpus } from './manCorpora';
import { perQuery, summarize } from './metrics';
import { pageLevel } from './run';

async function chunksOf(root: string, rel = ''): Promise<Chunk[]> {
  const out: Chunk[] = [];
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await chunksOf(root, r)));
    else out.push(...(await chunkFile(r, fs.readFileSync(path.join(root, r), 'utf8'))));
  }
  return out;
}

type Knobs = { k1?: number; symbol?: number; path?: number; textB?: number };

function mrrWith(chunks: readonly Chunk[], c: Corpus, knobs: Knobs): number {
  const w = BM25F as unknown as { k1: number; text: { b: number }; symbol: { weight: number }; path: { weight: number } };
  const saved = { k1: w.k1, b: w.text.b, s: w.symbol.weight, p: w.path.weight };
  try {
    if (knobs.k1 !== undefined) w.k1 = knobs.k1;
    if (knobs.textB !== undefined) w.text.b = knobs.textB;
    if (knobs.symbol !== undefined) w.symbol.weight = knobs.symbol;
    if (knobs.path !== undefined) w.path.weight = knobs.path;
    const k = KeywordIndex.empty();
    chunks.forEach((ch, i) => k.add(i, { text: ch.text, symbol: ch.symbol, path: ch.path }));
    const ranked = c.queries.map((q) => pageLevel(k.search(q.query, 30).map((h) => chunks[h.id]), c));
    return summarize(perQuery(ranked, c.queries.map((q) => q.answer))).mrr;
  } finally {
    Object.assign(w, { k1: saved.k1 });
    w.text.b = saved.b;
    w.symbol.weight = saved.s;
    w.path.weight = saved.p;
  }
}

async function main(): Promise<void> {
  const base = tempDir('kwlab');
  try {
    const only = process.argv.includes('--corpus') ? process.argv[process.argv.indexOf('--corpus') + 1].split(',') : undefined;
    const all = [...['dev-go', 'dev-java', 'dev-rust', 'dev-ts'].map((id) => codeCorpus(id, path.join(base, id))), debianReference('en', path.join(base, 'en')), debianReference('zh-cn', path.join(base, 'zh')),
      debianReference('en', path.join(base, 'en-long'), 260, true), debianReference('zh-cn', path.join(base, 'zh-long'), 260, true),
      await manDevCorpus(false, path.join(base, 'en-man')), await manDevCorpus(true, path.join(base, 'zh-man'))];
    const corpora = all.filter((c): c is Corpus => !!c && (!only || only.includes(c.id)));
    const variants: [string, Knobs][] = [['shipped', {}], ['k1 0.9', { k1: 0.9 }], ['k1 1.6', { k1: 1.6 }], ['text b 0.5', { textB: 0.5 }], ['text b 0.9', { textB: 0.9 }],
      ['symbol 1.5', { symbol: 1.5 }], ['symbol 5', { symbol: 5 }], ['path 0.5', { path: 0.5 }], ['path 3', { path: 3 }],
      ['k1 2.0', { k1: 2 }], ['k1 1.2', { k1: 1.2 }], ['text b 0.6', { textB: 0.6 }], ['text b 0.85', { textB: 0.85 }], ['symbol 3', { symbol: 3 }], ['symbol 8', { symbol: 8 }],
      ['path 2', { path: 2 }], ['path 1', { path: 1 }], ['k1 2.0 b 0.85', { k1: 2, textB: 0.85 }], ['k1 1.2 b 0.85', { k1: 1.2, textB: 0.85 }]];
    // KW_VARIANTS='[["name",{"k1":2}],…]' replaces the list (the shipped settings stay first).
    if (process.env.KW_VARIANTS) variants.splice(1, variants.length - 1, ...(JSON.parse(process.env.KW_VARIANTS) as [string, Knobs][]));
    const table = new Map<string, number[]>();
    for (const c of corpora) {
      const chunks = await chunksOf(c.root);
      const ref = mrrWith(chunks, c, {});
      for (const [name, knobs] of variants) {
        if (!table.has(name)) table.set(name, []);
        table.get(name)!.push(mrrWith(chunks, c, knobs) / ref);
      }
      process.stderr.write(`  ${c.id}: ${chunks.length} chunks, keyword MRR ${ref.toFixed(3)}\n`);
    }
    process.stderr.write(`  variant (MRR / shipped): ${corpora.map((c) => c.id).join(' ')} | min mean\n`);
    for (const [name, xs] of table) process.stderr.write(`  ${name.padEnd(14)} ${xs.map((x) => x.toFixed(3)).join(' ')} | ${Math.min(...xs).toFixed(3)} ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3)}\n`);
  } finally {
    rm(base);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
