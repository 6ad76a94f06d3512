/**
 * Per-query metrics (reciprocal rank, hit@10, nDCG@10 with one relevant item), their means with a
 * seeded bootstrap 95 % interval, paired bootstrap intervals for ratios, and the baseline
 * tokenizer.
 */
import { mulberry32 } from '../../src/core/embedding/offline/prng';
import { relevant, type Target, type Tokenizer } from '../ir';

export interface PerQuery {
  readonly rr: Float64Array;
  readonly hit: Float64Array;
  readonly ndcg: Float64Array;
}

export interface Summary {
  readonly mrr: number;
  readonly recall: number;
  readonly ndcg: number;
  readonly ci: { mrr: [number, number]; recall: [number, number]; ndcg: [number, number] };
  readonly n: number;
}

export function perQuery(ranked: readonly (readonly Target[])[], answers: readonly Target[], k = 10): PerQuery {
  const n = ranked.length;
  const rr = new Float64Array(n), hit = new Float64Array(n), ndcg = new Float64Array(n);
  ranked.forEach((hits, i) => {
    const at = hits.slice(0, k).findIndex((h) => relevant(h, answers[i]));
    if (at >= 0) {
      rr[i] = 1 / (at + 1);
      hit[i] = 1;
      ndcg[i] = 1 / Math.log2(at + 2);
    }
  });
  return { rr, hit, ndcg };
}

const RESAMPLES = 1000;

/** The same resampled query sets for every statistic (so paired comparisons are paired). */
function resamples(n: number, seed = 17): Uint32Array[] {
  const r = mulberry32(seed);
  const out: Uint32Array[] = [];
  for (let b = 0; b < RESAMPLES; b++) {
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = Math.floor(r() * n);
    out.push(idx);
  }
  return out;
}

const cache = new Map<number, Uint32Array[]>();
function draws(n: number): Uint32Array[] {
  let d = cache.get(n);
  if (!d) cache.set(n, (d = resamples(n)));
  return d;
}

function mean(xs: Float64Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length ? s / xs.length : 0;
}

function interval(values: number[]): [number, number] {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return [NaN, NaN];
  return [s[Math.floor(0.025 * (s.length - 1))], s[Math.ceil(0.975 * (s.length - 1))]];
}

function boot(xs: Float64Array): [number, number] {
  return interval(draws(xs.length).map((idx) => {
    let s = 0;
    for (const i of idx) s += xs[i];
    return s / idx.length;
  }));
}

export function summarize(q: PerQuery): Summary {
  return {
    mrr: mean(q.rr), recall: mean(q.hit), ndcg: mean(q.ndcg), n: q.rr.length,
    ci: { mrr: boot(q.rr), recall: boot(q.hit), ndcg: boot(q.ndcg) },
  };
}

/** mean(a) / mean(b) with a paired bootstrap 95 % interval. */
export function ratio(a: Float64Array, b: Float64Array): { value: number; ci: [number, number] } {
  const value = mean(a) / mean(b);
  const ci = interval(draws(a.length).map((idx) => {
    let sa = 0, sb = 0;
    for (const i of idx) {
      sa += a[i];
      sb += b[i];
    }
    return sa / sb;
  }));
  return { value, ci };
}

const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;

/** The baseline: `[A-Za-z][a-z]+|[A-Z]+(?![a-z])|\d+` lower-cased, plus CJK character bigrams. */
export const baselineTokenizer: Tokenizer = (text) => {
  const out: string[] = [];
  for (const m of text.matchAll(/[A-Za-z][a-z]+|[A-Z]+(?![a-z])|\d+/g)) out.push(m[0].toLowerCase());
  for (const m of text.matchAll(CJK_RUN)) {
    const chars = [...m[0]];
    if (chars.length === 1) out.push(chars[0]);
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
  }
  return out;
};
