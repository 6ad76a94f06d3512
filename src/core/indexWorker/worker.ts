/**
 * Index worker: one whole `engine.index()` run (a build or a watcher's update) in its own process,
 * forked by the host (client.ts), so the host's event loop only receives progress and the final
 * report, and the memory the run used goes back to the OS when it exits. Bundled as
 * dist/indexWorker.js; from source (tests, benches) the client starts this file through tsx.
 *
 * The run opens its own engine from the host's config (same index dir, same provider, same key),
 * takes the index lock, commits, and posts the report; the host then re-opens the committed
 * generation for its searches. Its chunk workers are threads of this process. If the host goes
 * away (the IPC channel closes), the run is cancelled — it commits what was embedded — and exits.
 */
import { openEngine } from '../engine';
import type { Logger } from '../types';
import { toPlainError, type LogLevel, type ToHost, type ToWorker, type WorkerRun } from './protocol';

function post(message: ToHost): void {
  if (process.connected) process.send?.(message);
}

const log = (level: LogLevel) => (message: string) => post({ type: 'log', level, message });
const logger: Logger = { info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };
const ac = new AbortController();

async function main(run: WorkerRun): Promise<void> {
  try {
    const engine = await openEngine({ ...run.config, logger });
    const report = await engine.index({
      ...run.options,
      signal: ac.signal,
      onProgress: (progress) => post({ type: 'progress', progress }),
      ...(run.reportsLockWait ? { onWaitForLock: (holder) => post({ type: 'lockWait', holder: { pid: holder.pid, since: holder.since, purpose: holder.purpose } }) } : {}),
    });
    post({ type: 'done', report, peakRssMb: process.resourceUsage().maxRSS / 1024 });
  } catch (e) {
    post({ type: 'failed', error: toPlainError(e) });
  }
  if (!process.connected) process.exit(0);
}

if (process.send) {
  let running = false;
  process.on('message', (m: ToWorker) => {
    if (m.type === 'abort') ac.abort();
    else if (m.type === 'run' && !running) {
      running = true;
      void main(m.run);
    }
  });
  process.on('disconnect', () => {
    ac.abort();
    if (!running) process.exit(0);
  });
  post({ type: 'started' });
}
