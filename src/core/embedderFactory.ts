/**
 * Picks the embedder for an engine config. The only place that knows all providers; the key is
 * handed straight to the remote embedder and kept nowhere else.
 */
import { estimateCostUSD } from './embedding/cost';
import { createDashScopeEmbedder } from './embedding/dashscope';
import { OfflineEmbedder } from './embedding/offline';
import { createOpenAIEmbedder } from './embedding/openaiEmbedder';
import type { EngineConfig } from './engineTypes';
import type { Embedder } from './types';
import { nullLogger } from './types';

export function createEmbedder(config: EngineConfig): Embedder {
  const logger = config.logger ?? nullLogger;
  switch (config.provider) {
    case 'offline':
      return new OfflineEmbedder();
    case 'dashscope':
      return createDashScopeEmbedder({ ...config.remote, apiKey: config.apiKey ?? '' }, logger);
    case 'openai':
      return createOpenAIEmbedder({ ...config.remote, apiKey: config.apiKey }, logger);
  }
}

/** Estimated USD of embedding `tokens` with this embedder (0 offline; unknown prices count as 0). */
export function costOf(embedder: Embedder, config: EngineConfig, tokens: number): number {
  if (embedder.provider !== 'dashscope') return 0;
  return estimateCostUSD(tokens, config.remote?.region ?? 'singapore', config.remote?.model);
}
