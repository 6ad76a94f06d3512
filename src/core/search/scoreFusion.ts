/**
 * Score-aware fusion of a keyword (BM25F) list and a dense (cosine) list. Reciprocal-rank fusion
 * treats a list's 40th hit like its 1st whatever the scores say, so a weak vector list drags strong
 * keyword hits down. Here each list is min-max normalised over its own candidates (Bruch et al.,
 * "An Analysis of Fusion Functions for Hybrid Retrieval", 2023) and combined convexly; the dense
 * weight shrinks where the keyword list is confident (a clear gap between its first hits), so
 * vectors decide mostly where keywords are weak.
 */
import type { RankedId } from './fusion';

export interface FusionParams {
  /** Weight of the dense list in [0, 1]. */
  readonly denseWeight: number;
  /**
   * How much keyword confidence (top-1 vs top-`gapAt` relative gap, 0..1) takes off the dense
   * weight: w = denseWeight · (1 − gate · confidence). 0 disables.
   */
  readonly gate?: number;
  readonly gapAt?: number;
}

export interface ScoredHit {
  readonly id: number;
  readonly score: number;
  /** 1-based rank in [keyword, dense], undefined where absent. */
  readonly ranks: [number | undefined, number | undefined];
}

function normaliser(list: readonly RankedId[]): (s: number) => number {
  if (!list.length) return () => 0;
  let max = -Infinity, min = Infinity;
  for (const h of list) {
    if (h.score > max) max = h.score;
    if (h.score < min) min = h.score;
  }
  return max > min ? (s) => (s - min) / (max - min) : () => 1;
}

/** Relative gap between the first keyword score and the one at `at` (0 = flat list, 1 = one clear winner). */
export function keywordConfidence(kw: readonly RankedId[], at = 5): number {
  if (kw.length < 2 || kw[0].score <= 0) return kw.length === 1 ? 1 : 0;
  const other = kw[Math.min(at, kw.length) - 1].score;
  return Math.max(0, Math.min(1, (kw[0].score - other) / kw[0].score));
}

/** Best first; ties go to the better keyword rank, then the better dense rank, then the smaller id. */
export function fuseScored(kw: readonly RankedId[], dense: readonly RankedId[], p: FusionParams): ScoredHit[] {
  const w = Math.max(0, Math.min(1, p.denseWeight * (1 - (p.gate ?? 0) * keywordConfidence(kw, p.gapAt))));
  const nk = normaliser(kw), nd = normaliser(dense);
  const acc = new Map<number, { score: number; ranks: [number | undefined, number | undefined] }>();
  const entry = (id: number) => {
    let e = acc.get(id);
    if (!e) acc.set(id, (e = { score: 0, ranks: [undefined, undefined] }));
    return e;
  };
  kw.forEach((h, i) => {
    const e = entry(h.id);
    if (e.ranks[0] !== undefined) return;
    e.ranks[0] = i + 1;
    e.score += (1 - w) * nk(h.score);
  });
  dense.forEach((h, i) => {
    const e = entry(h.id);
    if (e.ranks[1] !== undefined) return;
    e.ranks[1] = i + 1;
    e.score += w * nd(h.score);
  });
  const r = (x: number | undefined) => x ?? Infinity;
  return [...acc].map(([id, e]) => ({ id, score: e.score, ranks: e.ranks }))
    .sort((a, b) => b.score - a.score || r(a.ranks[0]) - r(b.ranks[0]) || r(a.ranks[1]) - r(b.ranks[1]) || a.id - b.id);
}
