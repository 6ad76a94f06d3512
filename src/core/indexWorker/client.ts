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
import { nullLogger, type Logger } from '../types';
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

interface CurrentRun {
  onMessage(m: ToHost): void;
  onDeath(why: string): void;
}

/**
 * One worker process, reused for runs that follow each other closely (a burst of saves pays its
 * start-up once): after a run it stays up for `keepWarmMs` (0: it exits at once, which returns a
 * full build's memory to the OS), unref'd so it never keeps the host alive.
 */
export class IndexWorkerProcess {
  private child: ChildProcess | undefined;
  private ready: Promise<boolean> | undefined;
  private current: CurrentRun | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private stderr = '';
  /** Processes started so far. */
  starts = 0;

  constructor(
    private readonly script: IndexWorkerScript,
    private readonly log: Logger = nullLogger,
  ) {}

  /** Resolves `unavailable` when the worker cannot start; rejects when it dies mid-run. */
  async run(config: EngineConfig, options: IndexRunOptions, keepWarmMs = 0): Promise<WorkerOutcome | typeof UNAVAILABLE> {
    clearTimeout(this.idleTimer);
    const log = config.logger ?? this.log;
    const ready = this.child && this.ready ? this.ready : this.spawn();
    const child = this.child;
    if (!(await ready) || !child || this.child !== child) {
      log.warn(`index worker could not start (${this.lastError()}); indexing on the main thread`);
      return UNAVAILABLE;
    }
    child.ref();
    (child.channel as { ref?: () => void } | undefined)?.ref?.();
    const run: WorkerRun = { config: plainConfig(config), options: plainOptions(options), reportsLockWait: options.onWaitForLock !== undefined };
    return new Promise((resolve, reject) => {
      const onAbort = (): void => this.send({ type: 'abort' });
      const finish = (outcome: () => void): void => {
        this.current = undefined;
        options.signal?.removeEventListener('abort', onAbort);
        outcome();
        if (keepWarmMs > 0 && this.child) this.idle(keepWarmMs);
        else this.stop();
      };
      this.current = {
        onMessage: (m) => {
          switch (m.type) {
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
        },
        onDeath: (why) => finish(() => reject(new Error(`The indexing process stopped unexpectedly (${why}); what was committed is kept, index again to resume.`))),
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.send({ type: 'run', run });
      if (options.signal?.aborted) onAbort();
    });
  }

  /** Ends the process (a run in progress fails as a death). */
  stop(): void {
    clearTimeout(this.idleTimer);
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill();
  }

  private idle(ms: number): void {
    const child = this.child;
    child?.unref();
    (child?.channel as { unref?: () => void } | undefined)?.unref?.();
    this.idleTimer = setTimeout(() => this.stop(), ms);
    this.idleTimer.unref();
  }

  private send(m: ToWorker): void {
    if (this.child?.connected) this.child.send(m);
  }

  private lastError(): string {
    return this.stderr.trim().split('\n').pop() || 'it exited before it was ready';
  }

  private spawn(): Promise<boolean> {
    this.stderr = '';
    let child: ChildProcess;
    try {
      // No inherited flags (an extension host under a debugger would hand the child its inspector
      // port); ELECTRON_RUN_AS_NODE makes VS Code's own binary run as Node, as its extension host does.
      child = fork(this.script.file, [], {
        execArgv: [...(this.script.execArgv ?? [])],
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
    } catch (e) {
      this.stderr = (e as Error).message;
      return Promise.resolve(false);
    }
    this.child = child;
    this.starts++;
    child.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    this.ready = new Promise<boolean>((resolve) => {
      child.on('message', (m: ToHost) => {
        if (m.type === 'started') resolve(true);
        else if (this.child === child) this.current?.onMessage(m);
      });
      const died = (why: string): void => {
        resolve(false);
        if (this.child !== child) return;
        this.child = undefined;
        this.ready = undefined;
        const detail = this.stderr.trim().split('\n').pop();
        this.stderr ||= why;
        this.current?.onDeath(detail ? `${why}: ${detail}` : why);
      };
      child.on('error', (e) => died(e.message));
      child.on('exit', (code, signal) => died(signal ? `signal ${signal}` : `exit code ${code}`));
    });
    return this.ready;
  }
}
