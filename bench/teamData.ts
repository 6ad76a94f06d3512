/**
 * Synthetic data for the team index at scale (bench/teamScale.ts), SYNTHETIC and labelled so:
 * - vectors: Matryoshka-like clustered embeddings (topics → subtopics → documents, decaying
 *   spectrum; test/support/synthetic.ts), so the HNSW graph sees real-looking neighbourhoods;
 * - texts: code-like chunks (Zipf identifiers in camelCase / snake_case, file paths shared by
 *   five chunks, CJK comments in 15 %), put through the product's tokenizer and KeywordIndex, so
 *   the keyword side's term statistics (postings per chunk, document frequencies) are the
 *   product's own;
 * - queries: 2–3 identifiers of a random chunk + a vector near that chunk's (a document plus
 *   fine noise), as a real query lands near, not on, its target.
 * What a publish needs is built exactly as a committed local index gives it (TeamPublishSource).
 */
import crypto from 'node:crypto';
import type { PublishSource } from '../src/core/team/publish';
import { KeywordIndex } from '../src/core/search/keywordIndex';
import type { ChunkInfo } from '../src/core/types';
import { makeSyntheticChunks, makeSyntheticEmbeddings, makeSyntheticQueries, rng } from '../test/support/synthetic';

export interface ScaleData {
  readonly source: PublishSource;
  readonly keyword: KeywordIndex;
  readonly texts: readonly string[];
}

/** `n` chunks of ~`tokens` words with `dims`-d vectors. */
export function makeScaleData(n: number, dims: number, seed: number, tokens = 40): ScaleData {
  const synthetic = makeSyntheticChunks(n, seed, tokens);
  const vectors = makeSyntheticEmbeddings(n, dims, seed);
  const keyword = KeywordIndex.empty();
  const chunks: ChunkInfo[] = [];
  const fileChunks = new Map<string, string[]>();
  synthetic.forEach((c, i) => {
    keyword.add(i, c);
    const hash = crypto.createHash('sha256').update(`${c.path}\0${c.symbol}\0${c.text}`).digest('hex').slice(0, 32);
    const start = (i % 5) * 14 + 1;
    chunks.push({ path: c.path, startLine: start, endLine: start + 12, symbol: c.symbol, kind: 'code', language: c.path.endsWith('.go') ? 'go' : 'typescript', hash, tokens });
    let list = fileChunks.get(c.path);
    if (!list) fileChunks.set(c.path, (list = []));
    list.push(hash);
  });
  const files = [...fileChunks].map(([path, hashes]) => ({ path, hash: crypto.createHash('sha256').update(hashes.join('')).digest('hex').slice(0, 32) }));
  const keywordBytes = keyword.serialize();
  return {
    source: { chunks, vectors, dims, files, keywordBytes },
    keyword: KeywordIndex.deserialize(keywordBytes),
    texts: synthetic.map((c) => c.text),
  };
}

export interface ScaleQuery {
  readonly text: string;
  readonly vector: Float32Array;
  /** The chunk the query was made from. */
  readonly target: number;
}

/** `count` queries, each about one random chunk (its words and a vector near its vector). */
export function makeScaleQueries(data: ScaleData, count: number, seed: number): ScaleQuery[] {
  const rand = rng(seed);
  const { dims, vectors, chunks } = data.source;
  const out: ScaleQuery[] = [];
  for (let q = 0; q < count; q++) {
    const target = Math.floor(rand() * chunks.length);
    const words = data.texts[target].split(/\s+/).filter((w) => /^[a-z]/i.test(w));
    const pickN = 2 + Math.floor(rand() * 2);
    const text = Array.from({ length: pickN }, () => words[Math.floor(rand() * words.length)]).join(' ');
    const [vector] = makeSyntheticQueries(vectors.subarray(target * dims, (target + 1) * dims), dims, 1, seed + q);
    out.push({ text, vector, target });
  }
  return out;
}

/** Exact cosine top-k over every row (the truth the HNSW index is measured against). */
export function exactTopK(vectors: Float32Array, dims: number, query: Float32Array, k: number): number[] {
  const n = vectors.length / dims;
  const best: { id: number; s: number }[] = [];
  let floor = -Infinity;
  for (let r = 0; r < n; r++) {
    let s = 0;
    const at = r * dims;
    for (let j = 0; j < dims; j++) s += vectors[at + j] * query[j];
    if (best.length < k || s > floor) {
      best.push({ id: r, s });
      best.sort((a, b) => b.s - a.s);
      if (best.length > k) best.pop();
      floor = best[best.length - 1].s;
    }
  }
  return best.map((b) => b.id);
}
