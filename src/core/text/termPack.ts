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

/**
 * A chunk's terms with global ids, kept for the whole build: varint bytes in its file's buffer
 * (`n` pairs `(termId, tf)`, then `h` head pairs) — ~3 bytes a pair instead of 8 as Int32 (on 60 MB
 * of source, 87 MB of Int32 pairs). Read them through the dictionary (`pairs`, `counts`, `textTerms`).
 */
export interface ChunkTerms {
  readonly bytes: Uint8Array;
  readonly at: number;
  readonly n: number;
  readonly h: number;
  readonly tokens: number;
  /** Tokens of the embed header; −1 when the header cannot be split off (no head pairs then). */
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
    const heads: { n: number; h: number; tokens: number; headTokens: number }[] = [];
    let at = 0, pairs = 0;
    for (let c = 0; c < chunks; c++) {
      if (at + 4 > d.length) return undefined;
      const n = d[at], tokens = d[at + 1], h = d[at + 2], headTokens = d[at + 3];
      const start = at + 4, end = start + 2 * (n + h);
      if (n < 0 || h < 0 || end > d.length) return undefined;
      for (let k = start; k < end; k += 2) {
        const g = global[d[k]];
        if (g === undefined || d[k + 1] < 0) return undefined;
        d[k] = g;
      }
      heads.push({ n, h, tokens, headTokens: headTokens >= 0 ? headTokens : -1 });
      pairs += n + h;
      at = end;
    }
    if (at !== d.length) return undefined;
    // Varints: 5 bytes at most per int; one exact-size buffer per file.
    const out = new Uint8Array(pairs * 10);
    let w = 0;
    const put = (v: number) => {
      while (v >= 0x80) {
        out[w++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      out[w++] = v;
    };
    const starts: number[] = [];
    at = 0;
    for (const x of heads) {
      starts.push(w);
      for (let k = at + 4; k < at + 4 + 2 * (x.n + x.h); k++) put(d[k]);
      at += 4 + 2 * (x.n + x.h);
    }
    const bytes = out.slice(0, w);
    return heads.map((x, c) => ({ bytes, at: starts[c], ...x }));
  }

  private scratch = new Int32Array(1024);

  /** Decodes `count` ints from `pos`; returns the position after them (into `scratch` from `into`). */
  private decode(t: ChunkTerms, pos: number, count: number, into: number): number {
    if (this.scratch.length < into + count) {
      const grown = new Int32Array(Math.max(into + count, this.scratch.length * 2));
      grown.set(this.scratch);
      this.scratch = grown;
    }
    const b = t.bytes, out = this.scratch;
    for (let i = 0; i < count; i++) {
      let x = b[pos++];
      let v = x & 0x7f;
      for (let shift = 7; x & 0x80; shift += 7) {
        x = b[pos++];
        v |= (x & 0x7f) << shift;
      }
      out[into + i] = v;
    }
    return pos;
  }

  /** The `(termId, tf)` pairs of the whole embed text, first-seen order (valid until the next call). */
  pairs(t: ChunkTerms): Int32Array {
    this.decode(t, t.at, 2 * t.n, 0);
    return this.scratch.subarray(0, 2 * t.n);
  }

  /** `countTerms(tokenize(embedText))` of a chunk, same order. */
  counts(t: ChunkTerms): Map<string, number> {
    const p = this.pairs(t);
    const m = new Map<string, number>();
    for (let k = 0; k < p.length; k += 2) m.set(this.terms[p[k]], p[k + 1]);
    return m;
  }

  /** The keyword index's terms of the chunk's text (embed text minus its header), or undefined. */
  textTerms(t: ChunkTerms): CountedTerms | undefined {
    if (t.headTokens < 0) return undefined;
    const after = this.decode(t, t.at, 2 * t.n, 0);
    this.decode(t, after, 2 * t.h, 2 * t.n);
    const d = this.scratch;
    const minus = new Map<number, number>();
    for (let k = 2 * t.n; k < 2 * (t.n + t.h); k += 2) minus.set(d[k], d[k + 1]);
    const terms: string[] = [];
    const counts: number[] = [];
    for (let k = 0; k < 2 * t.n; k += 2) {
      const tf = d[k + 1] - (minus.get(d[k]) ?? 0);
      if (tf <= 0) continue;
      terms.push(this.terms[d[k]]);
      counts.push(tf);
    }
    return { terms, counts, length: t.tokens - t.headTokens };
  }
}
