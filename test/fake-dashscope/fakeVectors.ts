/**
 * Deterministic, meaningful-enough vectors for the fake server. Texts sharing words land near each
 * other: every token of the product's own tokenizer (CJK included) is feature-hashed into the
 * 2048-d space, plus a little seeded noise, then L2-normalized. Each token hits one slot in each
 * of the prefixes 64/256/1024/2048, so every Matryoshka prefix (the d-dim vector is the first d
 * components re-normalized) still carries the words. Values are float32-representable, so a client
 * that parses the JSON into a Float32Array gets exactly `fakeEmbedding(...)`.
 */
import { createHash } from 'node:crypto';
import { tokenize } from '../../src/core/text/tokenize';

export const FULL_DIMS = 2048;
const SCALES = [64, 256, 1024, 2048];
const NOISE_NORM = 0.08;
/** Qwen vocabulary size: sparse indices stay below it (contract §9.6). */
export const SPARSE_VOCAB = 151_643;

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/gu;

/** Heuristic usage count (contract §9.5): 0.62 tokens per CJK char, 4.2 other chars per token, +1 EOS. */
export function fakeTokenCount(text: string): number {
  if (!text) return 0;
  const cjk = text.match(CJK)?.length ?? 0;
  const other = [...text].length - cjk;
  return Math.max(1, Math.round(cjk * 0.62 + other / 4.2)) + 1;
}

export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A query in Qwen3 format embeds like its query part: the "model" understands the instruction. */
function stripInstruction(text: string): string {
  const m = /^Instruct: [^\n]*\nQuery:\s?([\s\S]*)$/.exec(text);
  return m ? m[1] : text;
}

const slotCache = new Map<string, Int32Array>();
function slots(model: string, token: string): Int32Array {
  const key = `${model}\0${token}`;
  let s = slotCache.get(key);
  if (!s) {
    const d = createHash('sha256').update(key).digest();
    s = new Int32Array(SCALES.length);
    // Slot k: an index in the first SCALES[k] dims; a negative sign is stored as ~index.
    SCALES.forEach((scale, k) => {
      const x = d.readUInt32LE(k * 4);
      const index = x % scale;
      s![k] = x & 0x80000000 ? ~index : index;
    });
    if (slotCache.size > 200_000) slotCache.clear();
    slotCache.set(key, s);
  }
  return s;
}

function prng(seed: Buffer): () => number {
  let a = seed.readUInt32LE(0) ^ seed.readUInt32LE(4);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FakeEmbedParams {
  readonly model: string;
  readonly dims: number;
  readonly textType?: string;
  readonly instruct?: string;
}

const fullCache = new Map<string, Float64Array>();

function l2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s) || 1;
}

function fullVector(text: string, p: FakeEmbedParams): Float64Array {
  const seedKey = `${p.model}\0${p.textType ?? 'document'}\0${p.instruct ?? ''}\0${text}`;
  const cached = fullCache.get(seedKey);
  if (cached) return cached;
  const v = new Float64Array(FULL_DIMS);
  const tf = new Map<string, number>();
  for (const t of tokenize(stripInstruction(text))) tf.set(t, (tf.get(t) ?? 0) + 1);
  for (const [t, n] of tf) {
    const w = 1 + Math.log(n);
    for (const slot of slots(p.model, t)) {
      if (slot < 0) v[~slot] -= w;
      else v[slot] += w;
    }
  }
  let norm = l2(v);
  for (let i = 0; i < FULL_DIMS; i++) v[i] /= norm;
  // Seeded noise: query and document of the same text differ a little, as real models do.
  const rnd = prng(createHash('sha256').update(seedKey).digest());
  const noiseScale = (NOISE_NORM / Math.sqrt(FULL_DIMS)) * Math.sqrt(3);
  for (let i = 0; i < FULL_DIMS; i++) v[i] += (rnd() * 2 - 1) * noiseScale;
  norm = l2(v);
  for (let i = 0; i < FULL_DIMS; i++) v[i] /= norm;
  if (fullCache.size > 50_000) fullCache.clear();
  fullCache.set(seedKey, v);
  return v;
}

/** The d-dim vector: prefix of the 2048-d one, re-normalized, rounded to float32. */
export function fakeEmbedding(text: string, p: FakeEmbedParams): Float32Array {
  const full = fullVector(text, p);
  const out = new Float32Array(p.dims);
  let norm = 0;
  for (let i = 0; i < p.dims; i++) norm += full[i] * full[i];
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < p.dims; i++) out[i] = full[i] / norm;
  return out;
}

/** Sparse lexical weights `{index, value, token}` (DashScope `dense&sparse`). */
export function fakeSparse(text: string, model: string): { index: number; value: number; token: string }[] {
  const tf = new Map<string, number>();
  for (const t of tokenize(stripInstruction(text), { bigrams: false, dropStopWords: true })) tf.set(t, (tf.get(t) ?? 0) + 1);
  const max = Math.max(1, ...tf.values());
  return [...tf].map(([token, n]) => ({
    index: createHash('sha256').update(`${model}\0${token}`).digest().readUInt32LE(0) % SPARSE_VOCAB,
    value: Math.round((0.3 + (0.7 * n) / max) * 10_000) / 10_000,
    token,
  }));
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / (Math.sqrt(na * nb) || 1);
}
