/**
 * Client-side token estimates for remote embedders (contract §6). The real tokenizer is Qwen BPE;
 * shipping it would cost megabytes, so we over-estimate on purpose:
 *   tokens ≈ ceil(nonCJK / 3.5) + ceil(CJK × 0.7) + 1
 * Measured Qwen ratios are ~4.2 chars/token for English and code and 0.62 tokens per CJK char,
 * so this guard stays on the safe side of the 8,192-token per-item limit.
 */

/** Per-item hard limit of text-embedding-v3/v4. */
export const MAX_ITEM_TOKENS = 8192;
/** Where we cut an over-long text: the estimate is conservative, this leaves ~8% more slack. */
export const TRUNCATE_AT_TOKENS = 7500;

const NON_CJK_CHARS_PER_TOKEN = 3.5;
const TOKENS_PER_CJK_CHAR = 0.7;

/** CJK ideographs, kana, hangul, CJK punctuation and full-width forms: each ~0.6–1 token. */
function isCjkCode(c: number): boolean {
  return (
    (c >= 0x3000 && c <= 0x30ff) || // CJK punctuation, hiragana, katakana
    (c >= 0x3400 && c <= 0x4dbf) || // CJK ext A
    (c >= 0x4e00 && c <= 0x9fff) || // CJK unified
    (c >= 0xac00 && c <= 0xd7af) || // hangul syllables
    (c >= 0x1100 && c <= 0x11ff) || // hangul jamo
    (c >= 0xf900 && c <= 0xfaff) || // compatibility ideographs
    (c >= 0xff00 && c <= 0xffef) || // full-width forms
    (c >= 0x20000 && c <= 0x3134f) // ext B–G (astral)
  );
}

/** Estimated tokens of one text as the server will count it (+1 for the appended EOS). */
export function estimateEmbedTokens(text: string): number {
  let cjk = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    if (c > 0xffff) i++; // astral: one code point, two UTF-16 units
    if (isCjkCode(c)) cjk++;
    else other++;
  }
  return Math.ceil(other / NON_CJK_CHARS_PER_TOKEN) + Math.ceil(cjk * TOKENS_PER_CJK_CHAR) + 1;
}

/** Sum of `estimateEmbedTokens` over texts (the dry run's token count). */
export function estimateTotalTokens(texts: Iterable<string>): number {
  let sum = 0;
  for (const t of texts) sum += estimateEmbedTokens(t);
  return sum;
}

/**
 * Cuts `text` so that its estimate is ≤ `maxTokens`. Never splits a surrogate pair; prefers to cut
 * at a line end in the last 10% so the kept part stays readable code. Returns the text unchanged
 * when it already fits.
 */
export function truncateToTokens(text: string, maxTokens = TRUNCATE_AT_TOKENS): { text: string; truncated: boolean } {
  if (estimateEmbedTokens(text) <= maxTokens) return { text, truncated: false };
  const budget = maxTokens - 1; // the +1 EOS
  let cost = 0;
  let cut = 0;
  for (let i = 0; i < text.length; ) {
    const c = text.codePointAt(i)!;
    const step = c > 0xffff ? 2 : 1;
    // Cost grows by fractions; `ceil` twice (as in the estimate) is at most 2 tokens higher.
    cost += isCjkCode(c) ? TOKENS_PER_CJK_CHAR : 1 / NON_CJK_CHARS_PER_TOKEN;
    if (cost > budget - 2) break;
    i += step;
    cut = i;
  }
  const lineEnd = text.lastIndexOf('\n', cut);
  if (lineEnd > cut * 0.9) cut = lineEnd;
  return { text: text.slice(0, cut), truncated: true };
}
