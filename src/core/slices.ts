/**
 * Work written as a generator that `yield`s at safe points can run two ways: to the end at once
 * (`runSteps`: the CLI, the index worker) or in slices of about `budgetMs` with the event loop
 * free between them (`runInSlices`: a long-lived host opening the next generation while it keeps
 * answering searches from the current one). Each step between two yields must stay small
 * (a block read, a few thousand rows): a slice ends at the first yield past its budget.
 */
export type Steps<T> = Generator<void, T, void>;

/** Runs `steps` to the end without yielding to anyone. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export interface SliceStats {
  slices: number;
  /** The longest slice (ms of the main thread between two event-loop turns). */
  longestMs: number;
  totalMs: number;
}

/** Runs `steps` in slices of ≥ `budgetMs` (0: one step per slice), each in its own event-loop turn. */
export async function runInSlices<T>(steps: Steps<T>, budgetMs: number, stats?: SliceStats): Promise<T> {
  for (;;) {
    const t0 = performance.now();
    let r = steps.next();
    while (!r.done && performance.now() - t0 < budgetMs) r = steps.next();
    const ms = performance.now() - t0;
    if (stats) {
      stats.slices++;
      stats.longestMs = Math.max(stats.longestMs, ms);
      stats.totalMs += ms;
    }
    if (r.done) return r.value;
    // setImmediate, not a timer: the slice resumes right after pending I/O and timers ran.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** A loop over [0, n) in steps of `per`: `body(from, to)` per step. */
export function* rangeSteps(n: number, per: number, body: (from: number, to: number) => void): Steps<void> {
  for (let i = 0; i < n; i += per) {
    body(i, Math.min(n, i + per));
    yield;
  }
}
