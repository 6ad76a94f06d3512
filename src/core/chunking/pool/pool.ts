/**
 * ChunkPool: a bounded set of worker threads running `processFile` (read → hash → chunk).
 *
 * - Workers start lazily (only when a task waits and every live worker is busy) and each runs one
 *   task at a time, so a worker that dies takes exactly one file with it.
 * - A worker is unref'd whenever it is idle: a pool that someone forgot to close never holds the
 *   process open. `close()` terminates them all (the CLI exits at once, the extension host keeps
 *   no threads between runs).
 * - A worker dying after startup (uncaught exception, wasm abort, out of memory) → that file is an
 *   `unreadable` skip with the reason; a fresh worker takes the next task. A worker failing before
 *   it is ready (script missing, loader broken, wasm not found) → the pool gives up on threads and
 *   runs every task in-process, so results never depend on whether threads work.
 * - Abort: every worker is terminated (even one stuck in a parse), waiting tasks reject with an
 *   AbortError.
 */
import { Worker } from 'node:worker_threads';
import { grammarForPath } from '../languages';
import { retainCompiledCode, wasmDirectory } from '../treeSitter';
import { unpackOutcome, type ToMain, type ToWorker, type WorkerInit, type WorkerTestHooks } from './protocol';
import { processFile, type FileOutcome, type FileTask } from './task';
import type { WorkerScript } from './config';

interface Pending {
  readonly id: number;
  readonly task: FileTask;
  readonly resolve: (o: FileOutcome) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  current?: Pending;
  timer?: NodeJS.Timeout;
  gone: boolean;
}

/** A file still not chunked after this long is given up (its worker terminated): a parse stuck
 *  in a pathological input must not hang the whole run — something the in-process path cannot do. */
export const DEFAULT_TASK_TIMEOUT_MS = 120_000;

/**
 * A worker's garbage is short-lived (one file's strings and trees), and V8's default young
 * generation let each worker's heap sit at ~45 MB for ~12 MB live. Measured on 20 MB of
 * /usr/include with 2 workers: 4 MB takes the process's peak RSS from 440 to 393 MB at no
 * measurable CPU cost (scavenges of a few MB are cheap).
 */
const WORKER_YOUNG_GENERATION_MB = 4;

export interface ChunkPoolOptions {
  readonly size: number;
  readonly script: WorkerScript;
  readonly signal?: AbortSignal;
  readonly testHooks?: WorkerTestHooks;
  readonly taskTimeoutMs?: number;
}

export function poolAbortError(): Error {
  const e = new Error('Indexing was cancelled.');
  e.name = 'AbortError';
  return e;
}

export class ChunkPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly init: WorkerInit;
  private nextId = 1;
  private closed = false;
  private serial: Promise<unknown> = Promise.resolve();
  private readonly onAbort = () => void this.close();
  /** Why threads were given up (tasks then run in-process); undefined while they work. */
  fallbackReason: string | undefined;
  /** Workers that died while running a task (each cost one file). */
  crashes = 0;
  /** Workers started over the pool's life. */
  started = 0;

  constructor(private readonly options: ChunkPoolOptions) {
    let wasmDir: string | undefined;
    try {
      wasmDir = wasmDirectory();
    } catch {
      wasmDir = undefined; // the worker's own lookup then fails the same way the main thread's would
    }
    this.init = { wasmDir, testHooks: options.testHooks };
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get size(): number {
    return this.options.size;
  }

  /** Read + chunk one file on a worker (or in-process once threads were given up). Rejects only on abort. */
  run(task: FileTask): Promise<FileOutcome> {
    if (this.closed || this.options.signal?.aborted) return Promise.reject(poolAbortError());
    if (this.fallbackReason !== undefined) return this.inProcess(task);
    return new Promise<FileOutcome>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject });
      this.pump();
    });
  }

  /** Terminates every worker; waiting tasks reject with an AbortError. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    const err = poolAbortError();
    for (const p of this.queue.splice(0)) p.reject(err);
    const slots = this.slots.splice(0);
    for (const s of slots) {
      s.gone = true;
      clearTimeout(s.timer);
      s.current?.reject(err);
      s.current = undefined;
    }
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => undefined)));
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      const idle = this.slots.find((s) => s.ready && !s.current);
      if (idle) {
        this.assign(idle, this.queue.shift()!);
        continue;
      }
      // Start a worker only if none is already starting up to take the next task.
      const starting = this.slots.filter((s) => !s.ready).length;
      if (starting < this.queue.length && this.slots.length < this.options.size) {
        if (!this.spawn()) return;
        continue;
      }
      return;
    }
  }

  private assign(slot: Slot, p: Pending): void {
    slot.current = p;
    slot.worker.ref();
    const ms = this.options.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
    slot.timer = setTimeout(() => this.onDeath(slot, `timed out after ${Math.round(ms / 1000)} s`), ms);
    slot.timer.unref();
    const message: ToWorker = { id: p.id, task: p.task };
    slot.worker.postMessage(message);
  }

  private spawn(): boolean {
    let worker: Worker;
    try {
      const { file, eval: isEval } = this.options.script;
      // No execArgv from a profiler/inspector-laden parent is forced on the worker: Node's default
      // (inherit what is valid in a worker) applies.
      worker = new Worker(file, { eval: !!isEval, workerData: this.init, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    } catch (e) {
      this.giveUp(`cannot start a chunk worker: ${(e as Error).message}`);
      return false;
    }
    this.started++;
    const slot: Slot = { worker, ready: false, gone: false };
    this.slots.push(slot);
    worker.on('message', (m: ToMain) => this.onMessage(slot, m));
    worker.on('error', (e: Error) => this.onDeath(slot, e.message));
    worker.on('exit', (code: number) => this.onDeath(slot, `exited with code ${code}`));
    return true;
  }

  private onMessage(slot: Slot, m: ToMain): void {
    if (slot.gone) return;
    if (m.type === 'ready') {
      slot.ready = true;
    } else if (m.type === 'init-failed') {
      this.giveUp(`chunk worker cannot start: ${m.message}`);
      return;
    } else if (m.type === 'done' && slot.current?.id === m.id) {
      const p = slot.current;
      slot.current = undefined;
      clearTimeout(slot.timer);
      // This worker has the grammar compiled and alive now: the process keeps its code for later updates.
      const grammar = m.outcome.kind === 'chunks' ? grammarForPath(p.task.relPath) : undefined;
      if (grammar) retainCompiledCode(grammar);
      p.resolve(unpackOutcome(m.outcome));
    }
    if (!slot.current && this.queue.length === 0) slot.worker.unref();
    this.pump();
  }

  private onDeath(slot: Slot, why: string): void {
    if (slot.gone || this.closed) return;
    slot.gone = true;
    clearTimeout(slot.timer);
    this.slots.splice(this.slots.indexOf(slot), 1);
    if (!slot.ready) {
      this.giveUp(`chunk worker failed to start: ${why}`);
      return;
    }
    const p = slot.current;
    slot.current = undefined;
    if (p) {
      this.crashes++;
      p.resolve({ kind: 'skip', reason: 'unreadable', detail: `chunk worker ${why.startsWith('timed out') ? '' : 'crashed: '}${why}` });
    }
    void slot.worker.terminate().catch(() => undefined);
    this.pump(); // a replacement starts if tasks are waiting
  }

  /** Threads do not work here: finish everything (waiting and in flight) in-process. */
  private giveUp(reason: string): void {
    if (this.fallbackReason !== undefined) return;
    this.fallbackReason = reason;
    const orphans = this.queue.splice(0);
    for (const s of this.slots.splice(0)) {
      s.gone = true;
      clearTimeout(s.timer);
      if (s.current) orphans.push(s.current);
      void s.worker.terminate().catch(() => undefined);
    }
    orphans.sort((a, b) => a.id - b.id);
    for (const p of orphans) this.inProcess(p.task).then(p.resolve, p.reject);
  }

  /** One at a time: parsers are shared per grammar, and the caller consumes results in order anyway. */
  private inProcess(task: FileTask): Promise<FileOutcome> {
    const next = this.serial.then(() => {
      if (this.closed) throw poolAbortError();
      return processFile(task);
    });
    this.serial = next.catch(() => undefined);
    return next;
  }
}
