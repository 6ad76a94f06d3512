/**
 * Errors an embedder can end a run with. `message` is always actionable and never holds the key:
 * every message goes through `redactKeys` before the Error (and so its stack) is built.
 */
export type EmbedErrorKind =
  | 'auth'          // 401/403: key invalid, wrong region, model not activated
  | 'billing'       // Arrearage, free tier exhausted, no credits
  | 'bad-request'   // 400/404/413 other than the above: a bug or an unsupported setting
  | 'invalid-reply' // wrong-length or non-finite vectors, unparsable JSON after retries
  | 'rate-limit'    // still throttled (429) after every retry
  | 'network'       // timeouts / resets / 5xx: retries exhausted
  | 'budget'        // the token budget would be exceeded
  | 'cancelled';

export class EmbedError extends Error {
  /** HTTP status, when there was one. */
  readonly status?: number;
  /** Server error code (`InvalidApiKey`, `Arrearage`, `Throttling.RateQuota`, …), when there was one. */
  readonly code?: string;
  /** Server request id, for support tickets. */
  readonly requestId?: string;

  constructor(
    readonly kind: EmbedErrorKind,
    message: string,
    status?: number,
    details: { readonly code?: string; readonly requestId?: string } = {},
  ) {
    super(redactKeys(message));
    this.name = 'EmbedError';
    this.status = status;
    this.code = details.code;
    this.requestId = details.requestId;
  }
}

export function isCancellation(e: unknown): boolean {
  return (e instanceof EmbedError && e.kind === 'cancelled') || (e instanceof Error && e.name === 'AbortError');
}

export function cancelledError(): EmbedError {
  return new EmbedError('cancelled', 'Embedding was cancelled; everything embedded before is kept.');
}

/**
 * Keys a process has used, so that any message can be cleaned of them even when a server or a
 * library echoes one back (`Incorrect API key provided: sk-abc…`). Registered by the embedders.
 */
const knownKeys = new Set<string>();

export function registerSecretKey(key: string | undefined): void {
  if (key && key.length >= 6) knownKeys.add(key);
}

// Key-shaped tokens (OpenAI / DashScope `sk-…`, bearer values) are masked even if never registered.
const KEY_SHAPES = /\b(sk-(?:ant-)?)[A-Za-z0-9_-]{6,}|(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g;

/** Removes every registered key and anything key-shaped from a message. */
export function redactKeys(message: string): string {
  let out = message;
  for (const key of knownKeys) if (out.includes(key)) out = out.split(key).join('«key»');
  return out.replace(KEY_SHAPES, (_m, sk?: string, bearer?: string) => (sk ? `${sk}«key»` : `${bearer}«key»`));
}
