/**
 * `search --rerank`: a cloud second stage over the first ~50 hits. DashScope uses qwen3-rerank on
 * the native route of the chosen region (or DASHSCOPE_BASE_URL); an OpenAI-compatible server uses
 * `{OPENAI_BASE_URL}/rerank` (vLLM, llama.cpp) with --rerank-model. Naming the cloud provider is the
 * consent, as for embedding; offline has no reranker.
 */
import { DEFAULT_RERANK_MODEL, NATIVE_RERANK_PATH, resolveDashScopeEndpoints, type RerankConfig } from '../core/embedding';
import type { CliArgs } from './args';
import { UsageError } from './args';
import { apiKeyFor, remoteSettingsFrom } from './environment';

export function rerankConfigFor(args: CliArgs, env: NodeJS.ProcessEnv, cwd: string): RerankConfig {
  const apiKey = apiKeyFor(args.provider, env, cwd);
  const remote = remoteSettingsFrom(args, env);
  if (args.provider === 'dashscope') {
    const ep = resolveDashScopeEndpoints({ region: remote.region, baseUrl: remote.baseUrl });
    const model = args.rerankModel ?? DEFAULT_RERANK_MODEL;
    return {
      api: 'dashscope', url: `${ep.nativeBase}${NATIVE_RERANK_PATH}`, apiKey, model,
      ctx: { provider: 'dashscope', service: `DashScope rerank (${ep.nativeBase})`, model, keyHint: 'set DASHSCOPE_API_KEY' },
    };
  }
  if (args.provider === 'openai') {
    if (!remote.baseUrl) throw new UsageError('--rerank with --provider openai needs OPENAI_BASE_URL (a server with /rerank, e.g. vLLM or llama.cpp)');
    if (!args.rerankModel) throw new UsageError('--rerank with --provider openai needs --rerank-model (e.g. Qwen/Qwen3-Reranker-0.6B)');
    const url = `${remote.baseUrl.replace(/\/+$/, '')}/rerank`;
    return {
      api: 'openai', url, apiKey, model: args.rerankModel,
      ctx: { provider: 'openai', service: `the OpenAI-compatible server at ${remote.baseUrl}`, model: args.rerankModel, keyHint: 'set OPENAI_API_KEY' },
    };
  }
  throw new UsageError('--rerank needs --provider dashscope or openai: rerankers run in the cloud (offline search has none)');
}
