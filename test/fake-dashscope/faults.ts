/**
 * Fault injection for the fake server: by probability (seeded, reproducible) or on an exact
 * schedule of request numbers, plus "401 after N requests" / "Arrearage after N requests".
 */
export type FaultKind =
  | '500' | '503' | '504' // server errors (retryable)
  | '429'                 // throttled (Throttling.RateQuota / limit_requests)
  | 'hang'                // never answer (until hangMs, or the client gives up)
  | 'reset'               // destroy the connection after reading the request
  | 'truncated'           // 200 with half a JSON body
  | 'wrong-length'        // 200 with vectors one element short
  | 'non-finite'          // 200 with a vector holding 1e999 (parses as Infinity)
  | '401' | 'arrearage' | '403';

export const FAULT_KINDS: readonly FaultKind[] = ['500', '503', '504', '429', 'hang', 'reset', 'truncated', 'wrong-length', 'non-finite', '401', 'arrearage', '403'];

export interface FaultOptions {
  /** Per-request probability of each fault (checked in FAULT_KINDS order). */
  readonly probabilities?: Partial<Record<FaultKind, number>>;
  /** Exact faults by 1-based request number (counting every POST to an embeddings route). */
  readonly schedule?: Readonly<Record<number, FaultKind>>;
  /** Every request after the Nth gets 401 (key revoked mid-run). */
  readonly unauthorizedAfter?: number;
  /** Every request after the Nth gets 400 Arrearage. */
  readonly arrearageAfter?: number;
  /** How long a hang holds the connection before closing it (default 120 s). */
  readonly hangMs?: number;
  /** Retry-After (ms) sent with every 429, injected or from the rate limiter. Omitted by default, as on the real service. */
  readonly retryAfterMs?: number;
  readonly seed?: number;
}

export class FaultPlan {
  private rnd: () => number;

  constructor(readonly options: FaultOptions = {}) {
    let a = options.seed ?? 12345;
    this.rnd = () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** The fault for request number `n` (1-based), if any. */
  pick(n: number): FaultKind | undefined {
    const o = this.options;
    if (o.schedule?.[n]) return o.schedule[n];
    if (o.unauthorizedAfter !== undefined && n > o.unauthorizedAfter) return '401';
    if (o.arrearageAfter !== undefined && n > o.arrearageAfter) return 'arrearage';
    const p = o.probabilities;
    if (!p) return undefined;
    const r = this.rnd();
    let acc = 0;
    for (const kind of FAULT_KINDS) {
      acc += p[kind] ?? 0;
      if (r < acc) return kind;
    }
    return undefined;
  }
}
