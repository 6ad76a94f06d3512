/**
 * What crosses the boundary between a host (the extension host, a bench child) and the index
 * worker process: plain data only (IPC with structured-clone serialization). Functions (logger, progress callback, signal) become messages; errors
 * become records that are turned back into the same class on the host's side, so the host's
 * `isCancellation`, `classifyFailure` and `instanceof EmbedError` checks see what they saw when
 * the run was in-process.
 */
import { EmbedError, type EmbedErrorKind } from '../embedding/errors';
import type { EngineConfig, IndexProgress, IndexReport, IndexRunOptions } from '../engineTypes';

/** The engine config without its functions (the logger is forwarded; a team index keeps the run in-process). */
export type PlainEngineConfig = Omit<EngineConfig, 'logger' | 'team'>;
/** The run options without their functions (the signal is the `abort` message, callbacks are messages). */
export type PlainRunOptions = Omit<IndexRunOptions, 'signal' | 'onProgress' | 'onWaitForLock'>;

export interface WorkerRun {
  readonly config: PlainEngineConfig;
  readonly options: PlainRunOptions;
  /** The host passed `onWaitForLock`: post the holder instead of logging it. */
  readonly reportsLockWait: boolean;
}

export type ToWorker = { readonly type: 'run'; readonly run: WorkerRun } | { readonly type: 'abort' };

export type LogLevel = 'info' | 'warn' | 'error' | 'debug';

export type ToHost =
  | { readonly type: 'started' }
  | { readonly type: 'progress'; readonly progress: IndexProgress }
  | { readonly type: 'log'; readonly level: LogLevel; readonly message: string }
  | { readonly type: 'lockWait'; readonly holder: { readonly pid: number; readonly since: string; readonly purpose?: string } }
  | { readonly type: 'done'; readonly report: IndexReport; /** The worker's peak RSS (its threads included). */ readonly peakRssMb: number }
  | { readonly type: 'failed'; readonly error: PlainError };

export interface PlainError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** EmbedError's fields, and any other own string/number/boolean fields the error carried. */
  readonly fields: Readonly<Record<string, string | number | boolean>>;
}

export function toPlainError(e: unknown): PlainError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), fields: {} };
  const fields: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(e)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = v;
  }
  return { name: e.name, message: e.message, stack: e.stack, fields };
}

/** The same class where the host knows it (EmbedError), else an Error with the same name and fields. */
export function fromPlainError(p: PlainError): Error {
  const f = p.fields;
  let e: Error;
  if (p.name === 'EmbedError' && typeof f.kind === 'string') {
    e = new EmbedError(f.kind as EmbedErrorKind, p.message, typeof f.status === 'number' ? f.status : undefined, {
      code: typeof f.code === 'string' ? f.code : undefined,
      requestId: typeof f.requestId === 'string' ? f.requestId : undefined,
    });
  } else {
    e = new Error(p.message);
    Object.assign(e, f);
    e.name = p.name;
  }
  if (p.stack) e.stack = p.stack;
  return e;
}

export function plainConfig(config: EngineConfig): PlainEngineConfig {
  const { logger: _logger, team: _team, ...rest } = config;
  return rest;
}

export function plainOptions(options: IndexRunOptions): PlainRunOptions {
  const { signal: _signal, onProgress: _onProgress, onWaitForLock: _onWait, ...rest } = options;
  return rest;
}
