/**
 * One writer per index directory. `index.lock` holds the holder's pid and process start time;
 * it is taken before the first embedding request of a run and released when the run has
 * committed (or failed), so an idle extension or MCP server never holds it. A lock whose pid is
 * dead, or whose pid now belongs to another process (the start time differs — pids are reused),
 * is broken at once: a SIGKILLed indexer never blocks the next run. A second writer waits
 * (no timeout) and then runs incrementally on what the first committed. Readers never lock:
 * they read the last committed generation (the manifest is the commit point).
 */
import fs from 'node:fs';
import path from 'node:path';
import { sleep } from '../embedding/abortableSleep';

export const LOCK_FILE = 'index.lock';
const POLL_MS = 200;

export interface LockHolder {
  readonly pid: number;
  /** Linux: field 22 of /proc/<pid>/stat (clock ticks since boot); absent elsewhere. */
  readonly start?: string;
  readonly since: string;
  /** What holds it: `index`, `clear`. */
  readonly purpose?: string;
}

export interface IndexLock {
  readonly path: string;
  release(): void;
}

export interface AcquireOptions {
  readonly purpose?: string;
  /** Called once when the lock is busy, with its holder, before waiting. */
  readonly onWait?: (holder: LockHolder) => void;
  readonly signal?: AbortSignal;
}

/** The start time of a process, from /proc (Linux); undefined where there is no /proc. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 overall = index 19 after pid, comm
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, but not ours
  }
}

/** True when the recorded holder is gone: dead pid, or a live pid that started at another time. */
export function isStale(holder: LockHolder): boolean {
  if (!Number.isInteger(holder.pid) || holder.pid <= 0 || !alive(holder.pid)) return true;
  if (holder.start === undefined) return false;
  const now = processStartTime(holder.pid);
  return now !== undefined && now !== holder.start;
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    return typeof parsed?.pid === 'number' ? parsed : { pid: -1, since: '' };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { pid: -1, since: '' }; // half-written by a killed holder: stale
  }
}

/** Takes the lock, waiting as long as a live holder keeps it. */
export async function acquireIndexLock(indexDir: string, options: AcquireOptions = {}): Promise<IndexLock> {
  fs.mkdirSync(indexDir, { recursive: true });
  const file = path.join(indexDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, start: processStartTime(process.pid), since: new Date().toISOString(), purpose: options.purpose };
  let told = false;
  for (;;) {
    try {
      // O_EXCL: exactly one of two racing writers creates it.
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      let released = false;
      return {
        path: file,
        release() {
          if (released) return;
          released = true;
          const h = readHolder(file);
          if (h && h.pid === me.pid && h.start === me.start && h.since === me.since) fs.rmSync(file, { force: true });
        },
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        fs.mkdirSync(indexDir, { recursive: true }); // the directory was cleared meanwhile
        continue;
      }
      if (code !== 'EEXIST') throw e;
    }
    const holder = readHolder(file);
    if (!holder) continue;
    if (isStale(holder)) {
      // Re-read right before removing, so a lock just retaken by a live writer is left alone.
      const again = readHolder(file);
      if (again && again.pid === holder.pid && again.since === holder.since) fs.rmSync(file, { force: true });
      continue;
    }
    if (!told) {
      told = true;
      options.onWait?.(holder);
    }
    await sleep(POLL_MS, options.signal);
  }
}
