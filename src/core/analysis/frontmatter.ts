/**
 * Locating YAML frontmatter without re-serialising anything: offsets into the original text, so
 * edits can be surgical and every other byte (comments, quoting, CRLF, BOM) stays as it was.
 */
import { parseDocument, type Document } from 'yaml';

export interface FrontmatterBlock {
  /** Offset of the YAML body (after the opening `---` line). */
  readonly bodyStart: number;
  /** Offset where the closing `---`/`...` line starts (end of the YAML body). */
  readonly bodyEnd: number;
  readonly body: string;
  /** The line ending the file uses (`\r\n` or `\n`). */
  readonly eol: string;
}

const BOM = '\uFEFF';

export function lineEndingOf(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/** Finds the frontmatter of a Markdown text (which may start with a BOM); undefined when there is none. */
export function locateFrontmatter(text: string): FrontmatterBlock | undefined {
  const offset = text.startsWith(BOM) ? 1 : 0;
  const open = /^---[ \t]*\r?\n/.exec(text.slice(offset));
  if (!open) return undefined;
  const bodyStart = offset + open[0].length;
  // The closing fence is the first line that is exactly `---` or `...` (trailing blanks allowed).
  const close = /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/gm;
  close.lastIndex = bodyStart;
  for (let m = close.exec(text); m; m = close.exec(text)) {
    if (m.index < bodyStart) continue;
    return { bodyStart, bodyEnd: m.index, body: text.slice(bodyStart, m.index), eol: lineEndingOf(text) };
  }
  return undefined;
}

/** The parsed frontmatter (with node ranges relative to `block.body`), or undefined when absent. */
export function parseFrontmatter(text: string): { block: FrontmatterBlock; doc: Document } | undefined {
  const block = locateFrontmatter(text);
  if (!block) return undefined;
  return { block, doc: parseDocument(block.body, { keepSourceTokens: false }) };
}

/** Tags as Obsidian reads them: a list, or a string separated by commas/spaces; `#` prefixes dropped. */
export function tagsFromValue(value: unknown): string[] {
  const raw: unknown[] = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[,，\s]+/) : [];
  return raw
    .filter((t): t is string | number => typeof t === 'string' || typeof t === 'number')
    .map((t) => normalizeTag(String(t)))
    .filter(Boolean);
}

export function normalizeTag(tag: string): string {
  return tag.trim().replace(/^#+/, '').trim();
}
