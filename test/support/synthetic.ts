/**
 * Synthetic data for search tests and benchmarks, shaped like the real thing rather than uniform
 * noise (on which every ANN shortcut looks either perfect or hopeless):
 *
 * - Embeddings are Matryoshka-like: a hierarchy of topics → subtopics → documents, with variance
 *   decaying across dimensions. Coarse structure (topics) decays fast, so the leading dims carry
 *   it; fine detail (what separates near neighbours) decays slowly, so a prefix alone cannot rank
 *   the top 10 exactly — as with real truncated embeddings.
 * - Chunks are code-like text: Zipf-distributed vocabulary, camelCase / snake_case identifiers,
 *   file paths shared by several chunks, some Chinese comments.
 */
import { mulberry32 } from '../../src/core/embedding/offline/prng';

/** Deterministic PRNG: the product's own mulberry32. */
export const rng = mulberry32;

/** Standard normal samples from a uniform PRNG (Box–Muller, both values used). */
export function gaussian(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

export interface SyntheticEmbeddingOptions {
  readonly topics?: number;
  readonly subtopicsPerTopic?: number;
  /** Spread of documents around their subtopic, relative to the subtopic spread. */
  readonly docNoise?: number;
}

/**
 * Fast approximate normal samples: a fixed table of 65,536 exact normal quantiles indexed by 16
 * random bits (two samples per 32-bit draw). 100M samples take ~1 s instead of ~15 s with Box–Muller.
 */
function fastGaussian(seed: number): () => number {
  const table = new Float32Array(65536);
  const g = gaussian(rng(seed ^ 0x5bd1e995));
  for (let i = 0; i < table.length; i++) table[i] = g();
  let a = seed >>> 0;
  let spare = -1;
  return () => {
    if (spare >= 0) {
      const v = table[spare];
      spare = -1;
      return v;
    }
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    t = (t ^ (t >>> 14)) >>> 0;
    spare = t >>> 16;
    return table[t & 0xffff];
  };
}

/** Per-dimension scales: coarse structure decays fast, fine detail slowly. */
function spectrum(dims: number): { coarse: Float32Array; fine: Float32Array } {
  const coarse = new Float32Array(dims);
  const fine = new Float32Array(dims);
  for (let j = 0; j < dims; j++) {
    coarse[j] = (1 + j / 24) ** -0.9;
    fine[j] = (1 + j / 96) ** -0.5;
  }
  return { coarse, fine };
}

/** n L2-normalised Matryoshka-like embeddings, row-major in one Float32Array (n × dims). */
export function makeSyntheticEmbeddings(n: number, dims: number, seed: number, options: SyntheticEmbeddingOptions = {}): Float32Array {
  const rows = syntheticRows(n, dims, seed, options);
  const out = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) rows(out, i * dims);
  return out;
}

/**
 * The rows of `makeSyntheticEmbeddings(n, dims, seed, options)` one at a time (each call writes
 * the next row at `out[at..]`): the same numbers without holding the whole matrix.
 */
export function syntheticRows(n: number, dims: number, seed: number, options: SyntheticEmbeddingOptions = {}): (out: Float32Array, at: number) => void {
  const rand = rng(seed);
  const g = fastGaussian(seed);
  const topics = options.topics ?? Math.max(4, Math.round(Math.sqrt(n) / 2));
  const subs = options.subtopicsPerTopic ?? 12;
  const noise = options.docNoise ?? 0.8;
  const { coarse, fine } = spectrum(dims);
  const centers = new Float32Array(topics * subs * dims);
  for (let t = 0; t < topics; t++) {
    const topic = Float32Array.from({ length: dims }, (_, j) => 2 * g() * coarse[j]);
    for (let s = 0; s < subs; s++) {
      const at = (t * subs + s) * dims;
      for (let j = 0; j < dims; j++) centers[at + j] = topic[j] + 1.0 * g() * (coarse[j] + fine[j]) / 2;
    }
  }
  return (out, at) => {
    const c = Math.floor(rand() * topics * subs) * dims;
    let sum = 0;
    for (let j = 0; j < dims; j++) {
      const v = centers[c + j] + noise * g() * fine[j];
      out[at + j] = v;
      sum += v * v;
    }
    const k = 1 / Math.sqrt(sum);
    for (let j = 0; j < dims; j++) out[at + j] *= k;
  };
}

/**
 * Queries near existing documents (a document plus fresh fine-grained noise), as a real query lands
 * near, not on, the chunk it is after.
 */
export function makeSyntheticQueries(docs: Float32Array, dims: number, count: number, seed: number, noise = 0.6): Float32Array[] {
  const rand = rng(seed);
  const g = gaussian(rand);
  const { fine } = spectrum(dims);
  const n = docs.length / dims;
  const out: Float32Array[] = [];
  for (let q = 0; q < count; q++) {
    const at = Math.floor(rand() * n) * dims;
    const v = new Float32Array(dims);
    // Documents are unit length; noise is scaled to the same per-dimension magnitude.
    const scale = noise / Math.sqrt(fine.reduce((s, f) => s + f * f, 0));
    for (let j = 0; j < dims; j++) v[j] = docs[at + j] + scale * g() * fine[j];
    out.push(v);
  }
  return out;
}

/** Fraction of `truth` ids found in `got` (recall@k with k = truth.length). */
export function recallAt(truth: readonly { id: number }[], got: readonly { id: number }[]): number {
  if (truth.length === 0) return 1;
  const ids = new Set(got.map((h) => h.id));
  return truth.filter((h) => ids.has(h.id)).length / truth.length;
}

// ---------------------------------------------------------------------------------------------
// Code-like chunks for the keyword index

const SYLLABLES = ['par', 'se', 'con', 'fig', 'load', 'save', 'read', 'write', 'file', 'dir', 'path', 'node',
  'tree', 'map', 'list', 'set', 'get', 'user', 'auth', 'token', 'cache', 'index', 'query', 'search', 'http',
  'req', 'res', 'json', 'yaml', 'log', 'err', 'time', 'date', 'str', 'buf', 'byte', 'hash', 'key', 'val',
  'item', 'row', 'col', 'table', 'db', 'sql', 'conn', 'pool', 'task', 'job', 'queue', 'event', 'emit',
  'handle', 'render', 'view', 'model', 'store', 'state', 'action', 'page', 'url', 'route', 'server'];
const CJK_WORDS = ['配置', '文件', '解析', '目录', '内容', '列出', '读取', '写入', '用户', '缓存', '索引', '查询',
  '搜索', '错误', '日志', '时间', '数据', '连接', '任务', '事件', '处理', '页面', '服务', '请求', '返回'];

export interface SyntheticChunk {
  readonly text: string;
  readonly symbol: string;
  readonly path: string;
}

/** n code-like chunks of ~`tokens` words each (Zipf vocabulary of ~`vocabulary` words). */
export function makeSyntheticChunks(n: number, seed: number, tokens = 150, vocabulary = 30_000): SyntheticChunk[] {
  const rand = rng(seed);
  const vocab: string[] = [];
  for (let i = 0; i < vocabulary; i++) {
    const parts = 1 + Math.floor(rand() * 3);
    let w = '';
    for (let p = 0; p < parts; p++) w += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
    vocab.push(w + (rand() < 0.3 ? String(i % 97) : ''));
  }
  // Zipf: P(rank r) ∝ 1/r, sampled by inverting the approximate CDF ln(r)/ln(V).
  const zipf = <T>(items: readonly T[]): T => items[Math.min(items.length - 1, Math.floor(Math.exp(rand() * Math.log(items.length))) - 1)];
  const word = (): string => zipf(vocab);
  // Identifiers come from a fixed, Zipf-used set as in real code (the same names recur), built
  // from the words as camelCase, snake_case or plain.
  const identifiers: string[] = [];
  for (let i = 0; i < vocabulary; i++) {
    const a = word(), b = word();
    const r = rand();
    identifiers.push(r < 0.4 ? a + b[0].toUpperCase() + b.slice(1) : r < 0.6 ? `${a}_${b}` : a);
  }
  const ident = (): string => zipf(identifiers);
  const out: SyntheticChunk[] = [];
  let path = '';
  for (let i = 0; i < n; i++) {
    if (i % 5 === 0) path = `src/${word()}/${ident()}.${rand() < 0.5 ? 'ts' : 'go'}`;
    const symbol = rand() < 0.8 ? `${ident()}.${ident()}` : '';
    const words: string[] = [];
    for (let t = 0; t < tokens; t++) words.push(t % 12 === 0 ? '\n' : ident());
    if (rand() < 0.15) {
      let comment = '// ';
      for (let c = 0; c < 6; c++) comment += CJK_WORDS[Math.floor(rand() * CJK_WORDS.length)];
      words.unshift(comment + '\n');
    }
    out.push({ text: words.join(' '), symbol, path });
  }
  return out;
}
