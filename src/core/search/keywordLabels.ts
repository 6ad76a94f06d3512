/** "Why it matched": the query words behind a keyword hit's matched terms. */
import type { LabeledTerm } from '../text/tokenize';

/**
 * Query words, as typed, behind the matched terms, in query order. When the whole identifier
 * matched (`parseConfig`), its parts (`parse`, `config`) are not listed again; likewise a matched
 * CJK compound (关键词) hides the segmenter's pieces inside it (关键, 词).
 */
export function matchedLabels(labeled: readonly LabeledTerm[], uniq: string[], mask: number): string[] {
  const matched = new Set<string>();
  uniq.forEach((t, q) => {
    if (q < 31 && mask & (1 << q)) matched.add(t);
  });
  const hits = labeled.filter((t) => matched.has(t.term));
  const wholeRuns = new Set(hits.filter((t) => t.whole).map((t) => t.run));
  const compounds = hits.filter((t) => t.crossing);
  const insideCompound = (t: LabeledTerm): boolean => !t.crossing && compounds.some((c) => c.start <= t.start && t.end <= c.end);
  const shown = hits.filter((t) => (t.whole || !wholeRuns.has(t.run)) && !insideCompound(t));
  shown.sort((a, b) => a.start - b.start || b.end - a.end);
  return [...new Set(shown.map((t) => t.label))];
}
