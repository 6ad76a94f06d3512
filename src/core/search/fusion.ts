/**
 * Reciprocal-rank fusion (Cormack et al. 2009): score(d) = Σ_i w_i / (k + rank_i(d)). Ranks, not
 * raw scores, are fused, because BM25 scores and cosines live on unrelated scales; k = 60 damps
 * the advantage of the very first ranks so agreement between lists wins.
 */
export interface RankedId {
  readonly id: number;
  readonly score: number;
}

export interface FusedHit {
  readonly id: number;
  /** Higher is better. */
  readonly score: number;
  /** 1-based rank of the id in each input list, `undefined` where absent. */
  readonly ranks: (number | undefined)[];
}

export interface RrfOptions {
  /** Rank damping constant; default 60. */
  readonly k?: number;
  /** One weight per list; default 1 each. */
  readonly weights?: readonly number[];
}

/** Fuses best-first lists. Ties go to the id seen in more lists, then at a better rank, then the smaller id. */
export function fuseRrf(lists: readonly (readonly RankedId[])[], options: RrfOptions = {}): FusedHit[] {
  const k = options.k ?? 60;
  const fused = new Map<number, { score: number; ranks: (number | undefined)[] }>();
  lists.forEach((list, li) => {
    const w = options.weights?.[li] ?? 1;
    let rank = 0;
    for (const { id } of list) {
      let entry = fused.get(id);
      if (!entry) {
        entry = { score: 0, ranks: new Array<number | undefined>(lists.length).fill(undefined) };
        fused.set(id, entry);
      }
      if (entry.ranks[li] !== undefined) continue; // a duplicate inside one list counts once, takes no rank
      entry.ranks[li] = ++rank;
      entry.score += w / (k + rank);
    }
  });
  const seen = (r: (number | undefined)[]): number => r.filter((x) => x !== undefined).length;
  const best = (r: (number | undefined)[]): number => Math.min(...r.map((x) => x ?? Infinity));
  return [...fused]
    .map(([id, e]) => ({ id, score: e.score, ranks: e.ranks }))
    .sort((a, b) => b.score - a.score || seen(b.ranks) - seen(a.ranks) || best(a.ranks) - best(b.ranks) || a.id - b.id);
}
