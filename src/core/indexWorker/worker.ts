/**
 * Index worker: whole `engine.index()` runs (a build, a watcher's update), one at a time, in a process
 * forked by the host (client.ts), so the host's event loop only receives progress and the final
 * report, and the memory the run used goes back to the OS when it exits. Bundled as
 * dist/indexWorker.js; from source (tests, benches) the client starts this file through tsx.
 *
 * The run opens its own engine from the host's config (same index dir, same provider, same key),
 * takes the index lock, commits, and posts the report; the host then re-opens the committed
 * generation for its searches. Its chunk workers are threads of this process. If the host goes
 * away (the IPC channel closes), the run is cancelled — it commits what was embedded — and exits.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { openEngine } from '../engine';
import type { Logger } from '../types';
import { setCodeRetention } from '../chunking/treeSitter';
import { lowerOwnPriority } from './priority';
import { toPlainError, type LogLevel, type ToHost, type ToWorker, type WorkerRun } from './protocol';

function post(message: ToHost): void {
  if (process.connected) process.send?.(message);
}

const log = (level: LogLevel) => (message: string) => post({ type: 'log', level, message });
const logger: Logger = { info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };
let current: AbortController | undefined;

/** V8's full collection, without an `--expose-gc` on the command line (VS Code's Electron runs this file). */
function collectGarbage(): void {
  try {
    v8.setFlagsFromString('--expose-gc');
    (vm.runInNewContext('gc') as () => void)();
  } catch {
    /* a runtime without it: the heap shrinks on V8's own schedule */
  }
}
let hostGone = false;

async function main(run: WorkerRun): Promise<void> {
  const ac = (current = new AbortController());
  if (hostGone) ac.abort();
  try {
    const engine = await openEngine({ ...run.config, logger });
    const report = await engine.index({
      ...run.options,
      signal: ac.signal,
      onProgress: (progress) => post({ type: 'progress', progress }),
      ...(run.reportsLockWait ? { onWaitForLock: (holder) => post({ type: 'lockWait', holder: { pid: holder.pid, since: holder.since, purpose: holder.purpose } }) } : {}),
    });
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    // A warm worker waits for the next save with nothing live but its code: collect the run's
    // garbage before the host hears "done" and opens the new generation, or the host's open and
    // this heap coexist (58k chunks, one instant: host 336 MB + warm worker 229 MB before; the
    // worker ~155 MB after, for 9–24 ms of collection).
    collectGarbage();
    post({ type: 'done', report, peakRssMb });
  } catch (e) {
    post({ type: 'failed', error: toPlainError(e) });
  }
  current = undefined;
  if (!process.connected) process.exit(0);
}

// The host serializes its runs: a `run` arrives only after the previous one was answered, and an
// `abort` with no run in progress is a late one for a run that already finished.
if (process.send) {
  lowerOwnPriority();
  // A full build here ends with this process's exit; an update chunks its few files in this thread.
  setCodeRetention(false);
  process.on('message', (m: ToWorker) => {
    if (m.type === 'abort') current?.abort();
    else if (m.type === 'run') void main(m.run);
  });
  process.on('disconnect', () => {
    hostGone = true;
    current?.abort();
    if (!current) process.exit(0);
  });
  post({ type: 'started' });
}
