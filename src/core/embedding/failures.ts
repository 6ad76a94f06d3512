/**
 * What a failed request means for the run. Three outcomes:
 *  - retry (RetryableFailure): 429, 5xx, 408, timeouts, resets, unparsable JSON;
 *  - reshape (BatchLimitFailure / ItemTooLongFailure): the server named a smaller limit;
 *  - stop (EmbedError): 400/401/403/404 — retrying cannot help, the message says what will.
 */
import { EmbedError } from './errors';

export type RetryCause = '429' | '500' | '502' | '503' | '504' | '5xx' | '408' | 'timeout' | 'reset' | 'network' | 'bad-json';

export class RetryableFailure extends Error {
  constructor(
    readonly retryCause: RetryCause,
    message: string,
    /** Server-requested wait (Retry-After), if any. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableFailure';
  }
}

/** "batch size is invalid, it should not be larger than N": re-split at N. */
export class BatchLimitFailure extends Error {
  constructor(readonly limit: number) {
    super(`server batch limit is ${limit}`);
    this.name = 'BatchLimitFailure';
  }
}

/** "Range of input length should be [1, 8192]": our estimate was too generous for some text. */
export class ItemTooLongFailure extends Error {
  constructor(readonly serverMessage: string) {
    super(serverMessage);
    this.name = 'ItemTooLongFailure';
  }
}

export interface ServerError {
  readonly status: number;
  readonly code?: string;
  readonly type?: string;
  readonly message: string;
  readonly requestId?: string;
  readonly retryAfterMs?: number;
}

/** Who we were talking to, for messages that say what to do. */
export interface FailureContext {
  readonly provider: 'dashscope' | 'openai';
  /** `DashScope (Singapore)` or `the OpenAI-compatible server at http://localhost:11434/v1`. */
  readonly service: string;
  readonly model: string;
  /** How to set the key, e.g. "run `Semantic Workspace: Set API Key` in VS Code or set DASHSCOPE_API_KEY for the CLI". */
  readonly keyHint: string;
}

/** Seconds or an HTTP date (`Retry-After`), or `retry-after-ms`; capped at 5 minutes. */
export function parseRetryAfter(headers: Readonly<Record<string, string | undefined>>): number | undefined {
  const ms = Number(headers['retry-after-ms']);
  if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, 300_000);
  const v = headers['retry-after'];
  if (!v) return undefined;
  const secs = Number(v);
  const wait = Number.isFinite(secs) ? secs * 1000 : Date.parse(v) - Date.now();
  return Number.isFinite(wait) ? Math.min(Math.max(0, wait), 300_000) : undefined;
}

/** Reads both envelopes: native `{code,message,request_id}` and compat `{error:{message,type,code}}`. */
export function parseServerError(status: number, body: string, headers: Readonly<Record<string, string | undefined>>): ServerError {
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') json = parsed as Record<string, unknown>;
  } catch {
    /* not JSON: proxies and gateways answer HTML */
  }
  const inner = json && typeof json.error === 'object' && json.error ? (json.error as Record<string, unknown>) : json;
  const str = (x: unknown) => (typeof x === 'string' && x ? x : undefined);
  return {
    status,
    code: str(inner?.code) ?? str(json?.code),
    type: str(inner?.type),
    message: str(inner?.message) ?? str(json?.message) ?? body.slice(0, 200).trim(),
    requestId: str(json?.request_id) ?? str(json?.id) ?? headers['x-request-id'],
    retryAfterMs: parseRetryAfter(headers),
  };
}

const BATCH_LIMIT = /should not be larger than (\d+)/i;
const RANGE_ERROR = /Range of input length/i;

export function classifyServerError(err: ServerError, ctx: FailureContext): Error {
  const { status } = err;
  const codeText = `${err.code ?? ''} ${err.type ?? ''}`;
  const detail = `(HTTP ${status}${err.code ? ` ${err.code}` : ''}${err.requestId ? `, request ${err.requestId}` : ''})`;
  const stop = (kind: ConstructorParameters<typeof EmbedError>[0], text: string) =>
    new EmbedError(kind, `${text} ${detail}`, status, { code: err.code, requestId: err.requestId });

  if (status === 429) {
    // On api.openai.com `insufficient_quota` means no credits; on DashScope it is the TPM limit.
    if (ctx.provider === 'openai' && /insufficient_quota/.test(codeText)) {
      return stop('billing', `${ctx.service} says the account has no remaining quota: check the plan and billing, then run again; everything embedded so far is kept.`);
    }
    return new RetryableFailure('429', `throttled: ${err.code ?? err.message}`, err.retryAfterMs);
  }
  if (status === 408) return new RetryableFailure('408', 'request timeout (408)', err.retryAfterMs);
  if (status >= 500) {
    const cause: RetryCause = status === 500 || status === 502 || status === 503 || status === 504 ? (String(status) as RetryCause) : '5xx';
    return new RetryableFailure(cause, `server error ${status}`, err.retryAfterMs);
  }
  if (/Arrearage/i.test(codeText) || /good standing|overdue/i.test(err.message)) {
    return stop('billing', `${ctx.service} refused the request because the Alibaba Cloud account is in arrears (overdue payment). Top up or settle the bill in the Alibaba Cloud billing console, then run again; everything embedded so far is kept.`);
  }
  if (status === 401) {
    const region = ctx.provider === 'dashscope'
      ? ' DashScope keys are region-bound: a key created in one region (e.g. Beijing) is rejected in another (e.g. Singapore) — check the region setting matches the key.'
      : '';
    return stop('auth', `${ctx.service} rejected the API key (missing, invalid or revoked).${region} To set the key: ${ctx.keyHint}.`);
  }
  if (status === 403) {
    if (/FreeTierOnly|AllocationQuota/i.test(codeText)) {
      return stop('billing', `${ctx.service}: the free quota for ${ctx.model} is used up and "use free tier only" is on. Turn it off in the Model Studio console (or wait for the quota), then run again.`);
    }
    return stop('auth', `${ctx.service} denied access to ${ctx.model}: the model is probably not activated for this account/workspace (activate it in the Model Studio console), or the free tier is exhausted. Server said: ${err.message}`);
  }
  const limit = BATCH_LIMIT.exec(err.message);
  if (status === 400 && limit) return new BatchLimitFailure(Number(limit[1]));
  if (status === 400 && RANGE_ERROR.test(err.message)) return new ItemTooLongFailure(err.message);
  if (status === 404) {
    const where = ctx.provider === 'dashscope' ? ' text-embedding-v4 is offered in Singapore, Beijing and Hong Kong; check the model name and the region.' : ' Check the model name (and that it is pulled/loaded on the server) and the base URL.';
    return stop('bad-request', `${ctx.service} does not know the model "${ctx.model}" or the URL is wrong.${where} Server said: ${err.message}`);
  }
  if (/data_inspection_failed|DataInspectionFailed/i.test(codeText)) {
    return stop('bad-request', `${ctx.service} rejected a text in content moderation. Exclude the file with .semanticignore and run again.`);
  }
  if (status === 413) return stop('bad-request', `${ctx.service} rejected the request as too large (413).`);
  if (/matryoshka/i.test(err.message)) {
    return stop('bad-request', `${ctx.service} cannot shorten vectors for ${ctx.model}: remove the dimensions setting (or enable Matryoshka on the server). Server said: ${err.message}`);
  }
  return stop('bad-request', `${ctx.service} rejected the request: ${err.message}`);
}

/**
 * The one classification of a failure that ended a run or a search, shared by the CLI, the
 * extension and search fallbacks (`degraded.failure`). Each class has one behaviour:
 *  - auth, quota: stop at once (retrying cannot help), say what to set or pay;
 *  - network, server: retried visibly, then stop with Retry;
 *  - throttled: retried under the rate limiter, then stop;
 *  - badInput: stop; a setting or a text the server will never accept.
 */
export type FailureClass = 'auth' | 'quota' | 'network' | 'throttled' | 'server' | 'badInput';

export const FAILURE_CLASSES: readonly FailureClass[] = ['auth', 'quota', 'network', 'throttled', 'server', 'badInput'];

/** Classes that stop a run without a single retry. */
export function stopsAtOnce(c: FailureClass): boolean {
  return c === 'auth' || c === 'quota' || c === 'badInput';
}

/**
 * The class of any error an embedder, the scheduler or the transport can throw; undefined for a
 * cancellation (not a failure) and for errors that are not about the service (bugs).
 */
export function classifyFailure(e: unknown): FailureClass | undefined {
  if (e instanceof RetryableFailure) return retryCauseClass(e.retryCause);
  if (e instanceof BatchLimitFailure || e instanceof ItemTooLongFailure) return 'badInput';
  if (e instanceof EmbedError) return embedErrorClass(e.kind, e.status);
  return undefined;
}

/** The class of an `EmbedError` kind (plus its HTTP status, which tells server from network). */
export function embedErrorClass(kind: string, status?: number): FailureClass | undefined {
  switch (kind) {
    case 'auth': return 'auth';
    case 'billing': case 'budget': return 'quota';
    case 'rate-limit': return 'throttled';
    case 'network': return status !== undefined && status >= 500 ? 'server' : 'network';
    case 'invalid-reply': return 'server';
    case 'bad-request': return 'badInput';
    default: return undefined;
  }
}

function retryCauseClass(c: RetryCause): FailureClass {
  switch (c) {
    case '429': return 'throttled';
    case '500': case '502': case '503': case '504': case '5xx': case 'bad-json': return 'server';
    default: return 'network';
  }
}
