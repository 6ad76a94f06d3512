/**
 * THE entry point of the fake DashScope as a process of its own — `npm run fake-dashscope`, the
 * survival suites, the benchmarks and the VS Code e2e suites all start this file (process.ts is
 * the client side). Serves until SIGTERM/SIGINT. Prints exactly one line,
 * `fake-dashscope listening on http://127.0.0.1:PORT`, once it listens (scripts wait for it).
 * Control routes under /__fake/ on the same port (control.ts). Flags:
 *   --port N                 0 = a free port (default 0)
 *   --rpm N --tpm N --burst N   rate limits (requests/min, tokens/min, requests in any second)
 *   --base64 honor|ignore|reject|always
 *   --key K                  the one accepted key (default: any sk-… key except sk-bad…)
 *   --max-batch N            texts per request (default 10)
 *   --latency MS             delay before every answer
 *   --fault KIND=P           probability P of a fault (repeatable); KIND: 500 503 504 429 hang
 *                            reset truncated wrong-length non-finite 401 arrearage 403
 *   --fault-at N=KIND        exact fault for request number N (repeatable)
 *   --unauthorized-after N   401 for every request after the Nth
 *   --arrearage-after N      400 Arrearage for every request after the Nth
 *   --retry-after MS         send Retry-After with every 429
 *   --hang-ms MS             how long a hang lasts (default 120000)
 *   --seed N                 seed for probabilistic faults
 *   --config JSON            the same as one object: {latencyMs, key, maxBatch, base64, rpm, tpm,
 *                            burst, faults, limitPhases, wrongLengthOnceFrom}; flags after it win
 *   --capture                keep every request whole (GET /__fake/requests) and log one line
 *                            per request on stderr
 *   --log FILE               append every request to FILE as JSONL {t, method, path, auth, body}
 *                            (auth = a short hash of the Authorization header, never the key)
 *   --ready FILE             write {"url", "log"} to FILE once listening
 */
import fs from 'node:fs';
import { FakeControl, type FakeProcessConfig } from './control';
import { FAULT_KINDS, type FaultKind, type FaultOptions } from './faults';
import { startFakeDashScope, type Base64Mode } from './server';

function fail(message: string): never {
  process.stderr.write(`fake-dashscope: ${message}\n`);
  process.exit(2);
}

function num(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n < 0) fail(`${flag} needs a non-negative number`);
  return n;
}

function faultKind(v: string): FaultKind {
  if (!(FAULT_KINDS as readonly string[]).includes(v)) fail(`unknown fault "${v}" (one of ${FAULT_KINDS.join(', ')})`);
  return v as FaultKind;
}

const args = process.argv.slice(2);
const opts: { port?: number; rpm?: number; tpm?: number; burst?: number; base64?: Base64Mode; key?: string; maxBatch?: number; latencyMs?: number } = {};
let probabilities: Partial<Record<FaultKind, number>> = {};
let schedule: Record<number, FaultKind> = {};
let faults: { -readonly [K in keyof FaultOptions]: FaultOptions[K] } = {};
let config: FakeProcessConfig = {};
let capture = false;
let requestLog: string | undefined;
let readyFile: string | undefined;

for (let i = 0; i < args.length; i++) {
  const flag = args[i];
  const eq = flag.startsWith('--') ? flag.indexOf('=') : -1;
  const [name, inline] = eq > 0 ? [flag.slice(0, eq), flag.slice(eq + 1)] : [flag, undefined];
  const value = () => inline ?? args[++i];
  switch (name) {
    case '--port': opts.port = num(name, value()); break;
    case '--rpm': opts.rpm = num(name, value()); break;
    case '--tpm': opts.tpm = num(name, value()); break;
    case '--burst': opts.burst = num(name, value()); break;
    case '--key': opts.key = value() ?? fail('--key needs a value'); break;
    case '--max-batch': opts.maxBatch = num(name, value()); break;
    case '--latency': opts.latencyMs = num(name, value()); break;
    case '--base64': {
      const v = value();
      if (v !== 'honor' && v !== 'ignore' && v !== 'reject' && v !== 'always') fail('--base64 takes honor|ignore|reject|always');
      opts.base64 = v;
      break;
    }
    case '--fault': {
      const [k, p] = (value() ?? '').split('=');
      probabilities[faultKind(k)] = num('--fault', p);
      break;
    }
    case '--fault-at': {
      const [n, k] = (value() ?? '').split('=');
      schedule[num('--fault-at', n)] = faultKind(k);
      break;
    }
    case '--unauthorized-after': faults.unauthorizedAfter = num(name, value()); break;
    case '--arrearage-after': faults.arrearageAfter = num(name, value()); break;
    case '--retry-after': faults.retryAfterMs = num(name, value()); break;
    case '--hang-ms': faults.hangMs = num(name, value()); break;
    case '--seed': faults.seed = num(name, value()); break;
    case '--config': {
      try {
        config = JSON.parse(value() ?? '') as FakeProcessConfig;
      } catch {
        fail('--config needs a JSON object');
      }
      const { faults: f, limitPhases: _p, wrongLengthOnceFrom: _w, ...server } = config;
      Object.assign(opts, server);
      faults = { ...(f ?? {}) };
      probabilities = { ...(f?.probabilities ?? {}) };
      schedule = { ...(f?.schedule ?? {}) };
      break;
    }
    case '--capture': capture = true; break;
    case '--log': requestLog = value() ?? fail('--log needs a file'); break;
    case '--ready': readyFile = value() ?? fail('--ready needs a file'); break;
    case '--help':
    case '-h':
      process.stdout.write('usage: fake-dashscope [--port N] [--rpm N] [--tpm N] [--burst N] [--base64 honor|ignore|reject|always] [--key K] [--max-batch N] [--latency MS] [--fault KIND=P]... [--fault-at N=KIND]... [--unauthorized-after N] [--arrearage-after N] [--retry-after MS] [--hang-ms MS] [--seed N] [--config JSON] [--capture] [--log FILE] [--ready FILE]\n');
      process.exit(0);
    default:
      fail(`unknown flag ${flag}`);
  }
}
faults.probabilities = Object.keys(probabilities).length ? probabilities : undefined;
faults.schedule = Object.keys(schedule).length ? schedule : undefined;

const control = new FakeControl({ capture, requestLog, limitPhases: config.limitPhases, wrongLengthOnceFrom: config.wrongLengthOnceFrom }, faults);
void startFakeDashScope({ ...opts, faults, wrapListener: control.wrap }).then(
  (server) => {
    control.attach(server);
    if (readyFile) fs.writeFileSync(readyFile, JSON.stringify({ url: server.url, log: requestLog }));
    process.stdout.write(`fake-dashscope listening on ${server.url}\n`);
    const stop = () => void server.close().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  },
  (e: Error) => fail(e.message),
);
