/**
 * Reads `semanticWorkspace.*` into the engine's config. The API key never comes from here: it is
 * passed in from SecretStorage (or the environment) by the caller.
 */
import * as vscode from 'vscode';
import { remoteEndpoint } from '../core/embedderFactory';
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

let extensionMode: vscode.ExtensionMode | undefined;

/** Set once by activate: endpoint environment variables are honoured only in ExtensionMode.Test. */
export function setExtensionMode(mode: vscode.ExtensionMode): void {
  extensionMode = mode;
}

/**
 * The base-URL override from the environment — read only when VS Code runs the extension's tests
 * (the harness points it at the fake server, and it wins so a test run can never reach the real
 * endpoint). A user's environment never redirects their key and code: that is the machine-scoped
 * setting's job, and the consent dialog names it.
 */
const ENV_OVERRIDES: Readonly<Record<string, readonly string[]>> = {
  'dashscope.baseUrl': ['SEMANTIC_WORKSPACE_DASHSCOPE_BASE_URL', 'DASHSCOPE_BASE_URL'],
  'openai.baseUrl': ['OPENAI_BASE_URL'],
};

function envOverride(key: string): { value: string; name: string } | undefined {
  if (extensionMode !== vscode.ExtensionMode.Test) return undefined;
  for (const name of ENV_OVERRIDES[key] ?? []) if (process.env[name]) return { value: process.env[name]!, name };
  return undefined;
}

/** The environment's base-URL override in use (ExtensionMode.Test only), for provenance texts. */
export function envBaseUrl(provider: ProviderId = 'dashscope'): string | undefined {
  return envOverride(provider === 'openai' ? 'openai.baseUrl' : 'dashscope.baseUrl')?.value;
}

/** Where a setting's value came from. Machine-scoped settings are read from user/machine settings only. */
export type SettingSource = 'default' | 'user or machine settings' | 'workspace settings' | 'folder settings' | 'environment (tests only)';

export interface Sourced<T> {
  readonly value: T;
  /** `semanticWorkspace.dashscope.baseUrl`, or the environment variable's name. */
  readonly setting: string;
  readonly source: SettingSource;
}

/** The `scope: "machine"` settings of package.json: VS Code reads them from user (or remote) settings only. */
export const MACHINE_SCOPED = ['dashscope.region', 'dashscope.baseUrl', 'openai.baseUrl', 'teamIndex.url', 'teamIndex.storeText'] as const;
const isMachineScoped = (key: string) => (MACHINE_SCOPED as readonly string[]).includes(key);

/**
 * Where the value in use of `key` (under semanticWorkspace.) comes from: the one provenance rule,
 * for what requests use (readSettings via resolveEndpoint) and what the user is told (the consent
 * dialog's and the estimate's "… in Workspace settings", settingScope.ts). A base URL's
 * environment override wins (tests only); a machine-scoped setting counts only from user/remote
 * settings, as VS Code itself reads it; others from folder, then workspace, then user settings.
 * An empty string is unset.
 */
export function settingOrigin<T>(c: vscode.WorkspaceConfiguration, key: string, fallback: T): Sourced<T> {
  const env = envOverride(key);
  if (env) return { value: env.value as T, setting: env.name, source: 'environment (tests only)' };
  const i = c.inspect<T>(key);
  const setting = `${SECTION}.${key}`;
  const empty = (v: unknown) => v === undefined || v === '';
  if (!isMachineScoped(key)) {
    if (!empty(i?.workspaceFolderValue)) return { value: i!.workspaceFolderValue as T, setting, source: 'folder settings' };
    if (!empty(i?.workspaceValue)) return { value: i!.workspaceValue as T, setting, source: 'workspace settings' };
  }
  if (!empty(i?.globalValue)) return { value: i!.globalValue as T, setting, source: 'user or machine settings' };
  return { value: (empty(i?.defaultValue) ? fallback : i!.defaultValue) as T, setting, source: 'default' };
}

/** The endpoint settings that decide where requests go, each with where it came from. */
export interface ResolvedEndpoint {
  readonly provider: Sourced<ProviderId>;
  /** Undefined offline. */
  readonly baseUrl?: Sourced<string>;
  readonly region?: Sourced<DashScopeRegion>;
  readonly transport?: Sourced<'native' | 'compatible'>;
}

/**
 * The one resolver of provider, base URL and region: readSettings (what requests use) and the
 * consent dialog (what the user is shown) both read it. Machine-scoped values (base URL, region)
 * are honoured from user/machine settings only, as VS Code itself does for `get`.
 */
export function resolveEndpoint(scope?: vscode.ConfigurationScope): ResolvedEndpoint {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const raw = settingOrigin<string>(c, 'provider', 'offline');
  const value: ProviderId = raw.value === 'dashscope' || raw.value === 'openai' ? raw.value : 'offline';
  const provider = { ...raw, value };
  if (value === 'offline') return { provider };
  const baseUrl = settingOrigin<string>(c, value === 'openai' ? 'openai.baseUrl' : 'dashscope.baseUrl', '');
  if (value === 'openai') return { provider, baseUrl };
  return { provider, baseUrl, region: settingOrigin<DashScopeRegion>(c, 'dashscope.region', 'singapore'), transport: settingOrigin<'native' | 'compatible'>(c, 'dashscope.transport', 'native') };
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const endpoint = resolveEndpoint(scope);
  const provider = endpoint.provider.value;
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
          baseUrl: endpoint.baseUrl?.value || undefined,
          model: c.get<string>('openai.model') || undefined,
          dimensions: positive(c.get('openai.dimensions')),
        }
      : {
          ...common,
          region: endpoint.region?.value ?? 'singapore',
          baseUrl: endpoint.baseUrl?.value || undefined,
          model: c.get<string>('dashscope.model', 'text-embedding-v4'),
          dimensions: positive(c.get('dashscope.dimensions')) ?? 1024,
          transport: endpoint.transport?.value ?? 'native',
          sparse: c.get<boolean>('dashscope.sparse', false),
        };
  const rawTags = c.get<unknown[]>('tags', []);
  const tags = (Array.isArray(rawTags) ? rawTags : [])
    .map((t) => (typeof t === 'string' ? { label: t } : (t as TagSetting)))
    .filter((t) => t && typeof t.label === 'string' && t.label.trim() !== '');
  return {
    provider,
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

/**
 * Where this provider's requests go (URL and origin), from the core's own resolvers — the same
 * the embedder calls. Undefined offline or for a malformed base URL (the engine reports that).
 */
export function requestEndpoint(s: Settings): { readonly url: string; readonly origin: string } | undefined {
  try {
    return remoteEndpoint(s.provider, s.remote);
  } catch {
    return undefined;
  }
}

/** The origin a consent is given for ('' offline; the raw setting when it does not parse). */
export function endpointOf(s: Settings): string {
  if (s.provider === 'offline') return '';
  return requestEndpoint(s)?.origin ?? s.remote.baseUrl ?? '';
}
