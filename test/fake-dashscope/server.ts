/**
 * A fake DashScope embeddings service on 127.0.0.1: both routes (native and compatible-mode), the
 * contract's validation order (§9.3), success shapes with the documented key order (§2.2, §4.2),
 * the documented error bodies, rate limits, base64 modes and fault injection. Tests run against it
 * over real HTTP; `npm run fake-dashscope` serves it standalone (main.ts).
 */
import http from 'node:http';
import type net from 'node:net';
import { randomUUID } from 'node:crypto';
import { invalidParameter, modelNotFound, namedError, type Api, type FakeError } from './errorBodies';
import { FaultPlan, type FaultOptions } from './faults';
import { fakeEmbedding, fakeSparse, fakeTokenCount, textHash } from './fakeVectors';
import { FakeRateLimiter, type FakeRateLimitOptions, type LimitHit } from './rateLimits';
import { handleRerank, newRerankCounters, rerankApi, rerankRoute, type RerankCounters } from './rerank';

export { textHash, fakeEmbedding, fakeSparse, fakeTokenCount, cosine } from './fakeVectors';
export type { FaultKind, FaultOptions } from './faults';

export type Base64Mode = 'honor' | 'ignore' | 'reject' | 'always';

export interface FakeDashScopeOptions extends FakeRateLimitOptions {
  /** 0 (default) = a free port. */
  readonly port?: number;
  /** `honor` (default): base64 when asked; `ignore`: always floats; `reject`: 400; `always`: base64 even when floats were asked. */
  readonly base64?: Base64Mode;
  /** The one accepted key; default: any `sk-…` key except `sk-bad…`. */
  readonly key?: string;
  /** Texts per request (10 like v3/v4). Lower it to test "should not be larger than N". */
  readonly maxBatch?: number;
  /** Added before every answer. */
  readonly latencyMs?: number;
  readonly faults?: FaultOptions;
  /** Puts a listener in front of the fake's own (main.ts: control routes, capture, request log). */
  readonly wrapListener?: (fake: http.RequestListener) => http.RequestListener;
}

export const NATIVE_ROUTE = '/api/v1/services/embeddings/text-embedding/text-embedding';
export const COMPAT_ROUTE = '/compatible-mode/v1/embeddings';
const MAX_BODY = 16 * 1024 * 1024;
const MAX_ITEM_TOKENS = 8192;
const DIMENSIONS: Readonly<Record<string, readonly number[]>> = {
  'text-embedding-v4': [2048, 1536, 1024, 768, 512, 256, 128, 64],
  'text-embedding-v3': [1024, 768, 512, 256, 128, 64],
};

export interface FakeCounters {
  /** Every request to an embeddings route (numbering used by fault schedules). */
  requests: number;
  byEndpoint: { native: number; compatible: number; other: number };
  byStatus: Record<string, number>;
  /** Texts and tokens in complete, valid 200 replies. */
  texts: number;
  tokens: number;
  /** sha256(text) → complete valid deliveries: "every chunk embedded exactly once". */
  embedCounts: Map<string, number>;
  /** Largest batch and item (heuristic tokens) ever received, valid or not. */
  maxBatchSeen: number;
  maxItemTokensSeen: number;
  faults: Record<string, number>;
  /** Time (ms since epoch) of each successful reply, for throughput checks. */
  successTimes: number[];
  /** The last 100 request bodies (parsed JSON; headers, so keys, are never kept). */
  lastBodies: unknown[];
}

export interface FakeDashScope {
  /** `http://127.0.0.1:PORT` (append /api/v1 or /compatible-mode/v1, or use as a bare origin). */
  readonly url: string;
  readonly port: number;
  readonly counters: FakeCounters;
  /** The rerank routes' own counters (rerank.ts). */
  readonly rerank: RerankCounters;
  /** Zero the counters and refill the rate-limit buckets. */
  reset(): void;
  setFaults(faults: FaultOptions | undefined): void;
  setLimits(limits: FakeRateLimitOptions): void;
  close(): Promise<void>;
}

function newCounters(): FakeCounters {
  return { requests: 0, byEndpoint: { native: 0, compatible: 0, other: 0 }, byStatus: {}, texts: 0, tokens: 0, embedCounts: new Map(), maxBatchSeen: 0, maxItemTokensSeen: 0, faults: {}, successTimes: [], lastBodies: [] };
}

interface Parsed {
  model?: unknown;
  texts?: unknown;
  dims?: unknown;
  textType?: unknown;
  instruct?: unknown;
  outputType?: unknown;
  encoding?: unknown;
}

function parseRequest(api: Api, body: Record<string, unknown>): Parsed {
  if (api === 'native') {
    const input = body.input as Record<string, unknown> | undefined;
    const p = (body.parameters ?? {}) as Record<string, unknown>;
    return { model: body.model, texts: input?.texts, dims: p.dimension, textType: p.text_type, instruct: p.instruct, outputType: p.output_type };
  }
  const input = typeof body.input === 'string' ? [body.input] : body.input;
  return { model: body.model, texts: input, dims: body.dimensions, encoding: body.encoding_format };
}

export async function startFakeDashScope(options: FakeDashScopeOptions = {}): Promise<FakeDashScope> {
  // Warm the tokenizer (Intl.Segmenter loads CJK dictionaries lazily: ~200 ms on first use).
  fakeEmbedding('预热 warm-up', { model: 'text-embedding-v4', dims: 64 });
  let counters = newCounters();
  let rerankCounters = newRerankCounters();
  let plan = new FaultPlan(options.faults);
  const limiter = new FakeRateLimiter(options);
  const sockets = new Set<net.Socket>();
  const hangs = new Set<NodeJS.Timeout>();
  const base64Mode = options.base64 ?? 'honor';
  const maxBatch = options.maxBatch ?? 10;

  const keyAccepted = (auth: string | undefined) => {
    const key = /^Bearer\s+(.+)$/i.exec(auth ?? '')?.[1]?.trim();
    if (!key) return false;
    return options.key ? key === options.key : key.startsWith('sk-') && !key.startsWith('sk-bad');
  };

  const send = (res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };
  const sendError = (res: http.ServerResponse, e: FakeError) => send(res, e.status, e.body, e.headers);
  const throttle = (api: Api, hit: LimitHit): FakeError => {
    const e = namedError(api, hit === 'rpm' ? 'rpm' : hit === 'tpm' ? 'tpm' : 'burst');
    const ra = plan.options.retryAfterMs;
    return ra === undefined ? e : { ...e, headers: { ...e.headers, 'retry-after': String(Math.ceil(ra / 1000)), 'retry-after-ms': String(ra) } };
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer | undefined) => {
    const path = (req.url ?? '').split('?')[0];
    const rr = rerankRoute(path);
    const api: Api | undefined = rr ? rerankApi(rr) : path.endsWith(NATIVE_ROUTE) ? 'native' : path.endsWith(COMPAT_ROUTE) ? 'compatible' : undefined;
    if (!api || req.method !== 'POST') {
      counters.byEndpoint.other++;
      return send(res, 404, JSON.stringify({ code: 'NotFound', message: `no route ${req.method} ${path}` }));
    }
    counters.byEndpoint[api]++;
    const n = ++counters.requests;
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    if (!raw) return sendError(res, namedError(api, 'tooLarge'));

    const fault = plan.pick(n);
    if (fault) counters.faults[fault] = (counters.faults[fault] ?? 0) + 1;
    switch (fault) {
      case '500': return sendError(res, namedError(api, 'internal'));
      case '503': return sendError(res, namedError(api, 'unavailable'));
      case '504': return sendError(res, namedError(api, 'gatewayTimeout'));
      case '429': return sendError(res, throttle(api, 'rpm'));
      case '401': return sendError(res, namedError(api, 'auth'));
      case 'arrearage': return sendError(res, namedError(api, 'arrearage'));
      case '403': return sendError(res, namedError(api, 'accessDenied'));
      case 'reset': return void req.socket.destroy();
      case 'hang': {
        const t = setTimeout(() => { hangs.delete(t); req.socket.destroy(); }, plan.options.hangMs ?? 120_000);
        hangs.add(t);
        return;
      }
    }

    // Validation in the contract's order (§9.3).
    if (!keyAccepted(req.headers.authorization)) return sendError(res, namedError(api, 'auth'));
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      if (!body || typeof body !== 'object') throw new Error('not an object');
    } catch {
      return sendError(res, invalidParameter(api, 'Request body is not valid JSON.'));
    }
    counters.lastBodies.push(body);
    if (counters.lastBodies.length > 100) counters.lastBodies.shift();
    if (rr) {
      const r = handleRerank(rr, body, rerankCounters, randomUUID());
      if ('headers' in r) return sendError(res, r);
      const limited = limiter.admit(r.tokens);
      if (limited) return sendError(res, throttle(api, limited));
      rerankCounters.tokens += r.tokens;
      return send(res, 200, r.body);
    }
    const p = parseRequest(api, body);
    if (typeof p.model !== 'string' || !p.model) return sendError(res, namedError(api, 'emptyModel'));
    const dimsAllowed = DIMENSIONS[p.model];
    if (!dimsAllowed) return sendError(res, modelNotFound(api, p.model));
    if (!Array.isArray(p.texts) || p.texts.length === 0) return sendError(res, namedError(api, 'emptyInput'));
    if (p.texts.some((t) => typeof t !== 'string')) return sendError(res, invalidParameter(api, 'Value error, contents is neither str nor list of str.: input.contents'));
    const texts = p.texts as string[];
    counters.maxBatchSeen = Math.max(counters.maxBatchSeen, texts.length);
    const tokenCounts = texts.map(fakeTokenCount);
    counters.maxItemTokensSeen = Math.max(counters.maxItemTokensSeen, ...tokenCounts);
    if (texts.length > maxBatch) return sendError(res, invalidParameter(api, `Value error, batch size is invalid, it should not be larger than ${maxBatch}.: input.contents`));
    if (tokenCounts.some((c) => c < 1 || c > MAX_ITEM_TOKENS) || texts.some((t) => !t.trim())) {
      return sendError(res, invalidParameter(api, `Range of input length should be [1, ${MAX_ITEM_TOKENS}]`));
    }
    const dims = p.dims ?? 1024;
    if (typeof dims !== 'number' || !dimsAllowed.includes(dims)) {
      return sendError(res, invalidParameter(api, `Value error, dimension for embedding v3 is invalid, its value shold be in [64, 128, 256, 512, 768, 1024, 1536, 2048, 3072]`));
    }
    const encoding = p.encoding ?? 'float';
    if (encoding !== 'float' && encoding !== 'base64') return sendError(res, invalidParameter(api, `Value error, encoding_format should be float or base64.`));
    if (encoding === 'base64' && base64Mode === 'reject') return sendError(res, invalidParameter(api, 'Value error, encoding_format only supports float.'));
    if (p.textType !== undefined && p.textType !== 'query' && p.textType !== 'document') return sendError(res, invalidParameter(api, 'Value error, text_type should be query or document.'));
    const outputType = p.outputType ?? 'dense';
    if (outputType !== 'dense' && outputType !== 'sparse' && outputType !== 'dense&sparse') return sendError(res, invalidParameter(api, 'Value error, output_type should be dense, sparse or dense&sparse.'));

    const tokens = tokenCounts.reduce((a, b) => a + b, 0);
    const hit = limiter.admit(tokens);
    if (hit) return sendError(res, throttle(api, hit));

    const params = { model: p.model, dims, textType: api === 'native' ? (p.textType as string | undefined) ?? 'document' : 'document', instruct: api === 'native' && typeof p.instruct === 'string' ? p.instruct : undefined };
    const asBase64 = base64Mode === 'always' || (encoding === 'base64' && base64Mode === 'honor');
    const vectorJson = (text: string): unknown => {
      let v = fakeEmbedding(text, params);
      if (fault === 'wrong-length') v = v.subarray(0, dims - 1);
      if (fault === 'non-finite' && asBase64) (v = v.slice())[0] = Infinity;
      if (asBase64) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
      return Array.from(v);
    };
    const requestId = randomUUID();
    let out: string;
    if (api === 'native') {
      const embeddings = texts.map((t, i) => {
        const item: Record<string, unknown> = {};
        if (outputType !== 'sparse') item.embedding = vectorJson(t);
        if (outputType !== 'dense') item.sparse_embedding = fakeSparse(t, p.model as string);
        item.text_index = i;
        return item;
      });
      out = JSON.stringify({ output: { embeddings }, usage: { total_tokens: tokens }, request_id: requestId });
    } else {
      const data = texts.map((t, i) => ({ embedding: vectorJson(t), index: i, object: 'embedding' }));
      out = JSON.stringify({ data, model: p.model, object: 'list', usage: { prompt_tokens: tokens, total_tokens: tokens }, id: requestId });
    }
    if (fault === 'non-finite' && !asBase64) out = out.replace(/(\[)-?\d[\d.e-]*/, '$11e999');
    if (fault === 'truncated') out = out.slice(0, Math.floor(out.length / 2));
    if (!fault) {
      // Counted before writing: the client cannot have the reply before the counters include it.
      counters.texts += texts.length;
      counters.tokens += tokens;
      for (const t of texts) counters.embedCounts.set(textHash(t), (counters.embedCounts.get(textHash(t)) ?? 0) + 1);
      counters.successTimes.push(Date.now());
    }
    send(res, 200, out, { 'x-request-id': requestId, 'x-dashscope-call-gateway': 'true' });
  };

  const listener: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      // Oversized bodies are not kept, only measured (→ 413).
      handle(req, res, tooLarge ? undefined : Buffer.concat(chunks)).catch((e: Error) => {
        if (!res.headersSent) send(res, 500, JSON.stringify({ code: 'FakeServerBug', message: e.message }));
      });
    });
  };
  const server = http.createServer(options.wrapListener ? options.wrapListener(listener) : listener);
  server.keepAliveTimeout = 5000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get counters() {
      return counters;
    },
    get rerank() {
      return rerankCounters;
    },
    reset() {
      counters = newCounters();
      rerankCounters = newRerankCounters();
      limiter.reset();
    },
    setFaults(faults) {
      plan = new FaultPlan(faults);
    },
    setLimits(limits) {
      limiter.configure(limits);
    },
    close() {
      for (const t of hangs) clearTimeout(t);
      hangs.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
