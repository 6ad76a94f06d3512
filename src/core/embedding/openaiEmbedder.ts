/**
 * Any OpenAI-compatible `/embeddings` server: OpenAI, Ollama, vLLM, LM Studio, llama.cpp serving
 * Qwen3-Embedding, or a gateway. Same scheduler as DashScope (batching, pacing, retries, resume).
 *
 * Vector length: with `dimensions` set it is sent and enforced; without it the first reply fixes
 * the length and every later reply must match (call `resolveDimensions()` before relying on
 * `dimensions` / `fingerprint`, which read 0 / `…/auto/…` until then).
 */
import { createHash } from 'node:crypto';
import type { RemoteSettings } from '../engineTypes';
import type { Embedder, Logger } from '../types';
import { nullLogger } from '../types';
import { createCompatSender, createOpenAIClient } from './compatSender';
import type { SchedulerTuning } from './dashscope';
import { endpointLimiter } from './endpointLimiters';
import { EmbedError, registerSecretKey } from './errors';
import type { FailureContext } from './failures';
import { QWEN3_QUERY_TEMPLATE, applyQueryTemplate } from './instructions';
import { queryBudget } from './queryBudget';
import { EmbedScheduler } from './scheduler';
import type { EmbedStats, SchedulerOptions } from './schedulerOptions';

export const OPENAI_KEY_HINT = 'run `Semantic Workspace: Set API Key` in VS Code, or set the OPENAI_API_KEY environment variable for the CLI (local servers accept any value)';
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_OPENAI_BATCH_SIZE = 32;

export interface OpenAIEmbedderSettings extends RemoteSettings {
  /** Optional: local servers need none (a placeholder is sent). */
  readonly apiKey?: string;
  readonly tuning?: SchedulerTuning;
}

export interface OpenAICompatibleEmbedder extends Embedder {
  readonly provider: 'openai';
  readonly model: string;
  readonly baseUrl: string;
  stats(): EmbedStats;
  /** The vector length, asking the server once (a one-word probe) if it is not configured. */
  resolveDimensions(signal?: AbortSignal): Promise<number>;
  /** The fingerprint before the length is known (`…/auto/…`): the key under which a learned length is remembered. */
  readonly autoFingerprint: string;
  /** Takes a length learned earlier (remembered with the index), so nothing needs to be asked. */
  adoptDimensions(n: number): void;
}

/** The base URL requests go to (`{base}/embeddings`): the setting, or api.openai.com when unset. */
export function resolveOpenAIBaseUrl(baseUrl: string | undefined): string {
  return (baseUrl?.trim() || DEFAULT_OPENAI_BASE_URL).replace(/\/+$/, '').replace(/\/embeddings$/, '');
}

/** Qwen-family embedding models want `Instruct: …\nQuery:…`; others get the bare query. */
export function defaultQueryTemplate(model: string): string {
  return /qwen|gte-qwen/i.test(model) ? QWEN3_QUERY_TEMPLATE : '{query}';
}

export function createOpenAIEmbedder(settings: OpenAIEmbedderSettings, logger: Logger = nullLogger): OpenAICompatibleEmbedder {
  const model = settings.model?.trim();
  if (!model) throw new EmbedError('bad-request', 'The OpenAI-compatible provider needs a model name (e.g. text-embedding-3-small, qwen3-embedding:0.6b, Qwen/Qwen3-Embedding-0.6B).');
  const baseUrl = resolveOpenAIBaseUrl(settings.baseUrl);
  try {
    const u = new URL(baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new EmbedError('bad-request', `OpenAI-compatible base URL "${baseUrl}" is not a valid http(s) URL (e.g. http://localhost:11434/v1).`);
  }
  if (settings.dimensions !== undefined && (!Number.isInteger(settings.dimensions) || settings.dimensions <= 0)) {
    throw new EmbedError('bad-request', `dimensions must be a positive integer, got ${settings.dimensions}.`);
  }
  const apiKey = settings.apiKey?.trim() || 'no-key';
  registerSecretKey(settings.apiKey?.trim());

  const isDashScope = /dashscope|aliyuncs/i.test(baseUrl) || /^text-embedding-v[34]$/.test(model);
  // DashScope behind this provider still caps at 10; the scheduler also adapts to any server cap.
  const maxBatch = Math.max(1, Math.min(settings.batchSize ?? DEFAULT_OPENAI_BATCH_SIZE, isDashScope ? 10 : Infinity));
  const template = settings.queryTemplate ?? defaultQueryTemplate(model);
  if (!template.includes('{query}')) throw new EmbedError('bad-request', `The query template "${template}" has no {query} placeholder.`);
  const templateId = template === '{query}' ? 'plain' : `t${createHash('sha256').update(template).digest('hex').slice(0, 8)}`;

  let learned = settings.dimensions;
  const service = `the OpenAI-compatible server at ${baseUrl}`;
  const ctx: FailureContext = { provider: 'openai', service, model, keyHint: OPENAI_KEY_HINT };
  const client = createOpenAIClient(baseUrl, apiKey);
  const send = createCompatSender({
    client,
    model,
    requestDimensions: settings.dimensions,
    expectedDimensions: () => learned,
    learnDimensions: (n) => {
      if (learned === undefined) {
        learned = n;
        logger.info(`${model} at ${baseUrl} returns ${n}-dimensional vectors.`);
      }
    },
    ctx,
  });
  const schedule: SchedulerOptions = {
    label: `${model} (OpenAI-compatible)`,
    maxBatch,
    concurrency: settings.concurrency ?? 4,
    // No client-side limit unless configured: local servers have none; 429s still back off.
    requestsPerMinute: settings.requestsPerMinute,
    tokensPerMinute: settings.tokensPerMinute,
    timeoutMs: settings.timeoutMs ?? 60_000,
    logger,
    ...settings.tuning,
  };
  // Paced with everything else sent to this server under this key (other folders, reranks).
  const scheduler = new EmbedScheduler({ ...schedule, limiter: endpointLimiter(baseUrl, settings.apiKey, schedule) });

  return {
    provider: 'openai',
    model,
    baseUrl,
    get dimensions() {
      return learned ?? 0;
    },
    get fingerprint() {
      return `openai/${model}/${learned ?? 'auto'}/doc=plain/query=${templateId}`;
    },
    get label() {
      return `${model} (${learned ? `${learned}-d, ` : ''}${new URL(baseUrl).host})`;
    },
    stats: () => scheduler.stats(),
    autoFingerprint: `openai/${model}/auto/doc=plain/query=${templateId}`,
    adoptDimensions(n) {
      if (learned === undefined && Number.isInteger(n) && n > 0) learned = n;
    },
    async resolveDimensions(signal) {
      if (learned === undefined) await scheduler.run(['dimension probe'], send, { signal });
      return learned!;
    },
    async embedDocuments(texts, options) {
      return (await scheduler.run(texts, send, options)).vectors;
    },
    async embedQuery(text, task, options) {
      return (await scheduler.run([applyQueryTemplate(template, task, text)], send, { signal: options?.signal, budget: queryBudget(options?.budgetMs) })).vectors[0];
    },
  };
}
