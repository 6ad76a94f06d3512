/**
 * The offline model as stored in the index (`model-<basisId>.bin`) and as used to project texts.
 *
 * The projection is quantized to int8 with one float32 scale per term: 4× smaller than float32
 * (a 12k-term × 128-d basis is 1.5 MB instead of 6 MB) for an error of <0.5% per coordinate,
 * which the final L2 normalization averages out. The fit result is always round-tripped through
 * this format before use, so vectors computed right after a fit and after a reload are identical.
 *
 * Layout (little-endian): "SWOM" | u32 version | u32 dims | u32 V | u32 termBytes
 *   | terms joined by "\n" (UTF-8, padded to 4) | f32 idf[V] | f32 scale[V] | i8 proj[V × dims]
 */
import crypto from 'node:crypto';
import type { FittedBasis } from './lsa';
import { termCounts, tfWeight } from './lsa';

const MAGIC = 0x4d4f5753; // "SWOM"
const VERSION = 1;
const pad4 = (n: number) => (n + 3) & ~3;

export class OfflineModel {
  private readonly termIndex: Map<string, number>;

  private constructor(
    readonly terms: readonly string[],
    readonly idf: Float32Array,
    /** Dequantized projection, V × dims row-major. */
    private readonly proj: Float32Array,
    readonly dims: number,
    readonly bytes: Uint8Array,
    /** Hash of `bytes`: identifies the basis in the manifest and the vector cache. */
    readonly basisId: string,
  ) {
    this.termIndex = new Map(terms.map((t, i) => [t, i]));
  }

  static fromFit(fit: FittedBasis): OfflineModel {
    return OfflineModel.deserialize(serialize(fit));
  }

  static deserialize(bytes: Uint8Array): OfflineModel {
    const bad = (why: string) => new Error(`offline model: ${why}`);
    if (bytes.length < 20) throw bad('truncated');
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (dv.getUint32(0, true) !== MAGIC || dv.getUint32(4, true) !== VERSION) throw bad('bad magic or version');
    const dims = dv.getUint32(8, true);
    const V = dv.getUint32(12, true);
    const termBytes = dv.getUint32(16, true);
    const base = 20 + pad4(termBytes);
    if (dims < 1 || bytes.length !== base + V * 8 + V * dims) throw bad('length does not match its header');
    const termText = Buffer.from(bytes.buffer, bytes.byteOffset + 20, termBytes).toString('utf8');
    const terms = V === 0 ? [] : termText.split('\n');
    if (terms.length !== V) throw bad('vocabulary size mismatch');
    const idf = new Float32Array(V);
    const scale = new Float32Array(V);
    for (let j = 0; j < V; j++) {
      idf[j] = dv.getFloat32(base + j * 4, true);
      scale[j] = dv.getFloat32(base + V * 4 + j * 4, true);
    }
    const q = new Int8Array(bytes.buffer, bytes.byteOffset + base + V * 8, V * dims);
    const proj = new Float32Array(V * dims);
    for (let j = 0; j < V; j++) for (let c = 0; c < dims; c++) proj[j * dims + c] = q[j * dims + c] * scale[j];
    const own = Uint8Array.from(bytes);
    return new OfflineModel(terms, idf, proj, dims, own, crypto.createHash('sha256').update(own).digest('hex').slice(0, 16));
  }

  /** tf-idf of the text projected on the basis, L2-normalized; all zeros when no term is known. */
  project(text: string): Float32Array {
    return this.projectCounts(termCounts(text));
  }

  /** `vocab[termId]` = this basis's row of each term of a run's dictionary (-1: not in the vocabulary). */
  vocabularyOf(terms: readonly string[]): Int32Array {
    const out = new Int32Array(terms.length);
    terms.forEach((t, i) => (out[i] = this.termIndex.get(t) ?? -1));
    return out;
  }

  /**
   * `projectCounts` of `(termId, tf)` pairs in the same first-seen order (ids mapped by
   * `vocabularyOf`): the same sums in the same order, so the same vector bit for bit.
   */
  projectPairs(pairs: Int32Array, vocab: Int32Array): Float32Array {
    const d = this.dims, P = this.proj;
    const acc = new Float64Array(d);
    // Terms go in fours: one pass over acc adds four rows, left to right, which is the same
    // rounding as four passes (JavaScript never fuses a multiply-add).
    let n = 0, w0 = 0, w1 = 0, w2 = 0, o0 = 0, o1 = 0, o2 = 0;
    for (let k = 0; k < pairs.length; k += 2) {
      const j = vocab[pairs[k]];
      if (j === undefined || j < 0) continue;
      const w = tfWeight(pairs[k + 1]) * this.idf[j];
      const o = j * d;
      if (n === 0) { w0 = w; o0 = o; n = 1; continue; }
      if (n === 1) { w1 = w; o1 = o; n = 2; continue; }
      if (n === 2) { w2 = w; o2 = o; n = 3; continue; }
      for (let c = 0; c < d; c++) acc[c] = acc[c] + w0 * P[o0 + c] + w1 * P[o1 + c] + w2 * P[o2 + c] + w * P[o + c];
      n = 0;
    }
    if (n > 0) for (let c = 0; c < d; c++) acc[c] += w0 * P[o0 + c];
    if (n > 1) for (let c = 0; c < d; c++) acc[c] += w1 * P[o1 + c];
    if (n > 2) for (let c = 0; c < d; c++) acc[c] += w2 * P[o2 + c];
    return this.normalized(acc);
  }

  /** `project` of a text given its `termCounts` (same order, so the same vector bit for bit). */
  projectCounts(counts: ReadonlyMap<string, number>): Float32Array {
    const acc = new Float64Array(this.dims);
    for (const [t, tf] of counts) {
      const j = this.termIndex.get(t);
      if (j === undefined) continue;
      const w = tfWeight(tf) * this.idf[j];
      const o = j * this.dims;
      for (let c = 0; c < this.dims; c++) acc[c] += w * this.proj[o + c];
    }
    return this.normalized(acc);
  }

  private normalized(acc: Float64Array): Float32Array {
    let norm = 0;
    for (let c = 0; c < this.dims; c++) norm += acc[c] * acc[c];
    const out = new Float32Array(this.dims);
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let c = 0; c < this.dims; c++) out[c] = acc[c] * inv;
    }
    return out;
  }
}

function serialize(fit: FittedBasis): Uint8Array {
  const V = fit.terms.length;
  const k = fit.dims;
  const termBuf = Buffer.from(fit.terms.join('\n'), 'utf8');
  const base = 20 + pad4(termBuf.length);
  const out = new Uint8Array(base + V * 8 + V * k);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, VERSION, true);
  dv.setUint32(8, k, true);
  dv.setUint32(12, V, true);
  dv.setUint32(16, termBuf.length, true);
  out.set(termBuf, 20);
  const q = new Int8Array(out.buffer, base + V * 8, V * k);
  for (let j = 0; j < V; j++) {
    let max = 0;
    for (let c = 0; c < k; c++) max = Math.max(max, Math.abs(fit.projection[j * k + c]));
    const scale = max > 0 ? max / 127 : 0;
    dv.setFloat32(base + j * 4, fit.idf[j], true);
    dv.setFloat32(base + V * 4 + j * 4, scale, true);
    for (let c = 0; c < k; c++) q[j * k + c] = scale > 0 ? Math.round(fit.projection[j * k + c] / scale) : 0;
  }
  return out;
}
