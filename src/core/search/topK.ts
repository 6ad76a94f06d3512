/**
 * Bounded selection of the best k (id, score) pairs. A min-heap on score keeps the current worst
 * at the root, so most candidates are rejected by a single comparison with `threshold` — the
 * scans test that before doing anything costlier (filters, allocation).
 */
export interface ScoredId {
  readonly id: number;
  readonly score: number;
}

export class TopK {
  private readonly ids: Int32Array;
  private readonly scores: Float64Array;
  private count = 0;

  constructor(readonly k: number) {
    this.ids = new Int32Array(Math.max(1, k));
    this.scores = new Float64Array(Math.max(1, k));
  }

  get size(): number {
    return this.count;
  }

  /** A candidate must score above this to enter (−∞ until the heap is full). */
  get threshold(): number {
    return this.count < this.k ? -Infinity : this.scores[0];
  }

  push(id: number, score: number): void {
    if (this.k <= 0) return;
    if (this.count < this.k) {
      let i = this.count++;
      // Sift up.
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(score, id, this.scores[parent], this.ids[parent])) break;
        this.ids[i] = this.ids[parent];
        this.scores[i] = this.scores[parent];
        i = parent;
      }
      this.ids[i] = id;
      this.scores[i] = score;
      return;
    }
    if (!worse(this.scores[0], this.ids[0], score, id)) return;
    this.siftDownFromRoot(id, score);
  }

  private siftDownFromRoot(id: number, score: number): void {
    const n = this.count;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && worse(this.scores[r], this.ids[r], this.scores[l], this.ids[l]) ? r : l;
      if (!worse(this.scores[c], this.ids[c], score, id)) break;
      this.ids[i] = this.ids[c];
      this.scores[i] = this.scores[c];
      i = c;
    }
    this.ids[i] = id;
    this.scores[i] = score;
  }

  /** Best first; equal scores by smaller id, so results are deterministic. */
  sorted(): ScoredId[] {
    const out: ScoredId[] = [];
    for (let i = 0; i < this.count; i++) out.push({ id: this.ids[i], score: this.scores[i] });
    return out.sort((a, b) => b.score - a.score || a.id - b.id);
  }
}

/** True when (sa, ia) ranks below (sb, ib): lower score, or equal score and larger id. */
function worse(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa < sb || (sa === sb && ia > ib);
}
