/**
 * The scoring loop of the keyword index: BM25F over postings lists, exact top-k with pruning.
 *
 * Terms go rarest first. A term adds less than its `weight` to any chunk (BM25 saturation), so
 * once the k-th best partial score reaches the summed weights of the terms still to go, no chunk
 * that has not matched yet can reach the top k (phase 2). Then only candidates that still can —
 * partial + remaining > k-th — are updated, by looking them up through the lists' skip blocks
 * rather than decoding 100k-long lists of common words. Results equal exhaustive scoring.
 */
import { IMPLIED_VALUE, SKIP_BLOCK, type PostingStore } from './postings';
import { TopK } from './topK';

/** Bit 31 of a mask marks a phase-2 candidate (term bits use 0–30). */
const CANDIDATE = 0x80000000;

export interface TermPlan {
  readonly term: number;
  /** idf · qtf · (k1 + 1): the supremum of the term's contribution. */
  readonly weight: number;
  /** Bit recorded in `masks` for "why it matched" (0 for none). */
  readonly bit: number;
}

export interface ScoringState {
  readonly store: PostingStore;
  /** Per id: 1 = live. */
  readonly state: Uint8Array;
  /** Per id weighted length normalisers of text, symbol, path. */
  readonly norms: readonly Float32Array[];
  /** Zeroed scratch, as long as the id space; the caller resets the returned ids afterwards. */
  readonly scores: Float64Array;
  readonly masks: Uint32Array;
  readonly k1: number;
}

/** Scores the query into `scores`/`masks`; returns every id it touched (for selection and reset). */
export function scoreTerms(s: ScoringState, plan: readonly TermPlan[], topK: number, allow?: (id: number) => boolean): number[] {
  const { store, state, scores, masks, k1 } = s;
  const [normT, normS, normP] = s.norms;
  const data = store.data;
  const touched: number[] = [];
  let remaining = plan.reduce((sum, p) => sum + p.weight, 0);
  let maxScore = 0;
  let next = 0;
  for (; next < plan.length; next++) {
    if (touched.length >= topK && remaining <= maxScore && remaining <= kthScore(touched, scores, topK, allow)) break;
    const { term, weight, bit } = plan[next];
    remaining -= weight;
    let pos = store.start[term];
    const end = pos + store.len[term];
    let id = -1;
    while (pos < end) {
      let b = data[pos++];
      let head = b & 0x7f;
      for (let shift = 7; b & 0x80; shift += 7) {
        b = data[pos++];
        head |= (b & 0x7f) << shift;
      }
      let value = IMPLIED_VALUE;
      if (head & 1) {
        b = data[pos++];
        value = b & 0x7f;
        for (let shift = 7; b & 0x80; shift += 7) {
          b = data[pos++];
          value |= (b & 0x7f) << shift;
        }
      }
      id += (head >>> 1) + 1;
      if (state[id] !== 1) continue;
      const tf = (value >> 2) * normT[id] + ((value >> 1) & 1) * normS[id] + (value & 1) * normP[id];
      const before = scores[id];
      if (before === 0) touched.push(id);
      const after = before + (weight * tf) / (k1 + tf);
      scores[id] = after;
      if (after > maxScore) maxScore = after;
      masks[id] |= bit;
    }
  }
  if (next === plan.length) return touched;

  // Phase 2: only candidates that can still make the top k. Per term, either look them up through
  // the skip blocks (few candidates, long list) or scan the list checking a candidate mark.
  let kth = kthScore(touched, scores, topK, allow);
  let candidates = Int32Array.from(touched.filter((id) => scores[id] + remaining >= kth && (!allow || allow(id)))).sort();
  for (const id of candidates) masks[id] |= CANDIDATE;
  for (; next < plan.length; next++) {
    const { term, weight, bit } = plan[next];
    remaining -= weight;
    const lookup = candidates.length * SKIP_BLOCK < store.count[term];
    const skip = lookup ? store.skips(term) : undefined;
    const blocks = skip ? skip.pos.length - 1 : 1;
    let block = 0;
    for (let c = 0; c < (lookup ? candidates.length : 1); c++) {
      const want = lookup ? candidates[c] : 0x7fffffff;
      let pos: number, end: number, id: number;
      if (skip) {
        while (block < blocks && skip.prevId[block + 1] < want) block++;
        if (block === blocks) break;
        pos = skip.pos[block];
        end = skip.pos[block + 1];
        id = skip.prevId[block];
      } else {
        pos = store.start[term];
        end = pos + store.len[term];
        id = -1;
      }
      while (pos < end && id < want) {
        let b = data[pos++];
        let head = b & 0x7f;
        for (let shift = 7; b & 0x80; shift += 7) {
          b = data[pos++];
          head |= (b & 0x7f) << shift;
        }
        let value = IMPLIED_VALUE;
        if (head & 1) {
          b = data[pos++];
          value = b & 0x7f;
          for (let shift = 7; b & 0x80; shift += 7) {
            b = data[pos++];
            value |= (b & 0x7f) << shift;
          }
        }
        id += (head >>> 1) + 1;
        if (lookup ? id !== want : (masks[id] & CANDIDATE) === 0) continue;
        const tf = (value >> 2) * normT[id] + ((value >> 1) & 1) * normS[id] + (value & 1) * normP[id];
        scores[id] += (weight * tf) / (k1 + tf);
        masks[id] |= bit;
      }
    }
    // Scores only grow: the k-th rises, the slack shrinks, candidates drop out.
    kth = Math.max(kth, kthScore(candidates, scores, topK));
    const keep = candidates.filter((id) => scores[id] + remaining >= kth);
    if (keep.length < candidates.length) {
      for (const id of candidates) masks[id] &= ~CANDIDATE;
      for (const id of keep) masks[id] |= CANDIDATE;
      candidates = keep;
    }
  }
  for (const id of candidates) masks[id] &= ~CANDIDATE;
  return touched;
}

/** The k-th best score among allowed candidates (−∞ when there are fewer than k). */
function kthScore(touched: ArrayLike<number>, scores: Float64Array, k: number, allow?: (id: number) => boolean): number {
  const best = new TopK(k);
  for (let i = 0; i < touched.length; i++) {
    const id = touched[i];
    if (scores[id] > best.threshold && (!allow || allow(id))) best.push(id, scores[id]);
  }
  return best.size < k ? -Infinity : best.threshold;
}
