/**
 * The one HTTP client of the remote embedders (native calls directly, the `openai` package through
 * `proxyAwareFetch`). Built on `http`/`https` so proxies work (see proxy.ts) and so failures are
 * classified precisely: the scheduler retries resets and timeouts, never guesses.
 * Timeouts are the caller's: abort `signal` (the scheduler does, per attempt).
 */
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { openTunnel, proxyFor, type ProxyEnv } from './proxy';

export type TransportCause = 'reset' | 'network';

/** A request that produced no HTTP response. Never carries request headers (the key). */
export class TransportError extends Error {
  constructor(
    readonly transportCause: TransportCause,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export interface HttpRequest {
  readonly method?: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

export interface HttpReply {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
// Keep-alive: a run sends thousands of small requests to one host.
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32 });

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE', 'HPE_INVALID_CONSTANT']);

function abortError(): Error {
  const e = new Error('The request was aborted.');
  e.name = 'AbortError';
  return e;
}

export async function httpRequest(req: HttpRequest, env: ProxyEnv = process.env): Promise<HttpReply> {
  if (req.signal?.aborted) throw abortError();
  const url = new URL(req.url);
  const isHttps = url.protocol === 'https:';
  const proxy = proxyFor(url, env);
  const port = Number(url.port) || (isHttps ? 443 : 80);
  const headers: Record<string, string> = { ...req.headers };
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));

  let options: https.RequestOptions;
  if (proxy && isHttps) {
    const socket = await openTunnel(proxy, url.hostname, port, req.signal).catch((e: NodeJS.ErrnoException) => {
      if (req.signal?.aborted) throw abortError();
      throw new TransportError('network', `cannot reach proxy: ${e.message}`, e.code);
    });
    const secure = tls.connect({ socket, servername: url.hostname });
    options = { createConnection: () => secure };
  } else if (proxy) {
    // Absolute-form request to the proxy for plain-http targets.
    options = { host: proxy.hostname, port: Number(proxy.port) || 80, path: url.href, agent: false };
    headers.host = url.host;
  } else {
    options = { agent: isHttps ? httpsAgent : httpAgent };
  }
  const target = proxy && !isHttps ? {} : { host: url.hostname, port, path: `${url.pathname}${url.search}`, servername: url.hostname };

  return new Promise<HttpReply>((resolve, reject) => {
    const mod = isHttps ? https : http;
    const r = mod.request({ ...target, ...options, method: req.method ?? 'POST', headers, signal: req.signal });
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RESPONSE_BYTES) r.destroy(new TransportError('network', 'response too large'));
        else chunks.push(c);
      });
      res.on('end', () => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks).toString('utf8') });
      });
      // A body cut off mid-way (premature close) is a reset: retryable.
      res.on('aborted', () => reject(new TransportError('reset', 'connection closed while reading the response')));
      res.on('error', (e: NodeJS.ErrnoException) => reject(classify(e, req.signal)));
    });
    r.on('error', (e: NodeJS.ErrnoException) => reject(classify(e, req.signal)));
    r.end(req.body);
  });
}

function classify(e: NodeJS.ErrnoException, signal?: AbortSignal): Error {
  if (signal?.aborted || e.name === 'AbortError') return abortError();
  if (e instanceof TransportError) return e;
  if (e.code && RESET_CODES.has(e.code)) return new TransportError('reset', `connection reset (${e.code})`, e.code);
  if (/socket hang up/i.test(e.message)) return new TransportError('reset', 'connection reset (socket hang up)', 'ECONNRESET');
  // DNS, refused, TLS errors: the message names host and cause but never headers.
  return new TransportError('network', e.message, e.code);
}

/**
 * A `fetch` for the `openai` client that goes through `httpRequest` (proxy support, precise
 * errors). Bodies are small JSON documents, so buffering is fine.
 */
export function proxyAwareFetch(env: ProxyEnv = process.env): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    const body = typeof init.body === 'string' ? init.body : init.body == null ? undefined : await new Response(init.body).text();
    const reply = await httpRequest({ method: init.method ?? 'GET', url, headers, body, signal: init.signal ?? undefined }, env);
    const noBody = reply.status === 204 || reply.status === 304;
    return new Response(noBody ? null : reply.body, { status: reply.status, headers: reply.headers });
  };
}
