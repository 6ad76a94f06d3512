/**
 * Where a rerank goes, from the provider's remote settings: DashScope uses qwen3-rerank (or the
 * named model) on the native route of the chosen region or base URL; an OpenAI-compatible server
 * uses `{baseUrl}/rerank` (vLLM, llama.cpp) with a named model. Shared by the CLI and the extension.
 * A rerank paces against the endpoint's limiter, the one its embedder uses (endpointLimiters.ts).
 */
import type { DashScopeRegion } from '../engineTypes';
import { DASHSCOPE_DEFAULTS } from './dashscope';
import { resolveDashScopeEndpoints } from './dashscopeEndpoints';
import { limiterInUse } from './endpointLimiters';
import { DEFAULT_RERANK_MODEL, NATIVE_RERANK_PATH, type RerankConfig } from './rerank';

export interface RerankTarget {
  readonly provider: 'dashscope' | 'openai';
  readonly region?: DashScopeRegion;
  readonly baseUrl?: string;
  /** Undefined: qwen3-rerank on DashScope; required for an OpenAI-compatible server. */
  readonly model?: string;
  readonly apiKey?: string;
  /** How the user supplies a key, for error messages ("set DASHSCOPE_API_KEY", "run Set API Key"). */
  readonly keyHint: string;
  /** The user's limits, for a rerank sent before any embedder paced this endpoint. */
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
}

/** Thrown when the settings cannot name a reranker; the message says what to set. */
export class RerankSetupError extends Error {}

export function resolveRerankConfig(t: RerankTarget): RerankConfig {
  if (t.provider === 'dashscope') {
    const ep = resolveDashScopeEndpoints({ region: t.region, baseUrl: t.baseUrl });
    const model = t.model || DEFAULT_RERANK_MODEL;
    const url = `${ep.nativeBase}${NATIVE_RERANK_PATH}`;
    // The embedder's defaults, so a rerank that comes first builds the limiter the embedder would.
    const limits = { requestsPerMinute: t.requestsPerMinute ?? DASHSCOPE_DEFAULTS.requestsPerMinute, tokensPerMinute: t.tokensPerMinute ?? DASHSCOPE_DEFAULTS.tokensPerMinute };
    return {
      api: 'dashscope', url, apiKey: t.apiKey, model, limiter: limiterInUse(url, t.apiKey, limits),
      ctx: { provider: 'dashscope', service: `DashScope rerank (${ep.nativeBase})`, model, keyHint: t.keyHint },
    };
  }
  if (!t.baseUrl) throw new RerankSetupError('reranking with an OpenAI-compatible provider needs its base URL (a server with /rerank, e.g. vLLM or llama.cpp)');
  if (!t.model) throw new RerankSetupError('reranking with an OpenAI-compatible provider needs a rerank model name (e.g. Qwen/Qwen3-Reranker-0.6B)');
  const url = `${t.baseUrl.replace(/\/+$/, '')}/rerank`;
  return {
    api: 'openai', url, apiKey: t.apiKey, model: t.model, limiter: limiterInUse(url, t.apiKey, { requestsPerMinute: t.requestsPerMinute, tokensPerMinute: t.tokensPerMinute }),
    ctx: { provider: 'openai', service: `the OpenAI-compatible server at ${t.baseUrl}`, model: t.model, keyHint: t.keyHint },
  };
}
