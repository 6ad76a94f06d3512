/**
 * chunkFile: text of one file → chunks ready for an embedder. Dispatches on the language (syntax
 * chunks for code with a grammar, heading sections for Markdown, paragraphs for prose, line windows
 * for the rest), then builds each chunk's embed text (header + text), scrubs secrets from it,
 * hashes it and enforces the token budget on the final text.
 */
import crypto from 'node:crypto';
import { scrubSecrets } from '../security/scrub';
import type { Chunk, ChunkKind } from '../types';
import { chunkCodePieces } from './codeChunker';
import { chunkHeaderPieces, chunkStructurally } from './braceUnits';
import { commentMarker, grammarForPath, kindForLanguage, languageForPath } from './languages';
import { type Frontmatter, chunkMarkdownPieces } from './markdown';
import { TRUNCATE_AT_TOKENS } from '../embedding/tokens';
import { countChars, estimateTokens } from './tokens';
import { type LineContext, type Piece, groupParagraphs, linePieces, lineWindows, makeLineContext } from './windows';

/**
 * Bump when chunk boundaries, headers, hashing or secret scrubbing change: every file is then
 * re-chunked (vectors of chunks whose embed text is unchanged are still reused, so this costs CPU,
 * not API calls). 3: the scrubber learned npm/hf/SendGrid/Azure/curl -u/XML/connection-string secrets.
 * 4: the tokenizer's Chinese search terms changed (no cross-word bigrams; compounds + word parts).
 * 5: pieces of one long line carry column spans; minified bundles, source maps and lockfiles
 * are skipped by content.
 * 6: C/C++ headers of 64 KiB and more are chunked structurally, without a parse (braceUnits.ts).
 */
export const CHUNKER_VERSION = 'sw-chunker-6';

export const DEFAULT_MAX_TOKENS = 1000;
/** DashScope rejects inputs over 8,192 tokens: a chunk never exceeds where the embedders' guard cuts. */
export const MAX_TOKENS_CAP = TRUNCATE_AT_TOKENS;
const MIN_TOKENS = 64;
/** Room kept for the symbol line of the header, which is unknown until pieces are final. */
const SYMBOL_HEADER_RESERVE = 40;

export interface ChunkOptions {
  /** Token budget per chunk, embed header included. Default 1000, clamped to 64..7500. */
  readonly maxTokens?: number;
}

interface FileFacts {
  readonly path: string;
  readonly language: string;
  readonly kind: ChunkKind;
  readonly frontmatter: Frontmatter;
  /** The file text without BOM; chunk texts are slices of it. */
  readonly source: string;
}

function headerFor(file: Omit<FileFacts, 'source'>, symbol: string): string {
  if (file.kind === 'doc') {
    let h = `path: ${file.path}${symbol ? ` · ${symbol}` : ''}\n`;
    if (file.frontmatter.title) h += `title: ${file.frontmatter.title}\n`;
    if (file.frontmatter.tags?.length) h += `tags: ${file.frontmatter.tags.join(', ')}\n`;
    return h;
  }
  const c = commentMarker(file.language);
  return `${c} path: ${file.path}\n${symbol ? `${c} symbol: ${symbol}\n` : ''}`;
}

const COMMENT_LINE = /^\s*(?:\/\/|\/\*|\*|#|--|<!--|-->|;;|%|\*\/)/;

/**
 * A code piece with no symbol made only of comments — a licence header, a file banner. It is
 * embedded without the path header, so the same licence text in a hundred files has one hash and
 * is embedded (and paid for) once.
 */
function isBoilerplateComment(file: Omit<FileFacts, 'source'>, symbol: string, text: string): boolean {
  if (file.kind !== 'code' || symbol) return false;
  let comment = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (!COMMENT_LINE.test(line)) return false;
    comment++;
  }
  return comment >= 3;
}

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
}

function clampTokens(value: number | undefined): number {
  const v = value === undefined || !Number.isFinite(value) ? DEFAULT_MAX_TOKENS : Math.floor(value);
  return Math.min(MAX_TOKENS_CAP, Math.max(MIN_TOKENS, v));
}

/** Splits a text into lines as the chunk spans count them: on '\n' only, so CRLF files keep their '\r'. */
function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop(); // the final newline ends a line, it does not open one
  return lines;
}

/** Mostly made of very long lines: bundles, minified code, generated data. */
function looksMinified(lines: readonly string[], length: number): boolean {
  let long = 0;
  for (const line of lines) if (line.length > 1000) long += line.length;
  return long > length / 2;
}

export async function chunkFile(path: string, text: string, opts: ChunkOptions = {}): Promise<Chunk[]> {
  if (!/\S/.test(text)) return [];
  const maxTokens = clampTokens(opts.maxTokens);
  const language = languageForPath(path);
  const kind = kindForLanguage(language);
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = splitLines(source);

  // The header's share of the budget: path (+ frontmatter for Markdown) now, the symbol line reserved.
  const budgetFor = (fm: Frontmatter): number =>
    Math.max(16, maxTokens - estimateTokens(headerFor({ path, language, kind, frontmatter: fm }, '')) - SYMBOL_HEADER_RESERVE);
  let frontmatter: Frontmatter = {};
  let pieces: Piece[];
  let ctx = makeLineContext(lines, budgetFor(frontmatter));
  if (language === 'markdown') {
    const probe = chunkMarkdownPieces(ctx);
    frontmatter = probe.frontmatter;
    pieces = probe.pieces;
    if (frontmatter.title || frontmatter.tags) {
      // Frontmatter title/tags go into every header: lay out again with the smaller budget.
      ctx = { ...ctx, budget: budgetFor(frontmatter) };
      pieces = chunkMarkdownPieces(ctx).pieces;
    }
  } else {
    // Minified code gains nothing from a parse (chunks are whole lines) and can be slow to parse.
    const grammar = looksMinified(lines, source.length) ? undefined : grammarForPath(path);
    // Large C/C++ headers: a structural pass instead of a parse (braceUnits.ts says why).
    const syntaxPieces = !grammar ? undefined
      : chunkStructurally(path, grammar, source.length) ? chunkHeaderPieces(ctx)
        : await chunkCodePieces(ctx, source, grammar).catch(() => undefined);
    pieces =
      syntaxPieces ??
      (kind === 'doc' ? groupParagraphs(ctx, 0, lines.length - 1, '') : lineWindows(ctx, 0, lines.length - 1, ''));
  }
  const file: FileFacts = { path, language, kind, frontmatter, source };
  const chunks: Chunk[] = [];
  for (const piece of pieces) emit(chunks, file, ctx, piece, maxTokens, ctx.budget);
  return chunks;
}

/**
 * Builds the chunk of a piece; if the scrubbed embed text is still over maxTokens (a long symbol,
 * a scrubber replacement longer than the secret), the piece is split again with a smaller budget.
 */
function emit(out: Chunk[], file: FileFacts, ctx: LineContext, piece: Piece, maxTokens: number, budget: number): void {
  const { offsets } = ctx.tokens;
  const text = piece.text ?? file.source.slice(offsets[piece.start], offsets[piece.end + 1] - 1);
  const header = isBoilerplateComment(file, piece.symbol, text) ? '' : headerFor(file, piece.symbol);
  const scrubbed = scrubSecrets(header + text);
  const embedText = scrubbed.text;
  // Unchanged by the scrubber: the estimate comes from the per-line sums instead of a rescan.
  const tokens =
    scrubbed.found === 0 && piece.text === undefined
      ? ctx.tokens.rangeWith(piece.start, piece.end, countChars(header))
      : estimateTokens(embedText);
  if (tokens > maxTokens && budget > 8) {
    const smaller = Math.max(8, Math.floor(budget - (tokens - maxTokens) - 8));
    const parts: Piece[] =
      piece.text !== undefined || piece.start === piece.end
        ? linePieces(text, piece.start, piece.symbol, smaller, piece.col ?? 0)
        : lineWindows(ctx, piece.start, piece.end, piece.symbol, smaller);
    if (parts.length > 1 || smaller < budget) {
      for (const p of parts) emit(out, file, ctx, p, maxTokens, smaller);
      return;
    }
  }
  out.push({
    path: file.path,
    startLine: piece.start + 1,
    endLine: piece.end + 1,
    kind: file.kind,
    language: file.language,
    symbol: piece.symbol,
    // Part of one long line: its column span (1-based, inclusive), so a hit shows and opens this part only.
    ...(piece.text !== undefined ? { startColumn: (piece.col ?? 0) + 1, endColumn: (piece.col ?? 0) + Math.max(1, text.length) } : {}),
    text,
    embedText,
    hash: sha256(embedText),
    tokens,
  });
}
