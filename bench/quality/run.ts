/**
 * Runs one corpus through the baseline and the engine (offline provider): per-query metrics for
 * baseline, keyword, vector and hybrid, plus the raw keyword and vector lists (with scores) that
 * the dev-side fusion experiments re-fuse without touching the engine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openEngine } from '../../src/core/engine';
import type { SearchHit, SearchMode } from '../../src/core/types';
import { Bm25, lineWindowDocs, type Doc, type Target } from '../ir';
import { quietLogger } from '../util';
import type { Corpus } from './corpora';
import { baselineTokenizer, perQuery, type PerQuery } from './metrics';

export interface ListEntry extends Target {
  readonly id: number;
  readonly score: number;
  readonly doc: boolean;
}

export interface CorpusRun {
  readonly corpus: Corpus;
  readonly chunks: number;
  readonly indexSeconds: number;
  readonly methods: Record<'baseline' | 'keyword' | 'vector' | 'hybrid', PerQuery>;
  /** Per query: the engine's keyword and vector lists, depth LIST_DEPTH. */
  readonly lists: { kw: ListEntry[]; dense: ListEntry[] }[];
}

export const LIST_DEPTH = 100;

function walkFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walkFiles(p, base));
    else out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out;
}

const isNote = (p: string, corpus: Corpus) => corpus.kind === 'docs' || (corpus.kind === 'mixed' && p.startsWith('notes/'));

/** Baseline units: 40-line windows (stride 20) for code files, whole pages for notes. */
export function baselineDocs(corpus: Corpus): Doc[] {
  const docs: Doc[] = [];
  for (const rel of walkFiles(corpus.root)) {
    const text = fs.readFileSync(path.join(corpus.root, rel), 'utf8');
    if (isNote(rel, corpus)) docs.push({ path: rel, startLine: 1, endLine: text.split('\n').length, text });
    else docs.push(...lineWindowDocs(rel, text));
  }
  return docs;
}

/** One entry per page for notes (first occurrence wins); code chunks stay as they are. */
export function pageLevel<T extends Target>(hits: readonly T[], corpus: Corpus): T[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    if (!isNote(h.path, corpus)) return true;
    if (seen.has(h.path)) return false;
    seen.add(h.path);
    return true;
  });
}

export async function runCorpus(corpus: Corpus, indexDir: string): Promise<CorpusRun> {
  const answers = corpus.queries.map((q) => q.answer);
  const bm = new Bm25(baselineDocs(corpus), baselineTokenizer);
  const baseline = perQuery(corpus.queries.map((q) => pageLevel(bm.search(q.query, 30).map((h) => h.doc), corpus)), answers);

  const engine = await openEngine({ root: corpus.root, indexDir, provider: 'offline', logger: quietLogger });
  const t = Date.now();
  const rep = await engine.index();
  const indexSeconds = (Date.now() - t) / 1000;
  const asTargets = (hits: readonly SearchHit[]) => pageLevel(hits.map((h) => h.chunk), corpus);
  const via = async (mode: SearchMode): Promise<PerQuery> => {
    const ranked: Target[][] = [];
    for (const q of corpus.queries) ranked.push(asTargets(await engine.search(q.query, { mode, topK: corpus.kind === 'code' ? 10 : 30 })));
    return perQuery(ranked, answers);
  };
  const keyword = await via('keyword');
  const vector = await via('dense');
  const hybrid = await via('hybrid');
  const lists: CorpusRun['lists'] = [];
  for (const q of corpus.queries) {
    const entry = (h: SearchHit, i: number): ListEntry => ({ id: i, path: h.chunk.path, startLine: h.chunk.startLine, endLine: h.chunk.endLine, score: h.score, doc: h.chunk.kind === 'doc' });
    const kw = (await engine.search(q.query, { mode: 'keyword', topK: LIST_DEPTH })).map(entry);
    const dense = (await engine.search(q.query, { mode: 'dense', topK: LIST_DEPTH })).map(entry);
    lists.push({ kw, dense });
  }
  return { corpus, chunks: rep.chunks, indexSeconds, methods: { baseline, keyword, vector, hybrid }, lists };
}
