/**
 * Postings lists of the keyword index, all in one byte buffer so 100k chunks × hundreds of terms do
 * not become millions of small objects. A list is a run of postings `varint(idGap · 2 + hasValue)`
 * `[varint(value)]` where idGap = id − previousId − 1 (ids ascending, first previousId = −1) and
 * value packs the field frequencies: `textTf · 4 + inSymbol · 2 + inPath`. The most common value —
 * once in the text, nowhere else (4) — is implied when hasValue is 0, so a typical posting of a
 * common term is a single byte.
 *
 * New postings wait in an append log and are merged by `flush()`: in the usual case (ids added in
 * ascending order) a list is extended by copying its bytes and encoding the new tail.
 */
import { bigBytes, bigI32, bigSlice, bigU32 } from '../bigMemory';
import { ByteWriter } from './bytes';
import { runSteps, type Steps } from '../slices';

/** Lists (or log entries) visited between two yields of `flushSteps`. */
const STEP = 32768;

/** Bytes of sealed postings copied between two yields of `flushSteps`. */
const COPY_BYTES = 2 << 20;

/** Value of a posting written without one: the term occurs once in the text only. */
export const IMPLIED_VALUE = 4;

export function writePosting(out: ByteWriter, gap: number, value: number): void {
  if (value === IMPLIED_VALUE) out.varint(gap * 2);
  else {
    out.varint(gap * 2 + 1);
    out.varint(value);
  }
}

/** Postings per skip block. */
export const SKIP_BLOCK = 64;

/** Block b holds postings from byte pos[b], ids after prevId[b]; entry `blocks` closes the list. */
export interface SkipIndex {
  readonly pos: Uint32Array;
  readonly prevId: Int32Array;
}

export type PostingVisitor = (id: number, value: number) => void;

export class PostingStore {
  /** Sealed lists: bytes of list t are data[start[t] .. start[t] + len[t]). */
  data: Uint8Array = new Uint8Array(0);
  start: Uint32Array = new Uint32Array(64);
  len: Uint32Array = new Uint32Array(64);
  /** Postings per list (document frequency, tombstones included until purged). */
  count: Uint32Array = new Uint32Array(64);
  /** Largest id of each list (−1 when empty), to continue the gap encoding when appending. */
  last: Int32Array = new Int32Array(64).fill(-1);
  lists = 0;
  /** Bytes of `data` no list refers to any more (left by flushes that re-encoded a few lists). */
  private deadBytes = 0;

  /** Lazily built block index of long lists (see `skips`); dropped whenever the bytes change. */
  private skipCache = new Map<number, SkipIndex>();

  private logTerm: Int32Array = new Int32Array(1024);
  private logId: Int32Array = new Int32Array(1024);
  private logValue: Int32Array = new Int32Array(1024);
  private logLength = 0;

  /**
   * Makes this a copy of `other`'s sealed lists (its append log must be empty): the tables are
   * copied, the bytes shared — `flush` and `rewrite` write new bytes, never into the old ones.
   */
  copyFrom(other: PostingStore): void {
    runSteps(this.copyFromSteps(other));
  }

  /** `copyFrom` a table per step (each a few MB at ~1M terms); `other` must not change meanwhile. */
  *copyFromSteps(other: PostingStore): Steps<void> {
    if (other.logLength > 0) throw new Error('internal: copy of a store with pending postings');
    this.data = other.data;
    // The lists in use and a little room (a live update's new terms), not the source's spare capacity.
    const n = Math.min(other.start.length, other.lists + Math.max(1024, other.lists >> 6));
    this.start = bigSlice(other.start, n);
    yield;
    this.len = bigSlice(other.len, n);
    yield;
    this.count = bigSlice(other.count, n);
    yield;
    this.last = bigSlice(other.last, n);
    this.lists = other.lists;
    this.deadBytes = other.deadBytes;
    this.skipCache = new Map(other.skipCache);
    this.logLength = 0;
  }

  get pending(): number {
    return this.logLength;
  }

  /** Makes room for lists [0, n). */
  /** `tight`: grow by a little (absorbing a live update's few new terms), not by doubling. */
  ensureLists(n: number, tight = false): void {
    if (n <= this.lists) return;
    if (n > this.start.length) {
      const cap = Math.max(n, tight ? this.start.length + Math.max(1024, this.start.length >> 6) : this.start.length * 2);
      this.start = growU32(this.start, cap);
      this.len = growU32(this.len, cap);
      this.count = growU32(this.count, cap);
      const last = bigI32(cap).fill(-1);
      last.set(this.last);
      this.last = last;
    }
    this.lists = n;
  }

  append(term: number, id: number, value: number): void {
    if (this.logLength === this.logTerm.length) {
      const cap = this.logLength * 2;
      this.logTerm = growI32(this.logTerm, cap);
      this.logId = growI32(this.logId, cap);
      this.logValue = growI32(this.logValue, cap);
    }
    this.logTerm[this.logLength] = term;
    this.logId[this.logLength] = id;
    this.logValue[this.logLength] = value;
    this.logLength++;
  }

  /**
   * Block index of a long list: every SKIP_BLOCK postings, the byte offset and the id before the
   * block — so a lookup of a few ids decodes a few blocks instead of the whole list.
   */
  skips(term: number): SkipIndex {
    let skip = this.skipCache.get(term);
    if (skip) return skip;
    const blocks = Math.ceil(this.count[term] / SKIP_BLOCK);
    skip = { pos: new Uint32Array(blocks + 1), prevId: new Int32Array(blocks + 1) };
    let i = 0;
    let prev = -1;
    const data = this.data;
    let pos = this.start[term];
    const end = pos + this.len[term];
    while (pos < end) {
      if (i % SKIP_BLOCK === 0) {
        skip.pos[i / SKIP_BLOCK] = pos;
        skip.prevId[i / SKIP_BLOCK] = prev;
      }
      let b = data[pos++];
      let head = b & 0x7f;
      for (let shift = 7; b & 0x80; shift += 7) {
        b = data[pos++];
        head |= (b & 0x7f) << shift;
      }
      if (head & 1) while (data[pos++] & 0x80);
      prev += (head >>> 1) + 1;
      i++;
    }
    skip.pos[blocks] = end;
    skip.prevId[blocks] = prev;
    this.skipCache.set(term, skip);
    return skip;
  }

  forEach(term: number, visit: PostingVisitor): void {
    const data = this.data;
    let pos = this.start[term];
    const end = pos + this.len[term];
    let id = -1;
    while (pos < end) {
      // Inline varint decoding: this loop is the keyword search's hot path.
      let b = data[pos++];
      let head = b & 0x7f;
      for (let shift = 7; b & 0x80; shift += 7) {
        b = data[pos++];
        head |= (b & 0x7f) << shift;
      }
      let value = IMPLIED_VALUE;
      if (head & 1) {
        b = data[pos++];
        value = b & 0x7f;
        for (let shift = 7; b & 0x80; shift += 7) {
          b = data[pos++];
          value |= (b & 0x7f) << shift;
        }
      }
      id += (head >>> 1) + 1;
      visit(id, value);
    }
  }

  /** Merges the append log into the sealed lists. */
  flush(): void {
    if (this.logLength > 0) runSteps(this.flushSteps());
  }

  /** `flush` in steps of a few ten thousand lists (slices.ts); nothing else may touch the store until it is done. */
  *flushSteps(): Steps<void> {
    if (this.logLength === 0) return;
    this.skipCache.clear();
    // Group the log by term with a counting sort, keeping insertion order inside a term.
    const n = this.logLength;
    const first = bigI32(this.lists + 1);
    for (let i = 0; i < n; i++) first[this.logTerm[i] + 1]++;
    for (let t = 0; t < this.lists; t++) first[t + 1] += first[t];
    const order = bigI32(n);
    const fill = bigSlice(first, this.lists);
    for (let i = 0; i < n; i++) order[fill[this.logTerm[i]]++] = i;
    yield;

    // A few lists touched (a live update's delta): only those are re-encoded, after a copy of
    // the bytes — their old bytes stay behind, dead, until they reach a quarter of the buffer.
    let touched = 0;
    for (let t = 0; t < this.lists; t++) if (first[t + 1] > first[t]) touched++;
    if (touched * 16 < this.lists && this.deadBytes < this.data.length / 4) {
      const tail = new ByteWriter(n * 3 + 1024);
      const base = this.data.length;
      for (let t = 0; t < this.lists; t++) {
        if (t % STEP === STEP - 1) yield;
        if (first[t + 1] === first[t]) continue;
        const newStart = base + tail.length;
        this.deadBytes += this.len[t];
        this.mergeList(tail, t, first[t], first[t + 1], order);
        this.start[t] = newStart;
        this.len[t] = base + tail.length - newStart;
      }
      const data = bigBytes(base + tail.length);
      yield;
      // The old bytes in pieces: at 60 MB of headers the postings are 12 MB, a copy of ~10 ms in one step.
      for (let at = 0; at < base; at += COPY_BYTES) {
        data.set(this.data.subarray(at, Math.min(base, at + COPY_BYTES)), at);
        yield;
      }
      data.set(tail.finishInPlace(), base);
      this.data = data;
      this.logLength = 0;
      return;
    }
    const out = new ByteWriter(this.data.length - this.deadBytes + n * 3 + 1024);
    for (let t = 0; t < this.lists; t++) {
      if (t % STEP === STEP - 1) yield;
      const newStart = out.length;
      this.mergeList(out, t, first[t], first[t + 1], order);
      this.start[t] = newStart;
      this.len[t] = out.length - newStart;
    }
    this.data = out.finishInPlace(); // no second copy of every posting (a transient the host's RSS kept)
    this.deadBytes = 0;
    this.logLength = 0;
  }

  /** Writes list `t` with the log's postings order[from, to) merged in; updates its last id and count. */
  private mergeList(out: ByteWriter, t: number, from: number, to: number, order: Int32Array): void {
    let sorted = true;
    for (let k = from + 1; k < to; k++) if (this.logId[order[k]] <= this.logId[order[k - 1]]) sorted = false;
    if (to > from && (!sorted || this.logId[order[from]] <= this.last[t])) {
      // Out-of-order additions: decode, merge and re-encode this one list.
      const pairs: [number, number][] = [];
      this.forEach(t, (id, value) => pairs.push([id, value]));
      for (let k = from; k < to; k++) pairs.push([this.logId[order[k]], this.logValue[order[k]]]);
      pairs.sort((a, b) => a[0] - b[0]);
      this.last[t] = encodeList(out, pairs);
      this.count[t] = pairs.length;
      return;
    }
    out.bytes(this.data.subarray(this.start[t], this.start[t] + this.len[t]));
    let prev = this.last[t];
    for (let k = from; k < to; k++) {
      const i = order[k];
      writePosting(out, this.logId[i] - prev - 1, this.logValue[i]);
      prev = this.logId[i];
    }
    this.last[t] = prev;
    this.count[t] += to - from;
  }

  /**
   * Rewrites every list through `mapId` (−1 drops a posting): purges removed ids and applies
   * id compaction. Lists stay sorted even when the mapping is not monotonic. Sealed lists only:
   * the append log is left as it is.
   */
  rewrite(mapId: (id: number) => number): void {
    this.skipCache.clear();
    const out = new ByteWriter(this.data.length + 1024);
    // Reused typed buffers instead of a [id, value] pair per posting: an index update remaps
    // every posting of the workspace (millions), and the pairs were most of its time and garbage.
    let ids = new Int32Array(1024);
    let values = new Float64Array(1024);
    let n = 0;
    let monotonic = true;
    let prev = -1;
    const visit = (id: number, value: number): void => {
      const nid = mapId(id);
      if (nid < 0) return;
      if (nid <= prev) monotonic = false;
      prev = nid;
      if (n === ids.length) {
        const grownIds = new Int32Array(n * 2), grownValues = new Float64Array(n * 2);
        grownIds.set(ids);
        grownValues.set(values);
        ids = grownIds;
        values = grownValues;
      }
      ids[n] = nid;
      values[n++] = value;
    };
    for (let t = 0; t < this.lists; t++) {
      n = 0;
      monotonic = true;
      prev = -1;
      this.forEach(t, visit);
      const start = out.length;
      let last = -1;
      if (monotonic) {
        for (let k = 0; k < n; k++) {
          writePosting(out, ids[k] - last - 1, values[k]);
          last = ids[k];
        }
      } else {
        const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => ids[a] - ids[b]);
        for (const k of order) {
          writePosting(out, ids[k] - last - 1, values[k]);
          last = ids[k];
        }
      }
      this.last[t] = last;
      this.count[t] = n;
      this.start[t] = start;
      this.len[t] = out.length - start;
    }
    this.data = out.finishInPlace(); // no second copy of every posting (a transient the host's RSS kept)
    this.deadBytes = 0;
  }

  /** Installs lists read from a serialized index (`data` is owned from now on). */
  load(data: Uint8Array, start: Uint32Array, len: Uint32Array, count: Uint32Array, last: Int32Array): void {
    this.data = data;
    this.start = start;
    this.len = len;
    this.count = count;
    this.last = last;
    this.lists = start.length;
    this.logLength = 0;
    this.skipCache.clear();
    // A file's buffer holds the tables too: the first flush copies only the lists.
    let used = 0;
    for (let t = 0; t < this.lists; t++) used += len[t];
    this.deadBytes = data.length - used;
  }
}

function encodeList(out: ByteWriter, pairs: readonly (readonly [number, number])[]): number {
  let prev = -1;
  for (const [id, value] of pairs) {
    writePosting(out, id - prev - 1, value);
    prev = id;
  }
  return prev;
}

export function growU32(a: Uint32Array, n: number): Uint32Array {
  const b = bigU32(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}

export function growI32(a: Int32Array, n: number): Int32Array {
  const b = bigI32(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}
