/**
 * Markdown: one chunk per heading section, its symbol the heading path (`Setup › Install`);
 * YAML frontmatter is parsed for a title and tags that go into every chunk's embed header.
 * A section over the budget is split by paragraphs (fenced code kept whole), then line windows.
 */
import { parse as parseYaml } from 'yaml';
import { type LineContext, type Piece, groupParagraphs, trimRange } from './windows';

export const BREADCRUMB_SEPARATOR = ' › ';

export interface Frontmatter {
  readonly title?: string;
  readonly tags?: readonly string[];
}

export interface MarkdownLayout {
  readonly pieces: Piece[];
  readonly frontmatter: Frontmatter;
}

interface Section {
  start: number;
  end: number;
  symbol: string;
  /** Only the heading line: folded into the next section. */
  headingOnly: boolean;
}

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Lines of the frontmatter block (`---` … `---`/`...` at the very top), or -1 when there is none. */
function frontmatterEnd(lines: readonly string[]): number {
  if (lines.length === 0 || lines[0].trimEnd() !== '---') return -1;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i].trimEnd();
    if (l === '---' || l === '...') return i;
  }
  return -1;
}

/** Undefined when the block is not valid YAML (then it is ordinary text). */
function readFrontmatter(lines: readonly string[], end: number): Frontmatter | undefined {
  if (end < 0) return {};
  try {
    const data: unknown = parseYaml(lines.slice(1, end).join('\n'));
    if (data === null || data === undefined) return {};
    if (typeof data !== 'object') return undefined;
    const record = data as Record<string, unknown>;
    const title = typeof record.title === 'string' ? record.title.trim() : undefined;
    const rawTags = record.tags ?? record.keywords;
    const tags = Array.isArray(rawTags)
      ? rawTags.filter((t): t is string | number => typeof t === 'string' || typeof t === 'number').map(String)
      : typeof rawTags === 'string'
        ? rawTags.split(/[,\s]+/).filter(Boolean)
        : undefined;
    return { ...(title ? { title } : {}), ...(tags?.length ? { tags } : {}) };
  } catch {
    return undefined; // malformed frontmatter is still text: it stays in the first chunk
  }
}

/** `_` runs that open or close emphasis: at a word's edge, not inside it. */
const EMPHASIS_UNDERSCORES = /(^|[^\p{L}\p{N}_])_+(?=[^\s_])|(?<=[^\s_])_+(?=$|[^\p{L}\p{N}_])/gu;

/**
 * Heading text without inline markup noise (`**x**`, `_x_`, `` `x` ``, links). Underscores inside
 * words are text, not emphasis (CommonMark): `# pg_dump 笔记` stays `pg_dump 笔记`.
 */
export function headingTitle(raw: string): string {
  const text = raw.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
  // Code spans are literal (`__init__`); emphasis is stripped only between them.
  return text
    .split(/(`+[^`]*`+)/)
    .map((part, i) => (i % 2 ? part.replace(/^`+|`+$/g, '') : part.replace(/\*+/g, '').replace(EMPHASIS_UNDERSCORES, '$1')))
    .join('')
    .trim();
}

function sections(ctx: LineContext, firstContentLine: number): Section[] {
  const { lines } = ctx;
  const out: Section[] = [];
  const stack: Array<{ level: number; title: string }> = [];
  let current: Section = { start: firstContentLine, end: -1, symbol: '', headingOnly: false };
  let fence = '';
  for (let i = firstContentLine; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      if (!fence) fence = fenceMatch[1];
      else if (fenceMatch[1][0] === fence[0] && fenceMatch[1].length >= fence.length) fence = '';
      continue;
    }
    const heading = fence ? null : ATX_HEADING.exec(line);
    if (!heading) continue;
    current.end = i - 1;
    out.push(current);
    const level = heading[1].length;
    while (stack.length && stack[stack.length - 1].level >= level) stack.pop();
    stack.push({ level, title: headingTitle(heading[2] ?? '') || '#'.repeat(level) });
    current = { start: i, end: -1, symbol: stack.map((h) => h.title).join(BREADCRUMB_SEPARATOR), headingOnly: false };
  }
  current.end = lines.length - 1;
  out.push(current);
  const kept: Section[] = [];
  for (const s of out) {
    const r = trimRange(ctx, s.start, s.end);
    if (!r) continue;
    kept.push({ ...s, start: r[0], end: r[1], headingOnly: s.symbol !== '' && r[0] === r[1] });
  }
  return kept;
}

export function chunkMarkdownPieces(ctx: LineContext): MarkdownLayout {
  const blockEnd = frontmatterEnd(ctx.lines);
  const parsed = readFrontmatter(ctx.lines, blockEnd);
  const frontmatter = parsed ?? {};
  // Valid frontmatter is metadata, not a hit of its own: its title and tags go into every chunk's
  // header instead. Only a note that has nothing else keeps it as its one chunk.
  let secs = sections(ctx, parsed ? blockEnd + 1 : 0);
  if (secs.length === 0 && blockEnd >= 0) secs = sections(ctx, 0);
  const pieces: Piece[] = [];
  for (let i = 0; i < secs.length; i++) {
    const s = secs[i];
    const next = secs[i + 1];
    // `## Setup` directly followed by `### Install`: the lone heading joins the next section.
    if (s.headingOnly && next && ctx.tokens.range(s.start, next.end) <= ctx.budget) {
      next.start = s.start;
      continue;
    }
    if (ctx.tokens.range(s.start, s.end) <= ctx.budget) pieces.push({ start: s.start, end: s.end, symbol: s.symbol });
    else pieces.push(...groupParagraphs(ctx, s.start, s.end, s.symbol));
  }
  return { pieces, frontmatter };
}
