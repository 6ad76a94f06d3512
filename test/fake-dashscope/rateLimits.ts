/**
 * The fake's rate limits, enforced per second as DashScope does (RPS = RPM/60, TPS = TPM/60):
 *  - requests: token bucket refilling rpm/60 per second, one second's worth deep → RateQuota;
 *  - tokens: same for tpm (a request larger than the bucket passes only when it is full) → AllocationQuota;
 *  - burst: at most `burst` requests in any sliding second → BurstRate.
 * Rejected requests consume nothing.
 */
export interface FakeRateLimitOptions {
  readonly rpm?: number;
  readonly tpm?: number;
  readonly burst?: number;
}

export type LimitHit = 'rpm' | 'tpm' | 'burst';

export class FakeRateLimiter {
  private reqLevel = 0;
  private tokLevel = 0;
  private last = 0;
  private recent: number[] = [];

  constructor(private limits: FakeRateLimitOptions) {
    this.reset();
  }

  configure(limits: FakeRateLimitOptions): void {
    this.limits = limits;
    this.reset();
  }

  reset(): void {
    this.reqLevel = this.reqCap;
    this.tokLevel = this.tokCap;
    this.last = Date.now();
    this.recent = [];
  }

  private get reqCap(): number {
    return Math.max(1, (this.limits.rpm ?? 0) / 60);
  }

  private get tokCap(): number {
    return Math.max(1, (this.limits.tpm ?? 0) / 60);
  }

  /** Admits one request of `tokens` or names the limit it hits. */
  admit(tokens: number, now = Date.now()): LimitHit | undefined {
    const { rpm, tpm, burst } = this.limits;
    const dt = now - this.last;
    this.last = now;
    if (rpm) this.reqLevel = Math.min(this.reqCap, this.reqLevel + (dt * rpm) / 60_000);
    if (tpm) this.tokLevel = Math.min(this.tokCap, this.tokLevel + (dt * tpm) / 60_000);
    if (burst) {
      this.recent = this.recent.filter((t) => now - t < 1000);
      if (this.recent.length >= burst) return 'burst';
    }
    if (rpm && this.reqLevel < 1) return 'rpm';
    if (tpm && this.tokLevel < Math.min(tokens, this.tokCap)) return 'tpm';
    if (rpm) this.reqLevel -= 1;
    if (tpm) this.tokLevel -= tokens;
    if (burst) this.recent.push(now);
    return undefined;
  }
}
