/**
 * One request to an OpenAI-compatible `/embeddings` endpoint through the `openai` package: DashScope
 * compatible-mode, OpenAI, Ollama, vLLM, LM Studio, llama.cpp.
 *
 * `encoding_format: "float"` is ALWAYS sent: without it openai-node asks for base64 and decodes
 * every reply as base64 unconditionally — a server that ignores the parameter (Ollama) then yields
 * N/4 near-zero floats, silently (contract §3.1). With the explicit format the SDK returns the body
 * untouched and we accept either a number[] or a base64 string ourselves, validating the length.
 */
import OpenAI from 'openai';
import { classifyServerError, parseRetryAfter, type FailureContext } from './failures';
import { proxyAwareFetch } from './http';
import type { BatchReply, BatchSender } from './schedulerOptions';
import { toVector } from './vectors';

export function createOpenAIClient(baseURL: string, apiKey: string): OpenAI {
  return new OpenAI({
    baseURL,
    apiKey,
    // Never pick up OPENAI_ORG_ID / OPENAI_PROJECT_ID: those headers must not leak to other services.
    organization: null,
    project: null,
    // The scheduler owns retries and timeouts (one policy for every provider).
    maxRetries: 0,
    timeout: 10 * 60_000,
    fetch: proxyAwareFetch(),
    logLevel: 'off',
  });
}

export interface CompatSenderOptions {
  readonly client: OpenAI;
  readonly model: string;
  /** Sent as `dimensions` when set. */
  readonly requestDimensions?: number;
  /** Expected vector length (undefined = learn it from the first reply). */
  readonly expectedDimensions: () => number | undefined;
  readonly learnDimensions: (n: number) => void;
  readonly ctx: FailureContext;
}

export function createCompatSender(o: CompatSenderOptions): BatchSender {
  return async (texts, signal) => {
    let res: unknown;
    try {
      res = await o.client.embeddings.create(
        {
          model: o.model,
          input: [...texts],
          encoding_format: 'float',
          ...(o.requestDimensions ? { dimensions: o.requestDimensions } : {}),
        },
        { signal },
      );
    } catch (e) {
      throw mapClientError(e, o.ctx);
    }
    return parseCompatReply(res, texts.length, o);
  };
}

function mapClientError(e: unknown, ctx: FailureContext): unknown {
  // An HTTP status means the server answered: classify it (retry / re-split / stop).
  if (e instanceof OpenAI.APIError && typeof e.status === 'number') {
    const body = (e.error ?? {}) as { message?: unknown };
    const headers: Record<string, string> = {};
    (e.headers as Headers | undefined)?.forEach((v: string, k: string) => (headers[k] = v));
    return classifyServerError(
      {
        status: e.status,
        code: typeof e.code === 'string' ? e.code : undefined,
        type: typeof e.type === 'string' ? e.type : undefined,
        message: typeof body.message === 'string' ? body.message : e.message,
        requestId: e.requestID ?? headers['x-request-id'],
        retryAfterMs: parseRetryAfter(headers),
      },
      ctx,
    );
  }
  // Connection errors keep our TransportError as `cause`; the scheduler walks the chain.
  return e;
}

function parseCompatReply(res: unknown, count: number, o: CompatSenderOptions): BatchReply {
  const data = (res as { data?: unknown })?.data;
  if (!Array.isArray(data)) throw new SyntaxError('reply has no data array');
  const vectors: Float32Array[] = new Array(count);
  for (const item of data as { embedding?: unknown; index?: unknown }[]) {
    const i = item.index;
    if (typeof i !== 'number' || i < 0 || i >= count || vectors[i]) continue;
    const v = toVector(item.embedding, o.expectedDimensions(), o.ctx.service);
    o.learnDimensions(v.length);
    vectors[i] = v;
  }
  const missing = count - vectors.filter(Boolean).length;
  if (missing) throw new SyntaxError(`reply misses ${missing} of ${count} embeddings`);
  const usage = (res as { usage?: { total_tokens?: unknown; prompt_tokens?: unknown } }).usage;
  const tokens = typeof usage?.total_tokens === 'number' ? usage.total_tokens : typeof usage?.prompt_tokens === 'number' ? usage.prompt_tokens : undefined;
  return { vectors, tokens };
}
