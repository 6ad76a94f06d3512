/**
 * The fake DashScope server (test/fake-dashscope/server.ts) in its own process, with what the
 * survival suites need on top of `test/fake-dashscope/main.ts`:
 *  - every request kept whole (method, URL, headers, raw body) — the fake itself keeps only the
 *    last 100 parsed bodies and never headers;
 *  - its counters (per-text embed counts included) readable over HTTP;
 *  - faults and limits changeable between runs, and limits that rotate on a timer so that every
 *    kind of 429 (RateQuota, AllocationQuota, BurstRate) occurs within one run.
 * Control routes live under `/__survival/` on the same port and never reach the fake.
 *
 * Usage: node --import tsx test/unit/survival/supportFakeMain.ts --config '<json>'
 *   config: { latencyMs?, key?, maxBatch?, base64?, rpm?, tpm?, burst?, faults?, limitPhases? }
 * Prints `fake-dashscope listening on http://127.0.0.1:PORT` once, then one log line per
 * embeddings request on stderr (`#n METHOD URL -> status`): the server's "logs".
 */
import http from 'node:http';
import { startFakeDashScope, type FakeDashScope, type FaultOptions } from '../../fake-dashscope/server';

interface LimitPhase {
  readonly ms: number;
  readonly limits: { rpm?: number; tpm?: number; burst?: number };
  /** Retry-After (ms) sent with 429s during this phase (none when absent, as on the real service). */
  readonly retryAfterMs?: number;
}

interface Config {
  latencyMs?: number;
  key?: string;
  maxBatch?: number;
  base64?: 'honor' | 'ignore' | 'reject' | 'always';
  rpm?: number;
  tpm?: number;
  burst?: number;
  faults?: FaultOptions;
  limitPhases?: LimitPhase[];
  /**
   * One wrong-length reply, at the first request from this number on that reaches the reply
   * stage: a reply-stage fault (wrong-length, truncated) is masked when the request is refused
   * first (a rate-limit 429), so it is moved on to the next request until one is delivered.
   */
  wrongLengthOnceFrom?: number;
}

interface Captured {
  readonly n: number;
  readonly t: number;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  body: string;
  status?: number;
}

const argi = process.argv.indexOf('--config');
const config: Config = argi > 0 ? (JSON.parse(process.argv[argi + 1]) as Config) : {};

let captured: Captured[] = [];
let seq = 0;
let fake: FakeDashScope | undefined;
let phaseTimer: NodeJS.Timeout | undefined;
let baseFaults: FaultOptions = { hangMs: 3_600_000, ...(config.faults ?? {}) };
const phaseHits: Record<string, number> = {};
/** Reply-stage faults that actually reached the client (the fake counts picked ones). */
const delivered = { truncated: 0, wrongLength: 0 };
let pendingWrongLength: number | undefined = config.wrongLengthOnceFrom;
let phaseSeed = 0;

/** The fault plan in force: the base faults, this phase's Retry-After, a pending wrong-length. */
function applyFaults(retryAfterMs?: number): void {
  const schedule = { ...(baseFaults.schedule ?? {}) } as Record<number, FaultOptions['schedule'] extends Readonly<Record<number, infer K>> | undefined ? K : never>;
  if (pendingWrongLength !== undefined) schedule[pendingWrongLength] = 'wrong-length';
  fake!.setFaults({ ...baseFaults, schedule, seed: (baseFaults.seed ?? 12345) + phaseSeed++, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
}
let currentRetryAfter: number | undefined;

function setPhases(phases: LimitPhase[] | undefined): void {
  if (phaseTimer) clearTimeout(phaseTimer);
  phaseTimer = undefined;
  if (!phases?.length || !fake) return;
  let i = 0;
  const next = () => {
    const p = phases[i % phases.length];
    fake!.setLimits(p.limits);
    // Changing faults restarts their seeded sequence: applyFaults moves the seed on.
    currentRetryAfter = p.retryAfterMs;
    applyFaults(currentRetryAfter);
    i++;
    phaseTimer = setTimeout(next, p.ms);
    phaseTimer.unref();
  };
  next();
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function control(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const f = fake!;
  switch (url.pathname) {
    case '/__survival/counters': {
      const c = f.counters;
      if (url.searchParams.has('lite')) return json(res, 200, { requests: c.requests, captured: captured.length });
      return json(res, 200, {
        requests: c.requests, byEndpoint: c.byEndpoint, byStatus: c.byStatus, texts: c.texts, tokens: c.tokens,
        embedCounts: Object.fromEntries(c.embedCounts), maxBatchSeen: c.maxBatchSeen, maxItemTokensSeen: c.maxItemTokensSeen,
        faults: c.faults, captured: captured.length, phaseHits, delivered,
      });
    }
    case '/__survival/requests': {
      const from = Number(url.searchParams.get('from') ?? 0);
      return json(res, 200, captured.slice(from));
    }
    case '/__survival/reset':
      f.reset();
      captured = [];
      return json(res, 200, { ok: true });
    case '/__survival/config': {
      const c = JSON.parse(body || '{}') as Config;
      if ('faults' in c) {
        baseFaults = { hangMs: 3_600_000, ...(c.faults ?? {}) };
        pendingWrongLength = undefined;
        applyFaults(currentRetryAfter);
      }
      if (c.rpm !== undefined || c.tpm !== undefined || c.burst !== undefined) f.setLimits({ rpm: c.rpm, tpm: c.tpm, burst: c.burst });
      if ('limitPhases' in c) {
        if (!c.limitPhases?.length) f.setLimits({ rpm: c.rpm, tpm: c.tpm, burst: c.burst });
        setPhases(c.limitPhases);
      }
      return json(res, 200, { ok: true });
    }
    default:
      return json(res, 404, { error: 'unknown control route' });
  }
}

// Wrap the listener the fake installs: control routes are answered here, every other request is
// recorded (body included) and handed to the fake untouched.
const originalCreateServer = http.createServer;
(http as unknown as { createServer: unknown }).createServer = function (...args: unknown[]) {
  const listener = args.find((a) => typeof a === 'function') as http.RequestListener;
  const wrapped: http.RequestListener = (req, res) => {
    if ((req.url ?? '').startsWith('/__survival/')) {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => control(req, res, Buffer.concat(parts).toString('utf8')));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const rec: Captured = { n: ++seq, t: Date.now(), method: req.method ?? '', url: req.url ?? '', headers, body: '' };
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    let fakeN = 0;
    req.on('end', () => {
      rec.body = Buffer.concat(parts).toString('utf8');
      captured.push(rec);
      // The fake numbers the request synchronously in its own 'end' listener, which runs next.
      process.nextTick(() => (fakeN = fake!.counters.requests));
    });
    let replyBody = '';
    res.on('finish', () => {
      rec.status = res.statusCode;
      if (res.statusCode === 429) {
        const code = /"code":"([^"]+)"/.exec(replyBody)?.[1];
        if (code) phaseHits[code] = (phaseHits[code] ?? 0) + 1;
      }
      if (res.statusCode === 200) {
        try {
          const reply = JSON.parse(replyBody) as { output?: { embeddings?: { embedding?: unknown[] }[] }; data?: { embedding?: unknown[] }[] };
          const dims = /"dimension"\s*:\s*(\d+)/.exec(rec.body)?.[1] ?? /"dimensions"\s*:\s*(\d+)/.exec(rec.body)?.[1] ?? '1024';
          const first = reply.output?.embeddings?.[0]?.embedding ?? reply.data?.[0]?.embedding;
          if (Array.isArray(first) && first.length !== Number(dims)) delivered.wrongLength++;
        } catch {
          delivered.truncated++;
        }
      }
      if (pendingWrongLength !== undefined && fakeN === pendingWrongLength) {
        if (res.statusCode === 200) pendingWrongLength = undefined;
        else pendingWrongLength = fake!.counters.requests + 1;
        applyFaults(currentRetryAfter);
      }
      process.stderr.write(`#${rec.n} ${rec.method} ${rec.url} -> ${res.statusCode}\n`);
    });
    const end = res.end.bind(res) as (...a: unknown[]) => http.ServerResponse;
    (res as unknown as { end: unknown }).end = (...a: unknown[]) => {
      if (typeof a[0] === 'string') replyBody = a[0];
      return end(...a);
    };
    listener(req, res);
  };
  return (originalCreateServer as (l: http.RequestListener) => http.Server).call(http, wrapped);
};

void startFakeDashScope({
  port: 0,
  latencyMs: config.latencyMs,
  key: config.key,
  maxBatch: config.maxBatch,
  base64: config.base64,
  rpm: config.rpm,
  tpm: config.tpm,
  burst: config.burst,
  // A hang never answers (an hour): a request the client gave up on is never billed late.
  faults: baseFaults,
}).then(
  (server) => {
    fake = server;
    if (pendingWrongLength !== undefined) applyFaults();
    setPhases(config.limitPhases);
    process.stdout.write(`fake-dashscope listening on ${server.url}\n`);
    const stop = () => void server.close().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  },
  (e: Error) => {
    process.stderr.write(`fake-dashscope: ${e.message}\n`);
    process.exit(2);
  },
);
