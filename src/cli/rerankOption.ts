/**
 * `search --rerank`: a cloud second stage over the first ~50 hits. DashScope uses qwen3-rerank on
 * the native route of the chosen region (or DASHSCOPE_BASE_URL); an OpenAI-compatible server uses
 * `{OPENAI_BASE_URL}/rerank` (vLLM, llama.cpp) with --rerank-model. Naming the cloud provider is the
 * consent, as for embedding; offline has no reranker.
 */
import { resolveRerankConfig, type RerankConfig } from '../core/embedding';
import type { CliArgs } from './args';
import { UsageError } from './args';
import { apiKeyFor, remoteSettingsFrom } from './environment';

/** The run's limits, for the endpoint's limiter (the rerank paces with the embedder of the same endpoint). */
const limitsOf = (r: { requestsPerMinute?: number; tokensPerMinute?: number }) => ({ requestsPerMinute: r.requestsPerMinute, tokensPerMinute: r.tokensPerMinute });

export function rerankConfigFor(args: CliArgs, env: NodeJS.ProcessEnv, cwd: string): RerankConfig {
  const apiKey = apiKeyFor(args.provider, env, cwd);
  const remote = remoteSettingsFrom(args, env);
  if (args.provider === 'dashscope') {
    return resolveRerankConfig({ provider: 'dashscope', region: remote.region, baseUrl: remote.baseUrl, model: args.rerankModel, apiKey, keyHint: 'set DASHSCOPE_API_KEY', ...limitsOf(remote) });
  }
  if (args.provider === 'openai') {
    if (!remote.baseUrl) throw new UsageError('--rerank with --provider openai needs OPENAI_BASE_URL (a server with /rerank, e.g. vLLM or llama.cpp)');
    if (!args.rerankModel) throw new UsageError('--rerank with --provider openai needs --rerank-model (e.g. Qwen/Qwen3-Reranker-0.6B)');
    return resolveRerankConfig({ provider: 'openai', baseUrl: remote.baseUrl, model: args.rerankModel, apiKey, keyHint: 'set OPENAI_API_KEY', ...limitsOf(remote) });
  }
  throw new UsageError('--rerank needs --provider dashscope or openai: rerankers run in the cloud (offline search has none)');
}
