/**
 * Big-size timings of the search layer (not a unit test: no assertions, minutes of CPU).
 *   npx tsx test/support/searchBench.ts [chunks=100000] [dims=1024]
 * `runSearchBench` is exported for the benchmark harness; it returns the numbers it prints.
 */
import { KeywordIndex } from '../../src/core/search/keywordIndex';
import { VectorIndex } from '../../src/core/search/vectorIndex';
import { makeSyntheticChunks, makeSyntheticEmbeddings, makeSyntheticQueries, recallAt, rng } from './synthetic';

export interface SearchBenchResult {
  readonly chunks: number;
  readonly dims: number;
  readonly keywordBuildSeconds: number;
  readonly keywordBytesPerChunk: number;
  readonly keywordQueryP50Ms: number;
  readonly keywordQueryP95Ms: number;
  readonly vectorExactP50Ms: number;
  readonly vectorTwoStageP50Ms: number;
  readonly vectorTwoStageP95Ms: number;
  readonly vectorTwoStageJsP50Ms: number;
  readonly recallAt10: number;
  readonly simd: boolean;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const r = fn();
  return [r, performance.now() - t];
}

export function runSearchBench(n = 100_000, dims = 1024, log: (s: string) => void = console.log): SearchBenchResult {
  // Keyword side.
  const chunks = makeSyntheticChunks(n, 42);
  const [keyword, buildMs] = time(() => {
    const k = KeywordIndex.empty();
    chunks.forEach((c, i) => k.add(i, c));
    k.search('warm up', 1);
    return k;
  });
  const bytes = keyword.serialize();
  log(`keyword: built ${n} chunks in ${(buildMs / 1000).toFixed(1)} s, ${(bytes.length / n).toFixed(0)} bytes/chunk serialized`);
  const rand = rng(9);
  const queries: string[] = [];
  for (let q = 0; q < 200; q++) {
    // Three words taken from one chunk: the shape of a real "I remember it said…" query.
    const words = chunks[Math.floor(rand() * n)].text.split(/\s+/).filter(Boolean);
    queries.push([0, 1, 2].map(() => words[Math.floor(rand() * words.length)]).join(' '));
  }
  for (const q of queries.slice(0, 20)) keyword.search(q, 10);
  const kwTimes = queries.map((q) => time(() => keyword.search(q, 10))[1]);
  log(`keyword: 3-word query p50 ${percentile(kwTimes, 0.5).toFixed(2)} ms, p95 ${percentile(kwTimes, 0.95).toFixed(2)} ms`);

  // Vector side.
  const rows = makeSyntheticEmbeddings(n, dims, 1);
  const vqueries = makeSyntheticQueries(rows, dims, 100, 2);
  const vectors = VectorIndex.fromRows(rows, dims);
  const js = VectorIndex.fromRows(rows.slice(), dims, { noSimd: true });
  const exactTimes: number[] = [];
  const twoTimes: number[] = [];
  const jsTimes: number[] = [];
  let recall = 0;
  for (const q of vqueries) {
    const [exact, te] = time(() => vectors.search(q, 10, undefined, { strategy: 'exact' }));
    const [two, tt] = time(() => vectors.search(q, 10, undefined, { strategy: 'two-stage' }));
    exactTimes.push(te);
    twoTimes.push(tt);
    if (jsTimes.length < 20) jsTimes.push(time(() => js.search(q, 10, undefined, { strategy: 'two-stage' }))[1]);
    recall += recallAt(exact, two);
  }
  recall /= vqueries.length;
  log(`vector ${n}×${dims}: exact p50 ${percentile(exactTimes, 0.5).toFixed(1)} ms; two-stage (${vectors.usesSimd ? 'WASM SIMD' : 'JS'}) p50 ${percentile(twoTimes, 0.5).toFixed(2)} ms, p95 ${percentile(twoTimes, 0.95).toFixed(2)} ms; two-stage JS-only p50 ${percentile(jsTimes, 0.5).toFixed(1)} ms; recall@10 ${(recall * 100).toFixed(2)}%`);
  return {
    chunks: n, dims,
    keywordBuildSeconds: buildMs / 1000,
    keywordBytesPerChunk: bytes.length / n,
    keywordQueryP50Ms: percentile(kwTimes, 0.5),
    keywordQueryP95Ms: percentile(kwTimes, 0.95),
    vectorExactP50Ms: percentile(exactTimes, 0.5),
    vectorTwoStageP50Ms: percentile(twoTimes, 0.5),
    vectorTwoStageP95Ms: percentile(twoTimes, 0.95),
    vectorTwoStageJsP50Ms: percentile(jsTimes, 0.5),
    recallAt10: recall,
    simd: vectors.usesSimd,
  };
}

if (process.argv[1] && /searchBench\.ts$/.test(process.argv[1])) {
  const [n, dims] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(runSearchBench(n || 100_000, dims || 1024)));
}
