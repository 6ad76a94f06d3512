/**
 * The fake DashScope server (test/fake-dashscope) in a process of its own, so its CPU does not
 * distort the client's numbers, plus a small control endpoint the benchmark reads the counters
 * from. Prints one line once both listen:
 *   fake-dashscope listening on http://127.0.0.1:PORT control http://127.0.0.1:CPORT
 * Flags: --rpm N --tpm N --burst N --latency MS --seed N --fault KIND=P (repeatable) --retry-after MS
 * Control: GET /counters (JSON; embedCounts as {sha256: deliveries}), POST /reset.
 *
 * `FakeServerProcess` (below) starts and stops it from a benchmark part.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import type { FaultKind } from '../test/fake-dashscope/faults';
import { startFakeDashScope } from '../test/fake-dashscope/server';

export interface CountersSnapshot {
  requests: number;
  byStatus: Record<string, number>;
  texts: number;
  tokens: number;
  embedCounts: Record<string, number>;
  successTimes: number[];
  faults: Record<string, number>;
  maxBatchSeen: number;
  /** CPU ms the server process has used so far. */
  serverCpuMs: number;
}

async function serve(argv: string[]): Promise<void> {
  const opts: { rpm?: number; tpm?: number; burst?: number; latencyMs?: number } = {};
  const probabilities: Partial<Record<FaultKind, number>> = {};
  let seed: number | undefined, retryAfterMs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    switch (argv[i]) {
      case '--rpm': opts.rpm = Number(v()); break;
      case '--tpm': opts.tpm = Number(v()); break;
      case '--burst': opts.burst = Number(v()); break;
      case '--latency': opts.latencyMs = Number(v()); break;
      case '--seed': seed = Number(v()); break;
      case '--retry-after': retryAfterMs = Number(v()); break;
      case '--fault': {
        const [k, p] = v().split('=');
        probabilities[k as FaultKind] = Number(p);
        break;
      }
      default: throw new Error(`unknown flag ${argv[i]}`);
    }
  }
  const server = await startFakeDashScope({
    ...opts,
    faults: { ...(Object.keys(probabilities).length ? { probabilities } : {}), ...(seed !== undefined ? { seed } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
  });
  const control = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/reset') {
      server.reset();
      res.end('{}');
      return;
    }
    const c = server.counters;
    const cpu = process.cpuUsage();
    const snap: CountersSnapshot = {
      requests: c.requests, byStatus: c.byStatus, texts: c.texts, tokens: c.tokens, embedCounts: Object.fromEntries(c.embedCounts),
      successTimes: c.successTimes, faults: c.faults, maxBatchSeen: c.maxBatchSeen, serverCpuMs: (cpu.user + cpu.system) / 1000,
    };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(snap));
  });
  await new Promise<void>((r) => control.listen(0, '127.0.0.1', () => r()));
  const cport = (control.address() as net.AddressInfo).port;
  process.stdout.write(`fake-dashscope listening on ${server.url} control http://127.0.0.1:${cport}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** The fake server as a child process of the benchmark. */
export class FakeServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly control: string,
  ) {}

  static start(flags: string[] = []): Promise<FakeServerProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fakeServer.ts'), ...flags], {
      cwd: path.resolve(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'],
    });
    return new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error('fake server did not start in 30 s')), 30_000);
      child.on('exit', (code) => reject(new Error(`fake server exited (${code})`)));
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /listening on (\S+) control (\S+)/.exec(buf);
        if (m) {
          clearTimeout(timer);
          resolve(new FakeServerProcess(child, m[1], m[2]));
        }
      });
    });
  }

  async counters(): Promise<CountersSnapshot> {
    const r = await fetch(`${this.control}/counters`);
    return (await r.json()) as CountersSnapshot;
  }

  async reset(): Promise<void> {
    await fetch(`${this.control}/reset`, { method: 'POST' });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.removeAllListeners('exit');
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
      setTimeout(() => this.child.kill('SIGKILL'), 3000).unref();
    });
  }
}

if (process.argv[1] && /fakeServer\.ts$/.test(process.argv[1])) {
  serve(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`fake server: ${(e as Error).message}\n`);
    process.exit(2);
  });
}
