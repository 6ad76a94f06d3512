/**
 * Token estimates, CJK-aware (docs: dashscope-contract.md §6). The Qwen BPE gives ~4.2–4.5
 * chars/token on English and code but ~0.62 tokens per Chinese character, so one chars/4 rule
 * under-counts Chinese by 2.5×. We stay slightly conservative on purpose: an under-estimate can
 * push a chunk over the provider's 8,192-token limit, an over-estimate only costs a bit of size.
 *
 *   tokens ≈ ceil(ascii / 3.5) + ceil(cjk × 0.7) + ceil(otherNonAscii × 0.5) + 1
 *
 * (`+1`: text-embedding-v4 counts an end-of-text token per input. Other non-ASCII letters —
 * accents, Cyrillic, emoji — cost more than ASCII in a byte-level BPE, hence their own weight.)
 */

const ASCII_CHARS_PER_TOKEN = 3.5;
const TOKENS_PER_CJK = 0.7;
const TOKENS_PER_OTHER = 0.5;

/** Han, Kana, Hangul, CJK punctuation and full-width forms (BMP). */
function isCjkUnit(c: number): boolean {
  return (
    (c >= 0x2e80 && c <= 0x9fff) || // radicals, CJK punctuation, kana, bopomofo, ext A, unified
    (c >= 0xac00 && c <= 0xd7af) || // Hangul syllables
    (c >= 0xf900 && c <= 0xfaff) || // compatibility ideographs
    (c >= 0xff00 && c <= 0xffef) || // full-width forms
    (c >= 0x1100 && c <= 0x11ff) // Hangul jamo
  );
}

/** Character classes of a string: what the estimate is computed from. */
export interface CharCounts {
  ascii: number;
  cjk: number;
  other: number;
}

export function countChars(text: string, into: CharCounts = { ascii: 0, cjk: 0, other: 0 }): CharCounts {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) into.ascii++;
    else if (c >= 0xd800 && c <= 0xdbff) {
      // A surrogate pair is one character: ideographs of the supplementary planes count as CJK.
      const cp = text.codePointAt(i) ?? 0;
      if (cp >= 0x20000 && cp <= 0x3ffff) into.cjk++;
      else into.other += 2;
      i++;
    } else if (isCjkUnit(c)) into.cjk++;
    else into.other++;
  }
  return into;
}

export function tokensFromCounts(ascii: number, cjk: number, other: number): number {
  return Math.ceil(ascii / ASCII_CHARS_PER_TOKEN) + Math.ceil(cjk * TOKENS_PER_CJK) + Math.ceil(other * TOKENS_PER_OTHER) + 1;
}

/** Estimated tokens of `text` for Qwen embedding models (slightly conservative). */
export function estimateTokens(text: string): number {
  const c = countChars(text);
  return tokensFromCounts(c.ascii, c.cjk, c.other);
}

/**
 * Per-line prefix sums of the character classes, so the estimate of any line range is O(1), plus
 * where each line starts in the text and whether it is blank. The chunker asks for thousands of
 * ranges per file; re-scanning the text each time would make it quadratic. A range's estimate
 * equals estimateTokens of its lines joined with '\n'.
 */
export class LineTokens {
  private readonly ascii: Float64Array;
  private readonly cjk: Float64Array;
  private readonly other: Float64Array;
  /** offsets[i] = index in the text where line i starts (offsets[n] = text length + 1). */
  readonly offsets: Float64Array;
  /** 1 for a line holding only whitespace. */
  readonly blank: Uint8Array;

  constructor(lines: readonly string[]) {
    const n = lines.length;
    this.ascii = new Float64Array(n + 1);
    this.cjk = new Float64Array(n + 1);
    this.other = new Float64Array(n + 1);
    this.offsets = new Float64Array(n + 1);
    this.blank = new Uint8Array(n);
    const counts: CharCounts = { ascii: 0, cjk: 0, other: 0 };
    for (let i = 0; i < n; i++) {
      const line = lines[i];
      countChars(line, counts);
      this.ascii[i + 1] = counts.ascii;
      this.cjk[i + 1] = counts.cjk;
      this.other[i + 1] = counts.other;
      this.offsets[i + 1] = this.offsets[i] + line.length + 1;
      this.blank[i] = isBlank(line) ? 1 : 0;
    }
  }

  /** Estimated tokens of lines `start..end` (0-based, inclusive) joined with newlines. */
  range(start: number, end: number): number {
    if (end < start) return 0;
    return this.rangeWith(start, end, ZERO);
  }

  /** Estimated tokens of `prefix` counts followed by lines `start..end`: a header plus a chunk's text. */
  rangeWith(start: number, end: number, prefix: CharCounts): number {
    return tokensFromCounts(
      prefix.ascii + this.ascii[end + 1] - this.ascii[start] + (end - start),
      prefix.cjk + this.cjk[end + 1] - this.cjk[start],
      prefix.other + this.other[end + 1] - this.other[start],
    );
  }
}

const ZERO: CharCounts = { ascii: 0, cjk: 0, other: 0 };

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 12 && c !== 11 && c !== 0xa0 && c !== 0xfeff) return false;
  }
  return true;
}

/**
 * Cuts one over-long string into pieces whose estimate is at most `budget` (never inside a
 * surrogate pair). Only used for a single line that alone exceeds the budget (minified code, a
 * Chinese paragraph without line breaks).
 */
export function splitByTokens(text: string, budget: number): string[] {
  const pieces: string[] = [];
  const limit = Math.max(1, budget - 1); // the per-text +1
  let start = 0;
  let ascii = 0;
  let cjk = 0;
  let other = 0;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    const width = c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    let a = ascii;
    let k = cjk;
    let o = other;
    if (c < 0x80) a++;
    else if (width === 2) {
      const cp = text.codePointAt(i) ?? 0;
      if (cp >= 0x20000 && cp <= 0x3ffff) k++;
      else o += 2;
    } else if (isCjkUnit(c)) k++;
    else o++;
    const cost = Math.ceil(a / ASCII_CHARS_PER_TOKEN) + Math.ceil(k * TOKENS_PER_CJK) + Math.ceil(o * TOKENS_PER_OTHER);
    if (cost > limit && i > start) {
      pieces.push(text.slice(start, i));
      start = i;
      ascii = cjk = other = 0;
      continue; // re-count this character in the new piece
    }
    ascii = a;
    cjk = k;
    other = o;
    i += width;
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}
