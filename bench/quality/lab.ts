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

export function fusionLab(r: CorpusRun): void {
  const answers = r.corpus.queries.map((q) => q.answer);
  const kwMrr = summarize(r.methods.keyword).mrr;
  const show = (name: string, fuse: (kw: ListEntry[], dense: ListEntry[]) => Target[]) => {
    const m = summarize(perQuery(r.lists.map((l) => pageLevel(fuse(l.kw, l.dense), r.corpus)), answers)).mrr;
    process.stderr.write(`    lab ${r.corpus.id} ${name.padEnd(44)} MRR ${m.toFixed(3)} (${(m / kwMrr).toFixed(3)}× keyword)\n`);
  };
  show('keyword list', (kw) => kw);
  show('rrf w0.25', (kw, d) => rrf(kw, d, 0.25));
  show('rrf w0.25, docs keyword-only', (kw, d) => rrf(kw, d, 0.25, 60, true));
  for (const w of [0.1, 0.2, 0.3]) show(`scored w${w}`, (kw, d) => scored(kw, d, { denseWeight: w }));
}
