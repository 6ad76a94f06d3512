/**
 * Size-driven splitting shared by every chunker: line windows (the fallback for languages without
 * a grammar and for syntax nodes that are still too big), paragraph grouping for prose, and the
 * character split of a single line that alone exceeds the budget.
 */
import { LineTokens, splitByTokens } from './tokens';

/**
 * A chunk-to-be: 0-based inclusive line range; `text` only when it is part of one over-long line,
 * then `col` is where it starts in that line (0-based UTF-16 offset): the chunk's column span.
 */
export interface Piece {
  start: number;
  end: number;
  symbol: string;
  text?: string;
  col?: number;
}

/**
 * Pieces of one over-long line (0-based `line`), each within `budget`, with the column it starts
 * at: `base` is the column of `text` itself in that line (a piece cut again keeps its place).
 */
export function linePieces(text: string, line: number, symbol: string, budget: number, base = 0): Piece[] {
  let col = base;
  return splitByTokens(text, budget).map((t) => {
    const piece: Piece = { start: line, end: line, symbol, text: t, col };
    col += t.length;
    return piece;
  });
}

/** The lines the chunkers work on, with per-line facts computed once. */
export interface LineContext {
  readonly lines: readonly string[];
  readonly tokens: LineTokens;
  readonly blank: Uint8Array;
  /** Token budget for a chunk's text (the embed header's share already taken off). */
  readonly budget: number;
}

export function makeLineContext(lines: readonly string[], budget: number): LineContext {
  const tokens = new LineTokens(lines);
  return { lines, tokens, blank: tokens.blank, budget };
}

/** Windows overlap by this many lines so a statement cut at a boundary is whole in one of them. */
const OVERLAP_LINES = 2;

/** Shrinks [start, end] to its non-blank lines; undefined when all are blank. */
export function trimRange(ctx: LineContext, start: number, end: number): [number, number] | undefined {
  while (start <= end && ctx.blank[start]) start++;
  while (end >= start && ctx.blank[end]) end--;
  return start <= end ? [start, end] : undefined;
}

/**
 * Cuts lines start..end into windows of at most `budget` tokens, overlapping by a couple of lines.
 * A window prefers to end just before a blank line in its last third (a natural seam), in which
 * case no overlap is needed.
 */
export function lineWindows(ctx: LineContext, start: number, end: number, symbol: string, budget = ctx.budget): Piece[] {
  const pieces: Piece[] = [];
  const { lines, tokens, blank } = ctx;
  let s = start;
  while (s <= end && blank[s]) s++;
  while (s <= end) {
    if (tokens.range(s, s) > budget) {
      pieces.push(...linePieces(lines[s], s, symbol, budget));
      s++;
      while (s <= end && blank[s]) s++;
      continue;
    }
    let e = s;
    while (e < end && tokens.range(s, e + 1) <= budget) e++;
    let cutAtBlank = false;
    if (e < end) {
      const from = s + Math.floor(((e - s) * 2) / 3);
      for (let b = e + 1; b > from; b--) {
        if (blank[b]) {
          e = b - 1;
          cutAtBlank = true;
          break;
        }
      }
    }
    const trimmed = trimRange(ctx, s, e);
    if (trimmed) pieces.push({ start: trimmed[0], end: trimmed[1], symbol });
    if (e >= end) break;
    const next = cutAtBlank ? e + 1 : e + 1 - OVERLAP_LINES;
    s = Math.max(next, s + 1);
    while (s <= end && blank[s]) s++;
  }
  return pieces;
}

/**
 * Blank-line separated blocks of prose (0-based inclusive ranges). A fenced code block is one
 * block even with blank lines inside, so a paragraph split never cuts a code sample in two.
 */
export function paragraphBlocks(ctx: LineContext, start: number, end: number): Array<[number, number]> {
  const blocks: Array<[number, number]> = [];
  let blockStart = -1;
  let fence = '';
  for (let i = start; i <= end; i++) {
    const line = ctx.lines[i];
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch) {
      if (!fence) fence = fenceMatch[1];
      else if (fenceMatch[1][0] === fence[0] && fenceMatch[1].length >= fence.length) fence = '';
    }
    if (ctx.blank[i] && !fence) {
      if (blockStart >= 0) blocks.push([blockStart, i - 1]);
      blockStart = -1;
    } else if (blockStart < 0) blockStart = i;
  }
  if (blockStart >= 0) blocks.push([blockStart, end]);
  return blocks.map(([s, e]) => trimRange(ctx, s, e)).filter((r): r is [number, number] => !!r);
}

/** Greedily packs paragraphs into pieces of at most `budget` tokens; an oversized paragraph gets line windows. */
export function groupParagraphs(ctx: LineContext, start: number, end: number, symbol: string): Piece[] {
  const pieces: Piece[] = [];
  let current: Piece | undefined;
  for (const [s, e] of paragraphBlocks(ctx, start, end)) {
    if (current && ctx.tokens.range(current.start, e) <= ctx.budget) {
      current.end = e;
      continue;
    }
    if (current) pieces.push(current);
    current = undefined;
    if (ctx.tokens.range(s, e) <= ctx.budget) current = { start: s, end: e, symbol };
    else pieces.push(...lineWindows(ctx, s, e, symbol));
  }
  if (current) pieces.push(current);
  return pieces;
}
