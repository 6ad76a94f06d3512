/**
 * Picks the embedder for an engine config. The only place that knows all providers; the key is
 * handed straight to the remote embedder and kept nowhere else.
 */
import { estimateCostUSD } from './embedding/cost';
import { createDashScopeEmbedder } from './embedding/dashscope';
import { resolveDashScopeEndpoints } from './embedding/dashscopeEndpoints';
import { OfflineEmbedder } from './embedding/offline';
import { createOpenAIEmbedder, resolveOpenAIBaseUrl } from './embedding/openaiEmbedder';
import type { DashScopeRegion, EngineConfig, RemoteSettings } from './engineTypes';
import type { Embedder, ProviderId } from './types';
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

export interface RemoteEndpoint {
  /** The URL embedding requests are POSTed to. */
  readonly url: string;
  /** Scheme + host: what a consent is given for. */
  readonly origin: string;
  /** DashScope region, when the URL is a known region's. */
  readonly region?: DashScopeRegion;
}

/**
 * Where a remote provider's requests go, computed by the same resolvers the embedders use — so
 * what the consent dialog shows is where the text is sent. Undefined offline.
 */
export function remoteEndpoint(provider: ProviderId, remote: RemoteSettings = {}): RemoteEndpoint | undefined {
  if (provider === 'dashscope') {
    const e = resolveDashScopeEndpoints({ region: remote.region, baseUrl: remote.baseUrl });
    const url = remote.transport === 'compatible' ? e.compatibleUrl : e.nativeUrl;
    return { url, origin: new URL(url).origin, region: e.region };
  }
  if (provider === 'openai') {
    const url = `${resolveOpenAIBaseUrl(remote.baseUrl)}/embeddings`;
    return { url, origin: new URL(url).origin };
  }
  return undefined;
}
