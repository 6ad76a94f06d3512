/**
 * Topic names by class-based TF-IDF (BERTopic's c-TF-IDF, docs/anchors.md §1.5): the texts of a
 * topic form one "class document"; a term scores tf(term, class) · log(1 + A / f(term)), where tf
 * is L1-normalised within the class, A is the average number of words per class and f(term) the
 * term's frequency over all classes. Terms frequent in one topic and rare elsewhere win.
 *
 * Two deliberate departures from BERTopic:
 * - the score is multiplied by (0.5 + 0.5 · share of the topic's notes that contain the term), so a
 *   word repeated in one long note cannot name a topic it does not represent;
 * - terms come from `tokenizeWords` (whole words, Chinese words via Intl.Segmenter, no bigrams) and
 *   are shown in their most frequent surface form, not as stems (`parsing`, not `pars`).
 */
import { splitIdentifier, stem, tokenizeWords } from '../text/tokenize';

export const DEFAULT_TOP_TERMS = 10;
export const LABEL_TERMS = 3;
export const LABEL_SEPARATOR = ' · ';

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const LATIN_WORD = /[\p{L}\p{N}_$]+/gu;
/**
 * Never topic names: markup/link noise that survives tokenisation of Markdown, plus generic verbs,
 * numerals and quantities (English stems and Chinese words) that the tokenizer's stop lists keep
 * because they matter for search. Short on purpose: c-TF-IDF already demotes words used everywhere.
 */
const NOISE_WORDS = [
  'http', 'https', 'www', 'com', 'org', 'html', 'md', 'png', 'jpg', 'nbsp', 'tag',
  'use', 'make', 'keep', 'need', 'also', 'more', 'most', 'only', 'each', 'every', 'after', 'before',
  'about', 'over', 'one', 'two', 'three', 'four', 'five', 'ten', 'first', 'then', 'very',
  'open', 'get', 'set', 'see', 'let', 'take', 'put', 'give', 'try', 'want',
  'like', 'just', 'still', 'even', 'well', 'good', 'new', 'old', 'way', 'thing', 'when', 'while',
  'until', 'during', 'into', 'through', 'out', 'up', 'down', 'off', 'again', 'other', 'same', 'next', 'last',
  '需要', '保持', '看到', '选择', '时候', '开始', '一般', '通常', '可能', '能够', '比较', '一些', '之前',
  '以后', '每次', '每天', '十五', '二十', '三十', '两个', '几个', '更好', '应当', '应该',
];
// Terms arrive stemmed (`befor`), so the English words are compared in that form.
const NOISE = new Set(NOISE_WORDS.map((w) => (CJK.test(w) ? w : stem(w))));

/** Removes things that tokenise into noise: URLs, HTML tags, code fences' info strings. */
function cleanForNaming(text: string): string {
  return text.replace(/https?:\/\/\S+/g, ' ').replace(/<[^>\n]+>/g, ' ').replace(/```\S*/g, ' ');
}

function isNameworthy(term: string): boolean {
  if (NOISE.has(term)) return false;
  if (/^[\p{N}_$]+$/u.test(term)) return false; // numbers
  if (/^[0-9a-f]{8,}$/.test(term)) return false; // hashes
  const hasCjk = CJK.test(term);
  // Mixed runs like `b树索引` are tokenizer artefacts (a Latin letter glued to Han), not words.
  if (hasCjk && /[a-z0-9]/i.test(term)) return false;
  return hasCjk ? [...term].length >= 2 : term.length >= 2;
}

interface ClassStats {
  readonly tf: Map<string, number>;
  readonly docFreq: Map<string, number>;
  readonly docs: number;
  total: number;
}

/**
 * Top terms of each class. `classes[i]` holds the texts (one per note) of class i. Returns the
 * display forms, best first, at most `topN` per class. Deterministic: ties break alphabetically.
 */
export function classKeywords(classes: readonly (readonly string[])[], topN = DEFAULT_TOP_TERMS): string[][] {
  const surfaces = new Map<string, Map<string, number>>();
  const stats: ClassStats[] = classes.map((texts) => {
    const s: ClassStats = { tf: new Map(), docFreq: new Map(), docs: texts.length, total: 0 };
    for (const raw of texts) {
      const text = cleanForNaming(raw);
      recordSurfaces(text, surfaces);
      const seen = new Set<string>();
      for (const term of tokenizeWords(text)) {
        if (!isNameworthy(term)) continue;
        s.tf.set(term, (s.tf.get(term) ?? 0) + 1);
        s.total++;
        seen.add(term);
      }
      for (const term of seen) s.docFreq.set(term, (s.docFreq.get(term) ?? 0) + 1);
    }
    return s;
  });
  const freq = new Map<string, number>();
  for (const s of stats) for (const [t, n] of s.tf) freq.set(t, (freq.get(t) ?? 0) + n);
  const avgWords = stats.reduce((a, s) => a + s.total, 0) / Math.max(1, stats.length);

  return stats.map((s) => {
    const scored: { term: string; score: number }[] = [];
    for (const [term, n] of s.tf) {
      const tf = n / Math.max(1, s.total);
      const idf = Math.log(1 + avgWords / freq.get(term)!);
      const coverage = (s.docFreq.get(term) ?? 0) / Math.max(1, s.docs);
      scored.push({ term, score: tf * idf * (0.5 + 0.5 * coverage) });
    }
    scored.sort((a, b) => b.score - a.score || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
    const out: string[] = [];
    const shown = new Set<string>();
    for (const { term } of scored) {
      const display = displayForm(term, surfaces);
      if (shown.has(display)) continue;
      shown.add(display);
      out.push(display);
      if (out.length >= topN) break;
    }
    return out;
  });
}

/** `keywords` → a short human label (the first few distinctive terms). */
export function labelFromKeywords(keywords: readonly string[], terms = LABEL_TERMS): string {
  return keywords.slice(0, terms).join(LABEL_SEPARATOR);
}

/** Counts, per stem, the lower-cased word parts that produced it, to show words instead of stems. */
function recordSurfaces(text: string, surfaces: Map<string, Map<string, number>>): void {
  for (const m of text.matchAll(LATIN_WORD)) {
    if (CJK.test(m[0])) continue;
    for (const part of splitIdentifier(m[0])) {
      const key = stem(part);
      let forms = surfaces.get(key);
      if (!forms) surfaces.set(key, (forms = new Map()));
      forms.set(part, (forms.get(part) ?? 0) + 1);
    }
  }
}

function displayForm(term: string, surfaces: Map<string, Map<string, number>>): string {
  const forms = surfaces.get(term);
  if (!forms) return term;
  let best = term;
  let bestCount = -1;
  for (const [form, n] of forms) {
    // Most frequent form; on ties the shorter (usually the singular), then alphabetical.
    if (n > bestCount || (n === bestCount && (form.length < best.length || (form.length === best.length && form < best)))) {
      best = form;
      bestCount = n;
    }
  }
  return best;
}
