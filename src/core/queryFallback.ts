/**
 * When a search's query cannot be embedded in time (dead endpoint, revoked key, quota, throttled),
 * the search answers from the keyword index and says why. This maps the embedder's error to the
 * `degraded` marker of a search result.
 */
import { EmbedError, isCancellation } from './embedding/errors';
import { classifyFailure } from './embedding/failures';
import type { SearchDegraded, SearchResult } from './engineTypes';
import type { SearchHit } from './types';

export const DEFAULT_QUERY_BUDGET_MS = 5_000;

/** The degraded marker for a failed query embedding, or undefined when the error must propagate (cancellation, bugs). */
export function degradedBy(e: unknown): SearchDegraded | undefined {
  if (isCancellation(e) || !(e instanceof EmbedError)) return undefined;
  const failure = classifyFailure(e);
  return { to: 'keyword', reason: `The query could not be embedded, so these are keyword results: ${e.message}`, ...(failure ? { failure } : {}) };
}

export function withDegraded(hits: SearchHit[], degraded: SearchDegraded | undefined): SearchResult {
  if (degraded) Object.defineProperty(hits, 'degraded', { value: degraded, enumerable: false });
  return hits as SearchResult;
}
