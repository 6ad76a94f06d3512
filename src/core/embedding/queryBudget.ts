/**
 * A search must not wait minutes on a dead endpoint: a query's embedding (and a rerank) gets a
 * short budget instead of indexing's patience, and says plainly why it gave up.
 */
import { EmbedError } from './errors';
import type { RetryableFailure } from './failures';

/** At most `maxAttempts` requests within `totalMs` (waits, Retry-After and every attempt's timeout included), then a fast EmbedError. */
export interface QueryBudget {
  readonly totalMs: number;
  readonly maxAttempts: number;
}

/** The query budget for `budgetMs` (undefined = no budget): one try and one retry. */
export function queryBudget(budgetMs: number | undefined): QueryBudget | undefined {
  return budgetMs !== undefined && budgetMs > 0 ? { totalMs: budgetMs, maxAttempts: 2 } : undefined;
}

/** A retry with no Retry-After waits at most this long under a budget (the budget is seconds). */
export const BUDGET_BACKOFF_CAP_MS = 250;

/** The query budget ran out: the last failure's kind (throttled, server, network), said plainly. */
export function overBudgetError(label: string, budget: QueryBudget, attempts: number, last: RetryableFailure | undefined): EmbedError {
  const cause = last?.retryCause;
  const status = cause === '429' ? 429 : cause && /^(5|500|502|503|504)/.test(cause) ? (Number(cause) || 500) : cause === '408' ? 408 : undefined;
  const secs = (budget.totalMs / 1000).toFixed(1);
  const what = last ? last.message : 'no answer';
  return new EmbedError(cause === '429' ? 'rate-limit' : 'network', `${label}: no usable answer within the ${secs} s query budget after ${attempts} attempt(s) (last: ${what}).`, status);
}
