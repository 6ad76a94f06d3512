/**
 * One rate limiter per endpoint and account in a process, so everything sent there paces against
 * the same state: the embedders of several folders, and the reranks of searches (issue #17: "the
 * same scheduler rules — limits, 429, Retry-After"). A 429 or a Retry-After learned while
 * embedding slows the next rerank, and one drawn by a rerank holds back the next embedding batch.
 * The server's limits are per account, so the key is the URL's origin plus a hash of the API key
 * (never the key itself).
 */
import { createHash } from 'node:crypto';
import { RateLimiter, type RateLimits } from './rateLimiter';

interface Entry {
  /** The configured limits the limiter was built with. */
  readonly limits: string;
  readonly limiter: RateLimiter;
}

const byEndpoint = new Map<string, Entry>();

function endpointKey(url: string, apiKey: string | undefined): string {
  let origin = url;
  try {
    origin = new URL(url).origin;
  } catch {
    // Not a URL: the embedder or rerank reports that itself; the text still names one endpoint.
  }
  const key = apiKey?.trim();
  return `${origin}|${key ? createHash('sha256').update(key).digest('hex').slice(0, 16) : ''}`;
}

const limitsKey = (l: RateLimits) => `${l.requestsPerMinute ?? ''}|${l.tokensPerMinute ?? ''}|${l.burst ?? ''}`;

/**
 * The endpoint's limiter under `limits`. Other limits (the user changed a setting, so a new
 * embedder is built) start a fresh limiter for the endpoint, as a new embedder always did.
 */
export function endpointLimiter(url: string, apiKey: string | undefined, limits: RateLimits): RateLimiter {
  const key = endpointKey(url, apiKey);
  const want = limitsKey(limits);
  const have = byEndpoint.get(key);
  if (have?.limits === want) return have.limiter;
  const limiter = new RateLimiter(limits);
  byEndpoint.set(key, { limits: want, limiter });
  return limiter;
}

/**
 * What a rerank paces against: the endpoint's limiter as its embedder built it (with the
 * embedder's defaults and learned state), else a new one under `limits`.
 */
export function limiterInUse(url: string, apiKey: string | undefined, limits: RateLimits): RateLimiter {
  return byEndpoint.get(endpointKey(url, apiKey))?.limiter ?? endpointLimiter(url, apiKey, limits);
}
