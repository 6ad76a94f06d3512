/**
 * TF-IDF → truncated SVD (LSA), fitted on the workspace itself.
 *
 * The randomized SVD (Halko, Martinsson & Tropp 2011) only needs sparse×dense products over the
 * n×V tf-idf matrix and small dense work: a QR of the tall n×l matrix (CholeskyQR / CholeskyQR2
 * here) and the eigen-decomposition of an l×l Gram matrix (ml-matrix). With a seeded PRNG and a
 * fixed order of every sum, the same corpus always yields the same basis, bit for bit.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { tokenize } from '../../text/tokenize';
import { pacer, type Pacer } from '../../text/pace';
import { fillGaussian, mulberry32 } from './prng';

export interface FitOptions {
  readonly dims: number;
  readonly maxVocabulary: number;
  /** Documents used for the fit (an even, deterministic sample beyond this). */
  readonly maxDocuments: number;
  readonly oversample?: number;
  readonly powerIterations?: number;
  readonly seed?: number;
  /** Called between the heavy passes: lets the caller yield to the event loop and cancel. */
  readonly checkpoint?: () => Promise<void>;
  /** Term counts of a text (default `termCounts`); lets the caller reuse one tokenization. */
  readonly termCounts?: (text: string) => Map<string, number>;
}

export interface FittedBasis {
  /** Vocabulary, sorted. */
  readonly terms: string[];
  readonly idf: Float32Array;
  /** V × dims, row-major: term j's coordinates in the latent space. */
  readonly projection: Float64Array;
  readonly dims: number;
}

/** Counts of a text's terms, in first-seen order (a fixed order keeps the sums reproducible). */
export function termCounts(text: string): Map<string, number> {
  return countTerms(tokenize(text));
}

/** `termCounts` of a text from its `tokenize` output. */
export function countTerms(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

/** How the fitted basis is shaped (bench/quality dev experiments change it; the product does not). */
export const LSA_SHAPE = { sigmaPower: 1 };

/** Sublinear tf, as in most LSA setups: a term repeated 20 times is not 20 times as telling. */
export const tfWeight = (tf: number): number => 1 + Math.log(tf);

interface Csr { readonly rows: number; readonly cols: number; readonly ptr: Int32Array; readonly idx: Int32Array; readonly val: Float64Array }

export async function fitLsa(texts: readonly string[], opt: FitOptions): Promise<FittedBasis> {
  const tick = opt.checkpoint ?? (async () => {});
  const n = Math.min(texts.length, opt.maxDocuments);
  const counts = opt.termCounts ?? termCounts;
  const sample: Map<string, number>[] = [];
  const pace = pacer();
  for (let i = 0; i < n; i++) {
    sample.push(counts(texts[Math.floor((i * texts.length) / n)]));
    if (pace.due()) await pace.pause(tick);
  }
  // Vocabulary: the most widespread terms, ties broken by the term itself; hapaxes are noise
  // for LSA (they cannot co-occur) unless the corpus is tiny.
  const df = new Map<string, number>();
  for (const doc of sample) {
    for (const t of doc.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    if (pace.due()) await pace.pause(tick);
  }
  const minDf = n >= 50 ? 2 : 1;
  const terms = [...df.entries()]
    .filter(([, d]) => d >= minDf)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, opt.maxVocabulary)
    .map(([t]) => t)
    .sort();
  const V = terms.length;
  const termIndex = new Map(terms.map((t, i) => [t, i]));
  const idf = new Float32Array(V);
  terms.forEach((t, j) => (idf[j] = Math.log((1 + n) / (1 + (df.get(t) ?? 0))) + 1));

  await tick();
  const A = await buildCsr(sample, termIndex, idf, pace, tick);
  await tick();
  const projection = await randomizedRightSingular(A, opt, tick);
  return { terms, idf, projection, dims: opt.dims };
}

/** Rows = documents (tf-idf, L2-normalized so long files do not dominate the basis). */
async function buildCsr(docs: readonly Map<string, number>[], termIndex: Map<string, number>, idf: Float32Array, pace: Pacer, tick: () => Promise<void>): Promise<Csr> {
  const ptr = new Int32Array(docs.length + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < docs.length; i++) {
    if (pace.due()) await pace.pause(tick);
    const doc = docs[i];
    const start = idx.length;
    let norm = 0;
    for (const [t, tf] of doc) {
      const j = termIndex.get(t);
      if (j === undefined) continue;
      const w = tfWeight(tf) * idf[j];
      idx.push(j);
      val.push(w);
      norm += w * w;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let k = start; k < val.length; k++) val[k] *= inv;
    ptr[i + 1] = idx.length;
  }
  return { rows: docs.length, cols: termIndex.size, ptr, idx: Int32Array.from(idx), val: Float64Array.from(val) };
}

/**
 * The heavy passes below run on the caller's thread (the extension host): they give the event
 * loop a turn every slice (`Slices`); the arithmetic and its order do not depend on where.
 */
interface Slices {
  readonly pace: Pacer;
  readonly tick: () => Promise<void>;
}

/** out (rows×l) = A · X, X is cols×l row-major. */
async function mulA(A: Csr, X: Float64Array, l: number, s: Slices): Promise<Float64Array> {
  const out = new Float64Array(A.rows * l);
  for (let i = 0; i < A.rows; i++) {
    if (s.pace.due()) await s.pace.pause(s.tick);
    const o = i * l;
    const end = A.ptr[i + 1];
    let k = A.ptr[i];
    // Four terms per pass over the output row: the same sums in the same order as one by one.
    for (; k + 4 <= end; k += 4) {
      const a0 = A.val[k], a1 = A.val[k + 1], a2 = A.val[k + 2], a3 = A.val[k + 3];
      const x0 = A.idx[k] * l, x1 = A.idx[k + 1] * l, x2 = A.idx[k + 2] * l, x3 = A.idx[k + 3] * l;
      for (let c = 0; c < l; c++) out[o + c] = out[o + c] + a0 * X[x0 + c] + a1 * X[x1 + c] + a2 * X[x2 + c] + a3 * X[x3 + c];
    }
    for (; k < end; k++) {
      const a = A.val[k], x = A.idx[k] * l;
      for (let c = 0; c < l; c++) out[o + c] += a * X[x + c];
    }
  }
  return out;
}

/**
 * Aᵀ as a CSR of its own (documents in ascending order within each term), so Aᵀ · Y is a gather
 * (`mulA`) instead of a scatter over the whole output: each term's sum still adds the documents in
 * the same order as a row-by-row scatter would, so the products are the same, bit for bit.
 */
function transposeCsr(A: Csr): Csr {
  const ptr = new Int32Array(A.cols + 1);
  for (let k = 0; k < A.ptr[A.rows]; k++) ptr[A.idx[k] + 1]++;
  for (let j = 0; j < A.cols; j++) ptr[j + 1] += ptr[j];
  const next = ptr.slice(0, A.cols);
  const idx = new Int32Array(A.ptr[A.rows]);
  const val = new Float64Array(A.ptr[A.rows]);
  for (let i = 0; i < A.rows; i++) {
    for (let k = A.ptr[i]; k < A.ptr[i + 1]; k++) {
      const at = next[A.idx[k]]++;
      idx[at] = i;
      val[at] = A.val[k];
    }
  }
  return { rows: A.cols, cols: A.rows, ptr, idx, val };
}

/**
 * Orthonormalizes the columns of a rows×l row-major matrix in place with CholeskyQR, `passes` times
 * (CholeskyQR2 — "twice is enough" — where full orthogonality matters): G = MᵀM = RᵀR, M ← M R⁻¹.
 * Both steps stream over the rows of M in its own layout (no column copies) and cost rows·l²/2
 * multiply-adds each. A column whose pivot vanishes relative to its own norm (rank below l, e.g. a
 * tiny corpus) becomes zero instead of amplified noise, as in Gram–Schmidt.
 */
async function orthonormalize(M: Float64Array, rows: number, l: number, passes: number, s: Slices): Promise<void> {
  /** inv[c] = 1 / R[c][c], or 0 for a dropped column (R is kept in G's upper triangle). */
  const inv = new Float64Array(l);
  const y = new Float64Array(l);
  for (let pass = 0; pass < passes; pass++) {
    // Upper triangle of MᵀM, summed row by row (fixed order: reproducible); a fresh one each pass.
    const G = await upperGram(M, rows, l, s);
    // Cholesky G = RᵀR in place (upper triangle becomes R). A pivot that kept less than 1e-12 of
    // the column's squared norm (residual < 1e-6 relative: the Gram matrix squares the condition
    // number, so anything smaller is rounding) is rank deficiency: drop the column.
    for (let c = 0; c < l; c++) {
      const diag0 = G[c * l + c];
      let d = diag0;
      for (let p = 0; p < c; p++) d -= G[p * l + c] * G[p * l + c];
      if (!(diag0 > 0) || !(d > diag0 * 1e-12)) {
        inv[c] = 0;
        for (let b = c; b < l; b++) G[c * l + b] = 0;
        continue;
      }
      const rcc = Math.sqrt(d);
      inv[c] = 1 / rcc;
      G[c * l + c] = rcc;
      for (let b = c + 1; b < l; b++) {
        let s = G[c * l + b];
        for (let p = 0; p < c; p++) s -= G[p * l + c] * G[p * l + b];
        G[c * l + b] = s * inv[c];
      }
    }
    // Each row m of M becomes y with y R = m (forward substitution over the columns), in place;
    // four rows at a time share the loads of R (each row's arithmetic is unchanged).
    let q = 0;
    for (; q + 4 <= rows; q += 4) {
      if (s.pace.due()) await s.pace.pause(s.tick);
      const o0 = q * l, o1 = o0 + l, o2 = o1 + l, o3 = o2 + l;
      for (let c = 0; c < l; c++) {
        const ic = inv[c];
        const v0 = ic === 0 ? 0 : M[o0 + c] * ic, v1 = ic === 0 ? 0 : M[o1 + c] * ic;
        const v2 = ic === 0 ? 0 : M[o2 + c] * ic, v3 = ic === 0 ? 0 : M[o3 + c] * ic;
        M[o0 + c] = v0; M[o1 + c] = v1; M[o2 + c] = v2; M[o3 + c] = v3;
        const g = c * l;
        for (let b = c + 1; b < l; b++) {
          const rb = G[g + b];
          M[o0 + b] -= v0 * rb; M[o1 + b] -= v1 * rb; M[o2 + b] -= v2 * rb; M[o3 + b] -= v3 * rb;
        }
      }
    }
    for (; q < rows; q++) {
      const o = q * l;
      for (let c = 0; c < l; c++) y[c] = M[o + c];
      for (let c = 0; c < l; c++) {
        const v = inv[c] === 0 ? 0 : y[c] * inv[c];
        y[c] = v;
        if (v === 0) continue;
        const g = c * l;
        for (let b = c + 1; b < l; b++) y[b] -= v * G[g + b];
      }
      for (let c = 0; c < l; c++) M[o + c] = y[c];
    }
  }
}

/** Upper triangle of XᵀX for a rows×l row-major X, four rows per pass over G (same sums, same order as row by row). */
async function upperGram(X: Float64Array, rows: number, l: number, s: Slices): Promise<Float64Array> {
  const G = new Float64Array(l * l);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    if (s.pace.due()) await s.pace.pause(s.tick);
    const o0 = r * l, o1 = o0 + l, o2 = o1 + l, o3 = o2 + l;
    for (let a = 0; a < l; a++) {
      const x0 = X[o0 + a], x1 = X[o1 + a], x2 = X[o2 + a], x3 = X[o3 + a];
      const g = a * l;
      for (let b = a; b < l; b++) G[g + b] = G[g + b] + x0 * X[o0 + b] + x1 * X[o1 + b] + x2 * X[o2 + b] + x3 * X[o3 + b];
    }
  }
  for (; r < rows; r++) {
    const o = r * l;
    for (let a = 0; a < l; a++) {
      const x = X[o + a];
      const g = a * l;
      for (let b = a; b < l; b++) G[g + b] += x * X[o + b];
    }
  }
  return G;
}

/** Top `dims` right singular vectors of A, scaled by nothing (V × dims, row-major). */
async function randomizedRightSingular(A: Csr, opt: FitOptions, tick: () => Promise<void>): Promise<Float64Array> {
  const k = opt.dims;
  const V = A.cols;
  const W = new Float64Array(V * k);
  if (A.rows === 0 || V === 0) return W;
  const l = Math.min(k + (opt.oversample ?? 10), Math.max(1, Math.min(A.rows, V)));
  const omega = new Float64Array(V * l);
  fillGaussian(omega, mulberry32(opt.seed ?? 0x5eed));

  // Power iterations (A Aᵀ)^q A Ω sharpen the spectrum. Only the n-side is re-orthonormalized
  // between steps (one CholeskyQR pass; two — CholeskyQR2 — for the final Q): the V-side products stay well
  // conditioned for q ≤ 2 and skipping them halves the dense work.
  const sl: Slices = { pace: pacer(), tick };
  const At = transposeCsr(A);
  let Q = await mulA(A, omega, l, sl);
  const q = opt.powerIterations ?? 2;
  await orthonormalize(Q, A.rows, l, q === 0 ? 2 : 1, sl);
  await tick();
  for (let it = 0; it < q; it++) {
    Q = await mulA(A, await mulA(At, Q, l, sl), l, sl);
    await orthonormalize(Q, A.rows, l, it === q - 1 ? 2 : 1, sl);
    await tick();
  }
  // B = Qᵀ A (l × V); its right singular vectors approximate A's. Via the small Gram matrix
  // G = B Bᵀ = Ũ Σ² Ũᵀ, so v_i = Bᵀ ũ_i / σ_i — an l×l eigenproblem instead of an l×V SVD.
  const Bt = await mulA(At, Q, l, sl);
  const G = await upperGram(Bt, V, l, sl);
  const rowsG: number[][] = [];
  for (let a = 0; a < l; a++) {
    const row: number[] = [];
    for (let b = 0; b < l; b++) row.push(a <= b ? G[a * l + b] : G[b * l + a]);
    rowsG.push(row);
  }
  const evd = new EigenvalueDecomposition(new Matrix(rowsG), { assumeSymmetric: true });
  const lambda = evd.realEigenvalues;
  const U = evd.eigenvectorMatrix;
  const order = lambda.map((_, i) => i).sort((x, y) => lambda[y] - lambda[x] || x - y);
  const top = Math.max(lambda[order[0]] ?? 0, 0);
  // Kept columns: their eigenvector (l values, one after the other) and scale.
  const cols: number[] = [];
  const scale: number[] = [];
  const us = new Float64Array(Math.min(k, l) * l);
  for (let c = 0; c < Math.min(k, l); c++) {
    const e = order[c];
    if (!(lambda[e] > top * 1e-10) || top === 0) continue; // rank exhausted: leave the column zero
    // Term coordinates are v_i (a text's projection then carries σ_i, as U Σ does); LSA_SHAPE.sigmaPower
    // p rescales them to σ_i^(p−1) v_i, i.e. U Σ^p (p < 1 damps the dominant generic directions).
    scale.push((1 / Math.sqrt(lambda[e])) * Math.pow(Math.sqrt(lambda[e]) / Math.sqrt(top), LSA_SHAPE.sigmaPower - 1));
    us.set(U.getColumn(e), cols.length * l);
    cols.push(c);
  }
  // W[j][c] = (Bt[j] · u_c) · scale_c, term by term: each row of Bt is read once while it is in cache.
  const best = new Float64Array(cols.length);
  for (let j = 0; j < V; j++) {
    if (sl.pace.due()) await sl.pace.pause(tick);
    const o = j * l;
    for (let i = 0; i < cols.length; i++) {
      const u = i * l;
      let s = 0;
      for (let a = 0; a < l; a++) s += Bt[o + a] * us[u + a];
      const w = s * scale[i];
      W[j * k + cols[i]] = w;
      if (Math.abs(w) > Math.abs(best[i])) best[i] = w;
    }
  }
  // Singular vectors are defined up to sign; fix it so the basis never flips between builds.
  cols.forEach((c, i) => {
    if (best[i] < 0) for (let j = 0; j < V; j++) W[j * k + c] = -W[j * k + c];
  });
  return W;
}
