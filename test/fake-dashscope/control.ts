/**
 * What the fake's one entry point (main.ts) adds around the fake server for the suites that run it
 * in a process of its own (survival, bench, the VS Code e2e suites), all on the fake's own port:
 *  - control routes under `/__fake/` (never seen by the fake): `counters` (`?lite` = just the
 *    request count), `requests?from=N` (captured requests), `reset`, `config` (POST faults,
 *    limits, limit phases);
 *  - capture (opt-in): every request kept whole — method, URL, headers, raw body — plus one
 *    `#n METHOD URL -> status` line per request on stderr (the server's "logs");
 *  - a JSONL request log (opt-in) with the key reduced to a short hash (what the e2e suites read);
 *  - limits that rotate on a timer, so every kind of 429 occurs within one run;
 *  - one wrong-length reply at the first request from N on that reaches the reply stage;
 *  - outages switched at run time (POST /__e2e/mode: down, revoked key, throttled, slow; outageModes.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import { INVALID_KEY_BODY, OUTAGE_ROUTE, OutageModes, THROTTLED_BODY } from './outageModes';
import type { FakeDashScope, FaultKind, FaultOptions } from './server';

export const CONTROL_PREFIX = '/__fake/';

export interface LimitPhase {
  readonly ms: number;
  readonly limits: { rpm?: number; tpm?: number; burst?: number };
  /** Retry-After (ms) sent with 429s during this phase (none when absent, as on the real service). */
  readonly retryAfterMs?: number;
}

export interface ControlOptions {
  readonly capture?: boolean;
  /** Append every request as `{t, method, path, auth, body}` to this JSONL file. */
  readonly requestLog?: string;
  readonly limitPhases?: readonly LimitPhase[];
  /**
   * One wrong-length reply, at the first request from this number on that reaches the reply
   * stage: a reply-stage fault is masked when the request is refused first (a rate-limit 429), so
   * it is moved on to the next request until one is delivered.
   */
  readonly wrongLengthOnceFrom?: number;
}

/** `--config`: what a test harness passes as one JSON value. */
export interface FakeProcessConfig {
  latencyMs?: number;
  key?: string;
  maxBatch?: number;
  base64?: 'honor' | 'ignore' | 'reject' | 'always';
  rpm?: number;
  tpm?: number;
  burst?: number;
  faults?: FaultOptions;
  limitPhases?: LimitPhase[];
  wrongLengthOnceFrom?: number;
}

/** POST /__fake/config */
export interface ControlConfig {
  readonly rpm?: number;
  readonly tpm?: number;
  readonly burst?: number;
  readonly faults?: FaultOptions;
  readonly limitPhases?: readonly LimitPhase[];
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

/** 'sha256:<12 hex>' of an Authorization header value, or null when absent: proves which key, never holds it. */
export function authHash(header: string | undefined): string | null {
  return header ? `sha256:${crypto.createHash('sha256').update(header).digest('hex').slice(0, 12)}` : null;
}

export class FakeControl {
  private fake: FakeDashScope | undefined;
  private captured: Captured[] = [];
  private seq = 0;
  private phaseTimer: NodeJS.Timeout | undefined;
  private baseFaults: FaultOptions;
  private phaseSeed = 0;
  private currentRetryAfter: number | undefined;
  private pendingWrongLength: number | undefined;
  private readonly phaseHits: Record<string, number> = {};
  /** Reply-stage faults that actually reached the client (the fake counts picked ones). */
  private readonly delivered = { truncated: 0, wrongLength: 0 };
  private readonly outage = new OutageModes();

  constructor(private readonly o: ControlOptions, faults: FaultOptions = {}) {
    this.baseFaults = faults;
    this.pendingWrongLength = o.wrongLengthOnceFrom;
    if (o.requestLog) fs.writeFileSync(o.requestLog, '');
  }

  /** Call once the fake listens. */
  attach(fake: FakeDashScope): void {
    this.fake = fake;
    if (this.pendingWrongLength !== undefined) this.applyFaults();
    this.setPhases(this.o.limitPhases);
  }

  /** The listener to install in front of the fake's own (FakeDashScopeOptions.wrapListener). */
  readonly wrap = (listener: http.RequestListener): http.RequestListener => (req, res) => {
    const url = req.url ?? '';
    if (url.startsWith(CONTROL_PREFIX)) {
      readBody(req, (body) => this.control(req, res, body.toString('utf8')));
      return;
    }
    if (url === OUTAGE_ROUTE) {
      readBody(req, (body) => json(res, 200, this.outage.set(body.toString('utf8'))));
      return;
    }
    const verdict = this.outage.verdict(url);
    if (!verdict.serve) {
      readBody(req, (raw) => {
        if (verdict.kind === 'down') return req.socket.destroy();
        if (verdict.kind === 'throttle') return sendJson(res, 429, THROTTLED_BODY);
        this.log(req, raw, 401);
        sendJson(res, 401, INVALID_KEY_BODY);
      });
      return;
    }
    const serve = () => {
      if (this.o.capture || this.o.requestLog || this.pendingWrongLength !== undefined) this.observe(req, res);
      listener(req, res);
    };
    if (verdict.delayMs > 0) setTimeout(serve, verdict.delayMs);
    else serve();
  };

  /** One line of the JSONL request log (the key reduced to a hash). */
  private log(req: http.IncomingMessage, raw: Buffer, status?: number): void {
    if (!this.o.requestLog) return;
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = raw.length ? `<${raw.length} bytes>` : undefined;
    }
    fs.appendFileSync(this.o.requestLog, JSON.stringify({ t: Date.now(), method: req.method, path: req.url, auth: authHash(req.headers.authorization), ...(status ? { status } : {}), body }) + '\n');
  }

  private observe(req: http.IncomingMessage, res: http.ServerResponse): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const rec: Captured = { n: ++this.seq, t: Date.now(), method: req.method ?? '', url: req.url ?? '', headers, body: '' };
    let fakeN = 0;
    readBody(req, (raw) => {
      rec.body = raw.toString('utf8');
      if (this.o.capture) this.captured.push(rec);
      this.log(req, raw);
      // The fake numbers the request synchronously in its own 'end' listener, which runs next.
      process.nextTick(() => (fakeN = this.fake!.counters.requests));
    });
    let replyBody = '';
    const end = res.end.bind(res) as (...a: unknown[]) => http.ServerResponse;
    (res as unknown as { end: unknown }).end = (...a: unknown[]) => {
      if (typeof a[0] === 'string') replyBody = a[0];
      return end(...a);
    };
    res.on('finish', () => {
      rec.status = res.statusCode;
      this.account(rec, res.statusCode, replyBody, fakeN);
      if (this.o.capture) process.stderr.write(`#${rec.n} ${rec.method} ${rec.url} -> ${res.statusCode}\n`);
    });
  }

  private account(rec: Captured, status: number, replyBody: string, fakeN: number): void {
    if (status === 429) {
      const code = /"code":"([^"]+)"/.exec(replyBody)?.[1];
      if (code) this.phaseHits[code] = (this.phaseHits[code] ?? 0) + 1;
    }
    if (status === 200) {
      try {
        const reply = JSON.parse(replyBody) as { output?: { embeddings?: { embedding?: unknown[] }[] }; data?: { embedding?: unknown[] }[] };
        const dims = /"dimension"\s*:\s*(\d+)/.exec(rec.body)?.[1] ?? /"dimensions"\s*:\s*(\d+)/.exec(rec.body)?.[1] ?? '1024';
        const first = reply.output?.embeddings?.[0]?.embedding ?? reply.data?.[0]?.embedding;
        if (Array.isArray(first) && first.length !== Number(dims)) this.delivered.wrongLength++;
      } catch {
        this.delivered.truncated++;
      }
    }
    if (this.pendingWrongLength !== undefined && fakeN === this.pendingWrongLength) {
      this.pendingWrongLength = status === 200 ? undefined : this.fake!.counters.requests + 1;
      this.applyFaults(this.currentRetryAfter);
    }
  }

  /** The fault plan in force: the base faults, this phase's Retry-After, a pending wrong-length. */
  private applyFaults(retryAfterMs?: number): void {
    const schedule: Record<number, FaultKind> = { ...(this.baseFaults.schedule ?? {}) };
    if (this.pendingWrongLength !== undefined) schedule[this.pendingWrongLength] = 'wrong-length';
    // Changing faults restarts their seeded sequence: move the seed on so it does not repeat.
    this.fake!.setFaults({ ...this.baseFaults, schedule, seed: (this.baseFaults.seed ?? 12345) + this.phaseSeed++, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }

  private setPhases(phases: readonly LimitPhase[] | undefined): void {
    if (this.phaseTimer) clearTimeout(this.phaseTimer);
    this.phaseTimer = undefined;
    if (!phases?.length || !this.fake) return;
    let i = 0;
    const next = () => {
      const p = phases[i % phases.length];
      this.fake!.setLimits(p.limits);
      this.currentRetryAfter = p.retryAfterMs;
      this.applyFaults(this.currentRetryAfter);
      i++;
      this.phaseTimer = setTimeout(next, p.ms);
      this.phaseTimer.unref();
    };
    next();
  }

  private control(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const f = this.fake!;
    switch (url.pathname.slice(CONTROL_PREFIX.length)) {
      case 'counters': {
        const c = f.counters;
        if (url.searchParams.has('lite')) return json(res, 200, { requests: c.requests, captured: this.captured.length });
        const cpu = process.cpuUsage();
        return json(res, 200, {
          requests: c.requests, byEndpoint: c.byEndpoint, byStatus: c.byStatus, texts: c.texts, tokens: c.tokens,
          embedCounts: Object.fromEntries(c.embedCounts), maxBatchSeen: c.maxBatchSeen, maxItemTokensSeen: c.maxItemTokensSeen,
          faults: c.faults, successTimes: c.successTimes, captured: this.captured.length, phaseHits: this.phaseHits,
          delivered: this.delivered, serverCpuMs: (cpu.user + cpu.system) / 1000,
        });
      }
      case 'requests':
        return json(res, 200, this.captured.slice(Number(url.searchParams.get('from') ?? 0)));
      case 'reset':
        f.reset();
        this.captured = [];
        return json(res, 200, { ok: true });
      case 'config': {
        const c = JSON.parse(body || '{}') as ControlConfig;
        if ('faults' in c) {
          this.baseFaults = c.faults ?? {};
          this.pendingWrongLength = undefined;
          this.applyFaults(this.currentRetryAfter);
        }
        if (c.rpm !== undefined || c.tpm !== undefined || c.burst !== undefined) f.setLimits({ rpm: c.rpm, tpm: c.tpm, burst: c.burst });
        if ('limitPhases' in c) {
          if (!c.limitPhases?.length) f.setLimits({ rpm: c.rpm, tpm: c.tpm, burst: c.burst });
          this.setPhases(c.limitPhases);
        }
        return json(res, 200, { ok: true });
      }
      default:
        return json(res, 404, { error: 'unknown control route' });
    }
  }
}

function readBody(req: http.IncomingMessage, done: (body: Buffer) => void): void {
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => done(Buffer.concat(parts)));
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  sendJson(res, status, JSON.stringify(value));
}

function sendJson(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
