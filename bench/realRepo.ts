/**
 * Part 11 — a real repository nobody here wrote: the C/C++ headers of `/usr/include` (every
 * Debian/Ubuntu machine with a compiler has them; `libc6-dev`, `linux-libc-dev`, `libstdc++-*-dev`),
 * the first ≥ 60 MB in sorted path order, copied into a work folder. Offline provider.
 *   - cold index through the built CLI as a whole process: MB/s of wall time, CPU, peak RSS
 *     (`/usr/bin/time -v`: worker threads are in the process, so they are counted);
 *   - one file edited → CLI whole-process re-index (the full walk a terminal user runs);
 *   - in a child that plays the extension host (bench/host.ts: index runs on the index worker):
 *     the longest event-loop stall while indexing, the watcher's update (`engine.index({paths})`),
 *     peak RSS, and RSS after 1,000 searches against a fresh process that opened the same index.
 *   node --import tsx bench/realRepo.ts [--quick] [--out FILE] [--host-ab]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshChild, hostChild, measureHost, type HostMode } from './host';
import { QUICK, check, cli, emit, fmt, info, median, nowMs, rm, run, tempDir, type Row } from './util';

const SOURCE = '/usr/include';
const WANT_BYTES = QUICK ? 15e6 : 60e6;
const MIN_BYTES = QUICK ? 10e6 : 50e6;
const mbps = (v: number) => `${v.toFixed(2)} MB/s`;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Regular files under `dir` (symlinks skipped), POSIX relative paths, sorted. */
function walk(dir: string, base = dir, out: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, base, out);
    else if (e.isFile()) out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out;
}

/** The first files of /usr/include (sorted paths) until `WANT_BYTES`, copied to `dst`. */
function corpus(dst: string): { files: number; bytes: number; available: number } {
  let files = 0, bytes = 0, available = 0;
  for (const rel of walk(SOURCE)) {
    const size = fs.statSync(path.join(SOURCE, rel)).size;
    available += size;
    if (bytes >= WANT_BYTES) continue;
    const to = path.join(dst, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(SOURCE, rel), to);
    files++;
    bytes += size;
  }
  return { files, bytes, available };
}

/** Edits one mid-sized header: a declaration appended (one chunk changes). */
function editOne(root: string, serial: number): string {
  const rels = walk(root).filter((r) => r.endsWith('.h'));
  const rel = rels.find((r) => {
    const s = fs.statSync(path.join(root, r)).size;
    return s > 4000 && s < 40000;
  }) ?? rels[0];
  const abs = path.join(root, rel);
  fs.appendFileSync(abs, `\nextern int sw_bench_edit_${serial}(void); /* edited by the benchmark */\n`);
  const t = new Date(Date.now() + 1000 * (serial + 1));
  fs.utimesSync(abs, t, t);
  return rel;
}

const WORDS = ['socket', 'pthread', 'mutex', 'lock', 'signal', 'handler', 'file', 'descriptor', 'memory', 'allocate', 'buffer',
  'string', 'compare', 'thread', 'attribute', 'time', 'clock', 'vector', 'iterator', 'allocator', 'exception', 'stream', 'errno',
  'ioctl', 'device', 'packet', 'header', 'address', 'network', 'inode', 'page', 'atomic', 'wait', 'queue', 'map', 'hash', 'unicode'];

function queries(n: number): string[] {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) % WORDS.length;
  return Array.from({ length: n }, (_, i) => Array.from({ length: 1 + (i % 3) }, () => WORDS[next()]).join(' '));
}

// ---------------------------------------------------------------------------------------------
// Children

async function child(mode: HostMode, root: string, indexDir: string): Promise<Record<string, unknown>> {
  const r = await run(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, mode, '--root', root, '--index', indexDir], { timeoutMs: 400_000, sampleTree: true });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.code !== 0 || !line) throw new Error(`realRepo ${mode} failed (${r.code}): ${r.stderr.slice(-800)}`);
  return { ...(JSON.parse(line) as Record<string, unknown>), maxRssMb: r.maxRssMb, cpuMs: r.cpuMs, ms: r.ms, tree: r.tree };
}

// ---------------------------------------------------------------------------------------------

async function driver(): Promise<void> {
  const t0 = nowMs();
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  const base = tempDir('realrepo');
  try {
    const root = path.join(base, 'include');
    const c = corpus(root);
    const mb = c.bytes / 1e6;
    details.corpus = { source: SOURCE, ...c };
    process.stderr.write(`  corpus ${SOURCE}: ${c.files} files, ${mb.toFixed(1)} MB (of ${(c.available / 1e6).toFixed(0)} MB)\n`);
    if (c.bytes < MIN_BYTES) {
      rows.push(check(11, `real repository: ${SOURCE} has only ${mb.toFixed(1)} MB of headers (install libc6-dev, linux-libc-dev, libstdc++-dev)`, mb, (v) => `${v.toFixed(1)} MB`, { min: MIN_BYTES / 1e6, label: `≥ ${MIN_BYTES / 1e6} MB of source` }));
    } else await measure(root, base, c, rows, details);
  } finally {
    rm(base);
  }
  emit({ part: 11, title: `Real repository (${SOURCE})`, rows, details, seconds: (nowMs() - t0) / 1000 });
}

async function measure(root: string, base: string, c: { files: number; bytes: number }, rows: Row[], details: Record<string, unknown>): Promise<void> {
  {
    const mb = c.bytes / 1e6;
    const name = `${SOURCE} (${c.files} files, ${mb.toFixed(1)} MB)`;

    // Cold, CLI as a whole process.
    const idx = path.join(base, 'idx-cli');
    const load0 = os.loadavg()[0];
    const cold = await cli(['index', root, '--index-dir', idx, '--json'], {}, 600_000);
    if (!cold.json) throw new Error(`CLI index failed: ${cold.stderr.slice(0, 400)}`);
    const chunks = cold.json.chunks as number;
    const cpuS = (cold.cpuMs ?? NaN) / 1000;
    rows.push(check(11, `${name}: cold index, CLI whole process, ${chunks} chunks (${fmt.s(cold.ms / 1000)} wall, ${fmt.s(cpuS)} CPU = ${(cpuS / (cold.ms / 1000)).toFixed(2)} cores busy, ${(mb / cpuS).toFixed(2)} MB per CPU-s; load avg ${load0.toFixed(2)})`,
      mb / (cold.ms / 1000), mbps, { min: 5, label: '≥ 5 MB/s' }));
    if (cold.maxRssMb !== undefined) rows.push(check(11, `${name}: peak RSS of the cold CLI index (/usr/bin/time -v, worker threads included)`, cold.maxRssMb, fmt.mb, { max: 400, label: '≤ 400 MB' }));
    details.cold = { ms: cold.ms, cpuMs: cold.cpuMs, maxRssMb: cold.maxRssMb, report: cold.json, load: load0 };

    // Unchanged, then one edited file, CLI whole process.
    const unchanged = await cli(['index', root, '--index-dir', idx, '--json']);
    rows.push(info(11, `${name}: unchanged re-index, CLI whole process`, `${fmt.ms(unchanged.ms)} (${fmt.ms(unchanged.cpuMs ?? NaN)} CPU)`));
    const edits: { ms: number; cpuMs?: number; embedded: number; rss?: number }[] = [];
    for (let i = 0; i < (QUICK ? 1 : 3); i++) {
      editOne(root, i);
      const r = await cli(['index', root, '--index-dir', idx, '--json']);
      edits.push({ ms: r.ms, cpuMs: r.cpuMs, embedded: r.json?.embeddedChunks as number, rss: r.maxRssMb });
    }
    rows.push(check(11, `${name}: one edited file → CLI whole-process re-index, median of ${edits.length} (CPU ${fmt.ms(median(edits.map((e) => e.cpuMs ?? NaN)))}, ${edits[0].embedded} chunk(s) embedded)`,
      median(edits.map((e) => e.ms)), fmt.ms, { max: 1500, label: '≤ 1.5 s' }));
    details.edits = { unchanged: { ms: unchanged.ms, cpuMs: unchanged.cpuMs }, edits };

    // The extension host's way, in its own process; then a fresh process for the RSS yardstick (bench/host.ts).
    await measureHost(root, base, name, child, rows, details, process.argv.includes('--host-ab'));
  }
}

async function main(): Promise<void> {
  const cmd = process.argv[2];
  if (cmd === 'host' || cmd === 'host-inprocess') return hostChild(cmd, arg('root')!, arg('index')!, { edit: editOne, queries });
  if (cmd === 'fresh') return freshChild(arg('root')!, arg('index')!, { edit: editOne, queries });
  return driver();
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
