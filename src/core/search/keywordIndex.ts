/**
 * BM25F keyword index over the shared tokenizer. Three fields per chunk — text, symbol path, file
 * path — whose term frequencies are weighted and length-normalised separately and then saturated
 * once (Robertson & Zaragoza's BM25F): a query word in a function's name or file name counts more
 * than one in its body, without the double saturation of summing three BM25 scores.
 *
 * Removal leaves tombstones (skipped at query time, still counted in document frequencies — as
 * Lucene does — except in a `mapIds` view) until enough pile up, `serialize()` or `remap()` purge them.
 */
import { tokenize, tokenizeLabeled } from '../text/tokenize';
import { matchedLabels } from './keywordLabels';
import type { CountedTerms } from '../text/termPack';
import { PostingStore } from './postings';
import { KeywordDocs, LIVE, REMOVED } from './keywordDocs';
import { scoreTerms } from './keywordScorer';
import { TopK } from './topK';
import { readKeywordIndexSteps, writeKeywordIndex, type KeywordIndexParts } from './keywordCodec';
import { runSteps, type Steps } from '../slices';
import { TermDictionary } from './termDictionary';

export interface KeywordDoc {
  readonly text: string;
  readonly symbol: string;
  readonly path: string;
}

export interface KeywordHit {
  readonly id: number;
  readonly score: number;
  /** Query words (as typed) found in the chunk. */
  readonly terms: string[];
}

/**
 * BM25 saturation and the per-field weights / length normalisation of BM25F, chosen on the dev
 * corpora of bench/quality/SPLIT.md (bench/quality/keywordLab.ts). Session 17, on 10 dev corpora:
 * k1 2.0, symbol ×8, path ×3 (were 1.6, ×5, ×1.5) — +1.2 … +4.9 % keyword MRR@10 on the four code
 * corpora, +0.0 … +2.0 % on the six docs corpora, none lower.
 */
export const BM25F = {
  k1: 2.0,
  text: { weight: 1, b: 0.75 },
  symbol: { weight: 8, b: 0.5 },
  path: { weight: 3, b: 0.5 },
} as const;

/** Text term frequencies are capped so a posting value fits two varint bytes. */
const MAX_TF = 4000;
/**
 * A build adds every chunk before its first search: its pending postings (12 bytes each, in a log
 * that doubles) are sealed (1-2 bytes each) once this many wait. Sealing ascending ids appends to
 * each list, so the lists are byte for byte those of one merge at the end.
 */
const SEAL_PENDING = 1 << 18;

export class KeywordIndex {
  private terms = TermDictionary.empty();
  private store = new PostingStore();
  /** A `sharedView`: its terms and postings belong to another index; nothing may change them through it. */
  private readOnly = false;
  /** Per id: state, and token counts of the three fields (keywordDocs.ts). */
  private docs = new KeywordDocs();
  /** Ids re-added while old postings of theirs are still sealed: purged at the next flush. */
  private readonly stale = new Set<number>();
  private scratch: { scores: Float64Array; masks: Uint32Array } | undefined;
  private lastPath: string | undefined;
  private lastPathTerms: readonly string[] = [];
  /** A `mapIds` view: ids are physical rows, `rowOf` their chunk rows; `removedIn`: removed postings per term. */
  private rowOf: Int32Array | undefined;
  private removedIn: Map<number, number> | undefined;

  static empty(): KeywordIndex {
    return new KeywordIndex();
  }

  get size(): number {
    return this.docs.live;
  }

  has(id: number): boolean {
    return this.docs.has(id);
  }

  /**
   * Indexes a chunk. `textTerms`, when given, must be `tokenize(doc.text)` (a caller that already
   * tokenized the text passes it instead of paying for it again), or its counted form.
   */
  add(id: number, doc: KeywordDoc, textTerms?: readonly string[] | CountedTerms): void {
    this.writable();
    if (!Number.isInteger(id) || id < 0 || id >= 2 ** 29) throw new RangeError(`bad chunk id ${id}`);
    if (id < this.docs.capacity && this.docs.state[id] !== 0) {
      // Re-adding: the old postings must go before the new ones are merged.
      if (this.docs.state[id] === LIVE) this.remove(id);
      this.store.flush();
      this.stale.add(id);
    }
    this.ensureCapacity(id + 1);
    const fields = new Map<number, number>();
    const terms = this.terms.withMap();
    const termOf = (t: string): number => terms.intern(t);
    const count = (tokens: readonly string[], unit: number): number => {
      for (const t of tokens) {
        const term = termOf(t);
        const v = fields.get(term) ?? 0;
        // Text tf lives in the high bits (capped); symbol and path are presence bits.
        fields.set(term, unit === 4 ? (v >> 2 >= MAX_TF ? v : v + 4) : v | unit);
      }
      return tokens.length;
    };
    const counted = (c: CountedTerms): number => {
      // The same capped tf as counting the tokens one by one (text is counted first).
      c.terms.forEach((t, k) => fields.set(termOf(t), Math.min(MAX_TF, c.counts[k]) << 2));
      return c.length;
    };
    const given = textTerms ?? tokenize(doc.text);
    const textLen = Array.isArray(given) ? count(given, 4) : counted(given as CountedTerms);
    const symbolLen = count(doc.symbol === '' ? [] : tokenize(doc.symbol), 2);
    // Consecutive chunks share their file: its path is tokenized once.
    if (doc.path !== this.lastPath) {
      this.lastPath = doc.path;
      this.lastPathTerms = tokenize(doc.path);
    }
    const pathLen = count(this.lastPathTerms, 1);
    this.store.ensureLists(this.terms.size);
    for (const [term, value] of fields) this.store.append(term, id, value);
    // With stale ids, their new postings must stay pending until the next flush purges the old ones.
    if (this.store.pending >= SEAL_PENDING && this.stale.size === 0) this.store.flush();
    this.docs.setLive(id, textLen, symbolLen, pathLen);
  }

  /**
   * A `mapIds` view that shares this index's term dictionary and sealed postings instead of
   * copying them (at 60 MB of C headers, ~1M terms: 24 MB of tables and ~30 ms per generation);
   * only the per-id table is its own. The view is read-only, and this index must not change while
   * the view is searched: an opened generation keeps its physical-row postings only for the next
   * generation to copy. Undefined when this index has pending postings, stale or removed ids
   * (a flush would then rewrite what the view reads).
   */
  sharedView(rowOf: Int32Array): KeywordIndex | undefined {
    if (this.store.pending > 0 || this.stale.size > 0 || this.docs.removed > 0) return undefined;
    const view = new KeywordIndex();
    view.terms = this.terms;
    view.store = this.store;
    view.docs = this.docs.copy();
    view.mapIds(rowOf);
    view.readOnly = true;
    return view;
  }

  private writable(): void {
    if (this.readOnly) throw new Error('internal: a shared keyword view is read-only');
  }

  /**
   * Makes this a view of a segmented generation: ids stay physical rows (no postings rewrite),
   * ids `rowOf` maps to −1 are removed, searches take and return chunk rows (`rowOf[id]`), and
   * document frequencies leave removed ids out — so scores and order equal a rebuild's.
   */
  mapIds(rowOf: Int32Array): void {
    const docs = this.docs;
    for (let id = 0; id < docs.capacity; id++) if (docs.state[id] === LIVE && !(rowOf[id] >= 0)) this.remove(id);
    this.rowOf = rowOf;
  }

  remove(id: number): void {
    this.writable();
    if (this.docs.remove(id)) this.removedIn = undefined;
  }

  /** Chunks containing the (already tokenized) term; 0 when none. Query-time refinements weigh terms by it. */
  documentFrequency(term: string): number {
    const id = this.terms.id(term);
    return id < 0 ? 0 : this.store.count[id] - (this.rowOf ? this.removedPostings(id) : 0);
  }

  /** `expansion`: extra tokenized terms with query weights (search/refine.ts); they score, but are never listed as matched. */
  search(query: string, topK: number, allowRow?: (id: number) => boolean, expansion?: ReadonlyMap<string, number>): KeywordHit[] {
    if (topK <= 0 || this.docs.live === 0) return [];
    this.flush(false);
    const rowOf = this.rowOf;
    const allow = rowOf ? (id: number) => rowOf[id] >= 0 && (!allowRow || allowRow(rowOf[id])) : allowRow;
    const labeled = tokenizeLabeled(query);
    // Unique query terms with their query frequency; a CJK word that is also a bigram counts twice,
    // which is what we want: whole words weigh more than chance bigrams.
    const qtf = new Map<string, number>();
    for (const t of labeled) qtf.set(t.term, (qtf.get(t.term) ?? 0) + 1);
    for (const [t, w] of expansion ?? []) qtf.set(t, (qtf.get(t) ?? 0) + w);
    const ids = new Map<string, number>();
    for (const t of qtf.keys()) {
      const term = this.terms.id(t);
      if (term >= 0) ids.set(t, term);
    }
    const uniq = [...ids.keys()];
    if (uniq.length === 0) return [];
    const { scores, masks } = this.scratchBuffers();
    const { k1 } = BM25F;
    const n = this.docs.live;
    const plan = uniq.map((t, q) => {
      const term = ids.get(t)!;
      const df = this.store.count[term] - (rowOf ? this.removedPostings(term) : 0);
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      // The first 31 distinct query terms get a bit for "why it matched"; the rest only score.
      return { term, weight: idf * (qtf.get(t) ?? 1) * (k1 + 1), bit: q < 31 ? 1 << q : 0 };
    }).sort((a, b) => b.weight - a.weight);
    const norms = this.docs.normalisers(BM25F.text, BM25F.symbol, BM25F.path);
    const touched = scoreTerms({ store: this.store, state: this.docs.state, norms, scores, masks, k1 }, plan, topK, allow);
    const best = new TopK(topK);
    const hitMasks = new Map<number, number>();
    for (const id of touched) {
      const s = scores[id];
      // Ties at the threshold enter too: the heap keeps the smaller (chunk row) id, as a rebuild would.
      if (s >= best.threshold && (!allow || allow(id))) {
        const out = rowOf ? rowOf[id] : id;
        best.push(out, s);
        hitMasks.set(out, masks[id]);
      }
      scores[id] = 0;
      masks[id] = 0;
    }
    return best.sorted().map(({ id, score }) => ({ id, score, terms: matchedLabels(labeled, uniq, hitMasks.get(id) ?? 0) }));
  }

  /** Merges pending postings in steps (slices.ts) when nothing needs purging, as `flush(false)` would. */
  *sealSteps(): Steps<void> {
    if (this.stale.size === 0) yield* this.store.flushSteps();
  }

  /** Renumbers ids after compaction: `oldToNew[old]` is the new id, −1 drops the chunk. */
  remap(oldToNew: Int32Array): void {
    this.writable();
    this.flush(true);
    const map = (id: number): number => (id < oldToNew.length ? oldToNew[id] : -1);
    this.store.rewrite(map);
    this.docs.remap(map);
    this.scratch = undefined;
  }

  /**
   * Adds every live chunk of `delta` (a live update's postings, index/segments.ts) with its id
   * shifted by `offset`, which must be past every id here: the postings are appended as they
   * are (no re-tokenization), new terms join the dictionary.
   */
  absorb(delta: KeywordIndex, offset: number): void {
    this.writable();
    if (offset < this.docs.capacity) throw new RangeError('absorbed ids must follow the existing ones');
    delta.flush(true);
    const from = delta.docs;
    this.ensureCapacity(offset + from.capacity);
    const termOf = delta.terms.text.map((t) => this.terms.intern(t));
    this.store.ensureLists(this.terms.size, true);
    termOf.forEach((term, k) => delta.store.forEach(k, (id, value) => this.store.append(term, id + offset, value)));
    for (let id = 0; id < from.capacity; id++) if (from.state[id] === LIVE) this.docs.setLive(id + offset, from.textLen[id], from.symbolLen[id], from.pathLen[id]);
  }

  /**
   * An independent copy: an `absorb`, `mapIds` or `remove` on either leaves the other as it was.
   * The postings bytes are shared (nothing rewrites them in place), so a copy costs the per-term
   * and per-id tables only — how a host opens the next generation from the one it has.
   */
  copy(): KeywordIndex {
    return runSteps(this.copySteps());
  }

  /** `copy` in steps (slices.ts): how a host's sliced open copies the previous generation's postings tables. */
  *copySteps(): Steps<KeywordIndex> {
    this.flush(false);
    const c = new KeywordIndex();
    c.terms = yield* this.terms.copySteps();
    yield* c.store.copyFromSteps(this.store);
    c.docs = this.docs.copy();
    c.rowOf = this.rowOf;
    return c;
  }

  /** Format version 2 (default) or the previous one, 1 (still read; for compatibility tests). */
  serialize(version: 1 | 2 = 2): Uint8Array {
    this.writable();
    this.flush(true);
    const d = this.docs;
    return writeKeywordIndex({
      capacity: d.capacity, state: d.state, textLen: d.textLen, symbolLen: d.symbolLen,
      pathLen: d.pathLen, termText: this.terms.text, store: this.store,
    }, version);
  }

  /** `owned`: the index may keep `bytes` itself (the caller never changes them) instead of a copy. */
  static deserialize(bytes: Uint8Array, owned = false): KeywordIndex {
    return runSteps(KeywordIndex.deserializeSteps(bytes, owned));
  }

  /** `deserialize` in steps (slices.ts): a host opens the next generation's postings between searches. */
  static *deserializeSteps(bytes: Uint8Array, owned = false): Steps<KeywordIndex> {
    const p: KeywordIndexParts = yield* readKeywordIndexSteps(bytes, !owned);
    const index = new KeywordIndex();
    index.docs.install(p);
    index.terms = yield* TermDictionary.loadedSteps(p.termText);
    index.store.load(p.postings, p.start, p.len, p.count, p.last);
    return index;
  }

  private removedPostings(term: number): number {
    if (this.docs.removed === 0) return 0;
    const cache = (this.removedIn ??= new Map());
    let n = cache.get(term);
    if (n === undefined) {
      let dead = 0;
      const state = this.docs.state;
      this.store.forEach(term, (id) => void (state[id] === REMOVED && dead++));
      cache.set(term, (n = dead));
    }
    return n;
  }

  /**
   * Merges pending postings. Tombstones are purged when asked (serialize, remap), when a re-added
   * id has stale postings, or when they exceed a quarter of the live chunks.
   */
  private flush(purgeAll: boolean): void {
    // A view's postings are sealed and shared: its removed ids are masked at query time, never purged.
    if (this.readOnly) return;
    const docs = this.docs, state = docs.state;
    if (this.stale.size > 0) {
      // add() sealed everything before marking an id stale, so its old postings are all sealed and
      // its new ones all pending: drop the sealed ones first, then merge.
      const stale = this.stale;
      this.store.rewrite((id) => (stale.has(id) || state[id] === REMOVED ? -1 : id));
      stale.clear();
    }
    this.store.flush();
    if (docs.removed > 0 && (purgeAll || docs.removed > Math.max(1000, docs.live / 4))) {
      this.store.rewrite((id) => (state[id] === REMOVED ? -1 : id));
      docs.clearRemoved();
      this.removedIn = undefined;
    }
    // Lists whose every posting was purged stay (empty): term ids are positions.
  }

  private ensureCapacity(n: number): void {
    if (this.docs.ensureCapacity(n)) this.scratch = undefined;
  }

  /**
   * Builds what the first search would otherwise build: the length normalisers (3 × one float per
   * chunk) and the score buffers. A host opening a new generation in slices calls it there, so the
   * first search after an update does not pay it (58k chunks: ~20 ms of that search's ~60–80 ms).
   */
  prepareForSearch(): void {
    this.docs.normalisers(BM25F.text, BM25F.symbol, BM25F.path);
    this.scratchBuffers();
  }

  private scratchBuffers(): { scores: Float64Array; masks: Uint32Array } {
    const cap = this.docs.capacity;
    if (!this.scratch || this.scratch.scores.length < cap) {
      this.scratch = { scores: new Float64Array(cap), masks: new Uint32Array(cap) };
    }
    return this.scratch;
  }
}
