/**
 * Chunk tokens in a compact, transferable form, so the chunk workers tokenize (not the main
 * thread) and the main thread holds term ids instead of millions of token strings.
 *
 * A worker packs one file: its distinct terms once (`dict`, joined by "\n" — tokens are made of
 * letters, digits, `_` and `$` only) and one Int32Array whose buffer is transferred, not copied.
 * Per chunk, in chunk order: `n, tokens, h, headTokens`, then `n` pairs `(term, tf)` — the
 * `tokenize(embedText)` counts in first-seen order, exactly what `countTerms` gives, so vectors
 * computed from them are bit-for-bit those computed from the text — then `h` pairs: the counts of
 * the embed header's tokens (the keyword index indexes the text without its header; `headTokens`
 * is -1 when the header cannot be split off, and the keyword index then tokenizes the text).
 *
 * On the main thread, `TermDictionary.accept` rewrites the file's local term numbers into global
 * ids in place and hands back per-chunk views of the same buffer.
 */
import { tokenize } from './tokenize';

export interface PackedFileTerms {
  readonly dict: string;
  readonly data: Int32Array;
}

/** A chunk's terms with global ids: views into its file's buffer. */
export interface ChunkTerms {
  /** `(termId, tf)` pairs of the whole embed text, first-seen order. */
  readonly pairs: Int32Array;
  readonly tokens: number;
  /** `(termId, tf)` pairs of the header's tokens; undefined when the header cannot be split off. */
  readonly head?: Int32Array;
  readonly headTokens: number;
}

/** Distinct terms with their counts and the token count: what the keyword index needs of a text. */
export interface CountedTerms {
  readonly terms: readonly string[];
  readonly counts: ArrayLike<number>;
  readonly length: number;
}

interface PackableChunk {
  readonly text: string;
  readonly embedText: string;
}

/** Tokens of the header before `text` in `embedText`, or -1 (same rule as the index writer's split). */
function headerTokenCount(embedText: string, text: string, all: readonly string[]): number {
  const head = embedText.length - text.length;
  if (head < 0 || (head > 0 && embedText.charCodeAt(head - 1) !== 10) || !embedText.endsWith(text)) return -1;
  if (head === 0) return 0;
  const skip = tokenize(embedText.slice(0, head)).length;
  return skip <= all.length ? skip : -1;
}

/** Worker side: tokenizes every chunk's embed text once. */
export function packTerms(chunks: readonly PackableChunk[]): PackedFileTerms {
  const local = new Map<string, number>();
  const terms: string[] = [];
  const out: number[] = [];
  const idOf = (t: string): number => {
    let id = local.get(t);
    if (id === undefined) {
      id = terms.length;
      local.set(t, id);
      terms.push(t);
    }
    return id;
  };
  // Counts by local id in a scratch array (zeroed again after each chunk), ids in first-seen order.
  let tf = new Int32Array(1024);
  const order: number[] = [];
  const pushCounts = (tokens: readonly string[], from: number, to: number): number => {
    order.length = 0;
    for (let i = from; i < to; i++) {
      const id = idOf(tokens[i]);
      if (id >= tf.length) {
        const grown = new Int32Array(Math.max(id + 1, tf.length * 2));
        grown.set(tf);
        tf = grown;
      }
      if (tf[id]++ === 0) order.push(id);
    }
    for (const id of order) {
      out.push(id, tf[id]);
      tf[id] = 0;
    }
    return order.length;
  };
  for (const c of chunks) {
    const all = tokenize(c.embedText);
    const skip = headerTokenCount(c.embedText, c.text, all);
    const at = out.length;
    out.push(0, all.length, 0, skip);
    out[at] = pushCounts(all, 0, all.length);
    if (skip > 0) out[at + 2] = pushCounts(all, 0, skip);
  }
  return { dict: terms.join('\n'), data: Int32Array.from(out) };
}

/** Main side: one global term numbering for a run. */
export class TermDictionary {
  private readonly ids = new Map<string, number>();
  readonly terms: string[] = [];

  get size(): number {
    return this.terms.length;
  }

  id(term: string): number {
    let id = this.ids.get(term);
    if (id === undefined) {
      id = this.terms.length;
      // A term split from a file's `dict` is a slice of it: a copy keeps the file's whole dict
      // from staying alive as long as the run (18 MB of them at 60 MB of source).
      const own = term.length >= 13 ? (' ' + term).slice(1) : term;
      this.ids.set(own, id);
      this.terms.push(own);
    }
    return id;
  }

  /** The chunks' terms of one file (`chunks` = how many it has); undefined when malformed. */
  accept(packed: PackedFileTerms, chunks: number): ChunkTerms[] | undefined {
    const local = packed.dict === '' ? [] : packed.dict.split('\n');
    const global = local.map((t) => this.id(t));
    const d = packed.data;
    const out: ChunkTerms[] = [];
    let at = 0;
    for (let c = 0; c < chunks; c++) {
      if (at + 4 > d.length) return undefined;
      const n = d[at], tokens = d[at + 1], h = d[at + 2], headTokens = d[at + 3];
      const start = at + 4, mid = start + 2 * n, end = mid + 2 * h;
      if (n < 0 || h < 0 || end > d.length) return undefined;
      for (let k = start; k < end; k += 2) {
        const g = global[d[k]];
        if (g === undefined) return undefined;
        d[k] = g;
      }
      out.push({ pairs: d.subarray(start, mid), tokens, headTokens, ...(headTokens >= 0 ? { head: d.subarray(mid, end) } : {}) });
      at = end;
    }
    return at === d.length ? out : undefined;
  }

  /** `countTerms(tokenize(embedText))` of a chunk, same order. */
  counts(t: ChunkTerms): Map<string, number> {
    const m = new Map<string, number>();
    for (let k = 0; k < t.pairs.length; k += 2) m.set(this.terms[t.pairs[k]], t.pairs[k + 1]);
    return m;
  }

  /** The keyword index's terms of the chunk's text (embed text minus its header), or undefined. */
  textTerms(t: ChunkTerms): CountedTerms | undefined {
    if (!t.head) return undefined;
    const minus = new Map<number, number>();
    for (let k = 0; k < t.head.length; k += 2) minus.set(t.head[k], t.head[k + 1]);
    const terms: string[] = [];
    const counts: number[] = [];
    for (let k = 0; k < t.pairs.length; k += 2) {
      const tf = t.pairs[k + 1] - (minus.get(t.pairs[k]) ?? 0);
      if (tf <= 0) continue;
      terms.push(this.terms[t.pairs[k]]);
      counts.push(tf);
    }
    return { terms, counts, length: t.tokens - t.headTokens };
  }
}
