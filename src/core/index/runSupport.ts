/**
 * Small pieces of runIndex kept apart so the pipeline reads top to bottom: the per-directory
 * lock, forward-only progress, the embedding plan (dedupe + token budget) and the choice of
 * cached-but-unreferenced vectors worth keeping.
 */
import path from 'node:path';
import v8 from 'node:v8';
import type { IndexPhase, IndexProgress } from '../engineTypes';
import type { ScannedFile } from './scan';

const locks = new Map<string, Promise<unknown>>();

/**
 * Serializes runs on one index directory within this process (a file-watcher update arriving
 * during a full build waits for it instead of racing it for the manifest).
 */
export function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const key = path.resolve(dir);
  const prev = locks.get(key) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(fn);
  const tail = next.catch(() => undefined);
  locks.set(key, tail);
  void tail.then(() => {
    if (locks.get(key) === tail) locks.delete(key);
  });
  return next;
}

/**
 * How much V8 lets a heap grow past what its last full collection kept, while a full build runs
 * (then back to V8's default). With gigabytes of RAM V8 allows up to 4×, and a build's main thread
 * makes garbage fast (file chunks, tokens): on 60 MB of /usr/include the heap stood at 250 MB for
 * ~150 MB live. Peak RSS of that build (CLI, other changes of this session in): 583 MB with V8's
 * default, 437 MB at 20 %, 416 MB at 10 %, CPU within the noise of a shared machine (77-79 s under
 * load 13). Process-wide (worker threads too), read at every collection.
 */
const BUILD_HEAP_GROWING_PERCENT = 10;
let leanBuilds = 0;

/** Turns the lean heap on (nested runs count); the returned function turns it off again. */
export function leanHeap(): () => void {
  if (leanBuilds++ === 0) v8.setFlagsFromString(`--heap-growing-percent=${BUILD_HEAP_GROWING_PERCENT}`);
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    if (--leanBuilds === 0) v8.setFlagsFromString('--heap-growing-percent=0');
  };
}

type Counts = Omit<IndexProgress, 'phase' | 'currentFile' | 'retry' | 'waiting' | 'publishing'>;

/** Progress whose counts only move forward, whatever order the updates arrive in. */
export function runProgress(onProgress?: (p: IndexProgress) => void) {
  const c: Record<keyof Counts, number> = { filesDone: 0, filesTotal: 0, chunksDone: 0, chunksTotal: 0, tokensDone: 0, tokensTotal: 0 };
  let phase: IndexPhase = 'discover';
  const order: IndexPhase[] = ['discover', 'chunk', 'embed', 'write', 'done'];
  return {
    emit(p: Partial<IndexProgress> & { phase?: IndexPhase }): void {
      if (p.phase && order.indexOf(p.phase) > order.indexOf(phase)) phase = p.phase;
      for (const k of Object.keys(c) as (keyof Counts)[]) {
        const v = p[k];
        if (typeof v === 'number' && v > c[k]) c[k] = v;
      }
      // Done never overtakes total (a total is only known once its phase starts).
      c.filesTotal = Math.max(c.filesTotal, c.filesDone);
      c.chunksTotal = Math.max(c.chunksTotal, c.chunksDone);
      c.tokensTotal = Math.max(c.tokensTotal, c.tokensDone);
      onProgress?.({ phase, ...c, ...(p.currentFile ? { currentFile: p.currentFile } : {}), ...(p.retry ? { retry: p.retry } : {}), ...(p.waiting ? { waiting: p.waiting } : {}) });
    },
  };
}

export interface PlannedText {
  readonly hash: string;
  readonly embedText: string;
  readonly tokens: number;
  /** Chunks sharing this text (licence headers, copies): all done by one embedding. */
  copies: number;
}

export interface EmbedPlan {
  readonly texts: PlannedText[];
  readonly tokens: number;
  /** Chunks of the files within budget, and how many of them have no cached vector. */
  readonly plannedChunks: number;
  readonly missingChunks: number;
  readonly deferredFiles: number;
}

/**
 * Unique missing texts in file order. With a budget, whole files are taken until the next one
 * would exceed it: a file is only committed with all its vectors, so half a file is wasted money.
 */
export function missingInOrder(files: readonly ScannedFile[], cached: (hash: string) => boolean, budget?: number): EmbedPlan {
  const texts: PlannedText[] = [];
  const byHash = new Map<string, PlannedText>();
  let tokens = 0, plannedChunks = 0, missingChunks = 0, deferredFiles = 0;
  for (const f of files) {
    if (deferredFiles > 0) {
      deferredFiles++;
      continue;
    }
    const own: PlannedText[] = [];
    let fileTokens = 0;
    for (const c of f.chunks) {
      if (cached(c.hash) || byHash.has(c.hash) || own.some((t) => t.hash === c.hash)) continue;
      own.push({ hash: c.hash, embedText: c.embedText, tokens: c.tokens, copies: 0 });
      fileTokens += c.tokens;
    }
    if (budget !== undefined && tokens + fileTokens > budget) {
      deferredFiles++;
      continue;
    }
    for (const t of own) {
      byHash.set(t.hash, t);
      texts.push(t);
    }
    tokens += fileTokens;
    plannedChunks += f.chunks.length;
    for (const c of f.chunks) {
      const t = byHash.get(c.hash);
      if (t) {
        t.copies++;
        missingChunks++;
      }
    }
  }
  return { texts, tokens, plannedChunks, missingChunks, deferredFiles };
}

/**
 * Vectors stored after the chunk rows: everything this run (or its journal) paid for that no
 * committed chunk uses — typically a file cancelled half-way — plus older extras up to 2% of
 * the rows, so the vector file stays within a few percent of its raw size.
 */
export function pickExtras(fresh: Iterable<string>, oldExtras: readonly string[], referenced: Set<string>, chunkCount: number): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const h of fresh) {
    if (referenced.has(h) || seen.has(h)) continue;
    seen.add(h);
    out.push(h);
  }
  let budget = Math.max(64, Math.ceil(chunkCount * 0.02));
  for (const h of oldExtras) {
    if (budget <= 0) break;
    if (referenced.has(h) || seen.has(h)) continue;
    seen.add(h);
    out.push(h);
    budget--;
  }
  return out;
}
