/**
 * Cooperative pacing for long synchronous work on the extension host's thread: `due()` is cheap
 * enough for an inner loop (a clock read every few hundred calls), and `pause()` gives the event
 * loop a turn once a slice of `sliceMs` has been used — so UI events, timers and cancellation are
 * never held back by more than about one slice (the compass: no stall over 50 ms).
 */
export const DEFAULT_SLICE_MS = 15;

export interface Pacer {
  /** True when the current slice is used up (check often; it reads the clock every 256th call). */
  due(): boolean;
  /** Yields to the event loop (setImmediate, or `turn` — e.g. a yield that also checks for cancel) and starts a new slice. */
  pause(turn?: () => Promise<void>): Promise<void>;
}

export function pacer(sliceMs = DEFAULT_SLICE_MS): Pacer {
  let start = Date.now();
  let calls = 0;
  return {
    due() {
      if ((++calls & 255) !== 0) return false;
      return Date.now() - start >= sliceMs;
    },
    async pause(turn) {
      await (turn ? turn() : new Promise<void>((resolve) => setImmediate(resolve)));
      start = Date.now();
      calls = 0;
    },
  };
}
