/**
 * Helpers of the survival suites: seeded randomness, generated corpora, the bundled CLI run as a
 * real process (with its peak RSS), and the fake DashScope server in its own process
 * (test/fake-dashscope/main.ts through process.ts) with its counters and every request it received.
 */
import { mulberry32 } from '../../../src/core/embedding/offline/prng';
import { FakeDashScopeProcess } from '../../fake-dashscope/process';
import { cliEnv } from '../../support/cli';
import { tempDir } from '../../support/tempDir';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../../..');
export { HEAVY, SOAK, scale } from './scale';

export { tempDir, cliEnv };

/**
 * The bundled CLI, snapshotted once per test process: others rebuild dist/ while these long
 * suites run, and every run of one suite must use the same build (a result computed by one
 * build is compared with another's). The bundle is self-contained (cli.js, its chunk worker and
 * the tree-sitter wasm next to it).
 */
export const cliPath: string = (() => {
  const dist = path.join(repoRoot, 'dist');
  const snap = tempDir('sw-surv-dist-');
  for (let attempt = 0; ; attempt++) {
    for (const e of fs.readdirSync(dist)) {
      if (e.endsWith('.map') || e.startsWith('extension')) continue;
      fs.cpSync(path.join(dist, e), path.join(snap, e), { recursive: true });
    }
    const cli = path.join(snap, 'cli.js');
    const ok = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8' }).status === 0;
    if (ok || attempt >= 5) return cli;
    spawnSync('sleep', ['2']); // caught dist/ mid-build: copy again
  }
})();

/** Seeded PRNG: the product's own mulberry32. */
export const rng = mulberry32;

export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
}

const WORDS = (
  'account adapter allocate archive audit backoff balance batch bucket buffer cache canvas channel checksum ' +
  'cipher client cluster commit compress config cursor daemon decode deploy digest dispatch document driver ' +
  'encode engine export fetch filter format gateway graph handler header import index invoice journal kernel ' +
  'ledger lexer limit listener mailbox manifest matrix merge metric migrate monitor network notify offset ' +
  'packet parser payload pipeline plugin policy pool prefix profile queue quota record refund render replica ' +
  'report request resolve retry router sample scanner schema search segment server session shard signal ' +
  'snapshot socket stream summary symbol tenant thread ticket timer token trace tree upload vector verify ' +
  'widget window worker'
).split(' ');

/** A word list for generated text (lower-case identifiers and prose). */
export const VOCAB: readonly string[] = WORDS;

function camel(a: string, b: string): string {
  return a + b[0].toUpperCase() + b.slice(1);
}

/**
 * One generated source file of `units` functions/sections: TypeScript, Python, Go or Markdown
 * by `kind`. Every unit holds the file's serial, so no two chunks are textually equal.
 */
export function generatedFile(r: () => number, serial: number, kind: number, units: number): { ext: string; text: string } {
  const w = () => pick(r, WORDS);
  const lines: string[] = [];
  switch (kind % 4) {
    case 0:
      for (let f = 0; f < units; f++) {
        const name = camel(w(), w()) + `V${serial}n${f}`;
        lines.push(`/** ${w()} the ${w()} ${w()} before the ${w()} (${serial}.${f}). */`);
        lines.push(`export function ${name}(${w()}: number, ${w()}Id: string): number {`);
        lines.push(`  const ${w()}Count = ${f + 1} * ${serial};`);
        lines.push(`  if (${w()}Id.length > ${f}) return ${w()}Count + ${serial};`);
        lines.push(`  return ${f};`);
        lines.push('}', '');
      }
      return { ext: 'ts', text: lines.join('\n') };
    case 1:
      for (let f = 0; f < units; f++) {
        lines.push(`def ${w()}_${w()}_${serial}_${f}(${w()}, ${w()}=None):`);
        lines.push(`    """${w()} the ${w()} of a ${w()} ${w()} (${serial}.${f})."""`);
        lines.push(`    ${w()}_total = ${f} + ${serial}`);
        lines.push(`    return ${w()}_total`, '');
      }
      return { ext: 'py', text: lines.join('\n') };
    case 2:
      lines.push('package main', '');
      for (let f = 0; f < units; f++) {
        lines.push(`// ${camel(w(), w())}${serial}x${f} ${w()}s the ${w()} of the ${w()}.`);
        lines.push(`func ${camel(w(), w())}${serial}x${f}(${w()} int) int {`);
        lines.push(`\treturn ${w()}Value(${f}) + ${serial}`);
        lines.push('}', '');
      }
      return { ext: 'go', text: lines.join('\n') };
    default:
      lines.push(`# Note ${serial}: ${w()} ${w()}`, '');
      for (let f = 0; f < units; f++) {
        lines.push(`## ${w()} ${w()} ${serial}.${f}`, '');
        lines.push(Array.from({ length: 14 + Math.floor(r() * 18) }, w).join(' ') + ` (${serial}.${f}).`, '');
      }
      return { ext: 'md', text: lines.join('\n') };
  }
}

/**
 * A generated corpus of `files` files in nested folders; returns path → content. Deterministic in
 * `seed`. `units` per file varies between 2 and `maxUnits`.
 */
export function generateCorpus(seed: number, files: number, maxUnits = 6): Map<string, string> {
  const r = rng(seed);
  const out = new Map<string, string>();
  for (let i = 0; i < files; i++) {
    const dir = `${pick(r, WORDS)}/${pick(r, ['core', 'lib', 'docs', 'app', 'util'])}`;
    const { ext, text } = generatedFile(r, i, i, 2 + Math.floor(r() * (maxUnits - 1)));
    out.set(`${dir}/f${i}.${ext}`, text);
  }
  return out;
}

export function writeCorpus(root: string, corpus: Map<string, string>): void {
  for (const [rel, text] of corpus) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
}

// ---------------------------------------------------------------------------------------------
// The CLI as a process

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** Peak resident set size in KiB, when measured (`measureRss`). */
  readonly peakRssKb?: number;
  /** User + system CPU seconds, when measured with GNU time (`measureRss`). */
  readonly cpuSeconds?: number;
  readonly timedOut: boolean;
}

export interface CliOptions {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Kill (SIGKILL) after this long; the result says `timedOut`. Default 120 s. */
  readonly timeoutMs?: number;
  /** Measure the peak RSS (GNU time when installed, else VmHWM polling). */
  readonly measureRss?: boolean;
}


const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((p) => {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

/** Starts the CLI; `result` settles when it exits. */
export function startCli(args: readonly string[], opts: CliOptions = {}): { child: ChildProcess; result: Promise<CliResult> } {
  const t0 = Date.now();
  let rssFile: string | undefined;
  let cmd = process.execPath;
  let argv = [cliPath, ...args];
  if (opts.measureRss && GNU_TIME) {
    rssFile = path.join(tempDir('sw-surv-rss-'), 'rss');
    argv = ['-f', '%M %U %S', '-o', rssFile, process.execPath, ...argv];
    cmd = GNU_TIME;
  }
  const child = spawn(cmd, argv, { cwd: opts.cwd ?? tempDir('sw-surv-cwd-'), env: opts.env ?? cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  let hwm = 0;
  const poll = opts.measureRss && !GNU_TIME
    ? setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwm = Math.max(hwm, Number(m[1]));
        } catch {
          /* gone */
        }
      }, 20)
    : undefined;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? 120_000);
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      let peakRssKb: number | undefined = hwm || undefined;
      let cpuSeconds: number | undefined;
      if (rssFile) {
        const txt = fs.existsSync(rssFile) ? fs.readFileSync(rssFile, 'utf8') : '';
        const m = /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(txt.trim());
        if (m) {
          peakRssKb = Number(m[1]);
          cpuSeconds = Number(m[2]) + Number(m[3]);
        }
        // GNU time reports a signal death as "Command terminated by signal N" + exit code.
        const sig = /terminated by signal (\d+)/.exec(txt);
        if (sig) return resolve({ code: null, signal: (Number(sig[1]) === 9 ? 'SIGKILL' : `SIG${sig[1]}`) as NodeJS.Signals, stdout, stderr, ms: Date.now() - t0, peakRssKb, cpuSeconds, timedOut });
      }
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0, peakRssKb, cpuSeconds, timedOut });
    });
  });
  return { child, result };
}

export function runCli(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  return startCli(args, opts).result;
}

/** A JavaScript stack frame in output: what the CLI must never print. */
export const STACK_TRACE = /^\s+at (?:async )?\S.*(?:\(.*:\d+:\d+\)|:\d+:\d+)$/m;

export function parseJsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

export interface SearchLine {
  query: string;
  results: { path: string; startLine: number; endLine: number; score: number; kind: string; symbol: string; startColumn?: number; endColumn?: number }[];
}

export function writeQueries(queries: readonly string[]): string {
  const f = path.join(tempDir('sw-surv-q-'), 'q.jsonl');
  fs.writeFileSync(f, queries.map((q) => JSON.stringify({ query: q })).join('\n') + '\n');
  return f;
}

/** Every file under `dir` (recursively), as [relative path, bytes]. */
export function readAllFiles(dir: string): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push([path.relative(dir, p), fs.readFileSync(p)]);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The fake DashScope server in a child process

export interface FakeCountersView {
  requests: number;
  byEndpoint: { native: number; compatible: number; other: number };
  byStatus: Record<string, number>;
  texts: number;
  tokens: number;
  embedCounts: Record<string, number>;
  maxBatchSeen: number;
  maxItemTokensSeen: number;
  faults: Record<string, number>;
  captured: number;
  phaseHits: Record<string, number>;
  delivered: { truncated: number; wrongLength: number };
}

export interface CapturedRequest {
  n: number;
  t: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  status?: number;
}

export interface FakeProcessConfig {
  latencyMs?: number;
  key?: string;
  maxBatch?: number;
  rpm?: number;
  tpm?: number;
  burst?: number;
  faults?: Record<string, unknown>;
  limitPhases?: { ms: number; limits: { rpm?: number; tpm?: number; burst?: number }; retryAfterMs?: number }[];
  wrongLengthOnceFrom?: number;
}

/** A hang never answers (an hour): a request the client gave up on is never billed late. */
const withLongHangs = (faults: Record<string, unknown> | undefined): Record<string, unknown> => ({ hangMs: 3_600_000, ...(faults ?? {}) });

/** The fake DashScope in its own process: the one entry point (test/fake-dashscope/main.ts). */
export class FakeProcess {
  private constructor(private readonly p: FakeDashScopeProcess) {}

  get child(): ChildProcess {
    return this.p.child;
  }

  get url(): string {
    return this.p.url;
  }

  /** Output of the server process so far (its "logs"). */
  get logs(): string {
    return this.p.logs;
  }

  /**
   * `wrapper: true` (default): `config` as --config, with capture (counters + every request whole).
   * `wrapper: false`: only the command-line flags in `plainArgs`, as `npm run fake-dashscope` takes them.
   */
  static async start(config: FakeProcessConfig = {}, opts: { wrapper?: boolean; plainArgs?: string[] } = {}): Promise<FakeProcess> {
    const args = (opts.wrapper ?? true) ? ['--capture', '--config', JSON.stringify({ ...config, faults: withLongHangs(config.faults) })] : (opts.plainArgs ?? []);
    return new FakeProcess(await FakeDashScopeProcess.start(args));
  }

  counters(): Promise<FakeCountersView> {
    return this.p.control('counters');
  }

  /** Just the request count (cheap enough to poll every few ms). */
  requestCount(): Promise<number> {
    return this.p.control<{ requests: number }>('counters?lite=1').then((c) => c.requests);
  }

  requests(from = 0): Promise<CapturedRequest[]> {
    return this.p.control(`requests?from=${from}`);
  }

  async reset(): Promise<void> {
    await this.p.control('reset', {});
  }

  async configure(c: Omit<FakeProcessConfig, 'latencyMs' | 'key' | 'maxBatch'>): Promise<void> {
    await this.p.control('config', 'faults' in c ? { ...c, faults: withLongHangs(c.faults) } : c);
  }

  stop(): Promise<void> {
    return this.p.stop();
  }
}

/** User + system CPU time of a live process in ms (Linux /proc), or undefined once it is gone. */
export function procCpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
