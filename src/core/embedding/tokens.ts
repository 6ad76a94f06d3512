/**
 * The remote embedders' token limits (contract §6), measured with the project's ONE token
 * estimator, `estimateTokens` in ../chunking/tokens.ts: the chunker's budgets, this 8,192 guard,
 * the rate limiter's token pacing and the dry run's cost all count the same way, so a chunk the
 * chunker sized to fit is never cut here and the cost shown is the sum of the chunks' tokens.
 * (The real tokenizer is Qwen BPE; the estimate is conservative on purpose.)
 */
import { estimateTokens, splitByTokens } from '../chunking/tokens';

export { estimateTokens };

/** Per-item hard limit of text-embedding-v3/v4. */
export const MAX_ITEM_TOKENS = 8192;
/** Where we cut an over-long text: the estimate is conservative, this leaves ~8% more slack. */
export const TRUNCATE_AT_TOKENS = 7500;

/** Sum of `estimateTokens` over texts (the dry run's token count). */
export function estimateTotalTokens(texts: Iterable<string>): number {
  let sum = 0;
  for (const t of texts) sum += estimateTokens(t);
  return sum;
}

/**
 * Cuts `text` so that its estimate is ≤ `maxTokens`. Never splits a surrogate pair; prefers to cut
 * at a line end in the last 10% so the kept part stays readable code. Returns the text unchanged
 * when it already fits.
 */
export function truncateToTokens(text: string, maxTokens = TRUNCATE_AT_TOKENS): { text: string; truncated: boolean } {
  if (estimateTokens(text) <= maxTokens) return { text, truncated: false };
  // The estimator's own splitter: its first piece is the longest prefix within the budget.
  let cut = splitByTokens(text, maxTokens)[0]?.length ?? 0;
  const lineEnd = text.lastIndexOf('\n', cut);
  if (lineEnd > cut * 0.9) cut = lineEnd;
  return { text: text.slice(0, cut), truncated: true };
}
