/**
 * Pairs of unit rows above a cosine threshold, the search under Find Duplicates (chunks and whole
 * notes alike).
 *
 * - Exact blocked all-pairs over the contiguous Float32Array while that costs ≤ 1.5·10⁹
 *   multiply-adds (≈ 2,000 rows at 1,024-d).
 * - Above that, candidates come from sign-random-projection LSH (16 bands × 16 bits from a seeded
 *   fast Hadamard rotation: same input → same result), each verified exactly. Recall of a pair at
 *   exactly cosine 0.95 is ≈ 96%, at 0.98 ≈ 99.9%; pairs below the threshold cost nothing.
 */
import { dot } from './vectors';

export interface RowPair { readonly a: number; readonly b: number; readonly cos: number }

const EXACT_BUDGET = 1.5e9;
const BANDS = 16;
const BITS = 16;

/** Every pair (a < b) of the `m` unit rows with cosine ≥ threshold. */
export function pairsAbove(
  unit: Float32Array, m: number, dims: number, threshold: number,
  method: 'auto' | 'exact' | 'lsh' = 'auto', signal?: AbortSignal,
): { pairs: RowPair[]; method: 'exact' | 'lsh' } {
  const exact = method === 'exact' || (method !== 'lsh' && (m * m * dims) / 2 <= EXACT_BUDGET);
  return exact
    ? { pairs: allPairsAbove(unit, m, dims, threshold, signal), method: 'exact' }
    : { pairs: lshPairsAbove(unit, m, dims, threshold, signal), method: 'lsh' };
}

/** Exact: blocks of rows against all later rows, so a block stays in cache while the rest streams by. */
function allPairsAbove(unit: Float32Array, m: number, dims: number, threshold: number, signal?: AbortSignal): RowPair[] {
  const out: RowPair[] = [];
  const BLOCK = 64;
  for (let i0 = 0; i0 < m; i0 += BLOCK) {
    signal?.throwIfAborted();
    const i1 = Math.min(m, i0 + BLOCK);
    for (let j = i0 + 1; j < m; j++) {
      for (let i = i0; i < Math.min(i1, j); i++) {
        const c = dot(unit, i * dims, unit, j * dims, dims);
        if (c >= threshold) out.push({ a: i, b: j, cos: c });
      }
    }
  }
  return out;
}

/** LSH candidates (any band's 16 sign bits equal), each verified with the exact cosine. */
function lshPairsAbove(unit: Float32Array, m: number, dims: number, threshold: number, signal?: AbortSignal): RowPair[] {
  const codes = signCodes(unit, m, dims, signal);
  const seen = new Set<number>();
  const out: RowPair[] = [];
  for (let b = 0; b < BANDS; b++) {
    signal?.throwIfAborted();
    const buckets = new Map<number, number[]>();
    for (let r = 0; r < m; r++) {
      const key = codes[r * BANDS + b];
      const list = buckets.get(key);
      if (list) list.push(r);
      else buckets.set(key, [r]);
    }
    for (const list of buckets.values()) {
      for (let x = 0; x < list.length; x++) {
        for (let y = x + 1; y < list.length; y++) {
          const key = list[x] * m + list[y];
          if (seen.has(key)) continue;
          seen.add(key);
          const c = dot(unit, list[x] * dims, unit, list[y] * dims, dims);
          if (c >= threshold) out.push({ a: list[x], b: list[y], cos: c });
        }
      }
    }
  }
  return out;
}

/**
 * BANDS × BITS sign bits per row: signs of a pseudo-random rotation H·D₂·H·D₁·x (H = Walsh–Hadamard,
 * Dᵢ = seeded random ±1 diagonals, as in FALCONN). Each output coordinate is a ±1 hyperplane and
 * they are mutually orthogonal, so this is SimHash at O(d log d) per row instead of O(d · 256):
 * 20k × 1,024-d rows take well under a second instead of ~10 s. Rows shorter than the bits needed
 * are padded and rotated again with fresh signs.
 */
function signCodes(unit: Float32Array, m: number, dims: number, signal?: AbortSignal): Uint32Array {
  let size = 1;
  while (size < dims) size <<= 1;
  const needed = BANDS * BITS;
  const rounds = Math.ceil(needed / size);
  const signs = rademacher(rounds * 2 * size, 0x5eed);
  const buf = new Float32Array(size);
  const codes = new Uint32Array(m * BANDS);
  for (let r = 0; r < m; r++) {
    if (r % 1024 === 0) signal?.throwIfAborted();
    let bit = 0;
    for (let round = 0; round < rounds && bit < needed; round++) {
      buf.fill(0);
      const d1 = round * 2 * size;
      for (let d = 0; d < dims; d++) buf[d] = unit[r * dims + d] * signs[d1 + d];
      walshHadamard(buf);
      for (let d = 0; d < size; d++) buf[d] *= signs[d1 + size + d];
      walshHadamard(buf);
      for (let d = 0; d < size && bit < needed; d++, bit++) {
        if (buf[d] >= 0) codes[r * BANDS + ((bit / BITS) | 0)] |= 1 << bit % BITS;
      }
    }
  }
  return codes;
}

/** In-place unnormalised fast Walsh–Hadamard transform (length a power of two); scale is irrelevant to signs. */
function walshHadamard(v: Float32Array): void {
  for (let h = 1; h < v.length; h <<= 1) {
    for (let i = 0; i < v.length; i += h << 1) {
      for (let j = i; j < i + h; j++) {
        const x = v[j];
        const y = v[j + h];
        v[j] = x + y;
        v[j + h] = x - y;
      }
    }
  }
}

/** ±1 values from a seeded xorshift32: deterministic. */
function rademacher(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 1 ? 1 : -1;
  }
  return out;
}

