/**
 * The index worker runs below the editor's priority. On 2 cores a cold build keeps both busy
 * (two chunk threads + the worker's main thread), and the extension host then waits for a core
 * between its own short tasks: its event loop was late by 80 ms while its own CPU per gap stayed
 * under 50 ms (starved, not busy). A higher nice value lets the host, and VS Code's other
 * processes, take a core whenever they need one; on an idle machine the run is as fast as before.
 *
 * Linux keeps a nice value per thread, and threads inherit it when they are created: V8's and
 * libuv's threads already exist when this runs, so each is set, and the chunk threads started
 * later inherit it from the main thread.
 */
import fs from 'node:fs';
import os from 'node:os';

/** Unix nice 10 (Windows: below normal). Lower priority only: raising it back would need privileges. */
export const WORKER_NICE = 10;

/** `SEMANTIC_WORKSPACE_WORKER_NICE=0` keeps the worker at the host's priority (benchmarks' A/B). */
export function workerNice(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.SEMANTIC_WORKSPACE_WORKER_NICE;
  const n = v === undefined || v === '' ? WORKER_NICE : Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 19 ? n : WORKER_NICE;
}

/** Lowers this process's priority to `nice` (every thread it has now); never throws. */
export function lowerOwnPriority(nice: number = workerNice()): void {
  if (nice <= 0) return;
  let tids = [0]; // no /proc (macOS, Windows): 0 is the process itself
  try {
    const listed = fs.readdirSync('/proc/self/task').map(Number).filter((t) => t > 0);
    if (listed.length > 0) tids = listed;
  } catch {
    // keep [0]
  }
  for (const tid of tids) {
    try {
      if (os.getPriority(tid) < nice) os.setPriority(tid, nice);
    } catch {
      // a thread that ended meanwhile, or a platform that refuses: the run is only less polite
    }
  }
}
