/**
 * The tunable knobs of the query-time refinements that rank.ts runs between retrieval and fusion
 * (hybrid mode). Every value is chosen on the dev corpora of bench/quality/SPLIT.md by
 * bench/quality/refineLab.ts; 0 switches a stage off. The lab changes this object between runs,
 * the product never does.
 */
export interface RankPolicy {
  /** Doc pages split into sections: a chunk also earns this share of its page's other matching chunks' keyword scores. */
  pages: { sibling: number };
  /**
   * Identifier / phrase proximity over the stored texts of the first `depth` keyword hits: a hit
   * whose text has consecutive query terms within `window` tokens gains up to `weight` × the best
   * keyword score.
   */
  proximity: { weight: number; depth: number; window: number };
  /**
   * Pseudo-relevance feedback (RM3-style) on the keyword side: the `terms` best terms of the first
   * `docs` keyword hits' texts join the query, the strongest with query weight `weight`.
   */
  prf: { docs: number; terms: number; weight: number };
  /**
   * Identifier proximity from the query alone: consecutive query words joined as an identifier
   * would be (`read settings` → `readsettings`, `read_settings`) join the query with this weight
   * where the index has that whole identifier (keyword mode too). 0.5 chosen on dev: +6.2 % hybrid
   * MRR@10 on dev-go, +4.1 % dev-java, +1.8 % dev-mixed, ±0.5 % on the other eight, none lower.
   */
  compounds: { weight: number };
  /** Rocchio on the vector side: the dense query moves `weight` of the way to the mean vector of the first `docs` keyword hits. */
  rocchio: { docs: number; weight: number };
}

export const RANK_POLICY: RankPolicy = {
  pages: { sibling: 0 },
  proximity: { weight: 0, depth: 30, window: 3 },
  prf: { docs: 0, terms: 10, weight: 0.3 },
  rocchio: { docs: 0, weight: 0.5 },
  compounds: { weight: 0.5 },
};

/** Every refinement off (plain BM25F + fusion): what the dev experiments compare against. */
export function policyOff(): RankPolicy {
  const p = RANK_POLICY;
  // Each stage's own switch set to 0; its other knobs as shipped (they matter only when it is on).
  return { pages: { sibling: 0 }, proximity: { ...p.proximity, weight: 0 }, prf: { ...p.prf, docs: 0 }, rocchio: { ...p.rocchio, docs: 0 }, compounds: { weight: 0 } };
}
