/**
 * Where a rerank goes, from the provider's remote settings: DashScope uses qwen3-rerank (or the
 * named model) on the native route of the chosen region or base URL; an OpenAI-compatible server
 * uses `{baseUrl}/rerank` (vLLM, llama.cpp) with a named model. Shared by the CLI and the extension.
 */
import type { DashScopeRegion } from '../engineTypes';
import { resolveDashScopeEndpoints } from './dashscopeEndpoints';
import { RateLimiter } from './rateLimiter';
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
}

/** Thrown when the settings cannot name a reranker; the message says what to set. */
export class RerankSetupError extends Error {}

export function resolveRerankConfig(t: RerankTarget): RerankConfig {
  if (t.provider === 'dashscope') {
    const ep = resolveDashScopeEndpoints({ region: t.region, baseUrl: t.baseUrl });
    const model = t.model || DEFAULT_RERANK_MODEL;
    return {
      api: 'dashscope', url: `${ep.nativeBase}${NATIVE_RERANK_PATH}`, apiKey: t.apiKey, model,
      ctx: { provider: 'dashscope', service: `DashScope rerank (${ep.nativeBase})`, model, keyHint: t.keyHint },
    };
  }
  if (!t.baseUrl) throw new RerankSetupError('reranking with an OpenAI-compatible provider needs its base URL (a server with /rerank, e.g. vLLM or llama.cpp)');
  if (!t.model) throw new RerankSetupError('reranking with an OpenAI-compatible provider needs a rerank model name (e.g. Qwen/Qwen3-Reranker-0.6B)');
  return {
    api: 'openai', url: `${t.baseUrl.replace(/\/+$/, '')}/rerank`, apiKey: t.apiKey, model: t.model,
    ctx: { provider: 'openai', service: `the OpenAI-compatible server at ${t.baseUrl}`, model: t.model, keyHint: t.keyHint },
  };
}

let shared: { key: string; limiter: RateLimiter } | undefined;

/**
 * One limiter for the reranks of a process under the user's requests/tokens-per-minute settings
 * (undefined when neither is set); the same one while the settings stay the same.
 */
export function rerankLimiter(requestsPerMinute?: number, tokensPerMinute?: number): RateLimiter | undefined {
  if (!requestsPerMinute && !tokensPerMinute) return undefined;
  const key = `${requestsPerMinute ?? ''}|${tokensPerMinute ?? ''}`;
  if (shared?.key !== key) shared = { key, limiter: new RateLimiter({ requestsPerMinute, tokensPerMinute }) };
  return shared.limiter;
}
