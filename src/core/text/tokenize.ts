/**
 * The one tokenizer of the product: BM25, the offline vectors and topic names all use it, so a
 * term means the same thing everywhere.
 *
 * - Identifiers are split on camelCase, snake_case, kebab and digits, and the whole identifier is
 *   kept too (`parseHttpHeader` → `parsehttpheader`, `parse`, `http`, `header`): people search by
 *   parts and by whole names.
 * - Latin words get a light English stemmer (plural, -ing, -ed) — aggressive stemmers hurt code.
 * - CJK has no spaces: runs of Han/Kana/Hangul are segmented into words with Node's built-in
 *   `Intl.Segmenter`; for search, a long word also yields its inner bigrams (数据库 → 数据, 据库) and
 *   a single character the segmenter split off is joined back to its neighbour (关键|词 → 关键词).
 *   Measured on the Chinese dev corpus (bench/quality): bigrams across word boundaries cost 5 %
 *   MRR@10; jieba-wasm's search mode scored the same as this within noise, at 4 MB of WASM.
 */

/** Bump when tokens change: shared (team) indexes key their term statistics by it. */
export const TOKENIZER_VERSION = 'sw-tokenizer-1';

const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/u;
// The Latin branch must stop at a CJK character: `B树索引` is `b` + `树索引`, not one token.
const TOKEN_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])[\p{L}\p{N}_$])+/gu;
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const HANGUL = /\p{Script=Hangul}/u;

const segmenters = new Map<string, Intl.Segmenter>();
function segmenterFor(run: string): Intl.Segmenter {
  const locale = KANA.test(run) ? 'ja' : HANGUL.test(run) ? 'ko' : 'zh';
  let s = segmenters.get(locale);
  if (!s) {
    s = new Intl.Segmenter(locale, { granularity: 'word' });
    segmenters.set(locale, s);
  }
  return s;
}

/** English and code noise that carries no meaning for retrieval. Kept short on purpose. */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'has', 'have', 'if', 'in', 'into',
  'is', 'it', 'its', 'of', 'on', 'or', 'that', 'the', 'this', 'to', 'was', 'were', 'will', 'with',
  'which', 'when', 'then', 'than', 'there', 'these', 'those', 'can', 'do', 'does', 'not', 'no',
  'we', 'you', 'your', 'our', 'they', 'their', 'he', 'she', 'his', 'her', 'them', 'but', 'so',
  'var', 'let', 'const', 'new', 'return', 'function', 'def', 'self', 'true', 'false', 'null',
  'undefined', 'none', 'void', 'public', 'private', 'static', 'import', 'export', 'get', 'set',
]);

/** Chinese function words that the segmenter emits as words but that carry no topic. */
export const CJK_STOP_WORDS: ReadonlySet<string> = new Set([
  '的', '了', '和', '是', '在', '有', '与', '及', '或', '也', '就', '都', '而', '但', '被', '把',
  '对', '从', '到', '为', '以', '于', '上', '中', '下', '个', '这', '那', '我', '你', '他', '她',
  '它', '们', '我们', '你们', '他们', '一个', '这个', '那个', '可以', '如果', '因为', '所以',
  '使用', '进行', '通过', '没有', '不是', '就是', '还是', '以及', '之', '其', '等', '将', '并',
]);

/** Light English stemmer: enough to join `files`/`file`, `parsing`/`parse`, `indexed`/`index`. */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let s = stripSuffix(word);
  // -ation joins the noun to its verb: `installation` → `install`, `configuration`/`configure` → `configur`.
  if (s.endsWith('ation') && s.length >= 9) s = s.slice(0, -5);
  // A final silent e is dropped everywhere, so `parse`, `parsed` and `parsing` meet at `pars`.
  return s.length > 3 && s.endsWith('e') ? s.slice(0, -1) : s;
}

function stripSuffix(word: string): string {
  if (word.endsWith('ies') && word.length > 4) return word.slice(0, -3) + 'y';
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('ing') && word.length > 5) return undouble(word.slice(0, -3));
  if (word.endsWith('ed') && word.length > 4) return undouble(word.slice(0, -2));
  if (word.endsWith('es') && /(?:ch|sh|x|z|ss)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is')) return word.slice(0, -1);
  return word;
}

function undouble(w: string): string {
  return /([^aeiouslz])\1$/.test(w) ? w.slice(0, -1) : w;
}

/** Splits an identifier into lower-case parts: `parseHTTPHeader2` → parse, http, header, 2. */
export function splitIdentifier(identifier: string): string[] {
  return identifier
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .replace(/(\p{L})(\p{N})|(\p{N})(\p{L})/gu, (_m, a, b, c, d) => (a ? `${a} ${b}` : `${c} ${d}`))
    .split(/[\s_$]+/)
    .filter(Boolean)
    .map((p) => p.toLowerCase());
}

export interface TokenizeOptions {
  /** Add CJK character bigrams (for search). Off for topic naming, which wants whole words. */
  readonly bigrams?: boolean;
  /** Keep the whole identifier as well as its parts. */
  readonly wholeIdentifiers?: boolean;
  /** Drop stop words. */
  readonly dropStopWords?: boolean;
}

const SEARCH_DEFAULTS: Required<TokenizeOptions> = { bigrams: true, wholeIdentifiers: true, dropStopWords: true };

/** Splits text into search terms (lower-cased, stemmed, CJK segmented + bigrams). Order follows the text. */
export function tokenize(text: string, options: TokenizeOptions = SEARCH_DEFAULTS): string[] {
  const out: string[] = [];
  forEachTerm(text, options === SEARCH_DEFAULTS ? SEARCH_DEFAULTS : { ...SEARCH_DEFAULTS, ...options }, (term) => out.push(term));
  return out;
}

/** A search term plus what a person typed to produce it (for "why it matched"). */
export interface LabeledTerm {
  /** The term exactly as `tokenize` emits it (lower-cased, stemmed). */
  readonly term: string;
  /** Human-readable source: the identifier as typed, an unstemmed identifier part, or a CJK word. */
  readonly label: string;
  /** Index of the run of text (identifier or CJK run) the term came from. */
  readonly run: number;
  /** True for the whole-identifier term of a multi-part identifier (its parts share `run`). */
  readonly whole: boolean;
  /** UTF-16 span in the text of what produced the term (the run for identifier parts). */
  readonly start: number;
  readonly end: number;
  /** A CJK bigram across a word boundary (its label is the bigram, not a word). */
  readonly crossing: boolean;
}

/**
 * Same terms, in the same order, as `tokenize(text)` with search defaults, each with a label a
 * person recognises: `parsing` rather than the stem `pars`, `目录` rather than the bigram.
 */
export function tokenizeLabeled(text: string): LabeledTerm[] {
  const out: LabeledTerm[] = [];
  let run = -1;
  let lastRunStart = -1;
  forEachTerm(text, SEARCH_DEFAULTS, (term, label, whole, runStart, start, end, crossing) => {
    if (runStart !== lastRunStart) {
      run++;
      lastRunStart = runStart;
    }
    out.push({ term, label, run, whole, start, end, crossing });
  });
  return out;
}

/** (term, label, whole identifier?, run offset, span of the source, crossing bigram?). */
type TermSink = (term: string, label: string, whole: boolean, runStart: number, start: number, end: number, crossing: boolean) => void;

const NON_ASCII = /[^\x00-\x7f]/;

/** ASCII letters, digits, `_` and `$`: what TOKEN_RE's Latin branch matches in ASCII text. */
const WORD_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) WORD_CHAR[c] = /[A-Za-z0-9_$]/.test(String.fromCharCode(c)) ? 1 : 0;

function forEachTerm(text: string, opt: Required<TokenizeOptions>, emit: TermSink): void {
  // Pure-ASCII text (most code): the same runs as TOKEN_RE, found by a char scan — the Unicode
  // regex was a fifth of the tokenizer's time on a 60 MB build.
  if (!NON_ASCII.test(text)) {
    for (let i = 0, n = text.length; i < n; ) {
      if (WORD_CHAR[text.charCodeAt(i)] === 0) {
        i++;
        continue;
      }
      const at = i;
      while (++i < n && WORD_CHAR[text.charCodeAt(i)] === 1);
      tokenizeLatin(text.slice(at, i), at, opt, emit);
    }
    return;
  }
  for (const match of text.matchAll(TOKEN_RE)) {
    const run = match[0];
    const at = match.index ?? 0;
    if (run.charCodeAt(0) >= 0x1100 && CJK_RUN.test(run[0])) tokenizeCjk(run, at, opt, emit);
    else tokenizeLatin(run, at, opt, emit);
  }
}

/** Whole words only (no bigrams, no lone CJK characters): the vocabulary of topic names. */
export function tokenizeWords(text: string): string[] {
  return tokenize(text, { bigrams: false, wholeIdentifiers: false, dropStopWords: true }).filter(
    (t) => !(CJK_RUN.test(t) && [...t].length < 2),
  );
}

/** (term, label, whole) triples of one identifier; flattened for a compact cache. */
type LatinTerms = (string | boolean)[];

/**
 * Identifiers recur endlessly in code, and splitting one takes several regex passes, so the terms of
 * each identifier are cached (per option set). The cache is simply dropped when it gets large.
 */
/** One cache per (wholeIdentifiers, dropStopWords), keyed by the run itself (no key to build). */
const latinCaches: Map<string, LatinTerms>[] = [new Map(), new Map(), new Map(), new Map()];
const LATIN_CACHE_MAX = 100_000;

/**
 * Empties the identifier caches. A full build calls it once the chunks are tokenized: on 60 MB of
 * headers the caches held ~100k identifiers (~20 MB of main heap) through the LSA fit, where the
 * build's memory peaks, and nothing after the scan tokenizes that much.
 */
export function releaseTokenizerCaches(): void {
  for (const cache of latinCaches) cache.clear();
}

function latinTerms(run: string, opt: Required<TokenizeOptions>): LatinTerms {
  const latinCache = latinCaches[(opt.wholeIdentifiers ? 2 : 0) + (opt.dropStopWords ? 1 : 0)];
  let cached = latinCache.get(run);
  if (cached) return cached;
  cached = [];
  // Fast path: a plain lower-case word is its own only part.
  const parts = /^[a-z]+$/.test(run) ? [run] : splitIdentifier(run);
  const whole = run.toLowerCase().replace(/^[_$]+|[_$]+$/g, '');
  if (opt.wholeIdentifiers && parts.length > 1 && whole.length > 2) cached.push(whole, run.replace(/^[_$]+|[_$]+$/g, ''), true);
  for (const part of parts) {
    if (part.length < 2 && !/\d/.test(part)) continue;
    if (opt.dropStopWords && STOP_WORDS.has(part)) continue;
    cached.push(stem(part), part, false);
  }
  if (latinCache.size >= LATIN_CACHE_MAX) latinCache.clear();
  // `run` (and a label equal to it) is a slice of the text being tokenized: as a cache key it would
  // keep that whole text alive — on a full build, chunk texts the indexer has already dropped.
  for (let i = 0; i < cached.length; i++) if (typeof cached[i] === 'string') cached[i] = own(cached[i] as string);
  latinCache.set(own(run), cached);
  return cached;
}

/** A copy of a string that shares no memory with the text it was cut from (V8 slices ≥ 13 chars). */
function own(s: string): string {
  return s.length >= 13 ? (' ' + s).slice(1) : s;
}

function tokenizeLatin(run: string, at: number, opt: Required<TokenizeOptions>, emit: TermSink): void {
  const terms = latinTerms(run, opt);
  const end = at + run.length;
  for (let i = 0; i < terms.length; i += 3) emit(terms[i] as string, terms[i + 1] as string, terms[i + 2] as boolean, at, at, end, false);
}

function tokenizeCjk(run: string, at: number, opt: Required<TokenizeOptions>, emit: TermSink): void {
  const words: { w: string; len: number; start: number; stop: boolean }[] = [];
  for (const seg of segmenterFor(run).segment(run)) {
    if (!seg.isWordLike) {
      words.push({ w: '', len: 0, start: seg.index, stop: true });
      continue;
    }
    const w = seg.segment;
    const stop = opt.dropStopWords && CJK_STOP_WORDS.has(w);
    words.push({ w, len: [...w].length, start: seg.index, stop });
  }
  for (let i = 0; i < words.length; i++) {
    const { w, len, start, stop } = words[i];
    if (!w) continue;
    if (!stop) emit(w, w, false, at, at + start, at + start + w.length, false);
    if (!opt.bigrams) continue;
    // Search extras, as jieba's search mode gives them: the parts of a long word...
    if (len > 2) {
      const chars = [...w];
      let off = start;
      for (let c = 0; c + 1 < chars.length; c++) {
        emit(chars[c] + chars[c + 1], w, false, at, at + off, at + off + chars[c].length + chars[c + 1].length, false);
        off += chars[c].length;
      }
    }
    // ...and the compound a segmenter without a dictionary entry splits off a single character
    // (关键|词 → 关键词, 语|义 → 语义).
    const next = words[i + 1];
    if (next?.w && !stop && !next.stop && (len === 1 || next.len === 1) && len + next.len <= 3) {
      const compound = w + next.w;
      emit(compound, compound, false, at, at + start, at + start + compound.length, true);
    }
  }
}

/** True when the text holds CJK characters (used to pick token estimates and UI hints). */
export function hasCjk(text: string): boolean {
  return CJK_RUN.test(text);
}
