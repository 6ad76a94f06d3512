/**
 * Dev-only fusion experiments: re-fuses the engine's own keyword and vector lists (depth 100) by
 * candidate functions and prints MRR@10 relative to keyword-only. Never run on test corpora.
 */
import { fuseScored, type FusionParams } from '../../src/core/search/scoreFusion';
import type { Target } from '../ir';
import { perQuery, summarize } from './metrics';
import { pageLevel, type CorpusRun, type ListEntry } from './run';

const key = (h: Target) => `${h.path}:${h.startLine}:${h.endLine}`;

function rrf(kw: readonly ListEntry[], dense: readonly ListEntry[], w: number, k = 60, docsKeywordOnly = false): Target[] {
  const acc = new Map<string, { hit: ListEntry; s: number }>();
  const add = (list: readonly ListEntry[], weight: number) => list.forEach((h, i) => {
    if (docsKeywordOnly && h.doc && list === dense) return;
    const e = acc.get(key(h)) ?? { hit: h, s: 0 };
    e.s += weight / (k + i + 1);
    acc.set(key(h), e);
  });
  add(kw, 1);
  add(dense, w);
  return [...acc.values()].sort((a, b) => b.s - a.s).map((e) => e.hit);
}

function scored(kw: readonly ListEntry[], dense: readonly ListEntry[], p: FusionParams): Target[] {
  const byKey = new Map<string, ListEntry>();
  const id = new Map<string, number>();
  const ids = (l: readonly ListEntry[]) => l.map((h) => {
    const k = key(h);
    if (!id.has(k)) {
      id.set(k, id.size);
      byKey.set(k, h);
    }
    return { id: id.get(k)!, score: h.score };
  });
  const a = ids(kw), b = ids(dense);
  const back = [...byKey.values()];
  return fuseScored(a, b, p).map((f) => back[f.id]);
}

/** MRR@10 / keyword MRR@10 per variant per corpus, for the summary after the last corpus. */
export const labResults = new Map<string, Map<string, number>>();

export function labSummary(): void {
  const corpora = [...new Set([...labResults.values()].flatMap((m) => [...m.keys()]))];
  process.stderr.write(`\n    lab summary (MRR@10 / keyword):  ${corpora.join('  ')}  | min  mean\n`);
  for (const [name, m] of labResults) {
    const xs = corpora.map((c) => m.get(c) ?? NaN);
    const min = Math.min(...xs), mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    process.stderr.write(`    ${name.padEnd(40)} ${xs.map((x) => x.toFixed(3)).join('  ')}  | ${min.toFixed(3)} ${mean.toFixed(3)}\n`);
  }
}

export function fusionLab(r: CorpusRun): void {
  const answers = r.corpus.queries.map((q) => q.answer);
  const kwMrr = summarize(r.methods.keyword).mrr;
  const show = (name: string, fuse: (kw: ListEntry[], dense: ListEntry[]) => Target[]) => {
    const m = summarize(perQuery(r.lists.map((l) => pageLevel(fuse(l.kw, l.dense), r.corpus)), answers)).mrr;
    if (!labResults.has(name)) labResults.set(name, new Map());
    labResults.get(name)!.set(r.corpus.id, m / kwMrr);
  };
  show('keyword list', (kw) => kw);
  show('rrf w0.25', (kw, d) => rrf(kw, d, 0.25));
  show('rrf w0.25, docs keyword-only', (kw, d) => rrf(kw, d, 0.25, 60, true));
  for (const w of [0.1, 0.15, 0.2, 0.3, 0.4]) show(`scored w${w}`, (kw, d) => scored(kw, d, { denseWeight: w }));
  for (const w of [0.2, 0.3, 0.4, 0.5]) for (const g of [0.5, 1]) for (const at of [2, 5]) show(`scored w${w} gate${g}@${at}`, (kw, d) => scored(kw, d, { denseWeight: w, gate: g, gapAt: at }));
  for (const depth of [20, 50]) show(`scored w0.2 depth${depth}`, (kw, d) => scored(kw.slice(0, depth), d.slice(0, depth), { denseWeight: 0.2 }));
}
