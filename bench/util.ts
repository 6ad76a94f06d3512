/**
 * Shared helpers of the benchmark parts: clocks (process.hrtime), statistics, temp folders, the
 * result format every part writes, and running the built CLI as a whole process (wall time, CPU
 * time and peak RSS from `/usr/bin/time -v` when it is installed).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tempDir as sharedTempDir } from '../test/support/tempDir';
import { sampleTreeMemory, type TreeMemory } from './treeMemory';

// Parts run as CommonJS under tsx (the package has no "type": "module").
export const REPO = path.resolve(__dirname, '..');
export const CLI = path.join(REPO, 'dist', 'cli.js');
/** Cache of downloaded / extracted corpora (gitignored). */
export const CACHE = path.join(REPO, '.bench');
export const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

/** Milliseconds from a monotonic clock. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Milliseconds of CPU (user + system) this process has used. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Peak resident set size of this process so far, in MB. */
export function maxRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function rssMb(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}

export async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number; cpu: number }> {
  const c = cpuMs();
  const t = nowMs();
  const value = await fn();
  return { value, ms: nowMs() - t, cpu: cpuMs() - c };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile (p in 0..1). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

export function tempDir(prefix: string): string {
  return sharedTempDir(`swbench-${prefix}-`);
}

export function rm(p: string): void {
  fs.rmSync(p, { recursive: true, force: true });
}

/** Bytes of every file under `dir` (recursive). */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += dirBytes(p);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

/** Every regular file under `dir` as POSIX relative paths, sorted. */
export function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else if (e.isFile()) out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out.sort();
}

export function copyTree(src: string, dst: string, filter: (rel: string) => boolean = () => true): { files: number; bytes: number } {
  let files = 0, bytes = 0;
  for (const rel of listFiles(src)) {
    if (!filter(rel)) continue;
    const to = path.join(dst, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(src, rel), to);
    files++;
    bytes += fs.statSync(to).size;
  }
  return { files, bytes };
}

// ---------------------------------------------------------------------------------------------
// Results

export type Status = 'met' | 'missed' | 'info';

export interface Row {
  /** Part number (1..9) and a short metric name. */
  readonly part: number;
  readonly metric: string;
  /** Rendered value (with its unit). */
  readonly value: string;
  /** Rendered target, '' when the row is informational. */
  readonly target?: string;
  readonly status?: Status;
  /** How far from the target, when missed or met (e.g. "1.8× over"). */
  readonly note?: string;
}

export interface PartResult {
  readonly part: number;
  readonly title: string;
  readonly rows: Row[];
  /** Anything else worth keeping in the JSON (raw samples, ablations). */
  readonly details?: Record<string, unknown>;
  readonly seconds?: number;
}

/** Writes the part's JSON where the orchestrator asked (`--out FILE`), and prints a summary. */
export function emit(result: PartResult): void {
  const i = process.argv.indexOf('--out');
  const out = i >= 0 ? process.argv[i + 1] : undefined;
  const json = JSON.stringify(result, null, 2);
  if (out) fs.writeFileSync(out, json);
  for (const r of result.rows) {
    const mark = r.status === 'met' ? '✅ met' : r.status === 'missed' ? '❌ missed' : r.status;
    process.stderr.write(`  [${r.part}] ${r.metric}: ${r.value}${r.target ? `  (target ${r.target}: ${mark}${r.note ? `, ${r.note}` : ''})` : ''}\n`);
  }
  if (!out) process.stdout.write(json + '\n');
}

/** A row checked against `value <= limit` (or >= with `atLeast`). */
export function check(part: number, metric: string, value: number, fmt: (v: number) => string, target: { max?: number; min?: number; label: string }): Row {
  const ok = (target.max === undefined || value <= target.max) && (target.min === undefined || value >= target.min);
  let note = '';
  if (target.max !== undefined && target.max > 0) note = `${(value / target.max).toFixed(2)}× the limit`;
  if (target.min !== undefined && target.min > 0) note = `${(value / target.min).toFixed(2)}× the minimum`;
  return { part, metric, value: fmt(value), target: target.label, status: ok ? 'met' : 'missed', note };
}

export function info(part: number, metric: string, value: string, note?: string): Row {
  return { part, metric, value, status: 'info', ...(note ? { note } : {}) };
}

export const fmt = {
  ms: (v: number) => (v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`),
  s: (v: number) => `${v.toFixed(2)} s`,
  mb: (v: number) => `${v.toFixed(0)} MB`,
  ratio: (v: number) => `${v.toFixed(3)}×`,
  pct: (v: number) => `${(v * 100).toFixed(1)}%`,
  num: (v: number) => String(Math.round(v)),
  f3: (v: number) => v.toFixed(3),
};

// ---------------------------------------------------------------------------------------------
// Child processes

export interface ProcResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time measured by this process around the child. */
  readonly ms: number;
  /** From /usr/bin/time -v when available. */
  readonly maxRssMb?: number;
  readonly cpuMs?: number;
  /** With `sampleTree`: the child's whole process tree sampled at the same instants (treeMemory.ts). */
  readonly tree?: TreeMemory;
}

const TIME_BIN = '/usr/bin/time';
export const HAVE_TIME = fs.existsSync(TIME_BIN);

/** Runs a command, optionally under `/usr/bin/time -v` (peak RSS, CPU). Kills it after `timeoutMs`. */
export function run(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; measure?: boolean; sampleTree?: boolean } = {}): Promise<ProcResult> {
  const measure = opts.measure !== false && HAVE_TIME;
  const file = measure ? TIME_BIN : cmd;
  const argv = measure ? ['-v', cmd, ...args] : [...args];
  return new Promise((resolve, reject) => {
    const t = nowMs();
    const child = spawn(file, argv, { cwd: opts.cwd ?? REPO, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    const sampler = opts.sampleTree && child.pid !== undefined ? sampleTreeMemory(child.pid, { skipRoot: measure }) : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      const tree = sampler?.stop();
      const ms = nowMs() - t;
      let maxRss: number | undefined, cpu: number | undefined;
      if (measure) {
        const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
        const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
        const sys = /System time \(seconds\): ([\d.]+)/.exec(stderr);
        if (rss) maxRss = Number(rss[1]) / 1024;
        if (user && sys) cpu = (Number(user[1]) + Number(sys[1])) * 1000;
        stderr = stderr.replace(/\n?\s*Command being timed:[\s\S]*$/, '');
      }
      resolve({ code, stdout, stderr, ms, maxRssMb: maxRss, cpuMs: cpu, ...(tree ? { tree } : {}) });
    });
  });
}

/** The built CLI as a whole process; `--json` output parsed (last JSON line). */
export async function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): Promise<ProcResult & { json?: Record<string, unknown> }> {
  const r = await run(process.execPath, [CLI, ...args], { env, timeoutMs });
  const last = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  let json: Record<string, unknown> | undefined;
  try {
    json = last ? (JSON.parse(last) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  if (r.code !== 0 && r.code !== null) process.stderr.write(`  cli ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(0, 500)}\n`);
  return { ...r, json };
}

/** One-line system facts for the report header. */
export function machine(): { cores: number; cpu: string; memGb: number; node: string; load: number[] } {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    load: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** A silent logger for the engine. */
export const quietLogger = { info() {}, warn() {}, error() {} };

/** Yields to the event loop (lets timers, sockets and GC breathe between phases). */
export const tick = () => new Promise<void>((r) => setImmediate(r));

/** Forces a full GC when node runs with --expose-gc. */
export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
