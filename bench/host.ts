/**
 * Part 11's extension-host rows (called from bench/realRepo.ts): a child process plays the
 * extension host — the engine the extension opens (`openHostEngine`: index runs in the bundled
 * dist/indexWorker.js process, searches in-process) — and reports
 *   - the longest event-loop stall while a cold index runs, while the watcher's updates run, and
 *     at the first search after an update (the host re-opens the committed generation), next to
 *     the stalls of the same process idling first (what a loaded machine's scheduler alone costs);
 *   - RSS after indexing, 3 updates and 1,000 searches against the fair yardstick: a fresh process
 *     that opened the same index and ran one search (it must hold the same index structures).
 *     The old yardstick (a fresh process after the same 1,000 searches) is printed beside it.
 * With `--host-ab` the same host child also runs with index runs in-process (the design before
 * the worker), for a before/after in one run.
 */
import path from 'node:path';
import { openEngine } from '../src/core/engine';
import type { Engine } from '../src/core/engineTypes';
import { openHostEngine } from '../src/core/indexWorker';
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
  readonly maxMs: number;
  readonly p99Ms: number;
  readonly over50: number;
}

const TICK_MS = 10;

/** Lateness of a 10 ms timer, collected per phase (a late tick = the event loop was blocked). */
class StallMeter {
  private samples: number[] = [];
  private last = nowMs();
  private readonly timer = setInterval(() => {
    const now = nowMs();
    this.samples.push(Math.max(0, now - this.last - TICK_MS));
    this.last = now;
  }, TICK_MS);
  take(): Stalls {
    const xs = this.samples.sort((a, b) => a - b);
    this.samples = [];
    return { maxMs: xs.at(-1) ?? 0, p99Ms: xs[Math.floor(xs.length * 0.99)] ?? 0, over50: xs.filter((x) => x > 50).length };
  }
  stop(): void {
    clearInterval(this.timer);
  }
}
const idle = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  const idleStalls = meter.take();
  const c0 = process.cpuUsage();
  const t0 = nowMs();
  const report = await engine.index();
  const coldMs = nowMs() - t0;
  const cu = process.cpuUsage(c0);
  const indexStalls = meter.take();
  const indexRssMb = maxRssMb();
  const updates: number[] = [];
  const reopen: number[] = [];
  let updateMax = 0, reopenMax = 0;
  const queries = corpus.queries(SEARCHES);
  for (let i = 0; i < 3; i++) {
    const rel = corpus.edit(root, 100 + i);
    meter.take();
    const t = nowMs();
    await engine.index({ paths: [rel] });
    updates.push(nowMs() - t);
    updateMax = Math.max(updateMax, meter.take().maxMs);
    // The first search after a commit opens the new generation (chunk table, keyword index).
    const s = nowMs();
    await engine.search(queries[i], { topK: 10 });
    reopen.push(nowMs() - s);
    reopenMax = Math.max(reopenMax, meter.take().maxMs);
  }
  const searchMs: number[] = [];
  for (const q of queries) {
    const s = nowMs();
    await engine.search(q, { topK: 10 });
    searchMs.push(nowMs() - s);
  }
  const searchStalls = meter.take();
  meter.stop();
  await settle();
  process.stdout.write(JSON.stringify({
    mode, workerRuns: engine.stats.workerRuns, inProcessRuns: engine.stats.inProcessRuns,
    coldMs, coldCpuMs: (cu.user + cu.system) / 1000, chunks: report.chunks, files: report.filesIndexed, indexRssMb,
    idleStalls, indexStalls, updateMaxStallMs: updateMax, reopenMaxStallMs: reopenMax, updates, reopenMs: reopen,
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

type H = Record<string, unknown> & { indexStalls: Stalls; idleStalls: Stalls; searchStalls: Stalls };

/** Runs the children and adds part 11's host rows. */
export async function measureHost(root: string, base: string, name: string, child: Child, rows: Row[], details: Record<string, unknown>, ab: boolean): Promise<void> {
  const hostIdx = path.join(base, 'idx-host');
  const h = (await child('host', root, hostIdx)) as H;
  const f = await child('fresh', root, hostIdx);
  details.host = h;
  details.fresh = f;
  const freshOne = (f.afterOne as { rssMb: number }).rssMb;
  const runs = `${h.workerRuns as number} runs on the index worker, ${h.inProcessRuns as number} in-process`;
  rows.push(check(11, `${name}: longest event-loop stall of the extension host's engine while a cold index runs (${runs}; ${h.indexStalls.over50} stalls > 50 ms, p99 ${fmt.ms(h.indexStalls.p99Ms)}; the same process idling: max ${fmt.ms(h.idleStalls.maxMs)}; cold ${fmt.s((h.coldMs as number) / 1000)} wall)`,
    h.indexStalls.maxMs, fmt.ms, { max: 50, label: '≤ 50 ms' }));
  rows.push(check(11, `${name}: longest event-loop stall while the watcher's update runs (engine.index({paths}), 3 edits)`, h.updateMaxStallMs as number, fmt.ms, { max: 50, label: '≤ 50 ms' }));
  rows.push(check(11, `${name}: longest event-loop stall at the first search after an update (the host opens the new generation; ${(h.reopenMs as number[]).map((v) => fmt.ms(v)).join(', ')})`,
    h.reopenMaxStallMs as number, fmt.ms, { max: 50, label: '≤ 50 ms' }));
  rows.push(info(11, `${name}: ${SEARCHES} searches in the host: median / slowest (longest stall)`, `${fmt.ms(h.searchMedianMs as number)} / ${fmt.ms(h.searchMaxMs as number)} (${fmt.ms(h.searchStalls.maxMs)})`));
  rows.push(check(11, `${name}: peak RSS of the host process while indexing (${h.chunks as number} chunks; index worker threads included)`, h.indexRssMb as number, fmt.mb, { max: 400, label: '≤ 400 MB' }));
  rows.push(check(11, `${name}: one edited file → engine.index({paths}) as the watcher runs it, median of ${(h.updates as number[]).length}`, median(h.updates as number[]), fmt.ms, { max: 1000, label: '≤ 1 s' }));
  rows.push(check(11, `${name}: RSS of the host after indexing + 3 updates + ${SEARCHES} searches / a fresh process's that opened the same index and ran one search (${fmt.mb(h.rssAfterSearchesMb as number)} / ${fmt.mb(freshOne)}; a fresh process after all ${SEARCHES}: ${fmt.mb(f.rssAfterSearchesMb as number)})`,
    (h.rssAfterSearchesMb as number) / freshOne, fmt.ratio, { max: 1.2, label: '≤ 1.2×' }));
  if (!ab) return;
  const b = (await child('host-inprocess', root, path.join(base, 'idx-host-inprocess'))) as H;
  details.hostInProcess = b;
  rows.push(info(11, `${name}: before the index worker (index runs in the host's event loop): longest stall indexing / updating / first search after an update; RSS / fresh after one search`,
    `${fmt.ms(b.indexStalls.maxMs)} / ${fmt.ms(b.updateMaxStallMs as number)} / ${fmt.ms(b.reopenMaxStallMs as number)}; ${fmt.ratio((b.rssAfterSearchesMb as number) / freshOne)} (idle max ${fmt.ms(b.idleStalls.maxMs)})`));
}
