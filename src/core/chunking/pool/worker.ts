/**
 * Chunk worker: runs `processFile` for the tasks the pool posts, one at a time, and posts the
 * outcome back (Chunk[] by structured clone). Bundled as dist/chunkWorker.js; from source (tests)
 * the pool loads this file through tsx.
 *
 * It posts `ready` once tree-sitter's wasm files are known to be where the main thread found
 * them, so a worker that cannot chunk exactly like the main thread (wrong or missing grammars
 * would silently degrade to line windows) is rejected at startup instead of changing results.
 */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { setWasmDirectory } from '../treeSitter';
import { processFile } from './task';
import { packOutcome, type ToMain, type ToWorker, type WorkerInit } from './protocol';

/**
 * A worker holds one file at a time, but V8 lets a thread's heap fill with 60-100 MB of tokenizer
 * garbage before it collects, and every worker's heap counts in the process's RSS. A full
 * collection once the heap is both past this and twice what the last one kept bounds each
 * worker's heap without collecting after every file.
 */
const COLLECT_ABOVE_BYTES = Number(process.env.SW_WORKER_GC_MB ?? 64) * 1e6;
let keptAfterCollect = 0;
const collect: (() => void) | undefined = parentPort && COLLECT_ABOVE_BYTES > 0 ? exposeGc() : undefined;

function exposeGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

const port = parentPort;
const init = (workerData ?? {}) as WorkerInit;

function post(message: ToMain): void {
  port?.postMessage(message);
}

if (port) {
  try {
    if (init.wasmDir) {
      if (!fs.existsSync(path.join(init.wasmDir, 'tree-sitter.wasm'))) throw new Error(`no tree-sitter.wasm in ${init.wasmDir}`);
      setWasmDirectory(init.wasmDir);
    }
    port.on('message', (m: ToWorker) => void handle(m));
    post({ type: 'ready' });
  } catch (e) {
    post({ type: 'init-failed', message: (e as Error).message });
  }
}

async function handle(m: ToWorker): Promise<void> {
  const hooks = init.testHooks;
  if (hooks?.crashOn && m.task.relPath.includes(hooks.crashOn)) {
    // Test-only: an uncaught exception kills this thread, as a wasm abort or a bug would.
    setImmediate(() => {
      throw new Error(`test crash on ${m.task.relPath}`);
    });
    return;
  }
  if (hooks?.hangOn && m.task.relPath.includes(hooks.hangOn)) {
    // Test-only: a thread stuck in synchronous code; only terminate() can stop it.
    for (;;) {
      /* spin */
    }
  }
  let outcome;
  try {
    outcome = await processFile(m.task);
  } catch (e) {
    outcome = { kind: 'skip', reason: 'unreadable', detail: `worker failed: ${(e as Error).message}` } as const;
  }
  // The packed terms' buffer moves to the main thread instead of being copied.
  const transfer = outcome.kind === 'chunks' && outcome.terms ? [outcome.terms.data.buffer as ArrayBuffer] : [];
  port?.postMessage({ type: 'done', id: m.id, outcome: packOutcome(outcome) } satisfies ToMain, transfer);
  if (collect) {
    const used = v8.getHeapStatistics().used_heap_size;
    if (used > COLLECT_ABOVE_BYTES && used > 2 * keptAfterCollect) {
      collect();
      keptAfterCollect = v8.getHeapStatistics().used_heap_size;
    }
  }
}
