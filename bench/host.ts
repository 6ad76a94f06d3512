/**
 * Part 11's extension-host rows (called from bench/realRepo.ts): a child process plays the
 * extension host — the engine the extension opens (`openHostEngine`: index runs in the bundled
 * dist/indexWorker.js process, searches in-process) — and reports
 *   - the longest event-loop stall while a cold index runs, while the watcher's updates run, and
 *     at the first search after an update (the host opens the committed generation in slices before index() resolves), next to
 *     the stalls of the same process idling first (what a loaded machine's scheduler alone costs);
 *   - RSS after indexing, 3 updates and 1,000 searches against the fair yardstick: a fresh process
 *     that opened the same index and ran one search (it must hold the same index structures).
 *     The old yardstick (a fresh process after the same 1,000 searches) is printed beside it.
 * With `--host-ab` the same host child also runs with index runs in-process (the design before
 * the worker), for a before/after in one run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEngine } from '../src/core/engine';
import type { Engine } from '../src/core/engineTypes';
import { openHostEngine } from '../src/core/indexWorker';
import type { TreeMemory } from './treeMemory';
import { REPO, check, fmt, gc, info, maxRssMb, median, nowMs, quietLogger, rssMb, type Row } from './util';

export const SEARCHES = 1000;

/** What the corpus owner (realRepo.ts) knows: how to edit one file, which queries to run. */
export interface HostCorpus {
  edit(root: string, serial: number): string;
  queries(n: number): string[];
}

export type HostMode = 'host' | 'host-inprocess' | 'fresh';
export type Child = (mode: HostMode, root: string, indexDir: string) => Promise<Record<string, unknown>>;

interface Stalls {
  /** Wall-clock lateness of a 10 ms timer: blocked, or starved of a core by a loaded machine. */
  readonly maxMs: number;
  readonly p99Ms: number;
  readonly over50: number;
  /** CPU the main thread itself used within one timer gap: only blocking counts here, not starving. */
  readonly busyMaxMs: number;
  readonly busyOver50: number;
}

const TICK_MS = 10;
const HZ = 100; // USER_HZ of /proc/<pid>/task/<tid>/stat on Linux

/** User + system CPU of the main thread (its tid is the pid), in ms; NaN where there is no /proc. */
function mainThreadCpuMs(): number {
  try {
    const stat = fs.readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / HZ; // fields 14 and 15 overall
  } catch {
    return NaN;
  }
}

/** Lateness of a 10 ms timer and the main thread's CPU within each gap, collected per phase. */
class StallMeter {
  private late: number[] = [];
  private busy: number[] = [];
  private last = nowMs();
  private lastCpu = mainThreadCpuMs();
  private readonly timer = setInterval(() => {
    const now = nowMs();
    const cpu = mainThreadCpuMs();
    this.late.push(Math.max(0, now - this.last - TICK_MS));
    this.busy.push(Math.max(0, cpu - this.lastCpu));
    this.last = now;
    this.lastCpu = cpu;
  }, TICK_MS);
  /** Lets the tick that follows a blocking call land in this phase, then reads and resets it. */
  async take(): Promise<Stalls> {
    await idle(3 * TICK_MS);
    const xs = this.late.sort((a, b) => a - b);
    const busy = this.busy;
    this.late = [];
    this.busy = [];
    return { maxMs: xs.at(-1) ?? 0, p99Ms: xs[Math.floor(xs.length * 0.99)] ?? 0, over50: xs.filter((x) => x > 50).length, busyMaxMs: Math.max(0, ...busy), busyOver50: busy.filter((x) => x > 50).length };
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

const idle = (ms: number) => new Promise((r) => setTimeout(r, ms));

function worst(xs: readonly Stalls[]): Stalls {
  return {
    maxMs: Math.max(0, ...xs.map((x) => x.maxMs)), p99Ms: Math.max(0, ...xs.map((x) => x.p99Ms)), over50: xs.reduce((a, x) => a + x.over50, 0),
    busyMaxMs: Math.max(0, ...xs.map((x) => x.busyMaxMs)), busyOver50: xs.reduce((a, x) => a + x.busyOver50, 0),
  };
}

function memory(): Record<string, number> {
  const m = process.memoryUsage();
  const mb = (v: number) => Math.round(v / 2 ** 20);
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external), arrayBuffersMb: mb(m.arrayBuffers) };
}

async function settle(): Promise<void> {
  gc();
  await idle(200);
  gc();
}

/** The extension host's way (`mode` host: the worker; host-inprocess: the design before it). */
export async function hostChild(mode: HostMode, root: string, indexDir: string, corpus: HostCorpus): Promise<void> {
  const worker = mode === 'host' ? { file: path.join(REPO, 'dist', 'indexWorker.js') } : null;
  const engine = await openHostEngine({ root, indexDir, provider: 'offline', logger: quietLogger }, { worker });
  const meter = new StallMeter();
  await idle(2000);
  const idleStalls = await meter.take();
  const c0 = process.cpuUsage();
  const t0 = nowMs();
  const report = await engine.index();
  const coldMs = nowMs() - t0;
  const cu = process.cpuUsage(c0);
  const indexStalls = await meter.take();
  const indexRssMb = maxRssMb();
  const load = os.loadavg();
  const updates: number[] = [];
  const reopen: number[] = [];
  const updateStalls: Stalls[] = [];
  const reopenStalls: Stalls[] = [];
  const opens: unknown[] = [];
  const queries = corpus.queries(SEARCHES);
  for (let i = 0; i < 3; i++) {
    const rel = corpus.edit(root, 100 + i);
    await meter.take();
    const t = nowMs();
    await engine.index({ paths: [rel] });
    updates.push(nowMs() - t);
    updateStalls.push(await meter.take());
    // The host opened the committed generation in slices before index() resolved (hostEngine.ts).
    opens.push(engine.stats.lastOpen);
    // The first search after a commit: from the generation swapped in (before the sliced open: it opened it here).
    const s = nowMs();
    await engine.search(queries[i], { topK: 10 });
    reopen.push(nowMs() - s);
    reopenStalls.push(await meter.take());
  }
  // One search per event-loop turn, as the palette sends them (a loop of awaits on settled work
  // would run all of them in one turn and show as one long stall).
  const searchMs: number[] = [];
  for (const q of queries) {
    const s = nowMs();
    await engine.search(q, { topK: 10 });
    searchMs.push(nowMs() - s);
    await new Promise((r) => setImmediate(r));
  }
  const searchStalls = await meter.take();
  meter.stop();
  await settle();
  process.stdout.write(JSON.stringify({
    mode, ...engine.stats, load,
    coldMs, coldCpuMs: (cu.user + cu.system) / 1000, chunks: report.chunks, files: report.filesIndexed, indexRssMb,
    idleStalls, indexStalls, updateStalls: worst(updateStalls), reopenStalls: worst(reopenStalls), updates, reopenMs: reopen,
    opens, updateStallsEach: updateStalls.map((x) => [x.maxMs, x.busyMaxMs]), reopenStallsEach: reopenStalls.map((x) => [x.maxMs, x.busyMaxMs]),
    searchStalls, searchMedianMs: median(searchMs), searchMaxMs: Math.max(...searchMs),
    memory: memory(), rssAfterSearchesMb: rssMb(),
  }) + '\n');
}

/** A fresh process on the same index: RSS after opening it and one search (the yardstick), and after all of them. */
export async function freshChild(root: string, indexDir: string, corpus: HostCorpus): Promise<void> {
  const engine: Engine = await openEngine({ root, indexDir, provider: 'offline', logger: quietLogger });
  const queries = corpus.queries(SEARCHES);
  await engine.search(queries[0], { topK: 10 });
  await settle();
  const afterOne = { memory: memory(), rssMb: rssMb() };
  for (const q of queries.slice(1)) await engine.search(q, { topK: 10 });
  await settle();
  process.stdout.write(JSON.stringify({ afterOne, memory: memory(), rssAfterSearchesMb: rssMb() }) + '\n');
}

type H = Record<string, unknown> & { indexStalls: Stalls; idleStalls: Stalls; updateStalls: Stalls; reopenStalls: Stalls; searchStalls: Stalls };

const stallText = (s: Stalls) => `${s.over50} ticks late > 50 ms, p99 ${fmt.ms(s.p99Ms)}; main thread's own CPU in one gap: max ${fmt.ms(s.busyMaxMs)}, ${s.busyOver50} gaps > 50 ms`;

/** Runs the children and adds part 11's host rows. */
export async function measureHost(root: string, base: string, name: string, child: Child, rows: Row[], details: Record<string, unknown>, ab: boolean): Promise<void> {
  const hostIdx = path.join(base, 'idx-host');
  const h = (await child('host', root, hostIdx)) as H;
  const f = await child('fresh', root, hostIdx);
  details.host = h;
  details.fresh = f;
  const freshOne = (f.afterOne as { rssMb: number }).rssMb;
  const runs = `${h.workerRuns as number} runs in the index worker, ${h.inProcessRuns as number} in-process`;
  const load = `load avg ${(h.load as number[]).map((x) => x.toFixed(1)).join(' ')}; the same process idling first: max ${fmt.ms(h.idleStalls.maxMs)}`;
  rows.push(check(11, `${name}: longest event-loop stall of the extension host's engine while a cold index runs (${runs}; ${stallText(h.indexStalls)}; ${load}; cold ${fmt.s((h.coldMs as number) / 1000)} wall)`,
    h.indexStalls.maxMs, fmt.ms, { max: 50, label: '≤ 50 ms' }));
  rows.push(check(11, `${name}: longest stretch the host's main thread itself ran between two 10 ms ticks while a cold index runs (CPU, not wall: a loaded machine's starving does not count)`,
    h.indexStalls.busyMaxMs, fmt.ms, { max: 50, label: '≤ 50 ms' }));
  rows.push(check(11, `${name}: longest event-loop stall while the watcher's update runs (engine.index({paths}), 3 edits; ${stallText(h.updateStalls)})`, h.updateStalls.maxMs, fmt.ms, { max: 50, label: '≤ 50 ms' }));
  // The open of each committed generation now runs in slices inside index(): its stalls are the update's, so the row takes both phases.
  const opens = ((h.opens as ({ slices: number; longestMs: number; wallMs: number } | undefined)[] | undefined) ?? []).filter((o) => o);
  const openText = opens.length ? `opened in slices before index() resolved, searches answering from the previous one: ${opens.map((o) => `${fmt.ms(o!.wallMs)} in ${o!.slices} slices (longest ${fmt.ms(o!.longestMs)})`).join(', ')}; ` : '';
  rows.push(check(11, `${name}: longest event-loop stall from an update's commit to the first search's answer (the host opens the new generation: ${openText}first searches ${(h.reopenMs as number[]).map((v) => fmt.ms(v)).join(', ')}; ${stallText(worst([h.updateStalls, h.reopenStalls]))})`,
    Math.max(h.updateStalls.maxMs, h.reopenStalls.maxMs), fmt.ms, { max: 50, label: '≤ 50 ms' }));
  rows.push(info(11, `${name}: ${SEARCHES} searches in the host: median / slowest (longest stall)`, `${fmt.ms(h.searchMedianMs as number)} / ${fmt.ms(h.searchMaxMs as number)} (${fmt.ms(h.searchStalls.maxMs)})`));
  const sumOfPeaks = (h.indexRssMb as number) + (h.workerPeakRssMb as number);
  const tree = h.tree as TreeMemory | undefined;
  if (tree) {
    // What the machine held at once: host + worker sampled at the same instants over the child's whole life (cold index, updates, searches).
    rows.push(check(11, `${name}: peak RSS of the extension host and its index worker at one instant, over the cold index of ${h.chunks as number} chunks, 3 updates and ${SEARCHES} searches (RSS of every process of the tree summed per ${tree.samples}-sample 20 ms tick; at the peak host + worker ${tree.atPeak.map((v) => fmt.mb(v)).join(' + ')}; pages they share counted twice)`,
      tree.peakRssMb, fmt.mb, { max: 400, label: '≤ 400 MB' }));
  }
  const peaksText = `${name}: the host's peak RSS + the index worker process's peak RSS, added although they come at different moments (${fmt.mb(h.indexRssMb as number)} + ${fmt.mb(h.workerPeakRssMb as number)}; its chunk threads included)`;
  // Without /proc (no tree sample) the sum of peaks is the only bound there is, and stays the target row.
  if (tree) rows.push(info(11, peaksText, fmt.mb(sumOfPeaks)));
  else rows.push(check(11, peaksText, sumOfPeaks, fmt.mb, { max: 400, label: '≤ 400 MB' }));
  rows.push(check(11, `${name}: one edited file → engine.index({paths}) as the watcher runs it (in the index worker: ${(h.updates as number[]).map((v) => fmt.ms(v)).join(', ')}; the first starts the process, the next reuse it), median of ${(h.updates as number[]).length}`, median(h.updates as number[]), fmt.ms, { max: 1000, label: '≤ 1 s' }));
  rows.push(check(11, `${name}: RSS of the host after indexing + 3 updates + ${SEARCHES} searches / a fresh process's that opened the same index and ran one search (${fmt.mb(h.rssAfterSearchesMb as number)} / ${fmt.mb(freshOne)}; a fresh process after all ${SEARCHES}: ${fmt.mb(f.rssAfterSearchesMb as number)})`,
    (h.rssAfterSearchesMb as number) / freshOne, fmt.ratio, { max: 1.2, label: '≤ 1.2×' }));
  if (!ab) return;
  const b = (await child('host-inprocess', root, path.join(base, 'idx-host-inprocess'))) as H;
  details.hostInProcess = b;
  rows.push(info(11, `${name}: before the index worker (index runs on the host's event loop): longest stall indexing / updating / first search after an update (main thread's CPU in the worst gap); RSS / fresh after one search`,
    `${fmt.ms(b.indexStalls.maxMs)} (${fmt.ms(b.indexStalls.busyMaxMs)}) / ${fmt.ms(b.updateStalls.maxMs)} (${fmt.ms(b.updateStalls.busyMaxMs)}) / ${fmt.ms(b.reopenStalls.maxMs)}; ${fmt.ratio((b.rssAfterSearchesMb as number) / freshOne)} (idle max ${fmt.ms(b.idleStalls.maxMs)}, load avg ${(b.load as number[])[0].toFixed(1)})`));
}
