/**
 * Part 3 — search latency of the local part (the query vector is given) at 10k and 100k chunks ×
 * 1024 dims: synthetic Matryoshka-like clustered vectors (decaying spectrum) and code-like chunks
 * with a Zipf vocabulary (test/support/synthetic.ts). p50/p95 for vector exact, vector two-stage,
 * the engine's automatic choice, keyword (BM25F) and hybrid (RRF); recall@10 of two-stage vs exact.
 *   node --import tsx bench/search.ts [--quick] [--out FILE]
 */
import { KeywordIndex } from '../src/core/search/keywordIndex';
import { VectorIndex } from '../src/core/search/vectorIndex';
import { searchHybrid } from '../src/core/search/hybrid';
import type { ChunkInfo } from '../src/core/types';
import { makeSyntheticChunks, makeSyntheticEmbeddings, makeSyntheticQueries, recallAt, rng } from '../test/support/synthetic';
import { QUICK, check, emit, fmt, info, median, nowMs, percentile, type Row } from './util';

const DIMS = 1024;

interface SizeResult {
  n: number;
  buildKeywordS: number;
  buildVectorS: number;
  simd: boolean;
  exact: number[];
  twoStage: number[];
  auto: number[];
  keyword: number[];
  hybrid: number[];
  recall: number;
  recallMin: number;
}

/** CPU milliseconds of each timed call, kept beside the wall times (the machine may be shared). */
const cpuOf = new Map<number[], number[]>();

function lat(fn: () => unknown, into: number[]): void {
  const c = process.cpuUsage();
  const t = nowMs();
  fn();
  into.push(nowMs() - t);
  const d = process.cpuUsage(c);
  let cpu = cpuOf.get(into);
  if (!cpu) cpuOf.set(into, (cpu = []));
  cpu.push((d.user + d.system) / 1000);
}

function measure(n: number, vectorQueries: number, keywordQueries: number): SizeResult {
  // Keyword side: code-like chunks, shorter than the default (100 words ≈ a function).
  let t = nowMs();
  const docs = makeSyntheticChunks(n, 42, 100, 30_000);
  const keyword = KeywordIndex.empty();
  docs.forEach((d, i) => keyword.add(i, d));
  keyword.search('warm up', 1);
  const buildKeywordS = (nowMs() - t) / 1000;
  const chunks: ChunkInfo[] = docs.map((d, i) => ({
    path: d.path, startLine: 1 + (i % 5) * 20, endLine: 20 + (i % 5) * 20, kind: 'code', language: d.path.endsWith('.go') ? 'go' : 'typescript',
    symbol: d.symbol, hash: i.toString(16).padStart(32, '0'), tokens: 120,
  }));

  // Vector side.
  t = nowMs();
  const rows = makeSyntheticEmbeddings(n, DIMS, 1);
  const vqueries = makeSyntheticQueries(rows, DIMS, vectorQueries, 2);
  const vectors = VectorIndex.fromRows(rows, DIMS);
  const buildVectorS = (nowMs() - t) / 1000;

  const rand = rng(9);
  const kqueries: string[] = [];
  for (let q = 0; q < keywordQueries; q++) {
    // A few words taken from one chunk: the shape of an "I remember it said…" query.
    const words = docs[Math.floor(rand() * n)].text.split(/\s+/).filter((w) => /\w/.test(w));
    const len = 2 + (q % 3);
    kqueries.push(Array.from({ length: len }, () => words[Math.floor(rand() * words.length)]).join(' '));
  }

  // Warm-up (JIT, WASM instantiation, scratch buffers).
  for (let i = 0; i < 5; i++) {
    vectors.search(vqueries[i % vqueries.length], 10, undefined, { strategy: 'exact' });
    vectors.search(vqueries[i % vqueries.length], 10, undefined, { strategy: 'two-stage' });
    keyword.search(kqueries[i % kqueries.length], 10);
  }

  const exact: number[] = [], twoStage: number[] = [], auto: number[] = [], hybrid: number[] = [];
  const recalls: number[] = [];
  vqueries.forEach((q, i) => {
    let e: ReturnType<VectorIndex['search']> = [], s: ReturnType<VectorIndex['search']> = [];
    lat(() => (e = vectors.search(q, 10, undefined, { strategy: 'exact' })), exact);
    lat(() => (s = vectors.search(q, 10, undefined, { strategy: 'two-stage' })), twoStage);
    lat(() => vectors.search(q, 10), auto);
    recalls.push(recallAt(e, s));
    const query = kqueries[i % kqueries.length];
    lat(() => searchHybrid({ keyword, vector: vectors, chunks, query, queryVector: q, mode: 'hybrid', topK: 10 }), hybrid);
  });
  const keywordTimes: number[] = [];
  for (const q of kqueries) lat(() => keyword.search(q, 10), keywordTimes);
  return {
    n, buildKeywordS, buildVectorS, simd: vectors.usesSimd, exact, twoStage, auto, keyword: keywordTimes, hybrid,
    recall: recalls.reduce((a, b) => a + b, 0) / recalls.length,
    recallMin: Math.min(...recalls),
  };
}

function main(): void {
  const t0 = nowMs();
  const sizes = QUICK ? [10_000] : [10_000, 100_000];
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  for (const n of sizes) {
    const r = measure(n, QUICK ? 60 : 150, QUICK ? 100 : 300);
    const k = `${n / 1000}k`;
    const p = (xs: number[]) => `${fmt.ms(percentile(xs, 0.5))} / ${fmt.ms(percentile(xs, 0.95))} (CPU p50 ${fmt.ms(median(cpuOf.get(xs) ?? []))})`;
    rows.push(info(3, `${k} × ${DIMS}: vector exact p50/p95`, p(r.exact)));
    rows.push(info(3, `${k} × ${DIMS}: vector two-stage p50/p95 (${r.simd ? 'WASM SIMD' : 'JS'} int8 prefix)`, p(r.twoStage)));
    if (n >= 20_000) rows.push(check(3, `${k}: vector search as the engine runs it (auto = two-stage) p50`, percentile(r.auto, 0.5), fmt.ms, { max: 15, label: '≤ 15 ms' }));
    else rows.push(info(3, `${k}: vector search as the engine runs it (auto = exact below 20k) p50/p95`, p(r.auto)));
    rows.push(info(3, `${k}: keyword BM25F (2–4 words) p50/p95`, p(r.keyword)));
    rows.push(info(3, `${k}: hybrid RRF (keyword + two-stage/auto vector) p50/p95`, p(r.hybrid)));
    rows.push(check(3, `${k}: recall@10 two-stage vs exact (mean; worst query ${fmt.pct(r.recallMin)})`, r.recall, fmt.pct, { min: 0.99, label: '≥ 99% (loss < 1%)' }));
    details[k] = {
      buildKeywordS: r.buildKeywordS, buildVectorS: r.buildVectorS, simd: r.simd,
      exactP50: median(r.exact), twoStageP50: median(r.twoStage), keywordP50: median(r.keyword), hybridP50: median(r.hybrid),
      cpuP50: { exact: median(cpuOf.get(r.exact) ?? []), twoStage: median(cpuOf.get(r.twoStage) ?? []), auto: median(cpuOf.get(r.auto) ?? []), keyword: median(cpuOf.get(r.keyword) ?? []), hybrid: median(cpuOf.get(r.hybrid) ?? []) },
      cpuP95: { exact: percentile(cpuOf.get(r.exact) ?? [], 0.95), twoStage: percentile(cpuOf.get(r.twoStage) ?? [], 0.95), auto: percentile(cpuOf.get(r.auto) ?? [], 0.95), hybrid: percentile(cpuOf.get(r.hybrid) ?? [], 0.95) },
      speedupTwoStage: median(r.exact) / median(r.twoStage),
    };
    rows.push(info(3, `${k}: two-stage speed-up over exact (same run)`, fmt.ratio(median(r.exact) / median(r.twoStage))));
  }
  emit({ part: 3, title: 'Search latency (local part, query vector given)', rows, details, seconds: (nowMs() - t0) / 1000 });
}

main();
