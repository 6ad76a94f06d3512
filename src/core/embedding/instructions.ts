/**
 * English task instructions for query embeddings. Qwen3-Embedding (and so text-embedding-v4) was
 * trained with one instruction per retrieval task; skipping it costs 1–5% retrieval quality, and
 * English instructions work best even for Chinese queries (contract §8).
 *
 * Changing any text here changes every query vector: bump INSTRUCTION_VERSION (it is part of the
 * embedder fingerprint).
 */
import type { QueryTask } from '../types';

export const INSTRUCTION_VERSION = 1;

export const QUERY_INSTRUCTIONS: Readonly<Record<QueryTask, string>> = {
  'code-search':
    'Given a natural-language or code search query, retrieve the source code snippets (functions, classes, configuration) that implement or answer it',
  'doc-search':
    'Given a question or topic, retrieve the documentation passages and notes that answer or explain it',
  classification: 'Given a text, retrieve the category label or description that best classifies it',
  clustering: 'Identify the main topic of the given text so it can be grouped with texts on the same topic',
  similarity: 'Retrieve texts that are semantically similar to the given text',
};

/** The Qwen3-Embedding query format: no space after `Query:` (as in the model card). */
export const QWEN3_QUERY_TEMPLATE = 'Instruct: {task}\nQuery:{query}';

/** Fills a `{task}` / `{query}` template. Placeholders are replaced once each, left to right. */
export function applyQueryTemplate(template: string, task: QueryTask, query: string): string {
  return template.replace('{task}', () => QUERY_INSTRUCTIONS[task]).replace('{query}', () => query);
}
