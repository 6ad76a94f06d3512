/**
 * How much of two notes is the same text: the share of their words covered by a run of SHINGLE
 * consecutive words that both contain. One changed word in a sentence uncovers only that word
 * (its neighbours stay covered by runs on either side), so a note that is 95 % a copy reads ≈ 95 %.
 *
 * Boilerplate — runs found in many files (a template's headings, a licence, a man-page footer) —
 * counts neither as shared nor as content: two notes made from the same template with different
 * bodies share nothing.
 *
 * Words come from the product's tokenizer without stop-word removal or bigrams, so Chinese is
 * compared by segmented words and `the`/`的` still tie a run together.
 */
import { fnv1a } from '../text/stringHash';
import { tokenize } from '../text/tokenize';

export const SHINGLE = 4;

export interface ShingledText {
  /** Hash of the run starting at word i (length max(1, words − SHINGLE + 1); empty for no words). */
  readonly runs: Uint32Array;
  readonly words: number;
}

export function shingle(text: string): ShingledText {
  const words = tokenize(text, { bigrams: false, wholeIdentifiers: false, dropStopWords: false });
  const n = words.length;
  if (n === 0) return { runs: new Uint32Array(0), words: 0 };
  const count = Math.max(1, n - SHINGLE + 1);
  const runs = new Uint32Array(count);
  for (let i = 0; i < count; i++) runs[i] = fnv1a(words.slice(i, i + SHINGLE).join('\u0001'));
  return { runs, words: n };
}

/** Run → number of files containing it (each file counted once). */
export function runFrequencies(texts: Iterable<ShingledText>): Map<number, number> {
  const df = new Map<number, number>();
  for (const t of texts) for (const h of new Set(t.runs)) df.set(h, (df.get(h) ?? 0) + 1);
  return df;
}

export interface Coverage {
  /** Words not covered by boilerplate. */
  readonly content: number;
  /** Of those, words covered by a run the other text also has. */
  readonly matched: number;
}

/** Coverage of `a` by `bRuns`; `boilerplate(h)` marks runs that are neither content nor shared. */
export function coverage(a: ShingledText, bRuns: ReadonlySet<number>, boilerplate: (run: number) => boolean): Coverage {
  const span = Math.min(SHINGLE, a.words);
  const boiler = new Uint8Array(a.words);
  const covered = new Uint8Array(a.words);
  a.runs.forEach((h, i) => {
    const mark = boilerplate(h) ? boiler : bRuns.has(h) ? covered : undefined;
    if (mark) mark.fill(1, i, i + span);
  });
  let content = 0;
  let matched = 0;
  for (let w = 0; w < a.words; w++) {
    if (boiler[w]) continue;
    content++;
    if (covered[w]) matched++;
  }
  return { content, matched };
}

/** Share of the two texts' content words that the other text also has (0 when neither has content). */
export function sharedShare(a: ShingledText, b: ShingledText, boilerplate: (run: number) => boolean): number {
  const ca = coverage(a, new Set(b.runs), boilerplate);
  const cb = coverage(b, new Set(a.runs), boilerplate);
  const content = ca.content + cb.content;
  return content ? (ca.matched + cb.matched) / content : 0;
}

/**
 * Pairs of texts (keys, a < b) that share at least `minFraction` of the smaller one's distinct
 * content runs: every pair whose `sharedShare` can reach a useful level, found through the runs
 * themselves. A content run is in fewer than `boilerplateFiles` texts (more makes it boilerplate),
 * so each run pairs at most a handful of texts and the search stays linear in the words.
 */
export function pairsSharingRuns(texts: ReadonlyMap<string, ShingledText>, boilerplate: (run: number) => boolean, minFraction: number): [string, string][] {
  const keys = [...texts.keys()].sort();
  const owners = new Map<number, number[]>();
  const distinct: number[] = [];
  keys.forEach((k, i) => {
    const runs = new Set(texts.get(k)!.runs);
    let n = 0;
    for (const h of runs) {
      if (boilerplate(h)) continue;
      n++;
      const list = owners.get(h);
      if (list) list.push(i);
      else owners.set(h, [i]);
    }
    distinct.push(n);
  });
  const shared = new Map<number, number>();
  for (const list of owners.values()) {
    for (let x = 0; x < list.length; x++) for (let y = x + 1; y < list.length; y++) {
      const key = list[x] * keys.length + list[y];
      shared.set(key, (shared.get(key) ?? 0) + 1);
    }
  }
  const out: [string, string][] = [];
  for (const [key, n] of shared) {
    const a = Math.floor(key / keys.length);
    const b = key % keys.length;
    if (n >= minFraction * Math.min(distinct[a], distinct[b])) out.push([keys[a], keys[b]]);
  }
  return out.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
}

/** Share of a text's runs that are boilerplate (1 for a text without words). */
export function boilerplateShare(t: ShingledText, boilerplate: (run: number) => boolean): number {
  if (!t.runs.length) return 1;
  let n = 0;
  for (const h of t.runs) if (boilerplate(h)) n++;
  return n / t.runs.length;
}
