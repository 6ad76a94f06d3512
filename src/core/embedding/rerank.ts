/**
 * Second-stage reranking by a cloud cross-encoder: DashScope `qwen3-rerank` / `gte-rerank-v2` on the
 * native route (contract §10) or the OpenAI-compatible `/v1/rerank` shape that vLLM and llama.cpp
 * serve for Qwen3-Reranker (`{model, query, documents, top_n}` → `{results: [{index, relevance_score}]}`).
 *
 * One request per search, so the rules are those of the embedding scheduler scaled to one call:
 * documents cut to the per-item limit and candidates dropped from the tail until the request's
 * token formula fits; paced by the endpoint's limiter, the embedder's own (a 429 either of them
 * draws slows both); 429/5xx/timeouts retried (Retry-After wins) but only inside a short budget —
 * a rerank never makes a search hang; 400/401/403 stop at once with the classified message.
 */
import { EmbedError } from './errors';
import { RetryableFailure, classifyServerError, parseServerError, type FailureContext } from './failures';
import { TransportError, httpRequest } from './http';
import { sleep } from './abortableSleep';
import type { RateLimiter } from './rateLimiter';
import { estimateTokens, truncateToTokens } from './tokens';

export type RerankApi = 'dashscope' | 'openai';

export interface RerankLimits {
  readonly maxDocuments: number;
  /** Per query or document; longer ones are truncated by the service (we cut them first). */
  readonly maxItemTokens: number;
  /** Counted as query tokens × documents + all document tokens. */
  readonly maxRequestTokens: number;
}

/** Contract §10. */
export const RERANK_LIMITS: Readonly<Record<string, RerankLimits>> = {
  'qwen3-rerank': { maxDocuments: 500, maxItemTokens: 4000, maxRequestTokens: 120_000 },
  'gte-rerank-v2': { maxDocuments: 500, maxItemTokens: 4000, maxRequestTokens: 30_000 },
};
/** USD per 1M tokens (Singapore; contract §10). */
const PRICE_PER_M: Readonly<Record<string, number>> = { 'qwen3-rerank': 0.1, 'gte-rerank-v2': 0.115 };

export const DEFAULT_RERANK_MODEL = 'qwen3-rerank';
/** How long a rerank may take, retries included, before the search shows first-stage order. */
export const RERANK_BUDGET_MS = 4000;
export const RERANK_CANDIDATES = 50;
export const NATIVE_RERANK_PATH = '/services/rerank/text-rerank/text-rerank';
const CODE_SEARCH_INSTRUCT = 'Given a code search query, retrieve the code snippets or documentation passages that answer the query.';

export interface RerankConfig {
  readonly api: RerankApi;
  /** The full endpoint URL. */
  readonly url: string;
  readonly apiKey?: string;
  readonly model: string;
  /** qwen3-rerank only (DashScope); default: a code-search instruction. */
  readonly instruct?: string;
  readonly ctx: FailureContext;
  /**
   * The endpoint's limiter, so reranks and embedding pace against one state (limits, learned
   * rate, Retry-After); a function resolves it when the rerank runs (endpointLimiters.ts).
   */
  readonly limiter?: RateLimiter | (() => RateLimiter);
  readonly limits?: RerankLimits;
}

export interface RerankScore {
  /** Index into the documents passed to `rerank`. */
  readonly index: number;
  readonly score: number;
}

export interface RerankResult {
  readonly order: RerankScore[];
  /** Tokens billed (the server's usage, else our estimate). */
  readonly tokens: number;
  /** Candidates sent (the tail may have been dropped to fit the limits). */
  readonly sent: number;
  readonly attempts: number;
}

export function limitsFor(model: string): RerankLimits {
  return RERANK_LIMITS[model] ?? RERANK_LIMITS[DEFAULT_RERANK_MODEL];
}

/** The token formula of §10 for a request. */
export function rerankRequestTokens(query: string, documents: readonly string[], limits: RerankLimits): number {
  const q = Math.min(limits.maxItemTokens, estimateTokens(query));
  return q * documents.length + documents.reduce((a, d) => a + Math.min(limits.maxItemTokens, estimateTokens(d)), 0);
}

/** Cuts documents to the item limit and drops the last candidates until the request fits. */
export function fitToLimits(query: string, documents: readonly string[], limits: RerankLimits): { query: string; documents: string[]; tokens: number } {
  const q = truncateToTokens(query, limits.maxItemTokens).text;
  const qTokens = estimateTokens(q);
  const docs: string[] = [];
  let tokens = 0;
  for (const d of documents.slice(0, limits.maxDocuments)) {
    const cut = truncateToTokens(d.trim() ? d : '(empty)', limits.maxItemTokens).text;
    const t = qTokens + estimateTokens(cut);
    if (tokens + t > limits.maxRequestTokens) break;
    docs.push(cut);
    tokens += t;
  }
  return { query: q, documents: docs, tokens };
}

export function estimateRerankCostUSD(tokens: number, model = DEFAULT_RERANK_MODEL): number {
  return (tokens / 1e6) * (PRICE_PER_M[model] ?? PRICE_PER_M[DEFAULT_RERANK_MODEL]);
}

export function buildRerankBody(cfg: Pick<RerankConfig, 'api' | 'model' | 'instruct'>, query: string, documents: readonly string[], topN: number): string {
  if (cfg.api === 'openai') return JSON.stringify({ model: cfg.model, query, documents, top_n: topN });
  const parameters: Record<string, unknown> = { top_n: topN, return_documents: false };
  if (cfg.model.startsWith('qwen3')) parameters.instruct = cfg.instruct ?? CODE_SEARCH_INSTRUCT;
  return JSON.stringify({ model: cfg.model, input: { query, documents }, parameters });
}

/** Both reply shapes; indexes outside the request or repeated are ignored; best first. */
export function parseRerankReply(api: RerankApi, body: string, count: number): { order: RerankScore[]; tokens?: number } {
  const json = JSON.parse(body) as { output?: { results?: unknown }; results?: unknown; usage?: { total_tokens?: unknown } };
  const results = api === 'dashscope' ? json.output?.results : json.results ?? json.output?.results;
  if (!Array.isArray(results)) throw new SyntaxError('reply has no results');
  const seen = new Set<number>();
  const order: RerankScore[] = [];
  for (const r of results as { index?: unknown; relevance_score?: unknown }[]) {
    const i = r.index, s = r.relevance_score;
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= count || seen.has(i) || typeof s !== 'number' || !Number.isFinite(s)) continue;
    seen.add(i);
    order.push({ index: i, score: s });
  }
  if (!order.length && count > 0) throw new SyntaxError('reply has no usable results');
  order.sort((a, b) => b.score - a.score || a.index - b.index);
  const tokens = typeof json.usage?.total_tokens === 'number' ? json.usage.total_tokens : undefined;
  return { order, tokens };
}

function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => !!s));
}

/**
 * The endpoint's turn for a rerank, within what is left of its budget: its embedder's limits,
 * learned pace and Retry-After pause apply; a turn that cannot come in time is a fallback, not a
 * wait (a pause beyond the budget gives up at once, without sending).
 */
async function turn(limiter: RateLimiter, tokens: number, leftMs: number, budgetMs: number, signal: AbortSignal, userSignal?: AbortSignal): Promise<number> {
  const secs = (budgetMs / 1000).toFixed(1);
  const paused = limiter.pauseLeftMs();
  if (paused >= leftMs) throw new RetryableFailure('429', `the server asked to wait ${Math.ceil(paused / 1000)} s (Retry-After), beyond the rerank's ${secs} s budget`);
  try {
    return await limiter.acquire(tokens, signal);
  } catch (e) {
    if (userSignal?.aborted) throw e;
    throw new RetryableFailure('429', `the endpoint's rate limit (configured or learned from its 429s) left no turn within the rerank's ${secs} s budget`);
  }
}

/**
 * Reranks `documents` for `query` within `budgetMs`. Throws EmbedError (stop) or the last
 * retryable failure when the budget runs out; the caller falls back to first-stage order.
 */
export async function rerank(cfg: RerankConfig, query: string, documents: readonly string[], opts: { topN: number; budgetMs?: number; signal?: AbortSignal }): Promise<RerankResult> {
  const limits = cfg.limits ?? limitsFor(cfg.model);
  const fit = fitToLimits(query, documents, limits);
  if (!fit.documents.length) return { order: [], tokens: 0, sent: 0, attempts: 0 };
  const budgetMs = opts.budgetMs ?? RERANK_BUDGET_MS;
  const deadline = Date.now() + budgetMs;
  const limiter = typeof cfg.limiter === 'function' ? cfg.limiter() : cfg.limiter;
  const body = buildRerankBody(cfg, fit.query, fit.documents, Math.min(opts.topN, fit.documents.length));
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', accept: 'application/json', 'user-agent': 'semantic-workspace' };
  if (cfg.apiKey) headers.authorization = `Bearer ${cfg.apiKey}`;
  let attempts = 0;
  let last: Error = new RetryableFailure('timeout', 'rerank budget exhausted');
  for (let backoff = 250; ; backoff *= 2) {
    const left = deadline - Date.now();
    if (left <= 0) throw last;
    const timeout = AbortSignal.timeout(left);
    const signal = anySignal([opts.signal, timeout]);
    const sentAt = limiter ? await turn(limiter, fit.tokens, left, budgetMs, signal, opts.signal) : undefined;
    try {
      attempts++;
      const reply = await httpRequest({ url: cfg.url, headers, body, signal });
      if (reply.status !== 200) throw classifyServerError(parseServerError(reply.status, reply.body, reply.headers), cfg.ctx);
      limiter?.succeeded(sentAt);
      const parsed = parseRerankReply(cfg.api, reply.body, fit.documents.length);
      return { order: parsed.order, tokens: parsed.tokens ?? fit.tokens, sent: fit.documents.length, attempts };
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      // The endpoint's pause and pace are shared: the next embedding batch honours this 429 too.
      if (e instanceof RetryableFailure && e.retryCause === '429') limiter?.throttled(e.retryAfterMs, sentAt);
      if (e instanceof EmbedError && !(e instanceof RetryableFailure)) throw e;
      const retryable = e instanceof RetryableFailure || e instanceof TransportError || e instanceof SyntaxError || timeout.aborted || (e as Error).name === 'AbortError';
      if (!retryable) throw e;
      last = timeout.aborted ? new RetryableFailure('timeout', `rerank took longer than ${budgetMs} ms`) : (e as Error);
      const wait = e instanceof RetryableFailure && e.retryAfterMs !== undefined ? e.retryAfterMs : backoff;
      // A server that asks for a wait beyond the budget gets no second try.
      if (Date.now() + wait >= deadline) throw last;
      await sleep(wait, opts.signal);
    }
  }
}
