/**
 * The host's side of an index run on a worker thread: starts the worker, turns its messages back
 * into the callbacks of `IndexRunOptions` (progress, lock wait, log lines), sends `abort` when the
 * signal fires (the worker then commits what was embedded, exactly as an in-process cancel does),
 * and resolves with the report or rejects with the error rebuilt in its own class.
 *
 * A worker that cannot start (its script missing from a bundle, a loader failure) resolves
 * `unavailable` so the caller runs in-process: results never depend on whether threads work.
 * A worker that dies mid-run rejects with the reason, and the index lock it held is released
 * (its pid is ours, so the stale-lock rule would never break it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { requireBootstrap, type WorkerScript } from '../chunking/pool/config';
import type { EngineConfig, IndexReport, IndexRunOptions } from '../engineTypes';
import { LOCK_FILE, processStartTime } from '../index/lock';
import { nullLogger } from '../types';
import { fromPlainError, plainConfig, plainOptions, type ToHost, type ToWorker, type WorkerRun } from './protocol';

export const UNAVAILABLE = Symbol('index worker unavailable');

/**
 * Bundled (dist/extension.js, dist/cli.js): `indexWorker.js` next to the bundle. From source
 * (tsx): this folder's worker.ts through tsx's require hook. Undefined when neither is there.
 */
export function locateIndexWorker(): WorkerScript | undefined {
  if (typeof __dirname !== 'string') return undefined;
  const bundled = path.join(__dirname, 'indexWorker.js');
  if (fs.existsSync(bundled)) return requireBootstrap(bundled);
  const source = path.join(__dirname, 'worker.ts');
  if (!fs.existsSync(source)) return undefined;
  try {
    return requireBootstrap(require.resolve('tsx/cjs'), source);
  } catch {
    return undefined;
  }
}

export function runIndexInWorker(script: WorkerScript, config: EngineConfig, options: IndexRunOptions): Promise<IndexReport | typeof UNAVAILABLE> {
  const log = config.logger ?? nullLogger;
  const run: WorkerRun = { config: plainConfig(config), options: plainOptions(options), reportsLockWait: options.onWaitForLock !== undefined };
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(script.file, { eval: script.eval ?? false, workerData: run, stdout: false, stderr: false });
    } catch (e) {
      log.warn(`index worker could not start (${(e as Error).message}); indexing on the main thread`);
      resolve(UNAVAILABLE);
      return;
    }
    let started = false;
    let settled = false;
    const onAbort = (): void => worker.postMessage({ type: 'abort' } satisfies ToWorker);
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      outcome();
      void worker.terminate().catch(() => undefined);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: ToHost) => {
      switch (m.type) {
        case 'started':
          started = true;
          if (options.signal?.aborted) onAbort();
          return;
        case 'progress':
          options.onProgress?.(m.progress);
          return;
        case 'log':
          (m.level === 'debug' ? log.debug?.bind(log) : log[m.level].bind(log))?.(m.message);
          return;
        case 'lockWait':
          options.onWaitForLock?.(m.holder);
          return;
        case 'done':
          finish(() => resolve(m.report));
          return;
        case 'failed':
          finish(() => reject(fromPlainError(m.error)));
      }
    });
    const died = (why: string): void => {
      if (settled) return;
      if (!started) {
        log.warn(`index worker could not start (${why}); indexing on the main thread`);
        finish(() => resolve(UNAVAILABLE));
        return;
      }
      releaseOrphanLock(config.indexDir);
      finish(() => reject(new Error(`The indexing thread stopped unexpectedly (${why}); what was committed is kept, index again to resume.`)));
    };
    worker.on('error', (e) => died(e.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
  });
}

/** The lock file a dead worker of this process left behind (a live pid: never stale by the usual rule). */
function releaseOrphanLock(indexDir: string | undefined): void {
  if (!indexDir) return;
  const file = path.join(indexDir, LOCK_FILE);
  try {
    const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number; start?: string; purpose?: string };
    if (holder.pid === process.pid && holder.start === processStartTime(process.pid) && holder.purpose === 'index') fs.rmSync(file, { force: true });
  } catch {
    // no lock, or unreadable: nothing of ours to release
  }
}
