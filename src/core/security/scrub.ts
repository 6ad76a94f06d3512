/**
 * Secret scrubbing: runs on every chunk's embed text before it is hashed or leaves the machine.
 * (Placeholder signature; the full detector set lands with the DashScope embedders.)
 */
export interface ScrubResult {
  readonly text: string;
  /** How many secrets were replaced. */
  readonly found: number;
}

export function scrubSecrets(text: string): ScrubResult {
  return { text, found: 0 };
}
