/**
 * Part 7 — retrieval quality on a code-search set built the CodeSearchNet way from the installed
 * `lodash` package (one module per function, each with a JSDoc block): the doc comments are
 * stripped from the indexed copy, each documented function's first description sentence is the
 * query, the function's lines in its file are the answer. MRR@10 and Recall@10 of the engine's
 * keyword, vector and hybrid search (offline provider) next to plain BM25 over fixed 40-line windows
 * (stride 20) with the same tokenizer, plus ablations that explain the gap.
 *   node --import tsx bench/quality.ts [--quick] [--out FILE]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chunkFile } from '../src/core/chunking';
import { openEngine } from '../src/core/engine';
import { BM25F, KeywordIndex } from '../src/core/search/keywordIndex';
import { tokenize } from '../src/core/text/tokenize';
import type { Chunk, SearchMode } from '../src/core/types';
import { Bm25, fuse, lineWindowDocs, productTokenizer, score, type Doc, type ListHit, type Metrics, type Target, type Tokenizer } from './ir';
import { CACHE, QUICK, REPO, check, emit, fmt, info, nowMs, quietLogger, rm, tempDir, type Row } from './util';

export interface CodeQuery {
  readonly query: string;
  readonly answer: Target;
  readonly name: string;
}

const SKIP = new Set(['lodash.js', 'lodash.min.js', 'core.js', 'core.min.js', 'fp.js']);

/** First sentence of a JSDoc description (text before the first @tag). */
export function firstSentence(block: string): string {
  const lines = block.replace(/^\/\*\*|\*\/$/g, '').split('\n').map((l) => l.replace(/^\s*\*\s?/, ''));
  const desc: string[] = [];
  for (const l of lines) {
    if (/^\s*@/.test(l)) break;
    desc.push(l.trim());
  }
  const text = desc.join(' ').replace(/\s+/g, ' ').trim();
  const m = /^(.*?\.)(?:\s|$)/.exec(text);
  return (m ? m[1] : text).trim();
}

/** Builds the stripped corpus under `root` and returns the queries. */
/**
 * The `lodash` package: installed (it comes with the dev dependencies) or, when missing, fetched
 * once with `npm pack` into .bench/ and unpacked there.
 */
export function lodashDir(): string {
  try {
    return path.dirname(require.resolve('lodash/package.json', { paths: [REPO] }));
  } catch {
    const dir = path.join(CACHE, 'lodash-pkg');
    if (!fs.existsSync(path.join(dir, 'package', 'package.json'))) {
      fs.mkdirSync(dir, { recursive: true });
      const packed = execFileSync('npm', ['pack', 'lodash@4', '--silent', '--pack-destination', dir], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!;
      execFileSync('tar', ['-xzf', path.join(dir, packed), '-C', dir]);
    }
    return path.join(dir, 'package');
  }
}

export function buildLodashSet(root: string): { queries: CodeQuery[]; files: number; version: string } {
  const src = lodashDir();
  const version = (JSON.parse(fs.readFileSync(path.join(src, 'package.json'), 'utf8')) as { version: string }).version;
  fs.mkdirSync(root, { recursive: true });
  const queries: CodeQuery[] = [];
  let files = 0;
  for (const name of fs.readdirSync(src).sort()) {
    if (!name.endsWith('.js') || SKIP.has(name)) continue;
    const text = fs.readFileSync(path.join(src, name), 'utf8');
    const exported = /module\.exports = (\w+);/.exec(text)?.[1];
    // The exported function's doc block: the last /** */ right before its declaration.
    let query: string | undefined;
    if (exported) {
      const decl = new RegExp(`(/\\*\\*(?:(?!\\*/)[\\s\\S])*\\*/)\\s*\\n(?:function ${exported}\\b|var ${exported}\\b)`).exec(text);
      if (decl) query = firstSentence(decl[1]);
    }
    const stripped = text.replace(/[ \t]*\/\*\*[\s\S]*?\*\/[ \t]*\n?/g, '');
    fs.writeFileSync(path.join(root, name), stripped);
    files++;
    if (!exported || !query || query.split(/\s+/).length < 3) continue;
    const lines = stripped.split('\n');
    const start = lines.findIndex((l) => new RegExp(`^(?:function ${exported}\\b|var ${exported}\\b)`).test(l));
    let end = lines.findIndex((l) => l.startsWith('module.exports'));
    if (start < 0 || end < 0) continue;
    end--;
    while (end > start && !lines[end].trim()) end--;
    queries.push({ query, name: exported, answer: { path: name, startLine: start + 1, endLine: end + 1 } });
  }
  return { queries, files, version };
}

function pct(m: Metrics): string {
  return `MRR@10 ${m.mrr.toFixed(3)}, R@10 ${fmt.pct(m.recall)}`;
}

async function chunksOf(root: string): Promise<Chunk[]> {
  const out: Chunk[] = [];
  for (const name of fs.readdirSync(root).sort()) out.push(...(await chunkFile(name, fs.readFileSync(path.join(root, name), 'utf8'))));
  return out;
}

/** BM25F over the product's chunks with field weights overridden (restored afterwards). */
function keywordWith(chunks: readonly Chunk[], queries: readonly CodeQuery[], weights: { symbol?: number; path?: number; k1?: number; textOf?: (c: Chunk) => string }): Metrics {
  const saved = { s: BM25F.symbol.weight, p: BM25F.path.weight, k1: BM25F.k1 };
  const w = BM25F as unknown as { k1: number; symbol: { weight: number }; path: { weight: number } };
  try {
    if (weights.symbol !== undefined) w.symbol.weight = weights.symbol;
    if (weights.path !== undefined) w.path.weight = weights.path;
    if (weights.k1 !== undefined) w.k1 = weights.k1;
    const k = KeywordIndex.empty();
    chunks.forEach((c, i) => k.add(i, { text: weights.textOf ? weights.textOf(c) : c.text, symbol: c.symbol, path: c.path }));
    return score(queries.map((q) => k.search(q.query, 10).map((h) => chunks[h.id])), queries.map((q) => q.answer));
  } finally {
    w.symbol.weight = saved.s;
    w.path.weight = saved.p;
    w.k1 = saved.k1;
  }
}

function bm25Over(docs: readonly Doc[], queries: readonly CodeQuery[], tok: Tokenizer = productTokenizer): Metrics {
  const bm = new Bm25(docs, tok);
  return score(queries.map((q) => bm.search(q.query, 10).map((h) => h.doc)), queries.map((q) => q.answer));
}

async function main(): Promise<void> {
  const t0 = nowMs();
  const base = tempDir('quality');
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  try {
    const root = path.join(base, 'lodash');
    const { queries, files, version } = buildLodashSet(root);
    process.stderr.write(`  lodash@${version}: ${files} files, ${queries.length} queries\n`);

    // Baseline: plain BM25 over 40-line windows, stride 20, same tokenizer.
    const windows = fs.readdirSync(root).sort().flatMap((n) => lineWindowDocs(n, fs.readFileSync(path.join(root, n), 'utf8')));
    const baseline = bm25Over(windows, queries);

    // The engine (offline provider).
    const engine = await openEngine({ root, indexDir: path.join(base, 'index'), provider: 'offline', logger: quietLogger });
    await engine.index();
    const viaEngine = async (mode: SearchMode, hybridWeight?: number): Promise<Metrics> => {
      const ranked: Target[][] = [];
      for (const q of queries) ranked.push((await engine.search(q.query, { mode, topK: 10, ...(hybridWeight !== undefined ? { hybridWeight } : {}) })).map((h) => h.chunk));
      return score(ranked, queries.map((q) => q.answer));
    };
    const kw = await viaEngine('keyword');
    const dense = await viaEngine('dense');
    const hybrid = await viaEngine('hybrid');
    const gain = (m: Metrics) => m.mrr / baseline.mrr - 1;

    rows.push(info(7, `baseline: BM25 over 40-line windows (stride 20), product tokenizer — lodash@${version}, ${queries.length} queries, ${files} files`, pct(baseline)));
    rows.push(info(7, 'engine keyword (BM25F over syntax chunks + symbol/path fields)', pct(kw), `${gain(kw) >= 0 ? '+' : ''}${fmt.pct(gain(kw))} MRR vs baseline`));
    rows.push(info(7, 'engine vector (offline TF-IDF → LSA 128-d)', pct(dense), `${fmt.pct(gain(dense))} MRR vs baseline`));
    rows.push(check(7, 'engine hybrid (default: RRF, LSA weight 0.25) — MRR@10 gain over baseline', gain(hybrid), (v) => `${v >= 0 ? '+' : ''}${fmt.pct(v)} (${pct(hybrid)})`, { min: 0.10, label: '≥ +10% (stretch +25%)' }));
    rows.push(check(7, 'engine keyword — MRR@10 gain over baseline', gain(kw), (v) => `${v >= 0 ? '+' : ''}${fmt.pct(v)}`, { min: 0.10, label: '≥ +10%' }));
    details.main = { baseline, keyword: kw, dense, hybrid };

    // Ablations: what moves the keyword side, and the dense weight of hybrid.
    if (!QUICK) {
      const chunks = await chunksOf(root);
      const abl: Record<string, Metrics> = {};
      abl['BM25F as shipped (symbol ×3, path ×1.5)'] = keywordWith(chunks, queries, {});
      abl['BM25F text only (symbol and path weight 0)'] = keywordWith(chunks, queries, { symbol: 0, path: 0 });
      abl['BM25F symbol ×1, path ×0.5'] = keywordWith(chunks, queries, { symbol: 1, path: 0.5 });
      abl['BM25F symbol ×6, path ×3'] = keywordWith(chunks, queries, { symbol: 6, path: 3 });
      abl['BM25F k1 = 2.0 (shipped 1.2: less term-frequency saturation)'] = keywordWith(chunks, queries, { k1: 2 });
      abl['BM25F text = embed text (header with path/symbol inside the body)'] = keywordWith(chunks, queries, { textOf: (c) => c.embedText });
      abl['plain BM25 over the product chunks (text only)'] = bm25Over(chunks, queries);
      abl['plain BM25 over the product chunks (embed text)'] = bm25Over(chunks.map((c) => ({ ...c, text: c.embedText })), queries);
      abl['plain BM25 over whole files'] = bm25Over(fs.readdirSync(root).sort().map((n) => {
        const text = fs.readFileSync(path.join(root, n), 'utf8');
        return { path: n, startLine: 1, endLine: text.split('\n').length, text };
      }), queries);
      abl['baseline windows, whitespace tokenizer (no identifier split, no stemming)'] = bm25Over(windows, queries, (t) => t.toLowerCase().split(/[^\p{L}\p{N}_$]+/u).filter(Boolean));
      abl['baseline windows, product tokenizer without stop-word removal'] = bm25Over(windows, queries, (t) => tokenize(t, { dropStopWords: false }));
      for (const w of [0, 0.1, 0.25, 0.5, 1]) abl[`hybrid, LSA weight ${w}`] = await viaEngine('hybrid', w);
      // Other fusion functions over the engine's own keyword and dense lists (depth 50).
      const lists: { kw: ListHit[]; dense: ListHit[] }[] = [];
      for (const q of queries) {
        const kwl = (await engine.search(q.query, { mode: 'keyword', topK: 50 })).map((h) => ({ ...h.chunk, score: h.score }));
        const dl = (await engine.search(q.query, { mode: 'dense', topK: 50 })).map((h) => ({ ...h.chunk, score: h.score }));
        lists.push({ kw: kwl, dense: dl });
      }
      const fused = (how: Parameters<typeof fuse>[2]) => score(lists.map((l) => fuse(l.kw, l.dense, how)), queries.map((q) => q.answer));
      abl['fusion check: RRF k=60, LSA weight 0.25 (= engine hybrid)'] = fused({ kind: 'rrf', k: 60, w: 0.25 });
      abl['fusion: RRF k=10, LSA weight 0.25'] = fused({ kind: 'rrf', k: 10, w: 0.25 });
      for (const w of [0.1, 0.2, 0.3, 0.5]) abl[`fusion: convex combination of min-max scores, LSA weight ${w}`] = fused({ kind: 'cc', w });
      for (const [name, m] of Object.entries(abl)) rows.push(info(7, `ablation: ${name}`, pct(m), `${gain(m) >= 0 ? '+' : ''}${fmt.pct(gain(m))} vs baseline`));
      details.ablations = abl;
    }
    details.sampleQueries = queries.slice(0, 8);
  } finally {
    rm(base);
  }
  emit({ part: 7, title: 'Code-search quality (CodeSearchNet-style, lodash)', rows, details, seconds: (nowMs() - t0) / 1000 });
}

if (process.argv[1] && /quality\.ts$/.test(process.argv[1])) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
