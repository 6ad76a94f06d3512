/**
 * Near-duplicate chunks: copy-pasted code, duplicated notes. Pairs above a cosine threshold are
 * grouped with union-find.
 *
 * - Thresholds: 0.95 for remote vectors. Offline LSA vectors are low-rank, so texts on the same
 *   subject easily reach 0.95 without being copies: offline uses 0.98 AND confirms each pair by
 *   text (Jaccard of the chunks' term sets ≥ 0.7).
 * - Tiny chunks (< 20 tokens: imports, closing braces, one-line headings) are skipped; they match
 *   everything and mean nothing.
 * - Overlapping chunks of the same file (sliding windows) are not duplicates of each other.
 * - Speed: exact blocked all-pairs over the contiguous Float32Array while that costs ≤ 1.5·10⁹
 *   multiply-adds (≈ 2,000 chunks at 1,024-d); above, candidates come from sign-random-projection
 *   LSH (16 bands × 16 bits from a seeded fast Hadamard rotation: same input → same result) and
 *   are verified exactly. Recall of a
 *   pair at exactly cosine 0.95 is ≈ 96%, at 0.98 ≈ 99.9%; pairs below the threshold cost nothing.
 *
 * Maps onto the CLI contract `{"groups": [{"score", "members": [{"path", "startLine", "endLine"}]}]}`.
 */
import type { AnalysisInput } from '../engineTypes';
import { tokenize } from '../text/tokenize';
import { dot, normalizeInPlace, round } from './vectors';

export interface DuplicateOptions {
  /** Cosine threshold. Default 0.95 (remote) / 0.98 (offline). */
  readonly threshold?: number;
  /** Chunks with fewer estimated tokens are ignored. Default 20. */
  readonly minTokens?: number;
  /** Confirm pairs by text similarity. Default: only for the offline provider. */
  readonly confirmByText?: boolean;
  /** Minimum Jaccard of term sets when confirming by text. Default 0.7. */
  readonly minTextSimilarity?: number;
  /** Force a pair search (tests, benchmarks); default `auto` picks by the cost of the exact search. */
  readonly method?: 'auto' | 'exact' | 'lsh';
  readonly signal?: AbortSignal;
}

export interface DuplicateMember {
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
}

export interface DuplicateGroup {
  /** Mean cosine of the confirmed pairs that joined the group. */
  readonly score: number;
  readonly members: readonly DuplicateMember[];
}

export interface DuplicatesResult {
  /** Highest score first. */
  readonly groups: readonly DuplicateGroup[];
  readonly threshold: number;
  readonly method: 'exact' | 'lsh';
}

export const REMOTE_DUPLICATE_THRESHOLD = 0.95;
export const OFFLINE_DUPLICATE_THRESHOLD = 0.98;
const EXACT_BUDGET = 1.5e9;
const BANDS = 16;
const BITS = 16;

interface Pair { readonly a: number; readonly b: number; readonly cos: number }

export async function findDuplicates(input: AnalysisInput, options: DuplicateOptions = {}): Promise<DuplicatesResult> {
  const offline = input.provider === 'offline';
  const threshold = options.threshold ?? (offline ? OFFLINE_DUPLICATE_THRESHOLD : REMOTE_DUPLICATE_THRESHOLD);
  const { chunks, dims } = input;
  const minTokens = options.minTokens ?? 20;
  // Eligible chunks, in a stable order (path, line) so results never depend on index order.
  const ids = chunks
    .map((_, i) => i)
    .filter((i) => chunks[i].tokens >= minTokens)
    .sort((x, y) => cmp(chunks[x].path, chunks[y].path) || chunks[x].startLine - chunks[y].startLine || x - y);
  const m = ids.length;
  const unit = new Float32Array(m * dims);
  ids.forEach((ci, r) => {
    unit.set(input.vectors.subarray(ci * dims, ci * dims + dims), r * dims);
    normalizeInPlace(unit, r * dims, dims);
  });

  const sameSpan = (a: number, b: number) => {
    const x = chunks[ids[a]];
    const y = chunks[ids[b]];
    return x.path === y.path && x.startLine <= y.endLine && y.startLine <= x.endLine;
  };
  const exact = options.method === 'exact' || (options.method !== 'lsh' && (m * m * dims) / 2 <= EXACT_BUDGET);
  let pairs = exact ? allPairsAbove(unit, m, dims, threshold, options.signal) : lshPairsAbove(unit, m, dims, threshold, options.signal);
  pairs = pairs.filter((p) => !sameSpan(p.a, p.b));

  if (options.confirmByText ?? offline) {
    const minJaccard = options.minTextSimilarity ?? 0.7;
    const terms = new Map<number, Set<string>>();
    const termsOf = async (r: number) => {
      let t = terms.get(r);
      if (!t) terms.set(r, (t = new Set(tokenize((await input.readText(chunks[ids[r]])) ?? ''))));
      return t;
    };
    const kept: Pair[] = [];
    for (const p of pairs) if (jaccard(await termsOf(p.a), await termsOf(p.b)) >= minJaccard) kept.push(p);
    pairs = kept;
  }

  const groups = groupPairs(pairs, m).map(({ rows, cosines }) => ({
    score: round(cosines.reduce((s, c) => s + c, 0) / cosines.length),
    members: rows.map((r) => ({ path: chunks[ids[r]].path, startLine: chunks[ids[r]].startLine, endLine: chunks[ids[r]].endLine })),
  }));
  groups.sort((x, y) => y.score - x.score || y.members.length - x.members.length || cmp(x.members[0].path, y.members[0].path) || x.members[0].startLine - y.members[0].startLine);
  return { groups, threshold, method: exact ? 'exact' : 'lsh' };
}

/** Exact: blocks of rows against all later rows, so a block stays in cache while the rest streams by. */
function allPairsAbove(unit: Float32Array, m: number, dims: number, threshold: number, signal?: AbortSignal): Pair[] {
  const out: Pair[] = [];
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
function lshPairsAbove(unit: Float32Array, m: number, dims: number, threshold: number, signal?: AbortSignal): Pair[] {
  const codes = signCodes(unit, m, dims, signal);
  const seen = new Set<number>();
  const out: Pair[] = [];
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

function groupPairs(pairs: readonly Pair[], m: number): { rows: number[]; cosines: number[] }[] {
  const parent = new Int32Array(m).map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const p of pairs) {
    const a = find(p.a);
    const b = find(p.b);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const groups = new Map<number, { rows: Set<number>; cosines: number[] }>();
  for (const p of pairs) {
    const root = find(p.a);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { rows: new Set(), cosines: [] }));
    g.rows.add(p.a).add(p.b);
    g.cosines.push(p.cos);
  }
  return [...groups.values()].map((g) => ({ rows: [...g.rows].sort((x, y) => x - y), cosines: g.cosines }));
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let inter = 0;
  for (const t of a) if (b.has(t)) inter++;
  const union = a.size + b.size - inter;
  return union ? inter / union : 1;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
