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
const phaseHits: Record<string, number> = {};

function setPhases(phases: LimitPhase[] | undefined): void {
  if (phaseTimer) clearTimeout(phaseTimer);
  phaseTimer = undefined;
  if (!phases?.length || !fake) return;
  let i = 0;
  const next = () => {
    const p = phases[i % phases.length];
    fake!.setLimits(p.limits);
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
      return json(res, 200, {
        requests: c.requests, byEndpoint: c.byEndpoint, byStatus: c.byStatus, texts: c.texts, tokens: c.tokens,
        embedCounts: Object.fromEntries(c.embedCounts), maxBatchSeen: c.maxBatchSeen, maxItemTokensSeen: c.maxItemTokensSeen,
        faults: c.faults, captured: captured.length, phaseHits,
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
      if ('faults' in c) f.setFaults({ hangMs: 3_600_000, ...(c.faults ?? {}) });
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
    req.on('end', () => {
      rec.body = Buffer.concat(parts).toString('utf8');
      captured.push(rec);
    });
    res.on('finish', () => {
      rec.status = res.statusCode;
      if (res.statusCode === 429) {
        const code = /"code":"([^"]+)"/.exec(String((res as unknown as { _lastBody?: string })._lastBody ?? ''))?.[1];
        if (code) phaseHits[code] = (phaseHits[code] ?? 0) + 1;
      }
      process.stderr.write(`#${rec.n} ${rec.method} ${rec.url} -> ${res.statusCode}\n`);
    });
    // Keep the body of 429s to tell RateQuota / AllocationQuota / BurstRate apart.
    const end = res.end.bind(res) as (...a: unknown[]) => http.ServerResponse;
    (res as unknown as { end: unknown }).end = (...a: unknown[]) => {
      if (typeof a[0] === 'string') (res as unknown as { _lastBody?: string })._lastBody = a[0];
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
  faults: { hangMs: 3_600_000, ...(config.faults ?? {}) },
}).then(
  (server) => {
    fake = server;
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
