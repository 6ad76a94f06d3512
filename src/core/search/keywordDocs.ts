/**
 * The per-id tables of a `KeywordIndex`: each id's state and the token counts of its three BM25F
 * fields, the live and removed counts, the field totals, and the length normalisers derived from
 * them. The postings (postings.ts) and the term dictionary are the index's; this is what BM25F's
 * length normalisation and the tombstones need per chunk.
 */
import { growU32 } from './postings';

export const LIVE = 1;
/** Removed, postings not yet purged. */
export const REMOVED = 2;

export interface FieldWeight {
  readonly weight: number;
  readonly b: number;
}

export interface IdTables {
  readonly capacity: number;
  readonly state: Uint8Array;
  readonly textLen: Uint32Array;
  readonly symbolLen: Uint32Array;
  readonly pathLen: Uint32Array;
}

export class KeywordDocs implements IdTables {
  state: Uint8Array = new Uint8Array(0);
  textLen: Uint32Array = new Uint32Array(0);
  symbolLen: Uint32Array = new Uint32Array(0);
  pathLen: Uint32Array = new Uint32Array(0);
  capacity = 0;
  live = 0;
  removed = 0;
  totals = { text: 0, symbol: 0, path: 0 };
  /** Per-id length normalisers, rebuilt lazily when the averages move. */
  private norms: Float32Array[] | undefined;

  has(id: number): boolean {
    return id >= 0 && id < this.capacity && this.state[id] === LIVE;
  }

  /** Makes ids [0, n) addressable; true when the capacity grew. */
  ensureCapacity(n: number): boolean {
    if (n <= this.capacity) return false;
    if (n > this.state.length) {
      const cap = Math.max(n, Math.ceil(this.state.length * 1.5), 64);
      const state = new Uint8Array(cap);
      state.set(this.state);
      this.state = state;
      this.textLen = growU32(this.textLen, cap);
      this.symbolLen = growU32(this.symbolLen, cap);
      this.pathLen = growU32(this.pathLen, cap);
    }
    this.capacity = n;
    return true;
  }

  /** Marks `id` live with its field lengths. */
  setLive(id: number, textLen: number, symbolLen: number, pathLen: number): void {
    this.state[id] = LIVE;
    this.totals.text += this.textLen[id] = textLen;
    this.totals.symbol += this.symbolLen[id] = symbolLen;
    this.totals.path += this.pathLen[id] = pathLen;
    this.live++;
    this.norms = undefined;
  }

  /** Tombstones a live id; false when it was not live. */
  remove(id: number): boolean {
    if (!this.has(id)) return false;
    this.state[id] = REMOVED;
    this.totals.text -= this.textLen[id];
    this.totals.symbol -= this.symbolLen[id];
    this.totals.path -= this.pathLen[id];
    this.live--;
    this.removed++;
    this.norms = undefined;
    return true;
  }

  /** Forgets every tombstone (their postings were purged). */
  clearRemoved(): void {
    for (let id = 0; id < this.capacity; id++) if (this.state[id] === REMOVED) this.state[id] = 0;
    this.removed = 0;
  }

  /** Takes over deserialized tables (nothing removed in them). */
  install(p: IdTables): void {
    this.capacity = p.capacity;
    this.state = p.state;
    this.textLen = p.textLen;
    this.symbolLen = p.symbolLen;
    this.pathLen = p.pathLen;
    for (let id = 0; id < p.capacity; id++) {
      if (p.state[id] !== LIVE) continue;
      this.live++;
      this.totals.text += p.textLen[id];
      this.totals.symbol += p.symbolLen[id];
      this.totals.path += p.pathLen[id];
    }
  }

  /** Live ids renumbered through `map` (−1 drops one), tombstones gone. Throws when two ids meet. */
  remap(map: (id: number) => number): void {
    let cap = 0;
    for (let id = 0; id < this.capacity; id++) if (this.state[id] === LIVE && map(id) >= 0) cap = Math.max(cap, map(id) + 1);
    const next = new KeywordDocs();
    next.state = new Uint8Array(cap);
    next.textLen = new Uint32Array(cap);
    next.symbolLen = new Uint32Array(cap);
    next.pathLen = new Uint32Array(cap);
    next.capacity = cap;
    for (let id = 0; id < this.capacity; id++) {
      const nid = map(id);
      if (this.state[id] !== LIVE || nid < 0) continue;
      if (next.state[nid] === LIVE) throw new Error(`remap sends two chunks to id ${nid}`);
      next.setLive(nid, this.textLen[id], this.symbolLen[id], this.pathLen[id]);
    }
    Object.assign(this, { state: next.state, textLen: next.textLen, symbolLen: next.symbolLen, pathLen: next.pathLen, capacity: cap, live: next.live, removed: 0, totals: next.totals, norms: undefined });
  }

  /** An independent copy (the normalisers are shared: nothing writes into them). */
  copy(): KeywordDocs {
    const c = new KeywordDocs();
    c.state = this.state.slice();
    c.textLen = this.textLen.slice();
    c.symbolLen = this.symbolLen.slice();
    c.pathLen = this.pathLen.slice();
    c.capacity = this.capacity;
    c.live = this.live;
    c.removed = this.removed;
    c.totals = { ...this.totals };
    c.norms = this.norms;
    return c;
  }

  /** weight / (1 − b + b · len / avgLen) per field and id: BM25F's weighted, normalised tf factor. */
  normalisers(text: FieldWeight, symbol: FieldWeight, path: FieldWeight): Float32Array[] {
    if (this.norms && this.norms[0].length >= this.capacity) return this.norms;
    const n = Math.max(1, this.live);
    const capacity = this.capacity;
    const build = (lens: Uint32Array, total: number, field: FieldWeight): Float32Array => {
      const avg = total / n || 1;
      // The same arithmetic as ever (team/impacts.ts mirrors it); only the loads leave the loop.
      const weight = field.weight, b = field.b;
      const out = new Float32Array(capacity);
      for (let id = 0; id < capacity; id++) out[id] = weight / (1 - b + (b * lens[id]) / avg);
      return out;
    };
    this.norms = [build(this.textLen, this.totals.text, text), build(this.symbolLen, this.totals.symbol, symbol), build(this.pathLen, this.totals.path, path)];
    return this.norms;
  }
}
