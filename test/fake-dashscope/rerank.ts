/**
 * The fake's rerank routes (contract §10): DashScope native
 * `/api/v1/services/rerank/text-rerank/text-rerank`, DashScope's flat `/compatible-api/v1/reranks`,
 * and the OpenAI-compatible `/v1/rerank` of vLLM / llama.cpp. Limits as documented for
 * qwen3-rerank (500 documents, items over 4,000 tokens truncated and counted as 4,000, 120,000
 * tokens per request as query × documents + documents; gte-rerank-v2: 30,000). Scores are
 * deterministic and topical: the cosine of the fake embeddings of query and document, so a planted
 * answer outranks distractors. The server's key check, fault injection and rate limits apply
 * before these handlers run (server.ts).
 */
import { invalidParameter, modelNotFound, namedError, type Api, type FakeError } from './errorBodies';
import { cosine, fakeEmbedding, fakeTokenCount } from './fakeVectors';

export type RerankRoute = 'native' | 'flat' | 'openai';

export const RERANK_NATIVE_ROUTE = '/api/v1/services/rerank/text-rerank/text-rerank';
export const RERANK_FLAT_ROUTE = '/compatible-api/v1/reranks';
export const RERANK_OPENAI_ROUTE = '/v1/rerank';

const LIMITS: Readonly<Record<string, { docs: number; item: number; request: number }>> = {
  'qwen3-rerank': { docs: 500, item: 4000, request: 120_000 },
  'gte-rerank-v2': { docs: 500, item: 4000, request: 30_000 },
  // What a local vLLM would serve: no request cap beyond the item limit.
  'Qwen/Qwen3-Reranker-0.6B': { docs: 1000, item: 8192, request: Infinity },
};

export interface RerankCounters {
  requests: number;
  /** Tokens billed by successful replies (the §10 formula). */
  tokens: number;
  maxDocumentsSeen: number;
  /** Parsed bodies of the last 20 rerank requests. */
  lastBodies: unknown[];
}

export function newRerankCounters(): RerankCounters {
  return { requests: 0, tokens: 0, maxDocumentsSeen: 0, lastBodies: [] };
}

export function rerankRoute(path: string): RerankRoute | undefined {
  if (path.endsWith(RERANK_NATIVE_ROUTE)) return 'native';
  if (path.endsWith(RERANK_FLAT_ROUTE)) return 'flat';
  if (path.endsWith(RERANK_OPENAI_ROUTE)) return 'openai';
  return undefined;
}

/** Error envelope of a route: native DashScope body, else the OpenAI one. */
export function rerankApi(route: RerankRoute): Api {
  return route === 'native' ? 'native' : 'compatible';
}

export interface RerankReply {
  readonly status: number;
  readonly body: string;
  /** Tokens to admit against the rate limiter before answering (the server does it). */
  readonly tokens: number;
}

/** Deterministic topical relevance in [0, 1]. */
export function fakeRelevance(query: string, document: string, instruct?: string): number {
  const q = fakeEmbedding(query, { model: 'text-embedding-v4', dims: 512, textType: 'query', instruct });
  const d = fakeEmbedding(document, { model: 'text-embedding-v4', dims: 512, textType: 'document' });
  return Math.round(Math.max(0, cosine(q, d)) * 1e6) / 1e6;
}

function cut(text: string, maxTokens: number): { text: string; tokens: number } {
  const tokens = fakeTokenCount(text);
  if (tokens <= maxTokens) return { text, tokens };
  const chars = [...text];
  return { text: chars.slice(0, Math.floor((chars.length * maxTokens) / tokens)).join(''), tokens: maxTokens };
}

/** Validates and answers one rerank request, or returns the documented error. */
export function handleRerank(route: RerankRoute, body: Record<string, unknown>, counters: RerankCounters, requestId: string): RerankReply | FakeError {
  const api = rerankApi(route);
  counters.requests++;
  counters.lastBodies.push(body);
  if (counters.lastBodies.length > 20) counters.lastBodies.shift();
  const input = (route === 'native' ? body.input : body) as Record<string, unknown> | undefined;
  const params = (route === 'native' ? body.parameters ?? {} : body) as Record<string, unknown>;
  const model = body.model;
  if (typeof model !== 'string' || !model) return namedError(api, 'emptyModel');
  const limits = LIMITS[model];
  if (!limits) return modelNotFound(api, model);
  const query = input?.query, documents = input?.documents;
  if (typeof query !== 'string' || !query.trim() || !Array.isArray(documents) || documents.length === 0) return namedError(api, 'emptyInput');
  const docs = documents.map((d) => (typeof d === 'string' ? d : d && typeof d === 'object' && typeof (d as { text?: unknown }).text === 'string' ? (d as { text: string }).text : undefined));
  if (docs.some((d) => d === undefined)) return invalidParameter(api, 'Value error, documents should be a list of str.: input.documents');
  counters.maxDocumentsSeen = Math.max(counters.maxDocumentsSeen, docs.length);
  if (docs.length > limits.docs) return invalidParameter(api, `Value error, the number of documents should not be larger than ${limits.docs}.: input.documents`);
  const topN = params.top_n ?? docs.length;
  if (typeof topN !== 'number' || !Number.isInteger(topN) || topN < 1) return invalidParameter(api, 'Value error, top_n should be a positive integer.: parameters.top_n');
  const instruct = params.instruct;
  if (instruct !== undefined && (typeof instruct !== 'string' || !model.startsWith('qwen3'))) return invalidParameter(api, 'Value error, instruct is only supported by qwen3-rerank.: parameters.instruct');
  const q = cut(query, limits.item);
  const cutDocs = (docs as string[]).map((d) => cut(d, limits.item));
  const tokens = q.tokens * docs.length + cutDocs.reduce((a, d) => a + d.tokens, 0);
  if (tokens > limits.request) return invalidParameter(api, `Range of input length should be [1, ${limits.request}] tokens per request (query tokens × documents + document tokens); got ${tokens}.`);
  const scored = cutDocs.map((d, index) => ({ index, relevance_score: fakeRelevance(q.text, d.text, instruct as string | undefined) }))
    .sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index)
    .slice(0, Math.min(topN, docs.length));
  const withDocs = params.return_documents === true;
  const results = scored.map((r) => (withDocs ? { ...r, document: { text: cutDocs[r.index].text } } : r));
  const out = route === 'native'
    ? { output: { results }, usage: { total_tokens: tokens }, request_id: requestId }
    : { id: requestId, model, results, usage: { total_tokens: tokens } };
  return { status: 200, body: JSON.stringify(out), tokens };
}
