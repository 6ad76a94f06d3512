/**
 * Index worker: one whole `engine.index()` run (a build or a watcher's update) on its own thread,
 * so the host's event loop only receives progress and the final report. Bundled as
 * dist/indexWorker.js; from source (tests, benches) the client loads this file through tsx.
 *
 * The run opens its own engine from the host's config (same index dir, same provider, same key),
 * takes the index lock, commits, and posts the report; the host then re-opens the committed
 * generation for its searches. The chunk pool it starts is nested inside this thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openEngine } from '../engine';
import type { Logger } from '../types';
import { toPlainError, type LogLevel, type ToHost, type ToWorker, type WorkerRun } from './protocol';

const port = parentPort;

function post(message: ToHost): void {
  port?.postMessage(message);
}

const log = (level: LogLevel) => (message: string) => post({ type: 'log', level, message });
const logger: Logger = { info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };

async function main(run: WorkerRun): Promise<void> {
  const ac = new AbortController();
  port?.on('message', (m: ToWorker) => {
    if (m.type === 'abort') ac.abort();
  });
  post({ type: 'started' });
  try {
    const engine = await openEngine({ ...run.config, logger });
    const report = await engine.index({
      ...run.options,
      signal: ac.signal,
      onProgress: (progress) => post({ type: 'progress', progress }),
      ...(run.reportsLockWait ? { onWaitForLock: (holder) => post({ type: 'lockWait', holder: { pid: holder.pid, since: holder.since, purpose: holder.purpose } }) } : {}),
    });
    post({ type: 'done', report });
  } catch (e) {
    post({ type: 'failed', error: toPlainError(e) });
  }
}

if (port) void main(workerData as WorkerRun);
