/**
 * One request attempt of the scheduler: its own timeout, the user's cancellation, and whatever the
 * sender threw mapped to what the scheduler acts on (retry, re-split, cut, stop). Also the error a
 * batch stops with once its retries are spent.
 */
import { EmbedError, cancelledError } from './errors';
import { BatchLimitFailure, ItemTooLongFailure, RetryableFailure, classifyFailure, type RetryCause } from './failures';
import { TransportError } from './http';
import type { BatchReply, BatchSender } from './schedulerOptions';

/** Sends `texts` once, aborted after `timeoutMs` (→ a retryable timeout) or when the user cancels. */
export async function sendAttempt(texts: readonly string[], send: BatchSender, timeoutMs: number, userSignal?: AbortSignal): Promise<BatchReply> {
  const attempt = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    attempt.abort();
  }, timeoutMs);
  const onAbort = () => attempt.abort();
  userSignal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await send(texts, attempt.signal);
  } catch (e) {
    if (userSignal?.aborted) throw cancelledError();
    if (timedOut) throw new RetryableFailure('timeout', `no reply within ${timeoutMs} ms`);
    throw toFailure(e);
  } finally {
    clearTimeout(timer);
    userSignal?.removeEventListener('abort', onAbort);
  }
}

/** Errors thrown by senders → scheduler failures. SyntaxError = unparsable (e.g. truncated) JSON. */
function toFailure(e: unknown): unknown {
  if (e instanceof RetryableFailure || e instanceof BatchLimitFailure || e instanceof ItemTooLongFailure || e instanceof EmbedError) return e;
  const transport = findCause(e, (c): c is TransportError => c instanceof TransportError);
  if (transport) return new RetryableFailure(transport.transportCause as RetryCause, transport.message);
  if (findCause(e, (c): c is SyntaxError => c instanceof SyntaxError)) return new RetryableFailure('bad-json', 'unparsable JSON in the reply');
  if (e instanceof Error && /timed? ?out/i.test(e.message)) return new RetryableFailure('timeout', e.message);
  return new EmbedError('network', `unexpected failure: ${e instanceof Error ? e.message : String(e)}`);
}

function findCause<T>(e: unknown, test: (c: unknown) => c is T): T | undefined {
  for (let c = e, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) if (test(c)) return c;
  return undefined;
}

/** A batch's retries are spent: 429s say what to lower, 5xx keep their status (class "server", not "network"). */
export function exhaustedError(label: string, e: RetryableFailure, attempts: number, rateLimitPatienceMs: number): EmbedError {
  if (e.retryCause === '429') {
    return new EmbedError('rate-limit', `${label}: still rate-limited (HTTP 429) after ${Math.round(rateLimitPatienceMs / 1000)} s of retries. Lower requestsPerMinute / tokensPerMinute / concurrency or raise the quota, then run again; everything embedded so far is kept.`, 429);
  }
  const failure = classifyFailure(e);
  const status = failure === 'server' ? (/^5\d\d$/.test(e.retryCause) ? Number(e.retryCause) : 500) : undefined;
  const what = failure === 'server' ? 'Check the service status page, then run again' : 'Check the network, proxy and that the service is reachable, then run again';
  return new EmbedError('network', `${label}: giving up after ${attempts} attempts (last: ${e.message}). ${what}; everything embedded so far is kept.`, status);
}
