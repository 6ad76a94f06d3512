/** Shared by the index tests that compare generations: open one, and every query's ranking in every mode. */
import assert from 'node:assert/strict';
import { openIndex, type OpenedIndex, type OpenIndexResult } from '../../../src/core/index';
import { searchHybrid } from '../../../src/core/search/hybrid';
import type { SearchMode } from '../../../src/core/types';
import type { HashEmbedder } from './helpers';

export function okIndex(o: OpenIndexResult): OpenedIndex {
  assert.equal(o.status, 'ok', o.status === 'corrupt' ? o.reason : o.status);
  return (o as { index: OpenedIndex }).index;
}

export function opened(indexDir: string, e: HashEmbedder): OpenedIndex {
  return okIndex(openIndex({ indexDir, embedder: e }));
}

/** Every query in every mode: chunk (path, start line) and exact score, in rank order. */
export async function rankings(idx: OpenedIndex, e: HashEmbedder, queries: readonly string[], topK: number): Promise<string[]> {
  const out: string[] = [];
  for (const q of queries) {
    const qv = await e.embedQuery(q);
    for (const mode of ['keyword', 'dense', 'hybrid'] as SearchMode[]) {
      const hits = searchHybrid({ keyword: idx.keywordIndex(), vector: idx.vectorIndex(), chunks: idx.chunks, query: q, queryVector: qv, mode, topK });
      out.push(`${mode} ${q}: ` + hits.map((h) => `${h.chunk.path}:${h.chunk.startLine}=${h.score}`).join(' '));
    }
  }
  return out;
}
