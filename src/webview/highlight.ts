/**
 * Splits text into plain and matched parts for the query terms (`why.terms`), case-insensitively.
 * Pure: the view turns the parts into text nodes and <mark> elements (never HTML strings).
 */
export interface Part {
  readonly text: string;
  readonly match: boolean;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function highlightParts(text: string, terms: readonly string[]): Part[] {
  const usable = [...new Set(terms.map((t) => t.trim()).filter((t) => t.length >= 2 || /[^\x00-\x7f]/.test(t)))]
    .sort((a, b) => b.length - a.length) // longest first: "indexing" before "index"
    .slice(0, 30);
  if (usable.length === 0 || !text) return text ? [{ text, match: false }] : [];
  const re = new RegExp(usable.map(escapeRe).join('|'), 'giu');
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const i = m.index ?? 0;
    if (m[0].length === 0) continue;
    if (i > last) parts.push({ text: text.slice(last, i), match: false });
    parts.push({ text: m[0], match: true });
    last = i + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), match: false });
  return parts;
}
