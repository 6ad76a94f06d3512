/**
 * The host's side of an index run in its own process: forks the index worker, turns its messages
 * back into the callbacks of `IndexRunOptions` (progress, lock wait, log lines), sends `abort`
 * when the signal fires (the worker then commits what was embedded, exactly as an in-process
 * cancel does), and resolves with the report or rejects with the error rebuilt in its own class.
 *
 * A process, not a thread: everything a build allocates (glibc arenas of its threads included)
 * goes back to the OS when it exits, so the long-lived host keeps only what its searches hold.
 * A thread's freed memory stays in the host's RSS (measured: +60 MB after one 15 MB build).
 * The key travels in the IPC message, never in argv or the environment.
 *
 * A worker that cannot start (its script missing from a bundle, fork refused) resolves
 * `unavailable` so the caller runs in-process: results never depend on whether it works. A worker
 * that dies mid-run rejects with the reason; its lock names a dead pid, which the next run breaks.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { EngineConfig, IndexReport, IndexRunOptions } from '../engineTypes';
import { nullLogger } from '../types';
import { fromPlainError, plainConfig, plainOptions, type ToHost, type ToWorker, type WorkerRun } from './protocol';

export const UNAVAILABLE = Symbol('index worker unavailable');

/** How to start the index worker: a script and the Node flags it needs (tsx for the source). */
export interface IndexWorkerScript {
  readonly file: string;
  readonly execArgv?: readonly string[];
}

/**
 * Bundled (dist/extension.js, dist/cli.js): `indexWorker.js` next to the bundle. From source
 * (tsx): this folder's worker.ts through tsx. Undefined when neither is there.
 */
export function locateIndexWorker(): IndexWorkerScript | undefined {
  if (typeof __dirname !== 'string') return undefined;
  const bundled = path.join(__dirname, 'indexWorker.js');
  if (fs.existsSync(bundled)) return { file: bundled };
  const source = path.join(__dirname, 'worker.ts');
  if (!fs.existsSync(source)) return undefined;
  try {
    return { file: source, execArgv: ['--require', require.resolve('tsx/cjs')] };
  } catch {
    return undefined;
  }
}

export interface WorkerOutcome {
  readonly report: IndexReport;
  readonly peakRssMb: number;
}

export function runIndexInWorker(script: IndexWorkerScript, config: EngineConfig, options: IndexRunOptions): Promise<WorkerOutcome | typeof UNAVAILABLE> {
  const log = config.logger ?? nullLogger;
  const run: WorkerRun = { config: plainConfig(config), options: plainOptions(options), reportsLockWait: options.onWaitForLock !== undefined };
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      // No inherited flags (an extension host under a debugger would hand the child its inspector
      // port); ELECTRON_RUN_AS_NODE makes VS Code's own binary run as Node, as its extension host does.
      child = fork(script.file, [], {
        execArgv: [...(script.execArgv ?? [])],
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
    } catch (e) {
      log.warn(`index worker could not start (${(e as Error).message}); indexing on the main thread`);
      resolve(UNAVAILABLE);
      return;
    }
    let started = false;
    let settled = false;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const send = (m: ToWorker): void => {
      if (child.connected) child.send(m);
    };
    const onAbort = (): void => send({ type: 'abort' });
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      outcome();
      if (child.exitCode === null) child.kill();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('message', (m: ToHost) => {
      switch (m.type) {
        case 'started':
          started = true;
          send({ type: 'run', run });
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
          finish(() => resolve({ report: m.report, peakRssMb: m.peakRssMb }));
          return;
        case 'failed':
          finish(() => reject(fromPlainError(m.error)));
      }
    });
    const died = (why: string): void => {
      if (settled) return;
      const detail = stderr.trim().split('\n').pop();
      if (!started) {
        log.warn(`index worker could not start (${why}${detail ? `: ${detail}` : ''}); indexing on the main thread`);
        finish(() => resolve(UNAVAILABLE));
        return;
      }
      finish(() => reject(new Error(`The indexing process stopped unexpectedly (${why}); what was committed is kept, index again to resume.`)));
    };
    child.on('error', (e) => died(e.message));
    child.on('exit', (code, signal) => died(signal ? `signal ${signal}` : `exit code ${code}`));
  });
}
