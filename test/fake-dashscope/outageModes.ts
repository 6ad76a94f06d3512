/**
 * Outages the e2e UI suite switches on at run time (POST /__e2e/mode {kind, after, delayMs, count}),
 * handled in front of the fake by its one entry point (main.ts → control.ts):
 *   ok            serve everything (after an optional delay per request, to make a run last)
 *   down          after `after` more embedding requests, destroy every connection (DashScope unreachable)
 *   unauthorized  after `after` more embedding requests, answer 401 InvalidApiKey (a revoked key)
 *   throttle      after `after` more embedding requests, answer `count` (default 1) of them 429
 *                 Throttling.RateQuota, then serve again
 * `route: 'rerank'` applies the mode (and an `ok` mode's delay) to rerank requests instead of embedding ones.
 */
export const OUTAGE_ROUTE = '/__e2e/mode';

export interface OutageMode {
  readonly kind: 'ok' | 'down' | 'unauthorized' | 'throttle';
  readonly after: number;
  readonly delayMs: number;
  readonly count?: number;
  /** Which requests the mode hits: embedding ones (default) or rerank ones. */
  readonly route?: 'embedding' | 'rerank';
}

export const INVALID_KEY_BODY = JSON.stringify({ code: 'InvalidApiKey', message: 'Invalid API-key provided.', request_id: 'e2e-revoked' });
export const THROTTLED_BODY = JSON.stringify({ code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded, please try again later.', request_id: 'e2e-throttled' });

/** What happens to one request: served by the fake (after `delayMs`), or refused here. */
export type OutageVerdict = { readonly serve: true; readonly delayMs: number } | { readonly serve: false; readonly kind: 'down' | 'unauthorized' | 'throttle' };

export class OutageModes {
  private mode: OutageMode = { kind: 'ok', after: 0, delayMs: 0 };
  private since = 0;

  /** POST body of OUTAGE_ROUTE → the mode now in force. */
  set(body: string): OutageMode {
    this.mode = { kind: 'ok', after: 0, delayMs: 0, ...(JSON.parse(body || '{}') as Partial<OutageMode>) };
    this.since = 0;
    return this.mode;
  }

  verdict(url: string): OutageVerdict {
    const m = this.mode;
    const routed = m.route === 'rerank' ? /rerank/ : /embedding/;
    if (routed.test(url) && m.kind !== 'ok' && ++this.since > m.after) {
      if (m.kind !== 'throttle' || this.since <= m.after + (m.count ?? 1)) return { serve: false, kind: m.kind };
    }
    // A rerank-routed delay holds back rerank replies only (the palette's first stage shows first).
    return { serve: true, delayMs: m.route === 'rerank' && !routed.test(url) ? 0 : m.delayMs };
  }
}
