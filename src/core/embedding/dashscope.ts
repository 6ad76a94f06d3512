/**
 * The DashScope embedder (text-embedding-v4 default, v3). Native API by default — it is the only
 * one with `text_type`, `instruct` and sparse output; the OpenAI-compatible path goes through the
 * `openai` package. Both share the scheduler (≤ 10 texts, pacing, retries, resume).
 */
import type { DashScopeRegion, RemoteSettings } from '../engineTypes';
import type { Embedder, EmbedOptions, Logger, QueryTask } from '../types';
import { nullLogger } from '../types';
import { createCompatSender, createOpenAIClient } from './compatSender';
import { estimateCostUSD } from './cost';
import { createNativeSender } from './dashscopeNative';
import { DEFAULT_DASHSCOPE_MODEL, checkDimensions, dashScopeModelProfile } from './dashscopeModels';
import { resolveDashScopeEndpoints, type DashScopeEndpoints } from './dashscopeEndpoints';
import { endpointLimiter } from './endpointLimiters';
import { EmbedError, registerSecretKey } from './errors';
import type { FailureContext } from './failures';
import { INSTRUCTION_VERSION, QUERY_INSTRUCTIONS } from './instructions';
import { queryBudget } from './queryBudget';
import { EmbedScheduler } from './scheduler';
import type { BatchSender, EmbedStats, SchedulerOptions } from './schedulerOptions';
import type { SparseVector } from './vectors';

/** Defaults sized well under DashScope's documented v3 limits (6,000 QPM / 24M TPM); v4's are unknown. */
export const DASHSCOPE_DEFAULTS = { concurrency: 4, requestsPerMinute: 3000, tokensPerMinute: 10_000_000, timeoutMs: 60_000 } as const;

export const DASHSCOPE_KEY_HINT = 'run `Semantic Workspace: Set API Key` in VS Code, or set the DASHSCOPE_API_KEY environment variable for the CLI';

/** Scheduler knobs tests (and power users) may tune; not part of the user settings. */
export type SchedulerTuning = Partial<Pick<SchedulerOptions, 'maxRetries' | 'baseDelayMs' | 'maxDelayMs' | 'burst' | 'random' | 'maxItemTokens' | 'rateLimitPatienceMs' | 'retryPatienceMs'>>;

export interface DashScopeEmbedderSettings extends RemoteSettings {
  readonly apiKey: string;
  readonly tuning?: SchedulerTuning;
}

export interface DashScopeEmbedder extends Embedder {
  readonly provider: 'dashscope';
  readonly model: string;
  readonly transport: 'native' | 'compatible';
  readonly endpoints: DashScopeEndpoints;
  /** Requests, retries by cause, server-reported tokens: cumulative over this embedder's life. */
  stats(): EmbedStats;
  /** Documents with sparse vectors too (native + `sparse: true`; otherwise `sparse` is undefined). */
  embedDocumentsWithSparse(
    texts: readonly string[],
    options?: EmbedOptions,
  ): Promise<{ vectors: Float32Array[]; sparse?: (SparseVector | undefined)[] }>;
  /** USD for `tokens` at this embedder's region and model. */
  estimateCostUSD(tokens: number): number;
}

export function createDashScopeEmbedder(settings: DashScopeEmbedderSettings, logger: Logger = nullLogger): DashScopeEmbedder {
  const apiKey = settings.apiKey?.trim();
  if (!apiKey) throw new EmbedError('auth', `No DashScope API key: ${DASHSCOPE_KEY_HINT}.`);
  registerSecretKey(apiKey);

  const model = settings.model?.trim() || DEFAULT_DASHSCOPE_MODEL;
  const profile = dashScopeModelProfile(model);
  if (!profile.known) logger.warn(`DashScope model "${model}" is not one this version knows (text-embedding-v4, -v3); using 10 texts per request and not validating dimensions.`);
  const dimensions = settings.dimensions ?? profile.defaultDimensions;
  const dimError = checkDimensions(profile, dimensions);
  if (dimError) throw new EmbedError('bad-request', `DashScope: ${dimError}`);
  if (profile.uncertainDimensions.includes(dimensions)) logger.warn(`DashScope: ${dimensions} dimensions for ${model} is listed only on the China site; the server may reject it.`);

  let endpoints: DashScopeEndpoints;
  try {
    endpoints = resolveDashScopeEndpoints(settings);
  } catch (e) {
    throw new EmbedError('bad-request', (e as Error).message);
  }
  if (endpoints.origin.startsWith('http:') && !/\/\/(localhost|127\.|\[::1\])/.test(endpoints.origin)) {
    logger.warn(`DashScope base URL ${endpoints.origin} is plain http: the API key would travel unencrypted.`);
  }
  const transport = settings.transport ?? 'native';
  if (settings.sparse && transport !== 'native') logger.warn('DashScope sparse vectors need the native API; ignored on the compatible transport.');
  const sparse = !!settings.sparse && transport === 'native';
  const region: DashScopeRegion = endpoints.region ?? settings.region ?? 'singapore';
  const ctx: FailureContext = { provider: 'dashscope', service: `DashScope (${endpoints.label})`, model, keyHint: DASHSCOPE_KEY_HINT };

  const label = `DashScope ${model} (${dimensions}-d, ${endpoints.label}${transport === 'compatible' ? ', compatible mode' : ''})`;
  const schedule: SchedulerOptions = {
    label: `DashScope ${model}`,
    maxBatch: settings.batchSize ? Math.min(settings.batchSize, profile.maxBatch) : profile.maxBatch,
    concurrency: settings.concurrency ?? DASHSCOPE_DEFAULTS.concurrency,
    requestsPerMinute: settings.requestsPerMinute ?? DASHSCOPE_DEFAULTS.requestsPerMinute,
    tokensPerMinute: settings.tokensPerMinute ?? DASHSCOPE_DEFAULTS.tokensPerMinute,
    timeoutMs: settings.timeoutMs ?? DASHSCOPE_DEFAULTS.timeoutMs,
    logger,
    ...settings.tuning,
  };
  // Paced with everything else sent to this endpoint under this key (other folders, reranks).
  const limiter = endpointLimiter(endpoints.origin, apiKey, schedule);
  const scheduler = new EmbedScheduler({ ...schedule, limiter });

  // Query scheme: native v4 = text_type query + English instruction; native v3 = text_type query
  // (no instruct); compatible mode has neither, so queries are embedded like documents.
  const queryScheme = transport === 'compatible' ? 'plain' : profile.supportsInstruct ? `query+instruct.v${INSTRUCTION_VERSION}` : 'query';
  const fingerprint = `dashscope/${model}/${dimensions}/doc=document/query=${queryScheme}`;

  const senderFor = (textType: 'document' | 'query', task?: QueryTask): BatchSender => {
    if (transport === 'compatible') {
      const client = createOpenAIClient(endpoints.compatibleBase, apiKey);
      return createCompatSender({ client, model, requestDimensions: dimensions, expectedDimensions: () => dimensions, learnDimensions: () => {}, ctx });
    }
    const instruct = textType === 'query' && task && profile.supportsInstruct ? QUERY_INSTRUCTIONS[task] : undefined;
    return createNativeSender({ url: endpoints.nativeUrl, apiKey, ctx, params: { model, dimensions, textType, instruct, sparse: sparse && textType === 'document' } });
  };
  const documentSender = senderFor('document');
  const querySenders = new Map<QueryTask, BatchSender>();

  return {
    provider: 'dashscope',
    model,
    transport,
    endpoints,
    dimensions,
    fingerprint,
    label,
    stats: () => scheduler.stats(),
    estimateCostUSD: (tokens) => estimateCostUSD(tokens, region, model),
    async embedDocuments(texts, options) {
      return (await scheduler.run(texts, documentSender, options)).vectors;
    },
    async embedDocumentsWithSparse(texts, options) {
      return scheduler.run(texts, documentSender, options);
    },
    async embedQuery(text, task, options) {
      let send = querySenders.get(task);
      if (!send) querySenders.set(task, (send = transport === 'compatible' ? documentSender : senderFor('query', task)));
      return (await scheduler.run([text], send, { signal: options?.signal, budget: queryBudget(options?.budgetMs) })).vectors[0];
    },
  };
}
