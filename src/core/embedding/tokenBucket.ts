/** A token bucket on an injected clock: the configured rpm/tpm limits and the learned request pace. */
export class TokenBucket {
  private level: number;
  private last: number;

  constructor(
    private perMinute: number,
    private capacity: number,
    now: number,
    initialLevel = capacity,
  ) {
    this.level = initialLevel;
    this.last = now;
  }

  /** New rate and depth from now on (the learned bucket); the level is kept, capped at the new depth. */
  reset(perMinute: number, capacity: number, now: number, factor = 1): void {
    this.refill(now, factor);
    this.perMinute = perMinute;
    this.capacity = capacity;
    this.level = Math.min(this.level, capacity);
  }

  private refill(now: number, factor: number): void {
    this.level = Math.min(this.capacity, this.level + ((now - this.last) * this.perMinute * factor) / 60_000);
    this.last = now;
  }

  /** Milliseconds until `n` (capped at capacity, so huge batches still pass) is available. */
  waitFor(n: number, now: number, factor: number): number {
    this.refill(now, factor);
    const need = Math.min(n, this.capacity) - this.level;
    return need <= 0 ? 0 : Math.ceil((need * 60_000) / (this.perMinute * factor));
  }

  take(n: number): void {
    this.level -= Math.min(n, this.capacity);
  }
}
