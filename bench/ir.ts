/**
 * Retrieval-quality helpers: a plain BM25 (Robertson, k1 = 1.2, b = 0.75) over any tokenizer, the
 * fixed line-window baseline (40 lines, stride 20), and MRR@10 / Recall@10.
 */
import { tokenize } from '../src/core/text/tokenize';

export interface Doc {
  readonly path: string;
  /** 1-based inclusive lines. */
  readonly startLine: number;
  readonly endLine: number;
  readonly text: string;
}

export type Tokenizer = (text: string) => string[];

export const productTokenizer: Tokenizer = (t) => tokenize(t);

export class Bm25 {
  private readonly postings = new Map<string, { id: number; tf: number }[]>();
  private readonly lengths: number[] = [];
  private avg = 0;

  constructor(readonly docs: readonly Doc[], private readonly tok: Tokenizer, private readonly k1 = 1.2, private readonly b = 0.75) {
    docs.forEach((d, id) => {
      const tf = new Map<string, number>();
      const terms = tok(d.text);
      for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, n] of tf) {
        let list = this.postings.get(t);
        if (!list) this.postings.set(t, (list = []));
        list.push({ id, tf: n });
      }
      this.lengths.push(terms.length);
    });
    this.avg = this.lengths.reduce((a, b) => a + b, 0) / Math.max(1, this.lengths.length);
  }

  search(query: string, topK: number): { doc: Doc; score: number }[] {
    const n = this.docs.length;
    const scores = new Map<number, number>();
    const qtf = new Map<string, number>();
    for (const t of this.tok(query)) qtf.set(t, (qtf.get(t) ?? 0) + 1);
    for (const [t, q] of qtf) {
      const list = this.postings.get(t);
      if (!list) continue;
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const { id, tf } of list) {
        const norm = this.k1 * (1 - this.b + (this.b * this.lengths[id]) / this.avg);
        scores.set(id, (scores.get(id) ?? 0) + q * idf * ((tf * (this.k1 + 1)) / (tf + norm)));
      }
    }
    return [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, topK).map(([id, score]) => ({ doc: this.docs[id], score }));
  }
}

/** Fixed windows of `size` lines every `stride` lines (the last one may be shorter); blank-only windows dropped. */
export function lineWindowDocs(path: string, text: string, size = 40, stride = 20): Doc[] {
  const lines = text.split('\n');
  const out: Doc[] = [];
  for (let start = 0; start < lines.length; start += stride) {
    const end = Math.min(lines.length, start + size);
    const body = lines.slice(start, end).join('\n');
    if (body.trim()) out.push({ path, startLine: start + 1, endLine: end, text: body });
    if (end >= lines.length) break;
  }
  return out;
}

export interface Target {
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
}

/** A hit is relevant when it is in the answer's file and overlaps its lines (whole file: 1..∞). */
export function relevant(hit: Target, answer: Target): boolean {
  return hit.path === answer.path && hit.startLine <= answer.endLine && hit.endLine >= answer.startLine;
}

export interface Metrics {
  mrr: number;
  recall: number;
  n: number;
}

/** MRR@10 and Recall@10 (single answer: hit@10) over ranked hit lists. */
export function score(ranked: readonly (readonly Target[])[], answers: readonly Target[], k = 10): Metrics {
  let mrr = 0, recall = 0;
  ranked.forEach((hits, i) => {
    const at = hits.slice(0, k).findIndex((h) => relevant(h, answers[i]));
    if (at >= 0) {
      mrr += 1 / (at + 1);
      recall += 1;
    }
  });
  const n = ranked.length;
  return { mrr: mrr / n, recall: recall / n, n };
}

/** Ranked list with one entry per file (first occurrence wins): page/file-level answers. */
export function dedupeByPath<T extends { path: string }>(hits: readonly T[]): T[] {
  const seen = new Set<string>();
  return hits.filter((h) => (seen.has(h.path) ? false : (seen.add(h.path), true)));
}

export interface ListHit extends Target {
  readonly score: number;
}

/**
 * Fusion of a keyword and a dense list, for ablations outside the engine:
 *  - `rrf`: Σ w_i / (k + rank_i) (what the engine does, k = 60);
 *  - `cc`: convex combination of min-max normalised scores (Bruch et al., "An Analysis of Fusion
 *    Functions for Hybrid Retrieval", 2023): (1 − w)·kw' + w·dense', absent = 0.
 */
export function fuse(kw: readonly ListHit[], dense: readonly ListHit[], how: { kind: 'rrf'; k: number; w: number } | { kind: 'cc'; w: number }): Target[] {
  const key = (h: Target) => `${h.path}:${h.startLine}:${h.endLine}`;
  const acc = new Map<string, { hit: Target; s: number }>();
  const add = (list: readonly ListHit[], weight: number, value: (h: ListHit, rank: number) => number) => {
    list.forEach((h, i) => {
      const e = acc.get(key(h)) ?? { hit: h, s: 0 };
      e.s += weight * value(h, i + 1);
      acc.set(key(h), e);
    });
  };
  if (how.kind === 'rrf') {
    add(kw, 1, (_h, r) => 1 / (how.k + r));
    add(dense, how.w, (_h, r) => 1 / (how.k + r));
  } else {
    const norm = (list: readonly ListHit[]) => {
      const max = Math.max(...list.map((h) => h.score)), min = Math.min(...list.map((h) => h.score));
      return (h: ListHit) => (max > min ? (h.score - min) / (max - min) : 1);
    };
    const nk = norm(kw), nd = norm(dense);
    add(kw, 1 - how.w, (h) => nk(h));
    add(dense, how.w, (h) => nd(h));
  }
  return [...acc.values()].sort((a, b) => b.s - a.s).map((e) => e.hit);
}
