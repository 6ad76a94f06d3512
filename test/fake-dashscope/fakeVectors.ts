/**
 * Deterministic vectors for the fake server that behave like a (very small) embedding model for
 * topical similarity: texts about the same things land near each other, unrelated texts near 0.
 *
 * - Terms come from the product's own tokenizer (`tokenizeLabeled`, CJK included) and are weighted
 *   like a bag-of-words model with a fixed, corpus-free idf: whole words count fully, whole
 *   identifiers (`parsehttpheader` next to its parts) 0.6, CJK character bigrams less (0.4 inside a
 *   word, 0.3 across a word boundary: they match texts segmented differently, and compounds the
 *   segmenter splits, 数据|库), lone CJK characters not at all; very common words (a short built-in list, English and Chinese),
 *   digits and very short words are damped. Term frequency is sublinear (1 + ln tf).
 * - Each term is a sparse random ±1 pattern with the same density (1/32) in every band of the
 *   Matryoshka prefixes 64 | 128 | 256 | 512 | 1024 | 2048 (at least two positions per band), so
 *   the d-dim prefix of the 2048-d vector samples every term and its cosines estimate the full
 *   ones; larger prefixes just have fewer collisions.
 * - A query's instruction (the `instruct` parameter, or the Qwen3 `Instruct: …\nQuery:` text form)
 *   is mixed in at 8 % of the query's weight: it shifts the query a little, never its ranking.
 * - Seeded noise (norm ≈ 0.05) makes query and document of the same text differ a little, as real
 *   models do.
 *
 * The d-dim vector is the first d components of the 2048-d one, re-normalized. Values are
 * float32-representable, so a client that parses the JSON into a Float32Array gets exactly
 * `fakeEmbedding(...)`.
 */
import { createHash } from 'node:crypto';
import { CJK_STOP_WORDS, tokenize, tokenizeLabeled } from '../../src/core/text/tokenize';

export const FULL_DIMS = 2048;
/** Matryoshka bands [start, end): every prefix the fake serves ends on a band edge or inside the last two. */
const BANDS: readonly (readonly [number, number])[] = [[0, 64], [64, 128], [128, 256], [256, 512], [512, 1024], [1024, 2048]];
/** One position in 32 per band, at least two: 2+2+4+8+16+32 = 64 positions per term. */
const DENSITY = 32;
const MIN_PER_BAND = 2;
const NOISE_NORM = 0.05;
/** Share of a query vector given to its instruction. */
const INSTRUCT_WEIGHT = 0.08;
/** Qwen vocabulary size: sparse indices stay below it (contract §9.6). */
export const SPARSE_VOCAB = 151_643;

/** Term weights by kind (see the header). */
const WEIGHT = { word: 1, longWord: 1.2, identifier: 0.6, bigramInWord: 0.4, bigramAcross: 0.3, digits: 0.3, short: 0.35, common: 0.2 } as const;

/**
 * A fixed idf stand-in: words frequent in any text that the tokenizer's stop lists keep. Matched
 * against the word as written (lower-cased), so stemming does not matter.
 */
const COMMON_WORDS: ReadonlySet<string> = new Set([
  'about', 'after', 'again', 'all', 'also', 'am', 'any', 'because', 'been', 'before', 'being', 'between', 'both',
  'could', 'did', 'done', 'down', 'during', 'each', 'even', 'every', 'few', 'first', 'had', 'here', 'how', 'just',
  'last', 'like', 'made', 'make', 'makes', 'many', 'may', 'me', 'might', 'more', 'most', 'much', 'must', 'my', 'need',
  'needs', 'off', 'once', 'one', 'only', 'other', 'out', 'over', 'own', 'per', 'same', 'should', 'some', 'still',
  'such', 'take', 'takes', 'three', 'too', 'two', 'under', 'until', 'up', 'us', 'use', 'used', 'uses', 'using',
  'very', 'via', 'well', 'what', 'where', 'while', 'who', 'why', 'would', 'etc', 'keep', 'keeps',
  'start', 'starts', 'give', 'gives', 'put', 'puts', 'let', 'lets', 'show', 'shows', 'add', 'adds', 'change', 'changes',
  'follow', 'follows', 'place', 'number', 'lot', 'lots', 'way', 'ways', 'thing', 'things', 'often', 'usually', 'always',
  'never', 'sometimes', 'whole', 'part', 'good', 'better', 'best', 'new', 'old', 'big', 'small', 'large', 'long', 'short',
  'high', 'low', 'around', 'within', 'without', 'against', 'among', 'across', 'along', 'behind', 'next', 'another',
  'enough', 'less', 'least', 'several', 'instead', 'however', 'therefore', 'though', 'although', 'yet', 'since',
  // Chinese: frequent words (not in the tokenizer's function-word list) that say little about a topic.
  '需要', '时候', '一般', '可能', '比较', '之后', '之前', '非常', '然后', '这样', '那样', '应该', '容易', '不同',
  '一些', '以上', '以下', '左右', '大约', '每次', '一定', '同时', '其中', '开始', '已经', '还有', '为了', '由于',
  '不要', '不能', '能够', '每个', '所有', '主要', '两个', '第一', '什么', '怎么', '如何', '时间', '方法', '问题',
  '情况', '一样', '比如', '例如', '或者', '而且', '然而', '只是', '只有', '越来越', '通常', '经常', '总是', '一直',
  '包括', '作为', '以后', '以前', '整个', '选择', '决定', '保持', '避免', '减少', '增加', '控制', '适合', '方式',
  '更好', '少量', '大量', '定期', '地方', '部分', '必须', '一下', '之间', '直到', '最后', '最好', '重要', '简单',
  '影响', '得到', '提高', '注意', '发现', '出现', '成为', '变得', '其他', '另外', '这些', '那些',
]);

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/gu;
/** Numerals with an optional measure word (三十六克, 二十, 几天): a count says nothing about the topic. */
const CJK_COUNT = /^[零一二两三四五六七八九十百千万亿几半多每第0-9]+[个克秒度月年天次分钟小时倍层步周条种份杯块张台位遍]*$/u;
const CJK_TERM = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

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

/** A query in Qwen3 format (`Instruct: …\nQuery:…`): its instruction and its query part. */
function splitInstruction(text: string): { instruct?: string; query: string } {
  const m = /^Instruct: ([^\n]*)\nQuery:\s?([\s\S]*)$/.exec(text);
  return m ? { instruct: m[1], query: m[2] } : { query: text };
}

/** Weighted terms of a text: sublinear tf × kind weight × fixed idf. */
export function fakeTermWeights(text: string): Map<string, number> {
  // Per term: the sum and the largest of its occurrences' weights (a term can occur as several
  // kinds, e.g. 咖啡 as a word and inside 咖啡豆); tf is that sum in units of the largest weight.
  const acc = new Map<string, { sum: number; max: number }>();
  const add = (term: string, w: number) => {
    if (w <= 0) return;
    const e = acc.get(term);
    if (e) {
      e.sum += w;
      e.max = Math.max(e.max, w);
    } else acc.set(term, { sum: w, max: w });
  };
  // CJK words come from the product's tokenizer; the character bigrams are the model's own (below),
  // so the fake's vectors do not move when the search tokenizer changes its extra terms.
  for (const t of tokenizeLabeled(text)) {
    if (!CJK_TERM.test(t.term)) {
      if (t.whole) add(t.term, WEIGHT.identifier);
      else {
        const word = t.label.toLowerCase();
        add(t.term, /^\d+$/.test(word) ? WEIGHT.digits : COMMON_WORDS.has(word) ? WEIGHT.common : word.length <= 2 ? WEIGHT.short : WEIGHT.word);
      }
      continue;
    }
    const len = [...t.term].length;
    // Search extras (compounds, parts of long words) and function words are not words of the model.
    if (t.crossing || t.label !== t.term || CJK_STOP_WORDS.has(t.term)) continue;
    if (len >= 2) add(t.term, COMMON_WORDS.has(t.term) || CJK_COUNT.test(t.term) ? WEIGHT.common : len >= 3 ? WEIGHT.longWord : WEIGHT.word);
  }
  addCjkBigrams(text, add);
  const out = new Map<string, number>();
  for (const [term, { sum, max }] of acc) out.set(term, max * (1 + Math.log(sum / max)));
  return out;
}

const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
const segmenters = new Map<string, Intl.Segmenter>();

/** Character bigrams of every CJK run: 0.4 inside a segmenter word, 0.3 across words; a 2-char word's own bigram is the word. */
function addCjkBigrams(text: string, add: (term: string, w: number) => void): void {
  for (const m of text.matchAll(CJK_RUN)) {
    const run = m[0];
    const chars = [...run];
    if (chars.length < 2) continue;
    const locale = /[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(run) ? 'ja' : /\p{Script=Hangul}/u.test(run) ? 'ko' : 'zh';
    let seg = segmenters.get(locale);
    if (!seg) segmenters.set(locale, (seg = new Intl.Segmenter(locale, { granularity: 'word' })));
    const wordLen = new Int32Array(chars.length);
    const wordId = new Int32Array(chars.length).fill(-1);
    let pos = 0, id = 0;
    for (const s of seg.segment(run)) {
      const len = [...s.segment].length;
      if (s.isWordLike) for (let i = pos; i < pos + len; i++) { wordLen[i] = len; wordId[i] = id; }
      pos += len;
      id++;
    }
    for (let i = 0; i + 1 < chars.length; i++) {
      const bigram = chars[i] + chars[i + 1];
      const inWord = wordId[i] >= 0 && wordId[i] === wordId[i + 1] && wordLen[i] > 1;
      if ((inWord && wordLen[i] === 2) || CJK_STOP_WORDS.has(bigram) || COMMON_WORDS.has(bigram) || CJK_COUNT.test(bigram)) continue;
      add(bigram, inWord ? WEIGHT.bigramInWord : WEIGHT.bigramAcross);
    }
  }
}

const patternCache = new Map<string, Int32Array>();
/** The term's signed positions (a negative sign stored as ~index), DENSITY-sparse in every band. */
function pattern(model: string, term: string): Int32Array {
  const key = `${model}\0${term}`;
  let s = patternCache.get(key);
  if (!s) {
    const rnd = prng(createHash('sha256').update(key).digest());
    const out: number[] = [];
    for (const [start, end] of BANDS) {
      const size = end - start;
      const count = Math.max(MIN_PER_BAND, Math.floor(size / DENSITY));
      const taken = new Set<number>();
      while (taken.size < count) {
        const index = start + Math.floor(rnd() * size);
        if (taken.has(index)) continue;
        taken.add(index);
        out.push(rnd() < 0.5 ? ~index : index);
      }
    }
    s = Int32Array.from(out);
    if (patternCache.size > 200_000) patternCache.clear();
    patternCache.set(key, s);
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
  return Math.sqrt(s);
}

/** Unit-length bag of terms in the full space (all zeros for a text without terms). */
function termVector(text: string, model: string): Float64Array {
  const v = new Float64Array(FULL_DIMS);
  for (const [term, w] of fakeTermWeights(text)) {
    for (const slot of pattern(model, term)) {
      if (slot < 0) v[~slot] -= w;
      else v[slot] += w;
    }
  }
  const norm = l2(v);
  if (norm > 0) for (let i = 0; i < FULL_DIMS; i++) v[i] /= norm;
  return v;
}

function fullVector(text: string, p: FakeEmbedParams): Float64Array {
  const seedKey = `${p.model}\0${p.textType ?? 'document'}\0${p.instruct ?? ''}\0${text}`;
  const cached = fullCache.get(seedKey);
  if (cached) return cached;
  const { instruct: inline, query } = splitInstruction(text);
  const v = termVector(query, p.model);
  const instruct = p.instruct ?? inline;
  if (instruct) {
    const iv = termVector(instruct, p.model);
    for (let i = 0; i < FULL_DIMS; i++) v[i] += INSTRUCT_WEIGHT * iv[i];
    const norm = l2(v) || 1;
    for (let i = 0; i < FULL_DIMS; i++) v[i] /= norm;
  }
  // Seeded noise: query and document of the same text differ a little, as real models do.
  const rnd = prng(createHash('sha256').update(seedKey).digest());
  const noiseScale = (NOISE_NORM / Math.sqrt(FULL_DIMS)) * Math.sqrt(3);
  for (let i = 0; i < FULL_DIMS; i++) v[i] += (rnd() * 2 - 1) * noiseScale;
  const norm = l2(v) || 1;
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
  for (const t of tokenize(splitInstruction(text).query, { bigrams: false, dropStopWords: true })) tf.set(t, (tf.get(t) ?? 0) + 1);
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
