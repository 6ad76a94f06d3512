/**
 * Reads `semanticWorkspace.*` into the engine's config. The API key never comes from here: it is
 * passed in from SecretStorage (or the environment) by the caller.
 */
import * as vscode from 'vscode';
import type { EngineConfig, RemoteSettings, DashScopeRegion } from '../core/engineTypes';
import type { ProviderId, SearchMode } from '../core/types';

export const SECTION = 'semanticWorkspace';

/** Settings that change the index fingerprint (or its content): changing one asks to rebuild. */
export const FINGERPRINT_SETTINGS = [
  'provider', 'dashscope.model', 'dashscope.dimensions', 'dashscope.sparse', 'openai.model', 'openai.dimensions',
  'chunkTokens', 'include', 'exclude', 'maxFileSize',
].map((k) => `${SECTION}.${k}`);

/** Settings that only change how requests are sent: engines are reopened, the index stays. */
export const ENGINE_SETTINGS = [
  'dashscope.region', 'dashscope.baseUrl', 'dashscope.transport', 'openai.baseUrl', 'concurrency',
  'requestsPerMinute', 'tokensPerMinute', 'tokenBudget', 'requestTimeoutSeconds',
].map((k) => `${SECTION}.${k}`);

export interface TagSetting { readonly label: string; readonly description?: string }

export interface Settings {
  readonly provider: ProviderId;
  readonly remote: RemoteSettings;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly maxFileBytes: number;
  readonly chunkTokens: number;
  readonly tokenBudget?: number;
  readonly searchMode: SearchMode;
  /** Dense-list weight in hybrid fusion; undefined = the engine's per-provider default. */
  readonly hybridWeight?: number;
  /** Rerank the first ~50 results with the cloud provider's reranker (cloud providers only). */
  readonly rerank: boolean;
  /** Undefined: qwen3-rerank on DashScope; an OpenAI-compatible server needs one named. */
  readonly rerankModel?: string;
  /** Cosine threshold of Find Duplicates; undefined = the core's per-provider default. */
  readonly duplicateThreshold?: number;
  /** Weight of the recently-opened-files profile in Related (0 = off). */
  readonly relatedHistoryWeight: number;
  readonly notesGlobs: readonly string[];
  readonly tags: readonly TagSetting[];
}

function strings(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : [];
}

function positive(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : undefined;
}

function nonNegative(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : undefined;
}

/** A number in [0, 1] (0 allowed: "off"). */
function fraction(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1 ? x : undefined;
}

function unitInterval(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 && x <= 1 ? x : undefined;
}

/**
 * The DashScope base URL override from the environment (the test harness points it at the fake
 * server). It wins over the setting so a test run can never reach the real endpoint.
 */
export function envBaseUrl(): string | undefined {
  return process.env.SEMANTIC_WORKSPACE_DASHSCOPE_BASE_URL || process.env.DASHSCOPE_BASE_URL || undefined;
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const provider = c.get<ProviderId>('provider', 'offline');
  const common = {
    concurrency: positive(c.get('concurrency')),
    requestsPerMinute: positive(c.get('requestsPerMinute')),
    tokensPerMinute: positive(c.get('tokensPerMinute')),
    timeoutMs: (positive(c.get('requestTimeoutSeconds')) ?? 60) * 1000,
  };
  const remote: RemoteSettings =
    provider === 'openai'
      ? {
          ...common,
          baseUrl: c.get<string>('openai.baseUrl') || undefined,
          model: c.get<string>('openai.model') || undefined,
          dimensions: positive(c.get('openai.dimensions')),
        }
      : {
          ...common,
          region: c.get<DashScopeRegion>('dashscope.region', 'singapore'),
          baseUrl: envBaseUrl() || c.get<string>('dashscope.baseUrl') || undefined,
          model: c.get<string>('dashscope.model', 'text-embedding-v4'),
          dimensions: positive(c.get('dashscope.dimensions')) ?? 1024,
          transport: c.get<'native' | 'compatible'>('dashscope.transport', 'native'),
          sparse: c.get<boolean>('dashscope.sparse', false),
        };
  const rawTags = c.get<unknown[]>('tags', []);
  const tags = (Array.isArray(rawTags) ? rawTags : [])
    .map((t) => (typeof t === 'string' ? { label: t } : (t as TagSetting)))
    .filter((t) => t && typeof t.label === 'string' && t.label.trim() !== '');
  return {
    provider: provider === 'dashscope' || provider === 'openai' ? provider : 'offline',
    remote,
    include: strings(c.get('include')),
    exclude: strings(c.get('exclude')),
    maxFileBytes: positive(c.get('maxFileSize')) ?? 1_000_000,
    chunkTokens: positive(c.get('chunkTokens')) ?? 1000,
    tokenBudget: positive(c.get('tokenBudget')),
    searchMode: c.get<SearchMode>('search.mode', 'hybrid'),
    hybridWeight: nonNegative(c.get('search.hybridWeight')),
    rerank: c.get<boolean>('search.rerank', false) === true,
    rerankModel: c.get<string>('search.rerankModel')?.trim() || undefined,
    duplicateThreshold: unitInterval(c.get('duplicates.threshold')),
    relatedHistoryWeight: fraction(c.get('related.historyWeight')) ?? 0.15,
    notesGlobs: strings(c.get('notesGlobs')).length ? strings(c.get('notesGlobs')) : ['**/*.md', '**/*.txt'],
    tags,
  };
}

/** The engine config for one folder (the provider may have been downgraded to offline by trust). */
export function engineConfig(
  s: Settings,
  root: string,
  indexDir: string,
  provider: ProviderId,
  apiKey: string | undefined,
  logger: EngineConfig['logger'],
): EngineConfig {
  return {
    root,
    indexDir,
    provider,
    remote: provider === 'offline' ? undefined : s.remote,
    apiKey: provider === 'offline' ? undefined : apiKey,
    include: s.include.length ? s.include : undefined,
    exclude: s.exclude.length ? s.exclude : undefined,
    maxFileBytes: s.maxFileBytes,
    maxChunkTokens: s.chunkTokens,
    tokenBudget: s.tokenBudget,
    logger,
  };
}

const DASHSCOPE_HOSTS: Record<DashScopeRegion, string> = {
  singapore: 'https://dashscope-intl.aliyuncs.com',
  beijing: 'https://dashscope.aliyuncs.com',
  us: 'https://dashscope-us.aliyuncs.com',
  hongkong: 'https://cn-hongkong.dashscope.aliyuncs.com',
};

/** The endpoint a remote provider sends to, as shown in the consent dialog (origin only). */
export function endpointOf(s: Settings): string {
  if (s.provider === 'offline') return '';
  const raw = s.remote.baseUrl || (s.provider === 'dashscope' ? DASHSCOPE_HOSTS[s.remote.region ?? 'singapore'] : 'https://api.openai.com');
  try {
    return new URL(raw).origin;
  } catch {
    return raw;
  }
}
