/**
 * Errors an embedder can end a run with. `message` is always actionable and never holds the key.
 */
export type EmbedErrorKind =
  | 'auth'          // 401/403: key invalid, wrong region, model not activated
  | 'billing'       // Arrearage, free tier exhausted
  | 'bad-request'   // 400 other than the above: a bug or an unsupported setting
  | 'invalid-reply' // wrong-length or non-finite vectors, unparsable JSON after retries
  | 'network'       // retries exhausted
  | 'budget'        // the token budget would be exceeded
  | 'cancelled';

export class EmbedError extends Error {
  constructor(
    readonly kind: EmbedErrorKind,
    message: string,
    /** HTTP status, when there was one. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'EmbedError';
  }
}

export function isCancellation(e: unknown): boolean {
  return (e instanceof EmbedError && e.kind === 'cancelled') || (e instanceof Error && e.name === 'AbortError');
}
