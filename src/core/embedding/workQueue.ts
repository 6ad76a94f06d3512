/** The scheduler's workers over its queue of batches, which an in-flight batch may refill. */
import { isCancellation } from './errors';

/**
 * Runs `process` over `queue` with up to `concurrency` workers until the queue is empty and nothing
 * is in flight (an in-flight item may still push work back, e.g. a batch re-split). The first
 * failure aborts `stop` and is returned (undefined: all done, or cancelled through `stop`).
 */
export async function drainQueue<T>(queue: T[], concurrency: number, process: (item: T) => Promise<void>, stop: AbortController): Promise<unknown> {
  let fatal: unknown;
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  const wakeAll = () => {
    const w = waiters;
    waiters = [];
    w.forEach((f) => f());
  };
  const worker = async (): Promise<void> => {
    while (fatal === undefined && !stop.signal.aborted) {
      const item = queue.shift();
      if (item === undefined) {
        if (inFlight === 0) break;
        await new Promise<void>((r) => waiters.push(r));
        continue;
      }
      inFlight++;
      try {
        await process(item);
      } catch (e) {
        if (fatal === undefined && !(isCancellation(e) && stop.signal.aborted)) fatal = e;
        stop.abort();
      } finally {
        inFlight--;
        wakeAll();
      }
    }
    wakeAll();
  };
  const workers = Math.max(1, Math.min(concurrency, queue.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return fatal;
}
