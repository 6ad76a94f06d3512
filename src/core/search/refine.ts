/**
 * Query-time refinements of the keyword list and the dense query, run by rank.ts between retrieval
 * and fusion. None of them changes an index: page aggregation uses chunk metadata, proximity and
 * pseudo-relevance feedback read the texts of the first few hits (the chunk's own lines, read back
 * from its file as snippets are), Rocchio reads a few stored vectors.
 *
 * - Pages: a note split into sections is scored whole by a person ("the page about scp"), so a doc
 *   chunk also earns a share of its page's other matching chunks.
 * - Proximity: `parse config` should prefer `parseConfig(...)` over a chunk that says "parse" at the
 *   top and "config" at the bottom; consecutive query terms found within a few tokens of each other
 *   earn a bonus (a simplified BM25TP, Rasolofo & Savoy 2003).
 * - PRF (RM3, Lavrenko & Croft 2001 / Abdul-Jaleel et al. 2004): the first keyword hits are taken as
 *   relevant; their most characteristic terms (p(t|R) · idf) join the query with small weights,
 *   which finds chunks that describe the same thing in other words.
 * - Rocchio (1971) on vectors: the dense query moves toward the mean vector of the first keyword
 *   hits, so the vector list looks for "more like the keyword winners" instead of the weak LSA
 *   projection of a short query alone.
 */
import type { ChunkInfo } from '../types';
import { STOP_WORDS, tokenize } from '../text/tokenize';
import type { RefineContext } from './hybrid';
import type { KeywordHit, KeywordIndex } from './keywordIndex';
import type { RankPolicy } from './rankPolicy';
import type { VectorIndex } from './vectorIndex';
import { normalizeInPlace } from './vectorIndex';

/** A chunk's own text by id (undefined when it cannot be read, e.g. the file changed or is gone). */
export type TextOf = (id: number, chunk: ChunkInfo) => string | undefined;

const byScore = (a: KeywordHit, b: KeywordHit) => b.score - a.score || a.id - b.id;

/** Each doc chunk gains `sibling` × the summed keyword scores of the other chunks of its page in the list. */
export function aggregatePages(kw: KeywordHit[], chunkOf: RefineContext['chunkOf'], sibling: number): KeywordHit[] {
  if (sibling <= 0) return kw;
  const pageSum = new Map<string, number>();
  for (const h of kw) {
    const c = chunkOf(h.id);
    if (c?.kind === 'doc') pageSum.set(c.path, (pageSum.get(c.path) ?? 0) + h.score);
  }
  return kw.map((h) => {
    const c = chunkOf(h.id);
    if (c?.kind !== 'doc') return h;
    return { ...h, score: h.score + sibling * (pageSum.get(c.path)! - h.score) };
  }).sort(byScore);
}

/**
 * Fraction (0..1, idf-weighted) of the query's consecutive term pairs that occur within `window`
 * tokens of each other in `tokens` (closer counts more).
 */
export function proximityScore(queryTerms: readonly string[], tokens: readonly string[], window: number, idf: (t: string) => number): number {
  const pairs: [string, string, number][] = [];
  for (let i = 0; i + 1 < queryTerms.length; i++) {
    if (queryTerms[i] !== queryTerms[i + 1]) pairs.push([queryTerms[i], queryTerms[i + 1], Math.min(idf(queryTerms[i]), idf(queryTerms[i + 1]))]);
  }
  if (!pairs.length) return 0;
  const wanted = new Set(queryTerms);
  const positions = new Map<string, number[]>();
  tokens.forEach((t, i) => {
    if (!wanted.has(t)) return;
    const list = positions.get(t);
    if (list) list.push(i);
    else positions.set(t, [i]);
  });
  let got = 0, total = 0;
  for (const [a, b, w] of pairs) {
    total += w;
    const pa = positions.get(a), pb = positions.get(b);
    if (!pa || !pb) continue;
    let best = Infinity;
    // Both lists ascending: a two-pointer walk finds the closest pair.
    for (let i = 0, j = 0; i < pa.length && j < pb.length;) {
      best = Math.min(best, Math.abs(pa[i] - pb[j]));
      if (pa[i] < pb[j]) i++;
      else j++;
    }
    if (best <= window) got += w / best;
  }
  return total > 0 ? got / total : 0;
}

export interface TextRefineInput {
  readonly keyword: KeywordIndex;
  readonly query: string;
  readonly textOf: TextOf;
  readonly policy: RankPolicy;
  /** Terms the first keyword search already added (compounds): kept in the PRF search. */
  readonly expansion?: ReadonlyMap<string, number>;
}

/** Texts of the first `n` hits, tokenized (each text once per search). */
function tokensOfFirst(kw: readonly KeywordHit[], n: number, ctx: RefineContext, textOf: TextOf, cache: Map<number, string[] | null>): (string[] | null)[] {
  return kw.slice(0, n).map((h) => {
    if (!cache.has(h.id)) {
      const c = ctx.chunkOf(h.id);
      const text = c ? textOf(h.id, c) : undefined;
      cache.set(h.id, text === undefined ? null : tokenize(text));
    }
    return cache.get(h.id)!;
  });
}

function idfOf(keyword: KeywordIndex): (t: string) => number {
  const n = Math.max(1, keyword.size);
  return (t) => {
    const df = keyword.documentFrequency(t);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  };
}

/** RM3 expansion terms (not already in the query) with their query weights, from the first hits' tokens. */
export function feedbackTerms(docs: readonly (readonly string[] | null)[], scores: readonly number[], queryTerms: ReadonlySet<string>, idf: (t: string) => number, terms: number, weight: number): Map<string, number> {
  const rel = new Map<string, number>();
  const total = scores.reduce((a, s, i) => a + (docs[i] ? s : 0), 0);
  docs.forEach((tokens, i) => {
    if (!tokens || !tokens.length || total <= 0) return;
    const w = scores[i] / total / tokens.length;
    for (const t of tokens) rel.set(t, (rel.get(t) ?? 0) + w);
  });
  const ranked = [...rel].filter(([t]) => !queryTerms.has(t)).map(([t, p]) => [t, p * idf(t)] as const)
    .filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, terms);
  const top = ranked.length ? ranked[0][1] : 1;
  return new Map(ranked.map(([t, s]) => [t, (weight * s) / top]));
}

/** The keyword list after proximity and PRF (pages are applied last, by the caller). */
export function refineByText(kw: KeywordHit[], ctx: RefineContext, r: TextRefineInput): KeywordHit[] {
  const { proximity, prf } = r.policy;
  if ((proximity.weight <= 0 && prf.docs <= 0) || !kw.length) return kw;
  const cache = new Map<number, string[] | null>();
  const queryTerms = tokenize(r.query);
  const idf = idfOf(r.keyword);
  let list = kw;
  if (prf.docs > 0 && prf.terms > 0 && prf.weight > 0) {
    const docs = tokensOfFirst(list, prf.docs, ctx, r.textOf, cache);
    const expansion = feedbackTerms(docs, list.slice(0, prf.docs).map((h) => h.score), new Set(queryTerms), idf, prf.terms, prf.weight);
    if (expansion.size) {
      const again = r.keyword.search(r.query, ctx.depth, ctx.allow, new Map([...(r.expansion ?? []), ...expansion]));
      // Matched words stay the query's own (what the person typed).
      const terms = new Map(list.map((h) => [h.id, h.terms]));
      list = again.map((h) => ({ ...h, terms: terms.get(h.id) ?? h.terms }));
    }
  }
  if (proximity.weight > 0 && queryTerms.length > 1 && list.length) {
    const best = list[0].score;
    const docs = tokensOfFirst(list, proximity.depth, ctx, r.textOf, cache);
    list = list.map((h, i) => {
      const tokens = docs[i];
      if (!tokens) return h;
      const p = proximityScore(queryTerms, tokens, proximity.window, idf);
      return p > 0 ? { ...h, score: h.score + proximity.weight * best * p } : h;
    }).sort(byScore);
  }
  return list;
}

/**
 * Consecutive query words (pairs and triples, with and without the stop words between them) joined
 * the way the tokenizer keeps a whole identifier — `readUserSettings` → `readusersettings`,
 * `read_user_settings` → itself — that occur in the index, each with query weight `weight`.
 */
export function compoundTerms(query: string, keyword: Pick<KeywordIndex, 'documentFrequency'>, weight: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const joined of compoundCandidates(query, weight)) if (keyword.documentFrequency(joined) > 0) out.set(joined, weight);
  return out;
}

/** The identifiers `compoundTerms` looks up, in its order (repeats included): none when the weight is 0. */
export function compoundCandidates(query: string, weight: number): string[] {
  const out: string[] = [];
  if (weight <= 0) return out;
  const words = (query.match(/[A-Za-z][A-Za-z0-9]*/g) ?? []).map((w) => w.toLowerCase());
  const content = words.filter((w) => !STOP_WORDS.has(w));
  for (const list of [words, content]) {
    for (let i = 0; i + 1 < list.length; i++) {
      for (const n of [2, 3]) {
        if (i + n > list.length) continue;
        const parts = list.slice(i, i + n);
        for (const joined of [parts.join(''), parts.join('_')]) if (joined.length > 4) out.push(joined);
      }
    }
  }
  return out;
}

/** Rocchio: (1 − weight) · q + weight · mean(first `docs` keyword hits' vectors), re-normalised. */
export function rocchioQuery(vector: VectorIndex, kw: readonly KeywordHit[], q: Float32Array, docs: number, weight: number): Float32Array {
  const ids = kw.slice(0, docs).map((h) => h.id).filter((id) => vector.has(id));
  if (!ids.length || weight <= 0) return q;
  const dims = vector.dims;
  const rows = vector.rowsOf(ids);
  const out = Float32Array.from(q);
  normalizeInPlace(out, 0, dims);
  for (let j = 0; j < dims; j++) {
    let s = 0;
    for (let i = 0; i < ids.length; i++) s += rows[i * dims + j];
    out[j] = (1 - weight) * out[j] + (weight * s) / ids.length;
  }
  normalizeInPlace(out, 0, dims);
  return out;
}
